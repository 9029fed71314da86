// The scenario catalogue on the project's real stack files: what runs, between which machines,
// against which threshold, in which order; and clear errors for names that do not fit.
import * as assert from "assert";
import { parseStackConfig, StackConfig } from "../../../config/index";
import { orderScenarios, planScenarios, ScenarioPlan, ScenarioSelectionError } from "../../../benchmarks/scenarios";
import { stackValues } from "../../support/stackFiles";

function config(stack: string, edit: (v: Record<string, any>) => void = () => {}): StackConfig {
    const values = stackValues(stack);
    edit(values);
    return parseStackConfig(values, `test ${stack}`);
}

const brief = (p: ScenarioPlan) => [p.name, p.server, p.client, p.placement, p.family, p.thresholdClass, p.flows, p.expectedGbps ?? null];

describe("scenario catalogue", () => {
    it("lab (dpservice, non-offload): the dpservice suite on vm1/vm2/vm3 with the sw thresholds, plus latency", () => {
        const plans = planScenarios(config("lab"));
        assert.deepStrictEqual(plans.map(brief), [
            ["same-host-ipv4", "vm1", "vm2", "same-host", "ipv4", "local_vm2vm", 3, 10],
            ["same-host-ipv6", "vm1", "vm2", "same-host", "ipv6", "local_vm2vm", 3, 10],
            ["cross-host-ipv4", "vm1", "vm3", "cross-host", "ipv4", "remote_vm2vm", 3, 8],
            ["cross-host-ipv6", "vm1", "vm3", "cross-host", "ipv6", "remote_vm2vm", 3, 8],
            ["nat-cross-host", "vm2", "vm3", "cross-host", "ipv4", "remote_vm2vm", 1, 8],
            ["lb-cross-host", "vm3", "vm1", "cross-host", "ipv4", "lb", 1, 5],
            ["latency", "vm1", "vm3", "cross-host", "ipv4", null, 1, null],
        ]);
        const lb = plans.find((p) => p.name === "lb-cross-host")!;
        assert.deepStrictEqual(lb.target, { kind: "address", address: "10.20.30.30" });
        assert.strictEqual(lb.basePort, 5201, "a port the load balancer forwards");
        assert.ok(plans.every((p) => p.suite === (p.name === "latency" ? "netperf" : "dpservice")));
        assert.ok(plans.every((p) => p.rounds === 3 && p.seconds === 10 && p.policy === "mean"));
        assert.strictEqual(plans.find((p) => p.name === "latency")!.omit, 0);
    });

    it("nat-cross-host is served by a VM without a host route on the client's hypervisor, so its traffic takes the NAT", () => {
        // dpservice SNATs only what its 0.0.0.0/0 route carries; vm1 is routed directly on
        // hypervisor-2 (the cross-host pair, the LB client), vm2 is not.
        const nat = planScenarios(config("lab")).find((p) => p.name === "nat-cross-host")!;
        assert.deepStrictEqual([nat.server, nat.client, nat.flows], ["vm2", "vm3", 1]);
        const twoVms = (v: Record<string, any>) => {
            v["vms"].splice(1, 1);
            v["benchmark"].scenarios = ["nat-cross-host"];
        };
        assert.throws(
            () => planScenarios(config("lab", twoVms)),
            /'nat-cross-host' does not apply to this stack: it needs a second VM on a hypervisor other than hypervisor-2 \(the first one is routed directly, which bypasses NAT\)/,
        );
    });

    it("lab in offload mode takes the hw thresholds", () => {
        const plans = planScenarios(config("lab", (v) => (v["dataplane"].dpservice.mode = "offload")));
        assert.deepStrictEqual(plans.filter((p) => p.kind === "throughput").map((p) => p.expectedGbps), [20, 20, 20, 20, 20, 12]);
    });

    it("every libvirt scenario shares a hypervisor with the previous one, so they form one chain", () => {
        const plans = planScenarios(config("lab"));
        // nat-cross-host serves from vm2 (see the NAT test below), so it also follows vm2's last use.
        assert.deepStrictEqual(plans.map((p) => p.after), [
            [], ["same-host-ipv4"], ["same-host-ipv6"], ["cross-host-ipv4"], ["same-host-ipv6", "cross-host-ipv6"], ["nat-cross-host", "cross-host-ipv6"], ["lb-cross-host"],
        ]);
    });

    it("dev (vxlan): no NAT or LB scenario, thresholds from expected.sw", () => {
        const plans = planScenarios(config("dev"));
        assert.deepStrictEqual(plans.map((p) => p.name), ["same-host-ipv4", "same-host-ipv6", "cross-host-ipv4", "cross-host-ipv6", "upload", "download", "latency"]);
        assert.deepStrictEqual(plans.map((p) => p.expectedGbps ?? null), [0.05, 0.05, 0.05, 0.05, 0.05, 0.05, null]);
        assert.ok(plans.every((p) => p.flows === (p.kind === "latency" ? 1 : 2) && p.seconds === 3 && p.omit === (p.kind === "latency" ? 0 : 1)));
        // upload and download use the cross-host pair; download reverses the direction (-R).
        const cross = plans.find((p) => p.name === "cross-host-ipv4")!;
        for (const name of ["upload", "download"]) {
            const p = plans.find((x) => x.name === name)!;
            assert.deepStrictEqual([p.server, p.client, p.reverse], [cross.server, cross.client, name === "download"]);
        }
    });

    it("azure: the netperf suite per pair; pairs are independent, a pair's scenarios are chained", () => {
        const plans = planScenarios(config("azure"));
        assert.deepStrictEqual(plans.map((p) => [p.name, p.server, p.client, p.reverse, p.kind, p.after.join(",")]), [
            ["ubuntu-2404-upload", "ubuntu-2404-server", "ubuntu-2404-client", false, "throughput", ""],
            ["windows-2022-upload", "windows-2022-server", "windows-2022-client", false, "throughput", ""],
            ["windows-prerelease-upload", "windows-prerelease-server", "windows-prerelease-client", false, "throughput", ""],
            ["ubuntu-2404-download", "ubuntu-2404-server", "ubuntu-2404-client", true, "throughput", "ubuntu-2404-upload"],
            ["windows-2022-download", "windows-2022-server", "windows-2022-client", true, "throughput", "windows-2022-upload"],
            ["windows-prerelease-download", "windows-prerelease-server", "windows-prerelease-client", true, "throughput", "windows-prerelease-upload"],
            // sockperf exists only for Linux: the Windows pairs have no latency scenario.
            ["ubuntu-2404-latency", "ubuntu-2404-server", "ubuntu-2404-client", false, "latency", "ubuntu-2404-download"],
        ]);
        assert.ok(plans.every((p) => p.pair === p.name.slice(0, -(p.scenario.length + 1)) && p.assignedFrom === null));
        assert.ok(plans.filter((p) => p.kind === "throughput").every((p) => p.expectedGbps === 10 && p.policy === "ci" && p.rounds === 5));
    });

    it("benchmark.scenarios selects by catalogue or instance name, in the order given", () => {
        const lab = planScenarios(config("lab", (v) => (v["benchmark"].scenarios = ["cross-host-ipv4", "same-host-ipv4", "download", "latency-udp"])));
        assert.deepStrictEqual(lab.map((p) => [p.name, p.after.join(",")]), [
            ["cross-host-ipv4", ""],
            ["same-host-ipv4", "cross-host-ipv4"],
            ["download", "same-host-ipv4,cross-host-ipv4"],
            ["latency-udp", "download"],
        ]);
        assert.strictEqual(lab[3]!.protocol, "udp");
        const az = planScenarios(config("azure", (v) => (v["benchmark"].scenarios = ["windows-2022-upload", "latency"])));
        assert.deepStrictEqual(az.map((p) => p.name), ["windows-2022-upload", "ubuntu-2404-latency"]);
    });

    it("azure: a reassigned pair keeps its scenario names and runs them on the pair it is assigned to", () => {
        const plans = planScenarios(
            config("azure", (v) => {
                v["azure"].pairs.push({ name: "windows-2022-b", os: "windows-2022" });
                v["assignments"] = { "windows-2022": "windows-2022-b" };
            }),
        );
        const of = (name: string) => plans.find((p) => p.name === name)!;
        assert.deepStrictEqual(
            ["windows-2022-upload", "windows-2022-download", "windows-2022-b-upload"].map((n) => [n, of(n).server, of(n).client, of(n).pair, of(n).assignedFrom]),
            [
                ["windows-2022-upload", "windows-2022-b-server", "windows-2022-b-client", "windows-2022-b", "windows-2022"],
                ["windows-2022-download", "windows-2022-b-server", "windows-2022-b-client", "windows-2022-b", "windows-2022"],
                ["windows-2022-b-upload", "windows-2022-b-server", "windows-2022-b-client", "windows-2022-b", null],
            ],
        );
        // Scenarios sharing the healthy pair run one after another, in catalogue order.
        assert.deepStrictEqual(of("windows-2022-b-upload").after, ["windows-2022-upload"]);
        assert.deepStrictEqual(of("windows-2022-download").after, ["windows-2022-b-upload"]);
    });

    it("azure: latency needs a Linux pair", () => {
        const windowsOnly = (v: Record<string, any>) => {
            v["azure"].pairs.splice(0, 1);
            v["benchmark"].scenarios = ["latency"];
        };
        assert.throws(() => planScenarios(config("azure", windowsOnly)), /'latency' does not apply to this stack: it needs a Linux pair \(sockperf does not exist for Windows\)/);
    });

    it("names every unknown or inapplicable scenario at once, with the reason or the known names", () => {
        const cfg = config("dev", (v) => (v["benchmark"].scenarios = ["nat-cross-host", "lb-cross-host", "same-host-ipv5", "latency"]));
        assert.throws(
            () => planScenarios(cfg),
            (e: unknown) => {
                assert.ok(e instanceof ScenarioSelectionError);
                assert.deepStrictEqual(e.problems, [
                    "'nat-cross-host' does not apply to this stack: it needs dataplane kind dpservice (is vxlan)",
                    "'lb-cross-host' does not apply to this stack: it needs dataplane kind dpservice (is vxlan)",
                    "unknown scenario 'same-host-ipv5'; known: same-host-ipv4, same-host-ipv6, cross-host-ipv4, cross-host-ipv6, nat-cross-host, lb-cross-host, upload, download, latency, latency-udp",
                ]);
                return true;
            },
        );
        assert.throws(() => planScenarios(config("azure", (v) => (v["benchmark"].scenarios = ["same-host-ipv4"]))), /'same-host-ipv4' does not apply to this stack: it is a libvirt scenario/);
    });

    it("skips IPv6 scenarios by default when a VM has no IPv6, and explains when they are asked for", () => {
        // Defaults apply without an explicit scenario list (the dev stack file has one).
        const noV6 = (v: Record<string, any>) => { delete v["vms"][2].overlay.ipv6; delete v["benchmark"].scenarios; };
        assert.deepStrictEqual(planScenarios(config("dev", noV6)).map((p) => p.name), ["same-host-ipv4", "same-host-ipv6", "cross-host-ipv4", "latency"]);
        assert.throws(
            () => planScenarios(config("dev", (v) => { noV6(v); v["benchmark"].scenarios = ["cross-host-ipv6"]; })),
            /'cross-host-ipv6' does not apply to this stack: it needs overlay\.ipv6 on vm3/,
        );
    });

    it("orders by what scenarios occupy: shared machines chain, disjoint ones run in parallel", () => {
        const p = (name: string, uses: string[]) => ({ name, uses }) as unknown as Omit<ScenarioPlan, "after">;
        assert.deepStrictEqual(
            orderScenarios([p("a", ["vm:1", "vm:2"]), p("b", ["vm:3", "vm:4"]), p("c", ["vm:2", "vm:3"]), p("d", ["vm:5"])]).map((x) => [x.name, x.after]),
            [["a", []], ["b", []], ["c", ["a", "b"]], ["d", []]],
        );
    });
});

// BenchmarkSuite under Pulumi mocks: scenarios that share machines are chained through explicit
// dependencies, independent pairs are not, and the results come out in the documented shape.
import * as assert from "assert";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import * as command from "@pulumi/command";
import { parseStackConfig } from "../../../config/index";
import { BenchmarkSuite, validateBenchmarkSuiteArgs } from "../../../benchmarks/benchmarkSuite";
import { BenchmarkEndpoint } from "../../../benchmarks/endpoint";
import { RESULTS_SCHEMA } from "../../../benchmarks/results";
import { azureEndpointKeys, planScenarios, ScenarioPlan } from "../../../benchmarks/scenarios";
import { stackValues } from "../../support/stackFiles";
import { freePort } from "./support/loopback";
import { MockHarness as MockRuntime, resolve, useMocks } from "../../support/mocks";

/** A private work directory, so parallel test runs on one machine never share pid files. */
const scratch = () => mkdtempSync(path.join(tmpdir(), "pairbench-work-"));

const CMD = "command:remote:Command";

function plans(stack: string, edit: (v: Record<string, any>) => void = () => {}): ScenarioPlan[] {
    const values = stackValues(stack);
    edit(values);
    return planScenarios(parseStackConfig(values, stack));
}

function endpoint(machine: string): BenchmarkEndpoint {
    return { machine, ssh: { host: "h", user: "root", privateKey: "K" }, testIpv4: "127.0.0.1", testIpv6: "::1", instance: `${machine}-uuid` };
}

const devEndpoints = { vm1: endpoint("vm1"), vm2: endpoint("vm2"), vm3: endpoint("vm3") };

describe("BenchmarkSuite (mocks, preview)", () => {
    let m: MockRuntime;
    before(async () => (m = await useMocks({ preview: true })));
    after(() => m.restore());
    beforeEach(() => m.reset());

    it("dev: one benchmark per scenario; each starts only after the previous one's last step", async () => {
        const suite = new BenchmarkSuite("bench", { scenarios: plans("dev"), endpoints: devEndpoints, runId: "run-1" });
        await m.settle(suite);
        assert.deepStrictEqual(
            m.records.filter((r) => r.type.startsWith("pairbench:")).map((r) => [r.type, r.name]),
            [
                ["pairbench:benchmarks:BenchmarkSuite", "bench"],
                ["pairbench:benchmarks:Iperf3Benchmark", "bench-same-host-ipv4"],
                ["pairbench:benchmarks:Iperf3Benchmark", "bench-same-host-ipv6"],
                ["pairbench:benchmarks:Iperf3Benchmark", "bench-cross-host-ipv4"],
                ["pairbench:benchmarks:Iperf3Benchmark", "bench-cross-host-ipv6"],
                ["pairbench:benchmarks:Iperf3Benchmark", "bench-upload"],
                ["pairbench:benchmarks:Iperf3Benchmark", "bench-download"],
                ["pairbench:benchmarks:SockperfLatency", "bench-latency"],
            ],
        );
        assert.strictEqual(m.ofType(CMD).length, 6 * 6 + 4, "3 rounds × (server + client) per throughput scenario; latency: server + 3 rounds");
        const first = (n: string) => m.find(CMD, n).dependsOn;
        assert.deepStrictEqual(first("bench-same-host-ipv4-server-0"), []);
        // Waiting for a benchmark means waiting for every one of its steps, the last round included.
        for (const [next, prev] of [
            ["bench-same-host-ipv6-server-0", "bench-same-host-ipv4"],
            ["bench-cross-host-ipv4-server-0", "bench-same-host-ipv6"],
            ["bench-cross-host-ipv6-server-0", "bench-cross-host-ipv4"],
            ["bench-upload-server-0", "bench-cross-host-ipv6"],
            ["bench-download-server-0", "bench-upload"],
            ["bench-latency-server", "bench-download"],
        ] as const) {
            assert.deepStrictEqual(first(next).sort(), [0, 1, 2].flatMap((r) => [`${prev}-client-${r}`, `${prev}-server-${r}`]).sort(), next);
        }
        assert.deepStrictEqual(m.find(CMD, "bench-cross-host-ipv4-client-2").inputs["triggers"], ["run-1", "vm1-uuid", "vm3-uuid"]);
        assert.match(m.find(CMD, "bench-cross-host-ipv6-client-0").inputs["create"], /iperf3 -c \\:\\:1 -p 5201 -J --get-server-output -6 -t 3 -O 1 /);
    });

    it("azure: pairs run in parallel, a pair's own scenarios in sequence", async () => {
        const scenarios = plans("azure", (v) => (v["benchmark"].scenarios = ["upload", "download"]));
        const endpoints = Object.fromEntries(
            ["ubuntu-2404", "windows-2022", "windows-prerelease"].flatMap((p) => Object.values(azureEndpointKeys(p)).map((k) => [k, endpoint(k)])),
        );
        const suite = new BenchmarkSuite("az", { scenarios, endpoints });
        await m.settle(suite);
        for (const pair of ["ubuntu-2404", "windows-2022", "windows-prerelease"]) {
            assert.deepStrictEqual(m.find(CMD, `az-${pair}-upload-server-0`).dependsOn, [], `${pair} upload waits for nothing`);
            const deps = m.find(CMD, `az-${pair}-download-server-0`).dependsOn;
            assert.ok(deps.length === 10 && deps.every((d) => d.startsWith(`az-${pair}-upload-`)), `${pair} download waits for its upload only: ${deps}`);
        }
    });

    it("passes the suite's dependsOn to every scenario and scenarioDependsOn to the one named", async () => {
        const dataplane = new command.remote.Command("dataplane", { connection: { host: "h" }, create: "true" });
        const nat = new command.remote.Command("nat-setup", { connection: { host: "h" }, create: "true" });
        const scenarios = plans("dev", (v) => (v["benchmark"].scenarios = ["same-host-ipv4", "cross-host-ipv4"]));
        const suite = new BenchmarkSuite("dep", { scenarios, endpoints: devEndpoints, scenarioDependsOn: { "cross-host-ipv4": [nat] } }, { dependsOn: [dataplane] });
        await m.settle(suite, dataplane, nat);
        assert.deepStrictEqual(m.find(CMD, "dep-same-host-ipv4-server-0").dependsOn, ["dataplane"]);
        const second = m.find(CMD, "dep-cross-host-ipv4-server-0").dependsOn;
        assert.ok(second.includes("dataplane") && second.includes("nat-setup") && second.includes("dep-same-host-ipv4-client-2"), String(second));
    });

    it("names every wiring problem at once", () => {
        const scenarios = plans("dev");
        assert.deepStrictEqual(validateBenchmarkSuiteArgs({ scenarios: scenarios.slice(1), endpoints: { vm1: endpoint("vm1") }, scenarioDependsOn: { nat: [] } }), [
            "scenario same-host-ipv6: no endpoint 'vm2' for its client; endpoints: vm1",
            "scenario same-host-ipv6: runs after 'same-host-ipv4', which is not an earlier scenario",
            "scenario cross-host-ipv4: no endpoint 'vm3' for its client; endpoints: vm1",
            "scenario cross-host-ipv6: no endpoint 'vm3' for its client; endpoints: vm1",
            "scenario upload: no endpoint 'vm3' for its client; endpoints: vm1",
            "scenario download: no endpoint 'vm3' for its client; endpoints: vm1",
            "scenario latency: no endpoint 'vm3' for its client; endpoints: vm1",
            "scenarioDependsOn: 'nat' is not a scenario of this suite",
        ]);
    });
});

describe("BenchmarkSuite (mocks, measured on loopback)", function () {
    this.timeout(60000);
    let m: MockRuntime;
    before(async () => (m = await useMocks()));
    after(() => m.restore());

    it("exports every scenario's result and the overall verdict in the documented shape", async () => {
        m.outputs((type, _name, inputs) => {
            if (type !== CMD) return {};
            const r = spawnSync("sh", ["-c", String(inputs["create"])], { encoding: "utf8", maxBuffer: 64 << 20 });
            return { stdout: r.stdout, stderr: r.stderr };
        });
        const [p1, p2] = [await freePort(), await freePort()];
        const scenarios = plans("dev", (v) => {
            v["benchmark"] = { ...v["benchmark"], scenarios: ["same-host-ipv4", "latency"], rounds: 2, seconds: 1, omit: 0, flows: 1 };
        }).map((p) => ({ ...p, basePort: p.kind === "latency" ? p1 : p2 }));
        const suite = new BenchmarkSuite("live", { scenarios, endpoints: devEndpoints, workDir: scratch(), runId: "run-9", context: { stack: "dev", dataplane: "vxlan" } });
        const results = await resolve(suite.results);
        await m.settle(suite);
        assert.strictEqual(results.schema, RESULTS_SCHEMA);
        assert.strictEqual(results.runId, "run-9");
        assert.deepStrictEqual(results.context, { stack: "dev", dataplane: "vxlan" });
        assert.deepStrictEqual(results.scenarios.map((s) => [s.name, s.kind, s.verdict]), [["same-host-ipv4", "throughput", "pass"], ["latency", "latency", "none"]]);
        assert.strictEqual(results.verdict, "pass");
        assert.deepStrictEqual(results.counts, { pass: 1, fail: 0, inconclusive: 0, none: 1 });
        const tput = results.scenarios[0]!;
        assert.ok(tput.kind === "throughput" && tput.expected === 0.05 && tput.rounds.length === 2 && tput.stats.mean > 0.05);
        assert.strictEqual(await resolve(suite.verdict), "pass");
        // The whole document is plain JSON (a stack output).
        assert.deepStrictEqual(JSON.parse(JSON.stringify(results)), results);
        spawnSync("sh", ["-c", m.find(CMD, "live-latency-server").inputs["delete"]]);
    });
});

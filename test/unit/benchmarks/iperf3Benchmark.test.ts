// Iperf3Benchmark under Pulumi mocks: exact children, the round chain, re-run triggers, and a
// real measurement where the mocked remote commands run the generated scripts on loopback.
import * as assert from "assert";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { iperf3ClientRound, iperf3ServerStart, iperf3ServerStop } from "../../../benchmarks/commands";
import { BenchmarkEndpoint } from "../../../benchmarks/endpoint";
import { parseIperf3 } from "../../../benchmarks/iperf3";
import { Iperf3Benchmark, Iperf3BenchmarkArgs, validateIperf3BenchmarkArgs } from "../../../benchmarks/iperf3Benchmark";
import { freePort } from "./support/loopback";
import { MockHarness as MockRuntime, resolve, useMocks } from "../../support/mocks";

/** A private work directory, so parallel test runs on one machine never share pid files. */
const scratch = () => mkdtempSync(path.join(tmpdir(), "pairbench-work-"));

const CMD = "command:remote:Command";
const TOKEN = "pairbench:benchmarks:Iperf3Benchmark";

function endpoint(machine: string, ip: string, instance?: string): BenchmarkEndpoint {
    return {
        machine,
        ssh: { host: "198.19.0.5", user: "root", privateKey: pulumi.secret("KEY"), proxy: { host: "198.18.0.11", user: "root", privateKey: pulumi.secret("KEY") } },
        testIpv4: ip,
        testIpv6: "::1",
        ...(instance !== undefined ? { instance } : {}),
    };
}

/** Runs a mocked remote command's create script with sh, as the remote host would. */
function runCreate(inputs: Record<string, any>): Record<string, any> {
    const r = spawnSync("sh", ["-c", String(inputs["create"])], { encoding: "utf8", maxBuffer: 64 << 20 });
    return { stdout: r.stdout, stderr: r.stderr };
}

const base: Iperf3BenchmarkArgs = { server: endpoint("vm1", "127.0.0.1"), client: endpoint("vm2", "127.0.0.1"), placement: "same-host" };

describe("Iperf3Benchmark (mocks)", function () {
    this.timeout(60000);
    let m: MockRuntime;
    before(async () => (m = await useMocks()));
    after(() => m.restore());
    beforeEach(() => m.reset());

    it("registers a server and a client step per round, as children, with the exact scripts", async () => {
        const b = new Iperf3Benchmark("tput", { ...base, rounds: 2, flows: 3, seconds: 5, omit: 1, mss: 1000 });
        await m.settle(b);
        assert.deepStrictEqual(
            m.records.map((r) => [r.type, r.name]),
            [[TOKEN, "tput"], [CMD, "tput-server-0"], [CMD, "tput-client-0"], [CMD, "tput-server-1"], [CMD, "tput-client-1"]],
        );
        for (const r of m.ofType(CMD)) assert.match(r.urn, /::pairbench:benchmarks:Iperf3Benchmark\$command:remote:Command::/);
        const spec = { dir: "/tmp/pairbench/tput-server-1", ports: [5201, 5202, 5203] };
        assert.strictEqual(m.find(CMD, "tput-server-1").inputs["create"], iperf3ServerStart(spec));
        assert.strictEqual(m.find(CMD, "tput-server-1").inputs["delete"], iperf3ServerStop(spec));
        assert.strictEqual(
            m.find(CMD, "tput-client-0").inputs["create"],
            iperf3ClientRound({ dir: "/tmp/pairbench/tput-client-0", target: "127.0.0.1", family: "ipv4", ports: [5201, 5202, 5203], streams: 1, seconds: 5, omit: 1, mss: 1000, reverse: false, protocol: "tcp" }),
        );
        // The connection (with its private key) reaches the provider as a secret, through the jump host.
        const connection = m.find(CMD, "tput-client-0").inputs["connection"];
        assert.strictEqual(connection["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "marked secret");
        assert.strictEqual(connection.value.proxy.host, "198.18.0.11");
        assert.strictEqual(m.find(CMD, "tput-client-0").inputs["logging"], "stderr");
    });

    it("chains the rounds: server-0 → client-0 → server-1 → client-1, each replaced delete-first", async () => {
        const b = new Iperf3Benchmark("chain", { ...base, rounds: 2 });
        await m.settle(b);
        assert.deepStrictEqual(m.find(CMD, "chain-server-0").dependsOn, []);
        assert.deepStrictEqual(m.find(CMD, "chain-client-0").dependsOn, ["chain-server-0"]);
        assert.deepStrictEqual(m.find(CMD, "chain-server-1").dependsOn, ["chain-client-0"]);
        assert.deepStrictEqual(m.find(CMD, "chain-client-1").dependsOn, ["chain-server-1"]);
        assert.ok(m.ofType(CMD).every((r) => r.deleteBeforeReplace));
    });

    it("gives its own dependsOn to the first step (children do not inherit it)", async () => {
        const setup = new command.remote.Command("dataplane-setup", { connection: { host: "h" }, create: "true" });
        const b = new Iperf3Benchmark("after", { ...base, rounds: 1 }, { dependsOn: [setup] });
        await m.settle(b, setup);
        assert.deepStrictEqual(m.find(CMD, "after-server-0").dependsOn, ["dataplane-setup"]);
    });

    it("re-runs on runId, either machine's instance and rerunOn; identical inputs otherwise (a no-op up)", async () => {
        const args = { ...base, server: endpoint("vm1", "127.0.0.1", "uuid-1"), client: endpoint("vm3", "127.0.0.1", "uuid-3"), rounds: 1, runId: "run-7", rerunOn: ["dp-1"] };
        const first = new Iperf3Benchmark("rerun", args);
        await m.settle(first);
        const before = m.ofType(CMD).map((r) => r.inputs);
        assert.deepStrictEqual(before[0]!["triggers"], ["run-7", "uuid-1", "uuid-3", "dp-1"]);
        assert.deepStrictEqual(before[1]!["triggers"], ["run-7", "uuid-1", "uuid-3", "dp-1"]);

        const again = (over: Partial<Iperf3BenchmarkArgs>) => {
            m.reset();
            const b = new Iperf3Benchmark("rerun", { ...args, ...over });
            return m.settle(b).then(() => m.ofType(CMD).map((r) => r.inputs));
        };
        // Same config → byte-identical inputs: the engine sees no diff and runs nothing.
        assert.deepStrictEqual(await again({}), before);
        // Anything in the triggers differs → every step of the benchmark is replaced (runs again).
        for (const over of [{ runId: "run-8" }, { server: endpoint("vm1", "127.0.0.1", "uuid-1b") }, { rerunOn: ["dp-2"] }]) {
            const after = await again(over);
            assert.ok(after.every((inputs, i) => JSON.stringify(inputs["triggers"]) !== JSON.stringify(before[i]!["triggers"])), JSON.stringify(over));
        }
    });

    it("validates every argument at once, before creating any child", async () => {
        const bad = { ...base, flows: 0, rounds: 101, omit: -1, protocol: "udp" as const, mss: 1000, server: { ...endpoint("VM 1", "127.0.0.1"), testIpv4: undefined } };
        assert.deepStrictEqual(validateIperf3BenchmarkArgs("x", bad), [
            "`server.machine` must match [a-z0-9][a-z0-9-]* (got 'VM 1')",
            "`flows` must be a whole number 1..128 (got 0)",
            "`rounds` must be a whole number 1..100 (got 101)",
            "`omit` must be a whole number of seconds ≥ 0 (got -1)",
            "`udpBitsPerSecond` is required with protocol udp (iperf3's default of 1 Mbit/s measures nothing)",
            "`mss` is a TCP setting; remove it for protocol udp",
            "server VM 1 has no testIpv4 address; set it or `target`",
        ]);
        assert.throws(() => new Iperf3Benchmark("bad", bad), /Iperf3Benchmark bad: `server\.machine` must match/);
        await new Promise((r) => setTimeout(r, 50));
        assert.strictEqual(m.ofType(CMD).length, 0);
    });

    it("measures for real: the steps' scripts run on loopback and the result holds their figures", async () => {
        m.outputs((type, _name, inputs) => (type === CMD ? runCreate(inputs) : {}));
        const basePort = await freePort();
        const b = new Iperf3Benchmark("real", { ...base, workDir: scratch(), rounds: 2, flows: 2, seconds: 1, omit: 1, basePort, expectedGbps: 0.001, scenario: { name: "same-host-ipv4", suite: "dpservice", thresholdClass: "local_vm2vm" } });
        const result = await resolve(b.result);
        await m.settle(b);
        const stdouts = [0, 1].map((r) => runCreateOutput(m, `real-client-${r}`));
        assert.strictEqual(result.rounds.length, 2);
        result.rounds.forEach((round, r) => {
            const docs = stdouts[r]!.split(/^=== pairbench flow \d+ port \d+ ===$/m).slice(1).map((t) => parseIperf3(t));
            // Sum of the flows' receiver bits/s, converted to Gbit/s once.
            assert.strictEqual(round.gbps, docs.reduce((s, d) => s + d.receiverBitsPerSecond, 0) / 1e9);
            assert.deepStrictEqual(round.flows.map((f) => f.port), [basePort, basePort + 1]);
            assert.strictEqual(round.intervalSide, "receiver");
        });
        assert.strictEqual(result.stats.n, 2);
        assert.strictEqual(result.stats.mean, (result.rounds[0]!.gbps + result.rounds[1]!.gbps) / 2);
        assert.strictEqual(result.verdict, "pass");
        assert.strictEqual(result.expected, 0.001);
        assert.strictEqual(result.name, "same-host-ipv4");
        assert.deepStrictEqual(
            { ...result.method, toolVersion: result.method.toolVersion.replace(/[\d.]+$/, "X") },
            {
                tool: "iperf3", toolVersion: "iperf X", protocol: "tcp", flows: 2, flowMode: "processes", seconds: 1, omit: 1, mss: null, reverse: false,
                family: "ipv4", udpBitsPerSecond: null, placement: "same-host", server: { machine: "vm1", address: "127.0.0.1" },
                client: { machine: "vm2", address: "127.0.0.1" }, target: "127.0.0.1", ports: [basePort, basePort + 1],
            },
        );
        assert.strictEqual(await resolve(b.verdict), "pass");
    });

    it("an iperf3 error document fails with iperf3's own message, naming round, flow and port", async () => {
        // The server step does nothing here, so the client's connection is refused.
        m.outputs((type, name, inputs) => (type === CMD && name.includes("-client-") ? runCreate(inputs) : {}));
        const basePort = await freePort();
        const b = new Iperf3Benchmark("refused", { ...base, workDir: scratch(), rounds: 1, seconds: 1, omit: 0, basePort });
        await assert.rejects(resolve(b.result), (e: Error) => {
            assert.match(e.message, new RegExp(`refused round 0 flow 0 \\(port ${basePort}\\): iperf3: unable to connect to server: Connection refused`));
            return true;
        });
    });
});

describe("Iperf3Benchmark (mocks, preview)", () => {
    let m: MockRuntime;
    before(async () => (m = await useMocks({ preview: true })));
    after(() => m.restore());

    it("registers the same steps while the measurements are still unknown", async () => {
        const b = new Iperf3Benchmark("pv", { ...base, rounds: 1 });
        await m.settle(b);
        assert.deepStrictEqual(m.ofType(CMD).map((r) => r.name), ["pv-server-0", "pv-client-0"]);
        assert.strictEqual(await (b.result as any).isKnown, false);
    });
});

/** The stdout the mocked step produced. */
function runCreateOutput(m: MockRuntime, name: string): string {
    const out = m.find(CMD, name).outputs["stdout"];
    if (typeof out !== "string") throw new Error(`no stdout recorded for ${name}`);
    return out;
}

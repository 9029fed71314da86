// SockperfLatency under Pulumi mocks: one server step, chained client rounds, and a real
// measurement where the mocked remote commands run the generated scripts on loopback.
import * as assert from "assert";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { sockperfServerStart, sockperfServerStop } from "../../../benchmarks/commands";
import { parseSockperf } from "../../../benchmarks/sockperf";
import { SockperfLatency, validateSockperfLatencyArgs } from "../../../benchmarks/sockperfLatency";
import { freePort } from "./support/loopback";
import { MockHarness as MockRuntime, resolve, useMocks } from "../../support/mocks";

/** A private work directory, so parallel test runs on one machine never share pid files. */
const scratch = () => mkdtempSync(path.join(tmpdir(), "pairbench-work-"));

const CMD = "command:remote:Command";
const endpoint = (machine: string, ip?: string) => ({ machine, ssh: { host: "h", user: "root", privateKey: "K" }, ...(ip ? { testIpv4: ip } : {}) });

describe("SockperfLatency (mocks)", function () {
    this.timeout(60000);
    let m: MockRuntime;
    before(async () => (m = await useMocks()));
    after(() => m.restore());
    beforeEach(() => m.reset());

    it("starts one server, then runs the rounds one after another", async () => {
        const l = new SockperfLatency("lat", { server: endpoint("vm1", "198.19.66.5"), client: endpoint("vm3", "198.19.66.9"), placement: "cross-host", rounds: 3, seconds: 5, runId: "r1" });
        await m.settle(l);
        assert.deepStrictEqual(
            m.records.map((r) => [r.name, r.dependsOn.join(",")]),
            [["lat", ""], ["lat-server", ""], ["lat-client-0", "lat-server"], ["lat-client-1", "lat-client-0"], ["lat-client-2", "lat-client-1"]],
        );
        // The server stops by itself after rounds × (5 s + 30 s slack + 30 s) + 120 s, should delete never run.
        const spec = { dir: "/tmp/pairbench/lat-server", port: 11111, protocol: "tcp" as const, lifetimeSeconds: 3 * 65 + 120 };
        assert.strictEqual(m.find(CMD, "lat-server").inputs["create"], sockperfServerStart(spec));
        assert.strictEqual(m.find(CMD, "lat-server").inputs["delete"], sockperfServerStop(spec));
        assert.match(m.find(CMD, "lat-client-1").inputs["create"], /sockperf ping-pong --tcp -i 198\.19\.66\.5 -p 11111 -t 5 -m 64 --full-rtt/);
        assert.deepStrictEqual(m.find(CMD, "lat-client-1").inputs["triggers"], ["r1", "", ""]);
    });

    it("rejects IPv6-only servers (sockperf 3.7 cannot use IPv6) with the other problems", () => {
        assert.deepStrictEqual(validateSockperfLatencyArgs("lat", { server: endpoint("vm1"), client: endpoint("vm3"), placement: "cross-host", messageSize: 8, port: 0 }), [
            "`port` must be 1..65535 (got 0)",
            "`messageSize` must be 14..65000 bytes (got 8)",
            "server vm1 has no testIpv4 address; set it or `target` (sockperf 3.7 cannot use IPv6)",
        ]);
    });

    for (const protocol of ["tcp", "udp"] as const) {
        it(`measures for real over ${protocol}: percentiles per round and statistics over rounds`, async () => {
            m.outputs((type, _name, inputs) => {
                if (type !== CMD) return {};
                const r = spawnSync("sh", ["-c", String(inputs["create"])], { encoding: "utf8" });
                return { stdout: r.stdout, stderr: r.stderr };
            });
            const port = await freePort();
            const l = new SockperfLatency(`real-${protocol}`, {
                server: endpoint("vm1", "127.0.0.1"), client: endpoint("vm2", "127.0.0.1"), placement: "same-host", protocol, port, rounds: 2, seconds: 1, workDir: scratch(),
                scenario: { name: "latency", suite: "netperf" },
            });
            const result = await resolve(l.result);
            await m.settle(l);
            const printed = [0, 1].map((r) => parseSockperf(m.find(CMD, `real-${protocol}-client-${r}`).outputs["stdout"]));
            assert.deepStrictEqual(result.rounds.map((r) => r.p99Us), printed.map((p) => p.p99Us));
            assert.deepStrictEqual(result.rounds.map((r) => r.p999Us), printed.map((p) => p.p999Us));
            assert.strictEqual(result.stats.p50Us.mean, (printed[0]!.p50Us + printed[1]!.p50Us) / 2);
            assert.strictEqual(result.verdict, "none");
            assert.strictEqual(result.unit, "us");
            assert.strictEqual(result.method.metric, "rtt");
            assert.strictEqual(result.method.protocol, protocol);
            assert.strictEqual(await resolve(l.p50Us), result.stats.p50Us.mean);
            // Delete the way the engine would: the server step's delete stops the background server.
            const stop = spawnSync("sh", ["-c", m.find(CMD, `real-${protocol}-server`).inputs["delete"]], { encoding: "utf8" });
            assert.strictEqual(stop.status, 0, stop.stderr);
        });
    }
});

// The generated remote scripts, run for real with /bin/sh against loopback: they start the
// servers, wait until they listen, run the clients, report failures and clean up.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import {
    iperf3ClientArgv, iperf3ClientRound, iperf3ServerStart, iperf3ServerStop, procPort, sockperfClientRound, sockperfServerStart,
    sockperfServerStop, splitFlows,
} from "../../../benchmarks/commands";
import { parseIperf3 } from "../../../benchmarks/iperf3";
import { parseSockperf } from "../../../benchmarks/sockperf";
import { freePort } from "./support/loopback";

function sh(script: string, env: NodeJS.ProcessEnv = process.env) {
    const r = spawnSync("sh", ["-c", script], { encoding: "utf8", env, maxBuffer: 64 << 20 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A process that exists and is not a zombie (PID 1 here may reap late). */
function running(pid: string): boolean {
    try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return false;
    }
}

async function gone(pid: string): Promise<boolean> {
    for (let i = 0; i < 50 && running(pid); i++) await new Promise((r) => setTimeout(r, 100));
    return !running(pid);
}

const base = mkdtempSync(path.join(tmpdir(), "pairbench-cmd-"));

describe("remote command scripts (run with sh on loopback)", function () {
    this.timeout(60000);

    it("iperf3: servers start and listen, two concurrent flows run, documents come back in order", async () => {
        const ports = [await freePort(), await freePort()];
        const server = { dir: `${base}/s1`, ports };
        const started = sh(iperf3ServerStart(server));
        assert.strictEqual(started.status, 0, started.stderr);
        assert.match(started.stdout, new RegExp(`listening on ports ${ports.join(" ")}`));
        const client = sh(
            iperf3ClientRound({ dir: `${base}/c1`, target: "127.0.0.1", family: "ipv4", ports, streams: 1, seconds: 1, omit: 1, reverse: false, protocol: "tcp" }),
        );
        assert.strictEqual(client.status, 0, client.stderr);
        const flows = splitFlows(client.stdout);
        assert.deepStrictEqual(flows.map((f) => [f.index, f.port]), [[0, ports[0]], [1, ports[1]]]);
        for (const f of flows) {
            const r = parseIperf3(f.text);
            assert.ok(r.receiverBitsPerSecond > 0);
            assert.strictEqual(r.intervalSide, "receiver", "--get-server-output gives the receiver's intervals");
            assert.strictEqual(r.omitSeconds, 1);
        }
        assert.ok(!existsSync(`${base}/c1`), "the client step removes its files");
        // One-off servers are gone after their test; stopping is still safe and removes the directory.
        const stopped = sh(iperf3ServerStop(server));
        assert.strictEqual(stopped.status, 0, stopped.stderr);
        assert.ok(!existsSync(server.dir));
    });

    it("iperf3: stop kills servers that never got a client", async () => {
        const ports = [await freePort()];
        const server = { dir: `${base}/s2`, ports };
        assert.strictEqual(sh(iperf3ServerStart(server)).status, 0);
        const pid = sh(`cat ${server.dir}/iperf3-${ports[0]}.pid`).stdout.trim();
        assert.match(pid, /^\d+$/);
        assert.strictEqual(sh(iperf3ServerStop(server)).status, 0);
        assert.ok(await gone(pid), "the server process is gone");
    });

    it("iperf3: a refused connection fails the step with iperf3's message, and stdout still holds the document", async () => {
        const port = await freePort();
        const r = sh(iperf3ClientRound({ dir: `${base}/c3`, target: "127.0.0.1", family: "ipv4", ports: [port], streams: 1, seconds: 1, omit: 0, reverse: false, protocol: "tcp" }));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, new RegExp(`flow 0 \\(iperf3 client to 127.0.0.1 port ${port}\\) on .*:\\n.*unable to connect to server: Connection refused`));
        assert.throws(() => parseIperf3(splitFlows(r.stdout)[0]!.text), /Connection refused/);
    });

    it("a missing tool fails with exit 127 naming the tool and the host", () => {
        // A PATH with sh and coreutils but no iperf3.
        const bin = mkdtempSync(path.join(tmpdir(), "pairbench-bin-"));
        for (const tool of ["sh", "mkdir", "uname", "cat", "rm"]) symlinkSync(spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim(), path.join(bin, tool));
        const r = sh(iperf3ServerStart({ dir: `${base}/s4`, ports: [5201] }), { PATH: bin });
        assert.strictEqual(r.status, 127);
        assert.match(r.stderr, /^iperf3 is not installed on \S+/);
    });

    it("quotes the target: shell metacharacters reach iperf3 as one argument", () => {
        const evil = "$(touch /tmp/pairbench-pwned); `id`";
        const argv = iperf3ClientArgv({ dir: "/tmp/x", target: evil, family: "ipv4", ports: [1], streams: 4, seconds: 3, omit: 1, mss: 1000, reverse: true, protocol: "tcp" }, 5201);
        assert.deepStrictEqual(argv, ["iperf3", "-c", evil, "-p", 5201, "-J", "--get-server-output", "-4", "-t", 3, "-O", 1, "-P", 4, "-M", 1000, "-R"]);
        const script = iperf3ClientRound({ dir: `${base}/c5`, target: evil, family: "ipv4", ports: [5201], streams: 1, seconds: 1, omit: 0, reverse: false, protocol: "tcp" });
        sh(script);
        assert.ok(!existsSync("/tmp/pairbench-pwned"));
        assert.throws(() => iperf3ServerStart({ dir: "/tmp/a b", ports: [1] }), /absolute path/);
        assert.throws(() => iperf3ClientArgv({ dir: "/tmp/x", target: "h", family: "ipv6", ports: [1], streams: 1, seconds: 1, omit: 0, reverse: false, protocol: "udp" }, 1), /bit rate/);
    });

    it("procPort is the /proc/net notation", () => {
        assert.strictEqual(procPort(5201), ":1451");
        assert.strictEqual(procPort(80), ":0050");
        assert.throws(() => procPort(0), /1\.\.65535/);
    });

    for (const protocol of ["tcp", "udp"] as const) {
        it(`sockperf ${protocol}: the server starts in the background and listens; a round parses; stop kills it`, async () => {
            const port = await freePort();
            const server = { dir: `${base}/sp-${protocol}`, port, protocol, lifetimeSeconds: 30 };
            const started = sh(sockperfServerStart(server));
            assert.strictEqual(started.status, 0, started.stderr);
            const round = sh(sockperfClientRound({ target: "127.0.0.1", port, protocol, seconds: 1, messageSize: 64 }));
            assert.strictEqual(round.status, 0, round.stderr);
            const r = parseSockperf(round.stdout);
            assert.strictEqual(r.protocol, protocol);
            assert.strictEqual(r.metric, "rtt");
            const pid = sh(`cat ${server.dir}/sockperf.pid`).stdout.trim();
            assert.strictEqual(sh(sockperfServerStop(server)).status, 0);
            assert.ok(await gone(pid), "the server process is gone");
        });
    }

    it("sockperf: a round without an answer fails with sockperf's own message", async () => {
        const port = await freePort();
        const r = sh(sockperfClientRound({ target: "127.0.0.1", port, protocol: "tcp", seconds: 1, messageSize: 64 }));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /sockperf ping-pong to 127\.0\.0\.1 tcp port \d+ failed on \S+:\n[\s\S]*Connection refused/);
    });
});

// `pairbench summarize` as a user runs it (node bin/pairbench.js), on documents of real iperf3
// runs made on loopback during the test.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { iperf3OnLoopback } from "./support/loopback";

const BIN = path.resolve(__dirname, "..", "..", "..", "bin", "pairbench.js");

function pairbench(...args: string[]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmpdir() });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("pairbench summarize (CLI, real iperf3 documents)", function () {
    this.timeout(60000);
    const dir = mkdtempSync(path.join(tmpdir(), "pairbench-summarize-"));
    const file = (name: string, text: string) => {
        const f = path.join(dir, name);
        writeFileSync(f, text);
        return f;
    };
    let tcp: string[], udp: string, refused: string;

    before(async () => {
        tcp = [];
        for (const [i, args] of [["-t", "1"], ["-t", "1", "-P", "2"], ["-t", "1", "-R"]].entries()) {
            tcp.push(file(`tcp-${i}.json`, (await iperf3OnLoopback(args)).stdout));
        }
        udp = file("udp.json", (await iperf3OnLoopback(["-t", "1", "-u", "-b", "300M"])).stdout);
        refused = file("refused.json", (await iperf3OnLoopback(["-t", "1"], { server: false })).stdout);
    });

    it("prints exactly the receiver-side figures and their statistics", () => {
        const r = pairbench("summarize", ...tcp);
        assert.strictEqual(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        const docs = tcp.map((f) => JSON.parse(readFileSync(f, "utf8")));
        const gbps = docs.map((d) => d.end.sum_received.bits_per_second / 1e9);
        assert.deepStrictEqual(out.rounds, tcp.map((f, i) => ({ file: f, gbps: gbps[i], retransmits: docs[i].end.sum_sent.retransmits })));
        const mean = gbps.reduce((s, g) => s + g, 0) / 3;
        assert.ok(Math.abs(out.meanGbps - mean) < 1e-12);
        assert.strictEqual(out.medianGbps, [...gbps].sort((a, b) => a - b)[1]);
        const sd = Math.sqrt(gbps.reduce((s, g) => s + (g - mean) ** 2, 0) / 2);
        assert.ok(Math.abs(out.stddevGbps - sd) < 1e-12);
        const half = 4.302652729749462 * (sd / Math.sqrt(3)); // t(0.975, 2)
        assert.ok(Math.abs(out.ci95Gbps[0] - (mean - half)) < 1e-9 && Math.abs(out.ci95Gbps[1] - (mean + half)) < 1e-9);
        assert.deepStrictEqual(Object.keys(out), ["rounds", "meanGbps", "medianGbps", "stddevGbps", "ci95Gbps"]);
    });

    it("UDP: receiver rate with loss and jitter; one round has no interval (null)", () => {
        const r = pairbench("summarize", udp);
        assert.strictEqual(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout);
        const doc = JSON.parse(readFileSync(udp, "utf8"));
        assert.deepStrictEqual(out.rounds, [{ file: udp, gbps: doc.end.sum_received.bits_per_second / 1e9, lossPercent: doc.end.sum.lost_percent, jitterMs: doc.end.sum.jitter_ms }]);
        assert.strictEqual(out.stddevGbps, 0);
        assert.strictEqual(out.ci95Gbps, null);
    });

    it("an iperf3 error document exits 1 with iperf3's own message", () => {
        const r = pairbench("summarize", tcp[0]!, refused);
        assert.strictEqual(r.status, 1);
        assert.strictEqual(r.stdout, "");
        assert.strictEqual(r.stderr, `error: ${refused}: iperf3: unable to connect to server: Connection refused\n`);
    });

    it("unreadable and non-JSON files exit 1 naming each file", () => {
        const text = file("notes.txt", "iperf3: error - unable to connect to server\n");
        const r = pairbench("summarize", path.join(dir, "missing.json"), text);
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, new RegExp(`^error: ${path.join(dir, "missing.json")}: cannot read it: ENOENT\n${text}: not iperf3 -J output`));
    });

    it("without files it is a usage error (exit 2)", () => {
        const r = pairbench("summarize");
        assert.strictEqual(r.status, 2);
        assert.match(r.stderr, /missing required argument 'file'/);
    });
});

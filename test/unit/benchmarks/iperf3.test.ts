// The iperf3 parser against documents of real iperf3 runs made on loopback during the test.
import * as assert from "assert";
import { combineFlows, Iperf3Error, Iperf3FormatError, parseIperf3, toGbps } from "../../../benchmarks/iperf3";
import { iperf3OnLoopback, ToolRun } from "./support/loopback";

const raw = (run: ToolRun) => JSON.parse(run.stdout);

describe("iperf3 -J parsing (real iperf3 on loopback)", function () {
    this.timeout(60000);
    let tcp: ToolRun, parallel: ToolRun, reverse: ToolRun, udp: ToolRun, udpLossy: ToolRun, refused: ToolRun;

    before(async () => {
        // Sequential: the machine has 2 cores and the numbers should not disturb each other.
        tcp = await iperf3OnLoopback(["-t", "1", "--get-server-output"]);
        parallel = await iperf3OnLoopback(["-t", "2", "-O", "1", "-P", "2"]);
        reverse = await iperf3OnLoopback(["-t", "1", "-R", "-P", "2"]);
        udp = await iperf3OnLoopback(["-t", "1", "-u", "-b", "200M", "--get-server-output"]);
        udpLossy = await iperf3OnLoopback(["-t", "1", "-u", "-b", "0", "-l", "1400"]);
        refused = await iperf3OnLoopback(["-t", "1"], { server: false });
    });

    it("TCP: reports end.sum_received (receiver side), the sender rate apart, and retransmits", () => {
        const r = parseIperf3(tcp.stdout);
        const doc = raw(tcp);
        assert.strictEqual(r.receiverBitsPerSecond, doc.end.sum_received.bits_per_second, tcp.command);
        assert.strictEqual(r.senderBitsPerSecond, doc.end.sum_sent.bits_per_second);
        assert.strictEqual(r.retransmits, doc.end.sum_sent.retransmits);
        assert.strictEqual(r.protocol, "tcp");
        assert.strictEqual(r.reverse, false);
        assert.strictEqual(r.streams, 1);
        assert.match(r.version, /^iperf 3\.\d+/);
        assert.ok(r.receiverBitsPerSecond > 0);
        assert.strictEqual(toGbps(r.receiverBitsPerSecond), doc.end.sum_received.bits_per_second / 1e9);
        assert.strictEqual(r.lossPercent, undefined);
    });

    it("TCP: takes the per-interval series from the receiver (the server's document) when available", () => {
        const r = parseIperf3(tcp.stdout);
        const doc = raw(tcp);
        assert.strictEqual(r.intervalSide, "receiver");
        assert.deepStrictEqual(
            r.intervals.map((i) => i.bitsPerSecond),
            doc.server_output_json.intervals.map((i: { sum: { bits_per_second: number } }) => i.sum.bits_per_second),
        );
        // Without --get-server-output only the client's (sender's) intervals exist, and say so.
        const p = parseIperf3(parallel.stdout);
        assert.strictEqual(p.intervalSide, "sender");
    });

    it("-P: sums the streams (iperf3's own sum), and marks the --omit ramp-up intervals", () => {
        const r = parseIperf3(parallel.stdout);
        const doc = raw(parallel);
        assert.strictEqual(r.streams, 2);
        assert.strictEqual(doc.end.streams.length, 2);
        assert.strictEqual(r.receiverBitsPerSecond, doc.end.sum_received.bits_per_second, parallel.command);
        assert.strictEqual(r.omitSeconds, 1);
        assert.strictEqual(r.intervals[0]?.omitted, true, "first interval is inside --omit");
        assert.ok(r.intervals.slice(1).every((i) => !i.omitted));
        assert.strictEqual(r.intervals.filter((i) => !i.omitted).length, 2);
    });

    it("-R: the client is the receiver; its own intervals are the receiver's", () => {
        const r = parseIperf3(reverse.stdout);
        const doc = raw(reverse);
        assert.strictEqual(r.reverse, true);
        assert.strictEqual(r.receiverBitsPerSecond, doc.end.sum_received.bits_per_second, reverse.command);
        assert.strictEqual(r.intervalSide, "receiver");
        assert.ok(doc.intervals.every((i: { sum: { sender: boolean } }) => i.sum.sender === false));
        assert.strictEqual(r.retransmits, doc.end.sum_sent.retransmits);
    });

    it("UDP: receiver rate from end.sum_received, loss and jitter from end.sum", () => {
        const r = parseIperf3(udp.stdout);
        const doc = raw(udp);
        assert.strictEqual(r.protocol, "udp");
        assert.strictEqual(r.receiverBitsPerSecond, doc.end.sum_received.bits_per_second, udp.command);
        assert.strictEqual(r.lossPercent, doc.end.sum.lost_percent);
        assert.strictEqual(r.jitterMs, doc.end.sum.jitter_ms);
        assert.strictEqual(r.packets, doc.end.sum.packets);
        assert.strictEqual(r.retransmits, undefined);
        assert.strictEqual(r.intervalSide, "receiver");
    });

    it("UDP with loss: end.sum's rate is the sender's, so it is not what is reported", () => {
        const r = parseIperf3(udpLossy.stdout);
        const doc = raw(udpLossy);
        assert.strictEqual(r.receiverBitsPerSecond, doc.end.sum_received.bits_per_second, udpLossy.command);
        if (doc.end.sum.lost_packets > 0) {
            assert.ok(doc.end.sum.bits_per_second > r.receiverBitsPerSecond, "sender rate exceeds what arrived");
            assert.ok(r.lossPercent! > 0);
        }
    });

    it("an error document becomes an Iperf3Error carrying iperf3's own message", () => {
        const doc = raw(refused);
        assert.strictEqual(typeof doc.error, "string", refused.command);
        assert.throws(
            () => parseIperf3(refused.stdout),
            (e: unknown) => e instanceof Iperf3Error && e.iperf3Message === doc.error && /Connection refused/.test(e.message),
        );
    });

    it("rejects text that is not an iperf3 document, saying why", () => {
        assert.throws(() => parseIperf3(""), (e: unknown) => e instanceof Iperf3FormatError && /printed nothing/.test(e.message));
        assert.throws(() => parseIperf3("iperf3: error - unable to connect"), /not iperf3 -J output/);
        assert.throws(() => parseIperf3("{}"), /needs the keys start and end/);
        const doc = raw(udp);
        delete doc.end.sum_received;
        assert.throws(() => parseIperf3(JSON.stringify(doc)), /before 3\.11.*sender's/);
    });

    it("combines concurrent flows: receiver sums, retransmit sums, loss over all datagrams", () => {
        const a = parseIperf3(tcp.stdout);
        const b = parseIperf3(parallel.stdout);
        const round = combineFlows([a, b]);
        assert.strictEqual(round.bitsPerSecond, a.receiverBitsPerSecond + b.receiverBitsPerSecond);
        assert.strictEqual(round.retransmits, (a.retransmits ?? NaN) + (b.retransmits ?? NaN));
        assert.strictEqual(round.intervals.length, Math.min(a.intervals.length, b.intervals.length));
        assert.strictEqual(round.intervalSide, "sender", "one flow only had sender-side intervals");
        const u1 = parseIperf3(udp.stdout);
        const u2 = parseIperf3(udpLossy.stdout);
        const udpRound = combineFlows([u1, u2]);
        const expectedLoss = (100 * (u1.lostPackets! + u2.lostPackets!)) / (u1.packets! + u2.packets!);
        assert.strictEqual(udpRound.lossPercent, expectedLoss);
        assert.strictEqual(udpRound.jitterMs, (u1.jitterMs! + u2.jitterMs!) / 2);
        assert.throws(() => combineFlows([]), /at least one/);
    });
});

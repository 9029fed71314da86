// The sockperf parser against output of real sockperf 3.7 runs made on loopback during the test.
import * as assert from "assert";
import { parseSockperf, percentileLabel, SockperfError } from "../../../benchmarks/sockperf";
import { sockperfOnLoopback, ToolRun } from "./support/loopback";

/** The number sockperf printed on the line matching `re`, read independently of the parser. */
function printed(run: ToolRun, re: RegExp): number {
    // eslint-disable-next-line no-control-regex
    const m = re.exec(run.stdout.replace(/\x1b\[[0-9;]*m/g, ""));
    assert.ok(m, `${re} not found in the output of ${run.command}`);
    return Number(m[1]);
}

describe("sockperf ping-pong parsing (real sockperf on loopback)", function () {
    this.timeout(60000);
    let tcp: ToolRun, udp: ToolRun, halfRtt: ToolRun, refused: ToolRun, silent: ToolRun, ipv6: ToolRun;

    before(async () => {
        tcp = await sockperfOnLoopback("tcp", ["-t", "1", "-m", "64", "--full-rtt"]);
        udp = await sockperfOnLoopback("udp", ["-t", "1", "-m", "64", "--full-rtt"]);
        halfRtt = await sockperfOnLoopback("tcp", ["-t", "1"]);
        refused = await sockperfOnLoopback("tcp", ["-t", "1", "--full-rtt"], { server: false });
        silent = await sockperfOnLoopback("udp", ["-t", "1", "--full-rtt"], { server: false });
        ipv6 = await sockperfOnLoopback("tcp", ["-t", "1"], { server: false, host: "::1" });
    });

    it("TCP --full-rtt: mean, p50/p90/p99/p99.9, min/max and counts in µs as sockperf printed them", () => {
        const r = parseSockperf(tcp.stdout);
        assert.strictEqual(r.metric, "rtt", tcp.command);
        assert.strictEqual(r.protocol, "tcp");
        assert.strictEqual(r.meanUs, printed(tcp, /avg-rtt=([0-9.]+)/));
        assert.strictEqual(r.stddevUs, printed(tcp, /std-dev=([0-9.]+)/));
        assert.strictEqual(r.p50Us, printed(tcp, /percentile 50\.000 =\s*([0-9.]+)/));
        assert.strictEqual(r.p90Us, printed(tcp, /percentile 90\.000 =\s*([0-9.]+)/));
        assert.strictEqual(r.p99Us, printed(tcp, /percentile 99\.000 =\s*([0-9.]+)/));
        assert.strictEqual(r.p999Us, printed(tcp, /percentile 99\.900 =\s*([0-9.]+)/));
        assert.strictEqual(r.minUs, printed(tcp, /<MIN> observation =\s*([0-9.]+)/));
        assert.strictEqual(r.maxUs, printed(tcp, /<MAX> observation =\s*([0-9.]+)/));
        assert.strictEqual(r.observations, printed(tcp, /Total (\d+) observations/));
        assert.ok(r.minUs <= r.p50Us && r.p50Us <= r.p90Us && r.p90Us <= r.p99Us && r.p99Us <= r.p999Us && r.p999Us <= r.maxUs);
        assert.deepStrictEqual(Object.keys(r.percentilesUs).sort(), ["p25", "p50", "p75", "p90", "p99", "p99.9", "p99.99", "p99.999"]);
        assert.match(r.version, /^3\.\d+/);
        assert.ok(r.validSeconds! > 0);
    });

    it("UDP ping-pong parses the same way", () => {
        const r = parseSockperf(udp.stdout);
        assert.strictEqual(r.protocol, "udp", udp.command);
        assert.strictEqual(r.metric, "rtt");
        assert.strictEqual(r.p99Us, printed(udp, /percentile 99\.000 =\s*([0-9.]+)/));
        assert.strictEqual(r.droppedMessages, printed(udp, /# dropped messages = (\d+)/));
    });

    it("without --full-rtt sockperf reports half the round trip, and the parser says so", () => {
        const r = parseSockperf(halfRtt.stdout);
        assert.strictEqual(r.metric, "latency", halfRtt.command);
        assert.strictEqual(r.meanUs, printed(halfRtt, /avg-latency=([0-9.]+)/));
    });

    it("failures exit 0 in sockperf 3.7; the text becomes a SockperfError with sockperf's words", () => {
        assert.throws(() => parseSockperf(refused.stdout), (e: unknown) => e instanceof SockperfError && /Connection refused/.test(e.message));
        assert.throws(() => parseSockperf(silent.stdout), (e: unknown) => e instanceof SockperfError && /No messages were received/.test(e.message));
        // sockperf 3.7 has no IPv6: latency scenarios are IPv4 only.
        assert.throws(() => parseSockperf(ipv6.stdout), (e: unknown) => e instanceof SockperfError && /Invalid address: ::1/.test(e.message));
        assert.throws(() => parseSockperf(""), /no average .*\(no output\)/);
    });

    it("labels percentiles p50 … p99.999 and rejects values outside 0..100", () => {
        assert.strictEqual(percentileLabel("50.000"), "p50");
        assert.strictEqual(percentileLabel("99.900"), "p99.9");
        assert.strictEqual(percentileLabel("99.999"), "p99.999");
        assert.throws(() => percentileLabel("100.5"), /outside 0\.\.100/);
    });
});

// Results documents for report and CLI tests, built by the real builders (throughputResult,
// latencyResult, buildResults) from synthetic per-round figures, so they have exactly the
// shape a stack exports: per-interval series, per-round percentiles, statistics, verdicts.
import type { Iperf3Result } from "../../benchmarks/iperf3";
import { buildResults, latencyResult, Results, ThroughputMethod, throughputResult } from "../../benchmarks/results";
import type { SockperfResult } from "../../benchmarks/sockperf";

export interface ThroughputSpec {
    readonly name: string;
    /** Receiver-side Gbit/s per round (one flow each). */
    readonly gbps: readonly number[];
    readonly expected?: number;
    readonly policy?: "mean" | "ci";
    readonly placement?: "same-host" | "cross-host";
}

const method = (placement: "same-host" | "cross-host"): Omit<ThroughputMethod, "toolVersion"> => ({
    tool: "iperf3", protocol: "tcp", flows: 1, flowMode: "processes", seconds: 4, omit: 1, mss: null, reverse: false, family: "ipv4",
    udpBitsPerSecond: null, placement, server: { machine: "vm1", address: "198.19.66.5" },
    client: { machine: placement === "same-host" ? "vm2" : "vm3", address: placement === "same-host" ? "198.19.66.6" : "198.19.66.9" },
    target: "198.19.66.5", ports: [5201],
});

/** One iperf3 round at `gbps`: an omitted ramp-up second, then four one-second intervals around it. */
function iperf3Round(gbps: number, round: number): Iperf3Result {
    const wobble = [0.96, 1.03, 0.99, 1.02];
    return {
        version: "iperf 3.12", protocol: "tcp", reverse: false, streams: 1, durationSeconds: 4, omitSeconds: 1,
        receiverBitsPerSecond: gbps * 1e9, senderBitsPerSecond: gbps * 1.01e9, retransmits: round,
        intervals: [
            { start: 0, end: 1, bitsPerSecond: gbps * 0.5e9, omitted: true },
            ...wobble.map((w, i) => ({ start: i, end: i + 1, bitsPerSecond: gbps * w * 1e9, omitted: false })),
        ],
        intervalSide: "receiver", timestamp: 1_795_000_000 + round * 10,
    };
}

function sockperfRound(scale: number): SockperfResult {
    const p = { p25: 80, p50: 95, p75: 105, p90: 121, p99: 560, "p99.9": 2300, "p99.99": 5200, "p99.999": 5250 };
    const percentilesUs = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v * scale]));
    return {
        version: "3.7-no.git", metric: "rtt", protocol: "tcp", meanUs: 112 * scale, stddevUs: 170, observations: 4800, minUs: 14, maxUs: 5256 * scale,
        percentilesUs, p50Us: 95 * scale, p90Us: 121 * scale, p99Us: 560 * scale, p999Us: 2300 * scale,
        droppedMessages: 0, duplicatedMessages: 0, outOfOrderMessages: 0,
    };
}

/** A results document with the given throughput scenarios and, unless `latency: false`, a latency scenario. */
export function syntheticResults(opts: {
    readonly runId?: string;
    readonly context?: Record<string, string>;
    readonly throughput: readonly ThroughputSpec[];
    readonly latency?: boolean;
}): Results {
    const scenarios = opts.throughput.map((t) =>
        throughputResult(
            { name: t.name, scenario: t.name, suite: "dpservice", thresholdClass: t.placement === "same-host" ? "local_vm2vm" : "remote_vm2vm" },
            t.gbps.map((g, i) => [{ port: 5201, result: iperf3Round(g, i) }]),
            method(t.placement ?? "cross-host"),
            t.policy ?? "mean",
            t.expected,
        ),
    );
    const latency =
        opts.latency === false
            ? []
            : [
                  latencyResult({ name: "latency", scenario: "latency", suite: "netperf", thresholdClass: null }, [sockperfRound(1), sockperfRound(1.1)], {
                      tool: "sockperf", metric: "rtt", protocol: "tcp", seconds: 2, messageSize: 64, placement: "cross-host",
                      server: { machine: "vm1", address: "198.19.66.5" }, client: { machine: "vm3", address: "198.19.66.9" }, target: "198.19.66.5", port: 11111,
                  }),
              ];
    return buildResults({ runId: opts.runId ?? "r1", scenarios: [...scenarios, ...latency], context: opts.context ?? { stack: "dev", environment: "libvirt", dataplane: "vxlan" } });
}

/** The dev stack's scenarios: every verdict passes against its floors. */
export function passingDevResults(runId = "r1"): Results {
    return syntheticResults({
        runId,
        throughput: [
            { name: "same-host-ipv4", gbps: [2.4, 2.6, 2.5], expected: 0.05, placement: "same-host" },
            { name: "cross-host-ipv4", gbps: [1.1, 1.3, 1.2], expected: 0.05 },
        ],
    });
}

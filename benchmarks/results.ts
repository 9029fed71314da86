// The one JSON shape of benchmark results (docs/results-schema.md): per scenario the raw
// per-round (and per-interval) numbers, summary statistics, the expected value, the verdict and
// how it was measured; plus an overall verdict. The stack exports it; the CLI and the reports
// read it. Pure; no Pulumi imports.
import { Iperf3Result, Iperf3Round, combineFlows, toGbps } from "./iperf3";
import type { ScenarioKind, Placement, Suite } from "./scenarios";
import type { ScenarioClass } from "../config/schema";
import { SockperfResult } from "./sockperf";
import { Summary, summarize } from "./stats";
import { decide, overallVerdict, Policy, Verdict } from "./verdict";

/** Version of this shape; bumped on any incompatible change. */
export const RESULTS_SCHEMA = "pairbench.results/v1";

export interface IntervalPoint {
    readonly start: number;
    readonly end: number;
    readonly gbps: number;
    readonly omitted: boolean;
}

export interface ThroughputFlow {
    readonly port: number;
    /** Receiver side. */
    readonly gbps: number;
    readonly senderGbps: number;
    readonly retransmits?: number;
    readonly lossPercent?: number;
    readonly jitterMs?: number;
}

export interface ThroughputRound {
    /** 0-based. */
    readonly round: number;
    /** ISO time iperf3 recorded at the start of the first flow. */
    readonly startedAt: string | null;
    /** Receiver-side sum over the round's flows. */
    readonly gbps: number;
    readonly retransmits?: number;
    readonly lossPercent?: number;
    readonly jitterMs?: number;
    readonly flows: readonly ThroughputFlow[];
    readonly intervalSide: "receiver" | "sender";
    readonly intervals: readonly IntervalPoint[];
}

export interface EndpointRecord {
    readonly machine: string;
    /** Test-network address used, when known. */
    readonly address: string | null;
}

export interface ThroughputMethod {
    readonly tool: "iperf3";
    readonly toolVersion: string;
    readonly protocol: "tcp" | "udp";
    /** Concurrent flows: processes (one port each, dpservice's way) or streams of one process (`-P`). */
    readonly flows: number;
    readonly flowMode: "processes" | "streams";
    readonly seconds: number;
    readonly omit: number;
    readonly mss: number | null;
    readonly reverse: boolean;
    readonly family: "ipv4" | "ipv6";
    readonly udpBitsPerSecond: number | null;
    readonly placement: Placement;
    readonly server: EndpointRecord;
    readonly client: EndpointRecord;
    /** The address the client connected to (the server's, or e.g. a load balancer VIP). */
    readonly target: string;
    readonly ports: readonly number[];
}

export interface LatencyRound {
    readonly round: number;
    readonly meanUs: number;
    readonly p50Us: number;
    readonly p90Us: number;
    readonly p99Us: number;
    readonly p999Us: number;
    readonly minUs: number;
    readonly maxUs: number;
    readonly stddevUs: number;
    readonly observations: number;
    readonly droppedMessages: number;
    readonly percentilesUs: Readonly<Record<string, number>>;
}

export interface LatencyMethod {
    readonly tool: "sockperf";
    readonly toolVersion: string;
    /** Round-trip time (`--full-rtt`), not half of it. */
    readonly metric: "rtt";
    readonly protocol: "tcp" | "udp";
    readonly seconds: number;
    readonly messageSize: number;
    readonly placement: Placement;
    readonly server: EndpointRecord;
    readonly client: EndpointRecord;
    readonly target: string;
    readonly port: number;
}

/** What a scenario is, independent of its numbers. */
export interface ScenarioMeta {
    readonly name: string;
    readonly scenario: string;
    readonly suite: Suite | "custom";
    readonly thresholdClass: ScenarioClass | null;
    /** Azure: the pair the scenario ran on. Absent on libvirt. */
    readonly pair?: string;
    /** Azure: the pair the scenario belongs to when it ran on another (`pairbench:assignments`), else null. */
    readonly assignedFrom?: string | null;
}

/** The scenario identity of a benchmark's args, with defaults for hand-built benchmarks. */
export function scenarioMeta(name: string, given: Partial<ScenarioMeta> | undefined): ScenarioMeta {
    return {
        name: given?.name ?? name,
        scenario: given?.scenario ?? given?.name ?? name,
        suite: given?.suite ?? "custom",
        thresholdClass: given?.thresholdClass ?? null,
        ...(given?.pair !== undefined ? { pair: given.pair, assignedFrom: given.assignedFrom ?? null } : {}),
    };
}

interface ScenarioBase extends ScenarioMeta {
    readonly kind: ScenarioKind;
    readonly verdict: Verdict;
    readonly reason: string;
}

export interface ThroughputScenarioResult extends ScenarioBase {
    readonly kind: "throughput";
    readonly policy: Policy;
    readonly unit: "Gbit/s";
    readonly expected: number | null;
    readonly stats: Summary;
    readonly rounds: readonly ThroughputRound[];
    readonly method: ThroughputMethod;
}

export interface LatencyScenarioResult extends ScenarioBase {
    readonly kind: "latency";
    /** Latency is reported, never judged. */
    readonly policy: null;
    readonly unit: "us";
    readonly expected: null;
    /** Statistics over rounds of each per-round figure. */
    readonly stats: { readonly meanUs: Summary; readonly p50Us: Summary; readonly p90Us: Summary; readonly p99Us: Summary; readonly p999Us: Summary };
    readonly rounds: readonly LatencyRound[];
    readonly method: LatencyMethod;
}

export type ScenarioResult = ThroughputScenarioResult | LatencyScenarioResult;

export interface Results {
    readonly schema: typeof RESULTS_SCHEMA;
    readonly runId: string;
    /** What was measured: stack, environment, dataplane and mode, image, ... (caller's keys). */
    readonly context: Readonly<Record<string, string>>;
    readonly verdict: Verdict;
    readonly counts: Readonly<Record<Verdict, number>>;
    readonly scenarios: readonly ScenarioResult[];
}

function roundRecord(index: number, flows: ReadonlyArray<{ readonly port: number; readonly result: Iperf3Result }>): ThroughputRound {
    const combined: Iperf3Round = combineFlows(flows.map((f) => f.result));
    const ts = flows[0]?.result.timestamp;
    return {
        round: index,
        startedAt: ts !== undefined ? new Date(ts * 1000).toISOString() : null,
        gbps: toGbps(combined.bitsPerSecond),
        ...(combined.retransmits !== undefined ? { retransmits: combined.retransmits } : {}),
        ...(combined.lossPercent !== undefined ? { lossPercent: combined.lossPercent } : {}),
        ...(combined.jitterMs !== undefined ? { jitterMs: combined.jitterMs } : {}),
        flows: flows.map(({ port, result: r }) => ({
            port,
            gbps: toGbps(r.receiverBitsPerSecond),
            senderGbps: toGbps(r.senderBitsPerSecond),
            ...(r.retransmits !== undefined ? { retransmits: r.retransmits } : {}),
            ...(r.lossPercent !== undefined ? { lossPercent: r.lossPercent } : {}),
            ...(r.jitterMs !== undefined ? { jitterMs: r.jitterMs } : {}),
        })),
        intervalSide: combined.intervalSide,
        intervals: combined.intervals.map((iv) => ({ start: iv.start, end: iv.end, gbps: toGbps(iv.bitsPerSecond), omitted: iv.omitted })),
    };
}

/** A throughput scenario from its rounds (each a list of flows), with statistics and verdict. */
export function throughputResult(
    meta: ScenarioMeta,
    rounds: ReadonlyArray<ReadonlyArray<{ readonly port: number; readonly result: Iperf3Result }>>,
    method: Omit<ThroughputMethod, "toolVersion">,
    policy: Policy,
    expectedGbps: number | undefined,
): ThroughputScenarioResult {
    if (rounds.length === 0) throw new Error(`${meta.name}: no rounds`);
    const records = rounds.map((flows, i) => roundRecord(i, flows));
    const stats = summarize(records.map((r) => r.gbps));
    const decision = decide(policy, stats, expectedGbps);
    return {
        ...meta,
        kind: "throughput",
        unit: "Gbit/s",
        policy,
        verdict: decision.verdict,
        reason: decision.reason,
        expected: expectedGbps ?? null,
        stats,
        rounds: records,
        method: { ...method, toolVersion: rounds[0]?.[0]?.result.version ?? "unknown" },
    };
}

/** A latency scenario from its rounds; there is no latency threshold, so the verdict is `none`. */
export function latencyResult(meta: ScenarioMeta, rounds: readonly SockperfResult[], method: Omit<LatencyMethod, "toolVersion">): LatencyScenarioResult {
    if (rounds.length === 0) throw new Error(`${meta.name}: no rounds`);
    const records: LatencyRound[] = rounds.map((r, i) => ({
        round: i,
        meanUs: r.meanUs,
        p50Us: r.p50Us,
        p90Us: r.p90Us,
        p99Us: r.p99Us,
        p999Us: r.p999Us,
        minUs: r.minUs,
        maxUs: r.maxUs,
        stddevUs: r.stddevUs,
        observations: r.observations,
        droppedMessages: r.droppedMessages,
        percentilesUs: r.percentilesUs,
    }));
    const over = (key: "meanUs" | "p50Us" | "p90Us" | "p99Us" | "p999Us") => summarize(records.map((r) => r[key]));
    return {
        ...meta,
        kind: "latency",
        unit: "us",
        policy: null,
        verdict: "none",
        reason: "latency is reported, not judged (no latency threshold is configured)",
        expected: null,
        stats: { meanUs: over("meanUs"), p50Us: over("p50Us"), p90Us: over("p90Us"), p99Us: over("p99Us"), p999Us: over("p999Us") },
        rounds: records,
        method: { ...method, toolVersion: rounds[0]?.version ?? "unknown" },
    };
}

/** The stack output: every scenario plus the overall verdict (see verdict.ts overallVerdict). */
export function buildResults(input: {
    readonly runId: string;
    readonly scenarios: readonly ScenarioResult[];
    readonly context?: Readonly<Record<string, string>>;
}): Results {
    const names = new Set<string>();
    for (const s of input.scenarios) {
        if (names.has(s.name)) throw new Error(`duplicate scenario result '${s.name}'`);
        names.add(s.name);
    }
    const counts: Record<Verdict, number> = { pass: 0, fail: 0, inconclusive: 0, none: 0 };
    for (const s of input.scenarios) counts[s.verdict] += 1;
    return {
        schema: RESULTS_SCHEMA,
        runId: input.runId,
        context: { ...(input.context ?? {}) },
        verdict: overallVerdict(input.scenarios.map((s) => s.verdict)),
        counts,
        scenarios: [...input.scenarios],
    };
}

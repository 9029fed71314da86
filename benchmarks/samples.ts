// The results document flattened into PerfKitBenchmarker-style samples, one number each, for
// publishers that want rows (CSV, JSON lines, a time-series store). Pure; no Pulumi imports.
import { Results, ScenarioResult } from "./results";
import { Summary } from "./stats";

export type MetadataValue = string | number | boolean;

/** One measured or derived number. */
export interface Sample {
    /** e.g. throughput, throughput_mean, latency_p99. */
    readonly metric: string;
    readonly value: number;
    /** "Gbit/s", "us", "count". */
    readonly unit: string;
    readonly metadata: Readonly<Record<string, MetadataValue>>;
    /** ISO time the number was measured, when known (per-round samples). */
    readonly timestamp: string | null;
    readonly runId: string;
    /** Stable: `<runId>/<scenario>/<metric>[/<round>]`, so re-publishing is idempotent. */
    readonly sampleId: string;
}

function scenarioMetadata(s: ScenarioResult, context: Readonly<Record<string, string>>): Record<string, MetadataValue> {
    const m = s.method;
    return {
        ...context,
        scenario: s.name,
        suite: s.suite,
        kind: s.kind,
        ...(s.thresholdClass !== null ? { thresholdClass: s.thresholdClass } : {}),
        ...(s.pair !== undefined ? { pair: s.pair } : {}),
        ...(s.assignedFrom ? { assignedFrom: s.assignedFrom } : {}),
        tool: m.tool,
        toolVersion: m.toolVersion,
        protocol: m.protocol,
        placement: m.placement,
        server: m.server.machine,
        client: m.client.machine,
        target: m.target,
        seconds: m.seconds,
        ...(m.tool === "iperf3" ? { flows: m.flows, flowMode: m.flowMode, omit: m.omit, reverse: m.reverse, family: m.family, ...(m.mss !== null ? { mss: m.mss } : {}) } : {}),
        ...(m.tool === "sockperf" ? { messageSize: m.messageSize, latencyMetric: m.metric } : {}),
    };
}

function summarySamples(prefix: string, unit: string, stats: Summary, base: Omit<Sample, "metric" | "value" | "unit" | "sampleId">, id: string): Sample[] {
    const list: Array<[string, number]> = [[`${prefix}_mean`, stats.mean], [`${prefix}_median`, stats.median], [`${prefix}_stddev`, stats.stddev]];
    if (stats.ci95 !== null) list.push([`${prefix}_ci95_low`, stats.ci95[0]], [`${prefix}_ci95_high`, stats.ci95[1]]);
    return list.map(([metric, value]) => ({ ...base, metric, value, unit, sampleId: `${id}/${metric}` }));
}

/** Every per-round figure and every summary statistic of the results, as samples. */
export function toSamples(results: Results): Sample[] {
    const out: Sample[] = [];
    for (const s of results.scenarios) {
        const metadata = scenarioMetadata(s, results.context);
        const id = `${results.runId}/${s.name}`;
        const base = { metadata, timestamp: null, runId: results.runId };
        if (s.kind === "throughput") {
            for (const r of s.rounds) {
                out.push({ metric: "throughput", value: r.gbps, unit: "Gbit/s", metadata: { ...metadata, round: r.round }, timestamp: r.startedAt, runId: results.runId, sampleId: `${id}/throughput/${r.round}` });
            }
            out.push(...summarySamples("throughput", "Gbit/s", s.stats, { ...base, metadata: { ...metadata, n: s.stats.n, verdict: s.verdict } }, id));
        } else {
            for (const r of s.rounds) {
                for (const key of ["meanUs", "p50Us", "p90Us", "p99Us", "p999Us"] as const) {
                    const metric = `latency_${key.slice(0, -2)}`;
                    out.push({ metric, value: r[key], unit: "us", metadata: { ...metadata, round: r.round }, timestamp: null, runId: results.runId, sampleId: `${id}/${metric}/${r.round}` });
                }
            }
            for (const key of ["meanUs", "p50Us", "p90Us", "p99Us", "p999Us"] as const) {
                out.push(...summarySamples(`latency_${key.slice(0, -2)}`, "us", s.stats[key], { ...base, metadata: { ...metadata, n: s.stats[key].n } }, id));
            }
        }
    }
    return out;
}

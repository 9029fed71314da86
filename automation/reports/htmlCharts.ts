// The charts of the HTML report as plain data (what to draw, not how): measured vs expected per
// scenario with 95% CI whiskers, per-interval throughput over time, latency percentiles. The
// page's script (htmlClient.ts) turns each into an ECharts option. Pure.
import { LatencyScenarioResult, ThroughputScenarioResult } from "../../benchmarks/results";
import type { Verdict } from "../../benchmarks/verdict";
import { ModeRecord, RunReport } from "./runReport";

export interface CiChart {
    readonly kind: "ci";
    readonly id: string;
    readonly title: string;
    readonly categories: readonly string[];
    readonly mean: readonly number[];
    /** 95% CI bounds; null where a scenario has one round. */
    readonly lo: ReadonlyArray<number | null>;
    readonly hi: ReadonlyArray<number | null>;
    readonly expected: ReadonlyArray<number | null>;
    readonly verdicts: readonly Verdict[];
}

export interface IntervalsChart {
    readonly kind: "intervals";
    readonly id: string;
    readonly title: string;
    /** One line per round: [seconds since the end of the ramp-up, Gbit/s]. */
    readonly series: ReadonlyArray<{ readonly name: string; readonly points: ReadonlyArray<readonly [number, number]> }>;
    readonly expected: number | null;
}

export interface PercentilesChart {
    readonly kind: "percentiles";
    readonly id: string;
    readonly title: string;
    /** Percentile labels in increasing order: p25 … p99.999. */
    readonly labels: readonly string[];
    readonly series: ReadonlyArray<{ readonly name: string; readonly values: ReadonlyArray<number | null> }>;
}

export type ChartSpec = CiChart | IntervalsChart | PercentilesChart;

/** Element ids: letters, digits and '-' only, unique per chart. */
function chartId(kind: string, mode: string | null, name: string): string {
    return `chart-${kind}-${mode ?? "run"}-${name}`.replace(/[^A-Za-z0-9-]/g, "-");
}

const modeSuffix = (mode: string | null) => (mode === null ? "" : ` (${mode})`);

function ciChart(mode: string | null, scenarios: readonly ThroughputScenarioResult[]): CiChart {
    return {
        kind: "ci",
        id: chartId("ci", mode, "throughput"),
        title: `Throughput, mean with 95% CI, vs expected${modeSuffix(mode)}`,
        categories: scenarios.map((s) => s.name),
        mean: scenarios.map((s) => s.stats.mean),
        lo: scenarios.map((s) => s.stats.ci95?.[0] ?? null),
        hi: scenarios.map((s) => s.stats.ci95?.[1] ?? null),
        expected: scenarios.map((s) => s.expected),
        verdicts: scenarios.map((s) => s.verdict),
    };
}

/** Intervals shorter than this are iperf3's end-of-test remainders (a few ms): their rate is noise. */
export const MIN_INTERVAL_SECONDS = 0.5;

/**
 * Intervals after the `--omit` ramp-up (iperf3 restarts the clock there, so x starts at 0),
 * without the short remainder at the end; each point at its interval's end.
 */
function intervalsChart(mode: string | null, s: ThroughputScenarioResult): IntervalsChart {
    return {
        kind: "intervals",
        id: chartId("intervals", mode, s.name),
        title: `${s.name}${modeSuffix(mode)}: throughput per interval (ramp-up omitted)`,
        series: s.rounds.map((r) => ({
            name: `round ${r.round + 1}`,
            points: r.intervals.filter((iv) => !iv.omitted && iv.end - iv.start >= MIN_INTERVAL_SECONDS).map((iv) => [iv.end, iv.gbps] as const),
        })),
        expected: s.expected,
    };
}

/** `p99.9` → 99.9; labels sort by their numeric value, not as text. */
export function percentileValue(label: string): number {
    return Number(label.replace(/^p/, ""));
}

function percentilesChart(mode: string | null, s: LatencyScenarioResult): PercentilesChart {
    const labels = [...new Set(s.rounds.flatMap((r) => Object.keys(r.percentilesUs)))]
        .filter((l) => Number.isFinite(percentileValue(l)))
        .sort((a, b) => percentileValue(a) - percentileValue(b));
    return {
        kind: "percentiles",
        id: chartId("percentiles", mode, s.name),
        title: `${s.name}${modeSuffix(mode)}: round-trip latency percentiles`,
        labels,
        series: s.rounds.map((r) => ({ name: `round ${r.round + 1}`, values: labels.map((l) => r.percentilesUs[l] ?? null) })),
    };
}

/** The charts of one mode: the CI chart, then intervals per scenario, then percentiles. */
export function modeCharts(m: ModeRecord): ChartSpec[] {
    const scenarios = m.results?.scenarios ?? [];
    const tput = scenarios.filter((s): s is ThroughputScenarioResult => s.kind === "throughput");
    const lat = scenarios.filter((s): s is LatencyScenarioResult => s.kind === "latency");
    return [
        ...(tput.length > 0 ? [ciChart(m.mode, tput)] : []),
        ...tput.filter((s) => s.rounds.some((r) => r.intervals.some((iv) => !iv.omitted))).map((s) => intervalsChart(m.mode, s)),
        ...lat.filter((s) => s.rounds.some((r) => Object.keys(r.percentilesUs).length > 0)).map((s) => percentilesChart(m.mode, s)),
    ];
}

/** Every chart of the report, mode by mode. */
export function chartSpecs(report: RunReport): ChartSpec[] {
    return report.modes.flatMap(modeCharts);
}

// Numbers and sentences shared by the report formats, so JUnit, Markdown and HTML say the same
// thing about a scenario. Pure.
import { LatencyScenarioResult, ScenarioResult, ThroughputScenarioResult } from "../../benchmarks/results";
import type { Verdict } from "../../benchmarks/verdict";
import { assignmentOf, PairsRecord } from "./runReport";

/** Three significant digits without trailing zeros (8, 0.05, 6.17); whole numbers from 100 on. */
export function num(v: number): string {
    if (!Number.isFinite(v)) return String(v);
    return Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
}

export function ci95Text(ci: readonly [number, number] | null): string {
    return ci === null ? "-" : `[${num(ci[0])}, ${num(ci[1])}]`;
}

export const VERDICT_MARK: Readonly<Record<Verdict | "error", string>> = {
    pass: "✅ pass",
    fail: "❌ fail",
    inconclusive: "⚠️ inconclusive",
    none: "➖ not judged",
    error: "💥 error",
};

/** `2.51 Gbit/s` measured (mean of 3 rounds, 95% CI [2.40, 2.62]). */
export function measuredText(s: ThroughputScenarioResult): string {
    const ci = s.stats.ci95 === null ? "" : `, 95% CI ${ci95Text(s.stats.ci95)}`;
    return `${num(s.stats.mean)} Gbit/s (mean of ${s.stats.n} round${s.stats.n === 1 ? "" : "s"}${ci})`;
}

/** The JUnit failure message and Markdown reason: measured vs expected, then the rule's reason. */
export function measuredVsExpected(s: ThroughputScenarioResult): string {
    const expected = s.expected === null ? "no expected value" : `expected ${num(s.expected)} Gbit/s`;
    return `measured ${measuredText(s)} vs ${expected}, policy ${s.policy}: ${s.reason}`;
}

/** p50 / p90 / p99 / p99.9 means over rounds, in µs. */
export function latencyText(s: LatencyScenarioResult): string {
    const st = s.stats;
    return `RTT p50 ${num(st.p50Us.mean)} µs, p90 ${num(st.p90Us.mean)} µs, p99 ${num(st.p99Us.mean)} µs, p99.9 ${num(st.p999Us.mean)} µs (mean of ${st.p50Us.n} rounds)`;
}

/** Per-round figures, one line, for JUnit system-out. */
export function roundsText(s: ScenarioResult): string {
    if (s.kind === "throughput") return `rounds (Gbit/s): ${s.rounds.map((r) => num(r.gbps)).join(", ")}`;
    return `rounds p99 (µs): ${s.rounds.map((r) => num(r.p99Us)).join(", ")}`;
}

/** Where a scenario ran: `vm3 → vm1 (cross-host)`. */
export function placementText(s: ScenarioResult): string {
    return `${s.method.client.machine} → ${s.method.server.machine} (${s.method.placement})`;
}

/** Where a scenario ran, plus the pair it ran for when it was reassigned (Azure). */
export function whereText(s: ScenarioResult): string {
    const moved = assignmentOf(s);
    return `${placementText(s)}${moved ? ` on pair ${moved.pair} (for ${moved.assignedFrom})` : ""}`;
}

/** A report table before a format renders it; `C` is how a format shows a verdict. */
export interface TableRows<C> {
    readonly header: readonly string[];
    readonly rows: ReadonlyArray<ReadonlyArray<string | C>>;
}

/** The throughput table every report format shows; `verdict` renders the verdict cell. */
export function throughputTable<C>(scenarios: readonly ThroughputScenarioResult[], verdict: (v: Verdict) => C): TableRows<C> {
    return {
        header: ["scenario", "measured (mean)", "95% CI", "rounds", "expected", "verdict", "where", "reason"],
        rows: scenarios.map((s) => [
            s.name,
            `${num(s.stats.mean)} Gbit/s`,
            ci95Text(s.stats.ci95),
            String(s.stats.n),
            s.expected === null ? "-" : `${num(s.expected)} Gbit/s`,
            verdict(s.verdict),
            whereText(s),
            s.reason,
        ]),
    };
}

/** The latency table every report format shows: percentile means over rounds, in µs. */
export function latencyTable(scenarios: readonly LatencyScenarioResult[]): TableRows<never> {
    return {
        header: ["latency scenario", "p50", "p90", "p99", "p99.9", "rounds", "where"],
        rows: scenarios.map((s) => [
            s.name,
            `${num(s.stats.p50Us.mean)} µs`,
            `${num(s.stats.p90Us.mean)} µs`,
            `${num(s.stats.p99Us.mean)} µs`,
            `${num(s.stats.p999Us.mean)} µs`,
            String(s.stats.p50Us.n),
            whereText(s),
        ]),
    };
}

/** The Azure pairs that failed to become test-ready and where their scenarios ran instead. */
export function failedPairsTable(pairs: PairsRecord): TableRows<never> {
    return {
        header: ["pair", "OS", "why", "its scenarios ran on"],
        rows: pairs.failed.map((f) => [f.pair, f.os, f.reason, pairs.assignments[f.pair] ?? "-"]),
    };
}

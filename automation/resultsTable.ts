// The results as a plain-text table for the terminal: one row per scenario. Pure.
import { Results, ScenarioResult } from "../benchmarks/results";

const fmt = (n: number, digits = 2) => n.toFixed(digits);

function row(s: ScenarioResult): string[] {
    if (s.kind === "throughput") {
        const ci = s.stats.ci95 ? `[${fmt(s.stats.ci95[0])}, ${fmt(s.stats.ci95[1])}]` : "-";
        return [s.name, `${fmt(s.stats.mean)} Gbit/s`, ci, `${s.stats.n}`, s.expected === null ? "-" : `${s.expected}`, s.verdict];
    }
    return [s.name, `p50 ${fmt(s.stats.p50Us.mean, 0)} µs, p99 ${fmt(s.stats.p99Us.mean, 0)} µs`, "-", `${s.stats.meanUs.n}`, "-", s.verdict];
}

export function formatResultsTable(results: Results): string {
    const rows = [["scenario", "measured (mean)", "95% CI", "rounds", "expected", "verdict"], ...results.scenarios.map(row)];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
    lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
    const c = results.counts;
    lines.push("", `verdict: ${results.verdict} (pass ${c.pass}, fail ${c.fail}, inconclusive ${c.inconclusive}, not judged ${c.none})`);
    return lines.join("\n");
}

// The Markdown summary of a run (GitHub's job summary, $GITHUB_STEP_SUMMARY): the outcome,
// one throughput table and one latency table per mode, failed Azure pairs and errors. Pure.
import { LatencyScenarioResult, ThroughputScenarioResult } from "../../benchmarks/results";
import { ci95Text, num, placementText, VERDICT_MARK } from "./format";
import { assignmentOf, ModeRecord, RunReport } from "./runReport";

/** A table cell: pipes and line breaks would break the table. */
export function cell(text: string): string {
    return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
    return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

function where(s: ThroughputScenarioResult | LatencyScenarioResult): string {
    const moved = assignmentOf(s);
    return `${placementText(s)}${moved ? ` on pair ${moved.pair} (for ${moved.assignedFrom})` : ""}`;
}

function modeSection(m: ModeRecord): string[] {
    const title = m.mode === null ? "Results" : `Mode ${m.mode}`;
    const lines = [`### ${title}`, "", `run id \`${m.runId}\``, ""];
    if (m.error !== undefined) lines.push(`**pulumi up failed:** ${cell(m.error)}`, "");
    const scenarios = m.results?.scenarios ?? [];
    const tput = scenarios.filter((s): s is ThroughputScenarioResult => s.kind === "throughput");
    const lat = scenarios.filter((s): s is LatencyScenarioResult => s.kind === "latency");
    if (tput.length > 0) {
        lines.push(
            ...table(
                ["scenario", "measured (mean)", "95% CI", "rounds", "expected", "verdict", "where", "reason"],
                tput.map((s) => [
                    s.name,
                    `${num(s.stats.mean)} Gbit/s`,
                    ci95Text(s.stats.ci95),
                    String(s.stats.n),
                    s.expected === null ? "-" : `${num(s.expected)} Gbit/s`,
                    VERDICT_MARK[s.verdict],
                    where(s),
                    s.reason,
                ]),
            ),
            "",
        );
    }
    if (lat.length > 0) {
        lines.push(
            ...table(
                ["latency scenario", "p50", "p90", "p99", "p99.9", "rounds", "where"],
                lat.map((s) => [
                    s.name,
                    `${num(s.stats.p50Us.mean)} µs`,
                    `${num(s.stats.p90Us.mean)} µs`,
                    `${num(s.stats.p99Us.mean)} µs`,
                    `${num(s.stats.p999Us.mean)} µs`,
                    String(s.stats.p50Us.n),
                    where(s),
                ]),
            ),
            "",
            "Latency is the TCP round trip (sockperf ping-pong), mean over rounds; it is reported, not judged.",
            "",
        );
    }
    return lines;
}

/** The whole summary, ending with a newline (ready to append to $GITHUB_STEP_SUMMARY). */
export function renderMarkdown(report: RunReport): string {
    const modes = report.modes.map((m) => m.mode).filter((m): m is string => m !== null);
    const context = report.modes.find((m) => m.results)?.results?.context ?? {};
    const facts = [
        `stack \`${report.stack}\``,
        `environment ${report.environment}`,
        ...(context["dataplane"] ? [`dataplane ${context["dataplane"]}`] : []),
        ...(modes.length > 0 ? [`modes ${modes.join(", ")}`] : []),
        `${report.startedAt} → ${report.finishedAt}`,
    ];
    const lines = [`## pairbench run: ${report.stack} — ${VERDICT_MARK[report.verdict]}`, "", facts.join(" · "), "", `**${report.message}**`, ""];
    if (report.pairs !== undefined && report.pairs.failed.length > 0) {
        lines.push(
            "### Pairs that failed to become test-ready",
            "",
            ...table(
                ["pair", "OS", "why", "its scenarios ran on"],
                report.pairs.failed.map((f) => [f.pair, f.os, f.reason, report.pairs!.assignments[f.pair] ?? "-"]),
            ),
            "",
        );
    }
    for (const m of report.modes) lines.push(...modeSection(m));
    if (report.errors.length > 0) lines.push("### Errors", "", ...report.errors.map((e) => `- ${cell(e)}`), "");
    return lines.join("\n");
}

// The Markdown summary of a run (GitHub's job summary, $GITHUB_STEP_SUMMARY): the outcome,
// one throughput table and one latency table per mode, failed Azure pairs and errors. Pure.
import { LatencyScenarioResult, ThroughputScenarioResult } from "../../benchmarks/results";
import { failedPairsTable, latencyTable, TableRows, throughputTable, VERDICT_MARK } from "./format";
import { ModeRecord, RunReport } from "./runReport";

/** A table cell: pipes and line breaks would break the table. */
export function cell(text: string): string {
    return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table({ header, rows }: TableRows<string>): string[] {
    return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

function modeSection(m: ModeRecord): string[] {
    const title = m.mode === null ? "Results" : `Mode ${m.mode}`;
    const lines = [`### ${title}`, "", `run id \`${m.runId}\``, ""];
    if (m.error !== undefined) lines.push(`**pulumi up failed:** ${cell(m.error)}`, "");
    const scenarios = m.results?.scenarios ?? [];
    const tput = scenarios.filter((s): s is ThroughputScenarioResult => s.kind === "throughput");
    const lat = scenarios.filter((s): s is LatencyScenarioResult => s.kind === "latency");
    if (tput.length > 0) lines.push(...table(throughputTable(tput, (v) => VERDICT_MARK[v])), "");
    if (lat.length > 0) {
        lines.push(
            ...table(latencyTable(lat)),
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
            ...table(failedPairsTable(report.pairs)),
            "",
        );
    }
    for (const m of report.modes) lines.push(...modeSection(m));
    if (report.errors.length > 0) lines.push("### Errors", "", ...report.errors.map((e) => `- ${cell(e)}`), "");
    return lines.join("\n");
}

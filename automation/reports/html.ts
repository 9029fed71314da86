// The HTML report of a run: one self-contained file (the charting library, the data and the
// script are inline; opening it needs no network). Tables with every figure, and charts drawn
// by Apache ECharts as SVG: measured vs expected with 95% CI whiskers, throughput per interval,
// latency percentiles. Pure: the report and the library's text in, the page out.
import { LatencyScenarioResult, ThroughputScenarioResult } from "../../benchmarks/results";
import type { Verdict } from "../../benchmarks/verdict";
import { failedPairsTable, latencyTable, TableRows, throughputTable } from "./format";
import { modeCharts } from "./htmlCharts";
import { CLIENT_SCRIPT } from "./htmlClient";
import { ModeRecord, RunReport } from "./runReport";

export interface HtmlAssets {
    /** The text of echarts/dist/echarts.min.js. */
    readonly echarts: string;
}

export function escapeHtml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Script text that cannot end its <script> element early. */
export function inlineScript(text: string): string {
    return text.replace(/<\/(script)/gi, "<\\/$1");
}

/** JSON for a <script type="application/json"> element: `<` never appears literally. */
export function inlineJson(value: unknown): string {
    return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** A cell's text, or a verdict shown as a coloured word (no emoji: a browser may lack the font). */
type Cell = string | { readonly verdict: Verdict | "error" };

const VERDICT_WORD: Readonly<Record<Verdict | "error", string>> = { pass: "pass", fail: "FAIL", inconclusive: "inconclusive", none: "not judged", error: "ERROR" };

function verdictHtml(v: Verdict | "error"): string {
    return `<span class="verdict v-${v}">${VERDICT_WORD[v]}</span>`;
}

function table({ header, rows }: TableRows<Cell>): string {
    const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
    const td = (c: Cell) => `<td>${typeof c === "string" ? escapeHtml(c) : verdictHtml(c.verdict)}</td>`;
    const trs = rows.map((r) => `<tr>${r.map(td).join("")}</tr>`).join("\n");
    return `<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

function modeSection(m: ModeRecord, chartIds: readonly string[]): string {
    const title = m.mode === null ? "Results" : `Mode ${m.mode}`;
    const parts = [`<h2>${escapeHtml(title)}</h2>`, `<p class="meta">run id <code>${escapeHtml(m.runId)}</code></p>`];
    if (m.error !== undefined) parts.push(`<p class="error">pulumi up failed: ${escapeHtml(m.error)}</p>`);
    const scenarios = m.results?.scenarios ?? [];
    const tput = scenarios.filter((s): s is ThroughputScenarioResult => s.kind === "throughput");
    const lat = scenarios.filter((s): s is LatencyScenarioResult => s.kind === "latency");
    if (tput.length > 0) parts.push(table(throughputTable(tput, (verdict) => ({ verdict }))));
    if (lat.length > 0) parts.push(table(latencyTable(lat)));
    parts.push(...chartIds.map((id) => `<div class="chart" id="${escapeHtml(id)}"></div>`));
    return `<section>\n${parts.join("\n")}\n</section>`;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #212121; max-width: 1200px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
th, td { border: 1px solid #cfd8dc; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eceff1; }
.chart { width: 100%; height: 360px; margin: 16px 0; }
.meta { color: #546e7a; }
.error { color: #b71c1c; font-weight: bold; }
.outcome { font-size: 16px; font-weight: bold; }
.verdict { font-weight: bold; }
.v-pass { color: #2e7d32; } .v-fail, .v-error { color: #c62828; } .v-inconclusive { color: #ef6c00; } .v-none { color: #607d8b; }
`;

/** The whole page. */
export function renderHtml(report: RunReport, assets: HtmlAssets): string {
    const perMode = report.modes.map((m) => ({ m, charts: modeCharts(m) }));
    const specs = perMode.flatMap((p) => p.charts);
    const sections = perMode.map(({ m, charts }) => modeSection(m, charts.map((c) => c.id)));
    const pairs =
        report.pairs !== undefined && report.pairs.failed.length > 0
            ? `<section><h2>Pairs that failed to become test-ready</h2>\n${table(failedPairsTable(report.pairs))}</section>`
            : "";
    const errors = report.errors.length > 0 ? `<section><h2>Errors</h2><ul>${report.errors.map((e) => `<li class="error">${escapeHtml(e)}</li>`).join("")}</ul></section>` : "";
    const title = `pairbench run: ${report.stack} — ${VERDICT_WORD[report.verdict]}`;
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        `<title>${escapeHtml(title)}</title>`,
        `<style>${STYLE}</style>`,
        "</head>",
        "<body>",
        `<h1>pairbench run: ${escapeHtml(report.stack)} — ${verdictHtml(report.verdict)}</h1>`,
        `<p class="meta">stack <code>${escapeHtml(report.stack)}</code> · environment ${escapeHtml(report.environment)} · ${escapeHtml(report.startedAt)} → ${escapeHtml(report.finishedAt)}</p>`,
        `<p class="outcome">${escapeHtml(report.message)}</p>`,
        pairs,
        ...sections,
        errors,
        `<script type="application/json" id="pairbench-charts">${inlineJson(specs)}</script>`,
        `<script>${inlineScript(assets.echarts)}</script>`,
        `<script>${inlineScript(CLIENT_SCRIPT)}</script>`,
        "</body>",
        "</html>",
        "",
    ].join("\n");
}

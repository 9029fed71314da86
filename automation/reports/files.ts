// Report files of a stack under <state>/results/<stack>/: each format timestamped and as
// latest.*, plus the Markdown appended to GitHub's job summary when $GITHUB_STEP_SUMMARY is set.
// The only module of reports/ that touches the file system.
import * as fs from "fs";
import * as path from "path";
import { HtmlAssets, renderHtml } from "./html";
import { renderJunit } from "./junit";
import { renderMarkdown } from "./markdown";
import { parseRunReport, RunReport } from "./runReport";

export type ReportFormat = "json" | "junit" | "markdown" | "html";
export const REPORT_FORMATS: readonly ReportFormat[] = ["json", "junit", "markdown", "html"];

/** File suffix per format: latest.json, latest.junit.xml, latest.md, latest.html. */
export const SUFFIX: Readonly<Record<ReportFormat, string>> = { json: "json", junit: "junit.xml", markdown: "md", html: "html" };

/** The charting library, read from the pinned npm package. */
export function loadHtmlAssets(): HtmlAssets {
    return { echarts: fs.readFileSync(require.resolve("echarts/dist/echarts.min.js"), "utf8") };
}

/** One format's text. */
export function renderReport(report: RunReport, format: ReportFormat, assets?: HtmlAssets): string {
    switch (format) {
        case "json":
            return `${JSON.stringify(report, null, 2)}\n`;
        case "junit":
            return renderJunit(report);
        case "markdown":
            return renderMarkdown(report);
        case "html":
            return renderHtml(report, assets ?? loadHtmlAssets());
    }
}

export function resultsDir(stateDir: string, stack: string): string {
    return path.join(stateDir, "results", stack);
}

/** Writes every format as <stamp>.<suffix> and latest.<suffix>; returns the latest.* paths. */
export function writeReports(
    stateDir: string,
    report: RunReport,
    stamp: string,
    assets: HtmlAssets = loadHtmlAssets(),
): Record<ReportFormat, string> {
    const dir = resultsDir(stateDir, report.stack);
    fs.mkdirSync(dir, { recursive: true });
    const written = {} as Record<ReportFormat, string>;
    for (const format of REPORT_FORMATS) {
        const text = renderReport(report, format, assets);
        fs.writeFileSync(path.join(dir, `${stamp}.${SUFFIX[format]}`), text);
        const latest = path.join(dir, `latest.${SUFFIX[format]}`);
        // Written beside and renamed, so a reader never sees half a latest.* file.
        fs.writeFileSync(`${latest}.tmp`, text);
        fs.renameSync(`${latest}.tmp`, latest);
        written[format] = latest;
    }
    return written;
}

/** The run document of the stack's latest run. */
export function readLatest(stateDir: string, stack: string): RunReport {
    const file = path.join(resultsDir(stateDir, stack), "latest.json");
    if (!fs.existsSync(file)) throw new Error(`no results for stack ${stack} yet (${file} does not exist); run 'pairbench run --stack ${stack}'`);
    let json: unknown;
    try {
        json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    return parseRunReport(json, file);
}

/** Appends the Markdown to GitHub's job summary when the variable names a file; returns whether it did. */
export function appendStepSummary(env: NodeJS.ProcessEnv, markdown: string): boolean {
    const file = env["GITHUB_STEP_SUMMARY"];
    if (file === undefined || file === "") return false;
    fs.appendFileSync(file, markdown.endsWith("\n") ? markdown : `${markdown}\n`);
    return true;
}

// The run document and its four renderings: outcome and exit code, JUnit, Markdown, HTML, files.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { XMLParser } from "fast-xml-parser";
import { appendStepSummary, readLatest, renderReport, writeReports } from "../../../automation/reports/files";
import { escapeHtml, inlineJson, inlineScript, renderHtml } from "../../../automation/reports/html";
import { chartSpecs, percentileValue } from "../../../automation/reports/htmlCharts";
import { renderJunit } from "../../../automation/reports/junit";
import { cell, renderMarkdown } from "../../../automation/reports/markdown";
import { buildRunReport, decideOutcome, ModeRecord, parseRunReport, RunReport, withError } from "../../../automation/reports/runReport";
import { passingDevResults, syntheticResults } from "../../support/resultsFixture";

const at = new Date("2026-11-22T10:00:00.000Z");
const end = new Date("2026-11-22T10:09:30.000Z");
const mixed = (mode: string) =>
    syntheticResults({
        runId: `r-${mode}`,
        context: { stack: "lab", environment: "libvirt", dataplane: `dpservice ${mode}` },
        throughput: [
            { name: "same-host-ipv4", gbps: [12.1, 12.4, 12.2], expected: 10, placement: "same-host" },
            { name: "cross-host-ipv4", gbps: [6.1, 6.4, 6.0], expected: 8 },
            { name: "cross-host-ipv6", gbps: [8.4, 7.2, 9.9], expected: 8, policy: "ci" },
            { name: "nat", gbps: [3.3, 3.4] },
        ],
    });
const both: RunReport = buildRunReport({
    stack: "lab",
    environment: "libvirt",
    startedAt: at,
    finishedAt: end,
    modes: [
        { mode: "non-offload", runId: "r-non-offload", results: mixed("non-offload") },
        { mode: "offload", runId: "r-offload", results: mixed("offload") },
    ],
});
const fakeAssets = { echarts: "window.echarts = { init: function () {} }; // </script> inside a string" };

describe("run outcome and exit code", () => {
    const mode = (results: ModeRecord["results"], error?: string): ModeRecord => ({ mode: null, runId: "r", ...(results ? { results } : {}), ...(error ? { error } : {}) });

    it("0 when every verdict passes, 1 for a failed or inconclusive verdict, 2 for an infrastructure error", () => {
        assert.deepStrictEqual(decideOutcome([mode(passingDevResults())], []), { verdict: "pass", exitCode: 0, message: "verdict pass (exit 0): 2 scenario(s) met their expected value" });
        const fail = decideOutcome(both.modes, []);
        assert.strictEqual(fail.exitCode, 1);
        assert.strictEqual(fail.message, "verdict fail (exit 1): cross-host-ipv4 [non-offload], cross-host-ipv4 [offload] below expected");
        const inconclusive = syntheticResults({ throughput: [{ name: "x", gbps: [7, 9], expected: 8, policy: "ci" }], latency: false });
        assert.match(decideOutcome([mode(inconclusive)], []).message, /^verdict inconclusive \(exit 1, policy ci\): the 95% interval of x contains the expected value$/);
        const infra = decideOutcome([mode(passingDevResults()), { mode: "offload", runId: "r2", error: "ssh: connection refused" }], ["destroy failed"]);
        assert.deepStrictEqual(infra, { verdict: "error", exitCode: 2, message: "infrastructure or configuration error (exit 2): mode offload: ssh: connection refused; destroy failed" });
        assert.strictEqual(decideOutcome([mode(syntheticResults({ throughput: [{ name: "x", gbps: [1] }], latency: false }))], []).exitCode, 0);
    });

    it("an error added after the reports were written turns the outcome into exit 2", () => {
        const ok = buildRunReport({ stack: "dev", environment: "libvirt", startedAt: at, finishedAt: end, modes: [mode(passingDevResults())] });
        const later = withError(ok, "destroy failed, resources may be left: x");
        assert.strictEqual(later.exitCode, 2);
        assert.deepStrictEqual(later.errors, ["destroy failed, resources may be left: x"]);
    });

    it("reads a run document, or wraps a bare results document (what pairbench dev used to write)", () => {
        assert.strictEqual(parseRunReport(JSON.parse(JSON.stringify(both)), "f").stack, "lab");
        const wrapped = parseRunReport(passingDevResults("old"), "latest.json");
        assert.deepStrictEqual([wrapped.stack, wrapped.modes.length, wrapped.modes[0]!.runId, wrapped.exitCode], ["dev", 1, "old", 0]);
        assert.throws(() => parseRunReport({ schema: "x" }, "latest.json"), /latest\.json: not a pairbench run or results document \(schema "x"; expected pairbench\.run\/v1\)/);
    });
});

describe("JUnit XML", () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (name) => ["testsuite", "testcase", "property"].includes(name) });
    const doc = parser.parse(renderJunit(both));

    it("one suite per mode, one test case per scenario × mode, with totals", () => {
        const suites = doc.testsuites.testsuite;
        assert.deepStrictEqual(suites.map((s: { name: string }) => s.name), ["pairbench.lab.non-offload", "pairbench.lab.offload"]);
        assert.deepStrictEqual(suites[0].testcase.map((t: { name: string }) => t.name), ["same-host-ipv4", "cross-host-ipv4", "cross-host-ipv6", "nat", "latency"]);
        assert.deepStrictEqual([doc.testsuites.tests, doc.testsuites.failures, doc.testsuites.errors, doc.testsuites.skipped], ["10", "4", "0", "2"]);
        assert.deepStrictEqual(suites[1].properties.property.find((p: { name: string }) => p.name === "mode"), { name: "mode", value: "offload" });
    });

    it("a failed verdict is a failure whose message is measured vs expected", () => {
        const tc = doc.testsuites.testsuite[0].testcase.find((t: { name: string }) => t.name === "cross-host-ipv4");
        assert.strictEqual(tc.failure.type, "fail");
        assert.match(tc.failure.message, /^measured 6\.17 Gbit\/s \(mean of 3 rounds, 95% CI \[5\.\d\d, 6\.\d\d\]\) vs expected 8 Gbit\/s, policy mean: mean 6\.16667 < expected 8$/);
        const inc = doc.testsuites.testsuite[0].testcase.find((t: { name: string }) => t.name === "cross-host-ipv6");
        assert.strictEqual(inc.failure.type, "inconclusive");
        const nat = doc.testsuites.testsuite[0].testcase.find((t: { name: string }) => t.name === "nat");
        assert.match(nat.skipped.message, /^no expected value configured \(benchmark\.expected\.\*\.remote_vm2vm\); measured 3\.35 Gbit\/s/);
        const lat = doc.testsuites.testsuite[0].testcase.find((t: { name: string }) => t.name === "latency");
        assert.ok(lat.failure === undefined && /RTT p50 99\.8 µs/.test(lat["system-out"]));
    });

    it("a failed up is an error test case; failed Azure pairs are skipped cases; run errors are errors", () => {
        const r = buildRunReport({
            stack: "azure", environment: "azure", startedAt: at, finishedAt: end,
            modes: [{ mode: null, runId: "r", error: "pulumi up failed: quota exceeded" }],
            pairs: { failed: [{ pair: "w1", os: "windows-2022", reason: "not created" }], assignments: { w1: "w2" } },
            errors: ["destroy failed"],
        });
        const d = parser.parse(renderJunit(r));
        assert.deepStrictEqual(d.testsuites.testsuite.map((s: { name: string }) => s.name), ["pairbench.azure", "pairbench.azure.pairs", "pairbench.azure.run"]);
        assert.strictEqual(d.testsuites.testsuite[0].testcase[0].error.message, "pulumi up failed: quota exceeded");
        assert.strictEqual(d.testsuites.testsuite[1].testcase[0].skipped.message, "pair w1 (windows-2022) failed to become test-ready: not created; its scenarios ran on w2");
        assert.deepStrictEqual([d.testsuites.errors, d.testsuites.tests], ["2", "3"]);
    });
});

describe("Markdown summary", () => {
    const md = renderMarkdown(both);

    it("states the outcome, then a table per mode with measured, CI, expected and verdict", () => {
        const lines = md.split("\n");
        assert.strictEqual(lines[0], "## pairbench run: lab — ❌ fail");
        assert.ok(md.includes("**verdict fail (exit 1): cross-host-ipv4 [non-offload], cross-host-ipv4 [offload] below expected**"));
        assert.deepStrictEqual(lines.filter((l) => l.startsWith("### ")), ["### Mode non-offload", "### Mode offload"]);
        const row = lines.find((l) => l.startsWith("| cross-host-ipv4 |"))!;
        assert.match(row, /^\| cross-host-ipv4 \| 6\.17 Gbit\/s \| \[5\.\d\d, 6\.\d\d\] \| 3 \| 8 Gbit\/s \| ❌ fail \| vm3 → vm1 \(cross-host\) \| mean 6\.16667 < expected 8 \|$/);
        assert.ok(lines.some((l) => /^\| latency \| 99\.8 µs \| 127 µs \| 588 µs \| 2415 µs \| 2 \| vm3 → vm1 \(cross-host\) \|$/.test(l)), md);
    });

    it("numbers have three significant digits and no trailing zeros", async () => {
        const { num } = await import("../../../automation/reports/format");
        assert.deepStrictEqual([8, 0.05, 6.1666, 12.25, 0.91793, 1085.4, -0.1111].map(num), ["8", "0.05", "6.17", "12.3", "0.918", "1085", "-0.111"]);
    });

    it("escapes what would break a table cell", () => {
        assert.strictEqual(cell("a|b\nc\\"), "a\\|b c\\\\");
    });

    it("lists failed Azure pairs with where their scenarios ran", () => {
        const r = buildRunReport({ stack: "azure", environment: "azure", startedAt: at, finishedAt: end, modes: [{ mode: null, runId: "r", results: passingDevResults() }], pairs: { failed: [{ pair: "u2", os: "ubuntu-24.04", reason: "SSH refused" }], assignments: { u2: "u1" } } });
        assert.ok(renderMarkdown(r).includes("| u2 | ubuntu-24.04 | SSH refused | u1 |"));
    });
});

describe("HTML report", () => {
    const html = renderHtml(both, fakeAssets);

    it("one chart per kind: CI chart per mode, intervals per throughput scenario, percentiles per latency scenario", () => {
        const specs = chartSpecs(both);
        assert.deepStrictEqual(specs.map((s) => s.kind), ["ci", "intervals", "intervals", "intervals", "intervals", "percentiles", "ci", "intervals", "intervals", "intervals", "intervals", "percentiles"]);
        const ci = specs[0]!;
        assert.ok(ci.kind === "ci");
        assert.deepStrictEqual(ci.categories, ["same-host-ipv4", "cross-host-ipv4", "cross-host-ipv6", "nat"]);
        assert.deepStrictEqual(ci.expected, [10, 8, 8, null]);
        assert.deepStrictEqual(ci.verdicts, ["pass", "fail", "inconclusive", "none"]);
        assert.ok(ci.lo.every((v, i) => v !== null && v < ci.mean[i]!));
        const iv = specs[1]!;
        assert.ok(iv.kind === "intervals" && iv.series.length === 3 && iv.series.every((s) => s.points.length === 4 && s.points[0]![0] === 1));
        const p = specs[5]!;
        assert.ok(p.kind === "percentiles");
        assert.deepStrictEqual(p.labels, ["p25", "p50", "p75", "p90", "p99", "p99.9", "p99.99", "p99.999"]);
        assert.strictEqual(new Set(specs.map((s) => s.id)).size, specs.length);
        assert.ok(percentileValue("p99.9") > percentileValue("p99"));
    });

    it("is one self-contained page: inline library, data and script, no external reference", () => {
        assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
        assert.doesNotMatch(html, /\b(src|href)=/);
        assert.ok(html.includes("window.echarts = { init: function () {} }; // <\\/script> inside a string"));
        const data = /<script type="application\/json" id="pairbench-charts">(.*?)<\/script>/s.exec(html)![1]!;
        assert.deepStrictEqual(JSON.parse(data), JSON.parse(JSON.stringify(chartSpecs(both))));
        for (const spec of chartSpecs(both)) assert.ok(html.includes(`<div class="chart" id="${spec.id}"></div>`), spec.id);
        assert.ok(html.includes(`<td><span class="verdict v-fail">FAIL</span></td>`));
    });

    it("escapes text, and nothing in the data can close its script element", () => {
        assert.strictEqual(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert.strictEqual(inlineJson({ s: "</script><b>" }), '{"s":"\\u003c/script>\\u003cb>"}');
        assert.strictEqual(inlineScript('x = "</SCRIPT>"'), 'x = "<\\/SCRIPT>"');
    });
});

describe("report files", () => {
    it("writes each format timestamped and as latest.*, reads latest back, appends the job summary", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-reports-"));
        try {
            const files = writeReports(dir, both, "2026-11-22T10-00-00-000Z", fakeAssets);
            const rdir = path.join(dir, "results", "lab");
            assert.deepStrictEqual(files, {
                json: path.join(rdir, "latest.json"), junit: path.join(rdir, "latest.junit.xml"), markdown: path.join(rdir, "latest.md"), html: path.join(rdir, "latest.html"),
            });
            assert.deepStrictEqual(fs.readdirSync(rdir).sort(), [
                "2026-11-22T10-00-00-000Z.html", "2026-11-22T10-00-00-000Z.json", "2026-11-22T10-00-00-000Z.junit.xml", "2026-11-22T10-00-00-000Z.md",
                "latest.html", "latest.json", "latest.junit.xml", "latest.md",
            ]);
            assert.deepStrictEqual(readLatest(dir, "lab"), JSON.parse(JSON.stringify(both)));
            assert.strictEqual(renderReport(readLatest(dir, "lab"), "markdown"), fs.readFileSync(files.markdown, "utf8"));
            assert.throws(() => readLatest(dir, "dev"), /no results for stack dev yet .*run 'pairbench run --stack dev'/);
            const summary = path.join(dir, "step-summary.md");
            fs.writeFileSync(summary, "earlier step\n");
            assert.strictEqual(appendStepSummary({ GITHUB_STEP_SUMMARY: summary }, "## run"), true);
            assert.strictEqual(fs.readFileSync(summary, "utf8"), "earlier step\n## run\n");
            assert.strictEqual(appendStepSummary({}, "## run"), false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

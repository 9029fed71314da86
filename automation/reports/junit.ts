// JUnit XML of a run, for CI test-result viewers: one test suite per mode, one test case per
// scenario × mode. A failed or inconclusive verdict is a <failure> whose message is measured vs
// expected; an up that failed is an <error>; a scenario with nothing to judge is <skipped>
// (throughput without an expected value) or passes with its figures (latency). Azure pairs
// that failed and were stood in for are skipped cases of a `pairs` suite. Pure; built with
// xmlbuilder2, never by string concatenation.
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";
import { ScenarioResult } from "../../benchmarks/results";
import { latencyText, measuredText, measuredVsExpected, placementText, roundsText } from "./format";
import { assignmentOf, ModeRecord, RunReport } from "./runReport";

interface Counts {
    tests: number;
    failures: number;
    errors: number;
    skipped: number;
}

function suiteName(report: RunReport, mode: string | null): string {
    return mode === null ? `pairbench.${report.stack}` : `pairbench.${report.stack}.${mode}`;
}

function scenarioCase(suite: XMLBuilder, classname: string, s: ScenarioResult, counts: Counts): void {
    const tc = suite.ele("testcase", { classname, name: s.name });
    const moved = assignmentOf(s);
    const where = `${placementText(s)}${moved ? `; reassigned from pair ${moved.assignedFrom} to ${moved.pair}` : ""}`;
    if (s.kind === "latency") {
        tc.ele("system-out").txt(`${latencyText(s)}; ${roundsText(s)}; ${where}`);
        return;
    }
    switch (s.verdict) {
        case "fail":
        case "inconclusive":
            counts.failures += 1;
            tc.ele("failure", { message: measuredVsExpected(s), type: s.verdict }).txt(`${roundsText(s)}\n${where}`);
            break;
        case "none":
            counts.skipped += 1;
            tc.ele("skipped", { message: `no expected value configured (benchmark.expected.*.${s.thresholdClass ?? "?"}); measured ${measuredText(s)}` });
            break;
        case "pass":
            break;
    }
    tc.ele("system-out").txt(`${measuredVsExpected(s)}\n${roundsText(s)}\n${where}`);
}

function modeSuite(root: XMLBuilder, report: RunReport, m: ModeRecord): Counts {
    const counts: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    const name = suiteName(report, m.mode);
    const suite = root.ele("testsuite", { name, timestamp: report.startedAt });
    const props = suite.ele("properties");
    props.ele("property", { name: "runId", value: m.runId });
    if (m.mode !== null) props.ele("property", { name: "mode", value: m.mode });
    for (const [key, value] of Object.entries(m.results?.context ?? {})) props.ele("property", { name: `context.${key}`, value });
    if (m.error !== undefined) {
        counts.tests += 1;
        counts.errors += 1;
        suite.ele("testcase", { classname: name, name: "pulumi up" }).ele("error", { message: m.error, type: "infrastructure" });
    }
    for (const s of m.results?.scenarios ?? []) {
        counts.tests += 1;
        scenarioCase(suite, name, s, counts);
    }
    suite.att({ tests: String(counts.tests), failures: String(counts.failures), errors: String(counts.errors), skipped: String(counts.skipped) });
    return counts;
}

function pairsSuite(root: XMLBuilder, report: RunReport): Counts {
    const failed = report.pairs?.failed ?? [];
    const name = `pairbench.${report.stack}.pairs`;
    const suite = root.ele("testsuite", { name, timestamp: report.startedAt, tests: String(failed.length), failures: "0", errors: "0", skipped: String(failed.length) });
    for (const f of failed) {
        const standIn = report.pairs?.assignments[f.pair];
        suite
            .ele("testcase", { classname: name, name: f.pair })
            .ele("skipped", { message: `pair ${f.pair} (${f.os}) failed to become test-ready: ${f.reason}; its scenarios ran on ${standIn ?? "no pair"}` });
    }
    return { tests: failed.length, failures: 0, errors: 0, skipped: failed.length };
}

/** The JUnit XML document of a run. */
export function renderJunit(report: RunReport): string {
    const root = create({ version: "1.0", encoding: "UTF-8" }).ele("testsuites", { name: `pairbench run --stack ${report.stack}` });
    const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    const add = (c: Counts) => {
        total.tests += c.tests;
        total.failures += c.failures;
        total.errors += c.errors;
        total.skipped += c.skipped;
    };
    for (const m of report.modes) add(modeSuite(root, report, m));
    if ((report.pairs?.failed.length ?? 0) > 0) add(pairsSuite(root, report));
    if (report.errors.length > 0) {
        const name = `pairbench.${report.stack}.run`;
        const suite = root.ele("testsuite", { name, timestamp: report.startedAt, tests: String(report.errors.length), failures: "0", errors: String(report.errors.length), skipped: "0" });
        report.errors.forEach((e, i) => suite.ele("testcase", { classname: name, name: `run error ${i + 1}` }).ele("error", { message: e, type: "infrastructure" }));
        add({ tests: report.errors.length, failures: 0, errors: report.errors.length, skipped: 0 });
    }
    root.att({ tests: String(total.tests), failures: String(total.failures), errors: String(total.errors), skipped: String(total.skipped) });
    return root.end({ prettyPrint: true, indent: "  " }) + "\n";
}

// End to end on the dev stack, no mocks: `pairbench run --stack dev --keep` (the CLI's run
// function) on the emulated lab, the real Pulumi engine, libvirt, ignition, SSH through the
// hypervisors, iperf3 and sockperf. run → every scenario measured with a verdict and the four
// reports written → a second up changes nothing → destroy → lab down → nothing left.
// Shortened rounds keep it to a few minutes under TCG. PAIRBENCH_SKIP_E2E=1 skips it.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import { XMLParser } from "fast-xml-parser";
import type { Stack } from "@pulumi/pulumi/automation";
import { executeRun, realRunDeps, RunOutcome } from "../../automation/commands/run";
import { RUN_SCHEMA } from "../../automation/reports/runReport";
import { openStack } from "../../automation/workspace";
import { labDown, leftovers, projectLab } from "../../lab/lab";
import { PROJECT_DIR, stackValues } from "../support/stackFiles";

const log = (line: string) => process.stderr.write(`${line.replace(/^/gm, "      ")}\n`);
const SCENARIOS = ["same-host-ipv4", "same-host-ipv6", "cross-host-ipv4", "cross-host-ipv6", "upload", "download", "latency"];

describe("e2e: pairbench run --stack dev on the emulated lab", function () {
    this.timeout(1_200_000);
    let stack: Stack | undefined;
    let outcome: RunOutcome | undefined;
    let skipped = false;

    before(function () {
        if (process.env.PAIRBENCH_SKIP_E2E === "1") {
            skipped = true;
            this.skip();
        }
    });

    after(async function () {
        if (skipped) return;
        try {
            // A run that stopped half-way may have left the stack up (--keep).
            if (stack === undefined && outcome?.lastOverrides) ({ stack } = await openStack(PROJECT_DIR, "dev", outcome.lastOverrides));
            if (stack) await stack.destroy({ onOutput: () => undefined });
        } finally {
            await labDown(PROJECT_DIR, log);
        }
    });

    it("run brings the lab up, measures every scenario with a verdict and writes the four reports", async () => {
        const benchmark = { ...stackValues("dev")["benchmark"], rounds: 2, seconds: 3, omit: 1 };
        const deps = { ...realRunDeps(PROJECT_DIR, log), io: { out: log, stream: process.stderr } };
        outcome = await executeRun(PROJECT_DIR, { stack: "dev", keep: true, overrides: { benchmark } }, deps);
        const report = outcome.report;
        assert.notStrictEqual(report.exitCode, 2, report.message);
        assert.strictEqual(report.modes.length, 1);
        const results = report.modes[0]!.results!;
        assert.deepStrictEqual(results.scenarios.map((s) => s.name), SCENARIOS);
        for (const s of results.scenarios) {
            if (s.kind === "throughput") {
                assert.strictEqual(s.rounds.length, 2, s.name);
                for (const r of s.rounds) assert.ok(r.gbps > 0, `${s.name}: round ${r.round} measured ${r.gbps}`);
                assert.ok(["pass", "fail", "inconclusive"].includes(s.verdict), `${s.name}: ${s.verdict}`);
            } else {
                assert.ok(s.stats.p50Us.mean > 0 && s.stats.p99Us.mean >= s.stats.p50Us.mean, s.name);
                assert.strictEqual(s.verdict, "none");
            }
        }
        assert.ok(["pass", "fail", "inconclusive"].includes(results.verdict));

        // The four reports: they exist and parse, and say the same as the run.
        const files = outcome.files!;
        const json = JSON.parse(fs.readFileSync(files.json, "utf8"));
        assert.deepStrictEqual([json.schema, json.stack, json.exitCode], [RUN_SCHEMA, "dev", report.exitCode]);
        const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => n === "testcase" || n === "testsuite" }).parse(
            fs.readFileSync(files.junit, "utf8"),
        );
        assert.deepStrictEqual(junit.testsuites.testsuite[0].testcase.map((t: { name: string }) => t.name), SCENARIOS);
        const md = fs.readFileSync(files.markdown, "utf8");
        assert.match(md, /^## pairbench run: dev — /);
        for (const name of SCENARIOS) assert.ok(md.includes(`| ${name} |`), `markdown lacks ${name}`);
        const html = fs.readFileSync(files.html, "utf8");
        assert.match(html, /^<!DOCTYPE html>/);
        assert.ok(html.includes('<div class="chart" id="chart-ci-run-throughput"></div>') && html.includes("echarts"), "html lacks its charts");
    });

    it("a second up changes nothing", async () => {
        assert.ok(outcome?.lastOverrides, "the run did not get to its up");
        ({ stack } = await openStack(PROJECT_DIR, "dev", outcome.lastOverrides));
        const up = await stack.up({ onOutput: () => undefined });
        assert.deepStrictEqual(Object.keys(up.summary.resourceChanges ?? {}), ["same"], JSON.stringify(up.summary.resourceChanges));
    });

    it("destroy and lab down leave no domain, namespace or process", async () => {
        const res = await stack!.destroy({ onOutput: () => undefined });
        assert.strictEqual(res.summary.result, "succeeded");
        stack = undefined;
        outcome = undefined;
        await labDown(PROJECT_DIR, log);
        assert.deepStrictEqual(await leftovers(projectLab(PROJECT_DIR)), []);
        const netns = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
        assert.doesNotMatch(netns, /pb-hv/);
        // pgrep run directly (not through sh, whose own command line would match) exits 1 for none.
        const qemu = spawnSync("pgrep", ["-af", "qemu-system-x86_64.*guest=vm[0-9]"], { encoding: "utf8" });
        assert.strictEqual(qemu.status, 1, `qemu processes left: ${qemu.stdout}`);
    });
});

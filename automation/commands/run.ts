// `pairbench run --stack S`: what CI calls (run_benchmarktest.py's flags). Checks the config
// offline, brings the emulated lab up for the dev stack, runs `pulumi up` per dpservice mode
// (Azure: pairs first, reassignment, then benchmarks), writes the reports, and destroys the
// stack in a `finally` — also after Ctrl-C / SIGTERM — unless --keep.
import * as fs from "fs";
import * as os from "os";
import { planScenarios, ScenarioSelectionError } from "../../benchmarks/scenarios";
import { Results } from "../../benchmarks/results";
import {
    ConfigIssue, formatIssues, importDpserviceConfig, ImportError, readStackFile, StackConfig, stackFilePath, StackFileError, validateStackConfig,
} from "../../config/index";
import { FileProbe, missingStackFiles } from "../../components/localFileChecks";
import { CliError, EXIT_ERROR } from "../errors";
import { computeAssignments, formatReassignment, readPairHealth, ReassignmentError } from "../reassignment";
import { HtmlAssets } from "../reports/html";
import { appendStepSummary, ReportFormat, writeReports } from "../reports/files";
import { buildRunReport, ModeRecord, PairsRecord, RunReport, withError } from "../reports/runReport";
import { formatResultsTable } from "../resultsTable";
import { knownTotal } from "../progressTotals";
import { freshRunId, planRun, RunCliOptions, RunPlan } from "../runPlan";
import { destroyWithProgress, errorText, Interrupts, OpIo, StackLike, upWithProgress } from "../stackOps";
import { applyOverrides, BaseValues } from "../workspace";

type Print = (text: string) => void;

/** What `run` needs from the outside world; the CLI passes the real ones, tests fakes. */
export interface RunDeps {
    openStack(stack: string, overrides: Readonly<Record<string, unknown>>, base?: BaseValues): Promise<{ stack: StackLike; stateDir: string }>;
    /** The emulated lab (dev stack only). */
    readonly lab: { running(): Promise<boolean>; up(out: Print): Promise<void>; down(out: Print): Promise<void> };
    readonly io: OpIo;
    readonly env: NodeJS.ProcessEnv;
    now(): Date;
    readonly assets?: HtmlAssets;
    /** What is on the local disk (the stack's keys and images); default: the real file system. */
    readonly files?: FileProbe;
    /** Skip the preview that gives progress its total (tests). */
    readonly preview?: boolean;
    /** Where SIGINT/SIGTERM arrive (tests pass an emitter); default: this process. */
    readonly signals?: NodeJS.EventEmitter;
    /** Forward SIGINT to the pulumi CLI; default: when stdin is not a terminal (see Interrupts). */
    readonly forwardSigint?: boolean;
}

export interface RunOptions extends RunCliOptions {
    /** More config overrides (tests shorten the benchmarks this way). */
    readonly overrides?: Readonly<Record<string, unknown>>;
}

export interface RunOutcome {
    readonly report: RunReport;
    /** latest.* of each format; undefined when the run stopped before any up. */
    readonly files?: Record<ReportFormat, string>;
    /** The overrides of the last up (to reopen the stack as it was left, e.g. with --keep). */
    readonly lastOverrides?: Readonly<Record<string, unknown>>;
}

/** Stacks that run on the emulated lab of this machine. */
export const LAB_STACKS: readonly string[] = ["dev"];

function configError(source: string, issues: readonly ConfigIssue[]): CliError {
    return new CliError(`configuration error (exit 2): ${source}: ${issues.length} error${issues.length === 1 ? "" : "s"}:\n${formatIssues(issues)}`, EXIT_ERROR);
}

function checkConfig(values: Readonly<Record<string, unknown>>, source: string): StackConfig {
    const result = validateStackConfig(values);
    if (!result.ok) throw configError(source, result.issues);
    try {
        planScenarios(result.config);
    } catch (e) {
        if (e instanceof ScenarioSelectionError) throw configError(source, e.problems.map((message) => ({ path: ["benchmark", "scenarios"], message })));
        throw e;
    }
    return result.config;
}

/** The stack's `pairbench:` values: an imported dpservice file, or Pulumi.<stack>.yaml. */
function loadValues(projectDir: string, opts: RunOptions, out: Print): { values: Record<string, unknown>; source: string; base?: BaseValues } {
    if (opts.configFile !== undefined) {
        if (!fs.existsSync(opts.configFile)) throw new CliError(`--config-file ${opts.configFile}: no such file`, EXIT_ERROR);
        try {
            const mode = opts.mode === "both" ? undefined : opts.mode;
            const imported = importDpserviceConfig(fs.readFileSync(opts.configFile, "utf8"), {
                ...(opts.dockerImage !== undefined ? { dockerImage: opts.dockerImage } : {}),
                ...(opts.dpserviceBuildPath !== undefined ? { buildPath: opts.dpserviceBuildPath } : {}),
                ...(mode !== undefined ? { mode } : {}),
            });
            for (const note of imported.notes) out(`note: ${note}`);
            return { values: imported.values, source: opts.configFile, base: { values: imported.values, source: opts.configFile } };
        } catch (e) {
            if (e instanceof ImportError) throw new CliError(`configuration error (exit 2): ${opts.configFile}: ${e.message}`, EXIT_ERROR);
            throw e;
        }
    }
    const file = stackFilePath(projectDir, opts.stack);
    try {
        return { values: readStackFile(file), source: file };
    } catch (e) {
        if (e instanceof StackFileError) throw new CliError(`configuration error (exit 2): ${e.message}`, EXIT_ERROR);
        throw e;
    }
}

/** Checks everything offline and returns the plan; nothing is created before this passes. */
export function prepareRun(
    projectDir: string,
    opts: RunOptions,
    out: Print,
    probe?: FileProbe,
): { plan: RunPlan; config: StackConfig; base?: BaseValues; values: Record<string, unknown> } {
    const { values, source, base } = loadValues(projectDir, opts, out);
    const config = checkConfig(applyOverrides(values, opts.overrides ?? {}), source);
    // The keys and images the stack names must be on this machine (the lab makes its own first).
    const missing = missingStackFiles(config, { stack: opts.stack, projectDir, homeDir: os.homedir() }, { probe, labWillMake: LAB_STACKS.includes(opts.stack) });
    if (missing.length > 0) throw configError(source, missing);
    const plan = planRun(opts, config);
    for (const run of plan.runs) {
        checkConfig(applyOverrides(values, { ...opts.overrides, ...run.overrides }), `${source} with ${JSON.stringify(run.overrides)}`);
    }
    return { plan, config, values, ...(base ? { base } : {}) };
}

interface Ctx {
    readonly projectDir: string;
    readonly opts: RunOptions;
    readonly deps: RunDeps;
    readonly interrupts: Interrupts;
    readonly base?: BaseValues;
    stack?: StackLike;
    stateDir?: string;
    lastOverrides?: Record<string, unknown>;
}

async function upOnce(ctx: Ctx, overrides: Record<string, unknown>, continueOnError = false) {
    const opened = await ctx.deps.openStack(ctx.opts.stack, overrides, ctx.base);
    ctx.stack = opened.stack;
    ctx.stateDir = opened.stateDir;
    ctx.lastOverrides = overrides;
    const preview = ctx.deps.preview !== false;
    const known = preview ? await knownTotal(opened.stack, { projectDir: ctx.projectDir, stateDir: opened.stateDir, stackName: ctx.opts.stack }, overrides, ctx.base) : undefined;
    return upWithProgress(opened.stack, ctx.deps.io, { continueOnError, signal: ctx.interrupts.signal, preview, ...(known ? { known } : {}) });
}

/** Azure: pairs first (failures allowed), then benchmarks on the healthy pairs. */
async function azurePairsPhase(ctx: Ctx, config: StackConfig, overrides: Record<string, unknown>): Promise<PairsRecord> {
    const out = ctx.deps.io.out;
    const pairs = (config.azure?.pairs ?? []).map((p) => ({ name: p.name, os: p.os, ...(p.imageId ? { imageId: p.imageId } : {}) }));
    out(`== pairs phase: ${pairs.length} pair(s), continuing past failures`);
    let upError: string | undefined;
    try {
        await upOnce(ctx, { ...overrides, phase: "pairs" }, true);
    } catch (e) {
        ctx.interrupts.check();
        if (ctx.stack === undefined) throw e; // the stack could not even be opened
        upError = errorText(e);
        out(`pairs phase finished with errors: ${upError}`);
    }
    const stack = ctx.stack;
    if (stack === undefined) throw new Error("the pairs phase opened no stack");
    const health = readPairHealth(await stack.exportStack(), pairs.map((p) => p.name));
    let r;
    try {
        r = computeAssignments(pairs, health);
    } catch (e) {
        // An OS without a healthy pair; say what the up reported, which may be the real cause.
        if (e instanceof ReassignmentError) throw new ReassignmentError(e.osWithoutHealthyPair, e.failed, upError);
        throw e;
    }
    for (const line of formatReassignment(r)) out(line);
    return { failed: r.failed, assignments: r.assignments };
}

async function runModes(ctx: Ctx, plan: RunPlan, config: StackConfig, modes: ModeRecord[], errors: string[]): Promise<PairsRecord | undefined> {
    const out = ctx.deps.io.out;
    let pairs: PairsRecord | undefined;
    for (const run of plan.runs) {
        ctx.interrupts.check();
        const runId = freshRunId(ctx.deps.now(), run.mode);
        const overrides: Record<string, unknown> = { ...ctx.opts.overrides, ...run.overrides, runId };
        out(`== pulumi up --stack ${plan.stack}${run.mode ? ` (mode ${run.mode})` : ""}, run ${runId}`);
        try {
            if (plan.reassign) {
                pairs = await azurePairsPhase(ctx, config, overrides);
                const assignments = Object.keys(pairs.assignments).length > 0 ? { assignments: pairs.assignments } : {};
                Object.assign(overrides, { phase: "all", ...assignments });
            }
            const up = await upOnce(ctx, overrides);
            const results = up.outputs["results"]?.value as Results | undefined;
            if (results === undefined) throw new Error(`stack ${plan.stack} exported no 'results' output`);
            out(formatResultsTable(results));
            modes.push({ mode: run.mode, runId, results });
        } catch (e) {
            if (e instanceof ReassignmentError) {
                errors.push(e.message);
                break;
            }
            const why = ctx.interrupts.interrupted ? `interrupted by ${ctx.interrupts.interrupted}` : errorText(e);
            out(`pulumi up failed: ${why}`);
            modes.push({ mode: run.mode, runId, error: why });
            break; // the next mode would meet the same broken infrastructure
        }
    }
    return pairs;
}

/** The whole run; returns the report (its exitCode decides the process's). Throws only for configuration errors. */
export async function executeRun(projectDir: string, opts: RunOptions, deps: RunDeps): Promise<RunOutcome> {
    const out = deps.io.out;
    const { plan, config, base } = prepareRun(projectDir, opts, out, deps.files);
    const startedAt = deps.now();
    const interrupts = new Interrupts(
        out,
        `the stack may still hold resources: pairbench destroy --stack ${opts.stack}`,
        deps.forwardSigint ?? process.stdin.isTTY !== true,
        deps.signals ?? process,
    ).install();
    const ctx: Ctx = { projectDir, opts, deps, interrupts, ...(base ? { base } : {}) };
    const modes: ModeRecord[] = [];
    const errors: string[] = [];
    let pairs: PairsRecord | undefined;
    let labStarted = false;
    let report: RunReport | undefined;
    let files: Record<ReportFormat, string> | undefined;
    const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
    const write = (r: RunReport) => {
        if (ctx.stateDir !== undefined) files = writeReports(ctx.stateDir, r, stamp, deps.assets);
    };
    try {
        if (LAB_STACKS.includes(opts.stack) && !(await deps.lab.running())) {
            out("== lab up (the dev stack runs on the emulated lab)");
            labStarted = true;
            await deps.lab.up(out);
        }
        pairs = await runModes(ctx, plan, config, modes, errors);
    } catch (e) {
        errors.push(e instanceof CliError ? e.message : errorText(e));
    } finally {
        report = buildRunReport({ stack: opts.stack, environment: config.environment, startedAt, finishedAt: deps.now(), modes, errors, ...(pairs ? { pairs } : {}) });
        write(report);
        interrupts.startCleanup();
        try {
            if (!opts.keep && ctx.stack !== undefined) {
                out(`== pulumi destroy --stack ${opts.stack}`);
                try {
                    await destroyWithProgress(ctx.stack, deps.io, interrupts.cleanupSignal);
                } catch (e) {
                    report = withError(report, `destroy failed, resources may be left: ${errorText(e)} (pairbench destroy --stack ${opts.stack})`);
                    write(report);
                }
            }
            if (labStarted && !opts.keep) {
                out("== lab down");
                try {
                    await deps.lab.down(out);
                } catch (e) {
                    report = withError(report, `lab down failed: ${errorText(e)}`);
                    write(report);
                }
            }
            if (opts.keep) out(`kept: stack ${opts.stack}${labStarted ? " and the lab" : ""} left up (pairbench destroy --stack ${opts.stack}${labStarted ? "; pairbench lab down" : ""})`);
        } finally {
            interrupts.uninstall();
        }
    }
    if (files !== undefined) {
        for (const [format, file] of Object.entries(files)) out(`${format}: ${file}`);
        if (appendStepSummary(deps.env, fs.readFileSync(files.markdown, "utf8"))) out("appended the summary to $GITHUB_STEP_SUMMARY");
    }
    return { report, ...(files ? { files } : {}), ...(ctx.lastOverrides ? { lastOverrides: ctx.lastOverrides } : {}) };
}

/** The real dependencies: the project's stacks, the emulated lab, this process's terminal. */
export function realRunDeps(projectDir: string, out: Print, verbose = false): RunDeps {
    return {
        openStack: async (stack, overrides, base) => {
            const { openStack } = await import("../workspace");
            const opened = await openStack(projectDir, stack, overrides, base);
            return { stack: opened.stack, stateDir: opened.paths.stateDir };
        },
        lab: {
            running: async () => (await import("../../lab/lab")).labStatus(projectDir).then((s) => s.running),
            up: async (print) => (await import("./lab")).runLabUp(projectDir, {}, print),
            down: async (print) => (await import("./lab")).runLabDown(projectDir, print),
        },
        io: { out, stream: process.stdout, verbose },
        env: process.env,
        now: () => new Date(),
    };
}

/** `pairbench run`: exit code 0, 1 (verdict) or 2 (infrastructure/configuration), with the reason. */
export async function runRun(projectDir: string, opts: RunOptions, out: Print, deps: RunDeps = realRunDeps(projectDir, out, opts.verbose)): Promise<RunOutcome> {
    const outcome = await executeRun(projectDir, opts, deps);
    out(`== ${outcome.report.message}`);
    if (outcome.report.exitCode !== 0) throw new CliError(outcome.report.message, outcome.report.exitCode);
    return outcome;
}

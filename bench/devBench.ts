// `make bench-dev`: runs what `make dev` runs (`pairbench run --stack dev`: lab up, preview
// unless the progress total is remembered, up, reports, destroy, lab down) N times and prints
// where the time goes: each phase and its share, time to the first result, each VM's boot to
// SSH-ready, the orchestration overhead against VM boot + benchmark seconds (target ≤ 1.3×)
// and against the bare measuring time, and what each VM adds on disk.
// Usage: node -r ts-node/register/transpile-only bench/devBench.ts [--runs N] [--json FILE]
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { executeRun, realRunDeps, RunDeps } from "../automation/commands/run";
import { StackLike } from "../automation/stackOps";
import { Results } from "../benchmarks/results";
import { projectLab } from "../lab/lab";
import { diskUsage, DiskUsage, formatRun, labStepSeconds, RunFigures, summarizeRuns } from "./report";
import { StepRecorder, upFigures } from "./timings";

const PROJECT_DIR = path.resolve(__dirname, "..");

/** When the preview and up began and ended, the destroy's seconds, disk use, the up's steps. */
interface Timing {
    upStart?: number;
    previewEnd?: number;
    upEnd?: number;
    destroySeconds?: number;
    disk?: DiskUsage[];
    readonly recorder: StepRecorder;
}

/** A stack whose preview, up and destroy are timed, and whose up's steps are recorded. */
function timedStack(stack: StackLike, rec: Timing): StackLike {
    return {
        name: stack.name,
        exportStack: () => stack.exportStack(),
        preview: async (opts) => {
            rec.upStart ??= Date.now();
            try {
                return await stack.preview(opts);
            } finally {
                rec.previewEnd = Date.now();
            }
        },
        up: async (opts) => {
            rec.upStart ??= Date.now();
            try {
                return await stack.up({ ...opts, onEvent: (e) => { rec.recorder.onEvent(e); opts?.onEvent?.(e); } });
            } finally {
                rec.upEnd = Date.now();
            }
        },
        destroy: async (opts) => {
            // What the VMs occupy on the hypervisors, while they still exist.
            rec.disk = projectLab(PROJECT_DIR).hypervisors.map((hv) => diskUsage(hv.name, path.join(hv.dir, "workdir")));
            const t0 = Date.now();
            try {
                return await stack.destroy(opts);
            } finally {
                rec.destroySeconds = (Date.now() - t0) / 1000;
            }
        },
    };
}

async function oneRun(log: fs.WriteStream): Promise<RunFigures> {
    const real = realRunDeps(PROJECT_DIR, (l) => log.write(`${l}\n`));
    const rec: Timing = { recorder: new StepRecorder() };
    const labLines: string[] = [];
    const phases: Record<string, number> = {};
    const timed = async (phase: string, fn: () => Promise<void>) => {
        const t0 = Date.now();
        try {
            await fn();
        } finally {
            phases[phase] = (Date.now() - t0) / 1000;
        }
    };
    const deps: RunDeps = {
        ...real,
        io: { out: (l) => log.write(`${l}\n`), stream: log },
        openStack: async (stack, overrides, base) => {
            const opened = await real.openStack(stack, overrides, base);
            return { ...opened, stack: timedStack(opened.stack, rec) };
        },
        lab: {
            running: real.lab.running,
            up: (out) => timed("lab up", () => real.lab.up((l) => { labLines.push(l); out(l); })),
            down: (out) => timed("lab down", () => real.lab.down(out)),
        },
    };
    const t0 = Date.now();
    const outcome = await executeRun(PROJECT_DIR, { stack: "dev" }, deps);
    const total = (Date.now() - t0) / 1000;
    if (outcome.report.exitCode === 2) throw new Error(`the run failed: ${outcome.report.message} (log: ${log.path})`);
    if (rec.upStart === undefined || rec.upEnd === undefined) throw new Error("the run never got to its up");
    const results = outcome.report.modes[0]?.results as Results | undefined;
    return {
        totalSeconds: total,
        phases: { ...phases, "preview + up": (rec.upEnd - rec.upStart) / 1000, destroy: rec.destroySeconds ?? 0 },
        labSteps: labStepSeconds(labLines),
        up: upFigures(rec.recorder.steps, rec.upStart, rec.upEnd, results, rec.previewEnd),
        disk: rec.disk ?? [],
        verdict: outcome.report.message,
    };
}

async function main(): Promise<void> {
    const opts = new Command()
        .option("--runs <n>", "how many runs", "1")
        .option("--json <file>", "also write the figures as JSON")
        .option("--log <file>", "the runs' progress output", ".pairbench/bench/dev.log")
        .parse()
        .opts<{ runs: string; json?: string; log: string }>();
    const runs = Number(opts.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number ≥ 1 (is ${opts.runs})`);
    fs.mkdirSync(path.dirname(path.resolve(PROJECT_DIR, opts.log)), { recursive: true });
    const log = fs.createWriteStream(path.resolve(PROJECT_DIR, opts.log));
    const all: RunFigures[] = [];
    for (let i = 1; i <= runs; i++) {
        process.stdout.write(`== run ${i}/${runs} (progress in ${opts.log})\n`);
        const f = await oneRun(log);
        all.push(f);
        process.stdout.write(`${formatRun(f)}\n`);
    }
    if (runs > 1) process.stdout.write(`${summarizeRuns(all)}\n`);
    if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(all, null, 2)}\n`);
    log.end();
}

main().catch((e) => {
    process.stderr.write(`bench-dev: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
});

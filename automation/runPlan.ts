// What `pairbench run` will do, decided before anything is created: the modes to run, the
// config overrides of each, and the usage errors. Pure: options and a validated config in,
// a plan out. run_benchmarktest.py's flags (dpservice-benchmark-suite.md §3.1) map onto
// `pairbench:dataplane.dpservice.*` overrides; `pairbench:runId` makes the benchmarks run again.
import type { StackConfig } from "../config/schema";
import { CliError, EXIT_ERROR } from "./errors";

export type DpserviceMode = "offload" | "non-offload";
export type ModeOption = DpserviceMode | "both";

/** The options of `pairbench run`, as commander parses them. */
export interface RunCliOptions {
    readonly stack: string;
    readonly mode?: ModeOption;
    readonly stage?: "dev" | "cicd";
    readonly dockerImage?: string;
    readonly dpserviceBuildPath?: string;
    /** true: --reboot, false: --no-reboot, undefined: the stack's setting. */
    readonly reboot?: boolean;
    /** A dpservice test_configurations.json, imported on the fly. */
    readonly configFile?: string;
    readonly keep?: boolean;
    readonly verbose?: boolean;
}

/** One `pulumi up` of benchmarks: a dpservice mode (null when the dataplane has none). */
export interface ModeRun {
    readonly mode: DpserviceMode | null;
    /** Config overrides besides runId (which is fresh per run). */
    readonly overrides: Readonly<Record<string, unknown>>;
}

export interface RunPlan {
    readonly stack: string;
    readonly environment: StackConfig["environment"];
    /** In order; `--mode both` is non-offload then offload, as run_benchmarktest.py does. */
    readonly runs: readonly ModeRun[];
    /** Azure: pairs first, reassignment, then benchmarks. */
    readonly reassign: boolean;
}

/** The dpservice options given, as `--flag` → override key. */
const DPSERVICE_FLAGS = [
    ["--mode", "mode"],
    ["--stage", "stage"],
    ["--docker-image", "dockerImage"],
    ["--dpservice-build-path", "dpserviceBuildPath"],
    ["--reboot", "reboot"],
] as const;

/** The override keys of the dpservice flags other than --mode. */
export function dpserviceOverrides(opts: RunCliOptions): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (opts.stage !== undefined) out["dataplane.dpservice.stage"] = opts.stage;
    if (opts.dockerImage !== undefined) out["dataplane.dpservice.image"] = opts.dockerImage;
    if (opts.dpserviceBuildPath !== undefined) out["dataplane.dpservice.buildPath"] = opts.dpserviceBuildPath;
    // Set only when given, so the stack's (or the schema's) default stays in force otherwise.
    if (opts.reboot !== undefined) out["dataplane.dpservice.reboot"] = opts.reboot;
    return out;
}

/**
 * The plan for a validated config (the stack's, before the run's overrides). Throws a usage
 * error (exit 2) for a dpservice option on a stack whose dataplane is not dpservice.
 */
export function planRun(opts: RunCliOptions, config: StackConfig): RunPlan {
    const kind = config.dataplane.kind;
    if (kind !== "dpservice") {
        const given = DPSERVICE_FLAGS.filter(([, key]) => opts[key] !== undefined).map(([flag, key]) =>
            key === "reboot" && opts.reboot === false ? "--no-reboot" : flag,
        );
        if (given.length > 0) {
            throw new CliError(
                `${given.join(", ")} ${given.length === 1 ? "applies" : "apply"} to the dpservice dataplane only; ` +
                    `stack ${opts.stack} has dataplane ${kind} (pairbench:dataplane.kind)`,
                EXIT_ERROR,
            );
        }
    }
    const common = kind === "dpservice" ? dpserviceOverrides(opts) : {};
    let runs: ModeRun[];
    if (kind !== "dpservice") {
        runs = [{ mode: null, overrides: common }];
    } else {
        const modes: DpserviceMode[] =
            opts.mode === "both" ? ["non-offload", "offload"] : [opts.mode ?? config.dataplane.dpservice?.mode ?? "non-offload"];
        runs = modes.map((mode) => ({ mode, overrides: { ...common, "dataplane.dpservice.mode": mode } }));
    }
    return { stack: opts.stack, environment: config.environment, runs, reassign: config.environment === "azure" };
}

/** A run id that sorts by time and is fresh per `pulumi up`: `2026-11-22T10-00-00-000Z-offload`. */
export function freshRunId(now: Date, mode: DpserviceMode | null): string {
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    return mode === null ? stamp : `${stamp}-${mode}`;
}

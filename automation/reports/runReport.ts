// The document `pairbench run` writes (docs/results-schema.md, "The run document"): one
// `pairbench.results/v1` document per dpservice mode, what went wrong outside the benchmarks,
// the Azure pairs that failed and where their scenarios ran, and the outcome with its exit
// code. Every report format is rendered from it. Pure.
import { Results, ScenarioResult, RESULTS_SCHEMA } from "../../benchmarks/results";
import { overallVerdict, Verdict } from "../../benchmarks/verdict";
import { EXIT_ERROR, EXIT_FAILED, EXIT_OK } from "../errors";

export const RUN_SCHEMA = "pairbench.run/v1";

/** One `pulumi up` of the run: a dpservice mode, or null for dataplanes without modes. */
export interface ModeRecord {
    readonly mode: string | null;
    readonly runId: string;
    /** The stack's `results` output; absent when the up failed. */
    readonly results?: Results;
    /** Why the up failed (infrastructure), when it did. */
    readonly error?: string;
}

export interface PairsRecord {
    readonly failed: ReadonlyArray<{ readonly pair: string; readonly os: string; readonly reason: string }>;
    readonly assignments: Readonly<Record<string, string>>;
}

export interface Outcome {
    /** pass/fail/inconclusive/none over every scenario of every mode; `error` for infrastructure errors. */
    readonly verdict: Verdict | "error";
    readonly exitCode: number;
    /** One sentence: which exit code and why. */
    readonly message: string;
}

export interface RunReport extends Outcome {
    readonly schema: typeof RUN_SCHEMA;
    readonly stack: string;
    readonly environment: string;
    readonly startedAt: string;
    readonly finishedAt: string;
    readonly modes: readonly ModeRecord[];
    /** Azure: pairs that failed to become test-ready, and their stand-ins. */
    readonly pairs?: PairsRecord;
    /** Errors outside a mode's up (no healthy pair for an OS, destroy failed, ...). */
    readonly errors: readonly string[];
}

/** The label of a scenario in a mode: `cross-host-ipv4 [offload]`, or the name alone. */
export function scenarioLabel(mode: string | null, s: { readonly name: string }): string {
    return mode === null ? s.name : `${s.name} [${mode}]`;
}

/** Where a scenario ran when it was reassigned (issue 8 adds `pair`/`assignedFrom` to results). */
export function assignmentOf(s: ScenarioResult): { readonly pair: string; readonly assignedFrom: string } | undefined {
    const r = s as unknown as { pair?: unknown; assignedFrom?: unknown };
    return typeof r.pair === "string" && typeof r.assignedFrom === "string" && r.assignedFrom !== r.pair
        ? { pair: r.pair, assignedFrom: r.assignedFrom }
        : undefined;
}

/** Exit code and message: 2 for any infrastructure error, 1 for a failed or inconclusive verdict, else 0. */
export function decideOutcome(modes: readonly ModeRecord[], errors: readonly string[]): Outcome {
    const infra = [...modes.filter((m) => m.error !== undefined).map((m) => `${m.mode === null ? "" : `mode ${m.mode}: `}${m.error}`), ...errors];
    if (infra.length > 0) {
        return { verdict: "error", exitCode: EXIT_ERROR, message: `infrastructure or configuration error (exit 2): ${infra.join("; ")}` };
    }
    const judged = modes.flatMap((m) => (m.results?.scenarios ?? []).map((s) => ({ label: scenarioLabel(m.mode, s), verdict: s.verdict })));
    const verdict = overallVerdict(judged.map((j) => j.verdict));
    const named = (v: Verdict) => judged.filter((j) => j.verdict === v).map((j) => j.label);
    switch (verdict) {
        case "fail":
            return { verdict, exitCode: EXIT_FAILED, message: `verdict fail (exit 1): ${named("fail").join(", ")} below expected` };
        case "inconclusive":
            return {
                verdict,
                exitCode: EXIT_FAILED,
                message: `verdict inconclusive (exit 1, policy ci): the 95% interval of ${named("inconclusive").join(", ")} contains the expected value`,
            };
        case "pass":
            return { verdict, exitCode: EXIT_OK, message: `verdict pass (exit 0): ${named("pass").length} scenario(s) met their expected value` };
        case "none":
            return { verdict, exitCode: EXIT_OK, message: "nothing judged (exit 0): no expected values are configured" };
    }
}

export function buildRunReport(input: {
    readonly stack: string;
    readonly environment: string;
    readonly startedAt: Date;
    readonly finishedAt: Date;
    readonly modes: readonly ModeRecord[];
    readonly pairs?: PairsRecord;
    readonly errors?: readonly string[];
}): RunReport {
    const errors = input.errors ?? [];
    return {
        schema: RUN_SCHEMA,
        stack: input.stack,
        environment: input.environment,
        startedAt: input.startedAt.toISOString(),
        finishedAt: input.finishedAt.toISOString(),
        ...decideOutcome(input.modes, errors),
        modes: [...input.modes],
        ...(input.pairs !== undefined ? { pairs: input.pairs } : {}),
        errors: [...errors],
    };
}

/** The report with one more error (e.g. destroy failed after the reports were first written). */
export function withError(report: RunReport, error: string): RunReport {
    const errors = [...report.errors, error];
    return { ...report, ...decideOutcome(report.modes, errors), errors };
}

/**
 * A run document from a file's JSON: a `pairbench.run/v1` document, or a bare
 * `pairbench.results/v1` document (what `pairbench dev` wrote before `run` existed), wrapped.
 */
export function parseRunReport(json: unknown, source: string): RunReport {
    const doc = json as { schema?: unknown } | null;
    if (doc?.schema === RUN_SCHEMA) return json as RunReport;
    if (doc?.schema === RESULTS_SCHEMA) {
        const results = json as Results;
        const at = new Date(0);
        return buildRunReport({
            stack: results.context["stack"] ?? "unknown",
            environment: results.context["environment"] ?? "unknown",
            startedAt: at,
            finishedAt: at,
            modes: [{ mode: null, runId: results.runId, results }],
        });
    }
    throw new Error(`${source}: not a pairbench run or results document (schema ${JSON.stringify(doc?.schema)}; expected ${RUN_SCHEMA})`);
}

// Azure pairs that failed to become test-ready hand their benchmarks to healthy pairs of the
// same OS: netperf's reassignment (netperf.md §5.1 step 5), without its bugs. Pure.
//
// - Health is the readiness check itself (SSH works and the peer answers), read from the
//   exported state, not "both creation jobs completed" (netperf counted a pair whose onboarding
//   then failed as healthy).
// - "Same OS" is the same image: two `gallery` pairs with different image ids are different
//   builds and never stand in for each other (netperf compared only the OS label).
// - Round-robin runs per OS over that OS's healthy pairs in config order, so the result is
//   deterministic and spreads the extra jobs evenly.
// - The run fails only when an OS has no healthy pair, and the message names that OS and why
//   each of its pairs failed.
//
// The agreed interface with the program (docs/ci.md "Azure reassignment"): each Azure pair is
// a TestReadyPair named `pairbench-<pair>` whose readiness check is its child
// `pairbench-<pair>-peer`; `pairbench:phase=pairs` stops after the checks, and
// `pairbench:assignments` maps a failed pair to the healthy pair that runs its scenarios.

export const PAIR_TYPE = "pairbench:components:TestReadyPair";
/** Resource-name prefix of the environment's pairs (the environment component's name). */
export const PAIR_PREFIX = "pairbench";
/** The readiness check's name is the pair's name plus this suffix. */
export const READINESS_SUFFIX = "-peer";

/** A configured pair: its name and what decides which pairs may stand in for it. */
export interface PairSpec {
    readonly name: string;
    readonly os: string;
    readonly imageId?: string;
}

export type PairHealth =
    | { readonly pair: string; readonly healthy: true }
    | { readonly pair: string; readonly healthy: false; readonly reason: string };

interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly parent?: string;
    readonly initErrors?: readonly string[];
}

/** The resources of `stack.exportStack()` (Deployment v3). Throws on anything else. */
export function stateResources(exported: unknown): StateResource[] {
    const dep = (exported as { deployment?: { resources?: unknown } } | null)?.deployment;
    if (dep === undefined || dep === null || typeof dep !== "object") {
        throw new Error("the exported stack has no 'deployment' object (expected `pulumi stack export` output)");
    }
    const resources = dep.resources ?? [];
    if (!Array.isArray(resources)) throw new Error("the exported stack's deployment.resources is not a list");
    return resources.filter(
        (r): r is StateResource => r !== null && typeof r === "object" && typeof r.urn === "string" && typeof r.type === "string",
    );
}

/** The resource's own name: the part of its URN after the last `::`. */
export function urnResourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Which configured pairs are test-ready, read from the state after the `pairs` phase. */
export function readPairHealth(exported: unknown, pairs: readonly string[], prefix: string = PAIR_PREFIX): PairHealth[] {
    const resources = stateResources(exported);
    const pending = new Set(
        ((exported as { deployment?: { pending_operations?: Array<{ resource?: { urn?: string } }> } }).deployment?.pending_operations ?? [])
            .map((op) => op.resource?.urn)
            .filter((u): u is string => typeof u === "string"),
    );
    return pairs.map((pair): PairHealth => {
        const pairName = `${prefix}-${pair}`;
        const component = resources.find((r) => r.type === PAIR_TYPE && urnResourceName(r.urn) === pairName);
        if (component === undefined) {
            return { pair, healthy: false, reason: `not created (no TestReadyPair ${pairName} in the state)` };
        }
        const checkName = `${pairName}${READINESS_SUFFIX}`;
        const check = resources.find((r) => r.parent === component.urn && urnResourceName(r.urn) === checkName);
        if (check === undefined) {
            return { pair, healthy: false, reason: `readiness check ${checkName} did not complete (SSH or the peer did not answer)` };
        }
        if (check.initErrors !== undefined && check.initErrors.length > 0) {
            return { pair, healthy: false, reason: `readiness check ${checkName} failed: ${check.initErrors[0]}` };
        }
        if (pending.has(check.urn)) return { pair, healthy: false, reason: `readiness check ${checkName} was interrupted` };
        return { pair, healthy: true };
    });
}

/** What "the same OS" means for reassignment: the OS, and for gallery images the image. */
export function osKey(p: PairSpec): string {
    return p.os === "gallery" ? `gallery ${p.imageId ?? "(no imageId)"}` : p.os;
}

export interface Reassignment {
    /** failed pair → healthy pair of the same OS (the `pairbench:assignments` value). */
    readonly assignments: Readonly<Record<string, string>>;
    /** The pairs that failed, with why, in config order. */
    readonly failed: ReadonlyArray<{ readonly pair: string; readonly os: string; readonly reason: string }>;
}

export class ReassignmentError extends Error {
    constructor(
        readonly osWithoutHealthyPair: readonly string[],
        readonly failed: Reassignment["failed"],
        /** What the pairs phase's `up` reported, when it failed (e.g. the program itself failed). */
        upError?: string,
    ) {
        const detail = failed
            .filter((f) => osWithoutHealthyPair.includes(f.os))
            .map((f) => `  - ${f.pair} (${f.os}): ${f.reason}`)
            .join("\n");
        const cause = upError !== undefined ? `\nthe pairs phase's pulumi up said: ${upError}` : "";
        super(`no healthy pair for OS ${osWithoutHealthyPair.join(", ")}; nothing can run its benchmarks:\n${detail}${cause}`);
        this.name = "ReassignmentError";
    }
}

/**
 * Assigns every failed pair round-robin to a healthy pair of the same OS (config order).
 * Throws ReassignmentError naming each OS that has no healthy pair. A pair missing from
 * `health` counts as failed.
 */
export function computeAssignments(pairs: readonly PairSpec[], health: readonly PairHealth[]): Reassignment {
    const byName = new Map(health.map((h) => [h.pair, h]));
    const failed: Array<{ pair: string; os: string; reason: string }> = [];
    const healthyByOs = new Map<string, string[]>();
    const failedByOs = new Map<string, string[]>();
    for (const p of pairs) {
        const key = osKey(p);
        const h = byName.get(p.name);
        if (h?.healthy === true) {
            healthyByOs.set(key, [...(healthyByOs.get(key) ?? []), p.name]);
        } else {
            failed.push({ pair: p.name, os: key, reason: h === undefined ? "no health record" : h.reason });
            failedByOs.set(key, [...(failedByOs.get(key) ?? []), p.name]);
        }
    }
    const orphaned = [...failedByOs.keys()].filter((os) => !healthyByOs.has(os));
    if (orphaned.length > 0) throw new ReassignmentError(orphaned, failed);
    const assignments: Record<string, string> = {};
    for (const [os, names] of failedByOs) {
        const healthy = healthyByOs.get(os)!;
        names.forEach((name, i) => {
            assignments[name] = healthy[i % healthy.length]!;
        });
    }
    return { assignments, failed };
}

/** Lines for the log and the reports: which pairs failed and where their scenarios run. */
export function formatReassignment(r: Reassignment): string[] {
    if (r.failed.length === 0) return ["all pairs are test-ready"];
    return r.failed.map((f) => `pair ${f.pair} (${f.os}) failed: ${f.reason}; its scenarios run on ${r.assignments[f.pair] ?? "no pair"}`);
}

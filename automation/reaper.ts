// Which stacks the reaper destroys. Pure: stack summaries and exported states in, decisions out.
//
// The rule (docs/ci.md, "Reaping"): a stack expires at the earliest `pairbench:expiresAt` tag
// on any of its resources (Azure resources carry it, from `pairbench:azure.ttl`); a stack
// without such a tag expires at its last update + the --older-than age (default 6h). Stacks
// with no resources, and stacks with an update in progress, are never touched.
import { DURATION_PATTERN } from "../config/schema";
import { stateResources } from "./reassignment";

export const EXPIRES_AT_TAG = "pairbench:expiresAt";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90m`, `6h`, `2d` → milliseconds; throws naming the format otherwise. */
export function parseDuration(text: string): number {
    const m = DURATION_PATTERN.exec(text);
    if (!m) throw new Error(`'${text}' is not a duration; use minutes, hours or days such as 90m, 6h or 2d`);
    return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export interface StackInfo {
    readonly name: string;
    /** ISO time of the last update, as `pulumi stack ls` reports it. */
    readonly lastUpdate?: string;
    readonly updateInProgress?: boolean;
    readonly resourceCount?: number;
}

/** The earliest valid `pairbench:expiresAt` tag in an exported state, or null. */
export function earliestExpiryTag(exported: unknown): Date | null {
    let earliest: Date | null = null;
    for (const r of stateResources(exported) as Array<{ inputs?: { tags?: unknown }; outputs?: { tags?: unknown } }>) {
        for (const tags of [r.outputs?.tags, r.inputs?.tags]) {
            if (tags === null || typeof tags !== "object") continue;
            const value = (tags as Record<string, unknown>)[EXPIRES_AT_TAG];
            if (typeof value !== "string") continue;
            const at = new Date(value);
            if (!Number.isNaN(at.getTime()) && (earliest === null || at < earliest)) earliest = at;
        }
    }
    return earliest;
}

export interface ReapDecision {
    readonly stack: string;
    readonly destroy: boolean;
    readonly resources: number;
    /** When it expires (null: never, e.g. empty). */
    readonly expiresAt: string | null;
    readonly reason: string;
}

/** The decision for one stack; `exported` is its `pulumi stack export` (undefined if unread). */
export function decideReap(stack: StackInfo, exported: unknown, olderThanMs: number, now: Date): ReapDecision {
    const resources = stack.resourceCount ?? (exported !== undefined ? stateResources(exported).length : 0);
    const base = { stack: stack.name, resources };
    if (stack.updateInProgress) return { ...base, destroy: false, expiresAt: null, reason: "an update is in progress" };
    if (resources === 0) return { ...base, destroy: false, expiresAt: null, reason: "empty (nothing to destroy)" };
    const tag = exported !== undefined ? earliestExpiryTag(exported) : null;
    let expiresAt: Date;
    let source: string;
    if (tag !== null) {
        expiresAt = tag;
        source = `${EXPIRES_AT_TAG} tag`;
    } else if (stack.lastUpdate !== undefined && !Number.isNaN(new Date(stack.lastUpdate).getTime())) {
        expiresAt = new Date(new Date(stack.lastUpdate).getTime() + olderThanMs);
        source = "last update + --older-than";
    } else {
        return { ...base, destroy: false, expiresAt: null, reason: "no expiry tag and no last update time: left alone" };
    }
    const expired = now.getTime() >= expiresAt.getTime();
    return {
        ...base,
        destroy: expired,
        expiresAt: expiresAt.toISOString(),
        reason: `${expired ? "expired" : "expires"} ${expiresAt.toISOString()} (${source})`,
    };
}

/** The decisions as a table for the terminal. */
export function formatReapTable(decisions: readonly ReapDecision[], dryRun: boolean): string {
    if (decisions.length === 0) return "no stacks in the backend";
    const rows = [
        ["stack", "resources", "action", "why"],
        ...decisions.map((d) => [d.stack, String(d.resources), d.destroy ? (dryRun ? "would destroy" : "destroy") : "keep", d.reason]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

// Tags on every taggable Azure resource, for the reaper and for people reading the portal:
// which stack made it, in which run, and when it may be deleted. Pure; no Pulumi values.
import { DURATION_PATTERN } from "../../config/schema";

export const TAG_STACK = "pairbench:stack";
export const TAG_RUN = "pairbench:run";
export const TAG_EXPIRES_AT = "pairbench:expiresAt";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90m`, `6h`, `2d` in milliseconds. */
export function ttlMilliseconds(ttl: string): number {
    const m = DURATION_PATTERN.exec(ttl);
    if (!m) throw new Error(`pairbench:azure.ttl: '${ttl}' is not a duration such as 90m, 6h or 2d`);
    return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/**
 * When the stack expires: its creation time (stamped once, see AzureEnvironment) plus the TTL,
 * as an ISO time in UTC with seconds precision.
 */
export function expiryFrom(createdAt: string, ttl: string): string {
    const created = Date.parse(createdAt.trim());
    if (Number.isNaN(created)) throw new Error(`the stack's creation stamp '${createdAt.trim()}' is not an ISO time`);
    return new Date(created + ttlMilliseconds(ttl)).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The run tag's value: the CLI's run id, or `manual` for a plain `pulumi up`. */
export function runTag(runId: string): string {
    return runId === "" ? "manual" : runId;
}

/** The three pairbench tags; `expiresAt` may be an Output (only its value is unknown in a first preview). */
export function azureTags<T>(stack: string, runId: string, expiresAt: T): Record<string, string | T> {
    return { [TAG_STACK]: stack, [TAG_RUN]: runTag(runId), [TAG_EXPIRES_AT]: expiresAt };
}

// Turns the raw `pairbench:` config of a stack into a typed StackConfig, or into the complete
// list of problems, each with its field path. Used by the Pulumi program (before any resource
// is registered) and by `pairbench validate`, so both report exactly the same errors.
import { z } from "zod";
import { BrokenNames, ConfigIssue, crossCheck } from "./crossChecks";
import { hypervisor, image, stackConfig, StackConfig, vm } from "./schema";

export const NAMESPACE = "pairbench";

export type ValidationResult =
    | { readonly ok: true; readonly config: StackConfig }
    | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** `["vms", 1, "overlay", "ipv4"]` → `pairbench:vms[1].overlay.ipv4`. */
export function formatPath(path: ReadonlyArray<string | number>): string {
    let out = "";
    path.forEach((seg, i) => {
        if (typeof seg === "number") out += `[${seg}]`;
        else out += i === 0 ? `${NAMESPACE}:${seg}` : `.${seg}`;
    });
    return out === "" ? `${NAMESPACE}:` : out;
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
    return issues.map((iss) => `  - ${formatPath(iss.path)}: ${iss.message}`).join("\n");
}

/** The raw value at a path, or undefined when any step is missing. */
export function valueAt(values: unknown, path: ReadonlyArray<string | number>): unknown {
    let cur: unknown = values;
    for (const seg of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<string | number, unknown>)[seg];
    }
    return cur;
}

function fromZod(error: z.ZodError, values: unknown): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const iss of error.issues) {
        const path = iss.path.filter((p): p is string | number => typeof p !== "symbol");
        if (iss.code === "unrecognized_keys") {
            // One issue per unknown key, at the key's own path.
            for (const key of iss.keys) issues.push({ path: [...path, key], message: iss.message });
        } else if (path.length > 0 && valueAt(values, path) === undefined) {
            issues.push({ path, message: `is required and missing; it ${iss.message}` });
        } else {
            issues.push({ path, message: iss.message });
        }
    }
    return issues;
}

/**
 * Strips the `pairbench:` namespace from stack config keys. Keys of other namespaces
 * (`azure-native:location`, ...) belong to providers and are left out; a key without a namespace
 * is the project's own, as Pulumi treats it.
 */
export function namespaceValues(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(config)) {
        const colon = key.indexOf(":");
        if (colon < 0) out[key] = value;
        else if (key.slice(0, colon) === NAMESPACE) out[key.slice(colon + 1)] = value;
    }
    return out;
}

const ITEM_SCHEMAS = { hypervisors: hypervisor, images: image, vms: vm } as const;

/**
 * When the shape check fails, the cross-field checks still run on what did parse, so one run
 * reports every error: list items that fail leave a hole (forEach skips it, indices stay those of
 * the file). When any other section fails, the cross checks would guess at it, so they are skipped.
 */
function salvage(values: unknown): { config: StackConfig; broken: BrokenNames } | undefined {
    if (values === null || typeof values !== "object" || Array.isArray(values)) return undefined;
    const raw = values as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const broken = { hypervisors: new Set<string>(), images: new Set<string>(), vms: new Set<string>() };
    for (const [key, schema] of Object.entries(stackConfig.shape)) {
        const parsed = schema.safeParse(raw[key]);
        if (parsed.success) {
            out[key] = parsed.data;
            continue;
        }
        const list = raw[key];
        if (Array.isArray(list) && key in ITEM_SCHEMAS) {
            const item = ITEM_SCHEMAS[key as keyof typeof ITEM_SCHEMAS];
            const kept: unknown[] = new Array(list.length);
            list.forEach((entry, i) => {
                const p = item.safeParse(entry);
                if (p.success) kept[i] = p.data;
                else if (entry && typeof entry === "object" && typeof (entry as { name?: unknown }).name === "string") {
                    broken[key as keyof typeof broken].add((entry as { name: string }).name);
                }
            });
            out[key] = kept;
            continue;
        }
        return undefined;
    }
    return { config: out as StackConfig, broken };
}

/** Validates the `pairbench:` values of a stack (namespace already stripped). */
export function validateStackConfig(values: unknown): ValidationResult {
    const parsed = stackConfig.safeParse(values);
    if (parsed.success) {
        const issues = crossCheck(parsed.data);
        return issues.length > 0 ? { ok: false, issues } : { ok: true, config: parsed.data };
    }
    const issues = fromZod(parsed.error, values);
    const partial = salvage(values);
    if (partial !== undefined) {
        // Cross checks on a partial config must not crash; their findings are a bonus.
        try {
            issues.push(...crossCheck(partial.config, partial.broken));
        } catch {
            /* the shape errors above already explain the problem */
        }
    }
    return { ok: false, issues };
}

export class ConfigError extends Error {
    constructor(
        readonly source: string,
        readonly issues: readonly ConfigIssue[],
    ) {
        super(
            `${source}: ${issues.length} configuration error${issues.length === 1 ? "" : "s"}:\n${formatIssues(issues)}`,
        );
        this.name = "ConfigError";
    }
}

/** Validated config, or a ConfigError listing every problem. */
export function parseStackConfig(values: unknown, source: string): StackConfig {
    const result = validateStackConfig(values);
    if (!result.ok) throw new ConfigError(source, result.issues);
    return result.config;
}

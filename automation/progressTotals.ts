// The progress line's total ("41/97") without a preview. A preview runs the whole program once
// more (about 7 s of a dev run); but an up from an empty stack creates every resource the
// program registers, and that number changes only with the program or its configuration. So
// after such an up the count is kept, keyed by the stack's configuration (the run id aside) and
// the program's files, and the next up from an empty stack with that key uses it instead of a
// preview.
// A stale count can only make the total wrong (the printer then drops it), never the up.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { stackFilePath } from "../config/index";
import { stateResources } from "./reassignment";
import type { KnownTotal, StackLike } from "./stackOps";
import type { BaseValues } from "./workspace";

/** What can change the resources the program registers, besides the stack's config. */
export const PROGRAM_PATHS: readonly string[] = ["index.ts", "Pulumi.yaml", "package-lock.json", "components", "benchmarks", "config"];

/** `relative path:size:mtime` of every file under `paths` (sorted): cheap, and changes with any edit. */
export function programFingerprint(projectDir: string, paths: readonly string[] = PROGRAM_PATHS): string {
    const entries: string[] = [];
    const walk = (rel: string) => {
        const abs = path.join(projectDir, rel);
        const st = fs.statSync(abs, { throwIfNoEntry: false });
        if (st === undefined) return;
        if (st.isDirectory()) for (const name of fs.readdirSync(abs)) walk(path.join(rel, name));
        else if (st.isFile()) entries.push(`${rel}:${st.size}:${st.mtimeMs}`);
    };
    for (const p of paths) walk(p);
    return entries.sort().join("\n");
}

export function totalsKey(config: string, fingerprint: string): string {
    return crypto.createHash("sha256").update(config).update("\0").update(fingerprint).digest("hex");
}

/** How many keys the file keeps (one per stack and configuration in use). */
const KEEP = 20;

/** Totals by key in a small JSON file; an unreadable file counts as empty. */
export class ProgressTotals {
    constructor(private readonly file: string) {}

    private read(): Array<[string, number]> {
        try {
            const parsed: unknown = JSON.parse(fs.readFileSync(this.file, "utf8"));
            if (!Array.isArray(parsed)) return [];
            return parsed.filter((e): e is [string, number] => Array.isArray(e) && typeof e[0] === "string" && Number.isInteger(e[1]) && e[1] > 0);
        } catch {
            return [];
        }
    }

    get(key: string): number | undefined {
        return this.read().find(([k]) => k === key)?.[1];
    }

    put(key: string, total: number): void {
        const kept = this.read().filter(([k]) => k !== key).slice(-(KEEP - 1));
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        fs.writeFileSync(this.file, `${JSON.stringify([...kept, [key, total]])}\n`);
    }
}

/**
 * The remembered total for an up of `stackName` when its state is empty (an up from nothing
 * creates exactly what the program registers), and where to keep the count afterwards. The key
 * leaves out `runId`, which changes on every run without changing what is registered.
 * Undefined when the stack holds resources: then only a preview knows what will change.
 */
export async function knownTotal(
    stack: Pick<StackLike, "exportStack">,
    where: { readonly projectDir: string; readonly stateDir: string; readonly stackName: string },
    overrides: Readonly<Record<string, unknown>>,
    base?: BaseValues,
): Promise<KnownTotal | undefined> {
    try {
        if (stateResources(await stack.exportStack()).length > 0) return undefined;
    } catch {
        return undefined; // no readable state: let the preview decide
    }
    const file = stackFilePath(where.projectDir, where.stackName);
    const { runId: _, ...rest } = overrides;
    const config = JSON.stringify({ file: fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null, base: base?.values ?? null, overrides: rest });
    const key = totalsKey(`${where.stackName}\n${config}`, programFingerprint(where.projectDir));
    const totals = new ProgressTotals(path.join(where.stateDir, "progress-totals.json"));
    const total = totals.get(key);
    return { ...(total !== undefined ? { total } : {}), record: (n) => totals.put(key, n) };
}

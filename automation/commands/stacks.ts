// `pairbench results`, `pairbench destroy` and `pairbench reap`: the latest reports of a stack,
// tearing one stack down, and tearing down every stack past its expiry (reaper.ts).
import { StackNotFoundError } from "@pulumi/pulumi/automation";
import { StackFileError } from "../../config/index";
import { resolvePaths } from "../environment";
import { CliError, EXIT_ERROR } from "../errors";
import { decideReap, formatReapTable, parseDuration, ReapDecision, StackInfo } from "../reaper";
import { readLatest, renderReport, ReportFormat } from "../reports/files";
import { destroyWithProgress, errorText, Interrupts, OpIo } from "../stackOps";

type Print = (text: string) => void;

/** Re-renders the stack's latest run in one format (default markdown) to stdout. */
export function runResults(projectDir: string, opts: { stack: string; format?: ReportFormat }, out: Print): void {
    let report;
    try {
        report = readLatest(resolvePaths(projectDir, process.env).stateDir, opts.stack);
    } catch (e) {
        throw new CliError((e as Error).message, EXIT_ERROR);
    }
    out(renderReport(report, opts.format ?? "markdown"));
}

async function destroyStack(projectDir: string, stack: string, io: OpIo): Promise<void> {
    const { openExistingStack } = await import("../workspace");
    const interrupts = new Interrupts(io.out, `stack ${stack} may still hold resources`).install();
    try {
        const opened = await openExistingStack(projectDir, stack);
        await destroyWithProgress(opened.stack, io, interrupts.signal);
    } catch (e) {
        if (e instanceof StackNotFoundError) throw new CliError(`no stack ${stack} in the backend: nothing to destroy`, EXIT_ERROR);
        if (e instanceof StackFileError) {
            throw new CliError(`stack ${stack} has no run directory (.pairbench/stacks/${stack}) and no Pulumi.${stack}.yaml: nothing pairbench can destroy`, EXIT_ERROR);
        }
        if (e instanceof CliError) throw e;
        const hint = stack === "dev" ? " (the dev stack's hypervisors are the emulated lab: is it up? pairbench lab up)" : "";
        throw new CliError(`destroy of stack ${stack} failed: ${errorText(e)}${hint}`, EXIT_ERROR);
    } finally {
        interrupts.uninstall();
    }
}

export async function runDestroy(projectDir: string, opts: { stack: string; verbose?: boolean }, out: Print): Promise<void> {
    out(`== pulumi destroy --stack ${opts.stack}`);
    await destroyStack(projectDir, opts.stack, { out, stream: process.stdout, verbose: opts.verbose ?? false });
}

/** The backend as the reaper sees it; the CLI passes the real one, tests a fake. */
export interface ReapBackend {
    listStacks(): Promise<StackInfo[]>;
    exportStack(name: string): Promise<unknown>;
    destroy(name: string): Promise<void>;
}

export interface ReapOptions {
    readonly olderThan?: string;
    readonly yes?: boolean;
}

/** Lists the stacks, decides, and destroys the expired ones with --yes; returns the decisions. */
export async function reap(backend: ReapBackend, opts: ReapOptions, now: Date, out: Print): Promise<ReapDecision[]> {
    let olderThanMs: number;
    try {
        olderThanMs = parseDuration(opts.olderThan ?? "6h");
    } catch (e) {
        throw new CliError(`--older-than: ${(e as Error).message}`, EXIT_ERROR);
    }
    const decisions: ReapDecision[] = [];
    for (const s of await backend.listStacks()) {
        const exported = s.resourceCount === 0 ? undefined : await backend.exportStack(s.name).catch(() => undefined);
        decisions.push(decideReap(s, exported, olderThanMs, now));
    }
    const dryRun = opts.yes !== true;
    out(formatReapTable(decisions, dryRun));
    const expired = decisions.filter((d) => d.destroy);
    if (dryRun) {
        out(expired.length > 0 ? `dry run: pass --yes to destroy ${expired.length} stack(s)` : "nothing to destroy");
        return decisions;
    }
    const failures: string[] = [];
    for (const d of expired) {
        out(`== destroying stack ${d.stack} (${d.reason})`);
        try {
            await backend.destroy(d.stack);
        } catch (e) {
            failures.push(`${d.stack}: ${e instanceof Error ? e.message : String(e)}`);
        }
    }
    if (failures.length > 0) throw new CliError(`reap: ${failures.length} stack(s) could not be destroyed:\n  - ${failures.join("\n  - ")}`, EXIT_ERROR);
    return decisions;
}

/** The project's backend (file backend under .pairbench/state unless PULUMI_BACKEND_URL). */
export async function projectBackend(projectDir: string, out: Print): Promise<ReapBackend> {
    const { openProjectWorkspace } = await import("../workspace");
    const { workspace } = await openProjectWorkspace(projectDir);
    return {
        listStacks: async () =>
            (await workspace.listStacks()).map((s) => ({
                name: s.name,
                ...(s.lastUpdate !== undefined ? { lastUpdate: s.lastUpdate } : {}),
                updateInProgress: s.updateInProgress === true,
                ...(s.resourceCount !== undefined ? { resourceCount: s.resourceCount } : {}),
            })),
        exportStack: (name) => workspace.exportStack(name),
        destroy: (name) => destroyStack(projectDir, name, { out, stream: process.stdout }),
    };
}

export async function runReap(projectDir: string, opts: ReapOptions, out: Print): Promise<void> {
    await reap(await projectBackend(projectDir, out), opts, new Date(), out);
}

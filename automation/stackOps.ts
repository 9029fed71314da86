// up and destroy with progress, and Ctrl-C / SIGTERM handling, shared by every command that
// drives a stack (run, dev, destroy, reap). The options for both verbs are built here once.
import type { DestroyResult, EngineEvent, OpMap, PreviewResult, UpResult } from "@pulumi/pulumi/automation";
import { CliError, EXIT_ERROR } from "./errors";
import { formatElapsed, ProgressPrinter, totalFromChanges } from "./progress";
import { stateResources } from "./reassignment";

type Print = (text: string) => void;

/** The part of an Automation API Stack the commands use (tests pass a fake). */
export interface StackLike {
    readonly name: string;
    up(opts?: { onEvent?: (e: EngineEvent) => void; color?: "never"; continueOnError?: boolean; signal?: AbortSignal }): Promise<UpResult>;
    preview(opts?: { color?: "never"; signal?: AbortSignal }): Promise<PreviewResult>;
    destroy(opts?: { onEvent?: (e: EngineEvent) => void; color?: "never"; signal?: AbortSignal }): Promise<DestroyResult>;
    exportStack(): Promise<{ version: number; deployment: unknown }>;
}

export interface OpIo {
    readonly out: Print;
    /** Where progress goes (process.stdout). */
    readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
    readonly verbose?: boolean;
}

function changesText(changes: OpMap | undefined): string {
    const entries = Object.entries(changes ?? {}).filter(([, n]) => (n ?? 0) > 0);
    return entries.length > 0 ? entries.map(([op, n]) => `${n} ${op}`).join(", ") : "no changes";
}

/** A total for the progress line known without a preview, and where to keep the next one. */
export interface KnownTotal {
    readonly total?: number;
    /** Called with the up's change count when it succeeded. */
    record(total: number): void;
}

/**
 * `pulumi up` with a progress line. The total for "done/total" is `known.total` or else comes
 * from a preview (it runs the program once more, several seconds); `preview: false` skips it.
 */
export async function upWithProgress(
    stack: StackLike,
    io: OpIo,
    opts: { readonly continueOnError?: boolean; readonly signal?: AbortSignal; readonly preview?: boolean; readonly known?: KnownTotal } = {},
): Promise<UpResult> {
    const started = Date.now();
    let total = opts.known?.total;
    if (total === undefined && opts.preview !== false) {
        const pv = await stack.preview({ color: "never", ...(opts.signal ? { signal: opts.signal } : {}) });
        total = totalFromChanges(pv.changeSummary);
    }
    const progress = new ProgressPrinter(io.stream, { ...(total !== undefined ? { total } : {}), verbose: io.verbose ?? false });
    try {
        const up = await stack.up({
            onEvent: progress.onEvent,
            color: "never",
            ...(opts.continueOnError ? { continueOnError: true } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
        });
        io.out(`up ${up.summary.result} in ${formatElapsed(Date.now() - started)}: ${changesText(up.summary.resourceChanges)}`);
        const count = totalFromChanges(up.summary.resourceChanges);
        if (up.summary.result === "succeeded" && count !== undefined && count > 0) opts.known?.record(count);
        return up;
    } finally {
        progress.stop();
    }
}

/** `pulumi destroy` with a progress line; the total is the number of resources in the state. */
export async function destroyWithProgress(stack: StackLike, io: OpIo, signal?: AbortSignal): Promise<DestroyResult> {
    const started = Date.now();
    let total: number | undefined;
    try {
        total = stateResources(await stack.exportStack()).filter((r) => !r.type.startsWith("pulumi:providers:")).length;
    } catch {
        total = undefined; // an empty or unreadable state only costs the total
    }
    const progress = new ProgressPrinter(io.stream, { ...(total !== undefined ? { total } : {}), verbose: io.verbose ?? false });
    try {
        const res = await stack.destroy({ onEvent: progress.onEvent, color: "never", ...(signal ? { signal } : {}) });
        io.out(`destroy ${res.summary.result} in ${formatElapsed(Date.now() - started)}: ${changesText(res.summary.resourceChanges)}`);
        return res;
    } finally {
        progress.stop();
    }
}

/**
 * One line for reports from an Automation API error: the engine's `error:` lines (each cut to
 * 400 characters; "update failed" only when there is nothing better), else the first lines.
 * The full diagnostics were already printed by the progress printer.
 */
export function errorText(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    const cut = (l: string) => (l.length > 400 ? `${l.slice(0, 399)}…` : l);
    const errors = [...new Set(lines.filter((l) => /^error:/i.test(l)))];
    const specific = errors.filter((l) => !/^error: update failed$/i.test(l));
    const picked = specific.length > 0 ? specific : errors.length > 0 ? errors : lines.filter((l) => !/^(code|stdout|stderr|err\?):/.test(l)).slice(0, 3);
    return picked.slice(0, 4).map(cut).join(" / ") || text.slice(0, 400);
}

/**
 * SIGINT and SIGTERM during a run: the first cancels the operation in flight (the pulumi CLI
 * gets SIGINT and stops after its running steps) and lets the run go on to its cleanup
 * (destroy, lab down); a second one cancels the cleanup too and says what was left.
 * On a terminal, Ctrl-C reaches the pulumi child by itself (same process group); forwarding it
 * would be its second SIGINT, which makes pulumi terminate at once and leave pending
 * operations, so SIGINT is forwarded only when stdin is not a terminal.
 */
export class Interrupts {
    private work = new AbortController();
    private cleanupController = new AbortController();
    private inCleanup = false;
    private received: string | undefined;

    constructor(
        private readonly out: Print,
        private readonly leftMessage: string,
        private readonly forwardSigint: boolean = process.stdin.isTTY !== true,
        private readonly target: NodeJS.EventEmitter = process,
    ) {}

    private readonly handler = (sig: NodeJS.Signals): void => {
        if (this.received === undefined && !this.inCleanup) {
            this.received = sig;
            this.out(`received ${sig}: stopping, then cleaning up (send it again to skip the cleanup)`);
            if (sig !== "SIGINT" || this.forwardSigint) this.work.abort();
            return;
        }
        this.received ??= sig;
        this.out(`received ${sig} again: cleanup cancelled; ${this.leftMessage}`);
        this.cleanupController.abort();
        this.work.abort();
    };

    install(): this {
        this.target.on("SIGINT", this.handler);
        this.target.on("SIGTERM", this.handler);
        return this;
    }

    uninstall(): void {
        this.target.off("SIGINT", this.handler);
        this.target.off("SIGTERM", this.handler);
    }

    get signal(): AbortSignal {
        return this.work.signal;
    }

    get cleanupSignal(): AbortSignal {
        return this.cleanupController.signal;
    }

    /** The signal received, if any. */
    get interrupted(): string | undefined {
        return this.received;
    }

    /** From now on a signal cancels the cleanup. */
    startCleanup(): void {
        this.inCleanup = true;
    }

    /** Throws (exit 2) when a signal arrived, so no new work starts. */
    check(): void {
        if (this.received !== undefined) throw new CliError(`interrupted by ${this.received}`, EXIT_ERROR);
    }
}

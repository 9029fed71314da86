// Progress of a Pulumi operation from the engine's events: resources done / total, the steps in
// flight and the elapsed time. A live line on a TTY, plain lines otherwise (CI logs, where a
// heartbeat line names the steps still running). The total comes from a preview or a remembered
// count (up) or the state (destroy). `reduce`, `formatLine` and `totalFromChanges` are pure;
// `ProgressPrinter` only writes.
import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";

export interface ProgressState {
    readonly startedAt: number;
    /** Resources the operation will touch (from a preview), when known. */
    readonly total?: number;
    readonly done: number;
    readonly failed: number;
    /** URN → operation ("create", "delete", ...) of steps started and not finished. */
    readonly inFlight: ReadonlyMap<string, string>;
}

export function initialState(startedAt: number, total?: number): ProgressState {
    return { startedAt, ...(total !== undefined ? { total } : {}), done: 0, failed: 0, inFlight: new Map() };
}

/** The short name of a resource: `cross-host-ipv4-client-r0` from its URN. */
export function urnName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

export interface ProgressChange {
    readonly state: ProgressState;
    /** A line worth printing on its own (a finished or failed step), if any. */
    readonly line?: string;
}

/** The number of resources an operation touches, from a preview's change summary. */
export function totalFromChanges(changes: OpMap | undefined): number | undefined {
    if (changes === undefined) return undefined;
    return Object.values(changes).reduce((sum: number, n) => sum + (n ?? 0), 0);
}

/**
 * Applies one engine event. Steps that change nothing ("same") are counted but not printed;
 * with `verbose`, they and the engine's info and warning messages (command output, when a
 * resource logs it) are printed too.
 */
export function reduce(state: ProgressState, event: EngineEvent, now: number, verbose = false): ProgressChange {
    const elapsed = formatElapsed(now - state.startedAt);
    if (event.resourcePreEvent) {
        const { urn, op } = event.resourcePreEvent.metadata;
        if (op === "same" || op === "read") return { state };
        // Components (the stack, pairbench's own) stay open until their children finish, and
        // providers until the end: neither is work in flight. The engine omits `custom: false`.
        const md = event.resourcePreEvent.metadata;
        const st = md.new ?? md.old;
        if (md.type.startsWith("pulumi:providers:") || (st !== undefined && st.custom !== true)) return { state };
        const inFlight = new Map(state.inFlight);
        inFlight.set(urn, op);
        return { state: { ...state, inFlight } };
    }
    if (event.resOutputsEvent) {
        const { urn, op, type } = event.resOutputsEvent.metadata;
        // Provider resources are not in a preview's change summary: counting them would overshoot the total.
        if (type.startsWith("pulumi:providers:")) return { state };
        const inFlight = new Map(state.inFlight);
        inFlight.delete(urn);
        const next = { ...state, inFlight, done: state.done + 1 };
        if ((op === "same" || op === "read") && !verbose) return { state: next };
        return { state: next, line: `[${elapsed}] ${counter(next)} ${op} ${urnName(urn)}` };
    }
    if (event.resOpFailedEvent) {
        const { urn, op } = event.resOpFailedEvent.metadata;
        const inFlight = new Map(state.inFlight);
        inFlight.delete(urn);
        const next = { ...state, inFlight, failed: state.failed + 1 };
        return { state: next, line: `[${elapsed}] FAILED ${op} ${urnName(urn)}` };
    }
    const diag = event.diagnosticEvent;
    if (diag && (diag.severity === "error" || (verbose && diag.message.trim() !== "" && !diag.ephemeral))) {
        const where = diag.urn ? `${urnName(diag.urn)}: ` : "";
        return { state, line: `[${elapsed}] ${diag.severity}: ${where}${diag.message.trim()}` };
    }
    return { state };
}

function counter(state: ProgressState): string {
    // A remembered total can be stale (automation/progressTotals.ts): past it, show the count alone.
    return state.total !== undefined && state.done <= state.total ? `${state.done}/${state.total}` : `${state.done}`;
}

export function formatElapsed(ms: number): string {
    const s = Math.max(0, Math.floor(ms / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The live status line: counts, elapsed time and the steps in flight. */
export function formatLine(state: ProgressState, now: number, width = 120): string {
    const steps = [...state.inFlight.entries()].map(([urn, op]) => `${op} ${urnName(urn)}`);
    const head = `[${formatElapsed(now - state.startedAt)}] ${counter(state)} resources done`;
    const line = steps.length > 0 ? `${head}; in flight: ${steps.join(", ")}` : head;
    return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** CI=true (or any value but "", "0" and "false") means plain lines even on a TTY. */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
    const v = env["CI"];
    return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

export interface ProgressOptions {
    /** Resources the operation will touch, when known. */
    readonly total?: number;
    /** A rewritten status line; default: on a TTY outside CI. */
    readonly live?: boolean;
    /** Also print unchanged steps and the engine's info/warning messages. */
    readonly verbose?: boolean;
    /** Plain mode: how often to print the steps in flight. Default 30 s. */
    readonly heartbeatMs?: number;
}

/** Writes progress for a stream: a rewritten line on a TTY, plain lines otherwise. */
export class ProgressPrinter {
    private state: ProgressState;
    private timer?: NodeJS.Timeout;
    private readonly live: boolean;
    private readonly verbose: boolean;

    constructor(
        private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
        opts: ProgressOptions = {},
    ) {
        this.state = initialState(Date.now(), opts.total);
        this.live = opts.live ?? (out.isTTY === true && !isCi(process.env));
        this.verbose = opts.verbose ?? false;
        if (this.live) {
            this.timer = setInterval(() => this.redraw(), 1000);
        } else {
            this.timer = setInterval(() => {
                if (this.state.inFlight.size > 0) this.out.write(`${formatLine(this.state, Date.now(), 400)}\n`);
            }, opts.heartbeatMs ?? 30_000);
        }
        this.timer.unref();
    }

    /** Pass as `onEvent` to up/destroy. */
    readonly onEvent = (event: EngineEvent): void => {
        const change = reduce(this.state, event, Date.now(), this.verbose);
        this.state = change.state;
        if (change.line !== undefined) {
            if (this.live) this.out.write("\r\x1b[K");
            this.out.write(`${change.line}\n`);
        }
        if (this.live) this.redraw();
    };

    private redraw(): void {
        this.out.write(`\r\x1b[K${formatLine(this.state, Date.now(), this.out.columns ?? 120)}`);
    }

    stop(): ProgressState {
        clearInterval(this.timer);
        if (this.live) this.out.write("\r\x1b[K");
        return this.state;
    }
}

// Progress of a Pulumi operation from the engine's events: resources done / total, the steps in
// flight and the elapsed time. A live line on a TTY, plain lines otherwise (CI logs).
// `reduce` and `formatLine` are pure; `ProgressPrinter` only writes.
import type { EngineEvent } from "@pulumi/pulumi/automation";

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

/** Applies one engine event. Steps that change nothing ("same") are counted but not printed. */
export function reduce(state: ProgressState, event: EngineEvent, now: number): ProgressChange {
    const elapsed = formatElapsed(now - state.startedAt);
    if (event.resourcePreEvent) {
        const { urn, op } = event.resourcePreEvent.metadata;
        if (op === "same" || op === "read") return { state };
        const inFlight = new Map(state.inFlight);
        inFlight.set(urn, op);
        return { state: { ...state, inFlight } };
    }
    if (event.resOutputsEvent) {
        const { urn, op } = event.resOutputsEvent.metadata;
        const inFlight = new Map(state.inFlight);
        inFlight.delete(urn);
        const next = { ...state, inFlight, done: state.done + 1 };
        if (op === "same" || op === "read") return { state: next };
        return { state: next, line: `[${elapsed}] ${counter(next)} ${op} ${urnName(urn)}` };
    }
    if (event.resOpFailedEvent) {
        const { urn, op } = event.resOpFailedEvent.metadata;
        const inFlight = new Map(state.inFlight);
        inFlight.delete(urn);
        const next = { ...state, inFlight, failed: state.failed + 1 };
        return { state: next, line: `[${elapsed}] FAILED ${op} ${urnName(urn)}` };
    }
    if (event.diagnosticEvent && event.diagnosticEvent.severity === "error") {
        const where = event.diagnosticEvent.urn ? `${urnName(event.diagnosticEvent.urn)}: ` : "";
        return { state, line: `[${elapsed}] error: ${where}${event.diagnosticEvent.message.trim()}` };
    }
    return { state };
}

function counter(state: ProgressState): string {
    return state.total !== undefined ? `${state.done}/${state.total}` : `${state.done}`;
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

/** Writes progress for a stream: a rewritten line on a TTY, plain lines otherwise. */
export class ProgressPrinter {
    private state: ProgressState;
    private timer?: NodeJS.Timeout;

    constructor(
        private readonly out: NodeJS.WriteStream,
        total?: number,
        private readonly live: boolean = out.isTTY === true && process.env.CI === undefined,
    ) {
        this.state = initialState(Date.now(), total);
        if (this.live) this.timer = setInterval(() => this.redraw(), 1000);
    }

    /** Pass as `onEvent` to up/destroy. */
    readonly onEvent = (event: EngineEvent): void => {
        const change = reduce(this.state, event, Date.now());
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
        if (this.timer) clearInterval(this.timer);
        if (this.live) this.out.write("\r\x1b[K");
        return this.state;
    }
}

// Where the time of a `pulumi up` goes, from the engine's events: per resource step its start
// and end, per VM its boot to SSH-ready, the first benchmark result, and the orchestration
// overhead against the work that cannot be avoided (booting the VMs, measuring). Pure: the
// recorder only timestamps events; the figures are computed here and unit-tested.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { Results } from "../benchmarks/results";

/** One resource step of an operation: from the engine's pre-event to its outputs (or failure). */
export interface Step {
    readonly urn: string;
    readonly op: string;
    readonly start: number;
    readonly end?: number;
    readonly failed?: boolean;
}

/** Collects steps from engine events; `now` is injectable for tests. */
export class StepRecorder {
    private readonly open = new Map<string, { op: string; start: number }>();
    readonly steps: Step[] = [];

    constructor(private readonly now: () => number = Date.now) {}

    readonly onEvent = (event: EngineEvent): void => {
        const t = this.now();
        if (event.resourcePreEvent) {
            const { urn, op } = event.resourcePreEvent.metadata;
            if (op !== "same" && op !== "read") this.open.set(urn, { op, start: t });
        } else if (event.resOutputsEvent || event.resOpFailedEvent) {
            const { urn } = (event.resOutputsEvent ?? event.resOpFailedEvent)!.metadata;
            const o = this.open.get(urn);
            if (o === undefined) return;
            this.open.delete(urn);
            this.steps.push({ urn, op: o.op, start: o.start, end: t, ...(event.resOpFailedEvent ? { failed: true } : {}) });
        }
    };
}

/** `LibvirtDomain` from `urn:pulumi:s::p::a$pairbench:components:LibvirtDomain$command:remote:Command::n`. */
export function parentType(urn: string): string | undefined {
    const types = urn.split("::")[2]?.split("$") ?? [];
    return types.length >= 2 ? types[types.length - 2]!.split(":").pop() : undefined;
}

export function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

export interface VmBoot {
    readonly vm: string;
    /** From the domain step's start (define + start) to the end of the SSH-ready check. */
    readonly seconds: number;
    /** Seconds from the operation's start to SSH-ready. */
    readonly readyAt: number;
}

export interface UpFigures {
    readonly upSeconds: number;
    readonly steps: number;
    readonly vmBoots: readonly VmBoot[];
    /** Seconds from the operation's start to the end of the first benchmark round. */
    readonly firstResultAt?: number;
    /** Σ per benchmark of its first step's start → last step's end (benchmarks run one after another). */
    readonly benchmarkSeconds: number;
    /** Σ over rounds of the configured measuring time (seconds + omit): the floor of benchmarkSeconds. */
    readonly measuringSeconds: number;
    /** Seconds before the first VM step (preview, program start, hypervisor set-up, uploads, dataplane). */
    readonly beforeVmsSeconds: number;
    /** Seconds of the preview that gives progress its total (part of upSeconds), when there was one. */
    readonly previewSeconds?: number;
    /** Per benchmark round: the mean seconds of its server step and of its client step (which measures). */
    readonly roundSteps: { readonly rounds: number; readonly serverMean: number; readonly clientMean: number };
}

const BENCHMARK_TYPES = new Set(["Iperf3Benchmark", "SockperfLatency"]);

/** The configured measuring time of a results document. */
export function measuringSeconds(results: Results): number {
    return results.scenarios.reduce((sum, s) => {
        const m = s.method as { seconds: number; omit?: number };
        return sum + s.rounds.length * (m.seconds + (m.omit ?? 0));
    }, 0);
}

const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * The figures of one up whose steps were recorded from `start` (ms) to `end` (ms); `previewEnd`
 * (ms) when a preview ran first, from `start`.
 */
export function upFigures(steps: readonly Step[], start: number, end: number, results?: Results, previewEnd?: number): UpFigures {
    const s = (ms: number) => (ms - start) / 1000;
    const byName = new Map(steps.map((x) => [resourceName(x.urn), x]));
    const vmBoots: VmBoot[] = [];
    for (const x of steps) {
        const name = resourceName(x.urn);
        if (parentType(x.urn) !== "LibvirtDomain" || !name.endsWith("-domain")) continue;
        const base = name.slice(0, -"-domain".length);
        const ready = byName.get(`${base}-ready`);
        if (ready?.end === undefined) continue;
        vmBoots.push({ vm: base.replace(/^.*?-/, ""), seconds: (ready.end - x.start) / 1000, readyAt: s(ready.end) });
    }
    const bench = steps.filter((x) => BENCHMARK_TYPES.has(parentType(x.urn) ?? "") && x.end !== undefined);
    const roundStep = (kind: string) => bench.filter((x) => new RegExp(`-${kind}-\\d+$`).test(resourceName(x.urn)));
    const firstClient = roundStep("client").map((x) => x.end!);
    // A benchmark's steps are named `<benchmark>-server-N` / `-client-N` / `-server`.
    const spans = new Map<string, { start: number; end: number }>();
    for (const x of bench) {
        const key = resourceName(x.urn).replace(/-(server|client)(-\d+)?$/, "");
        const cur = spans.get(key);
        spans.set(key, { start: Math.min(cur?.start ?? x.start, x.start), end: Math.max(cur?.end ?? x.end!, x.end!) });
    }
    const vmSteps = steps.filter((x) => parentType(x.urn) === "LibvirtDomain");
    return {
        upSeconds: s(end),
        steps: steps.length,
        vmBoots: vmBoots.sort((a, b) => a.vm.localeCompare(b.vm)),
        ...(firstClient.length > 0 ? { firstResultAt: s(Math.min(...firstClient)) } : {}),
        benchmarkSeconds: [...spans.values()].reduce((sum, x) => sum + (x.end - x.start) / 1000, 0),
        measuringSeconds: results ? measuringSeconds(results) : 0,
        beforeVmsSeconds: vmSteps.length > 0 ? s(Math.min(...vmSteps.map((x) => x.start))) : 0,
        ...(previewEnd !== undefined ? { previewSeconds: s(previewEnd) } : {}),
        roundSteps: {
            rounds: roundStep("client").length,
            serverMean: mean(roundStep("server").map((x) => (x.end! - x.start) / 1000)),
            clientMean: mean(roundStep("client").map((x) => (x.end! - x.start) / 1000)),
        },
    };
}

/**
 * Orchestration overhead, the target (≤ 1.3×): the up's wall time over the sum of the VM
 * boot (the slowest VM's, to SSH-ready: VMs boot in parallel) and the benchmark seconds (each
 * benchmark's first step to its last: they run one after another). What is left over is the
 * orchestration around them: preview, program start, hypervisor set-up, uploads, readiness.
 * `against: "measuring"` is stricter: the configured measuring time (rounds × (seconds + omit))
 * instead of the benchmark seconds, so each round's SSH sessions and tool start-up count as
 * overhead too.
 */
export function overheadRatio(f: UpFigures, against: "benchmarks" | "measuring" = "benchmarks"): number | undefined {
    const boot = Math.max(0, ...f.vmBoots.map((b) => b.seconds));
    const work = boot + (against === "benchmarks" ? f.benchmarkSeconds : f.measuringSeconds);
    return work > 0 ? f.upSeconds / work : undefined;
}

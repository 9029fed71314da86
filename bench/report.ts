// The bench-dev figures as text: one block per run, and min / median / max over several runs.
// Also the two measurements outside the engine's events: the lab's step times (from its
// progress lines) and what the hypervisors' working directories hold.
import * as fs from "fs";
import * as path from "path";
import { median } from "simple-statistics";
import { overheadRatio, UpFigures } from "./timings";

export interface DiskUsage {
    readonly hypervisor: string;
    /** Files under images/: uploaded once per hypervisor, shared by its VMs. */
    readonly images: { readonly files: number; readonly bytes: number };
    /** Bytes under vms/<vm>/ per VM: what one more VM adds. */
    readonly vms: Readonly<Record<string, number>>;
}

export interface RunFigures {
    readonly totalSeconds: number;
    readonly phases: Readonly<Record<string, number>>;
    readonly labSteps: Readonly<Record<string, number>>;
    readonly up: UpFigures;
    readonly disk: readonly DiskUsage[];
    readonly verdict: string;
}

/** Allocated bytes of a tree (qcow2 overlays are sparse: their apparent size says little). */
function treeBytes(dir: string): number {
    let sum = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) sum += treeBytes(p);
        else if (entry.isFile()) sum += fs.statSync(p).blocks * 512;
    }
    return sum;
}

export function diskUsage(hypervisor: string, workDir: string): DiskUsage {
    const imagesDir = path.join(workDir, "images");
    const images = fs.existsSync(imagesDir) ? fs.readdirSync(imagesDir).filter((f) => !f.endsWith(".uploaded")) : [];
    const vmsDir = path.join(workDir, "vms");
    const vms = fs.existsSync(vmsDir) ? fs.readdirSync(vmsDir) : [];
    return {
        hypervisor,
        images: { files: images.length, bytes: images.reduce((s, f) => s + fs.statSync(path.join(imagesDir, f)).blocks * 512, 0) },
        vms: Object.fromEntries(vms.map((vm) => [vm, treeBytes(path.join(vmsDir, vm))])),
    };
}

/** Step seconds from the lab's progress lines: `[  1.2s] guest image: cached … (0.3s)`. */
export function labStepSeconds(lines: readonly string[]): Record<string, number> {
    const steps: Record<string, number> = {};
    for (const line of lines) {
        const m = /^\[\s*[\d.]+s\] (Debian packages|guest image): .*\(([\d.]+)s\)$/.exec(line.trim());
        if (m) steps[m[1]!] = Number(m[2]);
    }
    return steps;
}

const sec = (n: number) => `${n.toFixed(1)} s`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;

export function formatRun(f: RunFigures): string {
    const lines: string[] = [`total ${sec(f.totalSeconds)} — ${f.verdict}`, "phases:"];
    for (const [phase, s] of Object.entries(f.phases)) lines.push(`  ${phase.padEnd(14)} ${sec(s).padStart(9)}  ${pct(s, f.totalSeconds).padStart(4)}`);
    const other = f.totalSeconds - Object.values(f.phases).reduce((a, b) => a + b, 0);
    lines.push(`  ${"other".padEnd(14)} ${sec(other).padStart(9)}  ${pct(other, f.totalSeconds).padStart(4)}  (config checks, reports)`);
    for (const [step, s] of Object.entries(f.labSteps)) lines.push(`  lab up: ${step} ${sec(s)}`);
    const u = f.up;
    lines.push(`preview + up: ${u.steps} steps; hypervisors and uploads before the first VM step ${sec(u.beforeVmsSeconds)}`);
    for (const b of u.vmBoots) lines.push(`  ${b.vm}: domain start → SSH-ready ${sec(b.seconds)} (ready at ${sec(b.readyAt)})`);
    if (u.firstResultAt !== undefined) lines.push(`  first benchmark result at ${sec(u.firstResultAt)}`);
    if (u.previewSeconds !== undefined) lines.push(`  preview (the progress total) ${sec(u.previewSeconds)}`);
    lines.push(`  benchmarks ${sec(u.benchmarkSeconds)} of which measuring (rounds × (seconds + omit)) ${sec(u.measuringSeconds)}`);
    const r = u.roundSteps;
    if (r.rounds > 0) lines.push(`  ${r.rounds} rounds: server step ${sec(r.serverMean)}, client step ${sec(r.clientMean)} (means)`);
    const ratio = overheadRatio(u);
    const strict = overheadRatio(u, "measuring");
    const boot = Math.max(0, ...u.vmBoots.map((b) => b.seconds));
    if (ratio !== undefined && strict !== undefined) {
        lines.push(`  overhead: up ${sec(u.upSeconds)} / (slowest boot ${sec(boot)} + benchmarks ${sec(u.benchmarkSeconds)}) = ${ratio.toFixed(2)}× (target ≤ 1.3×: ${ratio <= 1.3 ? "met" : "NOT met"})`);
        lines.push(`  stricter: up / (slowest boot + measuring ${sec(u.measuringSeconds)}) = ${strict.toFixed(2)}×`);
    }
    for (const d of f.disk) {
        const vms = Object.entries(d.vms).map(([vm, b]) => `${vm} ${mib(b)}`).join(", ");
        lines.push(`disk on ${d.hypervisor}: images ${d.images.files} files ${mib(d.images.bytes)} (shared); per VM: ${vms || "none"}`);
    }
    return lines.join("\n");
}

/** min / median / max of the headline figures over several runs. */
export function summarizeRuns(runs: readonly RunFigures[]): string {
    const row = (label: string, values: number[]) =>
        `  ${label.padEnd(28)} min ${sec(Math.min(...values))}  median ${sec(median(values))}  max ${sec(Math.max(...values))}`;
    const rows = [
        row("total", runs.map((r) => r.totalSeconds)),
        row("preview + up", runs.map((r) => r.up.upSeconds)),
        row("preview", runs.map((r) => r.up.previewSeconds ?? 0)),
        row("first result", runs.map((r) => r.up.firstResultAt ?? NaN).filter((n) => !Number.isNaN(n))),
        row("slowest VM SSH-ready", runs.map((r) => Math.max(0, ...r.up.vmBoots.map((b) => b.seconds)))),
    ];
    for (const [label, against] of [["overhead", "benchmarks"], ["overhead (vs measuring)", "measuring"]] as const) {
        const ratios = runs.map((r) => overheadRatio(r.up, against)).filter((x): x is number => x !== undefined);
        if (ratios.length > 0) rows.push(`  ${label.padEnd(28)} min ${Math.min(...ratios).toFixed(2)}×  median ${median(ratios).toFixed(2)}×  max ${Math.max(...ratios).toFixed(2)}×`);
    }
    return [`over ${runs.length} runs:`, ...rows].join("\n");
}

// `.pairbench/lab/state.json`: what `lab up` created and started, so `lab down` removes exactly
// that and `lab status` can tell a live lab from leftovers. Written after every step.
import * as fs from "fs";
import * as path from "path";
import { Daemon } from "./commands";

export const STATE_VERSION = 1;

export interface HypervisorState {
    readonly netns: string;
    /** The `sleep infinity` that holds the private mount namespace. */
    holderPid?: number;
    pids: Partial<Record<Daemon, number>>;
}

export interface LabState {
    readonly version: number;
    createdAt: string;
    updatedAt: string;
    /** The management bridge was created by the lab. */
    mgmtBridge?: string;
    /** /run/netns was not a mount point before the lab (iproute2 makes it one). */
    runNetnsMount?: boolean;
    /** Host directories the lab created (mount targets such as /var/lib/pairbench); removed when empty. */
    createdDirs: string[];
    hypervisors: Record<string, HypervisorState>;
}

export function emptyState(now: Date = new Date()): LabState {
    const t = now.toISOString();
    return { version: STATE_VERSION, createdAt: t, updatedAt: t, createdDirs: [], hypervisors: {} };
}

const isPid = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v > 1;

/** Parses state.json; anything unexpected is an error naming the file (the lab needs `down --force`). */
export function parseState(text: string, file: string): LabState {
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new Error(`${file} is not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const o = raw as Partial<LabState>;
    if (typeof o !== "object" || o === null || o.version !== STATE_VERSION) {
        throw new Error(`${file} is not a version ${STATE_VERSION} lab state`);
    }
    const hypervisors: Record<string, HypervisorState> = {};
    for (const [name, hv] of Object.entries(o.hypervisors ?? {})) {
        if (typeof hv?.netns !== "string") throw new Error(`${file}: hypervisors.${name}.netns is missing`);
        const pids: Partial<Record<Daemon, number>> = {};
        for (const [d, pid] of Object.entries(hv.pids ?? {})) if (isPid(pid)) pids[d as Daemon] = pid;
        hypervisors[name] = { netns: hv.netns, ...(isPid(hv.holderPid) ? { holderPid: hv.holderPid } : {}), pids };
    }
    return {
        version: STATE_VERSION,
        createdAt: String(o.createdAt ?? ""),
        updatedAt: String(o.updatedAt ?? ""),
        ...(typeof o.mgmtBridge === "string" ? { mgmtBridge: o.mgmtBridge } : {}),
        ...(o.runNetnsMount === true ? { runNetnsMount: true } : {}),
        createdDirs: Array.isArray(o.createdDirs) ? o.createdDirs.filter((d): d is string => typeof d === "string") : [],
        hypervisors,
    };
}

export function readState(file: string): LabState | undefined {
    if (!fs.existsSync(file)) return undefined;
    return parseState(fs.readFileSync(file, "utf8"), file);
}

/** Writes atomically (temp file + rename), so an interrupted `up` leaves a readable state. */
export function writeState(file: string, state: LabState, now: Date = new Date()): void {
    state.updatedAt = now.toISOString();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
    fs.renameSync(tmp, file);
}

// Runs the lab's argv arrays with execFile / spawn (never a shell) and reports progress per step
// with elapsed times. The only module of the lab that starts processes.
import { execFile, spawn } from "child_process";
import * as fs from "fs";
import { Argv } from "./commands";

export interface RunResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export interface RunOptions {
    /** Replaces the environment (default: inherit). */
    readonly env?: NodeJS.ProcessEnv;
    /** Non-zero exit is returned instead of thrown. */
    readonly allowFail?: boolean;
    readonly timeoutMs?: number;
    readonly cwd?: string;
}

/** A lab command failed: names the command and the tail of its stderr. */
export class LabCommandError extends Error {
    constructor(
        readonly argv: Argv,
        readonly result: RunResult,
    ) {
        const tail = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-8).join("\n");
        super(`command failed (exit ${result.code}): ${argv.join(" ")}${tail ? `\n${tail}` : ""}`);
        this.name = "LabCommandError";
    }
}

/** Runs argv to completion; throws LabCommandError on a non-zero exit unless allowFail. */
export function run(argv: Argv, opts: RunOptions = {}): Promise<RunResult> {
    const [file, ...args] = argv;
    if (file === undefined) return Promise.reject(new Error("empty command"));
    return new Promise((resolve, reject) => {
        execFile(
            file,
            args,
            {
                env: opts.env ?? process.env,
                maxBuffer: 64 * 1024 * 1024,
                timeout: opts.timeoutMs ?? 600_000,
                ...(opts.cwd ? { cwd: opts.cwd } : {}),
            },
            (err, stdout, stderr) => {
                const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
                if (e && typeof e.code === "string") {
                    // The program itself could not be started (ENOENT, EACCES).
                    reject(new Error(`cannot run ${file}: ${e.message}`));
                    return;
                }
                const result: RunResult = { code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr };
                if (result.code !== 0 && !opts.allowFail) reject(new LabCommandError(argv, result));
                else resolve(result);
            },
        );
    });
}

/** Runs argv in order, stopping at the first failure. */
export async function runAll(commands: readonly Argv[], opts: RunOptions = {}): Promise<void> {
    for (const argv of commands) await run(argv, opts);
}

/**
 * Starts a long-lived process detached from this one (own session, stdio to a log file) and
 * returns its pid without waiting for it.
 */
export function spawnDetached(argv: Argv, logFile: string, env: NodeJS.ProcessEnv): Promise<number> {
    const [file, ...args] = argv;
    if (file === undefined) return Promise.reject(new Error("empty command"));
    const fd = fs.openSync(logFile, "a");
    try {
        const child = spawn(file, args, { detached: true, stdio: ["ignore", fd, fd], env });
        return new Promise((resolve, reject) => {
            child.once("error", (e) => reject(new Error(`cannot run ${file}: ${e.message}`)));
            child.once("spawn", () => {
                child.unref();
                if (child.pid === undefined) reject(new Error(`${file} started without a pid`));
                else resolve(child.pid);
            });
        });
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Runs a self-daemonizing program (virtlogd -d, libvirtd -d, sshd) and waits for its launcher
 * to exit. Its stdio goes to a log file: a daemon that kept our pipes open would otherwise
 * make execFile wait forever.
 */
export function runDaemonizing(argv: Argv, logFile: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<void> {
    const [file, ...args] = argv;
    if (file === undefined) return Promise.reject(new Error("empty command"));
    const fd = fs.openSync(logFile, "a");
    try {
        const child = spawn(file, args, { stdio: ["ignore", fd, fd], env });
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                child.kill("SIGKILL");
                reject(new Error(`${argv.join(" ")} did not return within ${timeoutMs / 1000} s; see ${logFile}`));
            }, timeoutMs);
            child.once("error", (e) => {
                clearTimeout(timer);
                reject(new Error(`cannot run ${file}: ${e.message}`));
            });
            child.once("exit", (code, signal) => {
                clearTimeout(timer);
                if (code === 0) {
                    resolve();
                    return;
                }
                const tail = readTail(logFile, 8);
                reject(new Error(`${argv.join(" ")} failed (${signal ?? `exit ${code}`})${tail ? `:\n${tail}` : ""}`));
            });
        });
    } finally {
        fs.closeSync(fd);
    }
}

/** The last lines of a text file, or "" when it cannot be read. */
export function readTail(file: string, lines: number): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "";
    }
}

/** Waits (bounded, backing off from 50 ms to 1 s) until `probe` returns a value. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
    const start = Date.now();
    let pause = 50;
    let lastError = "";
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch (e) {
            lastError = e instanceof Error ? e.message : String(e);
        }
        if (Date.now() - start > timeoutMs) {
            throw new Error(`timeout after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${lastError ? `: ${lastError}` : ""}`);
        }
        await new Promise((r) => setTimeout(r, pause));
        pause = Math.min(pause * 2, 1000);
    }
}

/** Progress output: one line per step with the time since start and the step's own duration. */
export class Progress {
    private readonly start = Date.now();

    constructor(private readonly out: (line: string) => void) {}

    private stamp(): string {
        return `[${((Date.now() - this.start) / 1000).toFixed(1).padStart(6)}s]`;
    }

    note(message: string): void {
        this.out(`${this.stamp()} ${message}`);
    }

    /** Runs one step; its result text (if any) follows "done". Failures name the step. */
    async step<T>(label: string, fn: () => Promise<T>, describe?: (value: T) => string): Promise<T> {
        const t0 = Date.now();
        try {
            const value = await fn();
            const took = ((Date.now() - t0) / 1000).toFixed(1);
            const detail = describe ? describe(value) : "";
            this.out(`${this.stamp()} ${label}: ${detail || "done"} (${took}s)`);
            return value;
        } catch (e) {
            const msg = e instanceof Error ? e.message : String(e);
            this.out(`${this.stamp()} ${label}: FAILED`);
            throw new Error(`${label}: ${msg}`);
        }
    }

    elapsedSeconds(): number {
        return (Date.now() - this.start) / 1000;
    }
}

// Runs the real iperf3 and sockperf on the loopback interface for the parser tests: nothing
// here is hand-written tool output. Every server is a child process of the test and is
// stopped before the helper returns.
import { ChildProcess, execFile, spawn } from "child_process";
import { readFileSync } from "fs";
import * as net from "net";
import { promisify } from "util";
import { procPort } from "../../../../benchmarks/commands";

const run = promisify(execFile);

/** A TCP/UDP port that was free a moment ago (the kernel picked it). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

/** Resolves once something listens on the port (tcp LISTEN / udp bound), as the remote scripts check. */
export async function waitListening(port: number, transport: "tcp" | "udp", timeoutMs = 5000): Promise<void> {
    const files = transport === "tcp" ? ["/proc/net/tcp", "/proc/net/tcp6"] : ["/proc/net/udp", "/proc/net/udp6"];
    const state = transport === "tcp" ? "0A" : "07";
    const suffix = procPort(port);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        for (const f of files) {
            const lines = readFileSync(f, "utf8").split("\n").slice(1);
            if (lines.some((l) => { const c = l.trim().split(/\s+/); return c[3] === state && (c[1] ?? "").endsWith(suffix); })) return;
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`nothing listens on ${transport} port ${port} after ${timeoutMs} ms`);
}

function stop(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
    });
}

/** The command line a test ran, kept with its output as PKB keeps it beside fixtures. */
export interface ToolRun {
    readonly command: string;
    readonly stdout: string;
}

/**
 * One iperf3 test on loopback: a one-off server (`-s -1 -J`) on a fresh port, then the client
 * with `clientArgs` (after `-c HOST -p PORT -J`). With `server: false` nothing listens.
 */
export async function iperf3OnLoopback(clientArgs: string[], opts: { server?: boolean; host?: string } = {}): Promise<ToolRun> {
    const port = await freePort();
    const host = opts.host ?? "127.0.0.1";
    let server: ChildProcess | undefined;
    if (opts.server !== false) {
        server = spawn("iperf3", ["-s", "-1", "-J", "-p", String(port)], { stdio: "ignore" });
        await waitListening(port, "tcp");
    }
    const argv = ["-c", host, "-p", String(port), "-J", ...clientArgs];
    try {
        // iperf3 3.12 exits 0 even for error documents; a non-zero exit still carries the JSON.
        const out = await run("iperf3", argv, { maxBuffer: 64 << 20 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
        return { command: `iperf3 ${argv.join(" ")}`, stdout: out.stdout };
    } finally {
        if (server) await stop(server);
    }
}

/** One sockperf ping-pong on loopback (`--tcp` or UDP); `server: false` leaves nobody to answer. */
export async function sockperfOnLoopback(protocol: "tcp" | "udp", clientArgs: string[], opts: { server?: boolean; host?: string } = {}): Promise<ToolRun> {
    const port = await freePort();
    const proto = protocol === "tcp" ? ["--tcp"] : [];
    let server: ChildProcess | undefined;
    if (opts.server !== false) {
        server = spawn("sockperf", ["sr", ...proto, "-i", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
        await waitListening(port, protocol);
    }
    const argv = ["ping-pong", ...proto, "-i", opts.host ?? "127.0.0.1", "-p", String(port), ...clientArgs];
    try {
        const out = await run("sockperf", argv).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? "" }));
        return { command: `sockperf ${argv.join(" ")}`, stdout: out.stdout };
    } finally {
        if (server) await stop(server);
    }
}

// Shell scripts for the remote commands of the benchmarks: start iperf3/sockperf servers, wait
// until they listen, run the clients, stop what was started. Pure; no Pulumi imports.
//
// Every value is quoted by components/shell.ts; the only other text is fixed shell syntax
// written here. Scripts are POSIX sh (Gardenlinux bash, Debian dash, busybox ash in the dev
// guest) and use only mkdir, cat, awk, grep, kill, sleep, timeout and the tools themselves.
// Every wait is bounded; every failure says which step on which host failed and shows the
// tool's own message.
import { shellArg, shellCommand } from "../components/shell";

export type Transport = "tcp" | "udp";
export type AddressFamily = "ipv4" | "ipv6";

/** Seconds a server may take to start listening before the step fails. */
export const LISTEN_TIMEOUT_SECONDS = 10;
/** Slack added to a client's own duration before `timeout` stops it. */
export const CLIENT_TIMEOUT_SLACK_SECONDS = 30;

const PATH_PATTERN = /^\/[A-Za-z0-9._/-]+$/;

function checkDir(dir: string): string {
    if (!PATH_PATTERN.test(dir) || dir.includes("..")) throw new Error(`work directory must be an absolute path of [A-Za-z0-9._/-] (got ${dir})`);
    return dir;
}

/** Fails the script with exit 127 when `tool` is missing. */
export function requireTool(tool: string): string {
    return `${shellCommand(["command", "-v", tool])} >/dev/null 2>&1 || { echo ${shellArg(`${tool} is not installed on`)} "$(uname -n)" >&2; exit 127; }`;
}

/** Port as it appears in /proc/net/{tcp,udp}[6]: ":" and four upper-case hex digits. */
export function procPort(port: number): string {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port must be 1..65535 (got ${port})`);
    return `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
}

// A socket bound to the port in state LISTEN (tcp, 0A) or unconnected (udp, 07). Reading /proc
// instead of connecting matters: a probe connection would use up a one-off (`-1`) iperf3 server.
const LISTEN_AWK = '$4 == s && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }';

/** Waits (bounded) until something listens on the port; on timeout prints the log tail and fails. */
export function waitListening(transport: Transport, port: number, what: string, log: string): string {
    const files = transport === "tcp" ? ["/proc/net/tcp", "/proc/net/tcp6"] : ["/proc/net/udp", "/proc/net/udp6"];
    const probe = `${shellCommand(["cat", ...files])} 2>/dev/null | ${shellCommand(["awk", "-v", `p=${procPort(port)}`, "-v", `s=${transport === "tcp" ? "0A" : "07"}`, LISTEN_AWK])}`;
    const tries = LISTEN_TIMEOUT_SECONDS * 10;
    const fail = `echo ${shellArg(`${what} is not listening on ${transport} port ${port} after ${LISTEN_TIMEOUT_SECONDS} s on`)} "$(uname -n)"; tail -n 20 ${shellArg(log)}`;
    return `i=0; until ${probe}; do i=$((i + 1)); if [ "$i" -ge ${tries} ]; then { ${fail}; } >&2; exit 1; fi; sleep 0.1; done`;
}

/** Stops the process of a pid file if it still runs; never fails. */
export function killPidfile(pidfile: string): string {
    const f = shellArg(pidfile);
    return `if [ -f ${f} ]; then kill "$(cat ${f})" 2>/dev/null || true; rm -f ${f}; fi`;
}

// ---------------------------------------------------------------------------------------------
// iperf3

export interface Iperf3ServerSpec {
    /** pairbench-owned directory on the server for pid files and logs. */
    readonly dir: string;
    /** One one-off (`-1`) server per port. */
    readonly ports: readonly number[];
}

/** Starts one-off iperf3 servers (`-s -1 -J -D`) and returns once all of them listen. */
export function iperf3ServerStart(spec: Iperf3ServerSpec): string {
    const dir = checkDir(spec.dir);
    const lines = [shellCommand(["mkdir", "-p", dir]) + " || exit 1", requireTool("iperf3")];
    for (const port of spec.ports) {
        const pid = `${dir}/iperf3-${port}.pid`;
        const log = `${dir}/iperf3-${port}.json`;
        // A leftover from a failed attempt of this same step would hold the port.
        lines.push(killPidfile(pid), `${shellCommand(["rm", "-f", log])}`);
        lines.push(`${shellCommand(["iperf3", "-s", "-1", "-J", "-p", port, "-D", "-I", pid, "--logfile", log])} || exit 1`);
    }
    for (const port of spec.ports) lines.push(waitListening("tcp", port, "iperf3 server", `${dir}/iperf3-${port}.json`));
    lines.push(shellCommand(["echo", `iperf3 servers listening on port${spec.ports.length > 1 ? "s" : ""} ${spec.ports.join(" ")}`]));
    return lines.join("\n");
}

/** Stops servers that are still running (a one-off server exits after its test) and removes the directory. */
export function iperf3ServerStop(spec: Iperf3ServerSpec): string {
    const dir = checkDir(spec.dir);
    return [...spec.ports.map((p) => killPidfile(`${dir}/iperf3-${p}.pid`)), shellCommand(["rm", "-rf", dir]), "true"].join("\n");
}

export interface Iperf3ClientSpec {
    readonly dir: string;
    /** Address (or name) the clients connect to. */
    readonly target: string;
    readonly family: AddressFamily;
    /** One client process per port, run concurrently. */
    readonly ports: readonly number[];
    /** Parallel streams per process (`-P`); 1 means no `-P`. */
    readonly streams: number;
    readonly seconds: number;
    readonly omit: number;
    readonly mss?: number;
    readonly reverse: boolean;
    readonly protocol: Transport;
    /** UDP target bit rate in bits/s (`-b`). */
    readonly udpBitsPerSecond?: number;
}

/** The argv of one iperf3 client process. */
export function iperf3ClientArgv(spec: Iperf3ClientSpec, port: number): Array<string | number> {
    const argv: Array<string | number> = ["iperf3", "-c", spec.target, "-p", port, "-J", "--get-server-output"];
    argv.push(spec.family === "ipv6" ? "-6" : "-4", "-t", spec.seconds);
    if (spec.omit > 0) argv.push("-O", spec.omit);
    if (spec.streams > 1) argv.push("-P", spec.streams);
    if (spec.mss !== undefined) argv.push("-M", spec.mss);
    if (spec.reverse) argv.push("-R");
    if (spec.protocol === "udp") {
        if (spec.udpBitsPerSecond === undefined) throw new Error("a UDP client needs a target bit rate");
        argv.push("-u", "-b", spec.udpBitsPerSecond);
    }
    return argv;
}

/** Marker line before each flow's document in the client step's stdout. */
export function flowMarker(index: number, port: number): string {
    return `=== pairbench flow ${index} port ${port} ===`;
}

/**
 * Runs one round: every client process at once, each writing its `-J` document to a file; then
 * prints each document after a marker line. Exits non-zero when a flow printed nothing or an
 * iperf3 error document, so a failed round is not recorded as done and the next `up` retries it.
 */
export function iperf3ClientRound(spec: Iperf3ClientSpec): string {
    const dir = checkDir(spec.dir);
    const limit = spec.omit + spec.seconds + CLIENT_TIMEOUT_SLACK_SECONDS;
    const lines = [shellCommand(["mkdir", "-p", dir]) + " || exit 1", requireTool("iperf3"), requireTool("timeout")];
    const file = (i: number, ext: string) => shellArg(`${dir}/flow-${i}.${ext}`);
    const starts = spec.ports.map((port, i) => `${shellCommand(["timeout", limit, ...iperf3ClientArgv(spec, port)])} >${file(i, "json")} 2>${file(i, "err")} &`);
    lines.push(`{ ${starts.join(" ")} wait; }`, "status=0");
    spec.ports.forEach((port, i) => {
        const flow = `flow ${i} (iperf3 client to ${spec.target} port ${port}) on`;
        lines.push(
            shellCommand(["echo", flowMarker(i, port)]),
            `cat ${file(i, "json")}`,
            `if [ ! -s ${file(i, "json")} ]; then { echo ${shellArg(flow)} "$(uname -n)": printed nothing; tail -n 20 ${file(i, "err")}; } >&2; status=1; ` +
                `elif grep -q '"error"' ${file(i, "json")}; then { echo ${shellArg(flow)} "$(uname -n)":; grep '"error"' ${file(i, "json")}; } >&2; status=1; fi`,
        );
    });
    lines.push(shellCommand(["rm", "-rf", dir]), 'exit "$status"');
    return lines.join("\n");
}

/** Splits the client step's stdout into the flows' documents, in flow order. */
export function splitFlows(stdout: string): Array<{ readonly index: number; readonly port: number; readonly text: string }> {
    // Windows endpoints (psCommands.ts) end lines with CRLF.
    const parts = stdout.replace(/\r\n/g, "\n").split(/^=== pairbench flow (\d+) port (\d+) ===$/m);
    const flows: Array<{ index: number; port: number; text: string }> = [];
    for (let i = 1; i + 2 < parts.length; i += 3) {
        flows.push({ index: Number(parts[i]), port: Number(parts[i + 1]), text: parts[i + 2] ?? "" });
    }
    if (flows.length === 0) throw new Error(`no "=== pairbench flow" markers in the client output: ${stdout.trim().slice(0, 200)}`);
    return flows;
}

// ---------------------------------------------------------------------------------------------
// sockperf

export interface SockperfServerSpec {
    readonly dir: string;
    readonly port: number;
    readonly protocol: Transport;
    /** The server exits by itself after this many seconds (a bound, should delete never run). */
    readonly lifetimeSeconds: number;
}

/** Starts a sockperf server in the background and returns once it listens. */
export function sockperfServerStart(spec: SockperfServerSpec): string {
    const dir = checkDir(spec.dir);
    const pid = `${dir}/sockperf.pid`;
    const log = `${dir}/sockperf.log`;
    const argv = ["timeout", spec.lifetimeSeconds, "sockperf", "sr", ...(spec.protocol === "tcp" ? ["--tcp"] : []), "-p", spec.port];
    return [
        shellCommand(["mkdir", "-p", dir]) + " || exit 1",
        requireTool("sockperf"),
        requireTool("timeout"),
        killPidfile(pid),
        `nohup ${shellCommand(argv)} >${shellArg(log)} 2>&1 </dev/null &`,
        `echo "$!" >${shellArg(pid)}`,
        waitListening(spec.protocol, spec.port, "sockperf server", log),
        shellCommand(["echo", `sockperf server listening on ${spec.protocol} port ${spec.port}`]),
    ].join("\n");
}

export function sockperfServerStop(spec: Pick<SockperfServerSpec, "dir">): string {
    const dir = checkDir(spec.dir);
    return [killPidfile(`${dir}/sockperf.pid`), shellCommand(["rm", "-rf", dir]), "true"].join("\n");
}

export interface SockperfClientSpec {
    readonly target: string;
    readonly port: number;
    readonly protocol: Transport;
    readonly seconds: number;
    /** Message size in bytes (`-m`). */
    readonly messageSize: number;
}

export function sockperfClientArgv(spec: SockperfClientSpec): Array<string | number> {
    return [
        "sockperf", "ping-pong", ...(spec.protocol === "tcp" ? ["--tcp"] : []),
        "-i", spec.target, "-p", spec.port, "-t", spec.seconds, "-m", spec.messageSize, "--full-rtt",
    ];
}

/** One ping-pong round; prints sockperf's output and fails when it holds no summary. */
export function sockperfClientRound(spec: SockperfClientSpec): string {
    const limit = spec.seconds + CLIENT_TIMEOUT_SLACK_SECONDS;
    const step = `sockperf ping-pong to ${spec.target} ${spec.protocol} port ${spec.port} failed on`;
    return [
        requireTool("sockperf"),
        requireTool("timeout"),
        `out=$(${shellCommand(["timeout", limit, ...sockperfClientArgv(spec)])} 2>&1)`,
        `printf '%s\\n' "$out"`,
        `case "$out" in *"Summary:"*) ;; *) { echo ${shellArg(step)} "$(uname -n)":; printf '%s\\n' "$out" | tail -n 5; } >&2; exit 1 ;; esac`,
    ].join("\n");
}

// Facts about the running machine the lab decides on: processes, namespaces, links, mounts,
// an SSH banner. Small and read-only except `stopProcesses`.
import * as fs from "fs";
import * as net from "net";
import { run } from "./runner";

/** The process exists and runs `comm` (guards against a reused pid). */
export function processAlive(pid: number | undefined, comm?: string): boolean {
    if (pid === undefined) return false;
    try {
        const actual = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
        // /proc/PID/comm is cut to 15 characters.
        return comm === undefined || actual === comm.slice(0, 15);
    } catch {
        return false;
    }
}

/** The pid in a pid file, if the file holds one. */
export function readPidFile(file: string): number | undefined {
    try {
        const pid = Number(fs.readFileSync(file, "utf8").trim());
        return Number.isInteger(pid) && pid > 1 ? pid : undefined;
    } catch {
        return undefined;
    }
}

export function netnsExists(name: string): boolean {
    return fs.existsSync(`/run/netns/${name}`);
}

/** The process is inside the named network namespace (same namespace inode). */
export function processInNetns(pid: number, netns: string): boolean {
    try {
        const link = fs.readlinkSync(`/proc/${pid}/ns/net`);
        return link === `net:[${fs.statSync(`/run/netns/${netns}`).ino}]`;
    } catch {
        return false;
    }
}

/** Whether a link exists, in the root namespace or in `netns`. */
export async function linkExists(name: string, netns?: string): Promise<boolean> {
    const argv = netns === undefined ? ["ip", "link", "show", "dev", name] : ["ip", "-n", netns, "link", "show", "dev", name];
    return (await run(argv, { allowFail: true })).code === 0;
}

/** Names of the links in the root namespace. */
export async function rootLinks(): Promise<string[]> {
    const out = (await run(["ip", "-o", "link", "show"])).stdout;
    return parseLinkNames(out);
}

/** `ip -o link show` → link names (without the `@peer` suffix). */
export function parseLinkNames(output: string): string[] {
    return output
        .split("\n")
        .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
        .filter((n): n is string => n !== undefined);
}

/** Mount points listed in a mountinfo file (field 5), unescaped. */
export function parseMountinfo(text: string): string[] {
    return text
        .split("\n")
        .map((l) => l.split(" ")[4])
        .filter((t): t is string => t !== undefined && t !== "")
        .map((t) => t.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export function isMountPoint(dir: string): boolean {
    return parseMountinfo(fs.readFileSync("/proc/self/mountinfo", "utf8")).includes(dir);
}

/** Pids of the processes in a network namespace (`ip netns pids`). */
export async function netnsPidList(netns: string): Promise<number[]> {
    if (!netnsExists(netns)) return [];
    const out = await run(["ip", "netns", "pids", netns], { allowFail: true });
    return out.stdout
        .split(/\s+/)
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, up to `graceMs` to exit, then SIGKILL; resolves when all are gone (or after 5 s more). */
export async function stopProcesses(pids: readonly number[], graceMs = 5000): Promise<number[]> {
    const alive = () => pids.filter((p) => fs.existsSync(`/proc/${p}`) && !isZombie(p));
    const signal = (sig: NodeJS.Signals) => {
        for (const p of alive()) {
            try {
                process.kill(p, sig);
            } catch {
                // Already gone.
            }
        }
    };
    signal("SIGTERM");
    for (let t = 0; t < graceMs && alive().length > 0; t += 100) await sleep(100);
    if (alive().length > 0) signal("SIGKILL");
    for (let t = 0; t < 5000 && alive().length > 0; t += 100) await sleep(100);
    return alive();
}

function isZombie(pid: number): boolean {
    try {
        return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
        return false;
    }
}

/** The first bytes an SSH server sends (`SSH-2.0-…`), or undefined when nothing answers. */
export function sshBanner(host: string, port = 22, timeoutMs = 2000): Promise<string | undefined> {
    return new Promise((resolve) => {
        const socket = net.connect({ host, port });
        let data = "";
        const done = (value: string | undefined) => {
            socket.destroy();
            resolve(value);
        };
        socket.setTimeout(timeoutMs, () => done(undefined));
        socket.on("error", () => done(undefined));
        socket.on("data", (chunk) => {
            data += chunk.toString("latin1");
            if (data.includes("\n")) done(data.startsWith("SSH-") ? data.split(/\r?\n/)[0] : undefined);
        });
    });
}

// One emulated hypervisor: its files, the process holding its private mount namespace, the
// bind mounts, and its virtlogd, libvirtd and sshd. Each `ensure…` is idempotent: it checks
// what runs and changes only what is missing.
import * as fs from "fs";
import * as path from "path";
import {
    copyHostLibvirtConfig,
    Daemon,
    DAEMON_ENV,
    daemonStart,
    holderArgv,
    libvirtPing,
    listDomains,
    listMounts,
    pidFile,
    privateMounts,
    sshKeygen,
} from "./commands";
import { libvirtConfigFiles, sshdConfig, withQemuAccount } from "./files";
import { readTail, run, runDaemonizing, spawnDetached, waitFor } from "./runner";
import { insideView, LabHypervisor, LabSpec } from "./spec";
import { HypervisorState, LabState } from "./state";
import { linkExists, netnsExists, netnsPidList, processAlive, processInNetns, readPidFile, sshBanner, stopProcesses } from "./system";

export interface HvContext {
    readonly spec: LabSpec;
    readonly hv: LabHypervisor;
    readonly state: LabState;
    /** Persists the state (after every change). */
    readonly save: () => void;
}

function hvState(ctx: HvContext): HypervisorState {
    const s = (ctx.state.hypervisors[ctx.hv.name] ??= { netns: ctx.hv.netns, pids: {} });
    return s;
}

/** sshd refuses to start without it ("Missing privilege separation directory"). */
const SSHD_PRIVSEP_DIR = "/run/sshd";

/**
 * The hypervisor's directories, its copy of the host's /etc/libvirt with pairbench's daemon
 * configs on top, sshd's config and host key, its accounts files, and the directories the
 * mounts and sshd need on the host.
 */
export async function ensureFiles(ctx: HvContext): Promise<string> {
    const { spec, hv } = ctx;
    for (const m of hv.mounts) if (!m.file) fs.mkdirSync(m.source, { recursive: true, mode: 0o755 });
    const accounts = withQemuAccount(fs.readFileSync("/etc/passwd", "utf8"), fs.readFileSync("/etc/group", "utf8"));
    for (const m of hv.mounts.filter((x) => x.file)) {
        fs.writeFileSync(m.source, accounts[path.basename(m.target) as keyof typeof accounts], { mode: 0o644 });
    }
    const etc = hv.mounts.find((m) => m.target === "/etc/libvirt")!.source;
    const fresh = fs.readdirSync(etc).length === 0;
    if (fresh && fs.existsSync("/etc/libvirt")) await run(copyHostLibvirtConfig(hv));
    for (const [name, text] of Object.entries(libvirtConfigFiles())) fs.writeFileSync(path.join(etc, name), text);
    fs.writeFileSync(hv.sshdConfig, sshdConfig(spec, hv, insideView(hv, hv.sshdPidFile)));
    if (!fs.existsSync(hv.sshHostKey)) await run(sshKeygen(hv.sshHostKey, `pairbench-lab-${hv.name}`));
    // Bind mounts need their targets, and sshd its privilege separation directory (made by
    // systemd's unit where one runs); the lab removes the ones it had to create (when empty).
    for (const dir of [...hv.mounts.filter((m) => !m.file).map((m) => m.target), SSHD_PRIVSEP_DIR]) {
        if (fs.existsSync(dir)) continue;
        let top = dir;
        while (!fs.existsSync(path.dirname(top))) top = path.dirname(top);
        fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
        if (!ctx.state.createdDirs.includes(top)) ctx.state.createdDirs.push(top);
        ctx.save();
    }
    return fresh ? "created (copied the host's /etc/libvirt)" : "up to date";
}

/** The live holder of the private mount namespace, starting one (after clearing stale processes) if needed. */
export async function ensureHolder(ctx: HvContext): Promise<{ pid: number; started: boolean }> {
    const { hv } = ctx;
    const s = hvState(ctx);
    if (s.holderPid !== undefined && processAlive(s.holderPid, "sleep") && processInNetns(s.holderPid, hv.netns)) {
        return { pid: s.holderPid, started: false };
    }
    // Daemons of a lost holder run in a mount namespace nothing can enter any more: start over.
    const stale = await netnsPidList(hv.netns);
    if (stale.length > 0) await stopProcesses(stale);
    for (const d of ["virtlogd", "libvirtd", "sshd"] as const) fs.rmSync(pidFile(hv, d), { force: true });
    const ownMnt = fs.readlinkSync("/proc/self/ns/mnt");
    const pid = await spawnDetached(holderArgv(hv), path.join(hv.logDir, "holder.log"), DAEMON_ENV);
    await waitFor(`the mount namespace holder of ${hv.name} (pid ${pid})`, 10_000, async () => {
        if (!processAlive(pid)) throw new Error(`exited: ${readTail(path.join(hv.logDir, "holder.log"), 5)}`);
        return processAlive(pid, "sleep") && fs.readlinkSync(`/proc/${pid}/ns/mnt`) !== ownMnt ? true : undefined;
    });
    s.holderPid = pid;
    s.pids = {};
    ctx.save();
    return { pid, started: true };
}

/** Bind-mounts the private directories that are not mounted yet in the holder's namespace. */
export async function ensureMounts(ctx: HvContext, holderPid: number): Promise<number> {
    const mounted = new Set((await run(listMounts(ctx.hv, holderPid))).stdout.split("\n").map((l) => l.trim()));
    const commands = privateMounts(ctx.hv, holderPid).filter((_, i) => !mounted.has(ctx.hv.mounts[i]!.target));
    for (const argv of commands) await run(argv);
    return commands.length;
}

/** Starts the daemon unless its pid file names a live process of it in this hypervisor. */
export async function ensureDaemon(ctx: HvContext, holderPid: number, daemon: Daemon): Promise<{ pid: number; started: boolean }> {
    const { hv } = ctx;
    const s = hvState(ctx);
    const file = pidFile(hv, daemon);
    const current = readPidFile(file);
    if (current !== undefined && processAlive(current, daemon) && processInNetns(current, hv.netns)) {
        s.pids[daemon] = current;
        ctx.save();
        return { pid: current, started: false };
    }
    fs.rmSync(file, { force: true });
    const log = path.join(hv.logDir, `${daemon}.start.log`);
    await runDaemonizing(daemonStart(hv, holderPid, daemon), log, DAEMON_ENV);
    const pid = await waitFor(`${daemon} of ${hv.name} to write ${file}`, 30_000, async () => {
        const p = readPidFile(file);
        return p !== undefined && processAlive(p, daemon) ? p : undefined;
    });
    s.pids[daemon] = pid;
    ctx.save();
    if (daemon === "libvirtd") {
        await waitFor(`libvirtd of ${hv.name} to answer`, 60_000, async () => {
            const r = await run(libvirtPing(hv, holderPid), { allowFail: true, env: DAEMON_ENV });
            if (r.code !== 0) throw new Error(r.stderr.trim() || `exit ${r.code}`);
            return true;
        });
    }
    if (daemon === "sshd") {
        await waitFor(`sshd of ${hv.name} on ${hv.mgmtIp}:22`, 30_000, () => sshBanner(hv.mgmtIp));
    }
    return { pid, started: true };
}

/** Stops every process of the hypervisor (daemons, QEMU, dnsmasq, sessions, holder) and deletes its namespace. */
export async function teardownHypervisor(ctx: HvContext): Promise<string> {
    const { hv } = ctx;
    const s = ctx.state.hypervisors[hv.name];
    const pids = new Set(await netnsPidList(hv.netns));
    // A holder or daemon whose namespace is already gone is still ours if its pid still runs it.
    if (s !== undefined) {
        if (processAlive(s.holderPid, "sleep") && netnsExists(hv.netns) && processInNetns(s.holderPid!, hv.netns)) pids.add(s.holderPid!);
        for (const [d, pid] of Object.entries(s.pids)) if (processAlive(pid, d) && processInNetns(pid!, hv.netns)) pids.add(pid!);
    }
    const left = await stopProcesses([...pids]);
    if (left.length > 0) throw new Error(`processes ${left.join(", ")} in ${hv.netns} did not exit after SIGKILL`);
    const existed = netnsExists(hv.netns);
    if (existed) {
        await run(["ip", "netns", "del", hv.netns]);
        // The kernel dismantles the namespace (and the veth ends in the root namespace) asynchronously.
        await waitFor(`${hv.mgmtVethHost} to go with ${hv.netns}`, 10_000, async () => ((await linkExists(hv.mgmtVethHost)) ? undefined : true)).catch(
            () => undefined,
        );
    }
    delete ctx.state.hypervisors[hv.name];
    ctx.save();
    return `${pids.size} process${pids.size === 1 ? "" : "es"} stopped${existed ? `, ${hv.netns} deleted` : ""}`;
}

export interface DaemonStatus {
    readonly pid?: number;
    readonly running: boolean;
}

export interface HypervisorStatus {
    readonly name: string;
    readonly netns: string;
    readonly netnsExists: boolean;
    readonly mgmtIp: string;
    readonly underlayIp: string;
    readonly holder: DaemonStatus;
    readonly daemons: Readonly<Record<Daemon, DaemonStatus>>;
    /** The SSH banner on the management address, if sshd answers. */
    readonly ssh?: string;
    /** Running libvirt domains, or undefined when libvirtd could not be asked. */
    readonly domains?: readonly string[];
    /** Processes in the network namespace. */
    readonly processes: number;
}

export async function hypervisorStatus(hv: LabHypervisor, state: LabState | undefined): Promise<HypervisorStatus> {
    const s = state?.hypervisors[hv.name];
    const exists = netnsExists(hv.netns);
    const holderUp = exists && s?.holderPid !== undefined && processAlive(s.holderPid, "sleep") && processInNetns(s.holderPid, hv.netns);
    const daemon = (d: Daemon): DaemonStatus => {
        const pid = readPidFile(pidFile(hv, d));
        return { ...(pid !== undefined ? { pid } : {}), running: exists && processAlive(pid, d) && processInNetns(pid!, hv.netns) };
    };
    const daemons = { virtlogd: daemon("virtlogd"), libvirtd: daemon("libvirtd"), sshd: daemon("sshd") };
    let domains: string[] | undefined;
    if (holderUp && daemons.libvirtd.running) {
        const r = await run(listDomains(hv, s!.holderPid!), { allowFail: true, env: DAEMON_ENV });
        if (r.code === 0) domains = r.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
    }
    const ssh = exists ? await sshBanner(hv.mgmtIp, 22, 1000) : undefined;
    return {
        name: hv.name,
        netns: hv.netns,
        netnsExists: exists,
        mgmtIp: hv.mgmtIp,
        underlayIp: hv.underlayIp,
        holder: { ...(s?.holderPid !== undefined ? { pid: s.holderPid } : {}), running: holderUp },
        daemons,
        ...(ssh !== undefined ? { ssh } : {}),
        ...(domains !== undefined ? { domains } : {}),
        processes: (await netnsPidList(hv.netns)).length,
    };
}

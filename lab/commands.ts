// The command lines `pairbench lab` runs, as argv arrays (executed with execFile: no shell).
// Pure: one function per change to the machine, each with its undo where there is one.
import { insideView, LabHypervisor, LabSpec } from "./spec";

export type Argv = readonly string[];

/** Environment of the lab's daemons: nothing inherited from the caller but a fixed PATH. */
export const DAEMON_ENV: Readonly<Record<string, string>> = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/root",
    LANG: "C.UTF-8",
};

/** The root-namespace bridge of the management network, with the host's address on it. */
export function mgmtBridgeCreate(spec: LabSpec): Argv[] {
    return [
        ["ip", "link", "add", spec.mgmtBridge, "type", "bridge"],
        ["ip", "addr", "add", spec.mgmtBridgeCidr, "dev", spec.mgmtBridge],
        ["ip", "link", "set", spec.mgmtBridge, "up"],
    ];
}

export function mgmtBridgeDelete(spec: LabSpec): Argv[] {
    return [["ip", "link", "del", spec.mgmtBridge]];
}

export function netnsCreate(hv: LabHypervisor): Argv[] {
    return [
        ["ip", "netns", "add", hv.netns],
        ["ip", "-n", hv.netns, "link", "set", "lo", "up"],
    ];
}

/** Deleting the namespace also deletes the veths with an end inside it. */
export function netnsDelete(hv: LabHypervisor): Argv[] {
    return [["ip", "netns", "del", hv.netns]];
}

/** A veth from the management bridge into the namespace, addressed inside. */
export function mgmtLinkCreate(spec: LabSpec, hv: LabHypervisor): Argv[] {
    const dev = spec.mgmtDevice;
    return [
        ["ip", "link", "add", hv.mgmtVethHost, "type", "veth", "peer", "name", dev, "netns", hv.netns],
        ["ip", "link", "set", hv.mgmtVethHost, "master", spec.mgmtBridge],
        ["ip", "link", "set", hv.mgmtVethHost, "up"],
        ["ip", "-n", hv.netns, "addr", "add", `${hv.mgmtIp}/${spec.mgmtPrefix}`, "dev", dev],
        ["ip", "-n", hv.netns, "link", "set", dev, "up"],
    ];
}

/** One veth between the two namespaces, the same name on both ends, with room for VXLAN. */
export function underlayCreate(spec: LabSpec, a: LabHypervisor, b: LabHypervisor): Argv[] {
    const dev = spec.underlayDevice;
    const mtu = String(spec.underlayMtu);
    return [
        ["ip", "-n", a.netns, "link", "add", dev, "mtu", mtu, "type", "veth", "peer", "name", dev, "mtu", mtu, "netns", b.netns],
        ...[a, b].flatMap((hv): Argv[] => [
            ["ip", "-n", hv.netns, "addr", "add", `${hv.underlayIp}/${spec.underlayPrefix}`, "dev", dev],
            ["ip", "-n", hv.netns, "link", "set", dev, "up"],
        ]),
    ];
}

/**
 * The process that keeps the hypervisor's mount namespace alive: `ip netns exec` enters the
 * network namespace (and mounts that namespace's /sys), `unshare` makes a private mount
 * namespace, `sleep infinity` holds it. Each step execs the next, so the spawned pid is sleep's.
 */
export function holderArgv(hv: LabHypervisor): Argv {
    return ["ip", "netns", "exec", hv.netns, "unshare", "--mount", "--propagation", "private", "sleep", "infinity"];
}

/** argv run inside the hypervisor: its mount namespace (held by `holderPid`) and network namespace. */
export function inHypervisor(hv: LabHypervisor, holderPid: number, argv: Argv): Argv {
    if (!Number.isInteger(holderPid) || holderPid <= 1) throw new Error(`holder pid ${holderPid} is not a process id`);
    return ["nsenter", `--mount=/proc/${holderPid}/ns/mnt`, `--net=/run/netns/${hv.netns}`, "--", ...argv];
}

/** Bind-mounts the private directories over the namespace's /run/libvirt, /var/lib/libvirt, …. */
export function privateMounts(hv: LabHypervisor, holderPid: number): Argv[] {
    return hv.mounts.map((m) => inHypervisor(hv, holderPid, ["mount", "--bind", m.source, m.target]));
}

/** Lists the mount targets the hypervisor's mount namespace has, one per line. */
export function listMounts(hv: LabHypervisor, holderPid: number): Argv {
    return inHypervisor(hv, holderPid, ["findmnt", "-n", "-l", "-o", "TARGET"]);
}

/** Copies the host's /etc/libvirt into the hypervisor's private copy (then pairbench's files go on top). */
export function copyHostLibvirtConfig(hv: LabHypervisor): Argv {
    const etc = hv.mounts.find((m) => m.target === "/etc/libvirt");
    if (etc === undefined) throw new Error(`hypervisor ${hv.name} has no private /etc/libvirt`);
    return ["cp", "-a", "/etc/libvirt/.", `${etc.source}/`];
}

export type Daemon = "virtlogd" | "libvirtd" | "sshd";

/** Start order; stop order is the reverse. */
export const DAEMONS: readonly Daemon[] = ["virtlogd", "libvirtd", "sshd"];

export function pidFile(hv: LabHypervisor, daemon: Daemon): string {
    switch (daemon) {
        case "virtlogd":
            return hv.virtlogdPidFile;
        case "libvirtd":
            return hv.libvirtdPidFile;
        case "sshd":
            return hv.sshdPidFile;
        default: {
            const unknown: never = daemon;
            throw new Error(`unknown daemon ${String(unknown)}`);
        }
    }
}

/**
 * A daemon's start command, inside the hypervisor. Each daemonizes itself and writes its pid
 * file inside the private /run/libvirt (the second libvirtd would otherwise fail on the first
 * one's /run/libvirtd.pid).
 */
export function daemonStart(hv: LabHypervisor, holderPid: number, daemon: Daemon): Argv {
    const pid = insideView(hv, pidFile(hv, daemon));
    switch (daemon) {
        case "virtlogd":
            return inHypervisor(hv, holderPid, ["virtlogd", "-d", "-p", pid]);
        case "libvirtd":
            return inHypervisor(hv, holderPid, ["libvirtd", "-d", "-p", pid]);
        case "sshd":
            // sshd wants an absolute path; -E: its log goes to a file instead of syslog.
            return inHypervisor(hv, holderPid, ["/usr/sbin/sshd", "-f", hv.sshdConfig, "-E", `${hv.logDir}/sshd.log`]);
        default: {
            const unknown: never = daemon;
            throw new Error(`unknown daemon ${String(unknown)}`);
        }
    }
}

/** The executable a daemon's process shows in /proc/PID/comm (to tell it from a reused pid). */
export function daemonComm(daemon: Daemon): string {
    return daemon;
}

/** Asks the hypervisor's libvirtd for its version: succeeds once it serves its socket. */
export function libvirtPing(hv: LabHypervisor, holderPid: number): Argv {
    return inHypervisor(hv, holderPid, ["virsh", "-c", "qemu:///system", "version", "--daemon"]);
}

/** Names of the hypervisor's running domains. */
export function listDomains(hv: LabHypervisor, holderPid: number): Argv {
    return inHypervisor(hv, holderPid, ["virsh", "-c", "qemu:///system", "list", "--name"]);
}

/** Processes in the network namespace (daemons, QEMU, dnsmasq, SSH sessions, the holder). */
export function netnsPids(hv: LabHypervisor): Argv {
    return ["ip", "netns", "pids", hv.netns];
}

export function sshKeygen(file: string, comment: string): Argv {
    return ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file];
}

/** Exit 0 when every package is installed; prints one `name status` line per package. */
export function dpkgQuery(packages: readonly string[]): Argv {
    return ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Abbrev}\\n", ...packages];
}

export function aptInstall(packages: readonly string[]): Argv[] {
    return [
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", ...packages],
    ];
}

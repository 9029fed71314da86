// What the emulated lab is made of: names, addresses and paths of the two hypervisors, derived
// from one small spec. Pure: no I/O. Every other lab module takes a LabSpec (or one of its
// hypervisors), so tests can build a lab under a temporary directory with other names.
import * as path from "path";

/** One emulated hypervisor: a network namespace plus a private mount namespace. */
export interface LabHypervisor {
    /** As in Pulumi.dev.yaml (`hv1`). */
    readonly name: string;
    /** Network namespace (`pb-hv1`). */
    readonly netns: string;
    /** Root-namespace end of the management veth, a port of the management bridge. */
    readonly mgmtVethHost: string;
    /** Management address inside the namespace; sshd listens only here. */
    readonly mgmtIp: string;
    /** Underlay address inside the namespace (the VXLAN dataplane's `local`). */
    readonly underlayIp: string;
    /** Per-hypervisor state directory on the host (`.pairbench/lab/hv1`). */
    readonly dir: string;
    /** Host directories (and, with `file`, files) bind-mounted over the namespace's view, target → source. */
    readonly mounts: ReadonlyArray<LabMount>;
    readonly sshHostKey: string;
    readonly sshdConfig: string;
    readonly sshdPidFile: string;
    readonly virtlogdPidFile: string;
    readonly libvirtdPidFile: string;
    /** Where the daemons' start-up messages go. */
    readonly logDir: string;
}

export interface LabSpec {
    /** The lab's state directory (`<project>/.pairbench/lab`). */
    readonly dir: string;
    readonly stateFile: string;
    /** Root-namespace bridge of the management network. */
    readonly mgmtBridge: string;
    /** Address of the root namespace on the management network, with prefix. */
    readonly mgmtBridgeCidr: string;
    readonly mgmtPrefix: number;
    /** Name of the underlay veth inside each namespace. */
    readonly underlayDevice: string;
    readonly underlayPrefix: number;
    /** MTU of the underlay: room for VXLAN's 50 bytes on top of 1500-byte guest frames. */
    readonly underlayMtu: number;
    /** Name of the management veth inside each namespace. */
    readonly mgmtDevice: string;
    /** Client key Pulumi logs in with (Pulumi.dev.yaml `sshKey.path`); `.pub` is authorized. */
    readonly clientKey: string;
    readonly authorizedKeys: string;
    /** `ssh -F <sshConfig> hv1` for people. */
    readonly sshConfig: string;
    readonly knownHosts: string;
    readonly hypervisors: readonly LabHypervisor[];
}

export interface LabMount {
    readonly target: string;
    readonly source: string;
    /** A file mount (its source is written by the lab), not a directory. */
    readonly file?: true;
}

/**
 * The hypervisor's own /etc/passwd and /etc/group: the host's plus the `libvirt-qemu` account
 * Debian's libvirtd looks up when its QEMU driver starts, even with `user = "root"` in
 * qemu.conf. libvirt-daemon-system would add it to the host; the lab adds it only in its own
 * namespaces, so the host's accounts never change.
 */
export const ACCOUNT_FILES: ReadonlyArray<{ readonly target: string; readonly leaf: string }> = [
    { target: "/etc/passwd", leaf: "passwd" },
    { target: "/etc/group", leaf: "group" },
];

/** The namespaces' private libvirt state and the hypervisor working directory (its own per hv). */
export const PRIVATE_DIRS: ReadonlyArray<{ readonly target: string; readonly leaf: string }> = [
    { target: "/run/libvirt", leaf: "run" },
    { target: "/var/lib/libvirt", leaf: "lib" },
    { target: "/etc/libvirt", leaf: "etc" },
    { target: "/var/log/libvirt", leaf: "log" },
    { target: "/var/lib/pairbench", leaf: "workdir" },
];

/**
 * libvirt's cache (QEMU capabilities, keyed by the QEMU binary and libvirt version) is shared by
 * the hypervisors and kept across `lab down`: probing QEMU costs libvirtd about 10 s per start.
 */
export const LIBVIRT_CACHE_TARGET = "/var/cache/libvirt";

/** ${XDG_CACHE_HOME:-~/.cache}/pairbench: the guest image and libvirt's capabilities cache. */
export function pairbenchCacheDir(env: NodeJS.ProcessEnv, homeDir: string): string {
    const xdg = env.XDG_CACHE_HOME;
    return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir, ".cache"), "pairbench");
}

export interface LabOptions {
    /** Hypervisor names. Defaults to hv1, hv2 (the dev stack). The underlay joins exactly two. */
    readonly names?: readonly string[];
    /** Prefix of every network namespace and root-namespace link. Defaults to `pb-`. */
    readonly prefix?: string;
    /** First three octets of the management network. Defaults to 198.18.0. */
    readonly mgmtNet?: string;
    /** First three octets of the underlay network. Defaults to 198.18.1. */
    readonly underlayNet?: string;
    /** libvirt's shared cache directory. Defaults to `<lab dir>/libvirt-cache` (lab.ts passes the user cache). */
    readonly libvirtCacheDir?: string;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const NET = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Checks lab options; lists every problem in one message. */
export function validateLabOptions(o: LabOptions): void {
    const problems: string[] = [];
    const names = o.names ?? ["hv1", "hv2"];
    if (names.length !== 2) problems.push(`names: the underlay joins exactly two hypervisors (got ${names.length})`);
    if (new Set(names).size !== names.length) problems.push("names must be distinct");
    const prefix = o.prefix ?? "pb-";
    for (const n of names) {
        if (!NAME.test(n)) problems.push(`name '${n}' must match [a-z0-9][a-z0-9-]*`);
        // Linux interface names are at most 15 characters; `<prefix><name>-m` is the longest.
        if (`${prefix}${n}-m`.length > 15) problems.push(`'${prefix}${n}-m' is longer than 15 characters; use a shorter name or prefix`);
    }
    if (!/^[a-z][a-z0-9-]*$/.test(prefix)) problems.push(`prefix '${prefix}' must match [a-z][a-z0-9-]*`);
    for (const [field, net] of [["mgmtNet", o.mgmtNet], ["underlayNet", o.underlayNet]] as const) {
        if (net === undefined) continue;
        const m = NET.exec(net);
        if (!m || m.slice(1).some((x) => Number(x) > 255)) problems.push(`${field} '${net}' must be three octets such as 198.18.0`);
    }
    if (problems.length > 0) throw new Error(`invalid lab options: ${problems.join("; ")}`);
}

/** The lab under `<projectDir>/.pairbench/lab`. Host addresses are .11, .12, … in both networks. */
export function labSpec(projectDir: string, o: LabOptions = {}): LabSpec {
    validateLabOptions(o);
    const names = o.names ?? ["hv1", "hv2"];
    const prefix = o.prefix ?? "pb-";
    const mgmtNet = o.mgmtNet ?? "198.18.0";
    const underlayNet = o.underlayNet ?? "198.18.1";
    const dir = path.join(projectDir, ".pairbench", "lab");
    const libvirtCache = o.libvirtCacheDir ?? path.join(dir, "libvirt-cache");
    const hypervisors = names.map((name, i): LabHypervisor => {
        const hvDir = path.join(dir, name);
        const run = path.join(hvDir, "run");
        return {
            name,
            netns: `${prefix}${name}`,
            mgmtVethHost: `${prefix}${name}-m`,
            mgmtIp: `${mgmtNet}.${11 + i}`,
            underlayIp: `${underlayNet}.${11 + i}`,
            dir: hvDir,
            mounts: [
                ...PRIVATE_DIRS.map((d) => ({ target: d.target, source: path.join(hvDir, d.leaf) })),
                { target: LIBVIRT_CACHE_TARGET, source: libvirtCache },
                ...ACCOUNT_FILES.map((f) => ({ target: f.target, source: path.join(hvDir, f.leaf), file: true as const })),
            ],
            sshHostKey: path.join(hvDir, "ssh_host_ed25519_key"),
            sshdConfig: path.join(hvDir, "sshd_config"),
            // Pid files live in the private /run/libvirt: readable from the host at run/.
            sshdPidFile: path.join(run, "sshd.pid"),
            virtlogdPidFile: path.join(run, "virtlogd.pid"),
            libvirtdPidFile: path.join(run, "libvirtd.pid"),
            logDir: path.join(hvDir, "log"),
        };
    });
    return {
        dir,
        stateFile: path.join(dir, "state.json"),
        mgmtBridge: `${prefix}lab0`,
        mgmtBridgeCidr: `${mgmtNet}.1/24`,
        mgmtPrefix: 24,
        underlayDevice: "underlay0",
        underlayPrefix: 24,
        underlayMtu: 9000,
        mgmtDevice: "mgmt0",
        clientKey: path.join(dir, "id_ed25519"),
        authorizedKeys: path.join(dir, "authorized_keys"),
        sshConfig: path.join(dir, "ssh_config"),
        knownHosts: path.join(dir, "known_hosts"),
        hypervisors,
    };
}

/** The path a hypervisor's daemons see for a host path under its private directories. */
export function insideView(hv: LabHypervisor, hostPath: string): string {
    for (const m of hv.mounts) {
        if (hostPath === m.source) return m.target;
        if (hostPath.startsWith(`${m.source}/`)) return m.target + hostPath.slice(m.source.length);
    }
    return hostPath;
}

/** The other hypervisors' underlay addresses: the VXLAN dataplane's remotes. */
export function underlayPeers(spec: LabSpec, name: string): string[] {
    return spec.hypervisors.filter((h) => h.name !== name).map((h) => h.underlayIp);
}

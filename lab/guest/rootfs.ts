// The guest's root filesystem as a list of entries (directories, host files to copy, generated
// texts, links, device nodes), sorted so every directory precedes what it holds. Pure: the
// builder reads the host files and packs the list with cpio.ts.
import { guestLibraryPath } from "./ldd";
import { etcFiles, GUEST, rcScript, SETFILES_SHIM, UDHCPC_SCRIPT } from "./init";

export type TreeEntry =
    | { readonly kind: "dir"; readonly path: string; readonly mode: number }
    | { readonly kind: "copy"; readonly path: string; readonly mode: number; readonly source: string }
    | { readonly kind: "text"; readonly path: string; readonly mode: number; readonly text: string }
    | { readonly kind: "symlink"; readonly path: string; readonly target: string }
    | { readonly kind: "chardev"; readonly path: string; readonly mode: number; readonly major: number; readonly minor: number };

export interface GuestTreeInputs {
    readonly kernelRelease: string;
    /** Kernel modules in load order: path relative to /lib/modules/<release> and the extracted file. */
    readonly modules: ReadonlyArray<{ readonly file: string; readonly source: string }>;
    /** The guest's modules.dep (modules.ts `modulesDep`). */
    readonly modulesDep: string;
    /** `busybox --list-full` lines, e.g. `bin/sh`, `sbin/ip`: each becomes a link to /bin/busybox. */
    readonly busyboxApplets: readonly string[];
    /** The static busybox on the host. */
    readonly busybox: string;
    /** Programs from Debian packages: guest path → host file. */
    readonly programs: ReadonlyArray<{ readonly path: string; readonly source: string }>;
    /** Shared libraries as ldd resolved them (host paths); they keep their paths under /usr. */
    readonly libraries: ReadonlyArray<{ readonly path: string; readonly source: string }>;
}

const DIRS: ReadonlyArray<[string, number]> = [
    ["/bin", 0o755],
    ["/dev", 0o755],
    ["/etc", 0o755],
    ["/etc/dropbear", 0o700],
    ["/etc/pairbench", 0o755],
    ["/mnt", 0o755],
    ["/proc", 0o555],
    ["/root", 0o700],
    ["/run", 0o755],
    ["/sbin", 0o755],
    ["/sys", 0o555],
    ["/tmp", 0o1777],
    ["/usr/bin", 0o755],
    ["/usr/lib", 0o755],
    ["/usr/lib64", 0o755],
    ["/usr/sbin", 0o755],
    ["/var/log", 0o755],
    ["/var/tmp", 0o1777],
];

const parentOf = (p: string) => p.slice(0, p.lastIndexOf("/")) || "/";

/**
 * Every entry of the guest's root. Programs win over busybox applets of the same path; paths
 * below a link (/lib, /lib64, /var/run) are an error, since the kernel would not follow it.
 */
export function guestTree(inp: GuestTreeInputs): TreeEntry[] {
    const entries = new Map<string, TreeEntry>();
    const add = (e: TreeEntry) => {
        if (!e.path.startsWith("/") || e.path.includes("//") || e.path.split("/").includes("..")) {
            throw new Error(`guest path '${e.path}' must be absolute and normalized`);
        }
        if (entries.has(e.path)) throw new Error(`two guest entries for ${e.path}`);
        entries.set(e.path, e);
    };
    for (const [path, mode] of DIRS) add({ kind: "dir", path, mode });
    // Debian's merged /usr: one library directory, whatever path ldd printed.
    add({ kind: "symlink", path: "/lib", target: "usr/lib" });
    add({ kind: "symlink", path: "/lib64", target: "usr/lib64" });
    add({ kind: "symlink", path: "/var/run", target: "../run" });
    add({ kind: "symlink", path: "/init", target: "bin/busybox" });
    add({ kind: "chardev", path: "/dev/console", mode: 0o600, major: 5, minor: 1 });
    add({ kind: "chardev", path: "/dev/null", mode: 0o666, major: 1, minor: 3 });

    add({ kind: "copy", path: "/bin/busybox", mode: 0o755, source: inp.busybox });
    for (const p of inp.programs) add({ kind: "copy", path: p.path, mode: 0o755, source: p.source });
    add({ kind: "text", path: "/usr/sbin/setfiles", mode: 0o755, text: SETFILES_SHIM });
    for (const lib of inp.libraries) add({ kind: "copy", path: guestLibraryPath(lib.path), mode: 0o755, source: lib.source });
    for (const applet of inp.busyboxApplets) {
        const path = `/${applet.trim().replace(/^\/+/, "")}`;
        if (path === "/" || path === "/bin/busybox" || entries.has(path)) continue;
        add({ kind: "symlink", path, target: "/bin/busybox" });
    }

    const modDir = `/usr/lib/modules/${inp.kernelRelease}`;
    for (const m of inp.modules) add({ kind: "copy", path: `${modDir}/${m.file}`, mode: 0o644, source: m.source });
    add({ kind: "text", path: `${modDir}/modules.dep`, mode: 0o644, text: inp.modulesDep });

    for (const f of etcFiles(inp.kernelRelease)) add({ kind: "text", path: f.path, mode: f.mode, text: f.text });
    add({ kind: "text", path: GUEST.rc, mode: 0o755, text: rcScript({ kernelRelease: inp.kernelRelease, modules: inp.modules.map((m) => m.file) }) });
    add({ kind: "text", path: GUEST.udhcpcScript, mode: 0o755, text: UDHCPC_SCRIPT });

    // Parent directories of everything, then a check that nothing hides below a link.
    for (const path of [...entries.keys()]) {
        for (let dir = parentOf(path); dir !== "/"; dir = parentOf(dir)) {
            if (!entries.has(dir)) entries.set(dir, { kind: "dir", path: dir, mode: 0o755 });
        }
    }
    for (const e of entries.values()) {
        for (let dir = parentOf(e.path); dir !== "/"; dir = parentOf(dir)) {
            const up = entries.get(dir);
            if (up !== undefined && up.kind !== "dir") throw new Error(`guest path ${e.path} is below ${dir}, which is not a directory`);
        }
    }
    // Sorted by path: a directory sorts before its contents.
    return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// Which kernel modules the guest loads, in which order: resolved from the modules' own
// `depends=` fields (their .modinfo), so a newer Debian kernel with other dependencies still
// loads, without depmod (kmod) on the host. Debian's kernel package ships no modules.dep (its
// postinst runs depmod), so the guest's modules.dep is written here too. Pure.
//
// Debian's kernel has virtio and fw_cfg as modules; AF_PACKET, IPv6 and unix sockets are
// built in (CONFIG_PACKET=y, CONFIG_IPV6=y, CONFIG_UNIX=y in 6.1), so they are not loaded.

/**
 * Modules the guest needs, by module name: the virtio PCI transport and NIC, fw_cfg (ignition's
 * config), and the virtio RNG (entropy for host keys at boot). Their dependencies are added.
 */
export const GUEST_MODULES: readonly string[] = ["virtio_pci", "virtio_net", "qemu_fw_cfg", "virtio_rng"];

/** Module name of a module file: basename without `.ko[.xz|.zst|.gz]`, `-` read as `_`. */
export function moduleName(file: string): string {
    const base = file.slice(file.lastIndexOf("/") + 1);
    return base.replace(/\.ko(\.(xz|zst|gz))?$/, "").replace(/-/g, "_");
}

/**
 * The `depends=` field of an uncompressed module's .modinfo section (NUL-separated `key=value`
 * strings): the names of the modules it needs directly.
 */
export function modinfoDepends(ko: Buffer): string[] {
    const key = Buffer.from("\0depends=", "latin1");
    const at = ko.indexOf(key);
    if (at < 0) throw new Error("no depends= field in the module's .modinfo (not an uncompressed kernel module?)");
    const start = at + key.length;
    const end = ko.indexOf(0, start);
    const value = ko.subarray(start, end < 0 ? undefined : end).toString("latin1");
    return value.split(",").filter((d) => d !== "").map((d) => d.replace(/-/g, "_"));
}

export interface ModuleInfo {
    /** Path relative to /lib/modules/<release>, e.g. kernel/drivers/net/virtio_net.ko. */
    readonly file: string;
    /** Direct dependencies, by module name. */
    readonly depends: readonly string[];
}

/**
 * Modules to load, dependencies first, each once: what `modprobe` would do, decided at build
 * time so the guest can use plain `insmod`. `lookup` gives a module by name (undefined: not a
 * module of this kernel).
 */
export function moduleLoadOrder(wanted: readonly string[], lookup: (name: string) => ModuleInfo | undefined): ModuleInfo[] {
    const order: ModuleInfo[] = [];
    const done = new Set<string>();
    const visit = (name: string, trail: readonly string[]) => {
        if (done.has(name)) return;
        if (trail.includes(name)) throw new Error(`module dependency cycle: ${[...trail, name].join(" → ")}`);
        const m = lookup(name);
        if (m === undefined) {
            const via = trail.length > 0 ? ` (needed by ${trail[trail.length - 1]})` : "";
            throw new Error(`kernel module ${name}${via} is not a module of this kernel (built in, or renamed?)`);
        }
        for (const d of m.depends) visit(d, [...trail, name]);
        done.add(name);
        order.push(m);
    };
    for (const w of wanted) visit(w.replace(/-/g, "_"), []);
    return order;
}

/**
 * modules.dep for the modules the guest carries, in depmod's format (each line: a module and
 * its full dependency closure, nearest first). busybox `modprobe`, which ignition runs for
 * qemu_fw_cfg, needs it.
 */
export function modulesDep(modules: readonly ModuleInfo[]): string {
    const byName = new Map(modules.map((m) => [moduleName(m.file), m]));
    const closure = (m: ModuleInfo): string[] => {
        const out: string[] = [];
        const walk = (names: readonly string[]) => {
            for (const n of names) {
                const d = byName.get(n);
                if (d === undefined) throw new Error(`module ${n} is needed by ${m.file} but not carried`);
                if (!out.includes(d.file)) {
                    out.push(d.file);
                    walk(d.depends);
                }
            }
        };
        walk(m.depends);
        return out;
    };
    return modules.map((m) => `${m.file}:${closure(m).map((f) => ` ${f}`).join("")}\n`).join("");
}

/** The kernel release of a Debian kernel image package: `linux-image-6.1.0-56-amd64` → `6.1.0-56-amd64`. */
export function kernelRelease(packageName: string): string {
    // 6.1.0-56-amd64 (bookworm), 6.12.38+deb13-amd64 (trixie); -unsigned packages carry the same kernel.
    const m = /^linux-image-(\d+\.\d+[a-z0-9.+~-]*-[a-z0-9]+)$/.exec(packageName.replace(/-unsigned$/, ""));
    if (!m) throw new Error(`'${packageName}' is not a Debian kernel image package such as linux-image-6.1.0-56-amd64`);
    return m[1]!;
}

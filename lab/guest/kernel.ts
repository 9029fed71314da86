// The guest's kernel: Debian's kernel package, downloaded and unpacked into a temporary
// directory (never installed on the host), and booted as an uncompressed ELF through its PVH
// entry point when the kernel has one. Under TCG the bzImage's own XZ decompression costs about
// 3 s per boot (more with several VMs on two cores); QEMU loads an ELF vmlinux with a PVH note
// directly, and libvirt's <kernel> takes either.
import * as fs from "fs";
import * as path from "path";
import { run } from "../runner";
import { kernelRelease, modinfoDepends, ModuleInfo } from "./modules";

/** The kernel's own compression and whether it has a PVH entry, from its config-<release>. */
export function kernelFeatures(config: string): { compression: string | undefined; pvh: boolean } {
    const compression = /^CONFIG_KERNEL_([A-Z0-9]+)=y$/m.exec(config)?.[1]?.toLowerCase();
    return { compression, pvh: /^CONFIG_PVH=y$/m.test(config) };
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** Offset of the XZ stream inside a bzImage (its compressed payload). */
export function xzPayloadOffset(bzImage: Buffer): number {
    const at = bzImage.indexOf(XZ_MAGIC);
    if (at < 0) throw new Error("no XZ stream in the kernel image");
    return at;
}

export interface UnpackedKernel {
    /** What the guest boots: the ELF vmlinux (PVH) or, failing that, the bzImage. */
    readonly image: string;
    readonly format: "elf-pvh" | "bzimage";
    readonly release: string;
    /** /lib/modules/<release> inside the unpacked package. */
    readonly modRoot: string;
    readonly lookup: (name: string) => ModuleInfo | undefined;
}

/** Downloads and unpacks `pkg=version` under `work`; returns the kernel to boot and a module lookup. */
export async function unpackKernel(work: string, pkg: string, version: string): Promise<UnpackedKernel> {
    await run(["apt-get", "download", "-q", `${pkg}=${version}`], { cwd: work });
    const deb = fs.readdirSync(work).find((n) => n.startsWith(`${pkg}_`) && n.endsWith(".deb"));
    if (deb === undefined) throw new Error(`apt-get download ${pkg}=${version} left no .deb in ${work}`);
    const root = path.join(work, "root");
    await run(["dpkg-deb", "-x", path.join(work, deb), root]);
    const release = kernelRelease(pkg);
    const bzImage = path.join(root, "boot", `vmlinuz-${release}`);
    const configFile = path.join(root, "boot", `config-${release}`);
    const modRoot = [path.join(root, "lib", "modules", release), path.join(root, "usr", "lib", "modules", release)].find((d) =>
        fs.existsSync(d),
    );
    if (!fs.existsSync(bzImage) || modRoot === undefined) throw new Error(`${deb} has no boot/vmlinuz-${release} or modules`);

    let image = bzImage;
    let format: UnpackedKernel["format"] = "bzimage";
    const features = kernelFeatures(fs.existsSync(configFile) ? fs.readFileSync(configFile, "utf8") : "");
    if (features.pvh && features.compression === "xz") {
        const payload = path.join(work, "vmlinux.xz");
        const data = fs.readFileSync(bzImage);
        fs.writeFileSync(payload, data.subarray(xzPayloadOffset(data)));
        // --single-stream: what follows the payload in the bzImage is not XZ.
        await run(["xz", "-d", "-k", "-f", "--single-stream", payload]);
        const vmlinux = path.join(work, "vmlinux");
        if (fs.readFileSync(vmlinux).subarray(0, 4).toString("latin1") !== "\x7fELF") throw new Error("the kernel's payload is not an ELF image");
        image = vmlinux;
        format = "elf-pvh";
    }

    const files = new Map<string, string>();
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, e.name);
            if (e.isDirectory()) walk(full);
            else if (/\.ko(\.(xz|zst|gz))?$/.test(e.name)) files.set(e.name.replace(/\.ko.*$/, "").replace(/-/g, "_"), full);
        }
    };
    walk(modRoot);
    const lookup = (name: string): ModuleInfo | undefined => {
        const full = files.get(name);
        if (full === undefined) return undefined;
        if (!full.endsWith(".ko")) throw new Error(`${full} is compressed; the guest loads modules with busybox insmod, which needs them plain`);
        return { file: path.relative(modRoot, full), depends: modinfoDepends(fs.readFileSync(full)) };
    };
    return { image, format, release, modRoot, lookup };
}

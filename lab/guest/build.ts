// Builds the dev guest image (Debian kernel + initramfs) and caches it by the hash of its
// inputs under ${XDG_CACHE_HOME:-~/.cache}/pairbench/guest/<hash>/, then links it to
// .pairbench/guest/{vmlinuz,initrd.img}, where the components read it (components/plan.ts).
//
// The kernel is the package's vmlinux, uncompressed, when it can boot through PVH (kernel.ts).
//
// Inputs hashed: the kernel package and version apt would download, the contents of every
// host file copied in (busybox, ignition, dropbear, iperf3, sockperf, usermod and their
// libraries) and this builder's own sources. The kernel is downloaded with `apt-get download`
// and unpacked with `dpkg-deb -x` into a temporary directory: nothing is installed on the host.
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../runner";
import { pairbenchCacheDir } from "../spec";
import { CpioEntry, cpioArchive } from "./cpio";
import { parseLdd } from "./ldd";
import { unpackKernel } from "./kernel";
import { GUEST_MODULES, kernelRelease, moduleLoadOrder, modulesDep } from "./modules";
import { guestTree, TreeEntry } from "./rootfs";
import { aptDependency, aptVersion, GUEST_PROGRAMS, HOST_BUSYBOX, KERNEL_META_PACKAGE } from "./sources";

export interface GuestImage {
    readonly hash: string;
    /** The cache directory holding this build. */
    readonly dir: string;
    readonly kernel: string;
    readonly initrd: string;
    readonly kernelPackage: string;
    readonly kernelVersion: string;
    readonly kernelRelease: string;
    /** True when the cache already had it. */
    readonly cached: boolean;
}

export interface Manifest {
    readonly hash: string;
    readonly kernelPackage: string;
    readonly kernelVersion: string;
    readonly kernelRelease: string;
    readonly modules: readonly string[];
    readonly entries: number;
    readonly initrdBytes: number;
    /** `elf-pvh` (uncompressed, booted through the PVH entry) or `bzimage`. */
    readonly kernelFormat: string;
    readonly kernelBytes: number;
    readonly builtAt: string;
}

/** ${XDG_CACHE_HOME:-~/.cache}/pairbench/guest */
export function guestCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
    return path.join(pairbenchCacheDir(env, os.homedir()), "guest");
}

/** Where the project links the current image: the paths components/plan.ts reads. */
export function projectGuestDir(projectDir: string): string {
    return path.join(projectDir, ".pairbench", "guest");
}

/** Builds kept in the cache besides the current one (about 100 MB each). */
export const KEEP_BUILDS = 2;

/** Cached builds to delete: all but the current one and the `keep` newest others. */
export function buildsToPrune(builds: ReadonlyArray<{ name: string; mtimeMs: number }>, current: string, keep: number): string[] {
    return builds
        .filter((b) => b.name !== current)
        .sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name))
        .slice(keep)
        .map((b) => b.name);
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** A program and its libraries, resolved on the host. */
async function resolveHostFiles(): Promise<{
    programs: Array<{ path: string; source: string }>;
    libraries: Array<{ path: string; source: string }>;
}> {
    const programs: Array<{ path: string; source: string }> = [];
    const libs = new Map<string, string>();
    for (const p of GUEST_PROGRAMS) {
        if (!fs.existsSync(p.source)) throw new Error(`${p.source} is missing: install the Debian package ${p.pkg}`);
        programs.push({ path: p.path, source: p.source });
        const ldd = await run(["ldd", p.source], { allowFail: true });
        for (const lib of parseLdd(p.source, ldd.stdout)) libs.set(lib, fs.realpathSync(lib));
    }
    const libraries = [...libs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, source]) => ({ path: p, source }));
    return { programs, libraries };
}

/** The hash of everything the image is made from. */
function inputHash(kernel: string, files: ReadonlyArray<{ path: string; source: string }>): string {
    const h = createHash("sha256").update(`pairbench guest image\0${kernel}\0`);
    for (const f of files) h.update(`${f.path}\0${sha256(fs.readFileSync(f.source))}\0`);
    // This builder's own sources: a changed init script or layout is a new image.
    for (const name of fs.readdirSync(__dirname).filter((n) => /\.(ts|js)$/.test(n)).sort()) {
        h.update(`${name}\0${sha256(fs.readFileSync(path.join(__dirname, name)))}\0`);
    }
    return h.digest("hex").slice(0, 16);
}

function toCpio(tree: readonly TreeEntry[]): CpioEntry[] {
    return tree.map((e): CpioEntry => {
        switch (e.kind) {
            case "copy":
                return { kind: "file", path: e.path, mode: e.mode, data: fs.readFileSync(e.source) };
            case "text":
                return { kind: "file", path: e.path, mode: e.mode, data: Buffer.from(e.text, "utf8") };
            default:
                return e;
        }
    });
}

/**
 * The guest image for the current Debian packages: from the cache when its inputs are
 * unchanged, otherwise built (about 10 s plus the kernel download).
 */
export async function buildGuestImage(opts: { cacheRoot?: string; force?: boolean; note?: (line: string) => void } = {}): Promise<GuestImage> {
    const note = opts.note ?? (() => undefined);
    const cacheRoot = opts.cacheRoot ?? guestCacheRoot();
    const kernelPackage = await aptDependency(KERNEL_META_PACKAGE);
    const kernelVersion = await aptVersion(kernelPackage);
    const release = kernelRelease(kernelPackage);
    if (!fs.existsSync(HOST_BUSYBOX)) throw new Error(`${HOST_BUSYBOX} is missing: install the Debian package busybox-static`);
    const { programs, libraries } = await resolveHostFiles();
    const hash = inputHash(`${kernelPackage}=${kernelVersion}`, [{ path: "/bin/busybox", source: HOST_BUSYBOX }, ...programs, ...libraries]);
    const dir = path.join(cacheRoot, hash);
    const image = { hash, dir, kernel: path.join(dir, "vmlinuz"), initrd: path.join(dir, "initrd.img"), kernelPackage, kernelVersion, kernelRelease: release };
    if (!opts.force && fs.existsSync(path.join(dir, "manifest.json")) && fs.existsSync(image.kernel) && fs.existsSync(image.initrd)) {
        return { ...image, cached: true };
    }

    fs.mkdirSync(cacheRoot, { recursive: true });
    const work = fs.mkdtempSync(path.join(cacheRoot, `.build-${hash}-`));
    try {
        note(`downloading ${kernelPackage} ${kernelVersion}`);
        const kernel = await unpackKernel(work, kernelPackage, kernelVersion);
        const order = moduleLoadOrder(GUEST_MODULES, kernel.lookup);
        const applets = (await run([HOST_BUSYBOX, "--list-full"])).stdout.split("\n").filter((l) => l.trim() !== "");
        const tree = guestTree({
            kernelRelease: release,
            modules: order.map((m) => ({ file: m.file, source: path.join(kernel.modRoot, m.file) })),
            modulesDep: modulesDep(order),
            busyboxApplets: applets,
            busybox: HOST_BUSYBOX,
            programs,
            libraries,
        });
        // Uncompressed: under TCG the kernel's gunzip of the initramfs costs more than QEMU's copy.
        const archive = cpioArchive(toCpio(tree));
        const out = path.join(work, "out");
        fs.mkdirSync(out);
        fs.writeFileSync(path.join(out, "initrd.img"), archive);
        // The name the components read; with a PVH kernel it holds the uncompressed ELF vmlinux.
        fs.copyFileSync(kernel.image, path.join(out, "vmlinuz"));
        const manifest: Manifest = {
            hash,
            kernelPackage,
            kernelVersion,
            kernelRelease: release,
            modules: order.map((m) => m.file),
            entries: tree.length,
            initrdBytes: archive.length,
            kernelFormat: kernel.format,
            kernelBytes: fs.statSync(kernel.image).size,
            builtAt: new Date().toISOString(),
        };
        fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(out, dir);
        const builds = fs
            .readdirSync(cacheRoot, { withFileTypes: true })
            .filter((e) => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name))
            .map((e) => ({ name: e.name, mtimeMs: fs.statSync(path.join(cacheRoot, e.name)).mtimeMs }));
        for (const old of buildsToPrune(builds, hash, KEEP_BUILDS)) fs.rmSync(path.join(cacheRoot, old), { recursive: true, force: true });
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
    return { ...image, cached: false };
}

/**
 * Links (or copies, across file systems) the image into .pairbench/guest/, replacing what was
 * there. Returns the project paths.
 */
export function installGuestImage(image: GuestImage, projectDir: string): { kernel: string; initrd: string } {
    const dest = projectGuestDir(projectDir);
    fs.mkdirSync(dest, { recursive: true });
    const place = (src: string, name: string) => {
        const target = path.join(dest, name);
        const tmp = `${target}.tmp`;
        fs.rmSync(tmp, { force: true });
        // Already this file: rename(2) between two links of one inode does nothing and would leave tmp behind.
        const [a, b] = [fs.statSync(src), fs.statSync(target, { throwIfNoEntry: false })];
        if (b !== undefined && a.ino === b.ino && a.dev === b.dev) return target;
        try {
            fs.linkSync(src, tmp);
        } catch {
            fs.copyFileSync(src, tmp);
        }
        fs.renameSync(tmp, target);
        return target;
    };
    const kernel = place(image.kernel, "vmlinuz");
    const initrd = place(image.initrd, "initrd.img");
    place(path.join(image.dir, "manifest.json"), "manifest.json");
    return { kernel, initrd };
}

/** The manifest of the image linked into the project, if any. */
export function installedManifest(projectDir: string): Manifest | undefined {
    const file = path.join(projectGuestDir(projectDir), "manifest.json");
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as Manifest;
    } catch {
        return undefined;
    }
}

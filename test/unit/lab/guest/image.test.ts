// The guest image's pure parts: ldd output, apt-cache output, the kernel's format, the boot
// scripts (syntax-checked by busybox when it is installed) and the root filesystem layout.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildsToPrune, GuestImage, installGuestImage } from "../../../../lab/guest/build";
import { etcFiles, INITTAB, rcScript, SETFILES_SHIM, UDHCPC_SCRIPT } from "../../../../lab/guest/init";
import { kernelFeatures, xzPayloadOffset } from "../../../../lab/guest/kernel";
import { guestLibraryPath, parseLdd } from "../../../../lab/guest/ldd";
import { guestTree, GuestTreeInputs } from "../../../../lab/guest/rootfs";
import { parseCandidateVersion, parseKernelDependency } from "../../../../lab/guest/sources";

// `ldd /usr/bin/iperf3` on Debian 12.
const LDD_IPERF3 = `	linux-vdso.so.1 (0x00007ffd1b3f2000)
	libiperf.so.0 => /lib/x86_64-linux-gnu/libiperf.so.0 (0x00007f8f0c364000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f8f0c182000)
	libcrypto.so.3 => /lib/x86_64-linux-gnu/libcrypto.so.3 (0x00007f8f0bc00000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f8f0c3ae000)
`;

const MODULES = ["kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/firmware/qemu_fw_cfg.ko"];

function inputs(extra: Partial<GuestTreeInputs> = {}): GuestTreeInputs {
    return {
        kernelRelease: "6.1.0-56-amd64",
        modules: MODULES.map((file) => ({ file, source: `/x/${file}` })),
        modulesDep: "kernel/drivers/virtio/virtio_ring.ko:\n",
        busyboxApplets: ["bin/sh", "sbin/ip", "usr/bin/awk", "usr/sbin/setfiles", "linuxrc"],
        busybox: "/bin/busybox",
        programs: [{ path: "/usr/bin/ignition", source: "/usr/lib/dracut/modules.d/30ignition/ignition" }],
        libraries: parseLdd("iperf3", LDD_IPERF3).map((p) => ({ path: p, source: `/real${p}` })),
        ...extra,
    };
}

/** busybox sh -n: a syntax check without running anything. */
function syntaxCheck(this: Mocha.Context, script: string): void {
    const r = spawnSync("busybox", ["sh", "-n"], { input: script, encoding: "utf8" });
    if (r.error) this.skip();
    assert.strictEqual(r.status, 0, r.stderr);
}

describe("guest image parts", () => {
    it("reads ldd output, skipping the vDSO, failing on a missing library", () => {
        assert.deepStrictEqual(parseLdd("iperf3", LDD_IPERF3), [
            "/lib/x86_64-linux-gnu/libiperf.so.0",
            "/lib/x86_64-linux-gnu/libc.so.6",
            "/lib/x86_64-linux-gnu/libcrypto.so.3",
            "/lib64/ld-linux-x86-64.so.2",
        ]);
        assert.deepStrictEqual(parseLdd("busybox", "\tnot a dynamic executable\n"), []);
        assert.throws(() => parseLdd("x", "\tlibgone.so.1 => not found\n"), /x: shared library libgone\.so\.1 not found/);
        assert.strictEqual(guestLibraryPath("/lib64/ld-linux-x86-64.so.2"), "/usr/lib64/ld-linux-x86-64.so.2");
        assert.strictEqual(guestLibraryPath("/usr/lib/x86_64-linux-gnu/libz.so.1"), "/usr/lib/x86_64-linux-gnu/libz.so.1");
    });

    it("reads the kernel package and its candidate version from apt-cache", () => {
        assert.strictEqual(parseKernelDependency("linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n"), "linux-image-6.1.0-56-amd64");
        assert.strictEqual(parseCandidateVersion("p", "p:\n  Installed: (none)\n  Candidate: 6.1.192-2\n"), "6.1.192-2");
        assert.throws(() => parseCandidateVersion("p", "p:\n  Candidate: (none)\n"), /no candidate version of p; run apt-get update/);
        assert.throws(() => parseKernelDependency("x\n"), /no linux-image dependency/);
    });

    it("boots Debian's XZ kernel uncompressed through PVH, and finds its payload", () => {
        assert.deepStrictEqual(kernelFeatures("CONFIG_KERNEL_XZ=y\nCONFIG_PVH=y\n"), { compression: "xz", pvh: true });
        assert.deepStrictEqual(kernelFeatures("CONFIG_KERNEL_ZSTD=y\n# CONFIG_PVH is not set\n"), { compression: "zstd", pvh: false });
        assert.strictEqual(xzPayloadOffset(Buffer.from([1, 2, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 9])), 2);
        assert.throws(() => xzPayloadOffset(Buffer.from("MZ")), /no XZ stream/);
    });

    it("rc.sh loads the modules in order, runs ignition's two stages against the running root, then the NICs and dropbear", function () {
        const rc = rcScript({ kernelRelease: "6.1.0-56-amd64", modules: MODULES });
        syntaxCheck.call(this, rc);
        assert.match(rc, /for m in \/lib\/modules\/6\.1\.0-56-amd64\/kernel\/drivers\/virtio\/virtio_ring\.ko \/lib\/modules\/6\.1\.0-56-amd64\/kernel\/drivers\/firmware\/qemu_fw_cfg\.ko; do/);
        const order = ["insmod", "-stage fetch-offline", "-stage files -root /", "/etc/pairbench/test-nic.env", "TEST_IPV4", "udhcpc -i \"$mgmt\"", "dropbear -r"].map((s) => rc.indexOf(s));
        assert.ok(order.every((v, i) => v > 0 && (i === 0 || v > order[i - 1]!)), `steps out of order: ${order}`);
        assert.match(rc, /-platform qemu/);
        assert.match(rc, /accept_dad/);
        // Two host keys: with only ed25519, dropbear 2022.83 still offers rsa-sha2-256 and aborts when Go's client picks it.
        assert.match(rc, /dropbear -r \/etc\/dropbear\/dropbear_ed25519_host_key -r \/etc\/dropbear\/dropbear_ecdsa_host_key -p 22/);
    });

    it("the udhcpc script, the setfiles stand-in and inittab are well-formed", function () {
        syntaxCheck.call(this, UDHCPC_SCRIPT);
        syntaxCheck.call(this, SETFILES_SHIM);
        assert.match(INITTAB, /^::sysinit:\/etc\/pairbench\/rc\.sh$/m);
        const shadow = etcFiles("r").find((f) => f.path === "/etc/shadow")!;
        assert.strictEqual(shadow.mode, 0o600);
        assert.match(etcFiles("r").find((f) => f.path === "/etc/selinux/config")!.text, /^SELINUX=disabled\nSELINUXTYPE=targeted\n$/);
    });

    it("lays out the root: merged /usr for libraries, /init → busybox, programs over applets, directories first", () => {
        const tree = guestTree(inputs());
        const at = (p: string) => tree.find((e) => e.path === p);
        assert.deepStrictEqual(at("/init"), { kind: "symlink", path: "/init", target: "bin/busybox" });
        assert.deepStrictEqual(at("/lib"), { kind: "symlink", path: "/lib", target: "usr/lib" });
        assert.deepStrictEqual(at("/usr/lib/x86_64-linux-gnu/libc.so.6"), {
            kind: "copy", path: "/usr/lib/x86_64-linux-gnu/libc.so.6", mode: 0o755, source: "/real/lib/x86_64-linux-gnu/libc.so.6",
        });
        assert.strictEqual(at("/usr/sbin/setfiles")!.kind, "text", "the stand-in wins over busybox's applet");
        assert.deepStrictEqual(at("/sbin/ip"), { kind: "symlink", path: "/sbin/ip", target: "/bin/busybox" });
        assert.deepStrictEqual(at("/dev/console"), { kind: "chardev", path: "/dev/console", mode: 0o600, major: 5, minor: 1 });
        assert.strictEqual(at("/usr/lib/modules/6.1.0-56-amd64/kernel/drivers/firmware/qemu_fw_cfg.ko")!.kind, "copy");
        assert.strictEqual(at("/root")!.kind === "dir" && (at("/root") as { mode: number }).mode, 0o700);
        const seen = new Set<string>();
        for (const e of tree) {
            const parent = e.path.slice(0, e.path.lastIndexOf("/")) || "/";
            assert.ok(parent === "/" || seen.has(parent), `${e.path} before ${parent}`);
            seen.add(e.path);
        }
        assert.deepStrictEqual(guestTree(inputs()), tree, "deterministic");
    });

    it("keeps the current build and the two newest others in the cache", () => {
        const builds = [
            { name: "a", mtimeMs: 1 },
            { name: "b", mtimeMs: 4 },
            { name: "cur", mtimeMs: 0 },
            { name: "d", mtimeMs: 3 },
            { name: "e", mtimeMs: 2 },
        ];
        assert.deepStrictEqual(buildsToPrune(builds, "cur", 2).sort(), ["a", "e"]);
        assert.deepStrictEqual(buildsToPrune([{ name: "cur", mtimeMs: 0 }], "cur", 2), []);
    });

    it("links the image into the project, again without leftovers, and replaces it with a new build", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-guest-"));
        try {
            const build = (name: string, text: string): GuestImage => {
                const dir = path.join(root, "cache", name);
                fs.mkdirSync(dir, { recursive: true });
                for (const f of ["vmlinuz", "initrd.img", "manifest.json"]) fs.writeFileSync(path.join(dir, f), `${text} ${f}`);
                return { dir, kernel: path.join(dir, "vmlinuz"), initrd: path.join(dir, "initrd.img") } as GuestImage;
            };
            const project = path.join(root, "project");
            const first = build("a", "first");
            installGuestImage(first, project);
            installGuestImage(first, project); // the same build again: rename(2) between links of one inode is a no-op
            const guest = path.join(project, ".pairbench", "guest");
            assert.deepStrictEqual(fs.readdirSync(guest).sort(), ["initrd.img", "manifest.json", "vmlinuz"]);
            const { kernel } = installGuestImage(build("b", "second"), project);
            assert.strictEqual(fs.readFileSync(kernel, "utf8"), "second vmlinuz");
            assert.deepStrictEqual(fs.readdirSync(guest).sort(), ["initrd.img", "manifest.json", "vmlinuz"]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("refuses files below a link and duplicate programs", () => {
        assert.throws(() => guestTree(inputs({ programs: [{ path: "/lib/x", source: "/x" }] })), /guest path \/lib\/x is below \/lib, which is not a directory/);
        assert.throws(
            () => guestTree(inputs({ programs: [{ path: "/usr/bin/a", source: "/a" }, { path: "/usr/bin/a", source: "/b" }] })),
            /two guest entries for \/usr\/bin\/a/,
        );
    });
});

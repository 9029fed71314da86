// Kernel module order from the modules' own depends= fields (Debian 6.1's real dependencies).
import * as assert from "assert";
import { GUEST_MODULES, kernelRelease, modinfoDepends, ModuleInfo, moduleLoadOrder, moduleName, modulesDep } from "../../../../lab/guest/modules";

// depends= of Debian's linux-image-6.1.0-56-amd64 modules (modinfo -F depends).
const DEBIAN_6_1: Record<string, ModuleInfo> = {
    virtio_ring: { file: "kernel/drivers/virtio/virtio_ring.ko", depends: [] },
    virtio: { file: "kernel/drivers/virtio/virtio.ko", depends: [] },
    virtio_pci_modern_dev: { file: "kernel/drivers/virtio/virtio_pci_modern_dev.ko", depends: [] },
    virtio_pci_legacy_dev: { file: "kernel/drivers/virtio/virtio_pci_legacy_dev.ko", depends: [] },
    virtio_pci: {
        file: "kernel/drivers/virtio/virtio_pci.ko",
        depends: ["virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio"],
    },
    failover: { file: "kernel/net/core/failover.ko", depends: [] },
    net_failover: { file: "kernel/drivers/net/net_failover.ko", depends: ["failover"] },
    virtio_net: { file: "kernel/drivers/net/virtio_net.ko", depends: ["virtio_ring", "virtio", "net_failover"] },
    qemu_fw_cfg: { file: "kernel/drivers/firmware/qemu_fw_cfg.ko", depends: [] },
    virtio_rng: { file: "kernel/drivers/char/hw_random/virtio-rng.ko", depends: ["virtio", "virtio_ring"] },
};

describe("guest kernel modules", () => {
    it("loads dependencies first, each once (the order the lab findings load by hand, plus the RNG)", () => {
        const order = moduleLoadOrder(GUEST_MODULES, (n) => DEBIAN_6_1[n]).map((m) => moduleName(m.file));
        assert.deepStrictEqual(order, [
            "virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio", "virtio_pci",
            "failover", "net_failover", "virtio_net", "qemu_fw_cfg", "virtio_rng",
        ]);
        for (const [i, name] of order.entries()) {
            for (const dep of DEBIAN_6_1[name]!.depends) assert.ok(order.indexOf(dep) < i, `${dep} before ${name}`);
        }
    });

    it("fails on a module this kernel does not have, naming who needs it, and on cycles", () => {
        assert.throws(() => moduleLoadOrder(["virtio_net"], (n) => (n === "failover" ? undefined : DEBIAN_6_1[n])), /kernel module failover \(needed by net_failover\) is not a module/);
        const cyc: Record<string, ModuleInfo> = { a: { file: "a.ko", depends: ["b"] }, b: { file: "b.ko", depends: ["a"] } };
        assert.throws(() => moduleLoadOrder(["a"], (n) => cyc[n]), /module dependency cycle: a → b → a/);
    });

    it("writes modules.dep with each module's closure for busybox modprobe", () => {
        const order = moduleLoadOrder(["virtio_net"], (n) => DEBIAN_6_1[n]);
        assert.strictEqual(
            modulesDep(order).split("\n").find((l) => l.startsWith("kernel/drivers/net/virtio_net.ko")),
            "kernel/drivers/net/virtio_net.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko",
        );
    });

    it("reads depends= from a module's .modinfo strings", () => {
        const ko = Buffer.concat([Buffer.from("\x7fELF junk\0license=GPL\0depends=virtio,virtio-ring\0retpoline=Y\0", "latin1")]);
        assert.deepStrictEqual(modinfoDepends(ko), ["virtio", "virtio_ring"]);
        assert.deepStrictEqual(modinfoDepends(Buffer.from("\0depends=\0name=x\0")), []);
        assert.throws(() => modinfoDepends(Buffer.from("nothing")), /no depends= field/);
    });

    it("knows a kernel package's release", () => {
        assert.strictEqual(kernelRelease("linux-image-6.1.0-56-amd64"), "6.1.0-56-amd64");
        assert.strictEqual(kernelRelease("linux-image-6.1.0-56-cloud-amd64"), "6.1.0-56-cloud-amd64");
        assert.strictEqual(kernelRelease("linux-image-6.12.38+deb13-amd64-unsigned"), "6.12.38+deb13-amd64");
        assert.throws(() => kernelRelease("linux-image-amd64"), /not a Debian kernel image package/);
    });
});

// The libvirt domain XML of a test VM, built with xmlbuilder2 (never by string concatenation).
// Pure: plain data in, a string out; the same spec always gives the same bytes.
//
// The shape follows dpservice's vm_tmpl.xml (q35, virtio disk and NIC, VF via <hostdev>, ignition
// through QEMU fw_cfg) with the differences explained where they are made.
import { create } from "xmlbuilder2";
import { PciAddress } from "./naming";

/** How the guest boots: from its disk, or a kernel and initrd given to QEMU directly. */
export type DomainBoot =
    | { readonly kind: "disk" }
    | { readonly kind: "kernel"; readonly kernel: string; readonly initrd?: string; readonly cmdline: string };

/** The NIC that carries the traffic under test. */
export type DomainTestNic =
    /** An SR-IOV VF passed through; the address is the VF's own, resolved on the hypervisor. */
    | { readonly kind: "vf"; readonly address: PciAddress }
    /** A port on a Linux bridge of the hypervisor (the emulated lab's VXLAN bridge). */
    | { readonly kind: "bridge"; readonly bridge: string; readonly mac: string };

export interface DomainSpec {
    readonly name: string;
    /** `kvm` on real hosts; `qemu` (TCG) where KVM does not work. */
    readonly type: "kvm" | "qemu";
    readonly memoryMiB: number;
    readonly vcpus: number;
    /** QEMU machine type. Defaults to `q35` (libvirt expands it to the newest q35 version). */
    readonly machine?: string;
    /** The VM's qcow2 overlay; none for a kernel-booted guest that runs from its initramfs. */
    readonly disk?: { readonly path: string };
    readonly boot: DomainBoot;
    /** MAC of the management NIC on libvirt's `default` network. */
    readonly managementMac: string;
    readonly testNic: DomainTestNic;
    /** Ignition config file on the hypervisor, passed to the guest as fw_cfg `opt/com.coreos/config`. */
    readonly ignitionFile: string;
    /** The serial console is logged here (by virtlogd). */
    readonly consoleLog: string;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Checks a spec before building; lists every problem in one message. */
export function validateDomainSpec(spec: DomainSpec): void {
    const problems: string[] = [];
    if (!/^[a-z0-9][a-z0-9-]*$/.test(spec.name)) problems.push(`name '${spec.name}' must match [a-z0-9][a-z0-9-]*`);
    if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 1) problems.push("memoryMiB must be a whole number ≥ 1");
    if (!Number.isInteger(spec.vcpus) || spec.vcpus < 1) problems.push("vcpus must be a whole number ≥ 1");
    if (!MAC.test(spec.managementMac)) problems.push(`managementMac '${spec.managementMac}' is not a MAC address`);
    if (spec.testNic.kind === "bridge" && !MAC.test(spec.testNic.mac)) {
        problems.push(`testNic.mac '${spec.testNic.mac}' is not a MAC address`);
    }
    for (const [field, path] of [
        ["ignitionFile", spec.ignitionFile],
        ["consoleLog", spec.consoleLog],
        ["disk.path", spec.disk?.path],
        ["boot.kernel", spec.boot.kind === "kernel" ? spec.boot.kernel : undefined],
        ["boot.initrd", spec.boot.kind === "kernel" ? spec.boot.initrd : undefined],
    ] as const) {
        if (path !== undefined && !path.startsWith("/")) problems.push(`${field} '${path}' must be an absolute path`);
    }
    if (spec.boot.kind === "disk" && spec.disk === undefined) problems.push("boot from disk needs a disk");
    if (problems.length > 0) throw new Error(`invalid domain spec for ${spec.name}: ${problems.join("; ")}`);
}

const hex = (n: number, width: number) => `0x${n.toString(16).padStart(width, "0")}`;

/** The domain XML for `virsh define`. */
export function buildDomainXml(spec: DomainSpec): string {
    validateDomainSpec(spec);
    const domain = create().ele("domain", { type: spec.type });
    domain.ele("name").txt(spec.name);
    domain.ele("memory", { unit: "MiB" }).txt(String(spec.memoryMiB));
    domain.ele("currentMemory", { unit: "MiB" }).txt(String(spec.memoryMiB));
    domain.ele("vcpu", { placement: "static" }).txt(String(spec.vcpus));

    // file= rather than an inline value: inline strings reach the guest XML-escaped.
    domain
        .ele("sysinfo", { type: "fwcfg" })
        .ele("entry", { name: "opt/com.coreos/config", file: spec.ignitionFile });

    const os = domain.ele("os");
    os.ele("type", { arch: "x86_64", machine: spec.machine ?? "q35" }).txt("hvm");
    if (spec.boot.kind === "kernel") {
        os.ele("kernel").txt(spec.boot.kernel);
        if (spec.boot.initrd !== undefined) os.ele("initrd").txt(spec.boot.initrd);
        os.ele("cmdline").txt(spec.boot.cmdline);
    } else {
        os.ele("boot", { dev: "hd" });
    }
    // No <smbios mode='sysinfo'/>: it asks for an SMBIOS-type sysinfo, and with only the fwcfg
    // one libvirt refuses to start the domain ("sysinfo are not available"). fw_cfg needs none.

    // fw_cfg entries reach the guest's /sys/firmware/qemu_fw_cfg only when ACPI is on.
    const features = domain.ele("features");
    features.ele("acpi");
    features.ele("apic");

    // host-model needs KVM; under TCG QEMU's default CPU model is the one that works.
    if (spec.type === "kvm") domain.ele("cpu", { mode: "host-model", check: "partial" });

    const clock = domain.ele("clock", { offset: "utc" });
    clock.ele("timer", { name: "rtc", tickpolicy: "catchup" });
    clock.ele("timer", { name: "pit", tickpolicy: "delay" });
    clock.ele("timer", { name: "hpet", present: "no" });
    domain.ele("on_poweroff").txt("destroy");
    domain.ele("on_reboot").txt("restart");
    domain.ele("on_crash").txt("destroy");

    const devices = domain.ele("devices");
    if (spec.disk !== undefined) {
        const disk = devices.ele("disk", { type: "file", device: "disk" });
        disk.ele("driver", { name: "qemu", type: "qcow2" });
        disk.ele("source", { file: spec.disk.path });
        disk.ele("target", { dev: "vda", bus: "virtio" });
    }
    // The management NIC comes first so the guest names it first (eth0 / the lowest PCI slot).
    const mgmt = devices.ele("interface", { type: "network" });
    mgmt.ele("mac", { address: spec.managementMac });
    mgmt.ele("source", { network: "default" });
    mgmt.ele("model", { type: "virtio" });

    const nic = spec.testNic;
    switch (nic.kind) {
        case "vf": {
            // managed='yes': libvirt binds the VF to vfio-pci on start and gives it back on stop.
            const hostdev = devices.ele("hostdev", { mode: "subsystem", type: "pci", managed: "yes" });
            hostdev.ele("driver", { name: "vfio" });
            hostdev.ele("source").ele("address", {
                domain: hex(nic.address.domain, 4),
                bus: hex(nic.address.bus, 2),
                slot: hex(nic.address.slot, 2),
                function: hex(nic.address.function, 1),
            });
            break;
        }
        case "bridge": {
            const port = devices.ele("interface", { type: "bridge" });
            port.ele("mac", { address: nic.mac });
            port.ele("source", { bridge: nic.bridge });
            port.ele("model", { type: "virtio" });
            break;
        }
        default: {
            const unknown: never = nic;
            throw new Error(`unknown test NIC kind ${(unknown as { kind: string }).kind}`);
        }
    }

    // A pty console (for `virsh console`) whose output virtlogd also writes to a file.
    const serial = devices.ele("serial", { type: "pty" });
    serial.ele("log", { file: spec.consoleLog, append: "off" });
    serial.ele("target", { port: "0" });
    devices.ele("console", { type: "pty" }).ele("target", { type: "serial", port: "0" });

    // Guests generate SSH host keys on first boot; a virtio RNG keeps that from stalling.
    devices.ele("rng", { model: "virtio" }).ele("backend", { model: "random" }).txt("/dev/urandom");
    devices.ele("memballoon", { model: "none" });

    return domain.end({ prettyPrint: true, headless: true, indent: "  " }) + "\n";
}

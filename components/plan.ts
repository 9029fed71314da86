// What a libvirt stack stands up, derived from its validated config: which image files each
// hypervisor needs, each VM's MACs, test NIC and hosts entries, and the test-ready pairs. Also
// the glue from a planned VM to the domain XML and ignition builders. Pure: no Pulumi, no I/O.
import * as path from "path";
import { Hypervisor, Image, StackConfig } from "../config/index";
import { DomainSpec } from "./domainXml";
import { HostsEntry, IgnitionSpec } from "./ignition";
import { deterministicMac, parseVfRef, PciAddress, VfRef, vmPaths, vxlanBridgeName } from "./naming";

/** Where `pairbench lab` puts the dev guest's kernel and initramfs (relative to the project). */
export const DEV_GUEST_KERNEL = ".pairbench/guest/vmlinuz";
export const DEV_GUEST_INITRD = ".pairbench/guest/initrd.img";

export interface PlanContext {
    /** The Pulumi stack; part of every MAC, so two stacks never share one. */
    readonly stack: string;
    /** Relative local paths are resolved against this directory (the Pulumi project). */
    readonly projectDir: string;
    /** `~` in local paths. */
    readonly homeDir: string;
}

/** A local path from the config: `~/x` under the home directory, relative under the project. */
export function resolveLocalPath(p: string, ctx: Pick<PlanContext, "projectDir" | "homeDir">): string {
    if (p === "~") return ctx.homeDir;
    if (p.startsWith("~/")) return path.join(ctx.homeDir, p.slice(2));
    return path.resolve(ctx.projectDir, p);
}

/**
 * The public key file put on the VMs of a hypervisor: `ssh.publicKeyPath`, or else the `.pub`
 * next to the hypervisor's key file; undefined when neither is configured.
 */
export function vmPublicKeyFile(cfg: Pick<StackConfig, "ssh">, hv: Pick<Hypervisor, "sshKey">, ctx: Pick<PlanContext, "projectDir" | "homeDir">): string | undefined {
    if (cfg.ssh?.publicKeyPath !== undefined) return resolveLocalPath(cfg.ssh.publicKeyPath, ctx);
    return hv.sshKey !== undefined && "path" in hv.sshKey ? `${resolveLocalPath(hv.sshKey.path, ctx)}.pub` : undefined;
}

/** One file of an image, uploaded once per hypervisor that needs it. */
export interface ImageFile {
    /** Part of resource names: `disk`, `kernel`, `initrd`, or `docker-image` (the dpservice dev stage). */
    readonly role: "disk" | "kernel" | "initrd" | "docker-image";
    readonly localPath: string;
    /** Suffix of the content-addressed file on the hypervisor. */
    readonly suffix: string;
}

export type ImagePlan =
    | { readonly kind: "disk"; readonly name: string; readonly format: "raw" | "qcow2"; readonly disk: ImageFile }
    | {
          readonly kind: "kernel";
          readonly name: string;
          readonly cmdline: string;
          readonly kernel: ImageFile;
          readonly initrd?: ImageFile;
      };

export function imageFiles(image: ImagePlan): ImageFile[] {
    return image.kind === "disk" ? [image.disk] : [image.kernel, ...(image.initrd ? [image.initrd] : [])];
}

export type TestNicPlan =
    | { readonly kind: "vf"; readonly pciAddr: string; readonly ref: VfRef }
    | { readonly kind: "bridge"; readonly bridge: string; readonly mac: string };

export interface VmPlan {
    readonly name: string;
    readonly hypervisor: string;
    readonly vcpus: number;
    readonly memoryMiB: number;
    readonly image: ImagePlan;
    readonly managementMac: string;
    readonly testNic: TestNicPlan;
    readonly overlay: { readonly ipv4: string; readonly ipv6?: string; readonly vni: number };
    /** /etc/hosts entries: `netperf-peer` for its pair's peer, and every other VM by name. */
    readonly hosts: readonly HostsEntry[];
}

export type Placement = "same-host" | "cross-host";

export interface PairPlan {
    readonly name: string;
    readonly client: string;
    readonly server: string;
    readonly placement: Placement;
}

export interface HypervisorPlan {
    readonly hypervisor: Hypervisor;
    /** Images used by this hypervisor's VMs, each uploaded once. */
    readonly images: readonly ImagePlan[];
    readonly vms: readonly VmPlan[];
}

export interface LibvirtPlan {
    readonly hypervisors: readonly HypervisorPlan[];
    readonly vms: readonly VmPlan[];
    readonly pairs: readonly PairPlan[];
}

function planImage(image: Image, ctx: PlanContext): ImagePlan {
    if (image.kind === "disk") {
        const disk: ImageFile = { role: "disk", localPath: resolveLocalPath(image.path, ctx), suffix: image.format };
        return { kind: "disk", name: image.name, format: image.format, disk };
    }
    const kernel: ImageFile = { role: "kernel", localPath: resolveLocalPath(image.kernel ?? DEV_GUEST_KERNEL, ctx), suffix: "vmlinuz" };
    // Without an explicit kernel, the dev guest image: its kernel and initramfs go together.
    const initrdPath = image.initrd ?? (image.kernel === undefined ? DEV_GUEST_INITRD : undefined);
    const initrd: ImageFile | undefined =
        initrdPath === undefined ? undefined : { role: "initrd", localPath: resolveLocalPath(initrdPath, ctx), suffix: "initrd" };
    return { kind: "kernel", name: image.name, cmdline: image.cmdline, kernel, ...(initrd ? { initrd } : {}) };
}

/**
 * The default pairs, as the dpservice suite uses its VMs: same-host = the first two VMs of the
 * first hypervisor that has two; cross-host = the first VM of the first hypervisor with VMs and
 * the first VM of every other hypervisor. The client is the VM listed first in the config.
 */
export function planPairs(cfg: Pick<StackConfig, "hypervisors" | "vms">): PairPlan[] {
    const byHost = cfg.hypervisors.map((h) => cfg.vms.filter((v) => v.hypervisor === h.name).map((v) => v.name));
    const pairs: PairPlan[] = [];
    const pair = (client: string, server: string, placement: Placement) =>
        pairs.push({ name: `${client}-${server}`, client, server, placement });
    const same = byHost.find((vms) => vms.length >= 2);
    if (same) pair(same[0]!, same[1]!, "same-host");
    const firstHost = byHost.findIndex((vms) => vms.length > 0);
    if (firstHost >= 0) {
        byHost.forEach((vms, i) => {
            if (i !== firstHost && vms.length > 0) pair(byHost[firstHost]![0]!, vms[0]!, "cross-host");
        });
    }
    return pairs;
}

/** /etc/hosts entries of one VM: its peer as `netperf-peer`, every other VM by name (`-v6` for IPv6). */
function hostsFor(vm: string, cfg: StackConfig, pairs: readonly PairPlan[]): HostsEntry[] {
    const first = pairs.find((p) => p.client === vm || p.server === vm);
    const peer = first === undefined ? undefined : first.client === vm ? first.server : first.client;
    const entries: HostsEntry[] = [];
    for (const other of cfg.vms) {
        if (other.name === vm) continue;
        const isPeer = other.name === peer;
        entries.push({ address: other.overlay.ipv4, names: [...(isPeer ? ["netperf-peer"] : []), other.name] });
        if (other.overlay.ipv6 !== undefined) {
            entries.push({ address: other.overlay.ipv6, names: [...(isPeer ? ["netperf-peer-v6"] : []), `${other.name}-v6`] });
        }
    }
    return entries;
}

/** The whole libvirt plan of a validated config. */
export function planLibvirt(cfg: StackConfig, ctx: PlanContext): LibvirtPlan {
    const images = new Map(cfg.images.map((im) => [im.name, planImage(im, ctx)]));
    const pairs = planPairs(cfg);
    const vms: VmPlan[] = cfg.vms.map((v) => {
        const image = images.get(v.image ?? cfg.images[0]?.name ?? "");
        if (image === undefined) throw new Error(`VM ${v.name}: image '${v.image ?? "(the only one)"}' is not defined`);
        const nic = v.testNic;
        const testNic: TestNicPlan =
            nic.kind === "vf"
                ? { kind: "vf", pciAddr: nic.pciAddr, ref: parseVfRef(nic.pciAddr) }
                : { kind: "bridge", bridge: nic.bridge ?? vxlanBridgeName(v.overlay.vni), mac: deterministicMac(ctx.stack, v.name, "test") };
        return {
            name: v.name,
            hypervisor: v.hypervisor,
            vcpus: v.size.vcpus,
            memoryMiB: v.size.memoryMiB,
            image,
            managementMac: deterministicMac(ctx.stack, v.name, "mgmt"),
            testNic,
            overlay: { ipv4: v.overlay.ipv4, vni: v.overlay.vni, ...(v.overlay.ipv6 ? { ipv6: v.overlay.ipv6 } : {}) },
            hosts: hostsFor(v.name, cfg, pairs),
        };
    });
    const macs = new Map<string, string>();
    for (const vm of vms) {
        for (const mac of [vm.managementMac, ...(vm.testNic.kind === "bridge" ? [vm.testNic.mac] : [])]) {
            const other = macs.get(mac);
            if (other !== undefined) throw new Error(`MAC ${mac} derived for both ${other} and ${vm.name}; rename one VM`);
            macs.set(mac, vm.name);
        }
    }
    const hypervisors = cfg.hypervisors.map((h) => {
        const own = vms.filter((v) => v.hypervisor === h.name);
        const used = [...new Set(own.map((v) => v.image.name))].map((n) => images.get(n)!);
        return { hypervisor: h, images: used, vms: own };
    });
    return { hypervisors, vms, pairs };
}

/** Paths on the hypervisor of the image files a VM boots from, once uploaded. */
export interface RemoteImage {
    readonly disk?: string;
    readonly kernel?: string;
    readonly initrd?: string;
}

/** The domain spec of a planned VM; `vf` is the VF's own address, resolved on the hypervisor. */
export function domainSpecFor(vm: VmPlan, hv: Hypervisor, remote: RemoteImage, vf?: PciAddress): DomainSpec {
    const files = vmPaths(hv.workDir, vm.name);
    const image = vm.image;
    const need = (value: string | undefined, what: string): string => {
        if (value === undefined) throw new Error(`VM ${vm.name}: the ${what} of image ${image.name} has no path on ${hv.name}`);
        return value;
    };
    // The XML names the VM's overlay, but the overlay is created from the uploaded template.
    if (image.kind === "disk") need(remote.disk, "disk");
    let testNic: DomainSpec["testNic"];
    if (vm.testNic.kind === "vf") {
        if (vf === undefined) throw new Error(`VM ${vm.name}: the PCI address of VF ${vm.testNic.pciAddr} is not resolved`);
        testNic = { kind: "vf", address: vf };
    } else {
        testNic = { kind: "bridge", bridge: vm.testNic.bridge, mac: vm.testNic.mac };
    }
    return {
        name: vm.name,
        type: hv.domainType,
        memoryMiB: vm.memoryMiB,
        vcpus: vm.vcpus,
        ...(image.kind === "disk" ? { disk: { path: files.overlay } } : {}),
        boot:
            image.kind === "disk"
                ? { kind: "disk" }
                : {
                      kind: "kernel",
                      kernel: need(remote.kernel, "kernel"),
                      ...(image.initrd ? { initrd: need(remote.initrd, "initrd") } : {}),
                      cmdline: image.cmdline,
                  },
        managementMac: vm.managementMac,
        testNic,
        ignitionFile: files.ignition,
        consoleLog: files.consoleLog,
    };
}

/** The ignition spec of a planned VM. */
export function ignitionSpecFor(vm: VmPlan, sshAuthorizedKeys: readonly string[], passwordHash?: string): IgnitionSpec {
    const nic = vm.testNic;
    return {
        hostname: vm.name,
        sshAuthorizedKeys,
        ...(passwordHash !== undefined ? { passwordHash } : {}),
        managementMac: vm.managementMac,
        testNic:
            nic.kind === "vf"
                ? { mode: "dhcp" }
                : { mode: "static", mac: nic.mac, ipv4: vm.overlay.ipv4, ...(vm.overlay.ipv6 ? { ipv6: vm.overlay.ipv6 } : {}) },
        hosts: vm.hosts,
        // Disk images (Gardenlinux) run systemd; the kernel-booted dev guest does not.
        systemd: vm.image.kind === "disk",
    };
}

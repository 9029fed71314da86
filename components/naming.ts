// Names, addresses and paths derived from the config: deterministic MACs, the VF notation of
// dpservice, bridge names and the layout of pairbench's working directory on a hypervisor.
// Pure: no Pulumi types, no I/O.
import { createHash } from "crypto";
import { PCI_ADDR_PATTERN } from "../config/schema";

/**
 * A locally administered unicast MAC derived from the stack, the VM and the NIC's role, so a
 * VM keeps its MAC (and its DHCP lease) across `pulumi up`s and two stacks do not collide.
 */
export function deterministicMac(stack: string, vm: string, role: "mgmt" | "test"): string {
    const digest = createHash("sha256").update(`pairbench\0${stack}\0${vm}\0${role}`).digest();
    const bytes = [...digest.subarray(0, 6)];
    // Bit 1 of the first octet: locally administered; bit 0 clear: unicast.
    bytes[0] = ((bytes[0] ?? 0) & 0xfc) | 0x02;
    return bytes.map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** A physical function and the index of one of its VFs, from dpservice's `pciAddr` notation. */
export interface VfRef {
    /** The PF's full PCI address, e.g. `0000:8a:00.0`. */
    readonly pf: string;
    readonly vf: number;
}

/** `[dddd:]bb:ss.f_representor_vfN` → PF address (domain defaulting to 0000) and VF index. */
export function parseVfRef(pciAddr: string): VfRef {
    const m = PCI_ADDR_PATTERN.exec(pciAddr.toLowerCase());
    if (!m) {
        throw new Error(`'${pciAddr}' is not in dpservice's VF notation [dddd:]bb:ss.f_representor_vfN`);
    }
    const [, domain, bus, slot, fn, vf] = m;
    return { pf: `${domain ?? "0000"}:${bus}:${slot}.${fn}`, vf: Number(vf) };
}

/** A PCI address as libvirt's `<address>` wants it. */
export interface PciAddress {
    readonly domain: number;
    readonly bus: number;
    readonly slot: number;
    readonly function: number;
}

const FULL_PCI = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-1][0-9a-f])\.([0-7])$/;

/** `0000:8a:00.6` (a sysfs device name) → its parts; anything else is an error. */
export function parsePciAddress(text: string): PciAddress {
    const m = FULL_PCI.exec(text.trim().toLowerCase());
    if (!m) throw new Error(`'${text.trim()}' is not a PCI address of the form dddd:bb:ss.f`);
    const [, domain, bus, slot, fn] = m;
    return {
        domain: parseInt(domain!, 16),
        bus: parseInt(bus!, 16),
        slot: parseInt(slot!, 16),
        function: parseInt(fn!, 16),
    };
}

/** The bridge of the local VXLAN dataplane for a VNI (at most 15 characters, a Linux limit). */
export function vxlanBridgeName(vni: number): string {
    return `pb-vni${vni}`;
}

/** Where pairbench keeps its files on a hypervisor, all under the configured workDir. */
export interface HypervisorPaths {
    readonly workDir: string;
    /** Marks the directory as pairbench's: teardown removes it only when this file is there. */
    readonly ownerMarker: string;
    /** Uploaded base images and kernels, content-addressed by sha256. */
    readonly images: string;
    /** Uploads land here first and are moved into images/ once their sha256 is checked. */
    readonly incoming: string;
    /** What the host looked like before pairbench changed it, for restoring on delete. */
    readonly state: string;
    readonly vms: string;
    /** The libvirt default network as pairbench wants it. */
    readonly networkXml: string;
}

export function hypervisorPaths(workDir: string): HypervisorPaths {
    const root = workDir.replace(/\/+$/, "") || "/";
    const join = (leaf: string) => (root === "/" ? `/${leaf}` : `${root}/${leaf}`);
    return {
        workDir: root,
        ownerMarker: join(".pairbench-owned"),
        images: join("images"),
        incoming: join("incoming"),
        state: join("state"),
        vms: join("vms"),
        networkXml: join("state/default-network.xml"),
    };
}

/** The files of one VM on its hypervisor. */
export interface VmPaths {
    readonly dir: string;
    readonly owner: string;
    readonly domainXml: string;
    readonly ignition: string;
    readonly overlay: string;
    readonly consoleLog: string;
}

export function vmPaths(workDir: string, vm: string): VmPaths {
    const dir = `${hypervisorPaths(workDir).vms}/${vm}`;
    return {
        dir,
        owner: `${dir}/owner`,
        domainXml: `${dir}/domain.xml`,
        ignition: `${dir}/ignition.json`,
        overlay: `${dir}/disk.qcow2`,
        consoleLog: `${dir}/console.log`,
    };
}

/** Where an uploaded image file lives on the hypervisor: content-addressed. */
export function imagePath(workDir: string, sha256: string, suffix: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`'${sha256}' is not a sha256 hex digest`);
    return `${hypervisorPaths(workDir).images}/${sha256}.${suffix}`;
}

// Shared fixtures for the libvirt component tests and the contract tests: the real dev and lab
// stack configs, planned, and every domain XML / ignition document they generate.
import { createHash } from "crypto";
import { StackConfig, validateStackConfig } from "../../../config/index";
import { buildDomainXml } from "../../../components/domainXml";
import { renderIgnition } from "../../../components/ignition";
import { imagePath, PciAddress } from "../../../components/naming";
import { buildNetworkXml } from "../../../components/networkXml";
import { domainSpecFor, ignitionSpecFor, LibvirtPlan, planLibvirt, RemoteImage, VmPlan } from "../../../components/plan";
import { PROJECT_DIR, stackValues } from "../../support/stackFiles";

export const TEST_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ pairbench@test";
/** SHA-512 crypt of "test123", as the dpservice suite's console password. */
export const TEST_PASSWORD_HASH = "$6$pairbench$3F8yU0oHfpxRnVkU4vVmyN7hV6HnV/9HpgvY9m3f4sBqXZb2Y0gWmz9U3qFj1c0oT8v6r1u2C7dE5sA4bQ0k/.";
export const HOME = "/home/tester";

export function stackConfig(stack: "dev" | "lab"): StackConfig {
    const result = validateStackConfig(stackValues(stack));
    if (!result.ok) throw new Error(`Pulumi.${stack}.yaml does not validate: ${JSON.stringify(result.issues)}`);
    return result.config;
}

export function stackPlan(stack: "dev" | "lab"): { config: StackConfig; plan: LibvirtPlan } {
    const config = stackConfig(stack);
    return { config, plan: planLibvirt(config, { stack, projectDir: PROJECT_DIR, homeDir: HOME }) };
}

export const fakeSha = (text: string) => createHash("sha256").update(text).digest("hex");

/** Where the uploaded files of a VM's image would be, with made-up digests. */
export function fakeRemoteImage(vm: VmPlan, workDir: string): RemoteImage {
    const im = vm.image;
    if (im.kind === "disk") return { disk: imagePath(workDir, fakeSha(im.disk.localPath), im.disk.suffix) };
    return {
        kernel: imagePath(workDir, fakeSha(im.kernel.localPath), im.kernel.suffix),
        ...(im.initrd ? { initrd: imagePath(workDir, fakeSha(im.initrd.localPath), im.initrd.suffix) } : {}),
    };
}

/** A plausible VF address as sysfs would report it (VF n of a PF at slot 0 → function n+1 on bus+1). */
export function fakeVfAddress(vm: VmPlan): PciAddress | undefined {
    if (vm.testNic.kind !== "vf") return undefined;
    const [, bus] = vm.testNic.ref.pf.split(":");
    return { domain: 0, bus: parseInt(bus!, 16) + 1, slot: vm.testNic.ref.vf >> 3, function: vm.testNic.ref.vf & 7 };
}

export interface GeneratedDocs {
    readonly vm: string;
    readonly domainXml: string;
    readonly ignition: string;
}

/** Every domain XML and ignition config a stack generates. */
export function generatedDocs(stack: "dev" | "lab", passwordHash?: string): GeneratedDocs[] {
    const { config, plan } = stackPlan(stack);
    return plan.vms.map((vm) => {
        const hv = config.hypervisors.find((h) => h.name === vm.hypervisor)!;
        return {
            vm: vm.name,
            domainXml: buildDomainXml(domainSpecFor(vm, hv, fakeRemoteImage(vm, hv.workDir), fakeVfAddress(vm))),
            ignition: renderIgnition(ignitionSpecFor(vm, [TEST_PUBLIC_KEY], passwordHash)),
        };
    });
}

export const NETWORK_XML = buildNetworkXml();

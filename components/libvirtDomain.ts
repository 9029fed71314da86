// One test VM on a hypervisor: what dpservice's provision.py does per VM (overlay, ignition,
// domain XML, define, start, find the lease), as resources that replace and delete cleanly,
// plus the readiness checks that make it usable (SSH through the hypervisor).
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Hypervisor } from "../config/index";
import { ConnectionArgs, vmConnection } from "./connection";
import { domainCreate, domainDelete, leaseWait, sshPortWait, vfResolve, VM_READY_COMMAND } from "./domainScripts";
import { buildDomainXml } from "./domainXml";
import { hostCommand, hostLabel } from "./hostScripts";
import { renderIgnition } from "./ignition";
import { parsePciAddress, PciAddress, vmPaths } from "./naming";
import { domainSpecFor, ignitionSpecFor, RemoteImage, VmPlan } from "./plan";
import { sh } from "./shell";

export interface LibvirtDomainArgs {
    readonly vm: VmPlan;
    readonly hypervisor: Hypervisor;
    /** The hypervisor's SSH connection (secret). */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** The hypervisor's private key (secret), also used for the VM; undefined = SSH agent. */
    readonly privateKey?: pulumi.Output<string>;
    /** The hypervisor's preparation; the domain is created after it. */
    readonly hypervisorSetup: pulumi.Resource;
    /** The test network's dataplane (e.g. VxlanDataplane): the domain starts after it and is deleted before it. */
    readonly dataplane?: pulumi.Resource;
    /** Paths of the VM's image files on the hypervisor (from HypervisorSetup). */
    readonly image: pulumi.Input<RemoteImage>;
    /** Public keys for root's authorized keys. */
    readonly sshAuthorizedKeys: pulumi.Input<readonly string[]>;
    /** root's console password hash (secret). Defaults to none (no console password). */
    readonly passwordHash?: pulumi.Input<string>;
    /** Identifies this stack in the VM's `owner` file. */
    readonly stack: string;
    /** Seconds to wait for the DHCP lease. Defaults to 300. */
    readonly leaseTimeoutSeconds?: number;
    /** Seconds to wait for the VM's SSH server. Defaults to 300. */
    readonly sshTimeoutSeconds?: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * Children: `-vf` (VF passthrough only: resolves the VF's PCI address from sysfs), `-domain`
 * (overlay, ignition, XML, define, start; replaced when XML or ignition change), `-lease` (the
 * management IP), `-ssh` (the VM's SSH port answers) and `-ready` (a login through the
 * hypervisor as jump host). The last three run again whenever the domain is replaced.
 */
export class LibvirtDomain extends pulumi.ComponentResource {
    public readonly vmName: string;
    public readonly hypervisorName: string;
    public readonly managementMac: string;
    /** The domain's UUID; changes whenever the domain is replaced. */
    public readonly domainUuid: pulumi.Output<string>;
    public readonly xml: pulumi.Output<string>;
    public readonly managementIp: pulumi.Output<string>;
    /** SSH to the VM as root through its hypervisor (secret). */
    public readonly connection: pulumi.Output<ConnectionArgs>;
    /** `uname -n -r` of the VM, once a login worked. */
    public readonly ready: pulumi.Output<string>;

    constructor(name: string, args: LibvirtDomainArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:LibvirtDomain", name, {}, opts);
        const { vm, hypervisor: hv } = args;
        const host = hostLabel({ name: hv.name, host: hv.host, port: hv.port, user: hv.user });
        const cmd = (step: string, body: string) => hostCommand(hv.user, { host, vm: vm.name, step }, body);
        const fail = (what: string, err: unknown) =>
            new pulumi.ResourceError(`${host}, VM ${vm.name}: ${what}: ${(err as Error).message}`, this);
        const connection = args.connection;
        const paths = vmPaths(hv.workDir, vm.name);
        const owner = `pairbench stack=${args.stack} vm=${vm.name}`;

        let vf: pulumi.Output<PciAddress | undefined> = pulumi.output(undefined);
        if (vm.testNic.kind === "vf") {
            const nic = vm.testNic;
            const resolve = new remote.Command(
                `${name}-vf`,
                { connection, create: cmd("resolve VF", vfResolve(nic.ref, nic.pciAddr)) },
                { parent: this, dependsOn: [args.hypervisorSetup] },
            );
            vf = resolve.stdout.apply((out) => {
                try {
                    return parsePciAddress(out);
                } catch (err) {
                    throw fail(`VF ${nic.pciAddr} resolved to an unexpected value`, err);
                }
            });
        }

        const image = pulumi.output(args.image);
        this.xml = pulumi.all([image, vf]).apply(([img, address]) => {
            try {
                return buildDomainXml(domainSpecFor(vm, hv, img, address));
            } catch (err) {
                throw fail("domain XML", err);
            }
        });
        const ignition = pulumi
            .all([args.sshAuthorizedKeys, args.passwordHash])
            .apply(([keys, hash]) => {
                try {
                    return renderIgnition(ignitionSpecFor(vm, keys, hash));
                } catch (err) {
                    throw fail("ignition config", err);
                }
            });
        const ignitionSha = ignition.apply((text) => createHash("sha256").update(text).digest("hex"));
        const files = { paths, name: vm.name, owner };
        const domain = new remote.Command(
            `${name}-domain`,
            {
                connection,
                create: pulumi.all([this.xml, ignition, image]).apply(([xml, ign, img]) =>
                    cmd(
                        "define and start",
                        domainCreate({
                            ...files,
                            xml,
                            ignition: ign,
                            ...(vm.image.kind === "disk" && img.disk !== undefined
                                ? { overlay: { template: img.disk, format: vm.image.format } }
                                : {}),
                        }),
                    ),
                ),
                // Other input changes (a new SSH key for the connection) must not restart the VM.
                update: cmd("domain UUID", sh`virsh domuuid ${vm.name}`),
                delete: cmd("destroy and undefine", domainDelete(files)),
                triggers: [this.xml, ignitionSha, image],
            },
            // Same domain name: the old one must be gone before the new one is defined.
            { parent: this, dependsOn: [args.hypervisorSetup, ...(args.dataplane ? [args.dataplane] : [])], deleteBeforeReplace: true },
        );
        this.domainUuid = domain.stdout.apply((s) => s.trim());

        const again = [this.domainUuid];
        const lease = new remote.Command(
            `${name}-lease`,
            {
                connection,
                create: cmd(
                    "DHCP lease",
                    leaseWait({ host, vm: vm.name, step: "DHCP lease" }, vm.managementMac, args.leaseTimeoutSeconds ?? 300),
                ),
                triggers: again,
            },
            { parent: this, dependsOn: [domain] },
        );
        this.managementIp = lease.stdout.apply((out) => {
            const ip = out.trim().split("\n").pop()?.trim() ?? "";
            if (!IPV4.test(ip)) throw fail("DHCP lease", new Error(`expected an IPv4 address, got '${out.trim()}'`));
            return ip;
        });
        const ssh = new remote.Command(
            `${name}-ssh`,
            {
                connection,
                create: this.managementIp.apply((ip) =>
                    cmd("SSH port", sshPortWait({ host, vm: vm.name, step: "SSH port" }, ip, 22, args.sshTimeoutSeconds ?? 300)),
                ),
                triggers: again,
            },
            { parent: this, dependsOn: [lease] },
        );
        this.connection = vmConnection(hv, args.privateKey, this.managementIp);
        const ready = new remote.Command(
            `${name}-ready`,
            { connection: this.connection, create: VM_READY_COMMAND, triggers: again },
            { parent: this, dependsOn: [ssh] },
        );

        this.vmName = vm.name;
        this.hypervisorName = hv.name;
        this.managementMac = vm.managementMac;
        this.ready = ready.stdout.apply((s) => s.trim());
        this.registerOutputs({
            vmName: this.vmName,
            hypervisorName: this.hypervisorName,
            managementMac: this.managementMac,
            domainUuid: this.domainUuid,
            xml: this.xml,
            managementIp: this.managementIp,
            connection: this.connection,
            ready: this.ready,
        });
    }
}

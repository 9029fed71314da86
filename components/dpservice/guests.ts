// The VM side of the dpservice dataplane, after each VM is up: the optional reboot (run_
// benchmarktest.py --reboot), the check that the VM holds its overlay addresses with libvirt's
// default route dropped, and the load balancer's VIP on its targets' loopback. Its `ready`
// outputs gate the pairs' readiness checks, and so every benchmark.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Hypervisor } from "../../config/index";
import { ConnectionArgs } from "../connection";
import { hostCommand, hostLabel } from "../hostScripts";
import { BOOT_ID_COMMAND, loopbackVipAdd, loopbackVipDelete, rebootStart, rebootWait, testNetworkDown, testNetworkUp } from "./guestScripts";

/** One VM on the dpservice dataplane. */
export interface DpserviceGuest {
    readonly vm: string;
    readonly hypervisor: Hypervisor;
    /** SSH to the hypervisor (secret), for the reboot wait. */
    readonly hypervisorConnection: pulumi.Input<ConnectionArgs>;
    /** SSH to the VM as root through its hypervisor (secret). */
    readonly connection: pulumi.Input<ConnectionArgs>;
    readonly managementIp: pulumi.Output<string>;
    /** Resolves once a login to the VM worked (LibvirtDomain.ready). */
    readonly ready: pulumi.Output<string>;
    /** Changes when the VM is replaced (the domain UUID). */
    readonly instance: pulumi.Output<string>;
    /** Changes when its dpservice interface is created anew (DpserviceDeployment.interfaceIdentities). */
    readonly interfaceIdentity: pulumi.Output<string>;
    readonly overlay: { readonly ipv4: string; readonly ipv6?: string };
}

export interface DpserviceGuestsArgs {
    readonly guests: readonly DpserviceGuest[];
    /** Reboot each VM once per run after its interface exists (`dataplane.dpservice.reboot`). */
    readonly reboot: boolean;
    /** The stack's runId: a new run reboots again and re-checks the test network. Defaults to "". */
    readonly runId?: pulumi.Input<string>;
    /** libvirt's default network gateway, whose default route the VMs lose. */
    readonly gateway: string;
    /** The VIP to put on each load balancer target's loopback. Defaults to none. */
    readonly loopbackVips?: ReadonlyArray<{ readonly vm: string; readonly ip: string }>;
    /** The name of the LB scenario the VIPs serve (its benchmark waits for them). */
    readonly lbScenario?: string;
    /** Resolves once the dataplane's routes exist; part of every VM's `ready`. Defaults to none. */
    readonly routesReady?: pulumi.Input<string>;
    /** Seconds for the overlay addresses to appear. Defaults to 120. */
    readonly addressTimeoutSeconds?: number;
    /** Seconds for a rebooting VM to go down, and to come back. Defaults to 120 and 300. */
    readonly rebootTimeoutSeconds?: { readonly down: number; readonly up: number };
}

/**
 * Children per VM: with `reboot`, `-<vm>-reboot` (on the VM: boot ID, then reboot),
 * `-<vm>-reboot-wait` (on the hypervisor: SSH goes away and comes back) and `-<vm>-boot` (a new
 * boot ID); then `-<vm>-net` (overlay addresses present, default route via libvirt dropped);
 * `-<vm>-lb-vip` on load balancer targets.
 */
export class DpserviceGuests extends pulumi.ComponentResource {
    /** Per VM: resolves once its test network is ready and the routes exist. */
    public readonly ready: Readonly<Record<string, pulumi.Output<string>>>;
    /** Per planned LB scenario, the VIP steps its benchmark needs. */
    public readonly scenarioResources: Readonly<Record<string, readonly pulumi.Resource[]>>;

    constructor(name: string, args: DpserviceGuestsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:DpserviceGuests", name, {}, opts);
        const names = args.guests.map((g) => g.vm);
        const unknown = (args.loopbackVips ?? []).filter((v) => !names.includes(v.vm)).map((v) => v.vm);
        if (unknown.length > 0) throw new pulumi.ResourceError(`DpserviceGuests ${name}: loopbackVips name VMs that are not guests: ${unknown.join(", ")}`, this);
        const runId = args.runId ?? "";
        const ready: Record<string, pulumi.Output<string>> = {};
        const vips: remote.Command[] = [];

        for (const g of args.guests) {
            const hv = g.hypervisor;
            const host = hostLabel({ name: hv.name, host: hv.host, port: hv.port, user: hv.user });
            const again = [runId, g.instance, g.interfaceIdentity];
            // What the test network step waits for: the login, or the VM's new boot.
            let booted: pulumi.Output<string> = g.ready;
            if (args.reboot) {
                const reboot = new remote.Command(
                    `${name}-${g.vm}-reboot`,
                    { connection: g.connection, create: g.ready.apply(() => rebootStart()), triggers: again },
                    { parent: this },
                );
                const wait = new remote.Command(
                    `${name}-${g.vm}-reboot-wait`,
                    {
                        connection: g.hypervisorConnection,
                        create: pulumi.all([reboot.stdout, g.managementIp]).apply(([, ip]) =>
                            hostCommand(hv.user, { host, vm: g.vm, step: "reboot" }, rebootWait({
                                context: { host, vm: g.vm, step: "reboot" },
                                ip,
                                downSeconds: args.rebootTimeoutSeconds?.down ?? 120,
                                upSeconds: args.rebootTimeoutSeconds?.up ?? 300,
                            })),
                        ),
                        triggers: [reboot.stdout],
                    },
                    { parent: this },
                );
                const boot = new remote.Command(
                    `${name}-${g.vm}-boot`,
                    { connection: g.connection, create: wait.stdout.apply(() => BOOT_ID_COMMAND), triggers: [reboot.stdout] },
                    { parent: this },
                );
                booted = pulumi.all([reboot.stdout, boot.stdout]).apply(([before, after]) => {
                    if (before.trim() === after.trim()) {
                        throw new pulumi.ResourceError(`${host}, VM ${g.vm}: did not reboot (boot ID ${after.trim()} unchanged)`, boot);
                    }
                    return after.trim();
                });
            }
            const spec = {
                context: { host: `VM ${g.vm} (via hypervisor ${hv.name})`, step: "overlay addresses from dpservice" },
                ipv4: g.overlay.ipv4,
                ...(g.overlay.ipv6 !== undefined ? { ipv6: g.overlay.ipv6 } : {}),
                gateway: args.gateway,
                totalSeconds: args.addressTimeoutSeconds ?? 120,
            };
            const net = new remote.Command(
                `${name}-${g.vm}-net`,
                { connection: g.connection, create: booted.apply(() => testNetworkUp(spec)), delete: testNetworkDown(), triggers: [...again, booted] },
                // Delete first: the old step's delete would otherwise put the route back after the new one dropped it.
                { parent: this, deleteBeforeReplace: true },
            );
            for (const v of (args.loopbackVips ?? []).filter((x) => x.vm === g.vm)) {
                vips.push(
                    new remote.Command(
                        `${name}-${g.vm}-lb-vip`,
                        { connection: g.connection, create: loopbackVipAdd(v.ip), delete: loopbackVipDelete(v.ip), triggers: [g.instance, booted] },
                        { parent: this, dependsOn: [net], deleteBeforeReplace: true },
                    ),
                );
            }
            ready[g.vm] = pulumi.all([net.stdout, args.routesReady ?? ""]).apply(([n]) => n.trim());
        }
        this.ready = ready;
        this.scenarioResources = args.lbScenario !== undefined && vips.length > 0 ? { [args.lbScenario]: vips } : {};
        this.registerOutputs({ ready: this.ready });
    }
}

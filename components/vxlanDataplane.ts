// The local dataplane of the emulated lab: per hypervisor and VNI a VXLAN device over the
// underlay, enslaved to the bridge `pb-vni<VNI>` that the VMs' bridge test NICs join
// (vxlanBridgeName). Created before the domains start, deleted after they are gone.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Hypervisor } from "../config/index";
import { ConnectionArgs } from "./connection";
import { hostCommand, hostLabel } from "./hostScripts";
import { vxlanBridgeName } from "./naming";
import { validateVxlanSpec, vxlanCreate, vxlanDelete, VxlanSpec } from "./vxlanScripts";

/** One hypervisor of the dataplane. */
export interface VxlanHypervisor {
    /** The hypervisor as configured (`pairbench:hypervisors[]`): name and SSH target. */
    readonly hypervisor: Hypervisor;
    /** SSH connection (secret); see connection.ts. */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** Its underlay address: the VXLAN `local` here and a `remote` on every other hypervisor. */
    readonly underlayIp: string;
}

export interface VxlanDataplaneArgs {
    /** Every hypervisor with VMs on the test network (plain: decides which children exist). */
    readonly hypervisors: readonly VxlanHypervisor[];
    /** The VNIs in use (`vms[].overlay.vni`); duplicates are ignored. */
    readonly vnis: readonly number[];
    /** UDP destination port (`dataplane.vxlan.port`). Defaults to 4789. */
    readonly port?: number;
    /** MTU of the VXLAN devices and bridges. Defaults to 1500 (the underlay needs 50 bytes more). */
    readonly mtu?: number;
}

/** The spec of each (hypervisor, VNI): the other hypervisors are the remotes. */
export function vxlanSpecs(args: VxlanDataplaneArgs): Array<{ hypervisor: string; spec: VxlanSpec }> {
    const vnis = [...new Set(args.vnis)].sort((a, b) => a - b);
    return args.hypervisors.flatMap((h) =>
        vnis.map((vni) => ({
            hypervisor: h.hypervisor.name,
            spec: {
                vni,
                port: args.port ?? 4789,
                local: h.underlayIp,
                remotes: args.hypervisors.filter((o) => o !== h).map((o) => o.underlayIp),
                ...(args.mtu !== undefined ? { mtu: args.mtu } : {}),
            },
        })),
    );
}

/** Checks the args before any child exists; lists every problem in one message. */
export function validateVxlanDataplaneArgs(args: VxlanDataplaneArgs): void {
    const problems: string[] = [];
    if (args.hypervisors.length === 0) problems.push("`hypervisors` must list at least one hypervisor");
    if (args.vnis.length === 0) problems.push("`vnis` must list at least one VNI");
    const names = args.hypervisors.map((h) => h.hypervisor.name);
    const dupNames = names.filter((n, i) => names.indexOf(n) !== i);
    if (dupNames.length > 0) problems.push(`hypervisor names must be distinct: ${[...new Set(dupNames)].join(", ")}`);
    const ips = args.hypervisors.map((h) => h.underlayIp);
    const dupIps = ips.filter((ip, i) => ips.indexOf(ip) !== i);
    if (dupIps.length > 0) problems.push(`underlayIp must differ per hypervisor: ${[...new Set(dupIps)].join(", ")}`);
    if (problems.length === 0) {
        for (const { hypervisor, spec } of vxlanSpecs(args)) {
            try {
                validateVxlanSpec(spec);
            } catch (e) {
                problems.push(`hypervisor ${hypervisor}: ${e instanceof Error ? e.message : String(e)}`);
            }
        }
    }
    if (problems.length > 0) throw new Error(`invalid VxlanDataplane args: ${[...new Set(problems)].join("; ")}`);
}

/**
 * Children: `-<hypervisor>-vni<VNI>`, a remote.Command per hypervisor and VNI. A changed
 * VNI, port, MTU or set of underlay addresses replaces the command (delete first: same link
 * names). Domains on a hypervisor should depend on `ready[hypervisor]`.
 */
export class VxlanDataplane extends pulumi.ComponentResource {
    /** Per hypervisor, its bridges (`pb-vni<VNI>`). */
    public readonly bridges: Readonly<Record<string, readonly string[]>>;
    /** Per hypervisor: resolves once its bridges and VXLAN devices exist (the commands' reports). */
    public readonly ready: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: VxlanDataplaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:VxlanDataplane", name, {}, opts);
        try {
            validateVxlanDataplaneArgs(args);
        } catch (e) {
            throw new pulumi.ResourceError(e instanceof Error ? e.message : String(e), this);
        }
        const bridges: Record<string, string[]> = {};
        const reports: Record<string, Array<pulumi.Output<string>>> = {};
        for (const { hypervisor, spec } of vxlanSpecs(args)) {
            const h = args.hypervisors.find((x) => x.hypervisor.name === hypervisor)!;
            const hv = h.hypervisor;
            const host = hostLabel({ name: hv.name, host: hv.host, port: hv.port, user: hv.user });
            const create = hostCommand(hv.user, { host, step: `VXLAN ${spec.vni}` }, vxlanCreate(spec));
            const cmd = new remote.Command(
                `${name}-${hv.name}-vni${spec.vni}`,
                {
                    connection: h.connection,
                    create,
                    delete: hostCommand(hv.user, { host, step: `remove VXLAN ${spec.vni}` }, vxlanDelete(spec)),
                    // The create script holds every parameter: any change replaces the links.
                    triggers: [create],
                },
                { parent: this, deleteBeforeReplace: true },
            );
            (bridges[hv.name] ??= []).push(vxlanBridgeName(spec.vni));
            (reports[hv.name] ??= []).push(cmd.stdout);
        }
        this.bridges = bridges;
        this.ready = Object.fromEntries(
            Object.entries(reports).map(([hv, outs]) => [hv, pulumi.all(outs).apply((o) => o.map((s) => s.trim()).join("\n"))]),
        );
        this.registerOutputs({ bridges: this.bridges, ready: this.ready });
    }
}

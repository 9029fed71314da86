// dpservice on each hypervisor, as resources that create and delete cleanly: what dpservice's
// run_benchmarktest.py does by hand (shared reference dpservice-benchmark-suite.md §3, §3.5, §3.6).
// The container (cicd: a given image; dev: built from a checkout), then per VM its interface,
// then the routes, NAT and load balancer objects the pairs and scenarios need (topology.ts).
// dpservice needs DPDK, hugepages and Mellanox VFs: this component is proven by its generated
// commands under Pulumi mocks and by the parsers' tests, not by running it here.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { DpserviceSettings, Hypervisor } from "../../config/index";
import { ConnectionArgs } from "../connection";
import { hostCommand, hostLabel } from "../hostScripts";
import { PlanContext, resolveLocalPath } from "../plan";
import { DpserviceObject } from "./cli";
import { DpserviceInstance, parseInstance } from "./cliOutput";
import { buildContextHash, checkBuildContext } from "./buildContext";
import { containerCreate, containerDelete } from "./hostScripts";
import { DpserviceImage } from "./image";
import { dpserviceObject, DpserviceObjectResource, underlayOf } from "./objects";
import { DpserviceTopology, NextHop } from "./topology";

export interface DpserviceHypervisor {
    readonly hypervisor: Hypervisor;
    /** SSH connection (secret); see connection.ts. */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** Resolves once its HypervisorSetup is done: the dev stage's upload lands in its working directory. Defaults to none. */
    readonly setupReady?: pulumi.Input<string>;
}

export interface DpserviceDeploymentArgs {
    /** Every hypervisor the topology names (plain: decides which children exist). */
    readonly hypervisors: readonly DpserviceHypervisor[];
    /** `pairbench:dataplane.dpservice`: mode, stage, image or buildPath, lcores. */
    readonly settings: DpserviceSettings;
    /** What to create in each dpservice: planDpservice(config, pairs, scenarios). */
    readonly topology: DpserviceTopology;
    /** The Pulumi stack: labels the containers, so teardown removes only this stack's. */
    readonly stack: string;
    /** Resolves `buildPath` and holds the dev stage's tar (`.pairbench/dpservice/<stack>/`). */
    readonly context: Pick<PlanContext, "projectDir" | "homeDir">;
    /** Seconds for dpservice-cli to answer after `docker run`. Defaults to 120. */
    readonly startTimeoutSeconds?: number;
    /** Content hash of the dev stage's checkout. Defaults to hashing it at deploy time (buildContext.ts). */
    readonly sourceHash?: (buildPath: string) => pulumi.Input<string>;
}

/** Checks the args before any child exists; lists every problem in one message. */
export function validateDpserviceDeploymentArgs(args: DpserviceDeploymentArgs): void {
    const problems: string[] = [];
    const s = args.settings;
    if (s.stage === "cicd" && s.image === undefined) problems.push("`settings.image` is required for stage cicd");
    if (s.stage === "dev" && s.buildPath === undefined) problems.push("`settings.buildPath` is required for stage dev");
    const known = new Set(args.hypervisors.map((h) => h.hypervisor.name));
    for (const hv of args.topology.hypervisors) if (!known.has(hv)) problems.push(`the topology uses hypervisor ${hv}, which is not in \`hypervisors\``);
    if (!Number.isInteger(args.startTimeoutSeconds ?? 120) || (args.startTimeoutSeconds ?? 120) < 1) problems.push("`startTimeoutSeconds` must be a whole number ≥ 1");
    if (problems.length > 0) throw new Error(`invalid DpserviceDeployment args: ${problems.join("; ")}`);
}

/**
 * Children: `-image` (dev stage, DpserviceImage), per hypervisor `-<hv>-container`, per VM
 * `-<vm>-interface`, and `-<vm>-nat`, `-<hv>-lb`, `-<vm>-lbprefix`, `-<hv>-lbtarget-<vm>`,
 * `-<hypervisor>-route-vni<VNI>-<prefix>` as the topology asks. A new container (mode, image or
 * lcores changed) replaces every object in it.
 */
export class DpserviceDeployment extends pulumi.ComponentResource {
    /** Per hypervisor, the running dpservice (container and the UUID dpservice generated). */
    public readonly instances: Readonly<Record<string, pulumi.Output<DpserviceInstance>>>;
    /** Per VM, its interface's resource: a VM's domain starts after it and is deleted before it. */
    public readonly interfaces: Readonly<Record<string, remote.Command>>;
    /** Per VM, its interface's underlay address, as dpservice printed it. */
    public readonly underlays: Readonly<Record<string, pulumi.Output<string>>>;
    /** Per VM, a value that changes whenever its interface is created anew (even with the same underlay). */
    public readonly interfaceIdentities: Readonly<Record<string, pulumi.Output<string>>>;
    /** Per planned NAT/LB scenario, the dpservice objects its benchmark needs. */
    public readonly scenarioResources: Readonly<Record<string, readonly pulumi.Resource[]>>;
    /** Resolves once every route exists (the pairs' readiness checks need them). */
    public readonly routesReady: pulumi.Output<string>;
    /** Changes whenever a dpservice is (re)started or the mode changes: benchmarks re-run on it. */
    public readonly identity: pulumi.Output<string>;
    /** The image dpservice runs: the reference (cicd) or the built image's ID (dev). */
    public readonly image: pulumi.Output<string>;
    /** What this deployment creates (plain data, as given). */
    public readonly topology: DpserviceTopology;
    public readonly settings: DpserviceSettings;

    constructor(name: string, args: DpserviceDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:DpserviceDeployment", name, {}, opts);
        try {
            validateDpserviceDeploymentArgs(args);
            if (args.settings.stage === "dev") checkBuildContext(resolveLocalPath(args.settings.buildPath!, args.context));
        } catch (e) {
            throw new pulumi.ResourceError((e as Error).message, this);
        }
        const s = args.settings;
        const topo = args.topology;
        const hvs = new Map(args.hypervisors.map((h) => [h.hypervisor.name, h]));
        const used = topo.hypervisors.map((n) => hvs.get(n)!);

        let imageFor: (hv: string) => pulumi.Input<string> = () => s.image!;
        if (s.stage === "dev") {
            const buildPath = resolveLocalPath(s.buildPath!, args.context);
            const image = new DpserviceImage(
                `${name}-image`,
                {
                    buildPath,
                    outputDir: path.join(args.context.projectDir, ".pairbench", "dpservice", args.stack),
                    stack: args.stack,
                    sourceHash: args.sourceHash ? args.sourceHash(buildPath) : buildContextHash(buildPath),
                    hypervisors: used.map((h) => ({ hypervisor: h.hypervisor, connection: h.connection, ...(h.setupReady ? { ready: h.setupReady } : {}) })),
                },
                { parent: this },
            );
            imageFor = (hv) => image.loaded[hv]!;
            this.image = image.imageId;
        } else {
            this.image = pulumi.output(s.image!);
        }

        const containers: Record<string, remote.Command> = {};
        const instances: Record<string, pulumi.Output<DpserviceInstance>> = {};
        for (const h of used) {
            const hv = h.hypervisor;
            const host = hostLabel({ name: hv.name, host: hv.host, port: hv.port, user: hv.user });
            const spec = { hypervisor: hv.name, stack: args.stack, lcores: s.lcores, offload: s.mode === "offload", startTimeoutSeconds: args.startTimeoutSeconds ?? 120 };
            const create = pulumi.output(imageFor(hv.name)).apply((image) =>
                hostCommand(hv.user, { host, step: "start dpservice" }, containerCreate({ ...spec, image, context: { host, step: "dpservice-cli init" } })),
            );
            const container = new remote.Command(
                `${name}-${hv.name}-container`,
                {
                    connection: h.connection,
                    create,
                    delete: hostCommand(hv.user, { host, step: "remove the dpservice container" }, containerDelete(spec)),
                    // Image, mode and lcores are all in the script: any change starts a new container.
                    triggers: [create],
                },
                // Delete first: the new container has the same name.
                { parent: this, deleteBeforeReplace: true },
            );
            containers[hv.name] = container;
            instances[hv.name] = container.stdout.apply((out) => {
                try {
                    return parseInstance(out);
                } catch (err) {
                    throw new pulumi.ResourceError(`${host}: dpservice container: ${(err as Error).message}`, container);
                }
            });
        }

        const make = (resName: string, hv: string, object: pulumi.Input<DpserviceObject>, after: readonly pulumi.Resource[] = []): DpserviceObjectResource =>
            dpserviceObject(this, resName, { hypervisor: hvs.get(hv)!.hypervisor, connection: hvs.get(hv)!.connection, instance: instances[hv]!, object, dependsOn: [containers[hv]!, ...after] });

        const interfaces: Record<string, DpserviceObjectResource> = {};
        for (const i of topo.interfaces) interfaces[i.object.id] = make(`${name}-${i.object.id}-interface`, i.hypervisor, i.object);
        const nats: Record<string, DpserviceObjectResource> = {};
        for (const n of topo.nats) nats[n.object.interfaceId] = make(`${name}-${n.object.interfaceId}-nat`, n.hypervisor, n.object, [interfaces[n.object.interfaceId]!.command]);
        const lbs: Record<string, DpserviceObjectResource> = {};
        for (const l of topo.loadBalancers) lbs[l.hypervisor] = make(`${name}-${l.hypervisor}-lb`, l.hypervisor, l.object);
        const prefixes: Record<string, DpserviceObjectResource> = {};
        for (const p of topo.lbPrefixes) prefixes[p.object.interfaceId] = make(`${name}-${p.object.interfaceId}-lbprefix`, p.hypervisor, p.object, [interfaces[p.object.interfaceId]!.command]);
        const targets = topo.lbTargets.map((t) =>
            make(
                `${name}-${t.hypervisor}-lbtarget-${t.vm}`,
                t.hypervisor,
                underlayOf(prefixes[t.vm]!, `the lbprefix of ${t.vm}`).apply((ip): DpserviceObject => ({ kind: "lbtarget", lbId: t.lbId, targetIp: ip })),
                [lbs[t.hypervisor]!.command],
            ),
        );
        const hop = (h: NextHop): { resource: DpserviceObjectResource; what: string } =>
            h.kind === "interface"
                ? { resource: interfaces[h.vm]!, what: `the interface of ${h.vm}` }
                : h.kind === "nat"
                  ? { resource: nats[h.vm]!, what: `the NAT of ${h.vm}` }
                  : { resource: lbs[h.hypervisor]!, what: `the load balancer on ${h.hypervisor}` };
        const routes: Record<string, DpserviceObjectResource> = {};
        for (const r of topo.routes) {
            const via = hop(r.nextHop);
            routes[r.key] = make(
                `${name}-${r.key}`,
                r.hypervisor,
                underlayOf(via.resource, via.what).apply((ip): DpserviceObject => ({ kind: "route", vni: r.vni, prefix: r.prefix, nextHopIp: ip })),
            );
        }

        const scenarioResources: Record<string, pulumi.Resource[]> = {};
        const routesOf = (scenario: string) => (topo.scenarioRoutes[scenario] ?? []).map((k) => routes[k]!.command);
        if (topo.natScenario !== undefined) {
            scenarioResources[topo.natScenario.name] = [nats[topo.natScenario.vm]!.command, ...routesOf(topo.natScenario.name)];
        }
        if (topo.lbScenario !== undefined) {
            scenarioResources[topo.lbScenario] = [...Object.values(lbs), ...Object.values(prefixes), ...targets].map((r) => r.command).concat(routesOf(topo.lbScenario));
        }

        this.topology = topo;
        this.settings = s;
        this.instances = instances;
        this.interfaces = Object.fromEntries(Object.entries(interfaces).map(([vm, r]) => [vm, r.command]));
        this.underlays = Object.fromEntries(Object.entries(interfaces).map(([vm, r]) => [vm, underlayOf(r, `the interface of ${vm}`)]));
        this.interfaceIdentities = Object.fromEntries(
            Object.entries(this.underlays).map(([vm, u]) => [vm, pulumi.all([interfaces[vm]!.command.id, u]).apply(([id, ul]) => `${id} ${ul}`)]),
        );
        this.scenarioResources = scenarioResources;
        this.routesReady = pulumi.all(Object.values(routes).map((r) => r.created)).apply((c) => `${c.length} routes`);
        this.identity = pulumi
            .all(Object.entries(instances).map(([hv, i]) => i.apply((x) => `${hv}=${x.uuid}`)))
            .apply((ids) => [`mode=${s.mode}`, ...ids].join(" "));
        this.registerOutputs({
            instances: this.instances,
            underlays: this.underlays,
            routesReady: this.routesReady,
            identity: this.identity,
            image: this.image,
        });
    }
}

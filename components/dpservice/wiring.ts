// How LibvirtEnvironment puts the dpservice dataplane together: the topology from the config,
// the pairs and the planned scenarios; DpserviceDeployment before the VMs (each VM's interface
// exists before it boots); DpserviceGuests after them; and the hooks the benchmarks take.
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config/index";
import { ConnectionArgs } from "../connection";
import type { HypervisorSetup } from "../hypervisorSetup";
import type { LibvirtDomain } from "../libvirtDomain";
import { DEFAULT_NETWORK } from "../networkXml";
import { LibvirtPlan, PlanContext } from "../plan";
import { DpserviceDeployment } from "./deployment";
import { DpserviceGuests } from "./guests";
import { planDpservice, ScenarioRef } from "./topology";

/** What benchmarks need from a dataplane (BenchmarkSuite's `scenarioDependsOn`, `rerunOn`, `context`). */
export interface DataplaneHooks {
    /** Per scenario name, resources its benchmark must wait for. */
    readonly scenarioDependsOn: Readonly<Record<string, readonly pulumi.Resource[]>>;
    /** Values whose change runs every benchmark again. */
    readonly rerunOn: ReadonlyArray<pulumi.Input<unknown>>;
    /** What to record with the results. */
    readonly context: Readonly<Record<string, pulumi.Input<string>>>;
}

export const NO_HOOKS: DataplaneHooks = { scenarioDependsOn: {}, rerunOn: [], context: {} };

interface Connections {
    readonly [hypervisor: string]: { readonly connection: pulumi.Output<ConnectionArgs>; readonly privateKey?: pulumi.Output<string> | undefined };
}

export interface DpserviceWiring {
    readonly config: StackConfig;
    readonly plan: LibvirtPlan;
    readonly context: PlanContext;
    readonly scenarios: readonly ScenarioRef[];
    readonly hypervisors: Readonly<Record<string, HypervisorSetup>>;
    readonly connections: Connections;
    readonly sourceHash?: (buildPath: string) => pulumi.Input<string>;
}

/** The hypervisor side, under `parent`; a topology that cannot work is an error naming why. */
export function dpserviceDeploymentFor(parent: pulumi.Resource, name: string, w: DpserviceWiring): DpserviceDeployment {
    const settings = w.config.dataplane.dpservice;
    if (settings === undefined) throw new pulumi.ResourceError("dataplane kind dpservice needs pairbench:dataplane.dpservice", parent);
    let topology;
    try {
        topology = planDpservice(w.config, w.plan.pairs, w.scenarios);
    } catch (e) {
        throw new pulumi.ResourceError((e as Error).message, parent);
    }
    return new DpserviceDeployment(
        name,
        {
            hypervisors: w.plan.hypervisors.map((hp) => ({
                hypervisor: hp.hypervisor,
                connection: w.connections[hp.hypervisor.name]!.connection,
                setupReady: w.hypervisors[hp.hypervisor.name]!.ready,
            })),
            settings,
            topology,
            stack: w.context.stack,
            context: w.context,
            ...(w.sourceHash ? { sourceHash: w.sourceHash } : {}),
        },
        { parent },
    );
}

export interface GuestWiring {
    readonly config: StackConfig;
    readonly plan: LibvirtPlan;
    readonly deployment: DpserviceDeployment;
    readonly vms: Readonly<Record<string, LibvirtDomain>>;
    readonly connections: Connections;
}

/** The VM side, under `parent`, once the domains exist. */
export function dpserviceGuestsFor(parent: pulumi.Resource, name: string, w: GuestWiring): DpserviceGuests {
    const d = w.deployment;
    return new DpserviceGuests(
        name,
        {
            guests: w.plan.vms.map((vm) => {
                const domain = w.vms[vm.name]!;
                const hypervisor = w.plan.hypervisors.find((h) => h.hypervisor.name === vm.hypervisor)!.hypervisor;
                return {
                    vm: vm.name,
                    hypervisor,
                    hypervisorConnection: w.connections[vm.hypervisor]!.connection,
                    connection: domain.connection,
                    managementIp: domain.managementIp,
                    ready: domain.ready,
                    instance: domain.domainUuid,
                    interfaceIdentity: d.interfaceIdentities[vm.name]!,
                    overlay: vm.overlay,
                };
            }),
            reboot: d.settings.reboot,
            runId: w.config.runId,
            gateway: DEFAULT_NETWORK.address,
            loopbackVips: d.topology.loopbackVips,
            ...(d.topology.lbScenario !== undefined ? { lbScenario: d.topology.lbScenario } : {}),
            routesReady: d.routesReady,
        },
        { parent },
    );
}

/** The benchmarks' hooks: NAT/LB scenarios wait for their objects; a new dpservice or mode re-runs all. */
export function dpserviceHooks(d: DpserviceDeployment, g: DpserviceGuests): DataplaneHooks {
    const scenarioDependsOn: Record<string, pulumi.Resource[]> = {};
    for (const source of [d.scenarioResources, g.scenarioResources]) {
        for (const [scenario, resources] of Object.entries(source)) (scenarioDependsOn[scenario] ??= []).push(...resources);
    }
    return {
        scenarioDependsOn,
        rerunOn: [d.identity],
        context: { dpserviceMode: d.settings.mode, dpserviceStage: d.settings.stage, dpserviceImage: d.image },
    };
}

// What pairbench creates in each hypervisor's dpservice, derived from the validated config, the
// test-ready pairs and the planned scenarios. Pure: no Pulumi, no I/O.
//
// - An interface per VM (its VF), so it gets its overlay addresses from dpservice's DHCP.
// - Routes between the two ends of every cross-host pair (IPv4 /32, and IPv6 /128 when both
//   ends have IPv6): the pair's readiness check and the cross-host scenarios use them.
// - nat-cross-host (run_benchmarktest.py's test_nat_cross_machine): NAT on the client, a default
//   route on the client's hypervisor to the server, a route for the NAT IP on the server's.
// - lb-cross-host (test_loadbalancer_cross_machine): a load balancer on every LB node, an lbprefix
//   (the VIP) per target VM, an lbtarget per node and target, the VIP on the client's hypervisor
//   routed to the first node's load balancer, the client routed back from each target's.
import { SocketAddress } from "net";
import type { ScenarioPlan } from "../../benchmarks/scenarios";
import { StackConfig, Vm } from "../../config/index";
import type { PairPlan } from "../plan";
import { InterfaceObject, LbPrefixObject, LoadBalancerObject, NatObject } from "./cli";

/** Where a route sends its traffic: the underlay address of one of these objects. */
export type NextHop =
    | { readonly kind: "interface"; readonly vm: string }
    | { readonly kind: "nat"; readonly vm: string }
    | { readonly kind: "loadbalancer"; readonly hypervisor: string };

export interface PlannedRoute {
    /** Unique in the stack; part of the resource name. */
    readonly key: string;
    readonly hypervisor: string;
    readonly vni: number;
    readonly prefix: string;
    readonly nextHop: NextHop;
    /** Why it exists: `pair vm1-vm3`, `nat-cross-host`, `lb-cross-host`. */
    readonly purposes: readonly string[];
}

export interface DpserviceTopology {
    /** Hypervisors that run a dpservice container: those with VMs, and LB nodes. */
    readonly hypervisors: readonly string[];
    readonly interfaces: ReadonlyArray<{ readonly hypervisor: string; readonly object: InterfaceObject }>;
    readonly nats: ReadonlyArray<{ readonly hypervisor: string; readonly object: NatObject }>;
    readonly loadBalancers: ReadonlyArray<{ readonly hypervisor: string; readonly object: LoadBalancerObject }>;
    readonly lbPrefixes: ReadonlyArray<{ readonly hypervisor: string; readonly object: LbPrefixObject }>;
    /** One per LB node and target VM; the target address is the VM's lbprefix underlay. */
    readonly lbTargets: ReadonlyArray<{ readonly hypervisor: string; readonly vm: string; readonly lbId: string }>;
    readonly routes: readonly PlannedRoute[];
    /** The VIP on each target VM's loopback, so the VM accepts the balanced traffic. */
    readonly loopbackVips: ReadonlyArray<{ readonly vm: string; readonly ip: string }>;
    /** Per planned scenario, the route keys it needs beyond the pairs' (NAT and LB objects are implied). */
    readonly scenarioRoutes: Readonly<Record<string, readonly string[]>>;
    /** The NAT scenario's name and client, if planned. */
    readonly natScenario?: { readonly name: string; readonly vm: string };
    /** The LB scenario's name, if planned. */
    readonly lbScenario?: string;
}

/** The scenario fields the topology needs. */
export type ScenarioRef = Pick<ScenarioPlan, "name" | "scenario" | "server" | "client">;

/** A plan that cannot work; lists every problem at once. */
export class TopologyError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`dpservice topology: ${problems.join("; ")}`);
        this.name = "TopologyError";
    }
}

/** An address as dpservice and its CLI print it (IPv6 compressed, lower case); IPv4 unchanged. */
export function canonicalIp(ip: string): string {
    return ip.includes(":") ? new SocketAddress({ address: ip, family: "ipv6" }).address : ip;
}

export function hostPrefix(ip: string): string {
    return ip.includes(":") ? `${canonicalIp(ip)}/128` : `${ip}/32`;
}

/** `172.32.4.9/32` → `172-32-4-9-32`: a route's part of a resource name. */
export function prefixSlug(prefix: string): string {
    return prefix.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "default";
}

export function planDpservice(cfg: StackConfig, pairs: readonly PairPlan[], scenarios: readonly ScenarioRef[]): DpserviceTopology {
    const problems: string[] = [];
    const vm = (name: string): Vm => {
        const v = cfg.vms.find((x) => x.name === name);
        if (v === undefined) throw new TopologyError([`VM '${name}' is not in pairbench:vms`]);
        return v;
    };
    const interfaces = cfg.vms.map((v) => {
        if (v.testNic.kind !== "vf") throw new TopologyError([`VM ${v.name}: dpservice needs testNic kind vf`]);
        const object: InterfaceObject = {
            kind: "interface", id: v.name, vni: v.overlay.vni, ipv4: v.overlay.ipv4,
            ...(v.overlay.ipv6 !== undefined ? { ipv6: canonicalIp(v.overlay.ipv6) } : {}),
            device: v.testNic.pciAddr,
        };
        return { hypervisor: v.hypervisor, object };
    });

    const routes = new Map<string, PlannedRoute>();
    const addRoute = (hypervisor: string, vni: number, prefix: string, nextHop: NextHop, purpose: string) => {
        const key = `${hypervisor}-route-vni${vni}-${prefixSlug(prefix)}`;
        const old = routes.get(key);
        if (old === undefined) {
            routes.set(key, { key, hypervisor, vni, prefix, nextHop, purposes: [purpose] });
        } else if (JSON.stringify(old.nextHop) !== JSON.stringify(nextHop)) {
            problems.push(`${purpose} needs ${prefix} on ${hypervisor} (VNI ${vni}) via ${hop(nextHop)}, but ${old.purposes.join(", ")} routes it via ${hop(old.nextHop)}`);
        } else if (!old.purposes.includes(purpose)) {
            routes.set(key, { ...old, purposes: [...old.purposes, purpose] });
        }
        return key;
    };
    const routeTo = (on: Vm, to: Vm, purpose: string, ipv6: boolean) => {
        const keys = [addRoute(on.hypervisor, on.overlay.vni, hostPrefix(to.overlay.ipv4), { kind: "interface", vm: to.name }, purpose)];
        if (ipv6 && on.overlay.ipv6 !== undefined && to.overlay.ipv6 !== undefined) {
            keys.push(addRoute(on.hypervisor, on.overlay.vni, hostPrefix(to.overlay.ipv6), { kind: "interface", vm: to.name }, purpose));
        }
        return keys;
    };
    for (const p of pairs.filter((x) => x.placement === "cross-host")) {
        routeTo(vm(p.client), vm(p.server), `pair ${p.name}`, true);
        routeTo(vm(p.server), vm(p.client), `pair ${p.name}`, true);
    }

    const scenarioRoutes: Record<string, string[]> = {};
    const natPlan = scenarios.find((s) => s.scenario === "nat-cross-host");
    const nats: Array<{ hypervisor: string; object: NatObject }> = [];
    if (natPlan !== undefined) {
        const client = vm(natPlan.client);
        const server = vm(natPlan.server);
        if (client.nat === undefined) throw new TopologyError([`${natPlan.name}: its client ${client.name} has no nat`]);
        nats.push({ hypervisor: client.hypervisor, object: { kind: "nat", interfaceId: client.name, ip: client.nat.ip, minPort: client.nat.minPort, maxPort: client.nat.maxPort } });
        scenarioRoutes[natPlan.name] = [
            addRoute(client.hypervisor, client.overlay.vni, "0.0.0.0/0", { kind: "interface", vm: server.name }, natPlan.name),
            addRoute(server.hypervisor, server.overlay.vni, hostPrefix(client.nat.ip), { kind: "nat", vm: client.name }, natPlan.name),
        ];
    }

    const lbPlan = scenarios.find((s) => s.scenario === "lb-cross-host");
    const loadBalancers: Array<{ hypervisor: string; object: LoadBalancerObject }> = [];
    const lbPrefixes: Array<{ hypervisor: string; object: LbPrefixObject }> = [];
    const lbTargets: Array<{ hypervisor: string; vm: string; lbId: string }> = [];
    const loopbackVips: Array<{ vm: string; ip: string }> = [];
    if (lbPlan !== undefined) {
        const lb = cfg.lb;
        if (lb === undefined) throw new TopologyError([`${lbPlan.name}: pairbench:lb is not set`]);
        const client = vm(lbPlan.client);
        const machines = lb.machines.map(vm);
        for (const node of lb.nodes) {
            loadBalancers.push({ hypervisor: node, object: { kind: "loadbalancer", id: lb.name, vni: lb.vni, vip: lb.ip, ports: lb.ports } });
            for (const m of machines) lbTargets.push({ hypervisor: node, vm: m.name, lbId: lb.name });
        }
        for (const m of machines) {
            lbPrefixes.push({ hypervisor: m.hypervisor, object: { kind: "lbprefix", interfaceId: m.name, prefix: hostPrefix(lb.ip) } });
            loopbackVips.push({ vm: m.name, ip: lb.ip });
        }
        scenarioRoutes[lbPlan.name] = [
            addRoute(client.hypervisor, client.overlay.vni, hostPrefix(lb.ip), { kind: "loadbalancer", hypervisor: lb.nodes[0]! }, lbPlan.name),
            // The targets answer the client directly, not through the load balancer.
            ...machines.flatMap((m) => routeTo(m, client, lbPlan.name, false)),
        ];
    }
    if (natPlan !== undefined) {
        // dpservice SNATs only what its 0.0.0.0/0 route carries; a host route to the server bypasses NAT.
        const client = vm(natPlan.client);
        const server = vm(natPlan.server);
        const direct = routes.get(`${client.hypervisor}-route-vni${client.overlay.vni}-${prefixSlug(hostPrefix(server.overlay.ipv4))}`);
        if (direct !== undefined) {
            problems.push(`${natPlan.name}: ${server.name} is routed directly on ${client.hypervisor} (${direct.purposes.join(", ")}), so traffic from ${client.name} would bypass NAT; serve the NAT scenario from another VM on ${server.hypervisor}`);
        }
    }
    if (problems.length > 0) throw new TopologyError(problems);

    const withVms = cfg.hypervisors.map((h) => h.name).filter((h) => cfg.vms.some((v) => v.hypervisor === h) || loadBalancers.some((l) => l.hypervisor === h));
    return {
        hypervisors: withVms,
        interfaces,
        nats,
        loadBalancers,
        lbPrefixes,
        lbTargets,
        routes: [...routes.values()],
        loopbackVips,
        scenarioRoutes,
        ...(natPlan !== undefined ? { natScenario: { name: natPlan.name, vm: natPlan.client } } : {}),
        ...(lbPlan !== undefined ? { lbScenario: lbPlan.name } : {}),
    };
}

function hop(h: NextHop): string {
    return h.kind === "loadbalancer" ? `the load balancer on ${h.hypervisor}` : `the ${h.kind === "nat" ? "NAT of" : "interface of"} ${h.vm}`;
}

// dpservice-cli command lines for the objects pairbench creates in a dpservice, as argv arrays
// (quoted later by components/shell.ts). Pure: plain data in, plain arrays out.
//
// dpservice-cli runs inside the dpservice container (`docker exec`), as run_benchmarktest.py does
// since dpservice 9582e85, and talks to dpservice's default gRPC address localhost:1337. Flags
// are written `--flag=value` like upstream's scripts. Upstream: cli/dpservice-cli/cmd/*.go.

/** Every dpservice container pairbench starts is named this plus the hypervisor's name. */
export const CONTAINER_PREFIX = "pairbench-dpservice-";

/** The dpservice container on a hypervisor. Hypervisor names are `[a-z0-9][a-z0-9-]*`. */
export function containerName(hypervisor: string): string {
    return `${CONTAINER_PREFIX}${hypervisor}`;
}

/**
 * The routes' next-hop VNI. The suite routes between hypervisors with next-hop VNI 0 (the
 * underlay address alone picks the interface), and dpservice SNATs only flows that its
 * 0.0.0.0/0 route carries (ipv4_lookup_node.c: `public_flow = route_key == 0`).
 */
export const NEXT_HOP_VNI = 0;

export interface InterfaceObject {
    readonly kind: "interface";
    /** The VM's name. */
    readonly id: string;
    readonly vni: number;
    readonly ipv4: string;
    readonly ipv6?: string;
    /** The VF's representor, in dpservice's notation (`pciAddr`). */
    readonly device: string;
}

export interface RouteObject {
    readonly kind: "route";
    /** The VNI whose routing table gets the route (the local VMs' VNI). */
    readonly vni: number;
    /** Canonical prefix, e.g. `172.32.4.9/32` or `0.0.0.0/0`. */
    readonly prefix: string;
    /** The next hop's underlay IPv6 address, as dpservice printed it. */
    readonly nextHopIp: string;
}

export interface NatObject {
    readonly kind: "nat";
    readonly interfaceId: string;
    readonly ip: string;
    readonly minPort: number;
    readonly maxPort: number;
}

export interface LoadBalancerObject {
    readonly kind: "loadbalancer";
    readonly id: string;
    readonly vni: number;
    readonly vip: string;
    readonly ports: ReadonlyArray<{ readonly protocol: "tcp" | "udp"; readonly port: number }>;
}

export interface LbPrefixObject {
    readonly kind: "lbprefix";
    readonly interfaceId: string;
    readonly prefix: string;
}

export interface LbTargetObject {
    readonly kind: "lbtarget";
    readonly lbId: string;
    /** The target's lbprefix underlay address. */
    readonly targetIp: string;
}

/** An object pairbench creates in dpservice, one resource each. */
export type DpserviceObject = InterfaceObject | RouteObject | NatObject | LoadBalancerObject | LbPrefixObject | LbTargetObject;

/** `dpservice-cli` in the container, with JSON output. */
export function dpcli(container: string, args: readonly string[]): string[] {
    return ["docker", "exec", container, "dpservice-cli", "-o", "json", ...args];
}

/** `dpservice-cli` in the container, with the `name` renderer (one `<kind>/<name>` line per object). */
export function dpcliNames(container: string, args: readonly string[]): string[] {
    return ["docker", "exec", container, "dpservice-cli", "-o", "name", ...args];
}

/** The arguments that create the object. */
export function createArgs(o: DpserviceObject): string[] {
    switch (o.kind) {
        case "interface":
            return ["create", "interface", `--id=${o.id}`, `--vni=${o.vni}`, `--ipv4=${o.ipv4}`, ...(o.ipv6 !== undefined ? [`--ipv6=${o.ipv6}`] : []), `--device=${o.device}`];
        case "route":
            return ["create", "route", `--prefix=${o.prefix}`, `--next-hop-vni=${NEXT_HOP_VNI}`, `--next-hop-ip=${o.nextHopIp}`, `--vni=${o.vni}`];
        case "nat":
            return ["create", "nat", `--interface-id=${o.interfaceId}`, `--nat-ip=${o.ip}`, `--minport=${o.minPort}`, `--maxport=${o.maxPort}`];
        case "loadbalancer":
            return ["create", "loadbalancer", `--id=${o.id}`, `--vni=${o.vni}`, `--vip=${o.vip}`, `--lbports=${o.ports.map((p) => `${p.protocol.toUpperCase()}/${p.port}`).join(",")}`];
        case "lbprefix":
            return ["create", "lbprefix", `--interface-id=${o.interfaceId}`, `--prefix=${o.prefix}`];
        case "lbtarget":
            return ["create", "lbtarget", `--target-ip=${o.targetIp}`, `--lb-id=${o.lbId}`];
        default:
            return unknownKind(o);
    }
}

/** The arguments that delete exactly this object (its key in dpservice). */
export function deleteArgs(o: DpserviceObject): string[] {
    switch (o.kind) {
        case "interface":
            return ["delete", "interface", `--id=${o.id}`];
        case "route":
            return ["delete", "route", `--prefix=${o.prefix}`, `--vni=${o.vni}`];
        case "nat":
            return ["delete", "nat", `--interface-id=${o.interfaceId}`];
        case "loadbalancer":
            return ["delete", "loadbalancer", `--id=${o.id}`];
        case "lbprefix":
            return ["delete", "lbprefix", `--interface-id=${o.interfaceId}`, `--prefix=${o.prefix}`];
        case "lbtarget":
            return ["delete", "lbtarget", `--target-ip=${o.targetIp}`, `--lb-id=${o.lbId}`];
        default:
            return unknownKind(o);
    }
}

/**
 * How a delete script tells "already gone" from "still there" after a failed delete:
 * - `get`: a get command; exit 0 = present, exit 2 (dpservice answered with an error such as
 *   NOT_FOUND) = gone, anything else = cannot tell.
 * - `names`: a list command with `-o name`; present when one line equals `line` exactly
 *   (renderer.go renders each object as `<kind>/<name>`; Route.GetName is `<prefix>-<next hop VNI>`).
 * - `parent`: the object lives inside another one (an LB's targets); gone when the parent is.
 */
export type ExistenceProbe =
    | { readonly kind: "get"; readonly args: readonly string[] }
    | { readonly kind: "names"; readonly args: readonly string[]; readonly line: string }
    | { readonly kind: "parent"; readonly args: readonly string[] };

export function existenceProbe(o: DpserviceObject): ExistenceProbe {
    switch (o.kind) {
        case "interface":
            return { kind: "get", args: ["get", "interface", `--id=${o.id}`] };
        case "nat":
            return { kind: "get", args: ["get", "nat", `--interface-id=${o.interfaceId}`] };
        case "loadbalancer":
            return { kind: "get", args: ["get", "loadbalancer", `--id=${o.id}`] };
        case "route":
            return { kind: "names", args: ["list", "routes", `--vni=${o.vni}`], line: `route/${o.prefix}-${NEXT_HOP_VNI}` };
        case "lbprefix":
            return { kind: "names", args: ["list", "lbprefixes", `--interface-id=${o.interfaceId}`], line: `loadbalancerprefix/${o.prefix}` };
        case "lbtarget":
            // A target renders as "on loadbalancer: <id>" (no address), so its LB decides.
            return { kind: "parent", args: ["get", "loadbalancer", `--id=${o.lbId}`] };
        default:
            return unknownKind(o);
    }
}

/** A short label for messages and resource descriptions, e.g. `route 172.32.4.9/32 (VNI 66)`. */
export function describeObject(o: DpserviceObject): string {
    switch (o.kind) {
        case "interface":
            return `interface ${o.id}`;
        case "route":
            return `route ${o.prefix} (VNI ${o.vni})`;
        case "nat":
            return `NAT ${o.ip} on interface ${o.interfaceId}`;
        case "loadbalancer":
            return `load balancer ${o.id}`;
        case "lbprefix":
            return `lbprefix ${o.prefix} on interface ${o.interfaceId}`;
        case "lbtarget":
            return `lbtarget ${o.targetIp} of load balancer ${o.lbId}`;
        default:
            return unknownKind(o);
    }
}

function unknownKind(o: never): never {
    throw new Error(`unknown dpservice object kind ${String((o as { kind?: unknown }).kind)}`);
}

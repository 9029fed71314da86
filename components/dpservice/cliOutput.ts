// Parsers of dpservice-cli's JSON output (`-o json`) and of the docker facts the container step
// prints. Pure: text in, checked values out; every failure is an Error naming what was expected.
//
// Shapes (upstream ironcore-dev/dpservice): the JSON renderer is encoding/json over the api types
// (cli/dpservice-cli/renderer/renderer.go, go/dpservice-go/api/types.go): `kind`, `metadata`,
// `spec`, `status: {code, message}`, one document per line. Underlay addresses are formatted by
// dpservice with inet_ntop, i.e. compressed IPv6 such as `fc00:1::8000:0:1f` — which is why they
// are read from JSON here and never matched with a pattern for eight full groups.
import { isIPv6 } from "net";
import { z } from "zod";
import { canonicalIp } from "./topology";
import { DpserviceObject, InterfaceObject, LbPrefixObject, LbTargetObject, LoadBalancerObject, NatObject, RouteObject } from "./cli";

const status = z.object({ code: z.number().int(), message: z.string() });
const underlay = z.string().refine((s) => isIPv6(s), { message: "must be an IPv6 underlay address" });
const ipv6OrUnset = z.string().optional();

const interfaceDoc = z.object({
    kind: z.literal("Interface"),
    metadata: z.object({ id: z.string() }),
    spec: z.object({
        vni: z.number().int(),
        device: z.string().optional(),
        primary_ipv4: z.string().optional(),
        primary_ipv6: ipv6OrUnset,
        underlay_route: underlay,
        virtual_function: z.object({ name: z.string() }).optional(),
    }),
    status,
});

const natDoc = z.object({
    kind: z.literal("Nat"),
    metadata: z.object({ interface_id: z.string() }),
    spec: z.object({ nat_ip: z.string(), min_port: z.number().int(), max_port: z.number().int(), underlay_route: underlay }),
    status,
});

const loadBalancerDoc = z.object({
    kind: z.literal("LoadBalancer"),
    metadata: z.object({ id: z.string() }),
    spec: z.object({
        vni: z.number().int(),
        loadbalanced_ip: z.string(),
        loadbalanced_ports: z.array(z.object({ protocol: z.number().int(), port: z.number().int() })).optional(),
        underlay_route: underlay,
    }),
    status,
});

const lbPrefixDoc = z.object({
    kind: z.literal("LoadBalancerPrefix"),
    metadata: z.object({ interface_id: z.string() }),
    spec: z.object({ prefix: z.string(), underlay_route: underlay }),
    status,
});

const lbTargetDoc = z.object({
    kind: z.literal("LoadBalancerTarget"),
    metadata: z.object({ loadbalancer_id: z.string() }),
    spec: z.object({ target_ip: z.string() }),
    status,
});

const routeDoc = z.object({
    kind: z.literal("Route"),
    metadata: z.object({ vni: z.number().int() }),
    spec: z.object({ prefix: z.string(), next_hop: z.object({ vni: z.number().int(), address: z.string() }) }),
    status,
});

const initializedDoc = z.object({ kind: z.literal("Initialized"), spec: z.object({ uuid: z.string().min(1) }), status });

/** What the container step prints about its container: `docker container inspect` of it. */
const containerDoc = z.object({ container: z.string().regex(/^[0-9a-f]{64}$/), startedAt: z.string().min(1) });

/** IANA protocol numbers, as dpservice-cli prints load balancer ports. */
const PROTOCOL_NUMBER = { tcp: 6, udp: 17 } as const;

/** Every JSON document of the output, one per non-empty line. */
export function jsonDocuments(stdout: string): unknown[] {
    return stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .map((line) => {
            try {
                return JSON.parse(line) as unknown;
            } catch {
                throw new Error(`expected one JSON document per line, got '${line.slice(0, 200)}'`);
            }
        });
}

/** The one document of the given kind, checked against its schema and with status code 0. */
function documentOf<T extends z.ZodType>(stdout: string, kind: string, schema: T): z.output<T> {
    const docs = jsonDocuments(stdout).filter((d) => (d as { kind?: unknown })?.kind === kind);
    if (docs.length !== 1) throw new Error(`expected one ${kind} document from dpservice-cli, found ${docs.length} in '${stdout.trim().slice(0, 300)}'`);
    // An error reply carries only kind, metadata and status: report its code, not the missing spec.
    const st = z.object({ status }).safeParse(docs[0]);
    if (st.success && st.data.status.code !== 0) {
        throw new Error(`dpservice answered ${kind} with error ${st.data.status.code}${st.data.status.message ? ` (${st.data.status.message})` : ""}`);
    }
    const parsed = schema.safeParse(docs[0]);
    if (!parsed.success) {
        const where = parsed.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("; ");
        throw new Error(`unexpected ${kind} document from dpservice-cli (${where})`);
    }
    return parsed.data;
}

function expectSame(what: string, got: string | number | undefined, want: string | number): void {
    if (got !== want) throw new Error(`dpservice reports ${what} ${JSON.stringify(got)}, pairbench asked for ${JSON.stringify(want)}`);
}

/** The outcome of creating an object: its underlay address where dpservice assigns one. */
export interface Created {
    readonly underlay?: string;
}

export function parseInterfaceCreated(stdout: string, want: InterfaceObject): Created & { readonly underlay: string } {
    const d = documentOf(stdout, "Interface", interfaceDoc);
    expectSame("interface id", d.metadata.id, want.id);
    expectSame(`the VNI of interface ${want.id}`, d.spec.vni, want.vni);
    expectSame(`the IPv4 of interface ${want.id}`, d.spec.primary_ipv4, want.ipv4);
    if (want.ipv6 !== undefined) expectSame(`the IPv6 of interface ${want.id}`, d.spec.primary_ipv6 && canonicalIp(d.spec.primary_ipv6), canonicalIp(want.ipv6));
    return { underlay: canonicalIp(d.spec.underlay_route) };
}

export function parseNatCreated(stdout: string, want: NatObject): Created & { readonly underlay: string } {
    const d = documentOf(stdout, "Nat", natDoc);
    expectSame("the NAT's interface", d.metadata.interface_id, want.interfaceId);
    expectSame(`the NAT IP of ${want.interfaceId}`, d.spec.nat_ip, want.ip);
    expectSame(`the NAT port range of ${want.interfaceId}`, `${d.spec.min_port}-${d.spec.max_port}`, `${want.minPort}-${want.maxPort}`);
    return { underlay: canonicalIp(d.spec.underlay_route) };
}

export function parseLoadBalancerCreated(stdout: string, want: LoadBalancerObject): Created & { readonly underlay: string } {
    const d = documentOf(stdout, "LoadBalancer", loadBalancerDoc);
    expectSame("load balancer id", d.metadata.id, want.id);
    expectSame(`the VNI of load balancer ${want.id}`, d.spec.vni, want.vni);
    expectSame(`the VIP of load balancer ${want.id}`, d.spec.loadbalanced_ip, want.vip);
    const ports = (d.spec.loadbalanced_ports ?? []).map((p) => `${p.protocol}/${p.port}`).join(",");
    expectSame(`the ports of load balancer ${want.id}`, ports, want.ports.map((p) => `${PROTOCOL_NUMBER[p.protocol]}/${p.port}`).join(","));
    return { underlay: canonicalIp(d.spec.underlay_route) };
}

export function parseLbPrefixCreated(stdout: string, want: LbPrefixObject): Created & { readonly underlay: string } {
    const d = documentOf(stdout, "LoadBalancerPrefix", lbPrefixDoc);
    expectSame("the lbprefix's interface", d.metadata.interface_id, want.interfaceId);
    expectSame(`the lbprefix of ${want.interfaceId}`, d.spec.prefix, want.prefix);
    return { underlay: canonicalIp(d.spec.underlay_route) };
}

export function parseLbTargetCreated(stdout: string, want: LbTargetObject): Created {
    const d = documentOf(stdout, "LoadBalancerTarget", lbTargetDoc);
    expectSame("the lbtarget's load balancer", d.metadata.loadbalancer_id, want.lbId);
    expectSame(`the target of load balancer ${want.lbId}`, canonicalIp(d.spec.target_ip), canonicalIp(want.targetIp));
    return {};
}

export function parseRouteCreated(stdout: string, want: RouteObject): Created {
    const d = documentOf(stdout, "Route", routeDoc);
    expectSame("the route's VNI", d.metadata.vni, want.vni);
    expectSame("the route's prefix", d.spec.prefix, want.prefix);
    expectSame(`the next hop of ${want.prefix}`, canonicalIp(d.spec.next_hop.address), canonicalIp(want.nextHopIp));
    return {};
}

/** The parser for the object's create output. */
export function parseCreated(stdout: string, o: DpserviceObject): Created {
    switch (o.kind) {
        case "interface":
            return parseInterfaceCreated(stdout, o);
        case "nat":
            return parseNatCreated(stdout, o);
        case "loadbalancer":
            return parseLoadBalancerCreated(stdout, o);
        case "lbprefix":
            return parseLbPrefixCreated(stdout, o);
        case "lbtarget":
            return parseLbTargetCreated(stdout, o);
        case "route":
            return parseRouteCreated(stdout, o);
        default: {
            const never: never = o;
            throw new Error(`unknown dpservice object ${JSON.stringify(never)}`);
        }
    }
}

/** One running dpservice: its container and the UUID dpservice generated at start. */
export interface DpserviceInstance {
    readonly container: string;
    readonly startedAt: string;
    readonly uuid: string;
    /** What delete scripts compare with `docker container inspect -f '{{.Id}} {{.State.StartedAt}}'`. */
    readonly key: string;
}

/** The container step's output: the container's facts, then `dpservice-cli init` (or `get init`). */
export function parseInstance(stdout: string): DpserviceInstance {
    const docs = jsonDocuments(stdout);
    const facts = docs.filter((d) => typeof d === "object" && d !== null && "container" in d);
    if (facts.length !== 1) throw new Error(`expected the container's facts in the output, found ${facts.length} in '${stdout.trim().slice(0, 300)}'`);
    const c = containerDoc.safeParse(facts[0]);
    if (!c.success) throw new Error(`unexpected container facts ${JSON.stringify(facts[0])}`);
    const init = documentOf(stdout, "Initialized", initializedDoc);
    return { container: c.data.container, startedAt: c.data.startedAt, uuid: init.spec.uuid, key: `${c.data.container} ${c.data.startedAt}` };
}

/** What the dev stage's build prints: the image ID and the sha256 of the saved tar. */
export function parseBuiltImage(stdout: string): { readonly imageId: string; readonly sha256: string } {
    const doc = z
        .object({ imageId: z.string().regex(/^sha256:[0-9a-f]{64}$/), sha256: z.string().regex(/^[0-9a-f]{64}$/) })
        .safeParse(jsonDocuments(stdout).at(-1));
    if (!doc.success) throw new Error(`expected {imageId, sha256} from the image build, got '${stdout.trim().slice(-300)}'`);
    return doc.data;
}

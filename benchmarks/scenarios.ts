// The scenario catalogue: which benchmarks a stack runs, between which machines, against which
// threshold, in which order. Pure: takes the validated StackConfig, returns plain plans; no
// Pulumi imports.
//
// Two suites:
// - dpservice (the lab's suite, ironcore-dev/dpservice test/benchmark_test): same-host and
//   cross-host VM-to-VM over IPv4 and IPv6 with `flows` concurrent iperf3 processes; NAT and
//   load balancer cross-host with one flow, both only with dataplane dpservice.
// - netperf (microsoft/netperf's pair tests): upload, download (`-R`) and latency (sockperf
//   ping-pong, TCP; `latency-udp` on request) between the two machines of a pair.
// Ordering: scenarios that occupy the same machine or hypervisor run one after another; on
// libvirt every scenario shares a hypervisor with the others, so they form one chain (parallel
// traffic through the same dataplane would distort both figures). Azure pairs are independent.
import { azureOsFamily, ScenarioClass, StackConfig, Vm } from "../config/schema";
import type { AddressFamily, Transport } from "./commands";

export type Suite = "dpservice" | "netperf";
export type ScenarioKind = "throughput" | "latency";
export type Placement = "same-host" | "cross-host";

/** Where the client sends its traffic. */
export type ScenarioTarget =
    | { readonly kind: "server" }
    /** A fixed address that is not the server's own, e.g. a load balancer's VIP. */
    | { readonly kind: "address"; readonly address: string };

/** One scenario instance, fully resolved from the stack config. */
export interface ScenarioPlan {
    /** Unique in the stack: the catalogue name, prefixed with the pair on Azure. */
    readonly name: string;
    /** Catalogue name, e.g. cross-host-ipv4 or upload. */
    readonly scenario: string;
    readonly suite: Suite;
    readonly kind: ScenarioKind;
    /** Threshold class for throughput; null for latency (no latency threshold exists). */
    readonly thresholdClass: ScenarioClass | null;
    readonly placement: Placement;
    /** Endpoint keys: VM names on libvirt, `<pair>-server` / `<pair>-client` on Azure. */
    readonly server: string;
    readonly client: string;
    readonly family: AddressFamily;
    readonly target: ScenarioTarget;
    readonly protocol: Transport;
    readonly flows: number;
    readonly reverse: boolean;
    /** First server port; flow i uses basePort + i. */
    readonly basePort: number;
    readonly rounds: number;
    readonly seconds: number;
    readonly omit: number;
    readonly mss?: number;
    readonly policy: "mean" | "ci";
    /** Gbit/s for throughput, from benchmark.expected.<sw|hw>.<class>; absent: no check. */
    readonly expectedGbps?: number;
    /** Azure: the pair it runs on (another than its own when `pairbench:assignments` says so). */
    readonly pair?: string;
    /** Azure: the pair it belongs to when it runs on another, else null. */
    readonly assignedFrom?: string | null;
    /** What the scenario occupies (vm:NAME, host:NAME), for ordering. */
    readonly uses: readonly string[];
    /** Names of the scenarios that must finish before this one starts. */
    readonly after: readonly string[];
}

/** benchmark.scenarios names something unknown or not applicable; lists every problem. */
export class ScenarioSelectionError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`benchmark.scenarios: ${problems.join("; ")}`);
        this.name = "ScenarioSelectionError";
    }
}

export const IPERF3_PORT = 5201;
export const SOCKPERF_PORT = 11111;

/** Endpoint keys of an Azure pair's two machines. */
export function azureEndpointKeys(pair: string): { readonly server: string; readonly client: string } {
    return { server: `${pair}-server`, client: `${pair}-client` };
}

/** Threshold profile: dpservice offload is `hw`; everything else `sw`. */
export function thresholdProfile(cfg: StackConfig): "sw" | "hw" {
    return cfg.dataplane.kind === "dpservice" && cfg.dataplane.dpservice?.mode === "offload" ? "hw" : "sw";
}

type Draft = Omit<ScenarioPlan, "rounds" | "seconds" | "omit" | "mss" | "policy" | "expectedGbps" | "after" | "scenario" | "suite" | "kind" | "thresholdClass" | "name">;
interface Entry {
    readonly name: string;
    readonly suite: Suite;
    readonly kind: ScenarioKind;
    readonly thresholdClass: ScenarioClass | null;
    /** Runs unless benchmark.scenarios is set. */
    readonly byDefault: boolean;
    /** The instances for this stack, or why the scenario does not apply. */
    readonly build: (cfg: StackConfig) => Array<{ readonly prefix?: string; readonly draft: Draft }> | string;
}

function libvirtDraft(cfg: StackConfig, server: Vm, client: Vm, extra: Partial<Draft> = {}): Draft {
    return {
        placement: server.hypervisor === client.hypervisor ? "same-host" : "cross-host",
        server: server.name,
        client: client.name,
        family: "ipv4",
        target: { kind: "server" },
        protocol: "tcp",
        flows: cfg.benchmark.flows,
        reverse: false,
        basePort: IPERF3_PORT,
        uses: [...new Set([`vm:${server.name}`, `vm:${client.name}`, `host:${server.hypervisor}`, `host:${client.hypervisor}`])],
        ...extra,
    };
}

/** The dpservice suite's pairs: vm1→vm2 on one hypervisor, vm1→vm3 across. */
function sameHostPair(cfg: StackConfig): [Vm, Vm] | undefined {
    for (const h of cfg.hypervisors) {
        const vms = cfg.vms.filter((v) => v.hypervisor === h.name);
        if (vms.length >= 2) return [vms[0]!, vms[1]!];
    }
    return undefined;
}

function crossHostPair(cfg: StackConfig): [Vm, Vm] | undefined {
    const preferred = sameHostPair(cfg)?.[0];
    for (const server of [...(preferred ? [preferred] : []), ...cfg.vms]) {
        const client = cfg.vms.find((v) => v.hypervisor !== server.hypervisor);
        if (client) return [server, client];
    }
    return undefined;
}

function needIpv6(pair: [Vm, Vm]): string | undefined {
    const missing = pair.filter((v) => v.overlay.ipv6 === undefined).map((v) => v.name);
    return missing.length > 0 ? `needs overlay.ipv6 on ${missing.join(" and ")}` : undefined;
}

function vmToVm(placement: Placement, family: AddressFamily) {
    return (cfg: StackConfig) => {
        if (cfg.environment !== "libvirt") return "is a libvirt scenario (this stack is azure)";
        const pair = placement === "same-host" ? sameHostPair(cfg) : crossHostPair(cfg);
        if (!pair) return placement === "same-host" ? "needs two VMs on one hypervisor" : "needs VMs on two hypervisors";
        const missing = family === "ipv6" ? needIpv6(pair) : undefined;
        return missing ?? [{ draft: libvirtDraft(cfg, pair[0], pair[1], { family }) }];
    };
}

function needDpservice(cfg: StackConfig): string | undefined {
    return cfg.dataplane.kind === "dpservice" ? undefined : `needs dataplane kind dpservice (is ${cfg.dataplane.kind})`;
}

/**
 * netperf scenarios: one instance per Azure pair, or the cross-host pair on libvirt. An Azure
 * pair named in `pairbench:assignments` keeps its scenarios (and their names) but runs them on
 * the pair it is assigned to. `linuxOnly`: the tool exists only for Linux (sockperf).
 */
function pairScenario(extra: Partial<Draft>, linuxOnly = false) {
    return (cfg: StackConfig) => {
        if (cfg.environment === "azure") {
            const pairs = (cfg.azure?.pairs ?? []).filter((p) => !linuxOnly || azureOsFamily(p.os) === "linux");
            if (pairs.length === 0) return "needs a Linux pair (sockperf does not exist for Windows)";
            return pairs.map((p) => {
                const host = cfg.assignments?.[p.name] ?? p.name;
                const keys = azureEndpointKeys(host);
                const draft: Draft = {
                    placement: "cross-host", server: keys.server, client: keys.client, family: "ipv4",
                    target: { kind: "server" }, protocol: "tcp", flows: cfg.benchmark.flows, reverse: false,
                    basePort: IPERF3_PORT, uses: [`vm:${keys.server}`, `vm:${keys.client}`],
                    pair: host, assignedFrom: host === p.name ? null : p.name, ...extra,
                };
                return { prefix: p.name, draft };
            });
        }
        const pair = crossHostPair(cfg);
        return pair ? [{ draft: libvirtDraft(cfg, pair[0], pair[1], extra) }] : "needs VMs on two hypervisors";
    };
}

/** The catalogue, in the order scenarios run. */
export const CATALOGUE: readonly Entry[] = [
    { name: "same-host-ipv4", suite: "dpservice", kind: "throughput", thresholdClass: "local_vm2vm", byDefault: true, build: vmToVm("same-host", "ipv4") },
    { name: "same-host-ipv6", suite: "dpservice", kind: "throughput", thresholdClass: "local_vm2vm", byDefault: true, build: vmToVm("same-host", "ipv6") },
    { name: "cross-host-ipv4", suite: "dpservice", kind: "throughput", thresholdClass: "remote_vm2vm", byDefault: true, build: vmToVm("cross-host", "ipv4") },
    { name: "cross-host-ipv6", suite: "dpservice", kind: "throughput", thresholdClass: "remote_vm2vm", byDefault: true, build: vmToVm("cross-host", "ipv6") },
    {
        name: "nat-cross-host", suite: "dpservice", kind: "throughput", thresholdClass: "remote_vm2vm", byDefault: true,
        build: (cfg) => {
            const client = cfg.vms.find((v) => v.nat !== undefined);
            // dpservice NATs only traffic its default route carries. The first VM of each
            // hypervisor gets host routes (cross-host pairs, the LB client), which would bypass
            // NAT, so the server is another VM on another hypervisor (upstream's vm1 → here vm2).
            const firsts = new Set(cfg.hypervisors.map((h) => cfg.vms.find((v) => v.hypervisor === h.name)?.name));
            const server = client && cfg.vms.find((v) => v.hypervisor !== client.hypervisor && !firsts.has(v.name));
            const problem =
                needDpservice(cfg) ??
                (!client ? "needs a VM with nat" : !server ? `needs a second VM on a hypervisor other than ${client.hypervisor} (the first one is routed directly, which bypasses NAT)` : undefined);
            // dpservice's suite runs NAT and LB with one flow.
            return problem ?? [{ draft: libvirtDraft(cfg, server!, client!, { flows: 1 }) }];
        },
    },
    {
        name: "lb-cross-host", suite: "dpservice", kind: "throughput", thresholdClass: "lb", byDefault: true,
        build: (cfg) => {
            const lb = cfg.lb;
            const server = lb && cfg.vms.find((v) => v.name === lb.machines[0]);
            const client = server && cfg.vms.find((v) => v.hypervisor !== server.hypervisor);
            const port = lb?.ports.find((p) => p.protocol === "tcp")?.port;
            const problem =
                needDpservice(cfg) ??
                (!lb ? "needs a load balancer (pairbench:lb)" : !server ? `needs the LB target VM ${lb.machines[0]}` : !client ? `needs a VM on another hypervisor than ${server.name}` : port === undefined ? "needs a tcp port in lb.ports" : undefined);
            // The client connects to the VIP on a port the load balancer forwards.
            return problem ?? [{ draft: libvirtDraft(cfg, server!, client!, { flows: 1, target: { kind: "address", address: lb!.ip }, basePort: port! }) }];
        },
    },
    { name: "upload", suite: "netperf", kind: "throughput", thresholdClass: "remote_vm2vm", byDefault: false, build: pairScenario({}) },
    { name: "download", suite: "netperf", kind: "throughput", thresholdClass: "remote_vm2vm", byDefault: false, build: pairScenario({ reverse: true }) },
    { name: "latency", suite: "netperf", kind: "latency", thresholdClass: null, byDefault: true, build: pairScenario({ flows: 1, basePort: SOCKPERF_PORT }, true) },
    { name: "latency-udp", suite: "netperf", kind: "latency", thresholdClass: null, byDefault: false, build: pairScenario({ flows: 1, basePort: SOCKPERF_PORT, protocol: "udp" }, true) },
];

/** Default on Azure: the netperf suite; on libvirt: the dpservice suite plus latency. */
function isDefault(entry: Entry, cfg: StackConfig): boolean {
    return cfg.environment === "azure" ? entry.suite === "netperf" && entry.name !== "latency-udp" : entry.byDefault;
}

/** Fills in `after`: each scenario waits for the last earlier one that used any of its machines. */
export function orderScenarios(plans: ReadonlyArray<Omit<ScenarioPlan, "after">>): ScenarioPlan[] {
    const last = new Map<string, string>();
    return plans.map((p) => {
        const after = [...new Set(p.uses.map((u) => last.get(u)).filter((n): n is string => n !== undefined))];
        for (const u of p.uses) last.set(u, p.name);
        return { ...p, after };
    });
}

/**
 * The scenarios this stack runs: benchmark.scenarios if set (catalogue names, or instance names
 * such as `<pair>-upload` on Azure), in that order; otherwise every default scenario that applies.
 * Throws ScenarioSelectionError naming every unknown or inapplicable name.
 */
export function planScenarios(cfg: StackConfig): ScenarioPlan[] {
    const b = cfg.benchmark;
    const profile = thresholdProfile(cfg);
    const built = CATALOGUE.map((entry) => ({ entry, result: entry.build(cfg) }));
    const instances = built.flatMap(({ entry, result }) =>
        typeof result === "string"
            ? []
            : result.map(({ prefix, draft }) => {
                  const expected = entry.thresholdClass ? b.expected[profile]?.[entry.thresholdClass] : undefined;
                  const plan: Omit<ScenarioPlan, "after"> = {
                      name: prefix ? `${prefix}-${entry.name}` : entry.name,
                      scenario: entry.name, suite: entry.suite, kind: entry.kind, thresholdClass: entry.thresholdClass,
                      ...draft,
                      rounds: b.rounds, seconds: b.seconds, omit: entry.kind === "throughput" ? b.omit : 0,
                      ...(b.mss !== undefined && entry.kind === "throughput" ? { mss: b.mss } : {}),
                      policy: b.policy,
                      ...(expected !== undefined ? { expectedGbps: expected } : {}),
                  };
                  return plan;
              }),
    );
    if (b.scenarios === undefined) {
        return orderScenarios(instances.filter((p) => isDefault(CATALOGUE.find((e) => e.name === p.scenario)!, cfg)));
    }
    const problems: string[] = [];
    const chosen: Array<Omit<ScenarioPlan, "after">> = [];
    for (const wanted of b.scenarios) {
        const hits = instances.filter((p) => p.scenario === wanted || p.name === wanted);
        if (hits.length > 0) {
            for (const h of hits) if (!chosen.includes(h)) chosen.push(h);
            continue;
        }
        const entry = built.find((x) => x.entry.name === wanted);
        if (entry && typeof entry.result === "string") problems.push(`'${wanted}' does not apply to this stack: it ${entry.result}`);
        else problems.push(`unknown scenario '${wanted}'; known: ${[...CATALOGUE.map((e) => e.name), ...instances.filter((p) => p.name !== p.scenario).map((p) => p.name)].join(", ")}`);
    }
    if (problems.length > 0) throw new ScenarioSelectionError(problems);
    return orderScenarios(chosen);
}

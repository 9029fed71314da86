// A plain description of what a validated stack config stands up, exported as a stack output
// so `pulumi stack output` shows the topology the measurements belong to.
import { StackConfig } from "../config/index";

export interface StackSummary {
    readonly environment: StackConfig["environment"];
    readonly dataplane: string;
    readonly hypervisors: Array<{ name: string; host: string; domainType: string }>;
    readonly vms: Array<{ name: string; hypervisor: string; ipv4: string; ipv6?: string; vni: number }>;
    readonly azurePairs: Array<{ name: string; os: string; size: string }>;
    /** `pairs` (machines and readiness only) or `all`. */
    readonly phase: StackConfig["phase"];
    /** Azure pairs whose scenarios run on another pair (set by the CLI). */
    readonly assignments: Readonly<Record<string, string>>;
    readonly runId: string;
}

export function describeStack(cfg: StackConfig): StackSummary {
    const dp = cfg.dataplane;
    return {
        environment: cfg.environment,
        dataplane: dp.kind === "dpservice" && dp.dpservice ? `dpservice ${dp.dpservice.mode}` : dp.kind,
        hypervisors: cfg.hypervisors.map((h) => ({ name: h.name, host: h.host, domainType: h.domainType })),
        vms: cfg.vms.map((v) => ({
            name: v.name,
            hypervisor: v.hypervisor,
            ipv4: v.overlay.ipv4,
            ...(v.overlay.ipv6 ? { ipv6: v.overlay.ipv6 } : {}),
            vni: v.overlay.vni,
        })),
        azurePairs: (cfg.azure?.pairs ?? []).map((p) => ({ name: p.name, os: p.os, size: p.size })),
        phase: cfg.phase,
        assignments: { ...(cfg.assignments ?? {}) },
        runId: cfg.runId,
    };
}

// The stack's benchmarks: one Iperf3Benchmark or SockperfLatency per planned scenario, chained
// where scenarios share machines (ScenarioPlan.after), and the results in the one documented
// shape (results.ts, docs/results-schema.md).
import * as pulumi from "@pulumi/pulumi";
import { BenchmarkEndpoint } from "./endpoint";
import { Iperf3Benchmark } from "./iperf3Benchmark";
import { buildResults, Results, ScenarioResult } from "./results";
import type { ScenarioPlan } from "./scenarios";
import { SockperfLatency } from "./sockperfLatency";
import type { Verdict } from "./verdict";
import { withDependencies } from "./wiring";

export interface BenchmarkSuiteArgs {
    /** What to run, in order, with `after` filled in: `planScenarios(config)`. */
    readonly scenarios: readonly ScenarioPlan[];
    /** The machines by endpoint key: VM names on libvirt, `<pair>-server` / `<pair>-client` on Azure. */
    readonly endpoints: Readonly<Record<string, BenchmarkEndpoint>>;
    /** The stack's runId; changing it runs every benchmark again. Defaults to "". */
    readonly runId?: pulumi.Input<string>;
    /** What was measured (stack, environment, dataplane, mode, image …), copied into the results. Defaults to {}. */
    readonly context?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Values whose change runs every benchmark again, e.g. the dataplane's resource ids. Defaults to none. */
    readonly rerunOn?: ReadonlyArray<pulumi.Input<unknown>>;
    /** Resources one scenario must wait for, by scenario name (e.g. the NAT or LB setup). Defaults to none. */
    readonly scenarioDependsOn?: Readonly<Record<string, readonly pulumi.Resource[]>>;
    /** pairbench's directory on the machines. Defaults to "/tmp/pairbench". */
    readonly workDir?: string;
}

/** Every problem with the args at once: unknown endpoint keys, scenario names and references. */
export function validateBenchmarkSuiteArgs(args: BenchmarkSuiteArgs): string[] {
    const p: string[] = [];
    const names = new Set<string>();
    const keys = Object.keys(args.endpoints);
    for (const s of args.scenarios) {
        if (names.has(s.name)) p.push(`scenario '${s.name}' is listed twice`);
        for (const role of ["server", "client"] as const) {
            if (args.endpoints[s[role]] === undefined) p.push(`scenario ${s.name}: no endpoint '${s[role]}' for its ${role}; endpoints: ${keys.join(", ") || "(none)"}`);
        }
        for (const a of s.after) if (!names.has(a)) p.push(`scenario ${s.name}: runs after '${a}', which is not an earlier scenario`);
        names.add(s.name);
    }
    for (const k of Object.keys(args.scenarioDependsOn ?? {})) {
        if (!names.has(k)) p.push(`scenarioDependsOn: '${k}' is not a scenario of this suite`);
    }
    return p;
}

/** Runs the planned scenarios; `results` is the stack output. */
export class BenchmarkSuite extends pulumi.ComponentResource {
    /** Every scenario's result and the overall verdict (docs/results-schema.md). */
    readonly results: pulumi.Output<Results>;
    readonly verdict: pulumi.Output<Verdict>;

    constructor(name: string, args: BenchmarkSuiteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:benchmarks:BenchmarkSuite", name, {}, opts);
        const problems = validateBenchmarkSuiteArgs(args);
        if (problems.length > 0) throw new pulumi.ResourceError(`BenchmarkSuite ${name}: ${problems.join("; ")}`, this);

        const made = new Map<string, Iperf3Benchmark | SockperfLatency>();
        for (const plan of args.scenarios) {
            const server = args.endpoints[plan.server]!;
            const client = args.endpoints[plan.client]!;
            const before = [...plan.after.map((a) => made.get(a)!), ...(args.scenarioDependsOn?.[plan.name] ?? [])];
            const childOpts: pulumi.ComponentResourceOptions = { parent: this, dependsOn: withDependencies(opts?.dependsOn, before) };
            const common = {
                server,
                client,
                placement: plan.placement,
                scenario: {
                    name: plan.name, scenario: plan.scenario, suite: plan.suite, thresholdClass: plan.thresholdClass,
                    ...(plan.pair !== undefined ? { pair: plan.pair, assignedFrom: plan.assignedFrom ?? null } : {}),
                },
                ...(plan.target.kind === "address" ? { target: plan.target.address } : {}),
                rounds: plan.rounds,
                seconds: plan.seconds,
                ...(args.runId !== undefined ? { runId: args.runId } : {}),
                ...(args.rerunOn !== undefined ? { rerunOn: args.rerunOn } : {}),
                ...(args.workDir !== undefined ? { workDir: args.workDir } : {}),
            };
            const child =
                plan.kind === "latency"
                    ? new SockperfLatency(`${name}-${plan.name}`, { ...common, protocol: plan.protocol, port: plan.basePort }, childOpts)
                    : new Iperf3Benchmark(
                          `${name}-${plan.name}`,
                          {
                              ...common,
                              family: plan.family,
                              protocol: plan.protocol,
                              flows: plan.flows,
                              basePort: plan.basePort,
                              omit: plan.omit,
                              reverse: plan.reverse,
                              policy: plan.policy,
                              ...(plan.mss !== undefined ? { mss: plan.mss } : {}),
                              ...(plan.expectedGbps !== undefined ? { expectedGbps: plan.expectedGbps } : {}),
                          },
                          childOpts,
                      );
            made.set(plan.name, child);
        }

        const results: pulumi.Output<ScenarioResult[]> = pulumi.all([...made.values()].map((b) => b.result as pulumi.Output<ScenarioResult>));
        this.results = pulumi
            .all([results, args.runId ?? "", pulumi.output(args.context ?? {})])
            .apply(([scenarios, runId, context]) => buildResults({ runId, scenarios, context: context as Record<string, string> }));
        this.verdict = this.results.verdict;
        this.registerOutputs({ results: this.results, verdict: this.verdict });
    }
}

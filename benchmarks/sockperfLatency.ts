// Latency between two machines with sockperf ping-pong (TCP or UDP; never ICMP), as resources
// whose outputs are the measurements. A server step starts `sockperf server` in the background
// and waits until it listens (stopped on delete, and bounded by `timeout` should delete never
// run); client steps run one ping-pong round each, one after another.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { CLIENT_TIMEOUT_SLACK_SECONDS, sockperfClientRound, sockperfServerStart, sockperfServerStop, Transport } from "./commands";
import { BenchmarkEndpoint, endpointProblems } from "./endpoint";
import { LatencyScenarioResult, latencyResult, ScenarioMeta, scenarioMeta } from "./results";
import type { Placement } from "./scenarios";
import { parseSockperf } from "./sockperf";
import { commandBase, parseStep, rerunTriggers, withDependencies } from "./wiring";

export interface SockperfLatencyArgs {
    /** Runs `sockperf server`. */
    readonly server: BenchmarkEndpoint;
    /** Runs `sockperf ping-pong`. */
    readonly client: BenchmarkEndpoint;
    /** Same host or cross host, recorded with the results. */
    readonly placement: pulumi.Input<Placement>;
    /** Scenario identity in the results. Defaults to {name: <component name>, suite: "custom", thresholdClass: null}. */
    readonly scenario?: Partial<ScenarioMeta>;
    /** Address the client sends to. Defaults to the server's testIpv4 (sockperf 3.7 has no IPv6). */
    readonly target?: pulumi.Input<string>;
    /** Defaults to "tcp". */
    readonly protocol?: Transport;
    /** Defaults to 11111 (sockperf's). */
    readonly port?: number;
    /** Defaults to 3. */
    readonly rounds?: number;
    /** Seconds per round (`-t`). Defaults to 10. */
    readonly seconds?: number;
    /** Message size in bytes (`-m`). Defaults to 64. */
    readonly messageSize?: number;
    /** Changing it runs the benchmark again. Defaults to "". */
    readonly runId?: pulumi.Input<string>;
    /** More values whose change runs the benchmark again. Defaults to none. */
    readonly rerunOn?: ReadonlyArray<pulumi.Input<unknown>>;
    /** pairbench's directory on the machines. Defaults to "/tmp/pairbench". */
    readonly workDir?: string;
}

const wholeIn = (v: number | undefined, lo: number, hi: number) => v === undefined || (Number.isInteger(v) && v >= lo && v <= hi);

/** Every problem with the args at once; the constructor throws them before creating children. */
export function validateSockperfLatencyArgs(name: string, args: SockperfLatencyArgs): string[] {
    const p: string[] = [];
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) p.push(`the name must match [a-z0-9][a-z0-9-]* (got '${name}')`);
    p.push(...endpointProblems("server", args.server), ...endpointProblems("client", args.client));
    for (const role of ["server", "client"] as const) {
        if (args[role]?.os === "windows") p.push(`${role} ${args[role].machine} runs Windows; sockperf exists only for Linux (run latency on Linux pairs)`);
    }
    if (!wholeIn(args.rounds, 1, 100)) p.push(`\`rounds\` must be a whole number 1..100 (got ${args.rounds})`);
    if (!wholeIn(args.seconds, 1, 3600)) p.push(`\`seconds\` must be a whole number 1..3600 (got ${args.seconds})`);
    if (!wholeIn(args.port, 1, 65535)) p.push(`\`port\` must be 1..65535 (got ${args.port})`);
    if (!wholeIn(args.messageSize, 14, 65000)) p.push(`\`messageSize\` must be 14..65000 bytes (got ${args.messageSize})`);
    if (args.target === undefined && args.server !== undefined && args.server.testIpv4 === undefined) {
        p.push(`server ${args.server.machine} has no testIpv4 address; set it or \`target\` (sockperf 3.7 cannot use IPv6)`);
    }
    return p;
}

/** sockperf ping-pong latency between two endpoints; outputs per-round percentiles and statistics. */
export class SockperfLatency extends pulumi.ComponentResource {
    /** The whole scenario result (see docs/results-schema.md). */
    readonly result: pulumi.Output<LatencyScenarioResult>;
    /** Mean over rounds of the per-round median round-trip time, µs. */
    readonly p50Us: pulumi.Output<number>;

    constructor(name: string, args: SockperfLatencyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:benchmarks:SockperfLatency", name, {}, opts);
        const problems = validateSockperfLatencyArgs(name, args);
        if (problems.length > 0) throw new pulumi.ResourceError(`SockperfLatency ${name}: ${problems.join("; ")}`, this);

        const protocol = args.protocol ?? "tcp";
        const port = args.port ?? 11111;
        const rounds = args.rounds ?? 3;
        const seconds = args.seconds ?? 10;
        const messageSize = args.messageSize ?? 64;
        const workDir = args.workDir ?? "/tmp/pairbench";
        const target = pulumi.output(args.target ?? args.server.testIpv4 ?? "");
        const triggers = rerunTriggers(args.runId, [args.server, args.client], args.rerunOn);
        const perRound = seconds + CLIENT_TIMEOUT_SLACK_SECONDS;
        const serverSpec = { dir: `${workDir}/${name}-server`, port, protocol, lifetimeSeconds: rounds * (perRound + 30) + 120 };

        const server = new command.remote.Command(
            `${name}-server`,
            { ...commandBase(args.server, triggers), create: sockperfServerStart(serverSpec), delete: sockperfServerStop(serverSpec) },
            { parent: this, dependsOn: withDependencies(opts?.dependsOn, []), deleteBeforeReplace: true, customTimeouts: { create: "2m", delete: "1m" } },
        );
        const clients: command.remote.Command[] = [];
        let previous: command.remote.Command = server;
        for (let r = 0; r < rounds; r++) {
            const client = new command.remote.Command(
                `${name}-client-${r}`,
                {
                    ...commandBase(args.client, triggers),
                    create: target.apply((t) => sockperfClientRound({ target: t, port, protocol, seconds, messageSize })),
                },
                { parent: this, dependsOn: [previous], deleteBeforeReplace: true, customTimeouts: { create: `${perRound + 60}s` } },
            );
            clients.push(client);
            previous = client;
        }

        const meta = scenarioMeta(name, args.scenario);
        this.result = pulumi
            .all([pulumi.all(clients.map((c) => c.stdout)), args.placement, target, args.server.testIpv4 ?? null, args.client.testIpv4 ?? null])
            .apply(([outs, placement, t, serverAddress, clientAddress]) => {
                const parsed = outs.map((out, r) => parseStep(this, `${name} round ${r}`, () => parseSockperf(out)));
                return parseStep(this, name, () =>
                    latencyResult(
                        meta,
                        parsed,
                        {
                            tool: "sockperf", metric: "rtt", protocol, seconds, messageSize, placement,
                            server: { machine: args.server.machine, address: serverAddress ?? null },
                            client: { machine: args.client.machine, address: clientAddress ?? null },
                            target: t, port,
                        },
                    ),
                );
            });
        this.p50Us = this.result.stats.p50Us.mean;
        this.registerOutputs({ result: this.result, p50Us: this.p50Us });
    }
}

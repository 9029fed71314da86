// An iperf3 throughput benchmark between two machines, as resources whose outputs are the
// measurements. Per round: a server step starts one-off (`-1`) iperf3 servers, one port per
// flow, and waits until they listen; a client step runs every flow at once with `-J`. Rounds
// run one after another (server-0 → client-0 → server-1 → …). The client's stdout is parsed
// by the pure modules (iperf3.ts, results.ts) in an apply.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { AddressFamily, CLIENT_TIMEOUT_SLACK_SECONDS, splitFlows, Transport } from "./commands";
import { BenchmarkEndpoint, endpointProblems } from "./endpoint";
import { parseIperf3 } from "./iperf3";
import { iperf3Scripts } from "./psCommands";
import { ScenarioMeta, scenarioMeta, ThroughputScenarioResult, throughputResult } from "./results";
import type { Placement } from "./scenarios";
import { Policy, Verdict } from "./verdict";
import { commandBase, parseStep, rerunTriggers, withDependencies } from "./wiring";

export interface Iperf3BenchmarkArgs {
    /** Runs the iperf3 servers (receives, unless `reverse`). */
    readonly server: BenchmarkEndpoint;
    /** Runs the iperf3 clients. */
    readonly client: BenchmarkEndpoint;
    /** Same host or cross host, recorded with the results. */
    readonly placement: pulumi.Input<Placement>;
    /** Scenario identity in the results. Defaults to {name: <component name>, suite: "custom", thresholdClass: null}. */
    readonly scenario?: Partial<ScenarioMeta>;
    /** Address family of the test traffic. Defaults to "ipv4". */
    readonly family?: AddressFamily;
    /** Address the clients connect to. Defaults to the server's test address of `family`. */
    readonly target?: pulumi.Input<string>;
    /** Defaults to "tcp". */
    readonly protocol?: Transport;
    /** UDP target rate in bits/s (iperf3 `-b`); required with protocol udp. */
    readonly udpBitsPerSecond?: number;
    /** Concurrent flows. Defaults to 1. */
    readonly flows?: number;
    /** "processes": one iperf3 process and port per flow (dpservice's way); "streams": one process with `-P`. Defaults to "processes". */
    readonly flowMode?: "processes" | "streams";
    /** First server port; flow i uses basePort + i. Defaults to 5201. */
    readonly basePort?: number;
    /** Defaults to 3. */
    readonly rounds?: number;
    /** Measured seconds per round (`-t`). Defaults to 10. */
    readonly seconds?: number;
    /** Ramp-up seconds discarded (`--omit`). Defaults to 2. */
    readonly omit?: number;
    /** TCP MSS in bytes (`-M`). Defaults to iperf3's (the path's). */
    readonly mss?: number;
    /** Server sends, client receives (`-R`, "download"). Defaults to false. */
    readonly reverse?: boolean;
    /** Defaults to "mean". */
    readonly policy?: Policy;
    /** Expected Gbit/s (10^9). Defaults to none: verdict "none". */
    readonly expectedGbps?: pulumi.Input<number | undefined>;
    /** Changing it runs the benchmark again. Defaults to "". */
    readonly runId?: pulumi.Input<string>;
    /** More values whose change runs the benchmark again (e.g. dataplane ids). Defaults to none. */
    readonly rerunOn?: ReadonlyArray<pulumi.Input<unknown>>;
    /** pairbench's directory on the machines. Defaults to "/tmp/pairbench". */
    readonly workDir?: string;
}

const wholeIn = (v: number | undefined, lo: number, hi: number) => v === undefined || (Number.isInteger(v) && v >= lo && v <= hi);

/** Every problem with the args at once; the constructor throws them before creating children. */
export function validateIperf3BenchmarkArgs(name: string, args: Iperf3BenchmarkArgs): string[] {
    const p: string[] = [];
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) p.push(`the name must match [a-z0-9][a-z0-9-]* (got '${name}')`);
    p.push(...endpointProblems("server", args.server), ...endpointProblems("client", args.client));
    if (!wholeIn(args.flows, 1, 128)) p.push(`\`flows\` must be a whole number 1..128 (got ${args.flows})`);
    if (!wholeIn(args.rounds, 1, 100)) p.push(`\`rounds\` must be a whole number 1..100 (got ${args.rounds})`);
    if (!wholeIn(args.seconds, 1, 3600)) p.push(`\`seconds\` must be a whole number 1..3600 (got ${args.seconds})`);
    if (!wholeIn(args.omit, 0, 3600)) p.push(`\`omit\` must be a whole number of seconds ≥ 0 (got ${args.omit})`);
    if (!wholeIn(args.mss, 88, 9216)) p.push(`\`mss\` must be 88..9216 bytes (got ${args.mss})`);
    const flows = args.flowMode === "streams" ? 1 : (args.flows ?? 1);
    if (!wholeIn(args.basePort, 1, 65536 - flows)) p.push(`\`basePort\` must leave room for ${flows} port(s) below 65536 (got ${args.basePort})`);
    if (args.protocol === "udp" && args.udpBitsPerSecond === undefined) p.push("`udpBitsPerSecond` is required with protocol udp (iperf3's default of 1 Mbit/s measures nothing)");
    if (args.protocol !== "udp" && args.udpBitsPerSecond !== undefined) p.push("`udpBitsPerSecond` is only used with protocol udp");
    if (args.udpBitsPerSecond !== undefined && !(Number.isFinite(args.udpBitsPerSecond) && args.udpBitsPerSecond > 0)) p.push("`udpBitsPerSecond` must be a positive number of bits/s");
    if (args.protocol === "udp" && args.mss !== undefined) p.push("`mss` is a TCP setting; remove it for protocol udp");
    const family = args.family ?? "ipv4";
    if (args.target === undefined && args.server !== undefined && (family === "ipv6" ? args.server.testIpv6 : args.server.testIpv4) === undefined) {
        p.push(`server ${args.server.machine} has no test${family === "ipv6" ? "Ipv6" : "Ipv4"} address; set it or \`target\``);
    }
    return p;
}

/** iperf3 throughput between two endpoints; outputs per-round figures, statistics and a verdict. */
export class Iperf3Benchmark extends pulumi.ComponentResource {
    /** The whole scenario result (see docs/results-schema.md). */
    readonly result: pulumi.Output<ThroughputScenarioResult>;
    readonly meanGbps: pulumi.Output<number>;
    readonly verdict: pulumi.Output<Verdict>;

    constructor(name: string, args: Iperf3BenchmarkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:benchmarks:Iperf3Benchmark", name, {}, opts);
        const problems = validateIperf3BenchmarkArgs(name, args);
        if (problems.length > 0) throw new pulumi.ResourceError(`Iperf3Benchmark ${name}: ${problems.join("; ")}`, this);

        const family = args.family ?? "ipv4";
        const protocol = args.protocol ?? "tcp";
        const flows = args.flows ?? 1;
        const flowMode = args.flowMode ?? "processes";
        const basePort = args.basePort ?? 5201;
        const rounds = args.rounds ?? 3;
        const seconds = args.seconds ?? 10;
        const omit = args.omit ?? 2;
        const reverse = args.reverse ?? false;
        const policy = args.policy ?? "mean";
        const workDir = args.workDir ?? "/tmp/pairbench";
        const ports = flowMode === "processes" ? Array.from({ length: flows }, (_, i) => basePort + i) : [basePort];
        const target = pulumi.output(args.target ?? (family === "ipv6" ? args.server.testIpv6 : args.server.testIpv4) ?? "");
        const triggers = rerunTriggers(args.runId, [args.server, args.client], args.rerunOn);
        const clientLimit = `${omit + seconds + CLIENT_TIMEOUT_SLACK_SECONDS + 60}s`;

        const serverScripts = iperf3Scripts(args.server.os);
        const clientScripts = iperf3Scripts(args.client.os);
        const clients: command.remote.Command[] = [];
        let previous: command.remote.Command | undefined;
        for (let r = 0; r < rounds; r++) {
            const serverSpec = { dir: `${workDir}/${name}-server-${r}`, ports };
            const server = new command.remote.Command(
                `${name}-server-${r}`,
                { ...commandBase(args.server, triggers), create: serverScripts.serverStart(serverSpec), delete: serverScripts.serverStop(serverSpec) },
                {
                    parent: this,
                    dependsOn: r === 0 ? withDependencies(opts?.dependsOn, []) : [previous!],
                    // The new servers must not start while the old step's servers still hold the ports.
                    deleteBeforeReplace: true,
                    customTimeouts: { create: "2m", delete: "1m" },
                },
            );
            const client = new command.remote.Command(
                `${name}-client-${r}`,
                {
                    ...commandBase(args.client, triggers),
                    create: target.apply((t) =>
                        clientScripts.clientRound({
                            dir: `${workDir}/${name}-client-${r}`, target: t, family, ports,
                            streams: flowMode === "streams" ? flows : 1, seconds, omit, reverse, protocol,
                            ...(args.mss !== undefined ? { mss: args.mss } : {}),
                            ...(args.udpBitsPerSecond !== undefined ? { udpBitsPerSecond: args.udpBitsPerSecond } : {}),
                        }),
                    ),
                },
                { parent: this, dependsOn: [server], deleteBeforeReplace: true, customTimeouts: { create: clientLimit } },
            );
            clients.push(client);
            previous = client;
        }

        const roundsParsed = pulumi.all(clients.map((c) => c.stdout)).apply((outs) =>
            outs.map((out, r) =>
                parseStep(this, `${name} round ${r}`, () => {
                    const found = splitFlows(out);
                    const got = found.map((f) => f.port).join(",");
                    if (got !== ports.join(",")) throw new Error(`expected flows on ports ${ports.join(",")}, the client printed ${got}`);
                    return found;
                }).map((f) => ({
                    port: f.port,
                    result: parseStep(this, `${name} round ${r} flow ${f.index} (port ${f.port})`, () => parseIperf3(f.text)),
                })),
            ),
        );
        const meta = scenarioMeta(name, args.scenario);
        const address = (e: BenchmarkEndpoint) => (family === "ipv6" ? e.testIpv6 : e.testIpv4) ?? null;
        this.result = pulumi
            .all([roundsParsed, args.placement, target, address(args.server), address(args.client), args.expectedGbps])
            .apply(([parsed, placement, t, serverAddress, clientAddress, expected]) =>
                parseStep(this, name, () =>
                    throughputResult(
                        meta,
                        parsed,
                        {
                            tool: "iperf3", protocol, flows, flowMode, seconds, omit, mss: args.mss ?? null, reverse, family,
                            udpBitsPerSecond: args.udpBitsPerSecond ?? null, placement,
                            server: { machine: args.server.machine, address: serverAddress ?? null },
                            client: { machine: args.client.machine, address: clientAddress ?? null },
                            target: t, ports,
                        },
                        policy,
                        expected ?? undefined,
                    ),
                ),
            );
        this.meanGbps = this.result.stats.mean;
        this.verdict = this.result.verdict;
        this.registerOutputs({ result: this.result, meanGbps: this.meanGbps, verdict: this.verdict });
    }
}

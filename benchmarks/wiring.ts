// Small helpers the benchmark components share to wire children: dependencies, triggers and
// the settings every remote command gets.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import { BenchmarkEndpoint } from "./endpoint";

type DependsOn = pulumi.CustomResourceOptions["dependsOn"];

/**
 * `base` (a component's own dependsOn) plus `extra`. A component's dependsOn is not inherited
 * by its children, so the first child of a chain gets it explicitly.
 */
export function withDependencies(base: DependsOn, extra: readonly pulumi.Resource[]): DependsOn {
    if (base === undefined) return [...extra];
    if (Array.isArray(base)) return [...base, ...extra];
    if (pulumi.Resource.isInstance(base)) return [base, ...extra];
    if (extra.length === 0) return base;
    throw new Error("pass dependsOn to a benchmark as a resource or a list of resources");
}

/**
 * Values whose change makes a benchmark's commands run again: the run id, both machines'
 * instance ids and whatever the caller adds (e.g. the dataplane's ids).
 */
export function rerunTriggers(
    runId: pulumi.Input<string> | undefined,
    endpoints: readonly BenchmarkEndpoint[],
    extra: ReadonlyArray<pulumi.Input<unknown>> | undefined,
): pulumi.Input<unknown>[] {
    return [runId ?? "", ...endpoints.map((e) => e.instance ?? ""), ...(extra ?? [])];
}

/** Arguments every benchmark command shares. */
export function commandBase(
    endpoint: BenchmarkEndpoint,
    triggers: pulumi.Input<unknown>[],
): Pick<command.remote.CommandArgs, "connection" | "triggers" | "logging" | "addPreviousOutputInEnv"> {
    return {
        connection: endpoint.ssh,
        triggers,
        // Tool output is parsed, not read in the console; errors still reach the log via stderr.
        logging: "stderr",
        // The previous stdout (a whole iperf3 document) need not travel as an environment variable.
        addPreviousOutputInEnv: false,
    };
}

/** Runs `fn`, turning a plain error into one that names this resource and step. */
export function parseStep<T>(resource: pulumi.Resource, step: string, fn: () => T): T {
    try {
        return fn();
    } catch (e) {
        throw new pulumi.ResourceError(`${step}: ${e instanceof Error ? e.message : String(e)}`, resource);
    }
}

// What a benchmark needs to know about a machine, as plain interfaces of pulumi.Inputs. The
// TestReadyPair facade (components/) offers exactly these values; neither side imports the
// other's internals. Types only: no Pulumi values are imported here.
import type * as pulumi from "@pulumi/pulumi";
import type { types } from "@pulumi/command";
import { NAME_PATTERN } from "../config/schema";

/**
 * How to reach a machine: what `remote.Command` takes as `connection` — host, port, user,
 * privateKey (a secret; none means the SSH agent) and an optional `proxy` jump host (a VM
 * through its hypervisor).
 */
export type SshAccess = types.input.remote.ConnectionArgs;

/** A machine of a test-ready pair, as benchmarks see it. */
export interface BenchmarkEndpoint {
    /** Machine name ([a-z0-9][a-z0-9-]*): recorded with the results and used in child names. */
    readonly machine: string;
    readonly ssh: pulumi.Input<SshAccess>;
    /** Test-network IPv4 address (the traffic under test). Defaults to none. */
    readonly testIpv4?: pulumi.Input<string>;
    /** Test-network IPv6 address. Defaults to none. */
    readonly testIpv6?: pulumi.Input<string>;
    /** Management address (SSH), recorded with the results. Defaults to none. */
    readonly managementIp?: pulumi.Input<string>;
    /**
     * A value that changes whenever the machine is replaced (e.g. the libvirt domain UUID or the
     * Azure VM id). Benchmarks that use the machine run again when it changes. Defaults to none.
     */
    readonly instance?: pulumi.Input<string>;
    /**
     * What runs the commands: POSIX sh on `linux`, PowerShell 7 on `windows` (psCommands.ts).
     * Defaults to "linux".
     */
    readonly os?: "linux" | "windows";
}

/** Problems with an endpoint's plain fields, each naming the field. */
export function endpointProblems(field: string, endpoint: BenchmarkEndpoint | undefined): string[] {
    if (endpoint === undefined) return [`\`${field}\` is required`];
    return NAME_PATTERN.test(endpoint.machine) ? [] : [`\`${field}.machine\` must match [a-z0-9][a-z0-9-]* (got '${endpoint.machine}')`];
}

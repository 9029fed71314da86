// SSH connections for remote.Command: to a hypervisor from its config, and to a VM through its
// hypervisor as jump host. Private keys are read at deploy time and are always secrets.
import * as pulumi from "@pulumi/pulumi";
import { types } from "@pulumi/command";
import { Hypervisor } from "../config/index";

type SshKey = NonNullable<Hypervisor["sshKey"]>;
import { readLocalFile } from "./localFiles";
import { PlanContext, resolveLocalPath } from "./plan";

export type ConnectionArgs = types.input.remote.ConnectionArgs;

/** How many times and how long the command provider dials before giving up. */
export const DIAL = { dialErrorLimit: 10, perDialTimeout: 15 } as const;

/**
 * The hypervisor's private key as a secret Output: from `sshKey.path` (read now, on the machine
 * running Pulumi) or `sshKey.secret`; undefined means the SSH agent.
 */
export function hypervisorPrivateKey(hv: Hypervisor, ctx: PlanContext): pulumi.Output<string> | undefined {
    return sshPrivateKey(hv.sshKey, ctx, `the SSH private key of hypervisor ${hv.name}`, `hypervisors ${hv.name}: sshKey.secret`);
}

/**
 * A configured private key (`{path}` read now on the machine running Pulumi, or `{secret}`) as a
 * secret Output; undefined means the SSH agent. `what` and `field` name it in errors.
 */
export function sshPrivateKey(key: SshKey | undefined, ctx: PlanContext, what: string, field: string): pulumi.Output<string> | undefined {
    if (key === undefined) return undefined;
    if ("path" in key) {
        const file = resolveLocalPath(key.path, ctx);
        return pulumi.secret(pulumi.output(readLocalFile(file, what)));
    }
    const value = key.secret;
    if (typeof value !== "string") {
        throw new Error(`${field} is still encrypted; run through Pulumi (pulumi up) so it is decrypted`);
    }
    return pulumi.secret(value);
}

/** The connection to a hypervisor. Secret as a whole: it may carry the private key. */
export function hypervisorConnection(hv: Hypervisor, privateKey: pulumi.Output<string> | undefined): pulumi.Output<ConnectionArgs> {
    return pulumi.secret(
        pulumi.output({
            host: hv.host,
            port: hv.port,
            user: hv.user,
            ...DIAL,
            ...(privateKey ? { privateKey } : {}),
        }),
    );
}

/** The connection to a VM as root at its management address, through its hypervisor. */
export function vmConnection(
    hv: Hypervisor,
    privateKey: pulumi.Output<string> | undefined,
    managementIp: pulumi.Input<string>,
): pulumi.Output<ConnectionArgs> {
    const proxy: types.input.remote.ProxyConnectionArgs = {
        host: hv.host,
        port: hv.port,
        user: hv.user,
        ...DIAL,
        ...(privateKey ? { privateKey } : {}),
    };
    return pulumi.secret(
        pulumi.output({
            host: managementIp,
            port: 22,
            user: "root",
            ...DIAL,
            ...(privateKey ? { privateKey } : {}),
            proxy,
        }),
    );
}

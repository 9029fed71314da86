// One dpservice object as one resource: a remote.Command whose create runs `dpservice-cli create`
// in the hypervisor's dpservice container and whose delete removes exactly that object. Its
// output is parsed (cliOutput.ts) for the underlay address dpservice assigned.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Hypervisor } from "../../config/index";
import { ConnectionArgs } from "../connection";
import { hostCommand, hostLabel } from "../hostScripts";
import { describeObject, DpserviceObject } from "./cli";
import { Created, DpserviceInstance, parseCreated } from "./cliOutput";
import { objectCreate, objectDelete } from "./hostScripts";

export interface ObjectArgs {
    readonly hypervisor: Hypervisor;
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** The dpservice it goes into (the container step's output). */
    readonly instance: pulumi.Output<DpserviceInstance>;
    /** The object; an Output when it needs another object's underlay address. */
    readonly object: pulumi.Input<DpserviceObject>;
    /** Resources to create it after (and delete it before), beyond those its inputs imply. */
    readonly dependsOn?: readonly pulumi.Resource[];
}

export interface DpserviceObjectResource {
    readonly command: remote.Command;
    /** What dpservice reported, checked against what was asked for. */
    readonly created: pulumi.Output<Created>;
}

/**
 * The object's resource under `parent`. Any change of the object, or a new dpservice instance,
 * replaces it (delete first: the new one has the same key in dpservice).
 */
export function dpserviceObject(parent: pulumi.Resource, name: string, args: ObjectArgs): DpserviceObjectResource {
    const hv = args.hypervisor;
    const host = hostLabel({ name: hv.name, host: hv.host, port: hv.port, user: hv.user });
    const both = pulumi.all([args.instance, args.object]);
    const create = both.apply(([i, o]) => hostCommand(hv.user, { host, step: `dpservice-cli create ${describeObject(o)}` }, objectCreate({ hypervisor: hv.name, instance: i.key }, o)));
    const command = new remote.Command(
        name,
        {
            connection: args.connection,
            create,
            delete: both.apply(([i, o]) => hostCommand(hv.user, { host, step: `dpservice-cli delete ${describeObject(o)}` }, objectDelete({ hypervisor: hv.name, instance: i.key }, o))),
            triggers: [create],
        },
        { parent, deleteBeforeReplace: true, ...(args.dependsOn && args.dependsOn.length > 0 ? { dependsOn: [...args.dependsOn] } : {}) },
    );
    const created = pulumi.all([command.stdout, args.object]).apply(([out, o]) => {
        try {
            return parseCreated(out, o);
        } catch (err) {
            throw new pulumi.ResourceError(`${host}: ${describeObject(o)}: ${(err as Error).message}`, command);
        }
    });
    return { command, created };
}

/** The underlay address of an object that has one (interface, NAT, load balancer, lbprefix). */
export function underlayOf(r: DpserviceObjectResource, what: string): pulumi.Output<string> {
    return r.created.apply((c) => {
        if (c.underlay === undefined) throw new pulumi.ResourceError(`${what} has no underlay address`, r.command);
        return c.underlay;
    });
}

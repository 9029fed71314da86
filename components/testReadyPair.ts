// Two machines a benchmark can use: a client and a server endpoint, each reachable by SSH, with
// their management and test-network addresses, proven ready when the client's SSH works and the
// server answers on the test network. The machines come from a backend; libvirt is the one in
// this version (Azure plugs into the same union later).
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { ConnectionArgs } from "./connection";
import { peerWait } from "./domainScripts";
import { Placement } from "./plan";

/**
 * One machine of a pair, as benchmarks use it (the shape of benchmarks/endpoint.ts's
 * BenchmarkEndpoint: `machine`, `ssh`, test and management addresses, `instance`).
 */
export interface PairEndpoint {
    /** The machine's name (the libvirt domain / VM name). */
    readonly machine: string;
    /** Where it runs: the hypervisor's name. */
    readonly host: string;
    /** SSH as root (through the hypervisor for libvirt VMs); a secret. */
    readonly ssh: pulumi.Output<ConnectionArgs>;
    readonly managementIp: pulumi.Output<string>;
    readonly testIpv4: string;
    readonly testIpv6?: string;
    /** Resolves once a login worked. */
    readonly ready: pulumi.Output<string>;
    /** Changes whenever the machine is replaced (the domain UUID): re-run what depends on it. */
    readonly instance: pulumi.Output<string>;
}

/** A pair of libvirt VMs (LibvirtDomain endpoints), on one hypervisor or two. */
export interface LibvirtPairBackend {
    readonly kind: "libvirt";
    readonly client: PairEndpoint;
    readonly server: PairEndpoint;
    /** Seconds to wait for the server to answer on the test network. Defaults to 120. */
    readonly peerTimeoutSeconds?: number;
}

/** Where the pair's machines come from. A tagged union: Azure pairs get their own member. */
export type PairBackend = LibvirtPairBackend;

export interface TestReadyPairArgs {
    readonly backend: PairBackend;
}

/** What a pair is, without secrets: for stack outputs and reports. */
export interface PairSummary {
    readonly name: string;
    readonly backend: PairBackend["kind"];
    readonly placement: Placement;
    readonly client: EndpointSummary;
    readonly server: EndpointSummary;
}

export interface EndpointSummary {
    readonly name: string;
    readonly host: string;
    readonly managementIp: string;
    readonly testIpv4: string;
    readonly testIpv6?: string;
}

function summarize(e: PairEndpoint): pulumi.Output<EndpointSummary> {
    return e.managementIp.apply((ip) => ({
        name: e.machine,
        host: e.host,
        managementIp: ip,
        testIpv4: e.testIpv4,
        ...(e.testIpv6 !== undefined ? { testIpv6: e.testIpv6 } : {}),
    }));
}

/** The machine as a pair hands it out: `ssh` and `instance` resolve only once `ready` does. */
export function gateEndpoint(e: PairEndpoint, ready: pulumi.Output<string>): PairEndpoint {
    return {
        ...e,
        ssh: pulumi.all([e.ssh, ready]).apply(([ssh]) => ssh),
        instance: pulumi.all([e.instance, ready]).apply(([id]) => id),
        ready,
    };
}

/**
 * The facade benchmarks build on. Child: `-peer`, run on the client over SSH, waiting (bounded,
 * with backoff) until the server answers on the test network; it runs again when either
 * machine is replaced. The endpoints it hands out are gated on that check, so anything using
 * their `ssh` or `instance` runs after it.
 */
export class TestReadyPair extends pulumi.ComponentResource {
    public readonly client: PairEndpoint;
    public readonly server: PairEndpoint;
    public readonly placement: Placement;
    /** Resolves once both machines are ready and the server answers the client on the test network. */
    public readonly ready: pulumi.Output<string>;
    public readonly summary: pulumi.Output<PairSummary>;

    constructor(name: string, args: TestReadyPairArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:TestReadyPair", name, {}, opts);
        const backend = args.backend;
        let ready: pulumi.Output<string>;
        let placement: Placement;
        switch (backend.kind) {
            case "libvirt": {
                const { client, server } = backend;
                placement = client.host === server.host ? "same-host" : "cross-host";
                // IPv6 is checked only when both ends have it.
                const ipv6 = client.testIpv6 !== undefined ? server.testIpv6 : undefined;
                const context = { host: `VM ${client.machine} (via hypervisor ${client.host})`, step: `peer ${server.machine} on the test network` };
                const peer = new remote.Command(
                    `${name}-peer`,
                    {
                        connection: client.ssh,
                        // Waiting on both `ready`s orders the check after both logins.
                        create: pulumi
                            .all([client.ready, server.ready])
                            .apply(() => peerWait(context, server.testIpv4, ipv6, backend.peerTimeoutSeconds ?? 120)),
                        triggers: [client.instance, server.instance],
                    },
                    { parent: this },
                );
                ready = peer.stdout.apply((s) => s.trim());
                break;
            }
            default: {
                // A new backend kind fails to compile here until it has its case.
                const kind: never = backend.kind;
                throw new pulumi.ResourceError(
                    `backend kind '${String(kind)}' is not implemented in this version`,
                    this,
                );
            }
        }

        this.client = gateEndpoint(backend.client, ready);
        this.server = gateEndpoint(backend.server, ready);
        this.placement = placement;
        this.ready = ready;
        this.summary = pulumi.all([summarize(this.client), summarize(this.server)]).apply(([c, s]) => ({
            name: `${c.name}-${s.name}`,
            backend: backend.kind,
            placement,
            client: c,
            server: s,
        }));
        this.registerOutputs({ placement: this.placement, ready: this.ready, summary: this.summary });
    }
}

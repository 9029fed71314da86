// Two machines a benchmark can use: a client and a server endpoint, each reachable by SSH, with
// their management and test-network addresses, proven ready when both logins work and the
// server answers the client on the test network. The machines come from a backend: libvirt
// domains or Azure VMs. Optionally the client becomes a GitHub Actions self-hosted runner.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { ConnectionArgs } from "./connection";
import { peerWait } from "./domainScripts";
import { Placement } from "./plan";
import { pwshCommand } from "./powershell";
import { psPeerWait } from "./psWait";
import { runnerCommands } from "./runner";

/**
 * One machine of a pair, as benchmarks use it (the shape of benchmarks/endpoint.ts's
 * BenchmarkEndpoint: `machine`, `ssh`, `os`, test and management addresses, `instance`).
 */
export interface PairEndpoint {
    /** The machine's name (the libvirt domain name, or `<pair>-client` / `<pair>-server` on Azure). */
    readonly machine: string;
    /** Where it runs: the hypervisor's name, or `azure/<location>`. */
    readonly host: string;
    /** What runs commands on it: POSIX sh, or PowerShell 7 on Windows. Defaults to "linux". */
    readonly os?: "linux" | "windows";
    /** SSH (through the hypervisor for libvirt VMs, through the client for an Azure server); a secret. */
    readonly ssh: pulumi.Output<ConnectionArgs>;
    readonly managementIp: pulumi.Output<string>;
    readonly testIpv4: string;
    readonly testIpv6?: string;
    /** Resolves once a login worked. */
    readonly ready: pulumi.Output<string>;
    /** Changes whenever the machine is replaced (domain UUID, Azure vmId): re-run what depends on it. */
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

/** A pair of Azure VMs (AzurePair endpoints) in one proximity placement group. */
export interface AzurePairBackend {
    readonly kind: "azure";
    /** The pair's name in pairbench:azure.pairs. */
    readonly pair: string;
    readonly client: PairEndpoint;
    readonly server: PairEndpoint;
    /** Seconds to wait for the server to answer on the pair's network. Defaults to 120. */
    readonly peerTimeoutSeconds?: number;
}

/** Where the pair's machines come from. */
export type PairBackend = LibvirtPairBackend | AzurePairBackend;

/** The client as a GitHub Actions self-hosted runner; removed again on destroy. */
export interface RunnerRegistration {
    /** Repository or organization URL. */
    readonly url: string;
    /** A token allowed to manage runners; kept secret. */
    readonly token: pulumi.Input<string>;
    /** Unique in the repository. */
    readonly name: string;
    /** `os-<os>`, the pair's name and any configured extras. */
    readonly labels: readonly string[];
}

export interface TestReadyPairArgs {
    readonly backend: PairBackend;
    /** Register the client as a self-hosted runner once the pair is ready. Defaults to none. */
    readonly runner?: RunnerRegistration;
}

/** What a pair is, without secrets: for stack outputs and reports. */
export interface PairSummary {
    readonly name: string;
    readonly backend: PairBackend["kind"];
    readonly placement: Placement;
    readonly client: EndpointSummary;
    readonly server: EndpointSummary;
    /** The runner's name, when the client was registered as one. */
    readonly runner?: string;
}

export interface EndpointSummary {
    readonly name: string;
    readonly host: string;
    readonly os: "linux" | "windows";
    readonly managementIp: string;
    readonly testIpv4: string;
    readonly testIpv6?: string;
}

function summarize(e: PairEndpoint): pulumi.Output<EndpointSummary> {
    return e.managementIp.apply((ip) => ({
        name: e.machine,
        host: e.host,
        os: e.os ?? "linux",
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
 * The facade benchmarks build on. Children: `-peer`, run on the client over SSH, waiting
 * (bounded, with backoff) until the server answers on the test network — its presence in the
 * state is what marks the pair healthy; it runs again when either machine is replaced. With a
 * runner, `-runner` registers the client after that (and removes it on destroy). The
 * endpoints it hands out are gated on the check, so anything using their `ssh` or `instance`
 * runs after it.
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
        const { client, server } = backend;
        let placement: Placement;
        let where: string;
        switch (backend.kind) {
            case "libvirt":
                placement = client.host === server.host ? "same-host" : "cross-host";
                where = `VM ${client.machine} (via hypervisor ${client.host})`;
                break;
            case "azure":
                // Azure does not say which host a VM is on; a pair's VMs count as two.
                placement = "cross-host";
                where = `VM ${client.machine} (${client.host})`;
                break;
            default: {
                // A new backend kind fails to compile here until it has its case.
                const kind: never = backend;
                throw new pulumi.ResourceError(`backend kind '${String((kind as PairBackend).kind)}' is not implemented`, this);
            }
        }
        const context = { host: where, step: `peer ${server.machine} on the test network` };
        const timeout = backend.peerTimeoutSeconds ?? 120;
        // IPv6 is checked only when both ends have it.
        const ipv6 = client.testIpv6 !== undefined ? server.testIpv6 : undefined;
        const peer = new remote.Command(
            `${name}-peer`,
            {
                connection: client.ssh,
                // Waiting on both `ready`s orders the check after both logins.
                create: pulumi
                    .all([client.ready, server.ready])
                    .apply(() =>
                        client.os === "windows"
                            ? pwshCommand(psPeerWait(context, server.testIpv4, timeout))
                            : peerWait(context, server.testIpv4, ipv6, timeout),
                    ),
                triggers: [client.instance, server.instance],
            },
            { parent: this },
        );
        const ready = peer.stdout.apply((s) => s.trim());

        const reg = args.runner;
        if (reg !== undefined) {
            const commands = pulumi.output(reg.token).apply((token) =>
                runnerCommands(client.os ?? "linux", { url: reg.url, token, name: reg.name, labels: reg.labels }),
            );
            new remote.Command(
                `${name}-runner`,
                {
                    connection: client.ssh,
                    create: pulumi.secret(commands.create),
                    delete: pulumi.secret(commands.delete),
                    triggers: [client.instance],
                    addPreviousOutputInEnv: false,
                },
                { parent: this, dependsOn: [peer], deleteBeforeReplace: true, customTimeouts: { create: "15m", delete: "10m" } },
            );
        }

        this.client = gateEndpoint(client, ready);
        this.server = gateEndpoint(server, ready);
        this.placement = placement;
        this.ready = ready;
        this.summary = pulumi.all([summarize(this.client), summarize(this.server)]).apply(([c, s]) => ({
            name: backend.kind === "azure" ? backend.pair : `${c.name}-${s.name}`,
            backend: backend.kind,
            placement,
            client: c,
            server: s,
            ...(reg !== undefined ? { runner: reg.name } : {}),
        }));
        this.registerOutputs({ placement: this.placement, ready: this.ready, summary: this.summary });
    }
}

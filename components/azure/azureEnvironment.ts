// An Azure stack's machines, built from its validated config: a resource group, a virtual
// network and subnet, then per pair (except those the CLI reassigned) an AzurePair (VMs,
// network, onboarding) and a TestReadyPair (the readiness check). Every taggable resource
// carries pairbench:stack, pairbench:run and pairbench:expiresAt.
import * as pulumi from "@pulumi/pulumi";
import { local } from "@pulumi/command";
import { StackConfig } from "../../config/index";
import { sshPrivateKey } from "../connection";
import { parsePublicKeys, readLocalFile } from "../localFiles";
import { PlanContext, resolveLocalPath } from "../plan";
import { runnerName } from "../runner";
import { PairEndpoint, PairSummary, TestReadyPair } from "../testReadyPair";
import { AzurePair } from "./azurePair";
import { stackNetwork } from "./network";
import { planAzure } from "./plan";
import { azureTags, expiryFrom } from "./tags";

export interface AzureEnvironmentArgs {
    /** The validated stack config (environment azure). */
    readonly config: StackConfig;
    /** Stack name, project directory and home directory (for local key paths). */
    readonly context: PlanContext;
    /** Seconds to wait for a pair's server to answer its client. Defaults to 120. */
    readonly peerTimeoutSeconds?: number;
}

/** The creation stamp: run once on the machine running Pulumi; kept in the state afterwards. */
export const CREATED_STAMP_COMMAND = "date -u +%Y-%m-%dT%H:%M:%SZ";

/**
 * Children: `<name>` (resource group), `-vnet`, `-subnet`, `-created` (the creation stamp the
 * expiry is computed from), and per created pair `-<pair>` twice: an AzurePair and a
 * TestReadyPair.
 */
export class AzureEnvironment extends pulumi.ComponentResource {
    /** The created pairs by pair name. */
    public readonly pairs: Readonly<Record<string, TestReadyPair>>;
    /**
     * Every created pair's machines as benchmark endpoints, keyed `<pair>-client` and
     * `<pair>-server`; each pair's are gated on its own readiness check only, so one failed
     * pair does not hold back the others.
     */
    public readonly endpoints: Readonly<Record<string, PairEndpoint>>;
    public readonly pairSummaries: pulumi.Output<PairSummary[]>;
    /** When the reaper may delete this stack (ISO time, UTC). */
    public readonly expiresAt: pulumi.Output<string>;
    /** Pairs not created because their scenarios run on another pair. */
    public readonly reassigned: ReadonlyArray<{ readonly name: string; readonly to: string }>;

    constructor(name: string, args: AzureEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:AzureEnvironment", name, {}, opts);
        const cfg = args.config;
        const ctx = args.context;
        const az = cfg.azure;
        if (cfg.environment !== "azure" || az === undefined) {
            throw new pulumi.ResourceError(`AzureEnvironment needs environment azure with pairbench:azure (is ${cfg.environment})`, this);
        }
        const plan = planAzure(cfg);

        // The expiry must not move on every `up` (that would rewrite every tag): it is derived
        // from a stamp taken when the stack is first created, again only when the TTL changes.
        const created = new local.Command(`${name}-created`, { create: CREATED_STAMP_COMMAND, triggers: [az.ttl] }, { parent: this });
        const expiresAt = created.stdout.apply((s) => expiryFrom(s, az.ttl));
        const tags = azureTags(ctx.stack, cfg.runId, expiresAt);
        const net = stackNetwork(name, az.location, tags, this);

        const privateKey = sshPrivateKey(az.sshKey, ctx, "the SSH private key for the Azure VMs", "pairbench:azure.sshKey.secret");
        const keyFile =
            cfg.ssh?.publicKeyPath !== undefined
                ? resolveLocalPath(cfg.ssh.publicKeyPath, ctx)
                : az.sshKey !== undefined && "path" in az.sshKey
                  ? `${resolveLocalPath(az.sshKey.path, ctx)}.pub`
                  : undefined;
        if (keyFile === undefined) {
            throw new pulumi.ResourceError("no public key for the Azure VMs; set pairbench:ssh.publicKeyPath or pairbench:azure.sshKey.path", this);
        }
        const publicKeys = pulumi.output(readLocalFile(keyFile, "the SSH public key for the Azure VMs")).apply((t) => parsePublicKeys(t));
        const runner = cfg.runner;
        const token = runner === undefined ? undefined : secretValue(runner.token, "pairbench:runner.token");

        const pairs: Record<string, TestReadyPair> = {};
        const endpoints: Record<string, PairEndpoint> = {};
        for (const p of plan.pairs) {
            const machines = new AzurePair(
                `${name}-${p.name}`,
                {
                    plan: p,
                    resourceGroupName: net.resourceGroup.name,
                    location: az.location,
                    subnetId: net.subnet.id,
                    allowedSourceCidr: az.allowedSourceCidr,
                    adminUser: az.adminUser,
                    sshPublicKeys: publicKeys,
                    ...(privateKey ? { privateKey } : {}),
                    tags,
                },
                { parent: this },
            );
            const pair = new TestReadyPair(
                `${name}-${p.name}`,
                {
                    backend: {
                        kind: "azure",
                        pair: p.name,
                        client: machines.client,
                        server: machines.server,
                        ...(args.peerTimeoutSeconds ? { peerTimeoutSeconds: args.peerTimeoutSeconds } : {}),
                    },
                    ...(runner !== undefined && token !== undefined
                        ? { runner: { url: runner.url, token, name: runnerName(ctx.stack, p.name), labels: p.runnerLabels } }
                        : {}),
                },
                { parent: this },
            );
            pairs[p.name] = pair;
            endpoints[p.client.key] = pair.client;
            endpoints[p.server.key] = pair.server;
        }

        this.pairs = pairs;
        this.endpoints = endpoints;
        this.pairSummaries = pulumi.all(Object.values(pairs).map((p) => p.summary));
        this.expiresAt = expiresAt;
        this.reassigned = plan.reassigned;
        this.registerOutputs({ pairSummaries: this.pairSummaries, expiresAt: this.expiresAt });
    }
}

/** A secret config value as a secret Output; an undecrypted `{secure}` value is an error. */
export function secretValue(value: string | { secure: string }, field: string): pulumi.Output<string> {
    if (typeof value !== "string") throw new Error(`${field} is still encrypted; run through Pulumi (pulumi up) so it is decrypted`);
    return pulumi.secret(value);
}

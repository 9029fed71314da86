// A libvirt stack's machines, built from its validated config: a HypervisorSetup per hypervisor,
// a LibvirtDomain per VM and a TestReadyPair per default pair (see plan.ts for which pairs).
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../config/index";
import { hypervisorConnection, hypervisorPrivateKey } from "./connection";
import { DataplaneHooks, dpserviceDeploymentFor, dpserviceGuestsFor, dpserviceHooks, NO_HOOKS } from "./dpservice/wiring";
import type { ScenarioRef } from "./dpservice/topology";
import { HypervisorSetup } from "./hypervisorSetup";
import { LibvirtDomain } from "./libvirtDomain";
import { parsePublicKeys, readLocalFile, sha256File } from "./localFiles";
import { planLibvirt, PlanContext, vmPublicKeyFile } from "./plan";
import { runnerName } from "./runner";
import { gateEndpoint, PairEndpoint, PairSummary, TestReadyPair } from "./testReadyPair";
import { VxlanDataplane } from "./vxlanDataplane";

export interface LibvirtEnvironmentArgs {
    /** The validated stack config (environment libvirt). */
    readonly config: StackConfig;
    /** Stack name, project directory and home directory (for MACs and local paths). */
    readonly context: PlanContext;
    /** sha256 of a local image file. Defaults to hashing the file at deploy time. */
    readonly sha256?: (localPath: string) => pulumi.Input<string>;
    /** Seconds to wait for each VM's DHCP lease. Defaults to 300. */
    readonly leaseTimeoutSeconds?: number;
    /** Seconds to wait for each VM's SSH server. Defaults to 300. */
    readonly sshTimeoutSeconds?: number;
    /** Seconds to wait for a pair's server to answer on the test network. Defaults to 120. */
    readonly peerTimeoutSeconds?: number;
    /**
     * The planned benchmark scenarios (planScenarios): the dpservice dataplane creates NAT and
     * load balancer objects only for the scenarios that need them. Defaults to none.
     */
    readonly scenarios?: readonly ScenarioRef[];
    /** Content hash of the dpservice checkout (dev stage). Defaults to hashing it at deploy time. */
    readonly dpserviceSourceHash?: (buildPath: string) => pulumi.Input<string>;
}

/** A VM, without secrets: for stack outputs. */
export interface MachineSummary {
    readonly name: string;
    readonly hypervisor: string;
    readonly managementMac: string;
    readonly managementIp: string;
}

/**
 * Children: `-<hypervisor>` (HypervisorSetup), `-<vm>` (LibvirtDomain), `-<client>-<server>`
 * (TestReadyPair). Root logs into the VMs with the hypervisor's key; the VMs authorize
 * `ssh.publicKeyPath`, or else the `.pub` file next to their hypervisor's key.
 */
export class LibvirtEnvironment extends pulumi.ComponentResource {
    public readonly hypervisors: Readonly<Record<string, HypervisorSetup>>;
    public readonly vms: Readonly<Record<string, LibvirtDomain>>;
    public readonly pairs: readonly TestReadyPair[];
    /**
     * Every VM as a benchmark endpoint, by name; `ssh` and `instance` resolve once every pair
     * is test-ready, so benchmarks using them run after the readiness checks.
     */
    public readonly endpoints: Readonly<Record<string, PairEndpoint>>;
    public readonly machines: pulumi.Output<MachineSummary[]>;
    public readonly pairSummaries: pulumi.Output<PairSummary[]>;
    /** What the benchmarks need from the dataplane: per-scenario dependencies, re-run triggers, context. */
    public readonly dataplane: DataplaneHooks;

    constructor(name: string, args: LibvirtEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:LibvirtEnvironment", name, {}, opts);
        const cfg = args.config;
        const ctx = args.context;
        if (cfg.environment !== "libvirt") {
            throw new pulumi.ResourceError(`LibvirtEnvironment needs environment libvirt (is ${cfg.environment})`, this);
        }
        const plan = planLibvirt(cfg, ctx);
        const hashes = new Map<string, pulumi.Output<string>>();
        const sha256 = (file: string) => {
            if (!hashes.has(file)) {
                hashes.set(file, pulumi.output(args.sha256 ? args.sha256(file) : sha256File(file, "image file")));
            }
            return hashes.get(file)!;
        };
        const passwordHash = secretString(cfg.ssh?.rootPasswordHash, "ssh.rootPasswordHash");

        const hypervisors: Record<string, HypervisorSetup> = {};
        const vms: Record<string, LibvirtDomain> = {};
        const connections = Object.fromEntries(
            plan.hypervisors.map((hp) => {
                const privateKey = hypervisorPrivateKey(hp.hypervisor, ctx);
                return [hp.hypervisor.name, { privateKey, connection: hypervisorConnection(hp.hypervisor, privateKey) }];
            }),
        );
        for (const hp of plan.hypervisors) {
            const hv = hp.hypervisor;
            hypervisors[hv.name] = new HypervisorSetup(
                `${name}-${hv.name}`,
                { hypervisor: hv, connection: connections[hv.name]!.connection, images: hp.images, sha256 },
                { parent: this },
            );
        }
        // The emulated lab's test network: a VXLAN bridge per VNI on every hypervisor.
        const vxlan =
            cfg.dataplane.kind === "vxlan"
                ? new VxlanDataplane(
                      `${name}-dataplane`,
                      {
                          hypervisors: plan.hypervisors.map((hp) => ({
                              hypervisor: hp.hypervisor,
                              connection: connections[hp.hypervisor.name]!.connection,
                              // Required by the config check for the vxlan dataplane.
                              underlayIp: hp.hypervisor.underlayIp!,
                          })),
                          vnis: cfg.vms.map((v) => v.overlay.vni),
                          ...(cfg.dataplane.vxlan ? { port: cfg.dataplane.vxlan.port } : {}),
                      },
                      { parent: this },
                  )
                : undefined;
        // The lab's: dpservice on every hypervisor; each VM's interface exists before the VM boots.
        const dpservice =
            cfg.dataplane.kind === "dpservice"
                ? dpserviceDeploymentFor(this, `${name}-dpservice`, {
                      config: cfg, plan, context: ctx, scenarios: args.scenarios ?? [], hypervisors, connections,
                      ...(args.dpserviceSourceHash ? { sourceHash: args.dpserviceSourceHash } : {}),
                  })
                : undefined;

        for (const hp of plan.hypervisors) {
            const hv = hp.hypervisor;
            const { privateKey, connection } = connections[hv.name]!;
            const setup = hypervisors[hv.name]!;
            const keyFile = vmPublicKeyFile(cfg, hv, ctx);
            if (keyFile === undefined) {
                throw new pulumi.ResourceError(
                    `hypervisor ${hv.name}: no public key for the VMs; set pairbench:ssh.publicKeyPath (the public half of the hypervisors' sshKey)`,
                    this,
                );
            }
            const keys = pulumi
                .output(readLocalFile(keyFile, "the SSH public key for the VMs"))
                .apply((text) => parsePublicKeys(text));

            for (const vm of hp.vms) {
                const dataplane = vxlan ?? dpservice?.interfaces[vm.name];
                vms[vm.name] = new LibvirtDomain(
                    `${name}-${vm.name}`,
                    {
                        vm,
                        hypervisor: hv,
                        connection,
                        ...(privateKey ? { privateKey } : {}),
                        hypervisorSetup: setup,
                        ...(dataplane ? { dataplane } : {}),
                        image: setup.images.apply((images) => images[vm.image.name] ?? {}),
                        sshAuthorizedKeys: keys,
                        ...(passwordHash ? { passwordHash } : {}),
                        stack: ctx.stack,
                        ...(args.leaseTimeoutSeconds ? { leaseTimeoutSeconds: args.leaseTimeoutSeconds } : {}),
                        ...(args.sshTimeoutSeconds ? { sshTimeoutSeconds: args.sshTimeoutSeconds } : {}),
                    },
                    { parent: this },
                );
            }
        }
        const guests = dpservice ? dpserviceGuestsFor(this, `${name}-guests`, { config: cfg, plan, deployment: dpservice, vms, connections }) : undefined;

        const endpoint = (vmName: string): PairEndpoint => {
            const d = vms[vmName]!;
            const overlay = plan.vms.find((v) => v.name === vmName)!.overlay;
            return {
                machine: vmName,
                host: d.hypervisorName,
                ssh: d.connection,
                os: "linux",
                managementIp: d.managementIp,
                testIpv4: overlay.ipv4,
                ...(overlay.ipv6 !== undefined ? { testIpv6: overlay.ipv6 } : {}),
                // On dpservice a VM is ready once its test network is (after any reboot).
                ready: guests?.ready[vmName] ?? d.ready,
                instance: d.domainUuid,
            };
        };
        const runner = cfg.runner;
        const token = runner === undefined ? undefined : secretString(runner.token, "runner.token");
        const pairs = plan.pairs.map((p) => {
            const image = plan.vms.find((v) => v.name === p.client)!.image.name;
            return new TestReadyPair(
                `${name}-${p.name}`,
                {
                    backend: {
                        kind: "libvirt",
                        client: endpoint(p.client),
                        server: endpoint(p.server),
                        ...(args.peerTimeoutSeconds ? { peerTimeoutSeconds: args.peerTimeoutSeconds } : {}),
                    },
                    // The client as a self-hosted runner, labelled with its image and the pair.
                    ...(runner !== undefined && token !== undefined
                        ? { runner: { url: runner.url, token, name: runnerName(ctx.stack, p.name), labels: [...new Set([`os-${image}`, p.name, ...runner.labels])] } }
                        : {}),
                },
                { parent: this },
            );
        });

        const allReady = pulumi.all(pairs.map((p) => p.ready)).apply((r) => r.join("; "));
        this.endpoints = Object.fromEntries(
            plan.vms.map((v) => {
                const e = endpoint(v.name);
                // A VM in no pair still waits for its own readiness (its test network on dpservice).
                return [v.name, gateEndpoint(e, pulumi.all([allReady, e.ready]).apply(([all]) => all))];
            }),
        );
        this.hypervisors = hypervisors;
        this.vms = vms;
        this.pairs = pairs;
        this.machines = pulumi.all(
            Object.values(vms).map((d) =>
                d.managementIp.apply((ip) => ({
                    name: d.vmName,
                    hypervisor: d.hypervisorName,
                    managementMac: d.managementMac,
                    managementIp: ip,
                })),
            ),
        );
        this.pairSummaries = pulumi.all(pairs.map((p) => p.summary));
        this.dataplane = dpservice && guests ? dpserviceHooks(dpservice, guests) : NO_HOOKS;
        this.registerOutputs({ machines: this.machines, pairSummaries: this.pairSummaries });
    }
}

/** A secret config value as a secret Output; an undecrypted `{secure}` value is an error. */
function secretString(value: string | { secure: string } | undefined, field: string): pulumi.Output<string> | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "string") {
        throw new Error(`pairbench:${field} is still encrypted; run through Pulumi (pulumi up) so it is decrypted`);
    }
    return pulumi.secret(value);
}

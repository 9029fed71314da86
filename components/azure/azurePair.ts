// One Azure test-ready pair's machines: a proximity placement group, the pair's network (NSG,
// the client's public IP, two NICs with accelerated networking), two VMs onboarded by run
// commands, and an SSH login check on each. Hands out the two machines as PairEndpoints, the
// shape TestReadyPair (backend kind "azure") and the benchmarks take.
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import * as random from "@pulumi/random";
import { ConnectionArgs, DIAL } from "../connection";
import { PairEndpoint } from "../testReadyPair";
import { pairNetwork } from "./network";
import { linuxOnboarding, windowsOnboarding } from "./onboarding";
import { AzurePairPlan, Role } from "./plan";
import { azureVm, readyCheck, VmSpec } from "./vm";

export interface AzurePairArgs {
    readonly plan: AzurePairPlan;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly subnetId: pulumi.Input<string>;
    /** The only source allowed to reach the client by SSH. */
    readonly allowedSourceCidr: string;
    readonly adminUser: string;
    /** authorized_keys lines for the administrator. */
    readonly sshPublicKeys: pulumi.Input<readonly string[]>;
    /** The private key pairbench logs in with (a secret); none means the SSH agent. */
    readonly privateKey?: pulumi.Output<string>;
    /** pairbench:stack, pairbench:run, pairbench:expiresAt. */
    readonly tags: Record<string, pulumi.Input<string>>;
}

/**
 * Children: `-ppg`, `-nsg`, `-client-ip`, `-client-nic`, `-server-nic`, `-password` (Windows),
 * `-client` / `-server` (VMs), their `-onboard` run commands and `-ready` login checks. The
 * server has no public address: pairbench reaches it through the client as jump host.
 */
export class AzurePair extends pulumi.ComponentResource {
    public readonly client: PairEndpoint;
    public readonly server: PairEndpoint;
    /** The client's public address (SSH from the runner). */
    public readonly publicIp: pulumi.Output<string>;

    constructor(name: string, args: AzurePairArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:AzurePair", name, {}, opts);
        const plan = args.plan;
        const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
        const ppg = new compute.ProximityPlacementGroup(`${name}-ppg`, { ...common, proximityPlacementGroupType: "Standard" }, { parent: this });
        const net = pairNetwork(name, { ...common, plan, subnetId: args.subnetId, allowedSourceCidr: args.allowedSourceCidr }, this);
        const password =
            plan.family === "windows"
                ? new random.RandomPassword(
                      `${name}-password`,
                      // Azure wants 3 of 4 character classes; these specials need no escaping anywhere.
                      { length: 24, special: true, overrideSpecial: "!#%*-_=+?", minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2 },
                      { parent: this, additionalSecretOutputs: ["result"] },
                  )
                : undefined;

        const keys = pulumi.output(args.sshPublicKeys);
        const peerOf = (role: Role) => (role === "client" ? plan.server.privateIp : plan.client.privateIp);
        const script = (role: Role): pulumi.Input<string> =>
            plan.family === "linux"
                ? linuxOnboarding({ peerIp: peerOf(role), adminUser: args.adminUser })
                : keys.apply((k) => windowsOnboarding({ peerIp: peerOf(role), adminUser: args.adminUser, authorizedKeys: k }));
        const spec = (role: Role): VmSpec => ({
            ...common,
            pair: plan,
            vm: plan[role],
            nicId: (role === "client" ? net.clientNic : net.serverNic).id,
            proximityPlacementGroupId: ppg.id,
            adminUser: args.adminUser,
            sshPublicKeys: keys,
            ...(password ? { adminPassword: password.result } : {}),
        });
        const client = azureVm(`${name}-client`, spec("client"), script("client"), this);
        const server = azureVm(`${name}-server`, spec("server"), script("server"), this);

        const publicIp = net.publicIp.ipAddress.apply((ip) => {
            if (ip === undefined || ip === "") throw new pulumi.ResourceError(`pair ${plan.name}: the client's public IP has no address`, this);
            return ip;
        });
        const login = { port: 22, user: args.adminUser, ...DIAL, ...(args.privateKey ? { privateKey: args.privateKey } : {}) };
        const clientSsh: pulumi.Output<ConnectionArgs> = pulumi.secret(pulumi.output({ host: publicIp, ...login }));
        const serverSsh: pulumi.Output<ConnectionArgs> = pulumi.secret(
            pulumi.output({ host: plan.server.privateIp, ...login, proxy: { host: publicIp, ...login } }),
        );
        const clientReady = readyCheck(`${name}-client`, plan.family, clientSsh, [client.onboard], client.vm.vmId, this);
        // The server is reached through the client, whose sshd is ready only after its onboarding.
        const serverReady = readyCheck(`${name}-server`, plan.family, serverSsh, [client.onboard, server.onboard], server.vm.vmId, this);

        const endpoint = (role: Role, ssh: pulumi.Output<ConnectionArgs>, ready: pulumi.Output<string>, vmId: pulumi.Output<string>): PairEndpoint => ({
            machine: plan[role].key,
            host: `azure/${args.location}`,
            os: plan.family,
            ssh,
            managementIp: role === "client" ? publicIp : pulumi.output(plan.server.privateIp),
            testIpv4: plan[role].privateIp,
            ready,
            instance: vmId,
        });
        this.client = endpoint("client", clientSsh, clientReady.stdout.apply((s) => s.trim()), client.vm.vmId);
        this.server = endpoint("server", serverSsh, serverReady.stdout.apply((s) => s.trim()), server.vm.vmId);
        this.publicIp = publicIp;
        this.registerOutputs({ publicIp: this.publicIp });
    }
}

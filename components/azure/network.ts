// The Azure network: per stack a resource group, a virtual network and one subnet; per pair a
// network security group, the client's public IP and a NIC per VM with accelerated networking
// and its static address. The NSG rules are a pure function (nsgRules), also what the policy
// pack's tests use as the compliant example.
import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import { AzurePairPlan, VNET_CIDR } from "./plan";

type Tags = Record<string, pulumi.Input<string>>;

/** One NSG rule, in the shape of azure-native's SecurityRule args. */
export interface NsgRule {
    readonly name: string;
    readonly priority: number;
    readonly direction: "Inbound" | "Outbound";
    readonly access: "Allow" | "Deny";
    readonly protocol: "*" | "Tcp" | "Udp";
    readonly sourceAddressPrefix?: string;
    readonly sourceAddressPrefixes?: readonly string[];
    readonly sourcePortRange: string;
    readonly destinationAddressPrefix?: string;
    readonly destinationAddressPrefixes?: readonly string[];
    readonly destinationPortRange: string;
    readonly description: string;
}

/**
 * Inbound rules of a pair: everything between its two VMs, SSH from the runner's CIDR to the
 * client (the only VM with a public address; the server is reached through it), and nothing
 * else — not even the rest of the virtual network, so pairs never disturb each other.
 * Outbound stays Azure's default (onboarding downloads packages).
 */
export function nsgRules(pair: Pick<AzurePairPlan, "client" | "server">, allowedSourceCidr: string): NsgRule[] {
    const both = [`${pair.client.privateIp}/32`, `${pair.server.privateIp}/32`];
    return [
        {
            name: "allow-pair", priority: 100, direction: "Inbound", access: "Allow", protocol: "*",
            sourceAddressPrefixes: both, sourcePortRange: "*", destinationAddressPrefixes: both, destinationPortRange: "*",
            description: "all traffic between the two VMs of the pair",
        },
        {
            name: "allow-ssh-from-runner", priority: 110, direction: "Inbound", access: "Allow", protocol: "Tcp",
            sourceAddressPrefix: allowedSourceCidr, sourcePortRange: "*", destinationAddressPrefix: `${pair.client.privateIp}/32`, destinationPortRange: "22",
            description: "SSH from the runner (pairbench:azure.allowedSourceCidr) to the client",
        },
        {
            name: "deny-other-inbound", priority: 4000, direction: "Inbound", access: "Deny", protocol: "*",
            sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*",
            description: "nothing else, including the rest of the virtual network",
        },
    ];
}

export interface StackNetwork {
    readonly resourceGroup: resources.ResourceGroup;
    readonly subnet: network.Subnet;
}

/** `<name>` (resource group), `<name>-vnet`, `<name>-subnet`. */
export function stackNetwork(name: string, location: string, tags: Tags, parent: pulumi.Resource): StackNetwork {
    const resourceGroup = new resources.ResourceGroup(name, { location, tags }, { parent });
    const vnet = new network.VirtualNetwork(
        `${name}-vnet`,
        { resourceGroupName: resourceGroup.name, location, addressSpace: { addressPrefixes: [VNET_CIDR] }, tags },
        // Subnets are their own resource; the VNet must not try to remove them on update.
        { parent, ignoreChanges: ["subnets"] },
    );
    const subnet = new network.Subnet(
        `${name}-subnet`,
        { resourceGroupName: resourceGroup.name, virtualNetworkName: vnet.name, addressPrefix: VNET_CIDR },
        { parent },
    );
    return { resourceGroup, subnet };
}

export interface PairNetwork {
    readonly nsg: network.NetworkSecurityGroup;
    readonly publicIp: network.PublicIPAddress;
    readonly clientNic: network.NetworkInterface;
    readonly serverNic: network.NetworkInterface;
}

export interface PairNetworkArgs {
    readonly plan: AzurePairPlan;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly subnetId: pulumi.Input<string>;
    readonly allowedSourceCidr: string;
    readonly tags: Tags;
}

/** `<name>-nsg`, `<name>-client-ip`, `<name>-client-nic`, `<name>-server-nic`. */
export function pairNetwork(name: string, args: PairNetworkArgs, parent: pulumi.Resource): PairNetwork {
    const common = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
    const nsg = new network.NetworkSecurityGroup(
        `${name}-nsg`,
        { ...common, securityRules: nsgRules(args.plan, args.allowedSourceCidr).map((r) => ({ ...r })) as network.NetworkSecurityGroupArgs["securityRules"] },
        { parent },
    );
    // Standard SKU: static, and closed unless an NSG allows traffic.
    const publicIp = new network.PublicIPAddress(
        `${name}-client-ip`,
        { ...common, sku: { name: "Standard" }, publicIPAllocationMethod: "Static", publicIPAddressVersion: "IPv4" },
        { parent },
    );
    const nic = (role: "client" | "server") =>
        new network.NetworkInterface(
            `${name}-${role}-nic`,
            {
                ...common,
                enableAcceleratedNetworking: true,
                networkSecurityGroup: { id: nsg.id },
                ipConfigurations: [
                    {
                        name: "primary",
                        primary: true,
                        subnet: { id: args.subnetId },
                        privateIPAllocationMethod: "Static",
                        privateIPAddress: args.plan[role].privateIp,
                        ...(role === "client" ? { publicIPAddress: { id: publicIp.id } } : {}),
                    },
                ],
            },
            { parent },
        );
    return { nsg, publicIp, clientNic: nic("client"), serverNic: nic("server") };
}

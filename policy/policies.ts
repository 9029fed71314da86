// The policies of pairbench's pack, wired to the pure rules in rules.ts. Exported so tests can
// call each policy's validateResource / validateStack with fake arguments.
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { acceleratedNetworkingOff, adminPortsOpenToInternet, missingExpiry, NsgRuleProps, plaintextPasswords } from "./rules";

const report = (messages: string[], reportViolation: ReportViolation) => messages.forEach((m) => reportViolation(m));

export const noAdminPortsFromInternet: ResourceValidationPolicy = {
    name: "no-admin-ports-from-internet",
    description: "No network security group rule opens SSH, RDP or WinRM to the internet.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type === "azure-native:network:NetworkSecurityGroup") {
            report(adminPortsOpenToInternet((args.props["securityRules"] as NsgRuleProps[] | undefined) ?? []), reportViolation);
        } else if (args.type === "azure-native:network:SecurityRule") {
            report(adminPortsOpenToInternet([args.props as NsgRuleProps]), reportViolation);
        }
    },
};

export const vmExpiryTag: ResourceValidationPolicy = {
    name: "vm-expiry-tag",
    description: "Every virtual machine carries a pairbench:expiresAt tag, so the reaper can delete it.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "azure-native:compute:VirtualMachine") return;
        report(missingExpiry(args.props["tags"] as Record<string, unknown> | undefined), reportViolation);
    },
};

export const acceleratedNetworking: ResourceValidationPolicy = {
    name: "accelerated-networking",
    description: "Every network interface has accelerated networking on.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type === "azure-native:network:NetworkInterface") {
            report(acceleratedNetworkingOff([{ name: args.name, enableAcceleratedNetworking: args.props["enableAcceleratedNetworking"] as boolean | undefined }]), reportViolation);
        } else if (args.type === "azure-native:compute:VirtualMachine") {
            const profile = args.props["networkProfile"] as { networkInterfaceConfigurations?: Array<{ name?: string; enableAcceleratedNetworking?: boolean }> } | undefined;
            report(acceleratedNetworkingOff(profile?.networkInterfaceConfigurations ?? []), reportViolation);
        }
    },
};

export const noPlaintextPasswords: StackValidationPolicy = {
    name: "no-plaintext-password-output",
    description: "No password appears in plain text in a stack output, a tag, a run command's script or parameters, or a command's output.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        report(plaintextPasswords(args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }))), reportViolation);
    },
};

export const policies = [noAdminPortsFromInternet, vmExpiryTag, acceleratedNetworking, noPlaintextPasswords];

// One Azure VM of a pair: the VM itself (Trusted Launch, in the pair's proximity placement
// group, NIC and OS disk deleted with it), its onboarding run command and the SSH login check.
// vmArgs is pure and tested; azureVm wires it.
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import { remote } from "@pulumi/command";
import { ConnectionArgs } from "../connection";
import { VM_READY_COMMAND } from "../domainScripts";
import { pwshCommand } from "../powershell";
import { AzurePairPlan, AzureVmPlan } from "./plan";

type Tags = Record<string, pulumi.Input<string>>;

export interface VmSpec {
    readonly pair: AzurePairPlan;
    readonly vm: AzureVmPlan;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    readonly nicId: pulumi.Input<string>;
    readonly proximityPlacementGroupId: pulumi.Input<string>;
    readonly adminUser: string;
    /** Linux: the keys that may log in as the administrator. */
    readonly sshPublicKeys: pulumi.Input<readonly string[]>;
    /** Windows: the administrator's password (a secret). */
    readonly adminPassword?: pulumi.Input<string>;
    readonly tags: Tags;
}

/** The VM's args. Windows without a password is an error: Azure requires one. */
export function vmArgs(spec: VmSpec): compute.VirtualMachineArgs {
    const { pair, vm } = spec;
    const image = pair.image;
    const linux = pair.family === "linux";
    if (!linux && spec.adminPassword === undefined) throw new Error(`pair ${pair.name}: a Windows VM needs an admin password`);
    return {
        resourceGroupName: spec.resourceGroupName,
        location: spec.location,
        hardwareProfile: { vmSize: pair.size },
        proximityPlacementGroup: { id: spec.proximityPlacementGroupId },
        storageProfile: {
            imageReference: "id" in image ? { id: image.id } : { ...image },
            osDisk: { createOption: "FromImage", deleteOption: "Delete", managedDisk: { storageAccountType: "Premium_LRS" } },
        },
        networkProfile: { networkInterfaces: [{ id: spec.nicId, primary: true, deleteOption: "Delete" }] },
        osProfile: {
            computerName: vm.computerName,
            adminUsername: spec.adminUser,
            ...(linux
                ? {
                      linuxConfiguration: {
                          disablePasswordAuthentication: true,
                          ssh: {
                              publicKeys: pulumi
                                  .output(spec.sshPublicKeys)
                                  .apply((keys) => keys.map((keyData) => ({ path: `/home/${spec.adminUser}/.ssh/authorized_keys`, keyData }))),
                          },
                      },
                  }
                : {
                      adminPassword: pulumi.secret(spec.adminPassword!),
                      // No reboots for updates while a benchmark runs; the VMs live for hours.
                      windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: false, patchSettings: { patchMode: "Manual" } },
                  }),
        },
        // Trusted Launch (gen-2 images); Secure Boot off lets test-signed drivers load.
        securityProfile: { securityType: "TrustedLaunch", uefiSettings: { secureBootEnabled: pair.secureBoot, vTpmEnabled: true } },
        diagnosticsProfile: { bootDiagnostics: { enabled: true } },
        tags: spec.tags,
    };
}

/** The command that proves an SSH login works and reports the machine (and PowerShell on Windows). */
export function readyCommand(family: "linux" | "windows"): string {
    return family === "linux"
        ? VM_READY_COMMAND
        : pwshCommand("Write-Output ($env:COMPUTERNAME + ' ' + [Environment]::OSVersion.VersionString + ' pwsh ' + $PSVersionTable.PSVersion)");
}

export interface AzureVm {
    readonly vm: compute.VirtualMachine;
    readonly onboard: compute.VirtualMachineRunCommandByVirtualMachine;
}

/** `<name>` (the VM) and `<name>-onboard` (its run command, re-run when the script changes). */
export function azureVm(name: string, spec: VmSpec, script: pulumi.Input<string>, parent: pulumi.Resource): AzureVm {
    const vm = new compute.VirtualMachine(name, vmArgs(spec), { parent });
    const onboard = new compute.VirtualMachineRunCommandByVirtualMachine(
        `${name}-onboard`,
        {
            resourceGroupName: spec.resourceGroupName,
            vmName: vm.name,
            location: spec.location,
            source: { script },
            asyncExecution: false,
            // A failing script fails the deployment instead of passing silently.
            treatFailureAsDeploymentFailure: true,
            timeoutInSeconds: 3600,
            tags: spec.tags,
        },
        // Azure runs the script again on every update; a new run id in the tags must not re-onboard.
        { parent, customTimeouts: { create: "70m", update: "70m" }, ignoreChanges: ["tags"] },
    );
    return { vm, onboard };
}

/** `<name>-ready`: an SSH login as the administrator, after onboarding; again when the VM is replaced. */
export function readyCheck(
    name: string,
    family: "linux" | "windows",
    connection: pulumi.Input<ConnectionArgs>,
    after: readonly pulumi.Resource[],
    instance: pulumi.Input<string>,
    parent: pulumi.Resource,
): remote.Command {
    return new remote.Command(
        `${name}-ready`,
        { connection, create: readyCommand(family), triggers: [instance] },
        { parent, dependsOn: [...after], customTimeouts: { create: "10m" } },
    );
}

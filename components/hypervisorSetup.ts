// One hypervisor made ready for test VMs: what dpservice's prepare_hypervisor.sh does by hand,
// as resources whose delete undoes exactly what their create changed.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Hypervisor } from "../config/index";
import { ConnectionArgs } from "./connection";
import {
    hostCommand,
    HostTarget,
    hostLabel,
    ipForwardCreate,
    ipForwardDelete,
    networkCreate,
    networkDelete,
    nftAcceptCreate,
    nftAcceptDelete,
    workDirCreate,
    workDirDelete,
} from "./hostScripts";
import { hypervisorPaths } from "./naming";
import { buildNetworkXml, DEFAULT_NETWORK, NetworkSpec } from "./networkXml";
import { imageFiles, ImagePlan, RemoteImage } from "./plan";
import { UploadedFile } from "./uploadedFile";

export interface HypervisorSetupArgs {
    /** The hypervisor as configured (`pairbench:hypervisors[]`). */
    readonly hypervisor: Hypervisor;
    /** SSH connection (secret); see connection.ts. */
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** Images its VMs boot from; each file is uploaded once. Defaults to none. */
    readonly images?: readonly ImagePlan[];
    /** sha256 of each local image file, by local path (computed at deploy time). */
    readonly sha256: (localPath: string) => pulumi.Input<string>;
    /** libvirt's default network. Defaults to the dpservice suite's (NAT, virbr0, 192.168.122.0/24). */
    readonly network?: NetworkSpec;
}

/**
 * Children: `-workdir` (pairbench's directory), `-ipforward`, `-nft` (Gardenlinux only),
 * `-network` (libvirt `default`), and an UploadedFile per image file. Everything but the
 * working directory depends on it, so delete removes the directory last.
 */
export class HypervisorSetup extends pulumi.ComponentResource {
    public readonly name: string;
    public readonly workDir: string;
    /** Per image name, the paths of its uploaded files on the hypervisor. */
    public readonly images: pulumi.Output<Record<string, RemoteImage>>;
    /** The network step's report (defined / redefined / matches). */
    public readonly network: pulumi.Output<string>;
    /** Resolves once every step is done: depend on it to use the hypervisor. */
    public readonly ready: pulumi.Output<string>;

    constructor(name: string, args: HypervisorSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:HypervisorSetup", name, {}, opts);
        const hv = args.hypervisor;
        const target: HostTarget = { name: hv.name, host: hv.host, port: hv.port, user: hv.user };
        const paths = hypervisorPaths(hv.workDir);
        const cmd = (step: string, body: string) => hostCommand(hv.user, { host: hostLabel(target), step }, body);
        const connection = args.connection;

        const workdir = new remote.Command(
            `${name}-workdir`,
            {
                connection,
                create: cmd("working directory", workDirCreate(paths, hv.user)),
                delete: cmd("remove working directory", workDirDelete(paths)),
            },
            { parent: this },
        );
        const after = { parent: this, dependsOn: [workdir] };
        const steps: remote.Command[] = [];
        steps.push(
            new remote.Command(
                `${name}-ipforward`,
                {
                    connection,
                    create: cmd("ip_forward", ipForwardCreate(paths)),
                    delete: cmd("restore ip_forward", ipForwardDelete(paths)),
                },
                after,
            ),
        );
        if (hv.os === "gardenlinux") {
            steps.push(
                new remote.Command(
                    `${name}-nft`,
                    {
                        connection,
                        create: cmd("nft input policy", nftAcceptCreate(paths)),
                        delete: cmd("restore nft input policy", nftAcceptDelete(paths)),
                    },
                    after,
                ),
            );
        }
        const xml = buildNetworkXml(args.network ?? DEFAULT_NETWORK);
        const network = new remote.Command(
            `${name}-network`,
            {
                connection,
                create: cmd("default network", networkCreate(paths, xml)),
                delete: cmd("restore default network", networkDelete(paths)),
                // A different network replaces this step (and, through `ready`, the VMs on it).
                triggers: [xml],
            },
            // Delete first: the old step's delete restores the network the host had before.
            { ...after, deleteBeforeReplace: true },
        );
        steps.push(network);

        const images: Array<pulumi.Output<[string, RemoteImage]>> = [];
        for (const image of args.images ?? []) {
            const uploads = imageFiles(image).map((file) => {
                const upload = new UploadedFile(
                    `${name}-${image.name}-${file.role}`,
                    { target, connection, workDir: hv.workDir, file, sha256: args.sha256(file.localPath) },
                    after,
                );
                return upload.path.apply((p): [string, string] => [file.role, p]);
            });
            images.push(
                pulumi.all(uploads).apply((entries): [string, RemoteImage] => [image.name, Object.fromEntries(entries) as RemoteImage]),
            );
        }

        this.name = hv.name;
        this.workDir = hv.workDir;
        this.images = pulumi.all(images).apply((entries) => Object.fromEntries(entries));
        this.network = network.stdout.apply((s) => s.trim());
        this.ready = pulumi
            .all([pulumi.all(steps.map((s) => s.stdout)), this.images])
            .apply(() => `${hv.name} ready`);
        this.registerOutputs({ name: this.name, workDir: this.workDir, images: this.images, network: this.network, ready: this.ready });
    }
}

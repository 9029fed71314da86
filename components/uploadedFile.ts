// One image file (a base disk, a kernel or an initramfs) on one hypervisor: uploaded once, and
// not at all when the hypervisor already has a file with the same sha256.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { ConnectionArgs } from "./connection";
import { hostCommand, HostTarget, hostLabel, UploadTarget, uploadCheck, uploadDelete, uploadFinalize } from "./hostScripts";
import { hypervisorPaths, imagePath } from "./naming";
import { ImageFile } from "./plan";

export interface UploadedFileArgs {
    /** The hypervisor (for the SSH user and messages). */
    readonly target: HostTarget;
    readonly connection: pulumi.Input<ConnectionArgs>;
    /** pairbench's working directory on the hypervisor. */
    readonly workDir: string;
    readonly file: ImageFile;
    /** sha256 of the local file; the remote file is named after it. */
    readonly sha256: pulumi.Input<string>;
}

/**
 * Three steps, so that `pulumi up` never copies gigabytes it does not need to: `-check` looks
 * for the content-addressed file on the hypervisor; `-upload` (CopyToRemote) sends the file only
 * when it is absent (otherwise a one-line placeholder); `-finalize` verifies the sha256 and moves
 * the upload into place. Delete removes the file only if this resource uploaded it.
 */
export class UploadedFile extends pulumi.ComponentResource {
    /** The file's path on the hypervisor, known once it is there and verified. */
    public readonly path: pulumi.Output<string>;

    constructor(name: string, args: UploadedFileArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:UploadedFile", name, {}, opts);
        const { target, file } = args;
        const paths = hypervisorPaths(args.workDir);
        const upload: pulumi.Output<UploadTarget> = pulumi.output(args.sha256).apply((sha) => ({
            sha256: sha,
            final: imagePath(args.workDir, sha, file.suffix),
            incoming: `${paths.incoming}/${sha}.${file.suffix}`,
            localPath: file.localPath,
        }));
        const context = (step: string) => ({ host: hostLabel(target), step: `${step} ${file.localPath}` });

        const check = new remote.Command(
            `${name}-check`,
            {
                connection: args.connection,
                create: upload.apply((t) => hostCommand(target.user, context("check"), uploadCheck(t))),
                triggers: [args.sha256],
            },
            // A component's dependsOn does not reach its children: the first step carries it,
            // so nothing is uploaded before e.g. the working directory exists.
            { parent: this, ...(opts?.dependsOn !== undefined ? { dependsOn: opts.dependsOn } : {}) },
        );
        const copy = new remote.CopyToRemote(
            `${name}-upload`,
            {
                connection: args.connection,
                source: check.stdout.apply((out) =>
                    out.trim() === "present"
                        ? new pulumi.asset.StringAsset("placeholder: the hypervisor already has this file\n")
                        : new pulumi.asset.FileAsset(file.localPath),
                ),
                remotePath: upload.apply((t) => t.incoming),
                triggers: [args.sha256],
            },
            { parent: this, dependsOn: [check] },
        );
        const finalize = new remote.Command(
            `${name}-finalize`,
            {
                connection: args.connection,
                create: upload.apply((t) => hostCommand(target.user, context("verify upload"), uploadFinalize(t))),
                delete: upload.apply((t) => hostCommand(target.user, context("remove"), uploadDelete(t))),
                triggers: [args.sha256],
            },
            { parent: this, dependsOn: [copy] },
        );

        this.path = finalize.stdout.apply((s) => s.trim());
        this.registerOutputs({ path: this.path });
    }
}

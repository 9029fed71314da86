// The dev stage's dpservice image: built from a local checkout on the machine running Pulumi,
// copied to each hypervisor once per content (UploadedFile skips a tar the host already has)
// and `docker load`ed there. The cicd stage needs none of this: `docker run` pulls its image.
import * as pulumi from "@pulumi/pulumi";
import { local, remote } from "@pulumi/command";
import { Hypervisor } from "../../config/index";
import { ConnectionArgs } from "../connection";
import { hostCommand, HostTarget, hostLabel } from "../hostScripts";
import { hypervisorPaths } from "../naming";
import { UploadedFile } from "../uploadedFile";
import { devImageTag, IMAGE_TAR, imageBuild, imageBuildDelete, ImageBuildSpec } from "./buildScripts";
import { parseBuiltImage } from "./cliOutput";
import { imageLoad, ImageLoadSpec, imageUnload } from "./hostScripts";

export interface DpserviceImageArgs {
    /** The dpservice checkout, an absolute path on the machine running Pulumi. */
    readonly buildPath: string;
    /** Where the `docker save` tar is kept locally. */
    readonly outputDir: string;
    /** The Pulumi stack: part of the image's tag. */
    readonly stack: string;
    /** Content hash of the checkout; a new value builds again (see buildContext.ts). */
    readonly sourceHash: pulumi.Input<string>;
    /** Where the image is loaded; `ready` resolves once the host's working directory exists (HypervisorSetup.ready). */
    readonly hypervisors: ReadonlyArray<{
        readonly hypervisor: Hypervisor;
        readonly connection: pulumi.Input<ConnectionArgs>;
        readonly ready?: pulumi.Input<string>;
    }>;
}

/**
 * Children: `-build` (local: docker build + save), per hypervisor an UploadedFile `-<hv>` and
 * `-<hv>-load` (docker load; delete removes the image only if it loaded it).
 */
export class DpserviceImage extends pulumi.ComponentResource {
    /** `sha256:…` of the built image. */
    public readonly imageId: pulumi.Output<string>;
    /** Per hypervisor, the image ID once it is loaded there: what `docker run` starts. */
    public readonly loaded: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: DpserviceImageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:components:DpserviceImage", name, {}, opts);
        const spec: ImageBuildSpec = { context: args.buildPath, outputDir: args.outputDir, tag: devImageTag(args.stack) };
        const here = { host: "the machine running Pulumi", step: `build dpservice from ${args.buildPath}` };
        // As the user running Pulumi (no sudo): hostCommand with user "root" adds none.
        const build = new local.Command(
            `${name}-build`,
            {
                create: hostCommand("root", here, imageBuild(spec)),
                delete: hostCommand("root", { ...here, step: "remove the dpservice image tar" }, imageBuildDelete(spec)),
                triggers: [args.sourceHash],
                logging: "stdoutAndStderr",
            },
            { parent: this },
        );
        const built = build.stdout.apply((out) => {
            try {
                return parseBuiltImage(out);
            } catch (err) {
                throw new pulumi.ResourceError(`dpservice image build: ${(err as Error).message}`, this);
            }
        });
        this.imageId = built.imageId;

        const loaded: Record<string, pulumi.Output<string>> = {};
        for (const h of args.hypervisors) {
            const hv = h.hypervisor;
            const target: HostTarget = { name: hv.name, host: hv.host, port: hv.port, user: hv.user };
            const upload = new UploadedFile(
                `${name}-${hv.name}`,
                {
                    target,
                    connection: h.connection,
                    workDir: hv.workDir,
                    file: { role: "docker-image", localPath: `${args.outputDir}/${IMAGE_TAR}`, suffix: "docker.tar" },
                    // Through the digest every upload step also waits for the host's set-up
                    // (working directory included), which is an output here, not a resource.
                    sha256: pulumi.all([built.sha256, h.ready ?? ""]).apply(([sha]) => sha),
                },
                { parent: this },
            );
            const load = (path: string, id: string): ImageLoadSpec => ({
                imageId: id,
                tar: path,
                marker: `${hypervisorPaths(hv.workDir).state}/dpservice-image-${id.replace(/^sha256:/, "")}.loaded`,
            });
            const context = { host: hostLabel(target), step: "load the dpservice image" };
            const cmd = new remote.Command(
                `${name}-${hv.name}-load`,
                {
                    connection: h.connection,
                    create: pulumi.all([upload.path, built.imageId]).apply(([p, id]) => hostCommand(hv.user, context, imageLoad(load(p, id)))),
                    delete: pulumi.all([upload.path, built.imageId]).apply(([p, id]) => hostCommand(hv.user, { ...context, step: "remove the dpservice image" }, imageUnload(load(p, id)))),
                    triggers: [built.imageId],
                },
                { parent: this, dependsOn: [upload] },
            );
            loaded[hv.name] = cmd.stdout.apply((s) => s.trim());
        }
        this.loaded = loaded;
        this.registerOutputs({ imageId: this.imageId, loaded: this.loaded });
    }
}

// The files on the machine running Pulumi that a libvirt stack's config names: hypervisor keys,
// the VMs' public key, the image files its VMs boot, a dpservice checkout. Checked before any
// resource is registered (by the program, and offline by `pairbench validate` / `run`), so a
// typo in a path fails with the field's name instead of halfway through an up. Pure but for
// statProbe: the file system is a probe passed in.
import * as fs from "fs";
import * as path from "path";
import type { ConfigIssue, StackConfig } from "../config/index";
import { imageFiles, PlanContext, planLibvirt, resolveLocalPath, vmPublicKeyFile } from "./plan";

export interface LocalFileNeed {
    /** The config field that names it (as in ConfigIssue). */
    readonly path: ReadonlyArray<string | number>;
    readonly file: string;
    readonly kind: "file" | "directory";
    readonly what: string;
    /** Under the project's .pairbench/: made by `pairbench lab up` (key, guest image). */
    readonly madeByLab: boolean;
}

/** What `probe(file)` says is there; undefined when nothing is. */
export type FileProbe = (file: string) => "file" | "directory" | undefined;

/** Every local file a libvirt stack needs, once each (Azure stacks need none here). */
export function localFileNeeds(cfg: StackConfig, ctx: PlanContext): LocalFileNeed[] {
    if (cfg.environment !== "libvirt") return [];
    const lab = path.join(ctx.projectDir, ".pairbench") + path.sep;
    const needs = new Map<string, LocalFileNeed>();
    const add = (p: ReadonlyArray<string | number>, file: string, kind: LocalFileNeed["kind"], what: string) => {
        if (!needs.has(file)) needs.set(file, { path: p, file, kind, what, madeByLab: file.startsWith(lab) });
    };
    cfg.hypervisors.forEach((hv, i) => {
        const field = ["hypervisors", i, "sshKey", "path"];
        if (hv.sshKey !== undefined && "path" in hv.sshKey) add(field, resolveLocalPath(hv.sshKey.path, ctx), "file", `the SSH key for hypervisor ${hv.name}`);
        const pub = vmPublicKeyFile(cfg, hv, ctx);
        if (pub === undefined) return; // LibvirtEnvironment says what to set
        if (cfg.ssh?.publicKeyPath !== undefined) add(["ssh", "publicKeyPath"], pub, "file", "the public key put on the VMs");
        else add(field, pub, "file", "its public half, put on the VMs (or set pairbench:ssh.publicKeyPath)");
    });
    for (const vm of planLibvirt(cfg, ctx).vms) {
        const index = cfg.images.findIndex((im) => im.name === vm.image.name);
        for (const f of imageFiles(vm.image)) {
            const field = f.role === "disk" ? "path" : f.role;
            add(["images", index, field], f.localPath, "file", `the ${f.role === "disk" ? "disk image" : f.role} of image ${vm.image.name} (VM ${vm.name})`);
        }
    }
    const buildPath = cfg.dataplane.dpservice?.stage === "dev" ? cfg.dataplane.dpservice.buildPath : undefined;
    if (buildPath !== undefined) {
        add(["dataplane", "dpservice", "buildPath"], resolveLocalPath(buildPath, ctx), "directory", "the dpservice checkout the dev stage builds");
    }
    return [...needs.values()];
}

/**
 * The needs that are not there, as config issues. With `labWillMake`, files the lab makes are
 * left out (a run brings the lab up before its up; validate does not need them yet).
 */
export function missingLocalFiles(needs: readonly LocalFileNeed[], probe: FileProbe, opts: { labWillMake?: boolean } = {}): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const n of needs) {
        const found = probe(n.file);
        if (found === n.kind) continue;
        if (found === undefined && n.madeByLab && opts.labWillMake) continue;
        const fix = found !== undefined ? `it is a ${found}, not a ${n.kind}` : n.madeByLab ? "it does not exist yet: `pairbench lab up` makes it" : "it does not exist";
        issues.push({ path: n.path, message: `${n.file} (${n.what}): ${fix}` });
    }
    return issues;
}

/** The missing local files of a stack, as config issues (localFileNeeds, then missingLocalFiles). */
export function missingStackFiles(cfg: StackConfig, ctx: PlanContext, opts: { probe?: FileProbe; labWillMake?: boolean } = {}): ConfigIssue[] {
    return missingLocalFiles(localFileNeeds(cfg, ctx), opts.probe ?? statProbe, { labWillMake: opts.labWillMake ?? false });
}

/** The real file system as a FileProbe (stat follows links, as the readers do). */
export function statProbe(file: string): "file" | "directory" | undefined {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    return st === undefined ? undefined : st.isDirectory() ? "directory" : "file";
}

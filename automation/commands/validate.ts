// `pairbench validate --stack NAME`: checks Pulumi.NAME.yaml with the schema the program uses.
import { formatIssues, readStackFile, stackFilePath, StackConfig, validateStackConfig } from "../../config/index";
import { CliError, EXIT_FAILED } from "../errors";

export interface ValidateOptions {
    readonly stack: string;
    readonly file?: string;
}

/** One line describing a valid config, so the user sees what was understood. */
export function describeConfig(cfg: StackConfig): string {
    if (cfg.environment === "azure") {
        const pairs = cfg.azure?.pairs ?? [];
        return `azure, ${pairs.length} pair${pairs.length === 1 ? "" : "s"} (${pairs.map((p) => p.os).join(", ")}) in ${cfg.azure?.location}`;
    }
    const mode = cfg.dataplane.dpservice ? ` ${cfg.dataplane.dpservice.mode}/${cfg.dataplane.dpservice.stage}` : "";
    return (
        `libvirt, ${cfg.hypervisors.length} hypervisors, ${cfg.vms.length} VMs, ` +
        `dataplane ${cfg.dataplane.kind}${mode}${cfg.lb ? `, load balancer ${cfg.lb.name}` : ""}`
    );
}

export function runValidate(projectDir: string, opts: ValidateOptions, out: (line: string) => void): void {
    const file = opts.file ?? stackFilePath(projectDir, opts.stack);
    const result = validateStackConfig(readStackFile(file));
    if (!result.ok) {
        const n = result.issues.length;
        throw new CliError(`${file}: ${n} error${n === 1 ? "" : "s"}:\n${formatIssues(result.issues)}`, EXIT_FAILED);
    }
    out(`${file}: valid (${describeConfig(result.config)})`);
}

// `pairbench validate --stack NAME`: checks Pulumi.NAME.yaml with the schema the program uses,
// and notes the local files it names (keys, images) that are not on this machine.
import * as os from "os";
import { planScenarios, ScenarioSelectionError } from "../../benchmarks/scenarios";
import { ConfigIssue, formatIssues, readStackFile, stackFilePath, StackConfig, validateStackConfig } from "../../config/index";
import { missingStackFiles } from "../../components/localFileChecks";
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

/** The scenario selection is checked as the program checks it, so bad names fail offline too. */
function scenarioIssues(cfg: StackConfig): ConfigIssue[] {
    try {
        planScenarios(cfg);
        return [];
    } catch (e) {
        if (!(e instanceof ScenarioSelectionError)) throw e;
        return e.problems.map((message) => ({ path: ["benchmark", "scenarios"], message }));
    }
}

export function runValidate(projectDir: string, opts: ValidateOptions, out: (line: string) => void): void {
    const file = opts.file ?? stackFilePath(projectDir, opts.stack);
    const result = validateStackConfig(readStackFile(file));
    const issues: ConfigIssue[] = result.ok ? scenarioIssues(result.config) : [...result.issues];
    if (!result.ok || issues.length > 0) {
        const n = issues.length;
        throw new CliError(`${file}: ${n} error${n === 1 ? "" : "s"}:\n${formatIssues(issues)}`, EXIT_FAILED);
    }
    const scenarios = planScenarios(result.config).map((s) => s.name);
    out(`${file}: valid (${describeConfig(result.config)}; scenarios: ${scenarios.join(", ")})`);
    // Not an error here: the config may be checked away from the machine that deploys it.
    const missing = missingStackFiles(result.config, { stack: opts.stack, projectDir, homeDir: os.homedir() }, { labWillMake: true });
    if (missing.length > 0) out(`note: not on this machine, which \`pairbench run\` here would need:\n${formatIssues(missing)}`);
}

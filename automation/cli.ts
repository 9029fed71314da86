// The pairbench command line. Each command lives in commands/; this file only declares the
// commands and options (commander) and maps errors to exit codes in one place.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { ImportError, StackFileError } from "../config/index";
import { runImportDpservice } from "./commands/importDpservice";
import { runSummarize } from "./commands/summarize";
import { runDev } from "./commands/dev";
import { runRun } from "./commands/run";
import { runDestroy, runReap, runResults } from "./commands/stacks";
import { REPORT_FORMATS, ReportFormat } from "./reports/files";
import { RunCliOptions } from "./runPlan";
import { runDoctor, runEnv } from "./commands/toolchain";
import { runValidate } from "./commands/validate";
import { CliError, EXIT_ERROR, EXIT_FAILED, EXIT_OK } from "./errors";
import { PROJECT_DIR } from "./projectDir";

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function stackName(value: string): string {
    if (!STACK_NAME.test(value)) {
        throw new InvalidArgumentError("a stack name is letters, digits, '-', '_' or '.', e.g. dev or lab");
    }
    return value;
}

const print = (text: string) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
const printErr = (line: string) => process.stderr.write(`${line}\n`);

export function buildProgram(projectDir: string = PROJECT_DIR): Command {
    const program = new Command("pairbench")
        .description("Test-ready machine pairs, the dataplane under test and network benchmarks, as Pulumi stacks")
        .showHelpAfterError("(run 'pairbench help' for usage)")
        .exitOverride();

    program
        .command("validate")
        .description("check Pulumi.<stack>.yaml against the pairbench schema; lists every error")
        .requiredOption("-s, --stack <name>", "stack whose Pulumi.<name>.yaml to check", stackName)
        .option("-f, --file <path>", "check this file instead of Pulumi.<stack>.yaml")
        .action((opts: { stack: string; file?: string }) => runValidate(projectDir, opts, print));

    program
        .command("import-dpservice")
        .description("convert dpservice's test_configurations.json into a stack config")
        .argument("<file>", "dpservice benchmark test_configurations.json")
        .option("-s, --stack <name>", "write Pulumi.<name>.yaml instead of printing to stdout", stackName)
        .option("--disk-template <path>", "raw Gardenlinux image for the VMs (provision.py's --disk-template)")
        .option("--docker-image <ref>", "dpservice image for stage cicd (overrides default_dpservice_image)")
        .option("--build-path <dir>", "dpservice checkout for stage dev")
        .addOption(new Option("--mode <mode>", "dpservice mode").choices(["offload", "non-offload"]))
        .option("--force", "overwrite an existing stack file")
        .action((file: string, opts: Record<string, unknown>) =>
            runImportDpservice(projectDir, file, opts, { out: print, err: printErr }),
        );

    program
        .command("dev")
        .description("the whole system on this machine: pairbench run --stack dev (lab up, pulumi up, reports, destroy, lab down)")
        .option("--keep", "leave the dev stack and the lab up afterwards")
        .option("-v, --verbose", "also print unchanged resources and the engine's messages")
        .action((opts: { keep?: boolean; verbose?: boolean }) => runDev(projectDir, opts, print));

    program
        .command("run")
        .description("CI entry point: pulumi up, reports (JSON, JUnit, Markdown, HTML), destroy; exit 0 pass, 1 verdict failed, 2 error")
        .requiredOption("-s, --stack <name>", "stack to run (Pulumi.<name>.yaml)", stackName)
        .addOption(new Option("--mode <mode>", "dpservice mode; both = non-offload, then offload").choices(["offload", "non-offload", "both"]))
        .addOption(new Option("--stage <stage>", "dpservice stage: cicd runs --docker-image, dev builds --dpservice-build-path").choices(["dev", "cicd"]))
        .option("--docker-image <ref>", "dpservice image for stage cicd")
        .option("--dpservice-build-path <dir>", "dpservice checkout for stage dev")
        .option("--reboot", "reboot the VMs after their dpservice interfaces exist (run_benchmarktest.py --reboot)")
        .option("--no-reboot", "do not reboot the VMs, whatever the stack says")
        .option("--config-file <file>", "dpservice test_configurations.json to run instead of Pulumi.<stack>.yaml (imported on the fly)")
        .option("--keep", "leave the stack (and the lab it started) up afterwards")
        .option("-v, --verbose", "also print unchanged resources and the engine's messages")
        .action(async (opts: RunCliOptions) => {
            await runRun(projectDir, opts, print);
        });

    program
        .command("results")
        .description("re-render the stack's latest run from .pairbench/results/<stack>/latest.json")
        .requiredOption("-s, --stack <name>", "stack whose latest results to show", stackName)
        .addOption(new Option("--format <format>", "output format").choices([...REPORT_FORMATS]).default("markdown"))
        .action((opts: { stack: string; format: ReportFormat }) => runResults(projectDir, opts, print));

    program
        .command("destroy")
        .description("pulumi destroy a stack with progress (its run directory's config and state)")
        .requiredOption("-s, --stack <name>", "stack to destroy", stackName)
        .option("-v, --verbose", "also print the engine's messages")
        .action((opts: { stack: string; verbose?: boolean }) => runDestroy(projectDir, opts, print));

    program
        .command("reap")
        .description("list the backend's stacks and destroy those past their expiry (dry run unless --yes)")
        .option("--older-than <age>", "age after the last update for stacks without a pairbench:expiresAt tag (90m, 6h, 2d)", "6h")
        .option("--yes", "really destroy the expired stacks")
        .action((opts: { olderThan: string; yes?: boolean }) => runReap(projectDir, opts, print));

    program
        .command("env")
        .description("print the hermetic Pulumi environment as shell exports: eval \"$(pairbench env)\"")
        .action(() => runEnv(projectDir, print));

    program
        .command("doctor")
        .description("report the Pulumi toolchain, plugins, backend and lab prerequisites, with fixes")
        .option("--json", "print the report as JSON")
        .action((opts: { json?: boolean }) => runDoctor(projectDir, opts, print));

    program
        .command("summarize")
        .description("receiver-side Gbit/s of iperf3 -J client outputs (one file per round): per round, mean, median, stddev, 95% CI")
        .argument("<file...>", "iperf3 -J output of one client run each")
        .action((files: string[]) => runSummarize(files, print));

    // The emulated two-hypervisor lab (lab/, docs/lab.md); needs root.
    const lab = program.command("lab").description("the emulated two-hypervisor lab on this machine (network namespaces, libvirtd, sshd)");
    lab.command("up")
        .description("create or complete the lab (idempotent): packages, guest image, namespaces, links, libvirtd, virtlogd, sshd")
        .option("--no-packages", "do not install missing Debian packages")
        .option("--no-image", "do not build or link the guest image")
        .action((opts: { packages: boolean; image: boolean }) => import("./commands/lab").then((m) => m.runLabUp(projectDir, opts, print)));
    lab.command("down")
        .description("stop and remove everything the lab created; fails listing anything left")
        .action(() => import("./commands/lab").then((m) => m.runLabDown(projectDir, print)));
    lab.command("status")
        .description("what runs (exit 1 unless the whole lab runs)")
        .option("--json", "print the status as JSON")
        .action((opts: { json?: boolean }) => import("./commands/lab").then((m) => m.runLabStatus(projectDir, opts, print)));
    lab.command("image")
        .description("build (or take from the cache) the guest image and link it to .pairbench/guest/")
        .option("--force", "rebuild even when the cache has it")
        .action((opts: { force?: boolean }) => import("./commands/lab").then((m) => m.runLabImage(projectDir, opts, print)));
    lab.command("verify")
        .description("boot the dev stack's VMs in the running lab without Pulumi, check SSH and iperf3 between them, remove them")
        .action(() => import("./commands/lab").then((m) => m.runLabVerify(projectDir, print)));

    return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: readonly string[], projectDir: string = PROJECT_DIR): Promise<number> {
    const program = buildProgram(projectDir);
    try {
        await program.parseAsync([...argv]);
        return EXIT_OK;
    } catch (e) {
        if (e instanceof CommanderError) {
            // Help and version are exits with code 0; usage errors were already printed.
            return e.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
        }
        if (e instanceof CliError) {
            printErr(`error: ${e.message}`);
            return e.exitCode;
        }
        if (e instanceof ImportError || e instanceof StackFileError) {
            printErr(`error: ${e.message}`);
            return EXIT_FAILED;
        }
        printErr(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return EXIT_ERROR;
    }
}

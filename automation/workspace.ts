// The Automation API's view of a stack. The CLI never runs Pulumi in the repository root: it
// works in `.pairbench/stacks/<stack>/`, whose Pulumi.yaml points back at the program
// (`main`) and whose stack file is the repository's Pulumi.<stack>.yaml plus the run's
// overrides (runId, dpservice mode, ...). So a run never dirties the committed stack files, and
// the passphrase provider's `encryptionsalt` stays with this machine's state, where it belongs.
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { parseDocument } from "yaml";
import { stackFilePath, StackFileError } from "../config/index";
import { findPulumi, prepareEnvironment, ResolvedPaths } from "./environment";
import { CliError } from "./errors";

/** Keys of a stack file that belong to this machine's secrets provider, not to the repository. */
const MACHINE_KEYS = ["encryptionsalt", "secretsprovider", "encryptedkey"] as const;

export interface StackFiles {
    readonly dir: string;
    readonly projectFile: string;
    readonly stackFile: string;
}

/** Text of the run directory's Pulumi.yaml: the repository's, with `main` pointing back at it. */
export function runProjectYaml(repoProjectYaml: string, programDir: string): string {
    const doc = parseDocument(repoProjectYaml);
    doc.set("main", programDir);
    return doc.toString({ lineWidth: 0 });
}

/**
 * Text of the run directory's stack file: the repository's config, with `overrides` set (keys
 * without namespace are `pairbench:` keys) and the machine's secrets-provider keys kept from
 * the previous run's file.
 */
export function runStackYaml(
    repoStackYaml: string,
    previousRunYaml: string | undefined,
    overrides: Readonly<Record<string, unknown>>,
): string {
    const doc = parseDocument(repoStackYaml);
    for (const key of MACHINE_KEYS) doc.delete(key);
    for (const [key, value] of Object.entries(overrides)) {
        doc.setIn(["config", key.includes(":") ? key : `pairbench:${key}`], value);
    }
    if (previousRunYaml !== undefined) {
        const previous = parseDocument(previousRunYaml);
        for (const key of MACHINE_KEYS) {
            const value = previous.get(key);
            if (value !== undefined) doc.set(key, value);
        }
    }
    return doc.toString({ lineWidth: 0 });
}

/** Writes the run directory of a stack and returns its files. */
export function prepareRunDirectory(
    projectDir: string,
    stateDir: string,
    stack: string,
    overrides: Readonly<Record<string, unknown>> = {},
): StackFiles {
    const source = stackFilePath(projectDir, stack);
    if (!fs.existsSync(source)) {
        throw new StackFileError(`${source} does not exist; create it or run 'pairbench import-dpservice FILE --stack ${stack}'`);
    }
    const dir = path.join(stateDir, "stacks", stack);
    fs.mkdirSync(dir, { recursive: true });
    const projectFile = path.join(dir, "Pulumi.yaml");
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    const relMain = path.relative(dir, projectDir) || ".";
    fs.writeFileSync(projectFile, runProjectYaml(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"), relMain));
    const previous = fs.existsSync(stackFile) ? fs.readFileSync(stackFile, "utf8") : undefined;
    fs.writeFileSync(stackFile, runStackYaml(fs.readFileSync(source, "utf8"), previous, overrides));
    return { dir, projectFile, stackFile };
}

export interface OpenedStack {
    readonly stack: Stack;
    readonly files: StackFiles;
    readonly envVars: Record<string, string>;
    /** The project's state locations (results, backend, ...). */
    readonly paths: ResolvedPaths;
}

/** Selects (or creates) a stack in the project's backend, ready for up/destroy. */
export async function openStack(
    projectDir: string,
    stackName: string,
    overrides: Readonly<Record<string, unknown>> = {},
): Promise<OpenedStack> {
    const { paths, vars } = prepareEnvironment(projectDir);
    const choice = findPulumi(paths, process.env);
    if (choice.path === null) throw new CliError(`no usable pulumi CLI: ${choice.reason}`);
    const files = prepareRunDirectory(projectDir, paths.stateDir, stackName, overrides);
    const pulumiCommand = await PulumiCommand.get({
        ...(choice.commandRoot ? { root: choice.commandRoot } : {}),
        skipVersionCheck: false,
    });
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: files.dir },
        { pulumiCommand, envVars: vars },
    );
    return { stack, files, envVars: vars, paths };
}

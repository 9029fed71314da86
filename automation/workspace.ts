// The Automation API's view of a stack. The CLI never runs Pulumi in the repository root: it
// works in `.pairbench/stacks/<stack>/`, whose Pulumi.yaml points back at the program
// (`main`) and whose stack file is the repository's Pulumi.<stack>.yaml plus the run's
// overrides (runId, dpservice mode, ...). So a run never dirties the committed stack files, and
// the passphrase provider's `encryptionsalt` stays with this machine's state, where it belongs.
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { isMap, isScalar, parseDocument } from "yaml";
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
 * Where an override key goes: `runId` → `pairbench:runId`; `dataplane.dpservice.mode` → inside
 * `pairbench:dataplane` (dots are paths, as in `pulumi config set --path`); keys of another
 * namespace (`azure-native:location`) stay as they are.
 */
export function overridePath(key: string): { readonly configKey: string; readonly path: readonly string[] } {
    const colon = key.indexOf(":");
    const namespace = colon < 0 ? "pairbench" : key.slice(0, colon);
    const [first, ...rest] = (colon < 0 ? key : key.slice(colon + 1)).split(".");
    if (!first || rest.some((seg) => seg === "")) throw new Error(`invalid config override key '${key}'`);
    return { configKey: `${namespace}:${first}`, path: rest };
}

/**
 * The `pairbench:` values (namespace stripped, as readStackFile returns them) with the
 * overrides applied exactly as runStackYaml applies them, so the CLI can validate a run's
 * config before it writes or creates anything. Pure: the input is not changed.
 */
export function applyOverrides(
    values: Readonly<Record<string, unknown>>,
    overrides: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
    const out: Record<string, unknown> = structuredClone({ ...values });
    for (const [key, value] of Object.entries(overrides)) {
        const { configKey, path: sub } = overridePath(key);
        if (!configKey.startsWith("pairbench:")) continue;
        const top = configKey.slice("pairbench:".length);
        if (sub.length === 0) {
            out[top] = structuredClone(value);
            continue;
        }
        let cur = (out[top] ??= {}) as Record<string, unknown>;
        for (const seg of sub.slice(0, -1)) {
            const next = cur[seg];
            cur = (next !== null && typeof next === "object" ? next : (cur[seg] = {})) as Record<string, unknown>;
        }
        cur[sub[sub.length - 1]!] = structuredClone(value);
    }
    return out;
}

/**
 * Text of the run directory's stack file: the repository's config, with `overrides` set (keys
 * without namespace are `pairbench:` keys, dots are paths) and the machine's secrets-provider
 * keys kept from the previous run's file. With `replaceValues` (an imported dpservice config),
 * every `pairbench:` key of the repository's file is replaced by those values first.
 */
export function runStackYaml(
    repoStackYaml: string,
    previousRunYaml: string | undefined,
    overrides: Readonly<Record<string, unknown>>,
    replaceValues?: Readonly<Record<string, unknown>>,
): string {
    const doc = parseDocument(repoStackYaml);
    for (const key of MACHINE_KEYS) doc.delete(key);
    if (replaceValues !== undefined) {
        const config = doc.get("config");
        if (isMap(config)) {
            for (const item of [...config.items]) {
                const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
                if (key.startsWith("pairbench:")) config.delete(item.key);
            }
        }
        // As YAML nodes, so overrides below can set paths inside them.
        for (const [key, value] of Object.entries(replaceValues)) doc.setIn(["config", `pairbench:${key}`], doc.createNode(value));
    }
    for (const [key, value] of Object.entries(overrides)) {
        const { configKey, path: sub } = overridePath(key);
        doc.setIn(["config", configKey, ...sub], doc.createNode(value));
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

/** The run directory of a stack (it may not exist yet). */
export function runDirectoryFiles(stateDir: string, stack: string): StackFiles {
    const dir = path.join(stateDir, "stacks", stack);
    return { dir, projectFile: path.join(dir, "Pulumi.yaml"), stackFile: path.join(dir, `Pulumi.${stack}.yaml`) };
}

/** Where a run's `pairbench:` values come from when not from Pulumi.<stack>.yaml. */
export interface BaseValues {
    /** `pairbench:` values, namespace stripped (e.g. from importDpserviceConfig). */
    readonly values: Readonly<Record<string, unknown>>;
    /** Where they came from, for messages. */
    readonly source: string;
}

/**
 * Writes the run directory of a stack and returns its files. With `base`, the `pairbench:`
 * values come from it (Pulumi.<stack>.yaml is then optional; its other namespaces are kept).
 */
export function prepareRunDirectory(
    projectDir: string,
    stateDir: string,
    stack: string,
    overrides: Readonly<Record<string, unknown>> = {},
    base?: BaseValues,
): StackFiles {
    const source = stackFilePath(projectDir, stack);
    const exists = fs.existsSync(source);
    if (!exists && base === undefined) {
        throw new StackFileError(`${source} does not exist; create it or run 'pairbench import-dpservice FILE --stack ${stack}'`);
    }
    const files = runDirectoryFiles(stateDir, stack);
    fs.mkdirSync(files.dir, { recursive: true });
    const relMain = path.relative(files.dir, projectDir) || ".";
    fs.writeFileSync(files.projectFile, runProjectYaml(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"), relMain));
    const previous = fs.existsSync(files.stackFile) ? fs.readFileSync(files.stackFile, "utf8") : undefined;
    const repoText = exists ? fs.readFileSync(source, "utf8") : `# generated by pairbench run from ${base!.source}\nconfig: {}\n`;
    fs.writeFileSync(files.stackFile, runStackYaml(repoText, previous, overrides, base?.values));
    return files;
}

export interface OpenedStack {
    readonly stack: Stack;
    readonly files: StackFiles;
    readonly envVars: Record<string, string>;
    /** The project's state locations (results, backend, ...). */
    readonly paths: ResolvedPaths;
}

async function pulumiCommandFor(paths: ResolvedPaths): Promise<PulumiCommand> {
    const choice = findPulumi(paths, process.env);
    if (choice.path === null) throw new CliError(`no usable pulumi CLI: ${choice.reason}`);
    return PulumiCommand.get({ ...(choice.commandRoot ? { root: choice.commandRoot } : {}), skipVersionCheck: false });
}

/** Selects (or creates) a stack in the project's backend, ready for up/destroy. */
export async function openStack(
    projectDir: string,
    stackName: string,
    overrides: Readonly<Record<string, unknown>> = {},
    base?: BaseValues,
): Promise<OpenedStack> {
    const { paths, vars } = prepareEnvironment(projectDir);
    const pulumiCommand = await pulumiCommandFor(paths);
    const files = prepareRunDirectory(projectDir, paths.stateDir, stackName, overrides, base);
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: files.dir },
        { pulumiCommand, envVars: vars },
    );
    return { stack, files, envVars: vars, paths };
}

/**
 * Selects an existing stack for destroy: in its run directory as the last run left it (the
 * config and this machine's encryption salt its state was written with), or, when there is
 * none, a run directory prepared from Pulumi.<stack>.yaml. Never creates a stack.
 */
export async function openExistingStack(projectDir: string, stackName: string): Promise<OpenedStack> {
    const { paths, vars } = prepareEnvironment(projectDir);
    const pulumiCommand = await pulumiCommandFor(paths);
    let files = runDirectoryFiles(paths.stateDir, stackName);
    if (!fs.existsSync(files.stackFile)) files = prepareRunDirectory(projectDir, paths.stateDir, stackName);
    const stack = await LocalWorkspace.selectStack({ stackName, workDir: files.dir }, { pulumiCommand, envVars: vars });
    return { stack, files, envVars: vars, paths };
}

/** A workspace on the project (no stack selected), for listing the backend's stacks. */
export async function openProjectWorkspace(projectDir: string): Promise<{ workspace: LocalWorkspace; paths: ResolvedPaths }> {
    const { paths, vars } = prepareEnvironment(projectDir);
    const pulumiCommand = await pulumiCommandFor(paths);
    const dir = path.join(paths.stateDir, "stacks", ".project");
    fs.mkdirSync(dir, { recursive: true });
    const relMain = path.relative(dir, projectDir) || ".";
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), runProjectYaml(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"), relMain));
    const workspace = await LocalWorkspace.create({ workDir: dir, pulumiCommand, envVars: vars });
    return { workspace, paths };
}

// The one place that decides the environment of every Pulumi invocation of the project: the
// Makefile (through `pairbench env`), the CLI (Automation API) and the tests.
//
// Pure functions first (paths, environment records, which pulumi, shell text); the functions with
// side effects (reading the toolchain version, creating directories and the passphrase, probing
// the file system) follow and are marked as such. toolchain/build.sh computes the same paths
// with the same defaults; docs/toolchain.md explains every variable.
//
//   resolvePaths(repoRoot, env, opts?)      → ResolvedPaths (state, backend, PULUMI_HOME, toolchain cache)
//   pulumiEnv(paths, env, choice?)          → the variables to merge over process.env
//   choosePulumi(paths, env, isExecutable)  → PulumiChoice (pure); findPulumi(paths, env) probes
//   shellExports(vars)                      → "export K='v'" lines
//   ensureStateDirs(paths, env)             → creates the state dirs and the 0600 passphrase
//   prepareEnvironment(repoRoot, env)       → { paths, vars }: all of the above in one call
//
// `pairbench env` is shellExports(prepareEnvironment(PROJECT_DIR).vars).
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { shellArg } from "../components/shell";

/** Environment variables as Node gives them (values may be undefined). */
export type Env = Readonly<Record<string, string | undefined>>;

/** How the pulumi CLI is chosen (PAIRBENCH_PULUMI). */
export type PulumiMode =
    | { kind: "embedded" } // unset or "embedded": the toolchain built by toolchain/build.sh
    | { kind: "system" } //   "system": the pulumi on PATH, with its own language host
    | { kind: "path"; path: string }; // a path to a pulumi binary or a directory holding (bin/)pulumi

export interface ResolvedPaths {
    repoRoot: string;
    /** Project state: <repo>/.pairbench unless PAIRBENCH_STATE_DIR. Git-ignored. */
    stateDir: string;
    /** Directory of the default file backend (<stateDir>/state); used only when backendUrl points at it. */
    backendDir: string;
    /** PULUMI_BACKEND_URL if set, else file://<stateDir>/state. */
    backendUrl: string;
    /** PULUMI_HOME if set, else <stateDir>/pulumi-home (plugins, workspace settings). */
    pulumiHome: string;
    /** The generated passphrase of the passphrase secrets provider (used when none is in the environment). */
    passphraseFile: string;
    /** The embedded toolchain's version (the pkg/v3 requirement of toolchain/pulumi/go.mod). */
    pulumiVersion: string;
    /** ${PAIRBENCH_TOOLCHAIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pairbench/toolchain} */
    toolchainRoot: string;
    /** <toolchainRoot>/<pulumiVersion>: the `root` for the Automation API's PulumiCommand.get. */
    toolchainDir: string;
    /** <toolchainDir>/bin: pulumi, pulumi-language-nodejs, pulumi-resource-pulumi-nodejs. */
    toolchainBin: string;
    /** <toolchainDir>/plugins: provider binaries as built (installed into pulumiHome by build.sh). */
    providerDir: string;
    pulumiMode: PulumiMode;
}

export interface ResolveOptions {
    /** The embedded toolchain's version; default: read from toolchain/pulumi/go.mod. */
    pulumiVersion?: string;
    /** Home directory for the cache default; default: os.homedir(). */
    homeDir?: string;
}

const nonEmpty = (v: string | undefined): v is string => v !== undefined && v !== "";

/** PAIRBENCH_PULUMI → mode. Throws on a value that is none of the documented ones. */
export function parsePulumiMode(value: string | undefined, cwd: string): PulumiMode {
    if (!nonEmpty(value) || value === "embedded") return { kind: "embedded" };
    if (value === "system") return { kind: "system" };
    if (value.includes("/")) return { kind: "path", path: path.resolve(cwd, value) };
    throw new Error(`PAIRBENCH_PULUMI must be unset, 'embedded', 'system' or a path; not '${value}'`);
}

/** Extracts the pulumi version from the text of toolchain/pulumi/go.mod. */
export function parseToolchainVersion(goMod: string): string {
    const m = /^\s*github\.com\/pulumi\/pulumi\/pkg\/v3 (v\d+\.\d+\.\d+\S*)/m.exec(goMod);
    if (!m?.[1]) throw new Error("toolchain/pulumi/go.mod does not require github.com/pulumi/pulumi/pkg/v3");
    return m[1];
}

/**
 * Every path the project's Pulumi runs use. Pure when opts gives pulumiVersion and homeDir
 * (otherwise it reads toolchain/pulumi/go.mod and asks os.homedir()).
 */
export function resolvePaths(repoRoot: string, env: Env, opts: ResolveOptions = {}): ResolvedPaths {
    const root = path.resolve(repoRoot);
    const stateDir = nonEmpty(env.PAIRBENCH_STATE_DIR) ? path.resolve(root, env.PAIRBENCH_STATE_DIR) : path.join(root, ".pairbench");
    const backendDir = path.join(stateDir, "state");
    const pulumiVersion = opts.pulumiVersion ?? readToolchainVersion(root);
    const home = opts.homeDir ?? os.homedir();
    const cacheHome = nonEmpty(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, ".cache");
    const toolchainRoot = nonEmpty(env.PAIRBENCH_TOOLCHAIN_DIR)
        ? path.resolve(root, env.PAIRBENCH_TOOLCHAIN_DIR)
        : path.join(cacheHome, "pairbench", "toolchain");
    const toolchainDir = path.join(toolchainRoot, pulumiVersion);
    return {
        repoRoot: root,
        stateDir,
        backendDir,
        backendUrl: nonEmpty(env.PULUMI_BACKEND_URL) ? env.PULUMI_BACKEND_URL : `file://${backendDir}`,
        pulumiHome: nonEmpty(env.PULUMI_HOME) ? path.resolve(root, env.PULUMI_HOME) : path.join(stateDir, "pulumi-home"),
        passphraseFile: path.join(stateDir, "passphrase"),
        pulumiVersion,
        toolchainRoot,
        toolchainDir,
        toolchainBin: path.join(toolchainDir, "bin"),
        providerDir: path.join(toolchainDir, "plugins"),
        pulumiMode: parsePulumiMode(env.PAIRBENCH_PULUMI, root),
    };
}

/**
 * Directory the environment puts first on PATH (null: leave PATH as it is). With a PulumiChoice
 * (findPulumi) it is the chosen binary's directory; without, it is derived from the mode alone.
 */
export function pulumiBinDir(paths: ResolvedPaths, choice?: PulumiChoice): string | null {
    const mode = paths.pulumiMode;
    if (mode.kind === "system") return null;
    if (choice?.path) return path.dirname(choice.path);
    if (mode.kind === "embedded") return paths.toolchainBin;
    return path.basename(mode.path) === "pulumi" ? path.dirname(mode.path) : mode.path;
}

/**
 * The variables every Pulumi invocation of the project gets (merge them over process.env).
 *
 * - PULUMI_HOME, PULUMI_BACKEND_URL: project-local plugins and state, nothing shared with ~/.pulumi.
 * - PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE: the user's if either is set,
 *   else the generated <stateDir>/passphrase (see ensureStateDirs).
 * - PULUMI_SKIP_UPDATE_CHECK, PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: no network beyond
 *   what the program itself does; a missing plugin fails at once instead of trying a download.
 * - PULUMI_IGNORE_AMBIENT_PLUGINS: providers come only from PULUMI_HOME at the exact version the
 *   SDK asks for (the language host and the dynamic-provider shim are still found next to pulumi).
 * - PULUMI_NODEJS_TRANSPILE_ONLY: the program is type-checked by `tsc` in `make test`, not on
 *   every run (read by @pulumi/pulumi's cmd/run; the user's value wins).
 * - PATH: the embedded toolchain's bin first (or the directory of the PAIRBENCH_PULUMI binary;
 *   unchanged for PAIRBENCH_PULUMI=system).
 */
export function pulumiEnv(paths: ResolvedPaths, env: Env, choice?: PulumiChoice): Record<string, string> {
    const out: Record<string, string> = {
        PULUMI_HOME: paths.pulumiHome,
        PULUMI_BACKEND_URL: paths.backendUrl,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
        PULUMI_NODEJS_TRANSPILE_ONLY: nonEmpty(env.PULUMI_NODEJS_TRANSPILE_ONLY) ? env.PULUMI_NODEJS_TRANSPILE_ONLY : "true",
    };
    if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) {
        out.PULUMI_CONFIG_PASSPHRASE = env.PULUMI_CONFIG_PASSPHRASE;
    } else if (nonEmpty(env.PULUMI_CONFIG_PASSPHRASE_FILE)) {
        out.PULUMI_CONFIG_PASSPHRASE_FILE = env.PULUMI_CONFIG_PASSPHRASE_FILE;
    } else {
        out.PULUMI_CONFIG_PASSPHRASE_FILE = paths.passphraseFile;
    }
    const bin = pulumiBinDir(paths, choice);
    const current = env.PATH ?? "";
    if (bin === null) {
        if (current !== "") out.PATH = current;
    } else {
        const rest = current.split(path.delimiter).filter((d) => d !== "" && d !== bin);
        out.PATH = [bin, ...rest].join(path.delimiter);
    }
    return out;
}

/** Whether the passphrase comes from the user's environment (so no file is generated). */
export function passphraseFromEnv(env: Env): boolean {
    return env.PULUMI_CONFIG_PASSPHRASE !== undefined || nonEmpty(env.PULUMI_CONFIG_PASSPHRASE_FILE);
}

/** `export K='v'` lines (sorted) for `eval "$(pairbench env)"`. Throws on a name that is not a shell variable name. */
export function shellExports(vars: Readonly<Record<string, string>>): string {
    return Object.keys(vars)
        .sort()
        .map((k) => {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`not a shell variable name: ${JSON.stringify(k)}`);
            return `export ${k}=${shellArg(vars[k] ?? "")}`;
        })
        .join("\n")
        .concat("\n");
}

export interface PulumiChoice {
    /** Absolute path of the pulumi binary, or null when none was found. */
    path: string | null;
    /** Directory to give the Automation API as PulumiCommand.get({ root }) (expects <root>/bin/pulumi), or null. */
    commandRoot: string | null;
    mode: PulumiMode["kind"];
    /** One sentence: which binary and why. */
    reason: string;
}

/**
 * Which pulumi will run, given a predicate telling whether a path is an executable file (pure;
 * findPulumi passes the real file system).
 */
export function choosePulumi(paths: ResolvedPaths, env: Env, isExecutable: (p: string) => boolean): PulumiChoice {
    const mode = paths.pulumiMode;
    const rootOf = (p: string) => (path.basename(path.dirname(p)) === "bin" ? path.dirname(path.dirname(p)) : null);
    switch (mode.kind) {
        case "embedded": {
            const p = path.join(paths.toolchainBin, "pulumi");
            return isExecutable(p)
                ? { path: p, commandRoot: paths.toolchainDir, mode: "embedded", reason: `embedded toolchain ${paths.pulumiVersion} (built by make toolchain)` }
                : { path: null, commandRoot: null, mode: "embedded", reason: `embedded toolchain ${paths.pulumiVersion} not built at ${p}: run make toolchain` };
        }
        case "path": {
            const candidates = [mode.path, path.join(mode.path, "bin", "pulumi"), path.join(mode.path, "pulumi")];
            const p = candidates.find(isExecutable);
            return p
                ? { path: p, commandRoot: rootOf(p), mode: "path", reason: `PAIRBENCH_PULUMI=${mode.path}` }
                : { path: null, commandRoot: null, mode: "path", reason: `PAIRBENCH_PULUMI=${mode.path}: no executable pulumi there` };
        }
        case "system": {
            const dirs = (env.PATH ?? "").split(path.delimiter).filter((d) => d !== "" && d !== paths.toolchainBin);
            const p = dirs.map((d) => path.join(d, "pulumi")).find(isExecutable);
            return p
                ? { path: p, commandRoot: rootOf(p), mode: "system", reason: "PAIRBENCH_PULUMI=system: first pulumi on PATH" }
                : { path: null, commandRoot: null, mode: "system", reason: "PAIRBENCH_PULUMI=system but no pulumi on PATH" };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Side effects.

const versionCache = new Map<string, string>();

/** Reads the embedded toolchain's version from <repo>/toolchain/pulumi/go.mod (cached per repo). */
export function readToolchainVersion(repoRoot: string): string {
    const file = path.join(repoRoot, "toolchain", "pulumi", "go.mod");
    let v = versionCache.get(file);
    if (v === undefined) {
        v = parseToolchainVersion(fs.readFileSync(file, "utf8"));
        versionCache.set(file, v);
    }
    return v;
}

/** True when p is a regular file the current user may execute. */
export function isExecutableFile(p: string): boolean {
    try {
        if (!fs.statSync(p).isFile()) return false;
        fs.accessSync(p, fs.constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/** Which pulumi binary will be used and why (probes the file system). */
export function findPulumi(paths: ResolvedPaths, env: Env): PulumiChoice {
    return choosePulumi(paths, env, isExecutableFile);
}

export interface EnsureResult {
    created: string[];
}

/**
 * Creates the state directory, the default file backend's directory (when the backend is the
 * default one), PULUMI_HOME, and — unless the environment provides a passphrase — a 0600
 * passphrase file of 32 random bytes (hex). Idempotent; never overwrites a passphrase.
 */
export function ensureStateDirs(paths: ResolvedPaths, env: Env = process.env): EnsureResult {
    const created: string[] = [];
    const mkdir = (d: string) => {
        if (!fs.existsSync(d)) {
            fs.mkdirSync(d, { recursive: true, mode: 0o700 });
            created.push(d);
        }
    };
    mkdir(paths.stateDir);
    if (paths.backendUrl === `file://${paths.backendDir}`) mkdir(paths.backendDir);
    mkdir(paths.pulumiHome);
    if (!passphraseFromEnv(env) && !fs.existsSync(paths.passphraseFile)) {
        const secret = crypto.randomBytes(32).toString("hex");
        // wx: fail instead of overwriting if another process created it meanwhile.
        try {
            fs.writeFileSync(paths.passphraseFile, `${secret}\n`, { mode: 0o600, flag: "wx" });
            created.push(paths.passphraseFile);
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
    }
    return { created };
}

/**
 * Convenience for callers: resolve the paths, create the state, and return the environment to
 * merge over process.env (as pulumiEnv).
 */
export function prepareEnvironment(repoRoot: string, env: Env = process.env): { paths: ResolvedPaths; vars: Record<string, string> } {
    const paths = resolvePaths(repoRoot, env);
    ensureStateDirs(paths, env);
    return { paths, vars: pulumiEnv(paths, env, findPulumi(paths, env)) };
}

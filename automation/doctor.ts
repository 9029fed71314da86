// `pairbench doctor`: what this machine has for the project, and how to fix what is missing.
//
// Two halves: probeMachine() runs commands and reads files (side effects, bounded in time) and
// returns plain data (Probes); evaluate() turns Probes into checks (pure, unit-tested). doctor()
// is the two together; formatDoctor() renders a report for people. Everything is JSON-serialisable.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Env, PulumiChoice, ResolvedPaths, findPulumi, isExecutableFile, pulumiEnv, resolvePaths } from "./environment";

/** One finding. `required` checks decide DoctorReport.ok; the others prepare later work (the lab). */
export interface Check {
    name: string;
    ok: boolean;
    detail: string;
    fix?: string;
    required: boolean;
}

export interface DoctorReport {
    ok: boolean;
    checks: Check[];
}

export interface PluginEntry {
    name: string;
    kind: string;
    version: string;
}

/** Tools of the emulated lab: name → the Debian package that has it. */
export const LAB_TOOLS: ReadonlyArray<{ name: string; pkg: string; why: string }> = [
    { name: "virsh", pkg: "libvirt-clients", why: "drives libvirt domains" },
    { name: "libvirtd", pkg: "libvirt-daemon", why: "runs the emulated hypervisors' libvirt" },
    { name: "qemu-system-x86_64", pkg: "qemu-system-x86", why: "runs the VMs (TCG)" },
    { name: "ip", pkg: "iproute2", why: "hypervisor namespaces and links" },
    { name: "nft", pkg: "nftables", why: "hypervisor input policy" },
    { name: "ignition-validate", pkg: "ignition", why: "validates generated ignition configs" },
    { name: "virt-xml-validate", pkg: "libvirt-clients", why: "validates generated domain XML" },
];

/** What probeMachine() found; plain data. */
export interface Probes {
    nodeVersion: string;
    goVersion: string | null;
    pulumi: PulumiChoice;
    /** `pulumi version` output, or null when it could not run. */
    pulumiVersion: string | null;
    pulumiError?: string;
    /** Path of pulumi-language-nodejs next to the pulumi binary, or null. */
    languageHost: string | null;
    /** Path of pulumi-resource-pulumi-nodejs next to the pulumi binary, or null. */
    dynamicProviderShim: string | null;
    /** `pulumi plugin ls --json` in the hermetic environment, or null when it failed. */
    plugins: PluginEntry[] | null;
    pluginsError?: string;
    /** Versions of the npm SDKs in node_modules (null: not installed). */
    sdkPulumiVersion: string | null;
    sdkCommandVersion: string | null;
    /** The version the @pulumi/command SDK asks the engine for (package.json "pulumi.version"). */
    sdkCommandPluginVersion: string | null;
    backendUrl: string;
    /** Directory of a file:// backend and whether it exists (null for other backends). */
    backendDir: string | null;
    backendDirExists: boolean;
    passphrase: "env" | "file" | "missing";
    passphraseFile: string;
    pulumiHome: string;
    /** Lab tools: name → absolute path or null. */
    tools: Record<string, string | null>;
    /** Whether this process may create network namespaces (`unshare --net true`). */
    netnsUsable: boolean;
    netnsDetail: string;
}

export interface Expectations {
    /** The embedded toolchain's version, e.g. v3.248.0. */
    pulumiVersion: string;
    minNodeMajor: number;
}

const MIN_NODE_MAJOR = 20;

function major(version: string): number {
    const m = /^v?(\d+)/.exec(version.trim());
    return m?.[1] ? Number(m[1]) : NaN;
}

/** Turns probe results into checks (pure). */
export function evaluate(p: Probes, want: Expectations): DoctorReport {
    const checks: Check[] = [];
    const add = (c: Check) => checks.push(c);
    const MAKE_TOOLCHAIN = "run make toolchain";

    const nodeMajor = major(p.nodeVersion);
    add({
        name: "node",
        ok: nodeMajor >= want.minNodeMajor,
        detail: `node ${p.nodeVersion}`,
        fix: nodeMajor >= want.minNodeMajor ? undefined : `install Node.js ${want.minNodeMajor} or later (apt-get install nodejs, or the NodeSource packages)`,
        required: true,
    });

    const embedded = p.pulumi.mode === "embedded";
    const builtOk = p.pulumi.path !== null;
    add({
        name: "go",
        ok: p.goVersion !== null || (embedded && builtOk) || !embedded,
        detail: p.goVersion ?? "not found (needed by make toolchain to build the toolchain and the command provider)",
        fix: p.goVersion ? undefined : "install Go >= 1.25 (/usr/local/go) and put /usr/local/go/bin on PATH",
        required: p.goVersion === null && !builtOk,
    });

    if (p.pulumi.path === null) {
        add({
            name: "pulumi CLI",
            ok: false,
            detail: p.pulumi.reason,
            fix: embedded ? MAKE_TOOLCHAIN : "install Pulumi v3 or unset PAIRBENCH_PULUMI to use the embedded toolchain (make toolchain)",
            required: true,
        });
    } else {
        const v = p.pulumiVersion;
        const versionOk = v !== null && (embedded ? v === want.pulumiVersion : v.startsWith("v3."));
        add({
            name: "pulumi CLI",
            ok: versionOk,
            detail: `${p.pulumi.path} ${v ?? `(does not run: ${p.pulumiError ?? "unknown error"})`} — ${p.pulumi.reason}`,
            fix: versionOk
                ? undefined
                : embedded
                  ? `${MAKE_TOOLCHAIN} (expected ${want.pulumiVersion})`
                  : "PAIRBENCH_PULUMI needs a Pulumi v3 CLI; unset it to use the embedded toolchain",
            required: true,
        });
        add({
            name: "nodejs language host",
            ok: p.languageHost !== null,
            detail: p.languageHost ?? `no pulumi-language-nodejs next to ${p.pulumi.path}`,
            fix: p.languageHost ? undefined : embedded ? MAKE_TOOLCHAIN : "install the language host next to pulumi (it ships in Pulumi's release archive)",
            required: true,
        });
        add({
            name: "dynamic provider shim",
            ok: p.dynamicProviderShim !== null,
            detail: p.dynamicProviderShim ?? `no pulumi-resource-pulumi-nodejs next to ${p.pulumi.path} (needed only by dynamic providers)`,
            fix: p.dynamicProviderShim ? undefined : MAKE_TOOLCHAIN,
            required: false,
        });
    }

    const sdkOk = p.sdkPulumiVersion !== null && `v${p.sdkPulumiVersion}` === want.pulumiVersion;
    add({
        name: "@pulumi/pulumi SDK",
        ok: sdkOk,
        detail: p.sdkPulumiVersion === null ? "not in node_modules" : `${p.sdkPulumiVersion} (toolchain ${want.pulumiVersion})`,
        fix: sdkOk ? undefined : "run npm ci --ignore-scripts (package.json pins the SDK of the toolchain's release)",
        required: true,
    });

    const wantPlugin = p.sdkCommandPluginVersion;
    if (wantPlugin === null) {
        add({
            name: "command provider",
            ok: false,
            detail: "@pulumi/command is not in node_modules",
            fix: "run npm ci --ignore-scripts, then make toolchain",
            required: true,
        });
    } else if (p.plugins === null) {
        add({
            name: "command provider",
            ok: false,
            detail: `pulumi plugin ls failed: ${p.pluginsError ?? "pulumi not available"}`,
            fix: MAKE_TOOLCHAIN,
            required: true,
        });
    } else {
        const found = p.plugins.filter((x) => x.kind === "resource" && x.name === "command").map((x) => x.version);
        const ok = found.includes(wantPlugin);
        add({
            name: "command provider",
            ok,
            detail: ok
                ? `resource command ${wantPlugin} installed in ${p.pulumiHome} ` +
                  "(make toolchain installs pairbench's own implementation: docs/toolchain.md)"
                : `@pulumi/command asks for ${wantPlugin}; installed in ${p.pulumiHome}: ${found.length ? found.join(", ") : "none"}`,
            fix: ok ? undefined : MAKE_TOOLCHAIN,
            required: true,
        });
    }

    add({
        name: "backend",
        ok: p.backendDir === null || p.backendDirExists,
        detail: p.backendDir === null ? p.backendUrl : `${p.backendUrl} (${p.backendDirExists ? "exists" : "missing"})`,
        fix: p.backendDir === null || p.backendDirExists ? undefined : "created on the first pairbench run or make toolchain; or mkdir -p " + p.backendDir,
        required: false,
    });
    add({
        name: "passphrase",
        ok: p.passphrase !== "missing",
        detail:
            p.passphrase === "env"
                ? "from PULUMI_CONFIG_PASSPHRASE(_FILE)"
                : p.passphrase === "file"
                  ? p.passphraseFile
                  : `${p.passphraseFile} not generated yet`,
        fix: p.passphrase === "missing" ? "generated on the first pairbench run (or set PULUMI_CONFIG_PASSPHRASE)" : undefined,
        required: false,
    });

    for (const t of LAB_TOOLS) {
        const found = p.tools[t.name] ?? null;
        add({
            name: `lab: ${t.name}`,
            ok: found !== null,
            detail: found ?? `not found (${t.why})`,
            fix: found ? undefined : `apt-get install ${t.pkg}`,
            required: false,
        });
    }
    add({
        name: "lab: network namespaces",
        ok: p.netnsUsable,
        detail: p.netnsDetail,
        fix: p.netnsUsable ? undefined : "run as root (or with CAP_SYS_ADMIN) on a kernel with network namespaces; apt-get install util-linux iproute2",
        required: false,
    });

    return { ok: checks.every((c) => c.ok || !c.required), checks };
}

/** Human-readable report: one line per check, fixes indented under failures. */
export function formatDoctor(report: DoctorReport): string {
    const width = Math.max(...report.checks.map((c) => c.name.length));
    const lines = report.checks.map((c) => {
        const mark = c.ok ? "ok  " : c.required ? "FAIL" : "warn";
        const fix = !c.ok && c.fix ? `\n${" ".repeat(width + 8)}fix: ${c.fix}` : "";
        return `${mark}  ${c.name.padEnd(width)}  ${c.detail}${fix}`;
    });
    const failed = report.checks.filter((c) => !c.ok && c.required).length;
    const warned = report.checks.filter((c) => !c.ok && !c.required).length;
    lines.push("");
    lines.push(
        report.ok
            ? `ready for Pulumi runs${warned ? ` (${warned} warning${warned > 1 ? "s" : ""}: needed later by the lab)` : ""}`
            : `${failed} required check${failed > 1 ? "s" : ""} failed`,
    );
    return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Probing (side effects).

interface RunResult {
    ok: boolean;
    stdout: string;
    stderr: string;
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
            resolve({ ok: !err, stdout: String(stdout), stderr: err && !stderr ? err.message : String(stderr) });
        });
    });
}

/** Finds an executable on PATH (plus the sbin directories, where libvirtd and nft live). */
function which(name: string, env: Env): string | null {
    const dirs = [...(env.PATH ?? "").split(path.delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"];
    for (const d of dirs) {
        if (d === "") continue;
        const p = path.join(d, name);
        if (isExecutableFile(p)) return p;
    }
    return null;
}

function readJson(file: string): Record<string, unknown> | null {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
        return null;
    }
}

function nextTo(bin: string | null, name: string): string | null {
    if (bin === null) return null;
    const p = path.join(path.dirname(bin), name);
    return isExecutableFile(p) ? p : null;
}

const firstLine = (s: string) => s.trim().split("\n")[0] ?? "";

/** Runs the probes (bounded: each command has a timeout). */
export async function probeMachine(paths: ResolvedPaths, env: Env): Promise<Probes> {
    const choice = findPulumi(paths, env);
    const hermetic: NodeJS.ProcessEnv = { ...env, ...pulumiEnv(paths, env, choice) };

    const go = which("go", env) ?? (isExecutableFile("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : null);
    const [goRes, verRes, pluginRes, netnsRes] = await Promise.all([
        go ? run(go, ["env", "GOVERSION"]) : Promise.resolve(null),
        choice.path ? run(choice.path, ["version"], hermetic) : Promise.resolve(null),
        choice.path ? run(choice.path, ["plugin", "ls", "--json"], hermetic) : Promise.resolve(null),
        which("unshare", env) ? run("unshare", ["--net", "true"], { ...env } as NodeJS.ProcessEnv, 5_000) : Promise.resolve(null),
    ]);

    let plugins: PluginEntry[] | null = null;
    let pluginsError: string | undefined;
    if (pluginRes?.ok) {
        try {
            const parsed = JSON.parse(pluginRes.stdout || "[]") as Array<Record<string, unknown>> | null;
            plugins = (parsed ?? []).map((x) => ({ name: String(x.name), kind: String(x.kind), version: String(x.version) }));
        } catch (e) {
            pluginsError = `unparseable output: ${(e as Error).message}`;
        }
    } else if (pluginRes) {
        pluginsError = firstLine(pluginRes.stderr);
    }

    const nm = path.join(paths.repoRoot, "node_modules", "@pulumi");
    const sdkPulumi = readJson(path.join(nm, "pulumi", "package.json"));
    const sdkCommand = readJson(path.join(nm, "command", "package.json"));
    const cmdPulumiField = sdkCommand?.pulumi as { version?: unknown } | undefined;

    const backendDir = paths.backendUrl.startsWith("file://") ? paths.backendUrl.slice("file://".length) : null;
    const tools: Record<string, string | null> = {};
    for (const t of LAB_TOOLS) tools[t.name] = which(t.name, env);

    const passphrase =
        env.PULUMI_CONFIG_PASSPHRASE !== undefined || (env.PULUMI_CONFIG_PASSPHRASE_FILE ?? "") !== ""
            ? "env"
            : fs.existsSync(paths.passphraseFile)
              ? "file"
              : "missing";

    return {
        nodeVersion: process.version,
        goVersion: goRes?.ok ? goRes.stdout.trim() : null,
        pulumi: choice,
        pulumiVersion: verRes?.ok ? verRes.stdout.trim() : null,
        pulumiError: verRes && !verRes.ok ? firstLine(verRes.stderr) : undefined,
        languageHost: nextTo(choice.path, "pulumi-language-nodejs"),
        dynamicProviderShim: nextTo(choice.path, "pulumi-resource-pulumi-nodejs"),
        plugins,
        pluginsError,
        sdkPulumiVersion: typeof sdkPulumi?.version === "string" ? sdkPulumi.version : null,
        sdkCommandVersion: typeof sdkCommand?.version === "string" ? sdkCommand.version : null,
        sdkCommandPluginVersion:
            typeof cmdPulumiField?.version === "string"
                ? cmdPulumiField.version
                : typeof sdkCommand?.version === "string"
                  ? sdkCommand.version
                  : null,
        backendUrl: paths.backendUrl,
        backendDir,
        backendDirExists: backendDir !== null && fs.existsSync(backendDir),
        passphrase,
        passphraseFile: paths.passphraseFile,
        pulumiHome: paths.pulumiHome,
        tools,
        netnsUsable: netnsRes?.ok ?? false,
        netnsDetail: netnsRes === null ? "unshare not found" : netnsRes.ok ? "unshare --net works" : `unshare --net failed: ${firstLine(netnsRes.stderr)}`,
    };
}

/** Probes this machine for the project at repoRoot and evaluates the result. */
export async function doctor(repoRoot: string, env: Env = process.env): Promise<DoctorReport> {
    const paths = resolvePaths(repoRoot, env);
    const probes = await probeMachine(paths, env);
    return evaluate(probes, { pulumiVersion: paths.pulumiVersion, minNodeMajor: MIN_NODE_MAJOR });
}

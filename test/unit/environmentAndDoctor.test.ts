// The pure halves of automation/doctor.ts (evaluate, formatDoctor) and automation/environment.ts
// (paths, environment records, choice of pulumi, shell text). No probing, no file system.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Check, Probes, evaluate, formatDoctor, LAB_TOOLS } from "../../automation/doctor";
import {
    choosePulumi,
    parsePulumiMode,
    parseToolchainVersion,
    pulumiEnv,
    readToolchainVersion,
    resolvePaths,
    shellExports,
} from "../../automation/environment";

const REPO = "/repo";
const OPTS = { pulumiVersion: "v3.248.0", homeDir: "/home/u" };
const WANT = { pulumiVersion: "v3.248.0", minNodeMajor: 20 };

function goodProbes(): Probes {
    const tools: Record<string, string | null> = {};
    for (const t of LAB_TOOLS) tools[t.name] = `/usr/bin/${t.name}`;
    return {
        nodeVersion: "v20.20.2",
        goVersion: "go1.26.8",
        pulumi: { path: "/c/v3.248.0/bin/pulumi", commandRoot: "/c/v3.248.0", mode: "embedded", reason: "embedded toolchain v3.248.0" },
        pulumiVersion: "v3.248.0",
        languageHost: "/c/v3.248.0/bin/pulumi-language-nodejs",
        dynamicProviderShim: "/c/v3.248.0/bin/pulumi-resource-pulumi-nodejs",
        plugins: [{ name: "command", kind: "resource", version: "1.2.1" }],
        sdkPulumiVersion: "3.248.0",
        sdkCommandVersion: "1.2.1",
        sdkCommandPluginVersion: "1.2.1",
        backendUrl: "file:///repo/.pairbench/state",
        backendDir: "/repo/.pairbench/state",
        backendDirExists: true,
        passphrase: "file",
        passphraseFile: "/repo/.pairbench/passphrase",
        pulumiHome: "/repo/.pairbench/pulumi-home",
        tools,
        netnsUsable: true,
        netnsDetail: "unshare --net works",
    };
}

const byName = (checks: Check[], name: string): Check => {
    const c = checks.find((x) => x.name === name);
    assert.ok(c, `no check named ${name}`);
    return c;
};

describe("doctor: evaluate", () => {
    it("is ok with everything in place, and JSON round-trips", () => {
        const report = evaluate(goodProbes(), WANT);
        assert.strictEqual(report.ok, true);
        assert.ok(report.checks.every((c) => c.ok && c.fix === undefined));
        assert.deepStrictEqual(JSON.parse(JSON.stringify(report)), JSON.parse(JSON.stringify(report)));
    });

    it("fails with 'run make toolchain' when the embedded pulumi is not built", () => {
        const p = goodProbes();
        p.pulumi = { path: null, commandRoot: null, mode: "embedded", reason: "not built" };
        p.pulumiVersion = null;
        p.languageHost = null;
        p.plugins = null;
        const report = evaluate(p, WANT);
        assert.strictEqual(report.ok, false);
        assert.strictEqual(byName(report.checks, "pulumi CLI").fix, "run make toolchain");
        assert.strictEqual(byName(report.checks, "command provider").ok, false);
    });

    it("rejects another pulumi version for the embedded toolchain but accepts any v3 for system", () => {
        const p = goodProbes();
        p.pulumiVersion = "v3.200.0";
        assert.strictEqual(byName(evaluate(p, WANT).checks, "pulumi CLI").ok, false);
        p.pulumi = { ...p.pulumi, mode: "system" };
        assert.strictEqual(byName(evaluate(p, WANT).checks, "pulumi CLI").ok, true);
        p.pulumiVersion = "v2.25.0";
        assert.strictEqual(byName(evaluate(p, WANT).checks, "pulumi CLI").ok, false);
    });

    it("wants the command plugin at the version the SDK asks for", () => {
        const p = goodProbes();
        p.plugins = [{ name: "command", kind: "resource", version: "1.1.0" }];
        const c = byName(evaluate(p, WANT).checks, "command provider");
        assert.strictEqual(c.ok, false);
        assert.match(c.detail, /asks for 1\.2\.1.*1\.1\.0/);
        assert.strictEqual(c.fix, "run make toolchain");
    });

    it("fails on an old node and on a mismatched SDK", () => {
        const p = goodProbes();
        p.nodeVersion = "v18.19.0";
        p.sdkPulumiVersion = "3.249.0";
        const report = evaluate(p, WANT);
        assert.strictEqual(report.ok, false);
        assert.strictEqual(byName(report.checks, "node").ok, false);
        assert.strictEqual(byName(report.checks, "@pulumi/pulumi SDK").ok, false);
    });

    it("only warns about lab tools, each with its Debian package", () => {
        const p = goodProbes();
        for (const t of LAB_TOOLS) p.tools[t.name] = null;
        p.netnsUsable = false;
        const report = evaluate(p, WANT);
        assert.strictEqual(report.ok, true);
        assert.strictEqual(byName(report.checks, "lab: virsh").fix, "apt-get install libvirt-clients");
        assert.strictEqual(byName(report.checks, "lab: qemu-system-x86_64").fix, "apt-get install qemu-system-x86");
        assert.strictEqual(byName(report.checks, "lab: ignition-validate").fix, "apt-get install ignition");
        assert.strictEqual(byName(report.checks, "lab: network namespaces").required, false);
    });

    it("does not require Go once the toolchain is built", () => {
        const p = goodProbes();
        p.goVersion = null;
        assert.strictEqual(evaluate(p, WANT).ok, true);
        p.pulumi = { path: null, commandRoot: null, mode: "embedded", reason: "not built" };
        assert.strictEqual(byName(evaluate(p, WANT).checks, "go").required, true);
    });

    it("formats failures with their fix", () => {
        const p = goodProbes();
        p.tools["nft"] = null;
        p.plugins = [];
        const text = formatDoctor(evaluate(p, WANT));
        assert.match(text, /^FAIL {2}command provider/m);
        assert.match(text, /^warn {2}lab: nft/m);
        assert.match(text, /fix: apt-get install nftables/);
        assert.match(text, /1 required check failed\n$/);
    });
});

describe("environment: paths and variables", () => {
    it("defaults everything under the repository and the user's cache", () => {
        const p = resolvePaths(REPO, {}, OPTS);
        assert.strictEqual(p.stateDir, "/repo/.pairbench");
        assert.strictEqual(p.backendUrl, "file:///repo/.pairbench/state");
        assert.strictEqual(p.pulumiHome, "/repo/.pairbench/pulumi-home");
        assert.strictEqual(p.passphraseFile, "/repo/.pairbench/passphrase");
        assert.strictEqual(p.toolchainBin, "/home/u/.cache/pairbench/toolchain/v3.248.0/bin");
        assert.strictEqual(p.toolchainDir, "/home/u/.cache/pairbench/toolchain/v3.248.0");
        assert.deepStrictEqual(p.pulumiMode, { kind: "embedded" });
    });

    it("honours the overrides", () => {
        const p = resolvePaths(
            REPO,
            {
                PAIRBENCH_STATE_DIR: "/s",
                PULUMI_BACKEND_URL: "s3://bucket",
                PULUMI_HOME: "/ph",
                XDG_CACHE_HOME: "/xdg",
                PAIRBENCH_PULUMI: "system",
            },
            OPTS,
        );
        assert.strictEqual(p.backendUrl, "s3://bucket");
        assert.strictEqual(p.pulumiHome, "/ph");
        assert.strictEqual(p.passphraseFile, "/s/passphrase");
        assert.strictEqual(p.toolchainBin, "/xdg/pairbench/toolchain/v3.248.0/bin");
        assert.strictEqual(resolvePaths(REPO, { PAIRBENCH_TOOLCHAIN_DIR: "/tc" }, OPTS).toolchainBin, "/tc/v3.248.0/bin");
    });

    it("builds the hermetic variables, passphrase from the environment first", () => {
        const p = resolvePaths(REPO, {}, OPTS);
        const vars = pulumiEnv(p, { PATH: "/usr/bin:/bin" });
        assert.deepStrictEqual(vars, {
            PULUMI_HOME: "/repo/.pairbench/pulumi-home",
            PULUMI_BACKEND_URL: "file:///repo/.pairbench/state",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            PULUMI_CONFIG_PASSPHRASE_FILE: "/repo/.pairbench/passphrase",
            PATH: "/home/u/.cache/pairbench/toolchain/v3.248.0/bin:/usr/bin:/bin",
        });
        assert.strictEqual(pulumiEnv(p, { PULUMI_CONFIG_PASSPHRASE: "" }).PULUMI_CONFIG_PASSPHRASE, "");
        assert.strictEqual(pulumiEnv(p, { PULUMI_CONFIG_PASSPHRASE_FILE: "/pp" }).PULUMI_CONFIG_PASSPHRASE_FILE, "/pp");
        // PATH is not duplicated when the toolchain is already on it.
        assert.strictEqual(pulumiEnv(p, { PATH: `${p.toolchainBin}:/bin` }).PATH, `${p.toolchainBin}:/bin`);
    });

    it("leaves PATH alone for a system pulumi", () => {
        const p = resolvePaths(REPO, { PAIRBENCH_PULUMI: "system" }, OPTS);
        assert.strictEqual(pulumiEnv(p, { PATH: "/opt/pulumi:/bin" }).PATH, "/opt/pulumi:/bin");
    });

    it("chooses the pulumi binary by mode", () => {
        const exe = new Set(["/home/u/.cache/pairbench/toolchain/v3.248.0/bin/pulumi", "/opt/pulumi/bin/pulumi", "/usr/local/bin/pulumi"]);
        const isExe = (f: string) => exe.has(f);
        const embedded = choosePulumi(resolvePaths(REPO, {}, OPTS), {}, isExe);
        assert.strictEqual(embedded.commandRoot, "/home/u/.cache/pairbench/toolchain/v3.248.0");
        const sys = choosePulumi(resolvePaths(REPO, { PAIRBENCH_PULUMI: "system" }, OPTS), { PATH: "/nope:/usr/local/bin" }, isExe);
        assert.strictEqual(sys.path, "/usr/local/bin/pulumi");
        assert.strictEqual(sys.commandRoot, "/usr/local");
        const dir = choosePulumi(resolvePaths(REPO, { PAIRBENCH_PULUMI: "/opt/pulumi" }, OPTS), {}, isExe);
        assert.strictEqual(dir.path, "/opt/pulumi/bin/pulumi");
        assert.strictEqual(dir.commandRoot, "/opt/pulumi");
        const missing = choosePulumi(resolvePaths(REPO, {}, OPTS), {}, () => false);
        assert.strictEqual(missing.path, null);
        assert.match(missing.reason, /run make toolchain/);
    });

    it("rejects an unknown PAIRBENCH_PULUMI", () => {
        assert.throws(() => parsePulumiMode("latest", "/"), /PAIRBENCH_PULUMI/);
    });

    it("quotes exports so the shell gives back the exact values", () => {
        const exports = shellExports({ B: "it's $HOME `x`", A: "a b" });
        assert.match(exports, /^export A=.*\nexport B=.*\n$/);
        const seen = execFileSync("bash", ["-c", `${exports} printf '%s\\0' "$A" "$B"`], { encoding: "utf8" });
        assert.deepStrictEqual(seen.split("\0").slice(0, 2), ["a b", "it's $HOME `x`"]);
        assert.throws(() => shellExports({ "A-B": "x" }), /not a shell variable name/);
    });

    it("reads the toolchain version from toolchain/pulumi/go.mod", () => {
        assert.strictEqual(parseToolchainVersion("require (\n\tgithub.com/pulumi/pulumi/pkg/v3 v3.248.0 // indirect\n)"), "v3.248.0");
        const repo = path.resolve(__dirname, "..", "..");
        const v = readToolchainVersion(repo);
        assert.match(v, /^v3\.\d+\.\d+$/);
        // The npm SDK is pinned to the same release as the CLI.
        const sdk = JSON.parse(fs.readFileSync(path.join(repo, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as { version: string };
        assert.strictEqual(`v${sdk.version}`, v);
    });
});

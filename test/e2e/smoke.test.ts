// End-to-end smoke test of the real toolchain, no mocks: the Automation API drives the pulumi CLI
// built by `make toolchain` (toolchain/build.sh) on the program in fixtures/smoke — up, an
// idempotent second up, destroy — with the project's hermetic environment
// (automation/environment.ts). The stack lives in a temporary file backend; plugins come from the
// project's PULUMI_HOME, where build.sh installs the command provider.
//
// Fails (does not skip) when the toolchain is missing, saying "run make toolchain";
// PAIRBENCH_SKIP_E2E=1 skips it.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { Env, ensureStateDirs, findPulumi, pulumiEnv, resolvePaths } from "../../automation/environment";
import { initialState, reduce, totalFromChanges, urnName } from "../../automation/progress";

const REPO = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(__dirname, "fixtures", "smoke");

/** The version the @pulumi/command SDK registers its provider at. */
function commandPluginVersion(): string {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", "@pulumi", "command", "package.json"), "utf8")) as {
        version: string;
        pulumi?: { version?: string };
    };
    return pkg.pulumi?.version ?? pkg.version;
}

describe("e2e smoke: pulumi up / up / destroy with the embedded toolchain", function () {
    this.timeout(300_000);

    const runId = crypto.randomBytes(4).toString("hex");
    const stackName = `smoke-${runId}`;
    const message = `hello from pairbench ${runId}`;
    let tmp = "";
    let stack: Stack | undefined;
    let env: Env = {};

    before(async function () {
        if (process.env.PAIRBENCH_SKIP_E2E === "1") this.skip();

        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-smoke-"));
        fs.mkdirSync(path.join(tmp, "state"));
        // A throw-away backend and passphrase; everything else is the project's environment.
        env = {
            ...process.env,
            PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: `smoke-${runId}`,
            PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
        };
        const paths = resolvePaths(REPO, env);
        const choice = findPulumi(paths, env);
        if (choice.path === null) {
            const hint = choice.reason.includes("make toolchain") ? "" : " — run make toolchain";
            throw new Error(`no pulumi CLI: ${choice.reason}${hint}`);
        }
        const version = commandPluginVersion();
        const plugin = path.join(paths.pulumiHome, "plugins", `resource-command-v${version}`, "pulumi-resource-command");
        if (!fs.existsSync(plugin)) {
            throw new Error(`the command provider ${version} is not installed in ${paths.pulumiHome} — run make toolchain`);
        }
        ensureStateDirs(paths, env);

        const pulumiCommand = await PulumiCommand.get({
            ...(choice.commandRoot ? { root: choice.commandRoot } : {}),
            skipVersionCheck: false,
        });
        if (paths.pulumiMode.kind === "embedded") {
            assert.strictEqual(`v${pulumiCommand.version?.toString()}`, paths.pulumiVersion);
        }
        stack = await LocalWorkspace.createOrSelectStack(
            { stackName, workDir: FIXTURE },
            { pulumiCommand, envVars: pulumiEnv(paths, env, choice) },
        );
        await stack.setConfig("message", { value: message });
        await stack.setConfig("deleteMarker", { value: path.join(tmp, "deleted") });
    });

    after(async function () {
        if (stack) {
            try {
                await stack.workspace.removeStack(stackName, { force: true });
            } finally {
                fs.rmSync(path.join(FIXTURE, `Pulumi.${stackName}.yaml`), { force: true });
            }
        }
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("up creates the resources and exports the command's stdout", async function () {
        const events: EngineEvent[] = [];
        const res = await stack!.up({ onEvent: (e) => events.push(e) });
        assert.strictEqual(res.summary.result, "succeeded");
        // The progress line from the real engine's events: done reaches the change summary's
        // total (providers left out), and only custom resources are ever "in flight".
        let state = initialState(0, totalFromChanges(res.summary.resourceChanges));
        const inFlight = new Set<string>();
        for (const e of events) {
            state = reduce(state, e, 0).state;
            for (const urn of state.inFlight.keys()) inFlight.add(urnName(urn));
        }
        assert.deepStrictEqual([state.done, state.total], [3, 3]);
        assert.deepStrictEqual([...inFlight].sort(), ["echo", "length"]);
        assert.strictEqual(res.outputs.stdout?.value, message);
        assert.strictEqual(res.outputs.invokedStdout?.value, "invoked");
        assert.strictEqual(res.outputs.stdoutLength?.value, message.length);
        assert.deepStrictEqual(res.summary.resourceChanges, { create: 3 });
    });

    it("a second up changes nothing", async function () {
        const res = await stack!.up();
        assert.strictEqual(res.summary.result, "succeeded");
        const changes = res.summary.resourceChanges ?? {};
        assert.deepStrictEqual(Object.keys(changes), ["same"], `expected only unchanged resources, got ${JSON.stringify(changes)}`);
        assert.strictEqual(res.outputs.stdout?.value, message);
    });

    it("destroy deletes everything and runs the delete command", async function () {
        const res = await stack!.destroy();
        assert.strictEqual(res.summary.result, "succeeded");
        assert.deepStrictEqual(res.summary.resourceChanges, { delete: 3 });
        assert.strictEqual(fs.readFileSync(path.join(tmp, "deleted"), "utf8"), `deleted ${message}`);
    });
});

// pairbench run's plan: run_benchmarktest.py's flags as config overrides, usage errors, mode order.
import * as assert from "assert";
import { parse } from "yaml";
import { CliError } from "../../../automation/errors";
import { freshRunId, planRun } from "../../../automation/runPlan";
import { applyOverrides, overridePath, runStackYaml } from "../../../automation/workspace";
import { parseStackConfig } from "../../../config/index";
import { stackValues } from "../../support/stackFiles";

const lab = parseStackConfig(stackValues("lab"), "lab");
const dev = parseStackConfig(stackValues("dev"), "dev");
const azure = parseStackConfig(stackValues("azure"), "azure");

describe("pairbench run: plan", () => {
    it("maps the dpservice flags onto pairbench:dataplane.dpservice.* overrides", () => {
        const plan = planRun({ stack: "lab", mode: "offload", stage: "cicd", dockerImage: "ghcr.io/ironcore-dev/dpservice:sha-e9b4272", reboot: true }, lab);
        assert.deepStrictEqual(plan.runs, [
            {
                mode: "offload",
                overrides: {
                    "dataplane.dpservice.stage": "cicd",
                    "dataplane.dpservice.image": "ghcr.io/ironcore-dev/dpservice:sha-e9b4272",
                    "dataplane.dpservice.reboot": true,
                    "dataplane.dpservice.mode": "offload",
                },
            },
        ]);
        assert.strictEqual(plan.reassign, false);
        const devStage = planRun({ stack: "lab", stage: "dev", dpserviceBuildPath: "/src/dpservice", reboot: false }, lab).runs[0]!.overrides;
        assert.deepStrictEqual(devStage, {
            "dataplane.dpservice.stage": "dev",
            "dataplane.dpservice.buildPath": "/src/dpservice",
            "dataplane.dpservice.reboot": false,
            "dataplane.dpservice.mode": "non-offload",
        });
    });

    it("leaves reboot to the stack when neither --reboot nor --no-reboot is given", () => {
        assert.ok(!("dataplane.dpservice.reboot" in planRun({ stack: "lab" }, lab).runs[0]!.overrides));
    });

    it("--mode both runs non-offload first, then offload (run_benchmarktest.py's order)", () => {
        assert.deepStrictEqual(planRun({ stack: "lab", mode: "both" }, lab).runs.map((r) => r.mode), ["non-offload", "offload"]);
    });

    it("rejects dpservice flags on other dataplanes, naming each flag and the stack's dataplane (exit 2)", () => {
        assert.throws(
            () => planRun({ stack: "dev", mode: "offload", dockerImage: "x", reboot: false }, dev),
            (e: unknown) =>
                e instanceof CliError &&
                e.exitCode === 2 &&
                e.message === "--mode, --docker-image, --no-reboot apply to the dpservice dataplane only; stack dev has dataplane vxlan (pairbench:dataplane.kind)",
        );
        assert.throws(() => planRun({ stack: "azure", stage: "dev" }, azure), /--stage applies to the dpservice dataplane only; stack azure has dataplane none/);
    });

    it("a stack without modes runs once; azure stacks reassign", () => {
        assert.deepStrictEqual(planRun({ stack: "dev" }, dev).runs, [{ mode: null, overrides: {} }]);
        assert.strictEqual(planRun({ stack: "azure" }, azure).reassign, true);
    });

    it("run ids are fresh per up, sort by time and name the mode", () => {
        const t = new Date("2026-11-22T10:00:00.000Z");
        assert.strictEqual(freshRunId(t, "offload"), "2026-11-22T10-00-00-000Z-offload");
        assert.strictEqual(freshRunId(t, null), "2026-11-22T10-00-00-000Z");
    });
});

describe("config overrides", () => {
    it("dots are paths inside a pairbench key; other namespaces stay whole", () => {
        assert.deepStrictEqual(overridePath("dataplane.dpservice.mode"), { configKey: "pairbench:dataplane", path: ["dpservice", "mode"] });
        assert.deepStrictEqual(overridePath("runId"), { configKey: "pairbench:runId", path: [] });
        assert.deepStrictEqual(overridePath("azure-native:location"), { configKey: "azure-native:location", path: [] });
        assert.throws(() => overridePath("dataplane..mode"), /invalid config override key 'dataplane\.\.mode'/);
    });

    it("applyOverrides (offline validation) and the run directory's stack file agree", () => {
        const repo = "config:\n  pairbench:environment: libvirt\n  pairbench:dataplane: { kind: dpservice, dpservice: { stage: cicd, image: a } }\n";
        const overrides = { "dataplane.dpservice.mode": "offload", "dataplane.dpservice.image": "b", "benchmark.rounds": 2, runId: "r1", phase: "pairs" };
        const written = parse(runStackYaml(repo, undefined, overrides)).config;
        const applied = applyOverrides({ environment: "libvirt", dataplane: { kind: "dpservice", dpservice: { stage: "cicd", image: "a" } } }, overrides);
        assert.deepStrictEqual(written, Object.fromEntries(Object.entries(applied).map(([k, v]) => [`pairbench:${k}`, v])));
        assert.deepStrictEqual(applied["dataplane"], { kind: "dpservice", dpservice: { stage: "cicd", image: "b", mode: "offload" } });
        assert.deepStrictEqual(applied["benchmark"], { rounds: 2 });
    });

    it("replaces every pairbench key with imported values and keeps other namespaces", () => {
        const repo = "config:\n  pairbench:environment: azure\n  pairbench:vms: []\n  azure-native:location: westeurope\n";
        const out = parse(runStackYaml(repo, undefined, { runId: "x" }, { environment: "libvirt", hypervisors: [] })).config;
        assert.deepStrictEqual(out, { "azure-native:location": "westeurope", "pairbench:environment": "libvirt", "pairbench:hypervisors": [], "pairbench:runId": "x" });
    });
});

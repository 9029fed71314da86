// pairbench run end to end against a fake stack and lab: the order of operations (lab up, up per
// mode, reports, destroy, lab down), --keep, --mode both, failures, Ctrl-C, Azure reassignment.
import * as assert from "assert";
import { EventEmitter } from "events";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { executeRun, RunDeps, RunOptions } from "../../../automation/commands/run";
import { CliError } from "../../../automation/errors";
import type { FileProbe } from "../../../components/localFileChecks";
import { RunReport } from "../../../automation/reports/runReport";
import { StackLike } from "../../../automation/stackOps";
import { Results } from "../../../benchmarks/results";
import { PROJECT_DIR } from "../../support/stackFiles";
import { passingDevResults, syntheticResults } from "../../support/resultsFixture";

const exported = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test/fixtures/deployments/azure-pairs-phase.json"), "utf8"));
const sink = Object.assign(new EventEmitter(), { write: () => true, isTTY: false }) as unknown as NodeJS.WritableStream;

interface Behaviour {
    /** Results of an up, or an error to throw; by call index. */
    up?: (overrides: Record<string, unknown>, call: number, signal?: AbortSignal) => Promise<Results | Error>;
    destroy?: () => Promise<void>;
    labRunning?: boolean;
}

function harness(b: Behaviour = {}, files: FileProbe = () => "file") {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-run-"));
    const log: string[] = [];
    const signals = new EventEmitter();
    let current: Record<string, unknown> = {};
    let ups = 0;
    const stack: StackLike = {
        name: "s",
        preview: async () => ({ stdout: "", stderr: "", changeSummary: { create: 3 } }),
        up: async (opts) => {
            log.push(`up ${JSON.stringify(current)}${opts?.continueOnError ? " continueOnError" : ""}`);
            opts?.onEvent?.({ sequence: 1, timestamp: 0, resOutputsEvent: { metadata: { urn: "urn:pulumi:s::p::t::a", op: "create", type: "t", provider: "" } } } as unknown as EngineEvent);
            const r = b.up ? await b.up(current, ups++, opts?.signal) : passingDevResults();
            if (r instanceof Error) throw r;
            return { stdout: "", stderr: "", summary: { result: "succeeded", resourceChanges: { create: 3 } }, outputs: { results: { value: r, secret: false } } } as never;
        },
        destroy: async () => {
            log.push("destroy");
            await b.destroy?.();
            return { stdout: "", stderr: "", summary: { result: "succeeded", resourceChanges: { delete: 3 } } } as never;
        },
        exportStack: async () => {
            log.push("export");
            return exported;
        },
    };
    const out: string[] = [];
    const deps: RunDeps = {
        openStack: async (name, overrides) => {
            current = Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== "runId" && k !== "benchmark"));
            log.push(`open ${name}${"runId" in overrides ? " runId" : ""}`);
            return { stack, stateDir };
        },
        lab: {
            running: async () => b.labRunning ?? false,
            up: async () => void log.push("lab up"),
            down: async () => void log.push("lab down"),
        },
        io: { out: (l) => out.push(l), stream: sink },
        env: { GITHUB_STEP_SUMMARY: path.join(stateDir, "summary.md") },
        now: () => new Date("2026-11-22T10:00:00.000Z"),
        assets: { echarts: "/* stub */" },
        files,
        preview: false,
        signals,
        forwardSigint: true,
    };
    const cleanup = () => fs.rmSync(stateDir, { recursive: true, force: true });
    return { deps, log, out, stateDir, signals, cleanup };
}

async function run(h: ReturnType<typeof harness>, opts: RunOptions): Promise<RunReport> {
    try {
        return (await executeRun(PROJECT_DIR, opts, h.deps)).report;
    } finally {
        h.cleanup();
    }
}

describe("pairbench run (fake stack and lab)", () => {
    it("dev: lab up, up with a fresh run id, the four reports, destroy, lab down; exit 0", async () => {
        const h = harness();
        const outcome = await executeRun(PROJECT_DIR, { stack: "dev" }, h.deps);
        try {
            assert.deepStrictEqual(h.log, ["lab up", "open dev runId", "up {}", "export", "destroy", "lab down"]);
            assert.strictEqual(outcome.report.exitCode, 0);
            assert.deepStrictEqual(Object.keys(outcome.files!).sort(), ["html", "json", "junit", "markdown"]);
            for (const f of Object.values(outcome.files!)) assert.ok(fs.statSync(f).size > 0, f);
            assert.strictEqual(JSON.parse(fs.readFileSync(outcome.files!.json, "utf8")).modes[0].runId, "2026-11-22T10-00-00-000Z");
            assert.match(fs.readFileSync(path.join(h.stateDir, "summary.md"), "utf8"), /^## pairbench run: dev — ✅ pass/);
            assert.strictEqual(outcome.lastOverrides!["runId"], "2026-11-22T10-00-00-000Z");
        } finally {
            h.cleanup();
        }
    });

    it("dev with the lab already running leaves the lab alone; --keep leaves the stack up", async () => {
        const h = harness({ labRunning: true });
        await run(h, { stack: "dev", keep: true });
        assert.deepStrictEqual(h.log, ["open dev runId", "up {}"]);
        assert.ok(h.out.some((l) => l.startsWith("kept: stack dev left up")));
    });

    it("--mode both: non-offload, then offload, one destroy; a failed verdict in either is exit 1", async () => {
        const failing = syntheticResults({ throughput: [{ name: "cross-host-ipv4", gbps: [6, 6.2], expected: 8 }], latency: false });
        const h = harness({ up: async (o) => (o["dataplane.dpservice.mode"] === "offload" ? failing : passingDevResults()) });
        const report = await run(h, { stack: "lab", mode: "both", stage: "cicd", dockerImage: "img:1" });
        assert.deepStrictEqual(h.log, [
            "open lab runId",
            'up {"dataplane.dpservice.stage":"cicd","dataplane.dpservice.image":"img:1","dataplane.dpservice.mode":"non-offload"}',
            "open lab runId",
            'up {"dataplane.dpservice.stage":"cicd","dataplane.dpservice.image":"img:1","dataplane.dpservice.mode":"offload"}',
            "export", "destroy",
        ]);
        assert.deepStrictEqual(report.modes.map((m) => [m.mode, m.runId]), [["non-offload", "2026-11-22T10-00-00-000Z-non-offload"], ["offload", "2026-11-22T10-00-00-000Z-offload"]]);
        assert.strictEqual(report.exitCode, 1);
        assert.strictEqual(report.message, "verdict fail (exit 1): cross-host-ipv4 [offload] below expected");
    });

    it("an up that fails stops the run, still destroys, and is exit 2 with the engine's error", async () => {
        const h = harness({ up: async () => new Error("error: pairbench-vm1-domain: ssh: connect to host 198.18.0.11 port 22: Connection refused") });
        const report = await run(h, { stack: "lab", mode: "both" });
        assert.deepStrictEqual(h.log, ["open lab runId", 'up {"dataplane.dpservice.mode":"non-offload"}', "export", "destroy"]);
        assert.strictEqual(report.exitCode, 2);
        assert.match(report.message, /^infrastructure or configuration error \(exit 2\): mode non-offload: error: pairbench-vm1-domain: ssh: connect to host 198\.18\.0\.11 port 22: Connection refused$/);
    });

    it("a destroy that fails turns a passing run into exit 2, and the reports say so", async () => {
        const h = harness({ labRunning: true, destroy: async () => Promise.reject(new Error("error: delete failed: virsh undefine vm1")) });
        const outcome = await executeRun(PROJECT_DIR, { stack: "dev" }, h.deps);
        try {
            assert.strictEqual(outcome.report.exitCode, 2);
            assert.match(outcome.report.errors[0]!, /^destroy failed, resources may be left: error: delete failed: virsh undefine vm1 \(pairbench destroy --stack dev\)$/);
            assert.strictEqual(JSON.parse(fs.readFileSync(outcome.files!.json, "utf8")).exitCode, 2);
        } finally {
            h.cleanup();
        }
    });

    it("SIGTERM during up cancels it, then destroys and takes the lab down; exit 2 'interrupted'", async () => {
        let h: ReturnType<typeof harness>;
        h = harness({
            up: (_o, _i, signal) =>
                new Promise((resolve) => {
                    signal!.addEventListener("abort", () => resolve(new Error("pulumi: update canceled")));
                    setImmediate(() => h.signals.emit("SIGTERM", "SIGTERM"));
                }),
        });
        const report = await run(h, { stack: "dev" });
        assert.deepStrictEqual(h.log, ["lab up", "open dev runId", "up {}", "export", "destroy", "lab down"]);
        assert.strictEqual(report.exitCode, 2);
        assert.deepStrictEqual(report.modes.map((m) => m.error), ["interrupted by SIGTERM"]);
        assert.ok(h.out.includes("received SIGTERM: stopping, then cleaning up (send it again to skip the cleanup)"));
        assert.strictEqual(h.signals.listenerCount("SIGTERM"), 0, "handlers are removed after the run");
    });

    it("configuration errors stop the run before anything is touched (exit 2)", async () => {
        const h = harness();
        const bad = path.join(h.stateDir, "test_configurations.json");
        fs.writeFileSync(bad, "{ not json");
        await assert.rejects(run(h, { stack: "lab", configFile: bad }), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /test_configurations\.json: \d+ error/.test(e.message));
        const h2 = harness();
        await assert.rejects(
            run(h2, { stack: "dev", overrides: { "benchmark.rounds": 0 } }),
            (e: unknown) => e instanceof CliError && e.exitCode === 2 && e.message.includes("pairbench:benchmark.rounds: must be at least 1 rounds"),
        );
        await assert.rejects(run(harness(), { stack: "dev", mode: "offload" }), /--mode applies to the dpservice dataplane only/);
        assert.deepStrictEqual([...h.log, ...h2.log], []);
    });

    it("a key or image the stack names that is not on this machine stops the run before anything is touched, naming the field", async () => {
        const h = harness({}, () => undefined);
        await assert.rejects(run(h, { stack: "lab" }), (e: unknown) => {
            assert.ok(e instanceof CliError && e.exitCode === 2);
            assert.match(e.message, /pairbench:hypervisors\[0\]\.sshKey\.path: \/.*\/\.ssh\/id_rsa \(the SSH key for hypervisor \S+\): it does not exist/);
            assert.match(e.message, /pairbench:images\[0\]\.path: .*images\/gardenlinux-kvm-amd64\.raw \(the disk image of image \S+ \(VM vm1\)\): it does not exist/);
            return true;
        });
        assert.deepStrictEqual(h.log, []);
        // The dev stack's key and guest image are made by its lab up, which comes first.
        const dev = harness({}, () => undefined);
        assert.strictEqual((await run(dev, { stack: "dev" })).exitCode, 0);
    });

    it("--config-file: a dpservice test_configurations.json is imported and run", async () => {
        const h = harness();
        const report = await run(h, { stack: "imported", configFile: path.join(PROJECT_DIR, "test/fixtures/dpservice/test_configurations.json"), mode: "offload" });
        assert.deepStrictEqual(h.log, ["open imported runId", 'up {"dataplane.dpservice.mode":"offload"}', "export", "destroy"]);
        assert.strictEqual(report.exitCode, 0);
        assert.ok(h.out.some((l) => l.startsWith("note: ")));
    });
});

describe("pairbench run on Azure: pairs first, then reassignment", () => {
    const pairs = (names: Array<[string, string]>) => ({
        location: "westeurope",
        allowedSourceCidr: "203.0.113.7/32",
        sshKey: { path: "~/.ssh/id_ed25519" },
        pairs: names.map(([name, os]) => ({ name, os })),
    });

    it("brings the pairs up past failures, reads their health, and runs everything with the failed pairs reassigned", async () => {
        const azure = pairs([["ubuntu-2404", "ubuntu-24.04"], ["ubuntu-2404-b", "ubuntu-24.04"], ["windows-2022", "windows-2022"], ["windows-2022-b", "windows-2022"]]);
        const h = harness({ up: async (o) => (o["phase"] === "pairs" ? new Error("error: update failed: 2 resources failed") : passingDevResults()) });
        const report = await run(h, { stack: "azure", overrides: { azure } });
        const withAzure = (o: object) => `up ${JSON.stringify({ azure, ...o })}`;
        assert.deepStrictEqual(h.log, [
            "open azure runId",
            `${withAzure({ phase: "pairs" })} continueOnError`,
            "export",
            "open azure runId",
            withAzure({ phase: "all", assignments: { "ubuntu-2404-b": "ubuntu-2404", "windows-2022-b": "windows-2022" } }),
            "export", "destroy",
        ]);
        assert.deepStrictEqual(report.pairs, {
            failed: [
                { pair: "ubuntu-2404-b", os: "ubuntu-24.04", reason: "readiness check pairbench-ubuntu-2404-b-peer did not complete (SSH or the peer did not answer)" },
                { pair: "windows-2022-b", os: "windows-2022", reason: "not created (no TestReadyPair pairbench-windows-2022-b in the state)" },
            ],
            assignments: { "ubuntu-2404-b": "ubuntu-2404", "windows-2022-b": "windows-2022" },
        });
        assert.strictEqual(report.exitCode, 0);
        assert.ok(h.out.includes("pair windows-2022-b (windows-2022) failed: not created (no TestReadyPair pairbench-windows-2022-b in the state); its scenarios run on windows-2022"));
    });

    it("an OS without a healthy pair is exit 2 naming the OS; no benchmarks run, the pairs are destroyed", async () => {
        const h = harness({ up: async () => new Error("error: 1 resource failed") });
        const report = await run(h, { stack: "azure" });
        assert.deepStrictEqual(h.log.map((l) => l.replace(/ \{.*\}/, "")), ["open azure runId", "up continueOnError", "export", "export", "destroy"]);
        assert.strictEqual(report.exitCode, 2);
        assert.match(report.message, /^infrastructure or configuration error \(exit 2\): no healthy pair for OS gallery \/subscriptions\/.*; nothing can run its benchmarks:\n {2}- windows-prerelease \(gallery .*\): readiness check pairbench-windows-prerelease-peer failed: /);
        assert.match(report.message, /\nthe pairs phase's pulumi up said: error: 1 resource failed$/);
    });
});

describe("errors in one line", () => {
    it("keeps the engine's specific error lines, cut, without the wrapper", async () => {
        const { errorText } = await import("../../../automation/stackOps");
        const msg = [
            "code: 255",
            " stdout: Updating (dev):",
            "Diagnostics:",
            "  command:remote:Command (pairbench-vm1-ready):",
            `    error: Process exited with status 1: pairbench: timeout after 300s (12 attempts): hv1, VM vm1, step ssh; last output: ${"x".repeat(500)}`,
            "  pulumi:pulumi:Stack (pairbench-dev):",
            "    error: update failed",
            " stderr: ",
        ].join("\n");
        const line = errorText(new Error(msg));
        assert.match(line, /^error: Process exited with status 1: pairbench: timeout after 300s \(12 attempts\): hv1, VM vm1, step ssh; last output: x+…$/);
        assert.strictEqual(line.length, 400);
        assert.strictEqual(errorText(new Error("code: 1\n stdout: \nerror: update failed")), "error: update failed");
        assert.strictEqual(errorText(new Error("no pulumi CLI found")), "no pulumi CLI found");
    });
});

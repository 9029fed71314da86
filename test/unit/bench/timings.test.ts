// The bench-dev figures from recorded engine events: step pairing, VM boots, first result,
// benchmark spans, measuring time and the overhead ratio; and the lab's step lines.
import * as assert from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { labStepSeconds } from "../../../bench/report";
import { overheadRatio, parentType, StepRecorder, upFigures } from "../../../bench/timings";
import { Results } from "../../../benchmarks/results";

const urn = (parent: string, type: string, name: string) =>
    `urn:pulumi:dev::pairbench::pairbench:components:LibvirtEnvironment$pairbench:${parent}$${type}::${name}`;
const domain = (vm: string, step: string) => urn(`components:LibvirtDomain`, "command:remote:Command", `pairbench-${vm}-${step}`);
const bench = (scenario: string, step: string) => urn(`benchmarks:Iperf3Benchmark`, "command:remote:Command", `pairbench-bench-${scenario}-${step}`);

const pre = (u: string, op = "create") => ({ resourcePreEvent: { metadata: { urn: u, op } } }) as unknown as EngineEvent;
const done = (u: string, op = "create") => ({ resOutputsEvent: { metadata: { urn: u, op } } }) as unknown as EngineEvent;

/** Feeds events at the given millisecond times. */
function record(timeline: Array<[number, EngineEvent]>) {
    let now = 0;
    const rec = new StepRecorder(() => now);
    for (const [t, e] of timeline) {
        now = t;
        rec.onEvent(e);
    }
    return rec.steps;
}

const results = {
    scenarios: [
        { kind: "throughput", rounds: [{}, {}], method: { seconds: 4, omit: 1 } },
        { kind: "latency", rounds: [{}, {}, {}], method: { seconds: 4 } },
    ],
} as unknown as Results;

describe("bench-dev timings", () => {
    it("reads the parent component's type from a URN", () => {
        assert.strictEqual(parentType(domain("vm1", "ready")), "LibvirtDomain");
        assert.strictEqual(parentType("urn:pulumi:dev::pairbench::pulumi:pulumi:Stack::pairbench-dev"), undefined);
    });

    it("pairs steps, measures VM boots, the first result, benchmark spans and the overhead", () => {
        const steps = record([
            [1000, pre(domain("vm1", "domain"))],
            [1500, pre(domain("vm3", "domain"))],
            [1600, pre("urn:pulumi:dev::pairbench::pulumi:pulumi:Stack::same", "same")], // not a step
            [3000, done(domain("vm1", "domain"))],
            [3500, done(domain("vm3", "domain"))],
            [4000, pre(domain("vm1", "ready"))],
            [11000, done(domain("vm1", "ready"))],
            [12000, pre(domain("vm3", "ready"))],
            [21500, done(domain("vm3", "ready"))],
            [22000, pre(bench("upload", "server-0"))],
            [23000, done(bench("upload", "server-0"))],
            [23000, pre(bench("upload", "client-0"))],
            [29000, done(bench("upload", "client-0"))],
            [29000, pre(bench("upload", "client-1"))],
            [35000, done(bench("upload", "client-1"))],
        ]);
        assert.strictEqual(steps.length, 7);
        const f = upFigures(steps, 0, 40000, results, 800);
        assert.deepStrictEqual(f.vmBoots, [
            { vm: "vm1", seconds: 10, readyAt: 11 },
            { vm: "vm3", seconds: 20, readyAt: 21.5 },
        ]);
        assert.strictEqual(f.firstResultAt, 29);
        assert.strictEqual(f.benchmarkSeconds, 13);
        assert.strictEqual(f.measuringSeconds, 2 * 5 + 3 * 4);
        assert.strictEqual(f.beforeVmsSeconds, 1);
        assert.strictEqual(f.previewSeconds, 0.8);
        assert.deepStrictEqual(f.roundSteps, { rounds: 2, serverMean: 1, clientMean: 6 });
        // 40 s of up over (slowest boot 20 s + 13 s of benchmarks), or the stricter 22 s measuring.
        assert.strictEqual(overheadRatio(f)!.toFixed(4), (40 / 33).toFixed(4));
        assert.strictEqual(overheadRatio(f, "measuring")!.toFixed(4), (40 / 42).toFixed(4));
    });

    it("a failed step ends the step; no work means no ratio", () => {
        const steps = record([
            [0, pre(domain("vm1", "domain"))],
            [500, { resOpFailedEvent: { metadata: { urn: domain("vm1", "domain"), op: "create" } } } as unknown as EngineEvent],
        ]);
        assert.deepStrictEqual(steps, [{ urn: domain("vm1", "domain"), op: "create", start: 0, end: 500, failed: true }]);
        assert.strictEqual(overheadRatio(upFigures(steps, 0, 1000)), undefined);
    });

    it("reads the package and guest image step times from the lab's progress lines", () => {
        assert.deepStrictEqual(
            labStepSeconds([
                "[   0.4s] Debian packages: all installed (0.4s)",
                "[   1.0s] guest image: built 3f2a (linux-image-6.1.0-56-amd64 6.1.0-56) → .pairbench/guest/ (17.3s)",
                "[   1.1s] SSH keys: done (0.0s)",
            ]),
            { "Debian packages": 0.4, "guest image": 17.3 },
        );
    });
});

import * as assert from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { formatLine, initialState, isCi, ProgressPrinter, ProgressState, reduce, totalFromChanges } from "../../../automation/progress";

const URN = (name: string) => `urn:pulumi:dev::pairbench::command:remote:Command::${name}`;
const meta = (name: string, op: string) => ({ metadata: { urn: URN(name), op, type: "command:remote:Command", provider: "" } });
const pre = (name: string, op: string) => ({ sequence: 0, timestamp: 0, resourcePreEvent: meta(name, op) }) as unknown as EngineEvent;
const outputs = (name: string, op: string) => ({ sequence: 0, timestamp: 0, resOutputsEvent: meta(name, op) }) as unknown as EngineEvent;
const failed = (name: string, op: string) => ({ sequence: 0, timestamp: 0, resOpFailedEvent: { ...meta(name, op), status: 1, steps: 1 } }) as unknown as EngineEvent;

function run(events: EngineEvent[], total?: number): { state: ProgressState; lines: string[] } {
    let state = initialState(0, total);
    const lines: string[] = [];
    events.forEach((e, i) => {
        const change = reduce(state, e, (i + 1) * 61_000);
        state = change.state;
        if (change.line) lines.push(change.line);
    });
    return { state, lines };
}

describe("progress from engine events", () => {
    it("counts finished steps against the total and prints each change with the elapsed time", () => {
        const { state, lines } = run([pre("vm1", "create"), pre("vm2", "create"), outputs("vm1", "create"), outputs("vm2", "create")], 5);
        assert.strictEqual(state.done, 2);
        assert.strictEqual(state.inFlight.size, 0);
        assert.deepStrictEqual(lines, ["[3:03] 1/5 create vm1", "[4:04] 2/5 create vm2"]);
    });

    it("a remembered total that turns out too small gives way to the count alone", () => {
        const { lines } = run([outputs("vm1", "create"), outputs("vm2", "create")], 1);
        assert.deepStrictEqual(lines.map((l) => l.replace(/^\[[\d:]+\] /, "")), ["1/1 create vm1", "2 create vm2"]);
    });

    it("counts unchanged resources without printing them", () => {
        const { state, lines } = run([pre("vm1", "same"), outputs("vm1", "same")]);
        assert.strictEqual(state.done, 1);
        assert.deepStrictEqual(lines, []);
    });

    it("shows the steps in flight on the live line, and failures on their own line", () => {
        const { state, lines } = run([pre("vm1", "create"), pre("bench", "replace"), failed("vm1", "create")]);
        assert.deepStrictEqual(lines, ["[3:03] FAILED create vm1"]);
        assert.strictEqual(state.failed, 1);
        assert.strictEqual(formatLine(state, 200_000), "[3:20] 0 resources done; in flight: replace bench");
        assert.strictEqual(formatLine(state, 200_000, 20), "[3:20] 0 resources …");
    });

    it("prints engine errors with the resource they belong to", () => {
        const diag = { sequence: 0, timestamp: 0, diagnosticEvent: { urn: URN("vm3"), message: "boom\n", color: "never", severity: "error" } } as unknown as EngineEvent;
        assert.deepStrictEqual(run([diag]).lines, ["[1:01] error: vm3: boom"]);
    });

    it("components are counted when done but never listed in flight", () => {
        // As the engine sends them: `custom` is omitted for components (Go's omitempty).
        const ev = (name: string, type: string, custom?: boolean) =>
            ({ sequence: 0, timestamp: 0, resourcePreEvent: { metadata: { urn: URN(name), op: "create", type, provider: "", new: { type, urn: URN(name), ...(custom ? { custom } : {}) } } } }) as unknown as EngineEvent;
        const { state } = run([
            ev("pairbench-bench", "pairbench:benchmarks:BenchmarkSuite"),
            ev("default_1_2_1", "pulumi:providers:command", true),
            ev("vm1-lease", "command:remote:Command", true),
            pre("vm2", "create"),
        ]);
        assert.deepStrictEqual([...state.inFlight.keys()], [URN("vm1-lease"), URN("vm2")]);
    });

    it("provider resources are not counted (a preview's total leaves them out)", () => {
        const provider = { sequence: 0, timestamp: 0, resOutputsEvent: { metadata: { urn: URN("default_1_2_1"), op: "create", type: "pulumi:providers:command", provider: "" } } } as unknown as EngineEvent;
        assert.strictEqual(run([provider, outputs("vm1", "create")], 1).state.done, 1);
    });

    it("the total comes from a preview's change summary", () => {
        assert.strictEqual(totalFromChanges({ create: 30, same: 2, replace: 1 }), 33);
        assert.strictEqual(totalFromChanges(undefined), undefined);
    });

    it("verbose also prints unchanged steps and the engine's info messages", () => {
        const info = { sequence: 0, timestamp: 0, diagnosticEvent: { urn: URN("vm1-ready"), message: "vm1 5.10.0\n", color: "never", severity: "info" } } as unknown as EngineEvent;
        let state = initialState(0);
        const lines: string[] = [];
        for (const e of [pre("vm1", "same"), outputs("vm1", "same"), info]) {
            const c = reduce(state, e, 61_000, true);
            state = c.state;
            if (c.line) lines.push(c.line);
        }
        assert.deepStrictEqual(lines, ["[1:01] 1 same vm1", "[1:01] info: vm1-ready: vm1 5.10.0"]);
        assert.deepStrictEqual(run([info]).lines, []);
    });

    it("CI=true (any value but empty, 0 or false) means plain lines", () => {
        assert.deepStrictEqual([{ CI: "true" }, { CI: "1" }, { CI: "false" }, { CI: "0" }, {}].map(isCi), [true, true, false, false, false]);
    });

    it("plain mode prints a heartbeat line naming the steps in flight", async () => {
        const written: string[] = [];
        const stream = { write: (t: string) => written.push(t) > 0, isTTY: false } as unknown as NodeJS.WritableStream;
        const p = new ProgressPrinter(stream, { total: 4, live: false, heartbeatMs: 20 });
        p.onEvent(pre("vm1-lease", "create"));
        await new Promise((r) => setTimeout(r, 70));
        p.stop();
        assert.ok(written.length >= 2, written.join(""));
        assert.match(written[0]!, /^\[0:00\] 0\/4 resources done; in flight: create vm1-lease\n$/);
    });
});

import * as assert from "assert";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { formatLine, initialState, ProgressState, reduce } from "../../../automation/progress";

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
});

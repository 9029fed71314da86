// The progress total remembered from an up from an empty stack, in place of a preview.
import * as assert from "assert";
import { EventEmitter } from "events";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { knownTotal, programFingerprint, ProgressTotals } from "../../../automation/progressTotals";
import { StackLike, upWithProgress } from "../../../automation/stackOps";

const emptyState = { version: 3, deployment: { resources: [] } };
const oneResource = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:dev::pairbench::pulumi:pulumi:Stack::pairbench-dev", type: "pulumi:pulumi:Stack" }] } };

describe("progress totals without a preview", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-totals-"));
        fs.writeFileSync(path.join(dir, "index.ts"), "export const x = 1;\n");
        fs.mkdirSync(path.join(dir, "components"));
        fs.writeFileSync(path.join(dir, "components", "a.ts"), "a\n");
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("keeps one total per key, the newest 20, and reads a broken file as empty", () => {
        const file = path.join(dir, "state", "totals.json");
        const totals = new ProgressTotals(file);
        assert.strictEqual(totals.get("a"), undefined);
        totals.put("a", 97);
        totals.put("a", 98);
        assert.strictEqual(totals.get("a"), 98);
        for (let i = 0; i < 25; i++) totals.put(`k${i}`, i + 1);
        assert.strictEqual(totals.get("a"), undefined, "the oldest key went");
        assert.strictEqual(totals.get("k24"), 25);
        assert.strictEqual(JSON.parse(fs.readFileSync(file, "utf8")).length, 20);
        fs.writeFileSync(file, "{not json");
        assert.strictEqual(totals.get("k24"), undefined);
    });

    it("the program's fingerprint changes when a file of it changes, and not otherwise", () => {
        const before = programFingerprint(dir);
        assert.match(before, /^components\/a\.ts:2:/m);
        assert.strictEqual(programFingerprint(dir), before);
        fs.writeFileSync(path.join(dir, "components", "a.ts"), "ab\n");
        assert.notStrictEqual(programFingerprint(dir), before);
    });

    it("only an empty stack gets a total; the run id does not change the key, other overrides and the stack file do", async () => {
        const where = { projectDir: dir, stateDir: path.join(dir, ".pairbench"), stackName: "dev" };
        const empty = { exportStack: async () => emptyState };
        assert.strictEqual(await knownTotal({ exportStack: async () => oneResource }, where, {}), undefined);
        assert.strictEqual(await knownTotal({ exportStack: async () => Promise.reject(new Error("no stack")) }, where, {}), undefined);
        const first = await knownTotal(empty, where, { runId: "r1" });
        assert.strictEqual(first?.total, undefined, "nothing remembered yet");
        first!.record(97);
        assert.strictEqual((await knownTotal(empty, where, { runId: "r2" }))?.total, 97);
        assert.strictEqual((await knownTotal(empty, where, { runId: "r2", benchmark: { rounds: 2 } }))?.total, undefined);
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {a: 1}\n");
        assert.strictEqual((await knownTotal(empty, where, { runId: "r3" }))?.total, undefined);
    });

    it("up uses a known total instead of a preview, and records the count of a successful up", async () => {
        const recorded: number[] = [];
        let previews = 0;
        const stack = {
            preview: async () => {
                previews++;
                return { stdout: "", stderr: "", changeSummary: { create: 5 } };
            },
            up: async () => ({ stdout: "", stderr: "", summary: { result: "succeeded", resourceChanges: { create: 5 } }, outputs: {} }),
        } as unknown as StackLike;
        const io = { out: () => undefined, stream: Object.assign(new EventEmitter(), { write: () => true, isTTY: false }) as unknown as NodeJS.WritableStream };
        await upWithProgress(stack, io, { known: { total: 5, record: (n) => recorded.push(n) } });
        assert.strictEqual(previews, 0);
        await upWithProgress(stack, io, { known: { record: (n) => recorded.push(n) } });
        assert.strictEqual(previews, 1, "no known total: a preview");
        assert.deepStrictEqual(recorded, [5, 5]);
    });
});

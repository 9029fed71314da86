// The runner: commands without a shell, errors with the stderr tail, bounded waits, progress lines.
import * as assert from "assert";
import { LabCommandError, Progress, run, waitFor } from "../../../lab/runner";

describe("lab runner", () => {
    it("passes arguments through without a shell and returns stdout", async () => {
        const r = await run(["printf", "%s|", "a b", "$(echo no)", ";"]);
        assert.strictEqual(r.stdout, "a b|$(echo no)|;|");
    });

    it("fails naming the command and the tail of its stderr; allowFail returns the code", async () => {
        await assert.rejects(run(["sh", "-c", "echo one >&2; echo two >&2; exit 3"]), (e: unknown) => {
            assert.ok(e instanceof LabCommandError);
            assert.match(e.message, /^command failed \(exit 3\): sh -c .*\none\ntwo$/);
            return true;
        });
        assert.strictEqual((await run(["false"], { allowFail: true })).code, 1);
        await assert.rejects(run(["/nonexistent/tool"]), /cannot run \/nonexistent\/tool/);
    });

    it("waits with backoff and times out with the last error", async () => {
        let n = 0;
        assert.strictEqual(await waitFor("x", 2000, async () => (++n >= 3 ? "ok" : undefined)), "ok");
        await assert.rejects(
            waitFor("the thing", 200, async () => {
                throw new Error("still broken");
            }),
            /timeout after 0 s waiting for the thing: still broken/,
        );
    });

    it("prints one line per step with elapsed and step time, and names a failed step", async () => {
        const lines: string[] = [];
        const p = new Progress((l) => lines.push(l));
        assert.strictEqual(await p.step("first", async () => 7, (v) => `got ${v}`), 7);
        await assert.rejects(p.step("second", async () => Promise.reject(new Error("boom"))), { message: "second: boom" });
        assert.match(lines[0]!, /^\[ +\d+\.\ds\] first: got 7 \(\d+\.\ds\)$/);
        assert.match(lines[1]!, /^\[ +\d+\.\ds\] second: FAILED$/);
    });
});

import * as assert from "assert";
import { execFileSync } from "child_process";
import fc from "fast-check";
import { asRoot, shellAnd, shellArg, shellCommand } from "../../../components/shell";

/** What bash really receives as argv for a command line. */
function argvSeenByBash(line: string): string[] {
    const out = execFileSync("bash", ["-c", line], { encoding: "utf8" });
    return out === "" ? [] : out.split("\0").slice(0, -1);
}

describe("shell quoting", function () {
    // 200 bash runs; on a loaded machine that takes longer than mocha's default 2 s.
    this.timeout(60_000);
    it("quotes values so bash receives them unchanged (property)", () => {
        fc.assert(
            fc.property(fc.array(fc.string({ unit: "binary" }).filter((s) => !s.includes("\0")), { minLength: 1, maxLength: 4 }), (args) => {
                const line = shellCommand(["printf", "%s\\0", ...args]);
                assert.deepStrictEqual(argvSeenByBash(line), args);
            }),
            { numRuns: 200 },
        );
    });

    it("keeps metacharacters inert", () => {
        const evil = ["$(touch /tmp/pairbench-pwned)", "`id`", "a; rm -rf /", "x' || true '", "*", "~root", "\n"];
        assert.deepStrictEqual(argvSeenByBash(shellCommand(["printf", "%s\\0", ...evil])), evil);
    });

    it("keeps an empty string as one argument and rejects NUL", () => {
        assert.strictEqual(shellArg(""), "''");
        assert.throws(() => shellArg("a\0b"), /NUL/);
        assert.throws(() => shellCommand([]), /program name/);
    });

    it("uses sudo -n only for non-root users", () => {
        assert.strictEqual(asRoot("root", ["virsh", "start", "vm1"]), "virsh start vm1");
        assert.strictEqual(asRoot("bench", ["virsh", "start", "vm 1"]), "sudo -n -- virsh start 'vm 1'");
        assert.strictEqual(shellAnd("a", "", "b"), "a && b");
    });
});

// The newc cpio writer: what the kernel (and GNU cpio) read back, byte-for-byte determinism.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fc from "fast-check";
import { CpioEntry, cpioArchive, listCpio, normalizeArchivePath } from "../../../../lab/guest/cpio";

const entries: CpioEntry[] = [
    { kind: "dir", path: "/bin", mode: 0o755 },
    { kind: "file", path: "/bin/hello", mode: 0o755, data: Buffer.from("#!/bin/sh\necho hi\n") },
    { kind: "symlink", path: "/init", target: "bin/hello" },
    { kind: "dir", path: "/dev", mode: 0o755 },
    { kind: "chardev", path: "/dev/console", mode: 0o600, major: 5, minor: 1 },
];

describe("cpio (newc)", () => {
    it("reads back names, modes and contents, and ends with the trailer", () => {
        const archive = cpioArchive(entries);
        assert.strictEqual(archive.length % 4, 0);
        const back = listCpio(archive);
        assert.deepStrictEqual(back.map((e) => [e.path, e.mode.toString(8)]), [
            ["bin", "40755"],
            ["bin/hello", "100755"],
            ["init", "120777"],
            ["dev", "40755"],
            ["dev/console", "20600"],
        ]);
        assert.strictEqual(back[1]!.data.toString(), "#!/bin/sh\necho hi\n");
        assert.strictEqual(back[2]!.data.toString(), "bin/hello");
        assert.ok(archive.includes(Buffer.from("TRAILER!!!\0")));
    });

    it("is what GNU cpio lists (when cpio is installed)", function () {
        const r = spawnSync("cpio", ["-it", "--quiet"], { input: cpioArchive(entries), encoding: "utf8" });
        if (r.error) this.skip();
        assert.strictEqual(r.status, 0, r.stderr);
        assert.deepStrictEqual(r.stdout.trim().split("\n"), ["bin", "bin/hello", "init", "dev", "dev/console"]);
    });

    it("gives the same bytes for the same entries", () => {
        fc.assert(
            fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (blobs) => {
                const es: CpioEntry[] = blobs.map((b, i) => ({ kind: "file", path: `f${i}`, mode: 0o644, data: Buffer.from(b) }));
                const a = cpioArchive(es);
                assert.ok(a.equals(cpioArchive(es)));
                assert.deepStrictEqual(listCpio(a).map((e) => [...e.data]), blobs.map((b) => [...b]));
            }),
        );
    });

    it("rejects duplicates, entries before their directory and escaping paths", () => {
        assert.throws(() => cpioArchive([entries[0]!, entries[0]!]), /duplicate archive path 'bin'/);
        assert.throws(() => cpioArchive([entries[1]!]), /'bin\/hello' comes before its directory 'bin'/);
        assert.throws(() => normalizeArchivePath("/a/../b"), /invalid archive path/);
        assert.strictEqual(normalizeArchivePath("/./usr//lib/"), "usr/lib");
    });
});

// A cpio archive in the "newc" format the Linux kernel unpacks as an initramfs. Pure and
// deterministic: inode numbers count up, times, owners and devices are zero, so the same
// entries always give the same bytes (the image's hash depends only on its inputs).
//
// Format (kernel Documentation/driver-api/early-userspace/buffer-format.rst): per entry a
// 110-byte ASCII header ("070701" and 13 eight-digit hex fields), the NUL-terminated name,
// padding to 4 bytes, the data, padding to 4 bytes; the archive ends with "TRAILER!!!".

export type CpioEntry =
    | { readonly kind: "dir"; readonly path: string; readonly mode: number }
    | { readonly kind: "file"; readonly path: string; readonly mode: number; readonly data: Buffer }
    | { readonly kind: "symlink"; readonly path: string; readonly target: string }
    | { readonly kind: "chardev"; readonly path: string; readonly mode: number; readonly major: number; readonly minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const hex8 = (n: number) => {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`cpio field out of range: ${n}`);
    return n.toString(16).padStart(8, "0");
};
const pad4 = (n: number) => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, nlink: number, size: number, rdev: [number, number], nameSize: number): string {
    // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
    return "070701" + [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev[0], rdev[1], nameSize, 0].map(hex8).join("");
}

function record(ino: number, name: string, mode: number, nlink: number, data: Buffer, rdev: [number, number] = [0, 0]): Buffer[] {
    const nameBytes = Buffer.from(`${name}\0`, "utf8");
    const head = Buffer.from(header(ino, mode, nlink, data.length, rdev, nameBytes.length), "ascii");
    const parts: Buffer[] = [head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length))];
    if (data.length > 0) parts.push(data, Buffer.alloc(pad4(data.length)));
    return parts;
}

/** Archive paths are relative ("bin/sh"), without "./", "..", or empty components. */
export function normalizeArchivePath(p: string): string {
    const parts = p.split("/").filter((x) => x !== "" && x !== ".");
    if (parts.length === 0 || parts.includes("..")) throw new Error(`invalid archive path '${p}'`);
    return parts.join("/");
}

/**
 * The archive of the entries in the given order (a directory must come before what it holds;
 * the kernel does not create missing parents). Duplicate paths are an error.
 */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
    const parts: Buffer[] = [];
    const seen = new Set<string>();
    let ino = 1;
    for (const e of entries) {
        const name = normalizeArchivePath(e.path);
        if (seen.has(name)) throw new Error(`duplicate archive path '${name}'`);
        const parent = name.includes("/") ? name.slice(0, name.lastIndexOf("/")) : undefined;
        if (parent !== undefined && !seen.has(parent)) throw new Error(`'${name}' comes before its directory '${parent}'`);
        seen.add(name);
        switch (e.kind) {
            case "dir":
                parts.push(...record(ino++, name, S_IFDIR | (e.mode & 0o7777), 2, Buffer.alloc(0)));
                break;
            case "file":
                parts.push(...record(ino++, name, S_IFREG | (e.mode & 0o7777), 1, e.data));
                break;
            case "symlink":
                parts.push(...record(ino++, name, S_IFLNK | 0o777, 1, Buffer.from(e.target, "utf8")));
                break;
            case "chardev":
                parts.push(...record(ino++, name, S_IFCHR | (e.mode & 0o7777), 1, Buffer.alloc(0), [e.major, e.minor]));
                break;
            default: {
                const unknown: never = e;
                throw new Error(`unknown cpio entry kind ${(unknown as { kind: string }).kind}`);
            }
        }
    }
    parts.push(...record(0, "TRAILER!!!", 0, 1, Buffer.alloc(0)));
    return Buffer.concat(parts);
}

/** Reads back a newc archive's names, kinds and sizes (for tests and `lab image --list`). */
export function listCpio(archive: Buffer): Array<{ path: string; mode: number; size: number; data: Buffer }> {
    const out: Array<{ path: string; mode: number; size: number; data: Buffer }> = [];
    let off = 0;
    for (;;) {
        const head = archive.subarray(off, off + 110).toString("ascii");
        if (!head.startsWith("070701")) throw new Error(`bad cpio magic at offset ${off}`);
        const field = (i: number) => parseInt(head.slice(6 + i * 8, 14 + i * 8), 16);
        const mode = field(1);
        const size = field(6);
        const nameSize = field(11);
        const name = archive.subarray(off + 110, off + 110 + nameSize - 1).toString("utf8");
        off += 110 + nameSize;
        off += pad4(off);
        const data = archive.subarray(off, off + size);
        off += size + pad4(size);
        if (name === "TRAILER!!!") return out;
        out.push({ path: name, mode, size, data });
    }
}

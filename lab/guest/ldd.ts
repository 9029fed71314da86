// The shared libraries a binary needs, from `ldd` output, and where they go in the guest. Pure.

/** Library paths (as ldd resolved them) from `ldd BINARY` output; a missing library is an error. */
export function parseLdd(binary: string, output: string): string[] {
    const libs: string[] = [];
    for (const raw of output.split("\n")) {
        const line = raw.trim();
        if (line === "" || /statically linked|not a dynamic executable/.test(line)) continue;
        if (/=>\s*not found/.test(line)) throw new Error(`${binary}: shared library ${line.split(/\s/)[0]} not found`);
        // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
        const arrow = /=>\s*(\/\S+)/.exec(line);
        const direct = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
        const lib = arrow?.[1] ?? direct?.[1];
        // linux-vdso.so.1 has no file: the kernel maps it.
        if (lib !== undefined && !libs.includes(lib)) libs.push(lib);
    }
    return libs;
}

/**
 * Where a host library goes in the guest. The guest uses Debian's merged /usr (`/lib` and
 * `/lib64` are links into /usr), so `/lib/x/libc.so.6` and `/usr/lib/x/libc.so.6` are one file.
 */
export function guestLibraryPath(hostPath: string): string {
    if (!hostPath.startsWith("/")) throw new Error(`library path '${hostPath}' is not absolute`);
    return hostPath.startsWith("/usr/") ? hostPath : `/usr${hostPath}`;
}

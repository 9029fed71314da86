// What the guest image is made from on the host: Debian's packages, by path, and the kernel
// package apt would install. The parsers are pure; the two apt-cache queries run commands.
import { run } from "../runner";

/** The metapackage whose dependency names the current Debian kernel (linux-image-<release>). */
export const KERNEL_META_PACKAGE = "linux-image-amd64";

/** busybox-static's binary: statically linked, so it needs no libraries in the guest. */
export const HOST_BUSYBOX = "/bin/busybox";

/** Programs copied into the guest (with their shared libraries): guest path, host path, package. */
export const GUEST_PROGRAMS: ReadonlyArray<{ readonly path: string; readonly source: string; readonly pkg: string }> = [
    // Debian installs ignition only for dracut, under the module directory.
    { path: "/usr/bin/ignition", source: "/usr/lib/dracut/modules.d/30ignition/ignition", pkg: "ignition" },
    // Ignition runs `usermod --root ROOT root` for the root user it configures.
    { path: "/usr/sbin/usermod", source: "/usr/sbin/usermod", pkg: "passwd" },
    { path: "/usr/sbin/dropbear", source: "/usr/sbin/dropbear", pkg: "dropbear-bin" },
    { path: "/usr/bin/dropbearkey", source: "/usr/bin/dropbearkey", pkg: "dropbear-bin" },
    { path: "/usr/bin/iperf3", source: "/usr/bin/iperf3", pkg: "iperf3" },
    { path: "/usr/bin/sockperf", source: "/usr/bin/sockperf", pkg: "sockperf" },
    // Debian's busybox-static has no nohup applet; the benchmarks start servers with it.
    { path: "/usr/bin/nohup", source: "/usr/bin/nohup", pkg: "coreutils" },
];

/** The first `Depends: linux-image-…` of `apt-cache depends linux-image-amd64`. */
export function parseKernelDependency(output: string): string {
    for (const line of output.split("\n")) {
        const m = /^\s*\|?Depends:\s*(linux-image-\S+)/.exec(line);
        if (m && !m[1]!.startsWith("<")) return m[1]!;
    }
    throw new Error(`no linux-image dependency in apt-cache output:\n${output.trim()}`);
}

/** The candidate version from `apt-cache policy PKG`. */
export function parseCandidateVersion(pkg: string, output: string): string {
    const m = /^\s*Candidate:\s*(\S+)/m.exec(output);
    if (!m || m[1] === "(none)") throw new Error(`apt knows no candidate version of ${pkg}; run apt-get update`);
    return m[1]!;
}

export async function aptDependency(meta: string): Promise<string> {
    return parseKernelDependency((await run(["apt-cache", "depends", meta])).stdout);
}

export async function aptVersion(pkg: string): Promise<string> {
    return parseCandidateVersion(pkg, (await run(["apt-cache", "policy", pkg])).stdout);
}

// The Debian packages the emulated lab and the guest image need. Pure: the list and the parser
// of `dpkg-query` output; lab.ts installs what is missing.
//
// Not libvirt-daemon-system: it creates the libvirt-qemu user and starts a host libvirtd on the
// host's /run/libvirt. The lab's daemons come from libvirt-daemon and run in private mount
// namespaces with their own sockets and pid files, so a host libvirtd (if someone installed one)
// never shares anything with them.
export interface LabPackage {
    readonly name: string;
    readonly why: string;
}

export const LAB_PACKAGES: readonly LabPackage[] = [
    { name: "iproute2", why: "network namespaces, veths, bridges" },
    { name: "util-linux", why: "unshare and nsenter (the private mount namespaces), findmnt" },
    { name: "libvirt-daemon", why: "libvirtd and virtlogd of each emulated hypervisor" },
    { name: "libvirt-daemon-driver-qemu", why: "libvirt's QEMU driver" },
    { name: "libvirt-clients", why: "virsh" },
    { name: "qemu-system-x86", why: "the VMs (TCG)" },
    { name: "qemu-utils", why: "qemu-img (overlays)" },
    { name: "dnsmasq-base", why: "DHCP on libvirt's default network" },
    { name: "iptables", why: "libvirt 9's NAT rules for the default network" },
    { name: "nftables", why: "nft, as on Gardenlinux hypervisors" },
    { name: "openssh-server", why: "sshd of each emulated hypervisor" },
    { name: "openssh-client", why: "ssh-keygen" },
    { name: "ignition", why: "the guest's provisioning (Debian's real ignition)" },
    { name: "passwd", why: "usermod, which ignition runs for users" },
    { name: "dropbear-bin", why: "the guest's SSH server" },
    { name: "busybox-static", why: "the guest's userland" },
    { name: "iperf3", why: "throughput benchmarks in the guest" },
    { name: "sockperf", why: "latency benchmarks in the guest" },
    { name: "libc-bin", why: "ldd (the guest's shared libraries)" },
    { name: "xz-utils", why: "xz: the guest kernel is booted uncompressed (PVH)" },
];

/**
 * The packages of `dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n'` output that are not
 * fully installed ("ii"), plus the wanted ones dpkg does not know at all.
 */
export function missingPackages(wanted: readonly string[], dpkgOutput: string): string[] {
    const installed = new Set<string>();
    for (const line of dpkgOutput.split("\n")) {
        const [name, status] = line.trim().split(/\s+/);
        // Multi-arch packages are reported as name:arch.
        if (name && status?.startsWith("ii")) installed.add(name.replace(/:.*$/, ""));
    }
    return wanted.filter((p) => !installed.has(p));
}

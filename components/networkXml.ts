// libvirt's `default` network as the dpservice suite sets it up (prepare_hypervisor.sh): NAT,
// bridge virbr0, 192.168.122.0/24 with DHCP, so every VM's management NIC gets a lease that the
// hypervisor can see. Pure: plain data in, XML out (xmlbuilder2).
import { create } from "xmlbuilder2";

export interface NetworkSpec {
    /** Defaults to `default`, the network the domains' management NICs join. */
    readonly name: string;
    /** Defaults to `virbr0`. */
    readonly bridge: string;
    /** The bridge's MAC; the seed's value, so a host keeps it across redefinitions. */
    readonly mac: string;
    readonly address: string;
    readonly netmask: string;
    readonly dhcpStart: string;
    readonly dhcpEnd: string;
}

/** The seed's network (dpservice docs / prepare_hypervisor.sh), without its fixed UUID. */
export const DEFAULT_NETWORK: NetworkSpec = {
    name: "default",
    bridge: "virbr0",
    mac: "52:54:00:8c:3c:6f",
    address: "192.168.122.1",
    netmask: "255.255.255.0",
    dhcpStart: "192.168.122.2",
    dhcpEnd: "192.168.122.254",
};

/**
 * The network XML. No UUID: libvirt assigns one, and a UUID copied to every host (as the seed
 * does) would make them look like one network. Elements and attributes come in the order
 * `virsh net-dumpxml` prints them, so the two can be compared as text (see networkScripts).
 */
export function buildNetworkXml(spec: NetworkSpec = DEFAULT_NETWORK): string {
    const net = create().ele("network");
    net.ele("name").txt(spec.name);
    net.ele("forward", { mode: "nat" }).ele("nat").ele("port", { start: "1024", end: "65535" });
    net.ele("bridge", { name: spec.bridge, stp: "on", delay: "0" });
    net.ele("mac", { address: spec.mac });
    net.ele("ip", { address: spec.address, netmask: spec.netmask })
        .ele("dhcp")
        .ele("range", { start: spec.dhcpStart, end: spec.dhcpEnd });
    return net.end({ prettyPrint: true, headless: true, indent: "  " }) + "\n";
}

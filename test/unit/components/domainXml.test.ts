import * as assert from "assert";
import { XMLParser } from "fast-xml-parser";
import { buildDomainXml, DomainSpec } from "../../../components/domainXml";

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" });
const parse = (xml: string) => parser.parse(xml).domain;

const base: DomainSpec = {
    name: "vm1",
    type: "kvm",
    memoryMiB: 8192,
    vcpus: 4,
    disk: { path: "/var/lib/pairbench/vms/vm1/disk.qcow2" },
    boot: { kind: "disk" },
    managementMac: "02:11:22:33:44:55",
    testNic: { kind: "vf", address: { domain: 0, bus: 0x8a, slot: 0x01, function: 6 } },
    ignitionFile: "/var/lib/pairbench/vms/vm1/ignition.json",
    consoleLog: "/var/lib/pairbench/vms/vm1/console.log",
};

describe("domain XML", () => {
    it("has the lab VM's type, size, machine and host-model CPU", () => {
        const d = parse(buildDomainXml(base));
        assert.strictEqual(d["@type"], "kvm");
        assert.strictEqual(d.name, "vm1");
        assert.deepStrictEqual(d.memory, { "#text": 8192, "@unit": "MiB" });
        assert.strictEqual(d.vcpu["#text"], 4);
        assert.strictEqual(d.os.type["@machine"], "q35");
        assert.strictEqual(d.os.boot["@dev"], "hd");
        assert.strictEqual(d.cpu["@mode"], "host-model");
    });

    it("passes ignition by fw_cfg file, with ACPI and without an smbios mode (libvirt would refuse to start)", () => {
        const d = parse(buildDomainXml(base));
        assert.deepStrictEqual(d.sysinfo, {
            "@type": "fwcfg",
            entry: { "@name": "opt/com.coreos/config", "@file": "/var/lib/pairbench/vms/vm1/ignition.json" },
        });
        assert.strictEqual(d.features.acpi, "");
        assert.strictEqual(d.os.smbios, undefined);
    });

    it("boots from a qcow2 overlay on virtio and logs the serial console", () => {
        const dev = parse(buildDomainXml(base)).devices;
        assert.strictEqual(dev.disk.driver["@type"], "qcow2");
        assert.strictEqual(dev.disk.source["@file"], "/var/lib/pairbench/vms/vm1/disk.qcow2");
        assert.strictEqual(dev.disk.target["@bus"], "virtio");
        assert.strictEqual(dev.serial.log["@file"], "/var/lib/pairbench/vms/vm1/console.log");
    });

    it("puts the management NIC on the default network and the VF through as a managed hostdev", () => {
        const dev = parse(buildDomainXml(base)).devices;
        assert.strictEqual(dev.interface["@type"], "network");
        assert.strictEqual(dev.interface.source["@network"], "default");
        assert.strictEqual(dev.interface.mac["@address"], "02:11:22:33:44:55");
        assert.strictEqual(dev.hostdev["@managed"], "yes");
        assert.strictEqual(dev.hostdev.driver["@name"], "vfio");
        assert.deepStrictEqual(dev.hostdev.source.address, { "@domain": "0x0000", "@bus": "0x8a", "@slot": "0x01", "@function": "0x6" });
    });

    it("dev: qemu (TCG) without a host CPU, direct kernel boot, bridge test NIC, no disk", () => {
        const d = parse(
            buildDomainXml({
                ...base,
                type: "qemu",
                disk: undefined,
                boot: { kind: "kernel", kernel: "/i/k.vmlinuz", initrd: "/i/i.initrd", cmdline: "console=ttyS0 quiet" },
                testNic: { kind: "bridge", bridge: "pb-vni66", mac: "02:00:00:00:00:09" },
            } as DomainSpec),
        );
        assert.strictEqual(d["@type"], "qemu");
        assert.strictEqual(d.cpu, undefined);
        assert.deepStrictEqual([d.os.kernel, d.os.initrd, d.os.cmdline], ["/i/k.vmlinuz", "/i/i.initrd", "console=ttyS0 quiet"]);
        assert.strictEqual(d.os.boot, undefined);
        assert.strictEqual(d.devices.disk, undefined);
        const [mgmt, test] = d.devices.interface;
        assert.strictEqual(mgmt.source["@network"], "default");
        assert.deepStrictEqual([test["@type"], test.source["@bridge"], test.mac["@address"]], ["bridge", "pb-vni66", "02:00:00:00:00:09"]);
    });

    it("escapes values instead of letting them change the document", () => {
        const xml = buildDomainXml({ ...base, boot: { kind: "kernel", kernel: "/k", cmdline: `a="</cmdline><x/>" & b` }, disk: undefined } as DomainSpec);
        assert.strictEqual(parse(xml).os.cmdline, `a="</cmdline><x/>" & b`);
    });

    it("is deterministic", () => {
        assert.strictEqual(buildDomainXml(base), buildDomainXml({ ...base }));
        const permuted = Object.fromEntries(Object.entries(base).reverse()) as unknown as DomainSpec;
        assert.strictEqual(buildDomainXml(permuted), buildDomainXml(base));
    });

    it("rejects a broken spec listing every problem", () => {
        assert.throws(
            () => buildDomainXml({ ...base, name: "VM 1", vcpus: 0, managementMac: "nope", ignitionFile: "rel.json" }),
            {
                message:
                    "invalid domain spec for VM 1: name 'VM 1' must match [a-z0-9][a-z0-9-]*; vcpus must be a whole number ≥ 1; " +
                    "managementMac 'nope' is not a MAC address; ignitionFile 'rel.json' must be an absolute path",
            },
        );
    });
});

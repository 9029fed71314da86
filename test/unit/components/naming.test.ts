import * as assert from "assert";
import fc from "fast-check";
import { NAME_PATTERN } from "../../../config/schema";
import { deterministicMac, hypervisorPaths, imagePath, parsePciAddress, parseVfRef, vmPaths } from "../../../components/naming";
import { buildNetworkXml } from "../../../components/networkXml";

const names = fc.stringMatching(NAME_PATTERN).filter((s) => s.length <= 63);

describe("naming", () => {
    it("derives locally administered unicast MACs, stable per stack, VM and role (property)", () => {
        fc.assert(
            fc.property(names, names, fc.constantFrom("mgmt" as const, "test" as const), (stack, vm, role) => {
                const mac = deterministicMac(stack, vm, role);
                assert.match(mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
                const first = parseInt(mac.slice(0, 2), 16);
                assert.strictEqual(first & 0b11, 0b10, `${mac}: locally administered, unicast`);
                assert.strictEqual(deterministicMac(stack, vm, role), mac);
            }),
        );
        assert.notStrictEqual(deterministicMac("dev", "vm1", "mgmt"), deterministicMac("lab", "vm1", "mgmt"));
        assert.notStrictEqual(deterministicMac("dev", "vm1", "mgmt"), deterministicMac("dev", "vm1", "test"));
        assert.notStrictEqual(deterministicMac("dev", "vm1", "mgmt"), deterministicMac("dev", "vm2", "mgmt"));
    });

    it("parses dpservice's VF notation without computing the VF's address", () => {
        assert.deepStrictEqual(parseVfRef("0000:8a:00.0_representor_vf2"), { pf: "0000:8a:00.0", vf: 2 });
        assert.deepStrictEqual(parseVfRef("3b:00.1_representor_vf17"), { pf: "0000:3b:00.1", vf: 17 });
        assert.throws(() => parseVfRef("8a:00.0_vf2"), /not in dpservice's VF notation/);
    });

    it("parses sysfs PCI addresses, also past VF5 where the seed's arithmetic broke", () => {
        assert.deepStrictEqual(parsePciAddress("0000:8a:01.1\n"), { domain: 0, bus: 0x8a, slot: 1, function: 1 });
        assert.throws(() => parsePciAddress("no such file"), /'no such file' is not a PCI address/);
    });

    it("lays out the working directory and content-addressed images", () => {
        assert.deepStrictEqual(hypervisorPaths("/var/lib/pairbench/"), {
            workDir: "/var/lib/pairbench",
            ownerMarker: "/var/lib/pairbench/.pairbench-owned",
            images: "/var/lib/pairbench/images",
            incoming: "/var/lib/pairbench/incoming",
            state: "/var/lib/pairbench/state",
            vms: "/var/lib/pairbench/vms",
            networkXml: "/var/lib/pairbench/state/default-network.xml",
        });
        assert.strictEqual(vmPaths("/w", "vm1").overlay, "/w/vms/vm1/disk.qcow2");
        assert.strictEqual(imagePath("/w", "a".repeat(64), "raw"), `/w/images/${"a".repeat(64)}.raw`);
        assert.throws(() => imagePath("/w", "../x", "raw"), /not a sha256/);
    });

    it("builds the seed's default network without its fixed UUID", () => {
        const xml = buildNetworkXml();
        for (const part of ['<forward mode="nat">', '<port start="1024" end="65535"/>', '<bridge name="virbr0" stp="on" delay="0"/>',
            '<mac address="52:54:00:8c:3c:6f"/>', '<ip address="192.168.122.1" netmask="255.255.255.0">',
            '<range start="192.168.122.2" end="192.168.122.254"/>']) {
            assert.ok(xml.includes(part), part);
        }
        assert.ok(!xml.includes("uuid"));
    });
});

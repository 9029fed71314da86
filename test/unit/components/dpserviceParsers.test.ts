// dpservice-cli's JSON, parsed from fixtures shaped from the CLI's source
// (test/fixtures/dpservice-cli/README.md): the underlay address of interfaces, NATs, load
// balancers and lbprefixes, checks that dpservice made what was asked for, and clear errors.
import * as assert from "assert";
import fc from "fast-check";
import { InterfaceObject, LbPrefixObject, LbTargetObject, LoadBalancerObject, NatObject, RouteObject } from "../../../components/dpservice/cli";
import {
    jsonDocuments, parseBuiltImage, parseCreated, parseInstance, parseInterfaceCreated, parseLbPrefixCreated, parseLbTargetCreated,
    parseLoadBalancerCreated, parseNatCreated, parseRouteCreated,
} from "../../../components/dpservice/cliOutput";
import { canonicalIp, hostPrefix } from "../../../components/dpservice/topology";
import { fakeCreate, fixture } from "./dpserviceFakes";

const vm1: InterfaceObject = { kind: "interface", id: "vm1", vni: 66, ipv4: "192.168.129.5", ipv6: "2002::123", device: "0000:8a:00.0_representor_vf2" };
const vm3Nat: NatObject = { kind: "nat", interfaceId: "vm3", ip: "10.10.20.20", minPort: 10240, maxPort: 10360 };
const lb: LoadBalancerObject = { kind: "loadbalancer", id: "test-lb", vni: 66, vip: "10.20.30.30", ports: [{ protocol: "tcp", port: 5201 }, { protocol: "tcp", port: 50007 }] };
const lbPrefix: LbPrefixObject = { kind: "lbprefix", interfaceId: "vm3", prefix: "10.20.30.30/32" };
const lbTarget: LbTargetObject = { kind: "lbtarget", lbId: "test-lb", targetIp: "fc00:2::64:0:4" };
const route: RouteObject = { kind: "route", vni: 66, prefix: "172.32.4.9/32", nextHopIp: "fc00:2::64:0:1" };

/** The upstream test's underlay regex (remote_machine_operations.py): eight full groups. */
const UPSTREAM_REGEX = /(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}/;

describe("dpservice-cli output parsers", () => {
    it("interface: the underlay address, compressed as dpservice prints it (upstream's regex finds nothing)", () => {
        const out = fixture("create-interface.json");
        assert.deepStrictEqual(parseInterfaceCreated(out, vm1), { underlay: "fc00:1::64:0:1" });
        assert.strictEqual(UPSTREAM_REGEX.exec(out), null, "the bug this parser replaces");
        assert.deepStrictEqual(parseInterfaceCreated(fixture("create-interface-ipv4-only.json"), { ...vm1, id: "vm4", ipv4: "192.168.129.7", ipv6: undefined as never, device: "0000:8a:00.0_representor_vf3" }), { underlay: "fc00:1::64:0:4" });
    });

    it("NAT, load balancer and lbprefix: their underlay addresses; lbtarget and route: checked", () => {
        assert.deepStrictEqual(parseNatCreated(fixture("create-nat.json"), vm3Nat), { underlay: "fc00:2::64:0:2" });
        assert.deepStrictEqual(parseLoadBalancerCreated(fixture("create-loadbalancer.json"), lb), { underlay: "fc00:2::64:0:3" });
        assert.deepStrictEqual(parseLbPrefixCreated(fixture("create-lbprefix.json"), lbPrefix), { underlay: "fc00:2::64:0:4" });
        assert.deepStrictEqual(parseLbTargetCreated(fixture("create-lbtarget.json"), lbTarget), {});
        assert.deepStrictEqual(parseRouteCreated(fixture("create-route.json"), route), {});
        assert.deepStrictEqual(parseCreated(fixture("create-nat.json"), vm3Nat), { underlay: "fc00:2::64:0:2" });
    });

    it("the container step: container, start time and dpservice's init UUID", () => {
        const out = `${fixture("init.json")}${fixture("container-facts.json")}`;
        assert.deepStrictEqual(parseInstance(out), {
            container: "4f1c0de5b7a94c1e8a2d6b3f9e0c7a5d1b8e2f4a6c9d0e3b5a7f1c2d4e6b8a0f",
            startedAt: "2025-06-05T09:14:07.123456789Z",
            uuid: "3F2C9A1E-7B4D-4C6A-9E21-5D8B0F4A6C13",
            key: "4f1c0de5b7a94c1e8a2d6b3f9e0c7a5d1b8e2f4a6c9d0e3b5a7f1c2d4e6b8a0f 2025-06-05T09:14:07.123456789Z",
        });
        assert.throws(() => parseInstance(fixture("init.json")), /expected the container's facts in the output, found 0/);
        assert.deepStrictEqual(parseBuiltImage(`{"imageId":"sha256:${"ab".repeat(32)}","sha256":"${"cd".repeat(32)}"}\n`), { imageId: `sha256:${"ab".repeat(32)}`, sha256: "cd".repeat(32) });
        assert.throws(() => parseBuiltImage("Successfully built 1234\n"), /expected one JSON document per line, got 'Successfully built 1234'/);
    });

    it("a server error is an error with dpservice's code, not a missing field", () => {
        assert.throws(() => parseInterfaceCreated(fixture("get-interface-not-found.json"), { ...vm1, id: "vm9" }), /dpservice answered Interface with error 201 \(NOT_FOUND\)/);
        const refused = fixture("create-interface.json").replace('"status":{"code":0,"message":""}', '"status":{"code":202,"message":"ALREADY_EXISTS"}');
        assert.throws(() => parseInterfaceCreated(refused, vm1), /dpservice answered Interface with error 202 \(ALREADY_EXISTS\)/);
    });

    it("names what dpservice made differently from what was asked", () => {
        assert.throws(() => parseInterfaceCreated(fixture("create-interface.json"), { ...vm1, id: "vm2" }), /dpservice reports interface id "vm1", pairbench asked for "vm2"/);
        assert.throws(() => parseInterfaceCreated(fixture("create-interface.json"), { ...vm1, ipv6: "2002::124" }), /the IPv6 of interface vm1 "2002::123", pairbench asked for "2002::124"/);
        assert.throws(() => parseNatCreated(fixture("create-nat.json"), { ...vm3Nat, maxPort: 10400 }), /NAT port range of vm3 "10240-10360", pairbench asked for "10240-10400"/);
        assert.throws(() => parseLoadBalancerCreated(fixture("create-loadbalancer.json"), { ...lb, ports: [{ protocol: "udp", port: 5201 }] }), /the ports of load balancer test-lb "6\/5201,6\/50007", pairbench asked for "17\/5201"/);
        assert.throws(() => parseRouteCreated(fixture("create-route.json"), { ...route, nextHopIp: "fc00:2::64:0:9" }), /the next hop of 172\.32\.4\.9\/32/);
        assert.throws(() => parseNatCreated(fixture("create-interface.json"), vm3Nat), /expected one Nat document from dpservice-cli, found 0/);
        assert.throws(() => parseInterfaceCreated(fixture("create-interface.json").replace("fc00:1::64:0:1", "not-an-address"), vm1), /spec\.underlay_route: must be an IPv6 underlay address/);
    });

    it("accepts any spelling of the same IPv6 address and returns dpservice's compressed form", () => {
        const expanded = fixture("create-interface.json").replace("fc00:1::64:0:1", "FC00:0001:0000:0000:0000:0064:0000:0001").replace('"2002::123"', '"2002:0:0::123"');
        assert.deepStrictEqual(parseInterfaceCreated(expanded, vm1), { underlay: "fc00:1::64:0:1" });
        assert.strictEqual(canonicalIp("2002:0:0:0:0:0:0:123"), "2002::123");
        assert.strictEqual(hostPrefix("2003:0::123"), "2003::123/128");
        assert.strictEqual(hostPrefix("172.32.4.9"), "172.32.4.9/32");
    });

    it("property: every create the fake dpservice-cli answers parses back to the asked-for object", () => {
        const octet = fc.integer({ min: 0, max: 255 });
        const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join("."));
        const name = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/);
        fc.assert(
            fc.property(name, fc.integer({ min: 0, max: 2 ** 24 - 1 }), ipv4, fc.ipV6(), (id, vni, v4, v6) => {
                const o: InterfaceObject = { kind: "interface", id, vni, ipv4: v4, ipv6: v6, device: "0000:8a:00.0_representor_vf2" };
                const out = fakeCreate("interface", { id, vni: String(vni), ipv4: v4, ipv6: canonicalIp(v6), device: o.device });
                const { underlay } = parseInterfaceCreated(out, o);
                assert.strictEqual(underlay, canonicalIp(underlay));
                assert.strictEqual(jsonDocuments(out).length, 1);
            }),
            { numRuns: 200 },
        );
    });
});

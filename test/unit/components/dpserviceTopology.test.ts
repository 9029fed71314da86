// What the lab stack creates in its two dpservices, derived from the config, the pairs and the
// planned scenarios; and the plans that cannot work, named before anything is created.
import * as assert from "assert";
import { planScenarios } from "../../../benchmarks/scenarios";
import { planDpservice, ScenarioRef, TopologyError } from "../../../components/dpservice/topology";
import { planPairs } from "../../../components/plan";
import { stackConfig } from "./fixtures";

const brief = (r: { hypervisor: string; prefix: string; nextHop: unknown; purposes: readonly string[] }) =>
    `${r.hypervisor} ${r.prefix} via ${JSON.stringify(r.nextHop)} [${r.purposes.join(", ")}]`;

describe("dpservice topology", () => {
    it("lab, every scenario: interfaces, the pairs' routes, NAT and the load balancer", () => {
        const cfg = stackConfig("lab");
        const t = planDpservice(cfg, planPairs(cfg), planScenarios(cfg));
        assert.deepStrictEqual(t.hypervisors, ["hypervisor-1", "hypervisor-2"]);
        assert.deepStrictEqual(t.interfaces.map((i) => `${i.hypervisor} ${i.object.id} vni ${i.object.vni} ${i.object.ipv4} ${i.object.ipv6} ${i.object.device}`), [
            "hypervisor-1 vm1 vni 66 192.168.129.5 2002::123 0000:8a:00.0_representor_vf2",
            "hypervisor-1 vm2 vni 66 192.168.129.6 2002::124 0000:8a:00.0_representor_vf1",
            "hypervisor-2 vm3 vni 66 172.32.4.9 2003::123 0000:3b:00.0_representor_vf0",
        ]);
        assert.deepStrictEqual(t.routes.map(brief), [
            'hypervisor-1 172.32.4.9/32 via {"kind":"interface","vm":"vm3"} [pair vm1-vm3]',
            'hypervisor-1 2003::123/128 via {"kind":"interface","vm":"vm3"} [pair vm1-vm3]',
            'hypervisor-2 192.168.129.5/32 via {"kind":"interface","vm":"vm1"} [pair vm1-vm3, lb-cross-host]',
            'hypervisor-2 2002::123/128 via {"kind":"interface","vm":"vm1"} [pair vm1-vm3]',
            'hypervisor-2 0.0.0.0/0 via {"kind":"interface","vm":"vm2"} [nat-cross-host]',
            'hypervisor-1 10.10.20.20/32 via {"kind":"nat","vm":"vm3"} [nat-cross-host]',
            'hypervisor-1 10.20.30.30/32 via {"kind":"loadbalancer","hypervisor":"hypervisor-2"} [lb-cross-host]',
        ]);
        assert.ok(t.routes.every((r) => r.vni === 66));
        assert.deepStrictEqual(t.nats, [{ hypervisor: "hypervisor-2", object: { kind: "nat", interfaceId: "vm3", ip: "10.10.20.20", minPort: 10240, maxPort: 10360 } }]);
        assert.deepStrictEqual(t.loadBalancers, [{ hypervisor: "hypervisor-2", object: { kind: "loadbalancer", id: "test-lb", vni: 66, vip: "10.20.30.30", ports: [{ protocol: "tcp", port: 5201 }, { protocol: "tcp", port: 50007 }] } }]);
        assert.deepStrictEqual(t.lbPrefixes, [{ hypervisor: "hypervisor-2", object: { kind: "lbprefix", interfaceId: "vm3", prefix: "10.20.30.30/32" } }]);
        assert.deepStrictEqual(t.lbTargets, [{ hypervisor: "hypervisor-2", vm: "vm3", lbId: "test-lb" }]);
        assert.deepStrictEqual(t.loopbackVips, [{ vm: "vm3", ip: "10.20.30.30" }]);
        assert.deepStrictEqual(t.scenarioRoutes, {
            "nat-cross-host": ["hypervisor-2-route-vni66-0-0-0-0-0", "hypervisor-1-route-vni66-10-10-20-20-32"],
            "lb-cross-host": ["hypervisor-1-route-vni66-10-20-30-30-32", "hypervisor-2-route-vni66-192-168-129-5-32"],
        });
        assert.deepStrictEqual([t.natScenario, t.lbScenario], [{ name: "nat-cross-host", vm: "vm3" }, "lb-cross-host"]);
    });

    it("creates NAT and load balancer objects only for planned scenarios", () => {
        const cfg = stackConfig("lab");
        cfg.benchmark.scenarios = ["same-host-ipv4", "cross-host-ipv6"];
        const t = planDpservice(cfg, planPairs(cfg), planScenarios(cfg));
        assert.deepStrictEqual([t.nats, t.loadBalancers, t.lbPrefixes, t.lbTargets, t.loopbackVips, t.scenarioRoutes], [[], [], [], [], [], {}]);
        assert.strictEqual(t.routes.length, 4, "the cross-host pair's routes stay: its readiness check needs them");
        assert.strictEqual(t.natScenario, undefined);
    });

    it("routes IPv6 only between VMs that both have it, in dpservice's spelling", () => {
        const cfg = stackConfig("lab");
        cfg.vms[0]!.overlay.ipv6 = "2002:0:0::123";
        delete (cfg.vms[2]!.overlay as { ipv6?: string }).ipv6;
        let t = planDpservice(cfg, planPairs(cfg), []);
        assert.deepStrictEqual(t.routes.map((r) => r.prefix), ["172.32.4.9/32", "192.168.129.5/32"]);
        cfg.vms[2]!.overlay.ipv6 = "2003::123";
        t = planDpservice(cfg, planPairs(cfg), []);
        assert.deepStrictEqual(t.routes.map((r) => r.prefix), ["172.32.4.9/32", "2003::123/128", "192.168.129.5/32", "2002::123/128"]);
        assert.strictEqual(t.interfaces[0]!.object.ipv6, "2002::123");
    });

    it("refuses a NAT scenario whose server is routed directly (it would bypass NAT), and conflicting routes", () => {
        const cfg = stackConfig("lab");
        const nat: ScenarioRef = { name: "nat-cross-host", scenario: "nat-cross-host", server: "vm1", client: "vm3" };
        assert.throws(
            () => planDpservice(cfg, planPairs(cfg), [nat]),
            (e: unknown) => {
                assert.ok(e instanceof TopologyError);
                assert.deepStrictEqual(e.problems, [
                    "nat-cross-host: vm1 is routed directly on hypervisor-2 (pair vm1-vm3), so traffic from vm3 would bypass NAT; serve the NAT scenario from another VM on hypervisor-1",
                ]);
                return true;
            },
        );
        cfg.lb!.ip = "172.32.4.9";
        const lb: ScenarioRef = { name: "lb-cross-host", scenario: "lb-cross-host", server: "vm3", client: "vm1" };
        assert.throws(
            () => planDpservice(cfg, planPairs(cfg), [lb]),
            /lb-cross-host needs 172\.32\.4\.9\/32 on hypervisor-1 \(VNI 66\) via the load balancer on hypervisor-2, but pair vm1-vm3 routes it via the interface of vm3/,
        );
    });
});

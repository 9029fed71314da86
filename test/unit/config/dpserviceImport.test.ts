import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { importDpserviceConfig, ImportError, upstreamPath, validateStackConfig } from "../../../config/index";

const FIXTURE = path.join(__dirname, "..", "..", "fixtures", "dpservice", "test_configurations.json");
const upstream = (): Record<string, any> => JSON.parse(fs.readFileSync(FIXTURE, "utf8"));

function importError(json: unknown): string[] {
    try {
        importDpserviceConfig(typeof json === "string" ? json : JSON.stringify(json));
    } catch (e) {
        assert.ok(e instanceof ImportError, `expected ImportError, got ${String(e)}`);
        return e.issues.map((i) => `${upstreamPath(i.path)}: ${i.message}`);
    }
    assert.fail("expected the import to fail");
}

describe("import-dpservice", () => {
    it("converts the upstream-shaped config into a valid stack config", () => {
        const { values } = importDpserviceConfig(fs.readFileSync(FIXTURE, "utf8"));
        const result = validateStackConfig(values);
        assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
        const cfg = result.config;
        assert.deepStrictEqual(
            cfg.vms.map((v) => [v.name, v.hypervisor, v.overlay.ipv4, v.overlay.ipv6, v.overlay.vni]),
            [
                ["vm1", "hypervisor-1", "192.168.129.5", "2002::123", 66],
                ["vm2", "hypervisor-1", "192.168.129.6", "2002::124", 66],
                ["vm3", "hypervisor-2", "172.32.4.9", "2003::123", 66],
            ],
        );
        assert.deepStrictEqual(cfg.vms[2]!.nat, { ip: "10.10.20.20", minPort: 10240, maxPort: 10360 });
        assert.deepStrictEqual(cfg.vms[0]!.testNic, { kind: "vf", pciAddr: "0000:8a:00.0_representor_vf2" });
        assert.deepStrictEqual(cfg.hypervisors[0]!.sshKey, { path: "~/.ssh/id_rsa" });
        assert.strictEqual(cfg.hypervisors[1]!.user, "benchmark");
        assert.deepStrictEqual(cfg.lb, {
            name: "test-lb",
            ip: "10.20.30.30",
            ports: [
                { protocol: "tcp", port: 5201 },
                { protocol: "tcp", port: 50007 },
            ],
            vni: 66,
            nodes: ["hypervisor-2"],
            machines: ["vm3"],
        });
        assert.strictEqual(cfg.benchmark.flows, 3);
        assert.deepStrictEqual(cfg.benchmark.expected, {
            sw: { local_vm2vm: 10, remote_vm2vm: 8, lb: 5 },
            hw: { local_vm2vm: 20, remote_vm2vm: 20, lb: 12 },
        });
        assert.deepStrictEqual(cfg.dataplane.dpservice, {
            mode: "non-offload",
            stage: "cicd",
            image: "registry.example/ironcore-dev/dpservice:sha-e9b4272",
            lcores: "0,1",
            reboot: false,
        });
        assert.strictEqual(cfg.ssh?.publicKeyPath, "~/.ssh/id_rsa.pub");
    });

    it("reports the fields upstream never reads and what became of them", () => {
        const { notes } = importDpserviceConfig(fs.readFileSync(FIXTURE, "utf8"));
        assert.ok(notes.some((n) => n.startsWith("hypervisors[1].role: 'local'") && n.includes("ignored")));
        assert.ok(notes.some((n) => n.startsWith("default_dpservice_image:") && n.includes("stage cicd")));
        assert.ok(notes.some((n) => n.startsWith("lb.name: 'test_lb' becomes 'test-lb'")));
    });

    it("ignores provision.py's run-time fields and reports unknown ones", () => {
        const u = upstream();
        u["hypervisors"][0].vms[0].mac_address = "02:00:00:12:34:56";
        u["hypervisors"][0].vms[0].host_address = "192.168.122.10";
        u["hypervisors"][0].colour = "red";
        const { notes } = importDpserviceConfig(JSON.stringify(u));
        assert.ok(notes.some((n) => n.startsWith("hypervisors[0].vms[0].mac_address:") && n.includes("provision.py")));
        assert.ok(notes.some((n) => n.startsWith("hypervisors[0].colour:") && n.includes("ignored")));
    });

    it("takes --docker-image over default_dpservice_image, and stage dev when there is no image", () => {
        const text = fs.readFileSync(FIXTURE, "utf8");
        const a = importDpserviceConfig(text, { dockerImage: "img:1", mode: "offload" });
        assert.deepStrictEqual((a.values["dataplane"] as any).dpservice, { mode: "offload", stage: "cicd", image: "img:1" });
        const u = upstream();
        delete u["default_dpservice_image"];
        const b = importDpserviceConfig(JSON.stringify(u), { buildPath: "/src/dpservice" });
        assert.deepStrictEqual((b.values["dataplane"] as any).dpservice, {
            mode: "non-offload",
            stage: "dev",
            buildPath: "/src/dpservice",
        });
    });

    it("does not hard-code 2 hypervisors and 3 VMs", () => {
        const u = upstream();
        u["hypervisors"].push({
            machine_name: "hypervisor-3",
            host_address: "192.168.23.168",
            user_name: "benchmark",
            port: 2222,
            vms: [
                { machine_name: "vm4", if_config: { ipv4: "172.32.5.1", ipv6: "2004::1", vni: 67, pci_addr: "3b:00.0_representor_vf7" } },
                { machine_name: "vm5", if_config: { ipv4: "172.32.5.2", ipv6: "2004::2", vni: 67, pci_addr: "3b:00.0_representor_vf8" } },
            ],
        });
        u["lb"].lb_machines = ["vm3", "vm5"];
        u["lb"].lb_nodes = ["hypervisor-2", "hypervisor-3"];
        const result = validateStackConfig(importDpserviceConfig(JSON.stringify(u)).values);
        assert.ok(result.ok, JSON.stringify(!result.ok && result.issues));
        assert.strictEqual(result.config.hypervisors.length, 3);
        assert.deepStrictEqual(result.config.vms.map((v) => v.name), ["vm1", "vm2", "vm3", "vm4", "vm5"]);
        assert.strictEqual(result.config.hypervisors[2]!.port, 2222);
        assert.deepStrictEqual(result.config.lb?.machines, ["vm3", "vm5"]);
    });

    // Broken variants of the upstream file; each must name the upstream field to fix.
    const broken: Array<{ what: string; mutate: (u: Record<string, any>) => void; field: string; says: string }> = [
        { what: "empty user_name (upstream's template)", mutate: (u) => (u["hypervisors"][0].user_name = ""), field: "hypervisors[0].user_name", says: "fill in the SSH user" },
        { what: "missing key_file", mutate: (u) => delete u["key_file"], field: "key_file", says: "missing" },
        { what: "bad overlay IPv4", mutate: (u) => (u["hypervisors"][0].vms[1].if_config.ipv4 = "192.168.129"), field: "hypervisors[0].vms[1].if_config.ipv4", says: "IPv4" },
        { what: "bad overlay IPv6", mutate: (u) => (u["hypervisors"][1].vms[0].if_config.ipv6 = "2003::12g"), field: "hypervisors[1].vms[0].if_config.ipv6", says: "IPv6" },
        { what: "VNI out of range", mutate: (u) => (u["hypervisors"][0].vms[0].if_config.vni = 2 ** 24), field: "hypervisors[0].vms[0].if_config.vni", says: "0..16777215" },
        { what: "malformed pci_addr", mutate: (u) => (u["hypervisors"][0].vms[0].if_config.pci_addr = "0000:8a:00.0"), field: "hypervisors[0].vms[0].if_config.pci_addr", says: "_representor_vfN" },
        { what: "reversed NAT ports", mutate: (u) => (u["hypervisors"][1].vms[0].nat.ports = [10360, 10240]), field: "hypervisors[1].vms[0].nat.ports", says: "reversed" },
        { what: "NAT ports not a pair", mutate: (u) => (u["hypervisors"][1].vms[0].nat.ports = [10240]), field: "hypervisors[1].vms[0].nat.ports", says: "[minport, maxport]" },
        { what: "port out of range", mutate: (u) => (u["hypervisors"][1].port = 65536), field: "hypervisors[1].port", says: "1..65535" },
        { what: "negative threshold", mutate: (u) => (u["expected_throughput"].hw.lb = -1), field: "expected_throughput.hw.lb", says: "≥ 0" },
        { what: "missing threshold class", mutate: (u) => delete u["expected_throughput"].sw.remote_vm2vm, field: "expected_throughput.sw.remote_vm2vm", says: "missing" },
        { what: "malformed LB ports", mutate: (u) => (u["lb"].ports = "TCP/5201,SCTP/9"), field: "lb.ports", says: "'SCTP/9'" },
        { what: "LB machine that does not exist", mutate: (u) => (u["lb"].lb_machines = ["vm9"]), field: "lb.lb_machines[0]", says: "unknown VM 'vm9'" },
        { what: "LB node that does not exist", mutate: (u) => (u["lb"].lb_nodes = ["hypervisor-7"]), field: "lb.lb_nodes[0]", says: "unknown hypervisor" },
        { what: "duplicate VM name", mutate: (u) => (u["hypervisors"][1].vms[0].machine_name = "vm1"), field: "hypervisors[1].vms[0].machine_name", says: "duplicate VM name" },
        { what: "flow count zero", mutate: (u) => (u["concurrent_flow_count"] = 0), field: "concurrent_flow_count", says: "≥ 1" },
        { what: "a name that cannot be made safe", mutate: (u) => (u["hypervisors"][0].vms[0].machine_name = "vm$(reboot)"), field: "hypervisors[0].vms[0].machine_name", says: "rename it" },
        { what: "the pre-2024 environments list", mutate: (u) => (u["environments"] = []), field: "environments", says: "top level" },
    ];

    for (const b of broken) {
        it(`rejects ${b.what}, naming ${b.field}`, () => {
            const u = upstream();
            b.mutate(u);
            const errors = importError(u);
            const hit = errors.find((e) => e.startsWith(`${b.field}: `));
            assert.ok(hit, `no error at ${b.field}; got:\n${errors.join("\n")}`);
            assert.ok(hit.includes(b.says), hit);
        });
    }

    it("rejects a file that is not JSON", () => {
        const errors = importError("hypervisors:\n  - machine_name: hv1\n");
        assert.strictEqual(errors.length, 1);
        assert.match(errors[0]!, /^\(top level\): not valid JSON/);
    });
});

import * as assert from "assert";
import { formatPath, validateStackConfig } from "../../../config/index";
import { stackValues } from "../../support/stackFiles";

type Values = Record<string, any>;

/** Every formatted error of a config that must be invalid. */
function errorsOf(values: Values): string[] {
    const result = validateStackConfig(values);
    assert.ok(!result.ok, "expected the config to be rejected");
    return result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

function assertError(values: Values, path: string, fragment: string): void {
    const errors = errorsOf(values);
    const hit = errors.find((e) => e.startsWith(`${path}: `));
    assert.ok(hit, `no error at ${path}; got:\n${errors.join("\n")}`);
    assert.ok(hit.includes(fragment), `error at ${path} does not mention '${fragment}': ${hit}`);
}

describe("config schema", () => {
    describe("the project's stack files", () => {
        for (const stack of ["dev", "lab", "azure"]) {
            it(`accepts Pulumi.${stack}.yaml`, () => {
                const result = validateStackConfig(stackValues(stack));
                assert.ok(result.ok, result.ok ? "" : JSON.stringify(result.issues, null, 2));
            });
        }

        it("fills defaults that the dev stack leaves out", () => {
            const result = validateStackConfig(stackValues("dev"));
            assert.ok(result.ok);
            assert.strictEqual(result.config.hypervisors[0]!.port, 22);
            assert.strictEqual(result.config.runId, "");
            assert.strictEqual(result.config.benchmark.flows, 2);
            assert.strictEqual(result.config.benchmark.mss, undefined);
        });

        it("normalises the case of a pci_addr", () => {
            const v = stackValues("lab");
            v["vms"][0].testNic.pciAddr = "0000:8A:00.0_representor_vf2";
            const result = validateStackConfig(v);
            assert.ok(result.ok);
            const nic = result.config.vms[0]!.testNic;
            assert.strictEqual(nic.kind === "vf" && nic.pciAddr, "0000:8a:00.0_representor_vf2");
        });

        it("dpservice: reboot is off by default; image references as docker writes them are accepted", () => {
            const result = validateStackConfig(stackValues("lab"));
            assert.ok(result.ok);
            assert.strictEqual(result.config.dataplane.dpservice?.reboot, false);
            for (const image of ["ghcr.io/ironcore-dev/dpservice:sha-e9b4272", "localhost:5000/dpservice:dev", "dpservice", `ghcr.io/ironcore-dev/dpservice@sha256:${"a".repeat(64)}`, "registry.example/team__x/dp-service:v1.2.3_rc.1"]) {
                const v = stackValues("lab");
                v["dataplane"].dpservice.image = image;
                assert.ok(validateStackConfig(v).ok, image);
            }
        });

        it("accepts a pci_addr without the PCI domain and a VF index past 5", () => {
            const v = stackValues("lab");
            v["vms"][0].testNic.pciAddr = "8a:00.0_representor_vf11";
            assert.ok(validateStackConfig(v).ok);
        });
    });

    // Each case breaks one thing in a valid stack and names the field the error must point at.
    const corpus: Array<{ what: string; stack: string; mutate: (v: Values) => void; path: string; says: string }> = [
        { what: "unknown top-level key", stack: "lab", mutate: (v) => (v["hypervisor"] = []), path: "pairbench:hypervisor", says: "valid keys here: environment, hypervisors" },
        { what: "unknown nested key", stack: "lab", mutate: (v) => (v["vms"][1].overlay.vnid = 1), path: "pairbench:vms[1].overlay.vnid", says: "ipv4, ipv6, vni" },
        { what: "missing environment", stack: "dev", mutate: (v) => delete v["environment"], path: "pairbench:environment", says: "required" },
        { what: "unknown environment", stack: "dev", mutate: (v) => (v["environment"] = "vmware"), path: "pairbench:environment", says: "libvirt or azure" },
        { what: "upper-case VM name", stack: "lab", mutate: (v) => (v["vms"][0].name = "VM1"), path: "pairbench:vms[0].name", says: "[a-z0-9][a-z0-9-]*" },
        { what: "shell metacharacters in a hypervisor name", stack: "lab", mutate: (v) => (v["hypervisors"][1].name = "hv;rm -rf"), path: "pairbench:hypervisors[1].name", says: "[a-z0-9][a-z0-9-]*" },
        { what: "name starting with a dash", stack: "dev", mutate: (v) => (v["images"][0].name = "-guest"), path: "pairbench:images[0].name", says: "[a-z0-9]" },
        { what: "duplicate VM name", stack: "lab", mutate: (v) => (v["vms"][2].name = "vm1"), path: "pairbench:vms[2].name", says: "duplicate VM name 'vm1'" },
        { what: "duplicate hypervisor name", stack: "dev", mutate: (v) => (v["hypervisors"][1].name = "hv1"), path: "pairbench:hypervisors[1].name", says: "duplicate hypervisor name" },
        { what: "VM on an unknown hypervisor", stack: "lab", mutate: (v) => (v["vms"][2].hypervisor = "hypervisor-3"), path: "pairbench:vms[2].hypervisor", says: "defined: hypervisor-1, hypervisor-2" },
        { what: "VM with an unknown image", stack: "dev", mutate: (v) => (v["vms"][0].image = "ubuntu"), path: "pairbench:vms[0].image", says: "unknown image 'ubuntu'" },
        { what: "LB node that is not a hypervisor", stack: "lab", mutate: (v) => (v["lb"].nodes = ["hypervisor-9"]), path: "pairbench:lb.nodes[0]", says: "unknown hypervisor 'hypervisor-9'" },
        { what: "LB machine that is not a VM", stack: "lab", mutate: (v) => (v["lb"].machines = ["vm3", "vm7"]), path: "pairbench:lb.machines[1]", says: "unknown VM 'vm7'" },
        { what: "reversed NAT port range", stack: "lab", mutate: (v) => (v["vms"][2].nat = { ip: "10.10.20.20", minPort: 10360, maxPort: 10240 }), path: "pairbench:vms[2].nat.maxPort", says: "reversed" },
        { what: "bad IPv4", stack: "lab", mutate: (v) => (v["vms"][0].overlay.ipv4 = "192.168.129.256"), path: "pairbench:vms[0].overlay.ipv4", says: "IPv4 address" },
        { what: "IPv6 where IPv4 belongs", stack: "lab", mutate: (v) => (v["lb"].ip = "2002::1"), path: "pairbench:lb.ip", says: "IPv4 address" },
        { what: "bad IPv6", stack: "lab", mutate: (v) => (v["vms"][1].overlay.ipv6 = "2002:::124"), path: "pairbench:vms[1].overlay.ipv6", says: "IPv6 address" },
        { what: "VNI above 24 bits", stack: "lab", mutate: (v) => (v["vms"][0].overlay.vni = 16777216), path: "pairbench:vms[0].overlay.vni", says: "0..16777215" },
        { what: "negative VNI", stack: "lab", mutate: (v) => (v["lb"].vni = -1), path: "pairbench:lb.vni", says: "0..16777215" },
        { what: "port 0", stack: "lab", mutate: (v) => (v["hypervisors"][0].port = 0), path: "pairbench:hypervisors[0].port", says: "1..65535" },
        { what: "port above 65535", stack: "lab", mutate: (v) => (v["lb"].ports[1].port = 70000), path: "pairbench:lb.ports[1].port", says: "1..65535" },
        { what: "port as a string", stack: "dev", mutate: (v) => (v["dataplane"].vxlan.port = "4789"), path: "pairbench:dataplane.vxlan.port", says: "port number" },
        { what: "malformed pci_addr", stack: "lab", mutate: (v) => (v["vms"][1].testNic.pciAddr = "0000:8a:00.0_vf1"), path: "pairbench:vms[1].testNic.pciAddr", says: "_representor_vfN" },
        { what: "pci_addr with a bad function", stack: "lab", mutate: (v) => (v["vms"][1].testNic.pciAddr = "0000:8a:00.9_representor_vf1"), path: "pairbench:vms[1].testNic.pciAddr", says: "_representor_vfN" },
        { what: "same VF for two VMs", stack: "lab", mutate: (v) => (v["vms"][1].testNic.pciAddr = "0000:8a:00.0_representor_vf2"), path: "pairbench:vms[1].testNic.pciAddr", says: "duplicate VF" },
        { what: "negative throughput threshold", stack: "lab", mutate: (v) => (v["benchmark"].expected.sw.lb = -5), path: "pairbench:benchmark.expected.sw.lb", says: "≥ 0" },
        { what: "missing LB threshold", stack: "lab", mutate: (v) => delete v["benchmark"].expected.sw.lb, path: "pairbench:benchmark.expected.sw.lb", says: "required" },
        { what: "omit longer than the run", stack: "dev", mutate: (v) => (v["benchmark"].omit = 3), path: "pairbench:benchmark.omit", says: "less than seconds (3)" },
        { what: "ci policy with one round", stack: "dev", mutate: (v) => Object.assign(v["benchmark"], { policy: "ci", rounds: 1 }), path: "pairbench:benchmark.rounds", says: "at least 2 rounds" },
        { what: "unknown verdict policy", stack: "dev", mutate: (v) => (v["benchmark"].policy = "median"), path: "pairbench:benchmark.policy", says: "mean" },
        { what: "zero flows", stack: "dev", mutate: (v) => (v["benchmark"].flows = 0), path: "pairbench:benchmark.flows", says: "at least 1" },
        { what: "cicd stage without an image", stack: "lab", mutate: (v) => delete v["dataplane"].dpservice.image, path: "pairbench:dataplane.dpservice.image", says: "stage cicd" },
        { what: "dev stage without a build path", stack: "lab", mutate: (v) => (v["dataplane"].dpservice.stage = "dev"), path: "pairbench:dataplane.dpservice.buildPath", says: "stage dev" },
        { what: "docker option as the dpservice image", stack: "lab", mutate: (v) => (v["dataplane"].dpservice.image = "--privileged"), path: "pairbench:dataplane.dpservice.image", says: "docker image reference" },
        { what: "reboot as a word", stack: "lab", mutate: (v) => (v["dataplane"].dpservice.reboot = "yes"), path: "pairbench:dataplane.dpservice.reboot", says: "true or false" },
        { what: "NAT IP that is a VM's overlay address", stack: "lab", mutate: (v) => (v["vms"][2].nat.ip = "192.168.129.5"), path: "pairbench:vms[2].nat.ip", says: "overlay address of VM vm1" },
        { what: "two VMs behind one NAT IP", stack: "lab", mutate: (v) => (v["vms"][0].nat = { ip: "10.10.20.20", minPort: 10240, maxPort: 10360 }), path: "pairbench:vms[2].nat.ip", says: "duplicate NAT IP" },
        { what: "LB VIP that is a NAT IP", stack: "lab", mutate: (v) => (v["lb"].ip = "10.10.20.20"), path: "pairbench:lb.ip", says: "already an address of VM vm3" },
        { what: "unknown dpservice mode", stack: "lab", mutate: (v) => (v["dataplane"].dpservice.mode = "hybrid"), path: "pairbench:dataplane.dpservice.mode", says: "offload or non-offload" },
        { what: "VF test NIC without dpservice", stack: "dev", mutate: (v) => (v["vms"][0].testNic = { kind: "vf", pciAddr: "8a:00.0_representor_vf1" }), path: "pairbench:vms[0].testNic.kind", says: "dpservice" },
        { what: "load balancer on the VXLAN dataplane", stack: "dev", mutate: (v) => (v["lb"] = { name: "lb", ip: "198.19.1.1", ports: [{ protocol: "tcp", port: 5201 }], vni: 66, nodes: ["hv2"], machines: ["vm3"] }), path: "pairbench:lb", says: "dpservice" },
        { what: "a single VM", stack: "dev", mutate: (v) => v["vms"].splice(1), path: "pairbench:vms", says: "at least two VMs" },
        { what: "duplicate overlay address", stack: "dev", mutate: (v) => (v["vms"][2].overlay.ipv4 = "198.19.66.5"), path: "pairbench:vms[2].overlay.ipv4", says: "duplicate overlay IPv4" },
        { what: "VXLAN hypervisor without an underlay address", stack: "dev", mutate: (v) => delete v["hypervisors"][1].underlayIp, path: "pairbench:hypervisors[1].underlayIp", says: "required with dataplane kind vxlan" },
        { what: "two hypervisors on one underlay address", stack: "dev", mutate: (v) => (v["hypervisors"][1].underlayIp = "198.18.1.11"), path: "pairbench:hypervisors[1].underlayIp", says: "duplicate underlay address" },
        { what: "relative hypervisor workDir", stack: "dev", mutate: (v) => (v["hypervisors"][0].workDir = "pairbench"), path: "pairbench:hypervisors[0].workDir", says: "absolute path" },
        { what: "SSH key given both ways", stack: "lab", mutate: (v) => (v["hypervisors"][0].sshKey = { path: "~/.ssh/id_rsa", secret: "x" }), path: "pairbench:hypervisors[0].sshKey", says: "{path: FILE} or {secret: VALUE}" },
        { what: "Azure gallery pair without imageId", stack: "azure", mutate: (v) => delete v["azure"].pairs[2].imageId, path: "pairbench:azure.pairs[2].imageId", says: "os: gallery" },
        { what: "unknown Azure OS", stack: "azure", mutate: (v) => (v["azure"].pairs[0].os = "ubuntu-18.04"), path: "pairbench:azure.pairs[0].os", says: "windows-2022" },
        { what: "SSH open to the internet", stack: "azure", mutate: (v) => (v["azure"].allowedSourceCidr = "0.0.0.0/0"), path: "pairbench:azure.allowedSourceCidr", says: "too wide" },
        { what: "bad TTL", stack: "azure", mutate: (v) => (v["azure"].ttl = "6 hours"), path: "pairbench:azure.ttl", says: "6h" },
        { what: "Azure stack without the azure section", stack: "azure", mutate: (v) => delete v["azure"], path: "pairbench:azure", says: "required with environment: azure" },
        { what: "hypervisors in an Azure stack", stack: "azure", mutate: (v) => (v["hypervisors"] = stackValues("dev")["hypervisors"]), path: "pairbench:hypervisors", says: "environment: libvirt" },
        { what: "SSH source as IPv6", stack: "azure", mutate: (v) => (v["azure"].allowedSourceCidr = "2001:db8::1/128"), path: "pairbench:azure.allowedSourceCidr", says: "IPv4" },
        { what: "reserved Azure admin name", stack: "azure", mutate: (v) => (v["azure"].adminUser = "admin"), path: "pairbench:azure.adminUser", says: "does not allow 'admin'" },
        { what: "no key for the Azure VMs", stack: "azure", mutate: (v) => delete v["azure"].sshKey, path: "pairbench:azure.sshKey", says: "ssh.publicKeyPath" },
        { what: "secret Azure key without its public half", stack: "azure", mutate: (v) => (v["azure"].sshKey = { secret: "k" }), path: "pairbench:ssh.publicKeyPath", says: "public half" },
        { what: "unknown phase", stack: "dev", mutate: (v) => (v["phase"] = "bench"), path: "pairbench:phase", says: "pairs" },
        { what: "assignments on libvirt", stack: "dev", mutate: (v) => (v["assignments"] = { "vm1-vm2": "vm1-vm3" }), path: "pairbench:assignments", says: "only used with environment: azure" },
        { what: "assignment of an unknown pair", stack: "azure", mutate: (v) => (v["assignments"] = { nope: "ubuntu-2404" }), path: "pairbench:assignments.nope", says: "unknown pair 'nope'; pairs: ubuntu-2404, windows-2022, windows-prerelease" },
        { what: "assignment to an unknown pair", stack: "azure", mutate: (v) => (v["assignments"] = { "ubuntu-2404": "gone" }), path: "pairbench:assignments.ubuntu-2404", says: "assigned to unknown pair 'gone'" },
        { what: "assignment to itself", stack: "azure", mutate: (v) => (v["assignments"] = { "ubuntu-2404": "ubuntu-2404" }), path: "pairbench:assignments.ubuntu-2404", says: "cannot be assigned to itself" },
        { what: "assignment across OSes", stack: "azure", mutate: (v) => (v["assignments"] = { "ubuntu-2404": "windows-2022" }), path: "pairbench:assignments.ubuntu-2404", says: "'ubuntu-2404' runs ubuntu-24.04 but 'windows-2022' runs windows-2022" },
        {
            what: "assignment to a pair that is itself reassigned", stack: "azure",
            mutate: (v) => {
                v["azure"].pairs.push({ name: "w-b", os: "windows-2022" }, { name: "w-c", os: "windows-2022" });
                v["assignments"] = { "windows-2022": "w-b", "w-b": "w-c" };
            },
            path: "pairbench:assignments.windows-2022", says: "'w-b' is itself reassigned (to 'w-c')",
        },
        { what: "assignment value not a name", stack: "azure", mutate: (v) => (v["assignments"] = { "ubuntu-2404": 3 }), path: "pairbench:assignments.ubuntu-2404", says: "" },
        { what: "runner URL", stack: "dev", mutate: (v) => (v["runner"] = { url: "github.com/o/r", token: "t" }), path: "pairbench:runner.url", says: "https://github.com/OWNER/REPO" },
        { what: "runner without token", stack: "azure", mutate: (v) => (v["runner"] = { url: "https://github.com/o/r" }), path: "pairbench:runner.token", says: "required" },
    ];

    describe(`rejects broken configs (${corpus.length} cases), naming the field`, () => {
        for (const c of corpus) {
            it(`${c.what} → ${c.path}`, () => {
                const v = stackValues(c.stack);
                c.mutate(v);
                assertError(v, c.path, c.says);
            });
        }
    });

    it("reports every error of a config in one run, shape and references together", () => {
        const v = stackValues("lab");
        v["vms"][0].overlay.ipv4 = "not-an-ip"; // shape
        v["vms"][1].hypervisor = "nowhere"; // reference, in a VM whose shape is fine
        v["hypervisors"][0].colour = "red"; // unknown key
        v["lb"].machines = ["vm3", "ghost"]; // reference
        const errors = errorsOf(v);
        for (const path of [
            "pairbench:vms[0].overlay.ipv4",
            "pairbench:vms[1].hypervisor",
            "pairbench:hypervisors[0].colour",
            "pairbench:lb.machines[1]",
        ]) {
            assert.ok(errors.some((e) => e.startsWith(`${path}: `)), `missing ${path} in:\n${errors.join("\n")}`);
        }
        assert.strictEqual(errors.length, 4, errors.join("\n"));
    });

    it("does not call a reference dangling when the referenced item is itself broken", () => {
        const v = stackValues("lab");
        v["hypervisors"][1].port = -1; // hypervisor-2 fails its shape check
        const errors = errorsOf(v);
        assert.deepStrictEqual(errors.map((e) => e.split(":")[1]), ["hypervisors[1].port"]);
    });

    it("rejects a config that is not an object at all", () => {
        const result = validateStackConfig("environment: libvirt");
        assert.ok(!result.ok);
        assert.strictEqual(formatPath(result.issues[0]!.path), "pairbench:");
    });
});

import * as assert from "assert";
import { domainSpecFor, ignitionSpecFor, planLibvirt, planPairs, resolveLocalPath } from "../../../components/plan";
import { PROJECT_DIR } from "../../support/stackFiles";
import { fakeRemoteImage, HOME, stackConfig, stackPlan } from "./fixtures";

describe("libvirt plan", () => {
    it("dev: hv1 runs vm1+vm2, hv2 runs vm3; one kernel image; pairs same-host vm1-vm2 and cross-host vm1-vm3", () => {
        const { plan } = stackPlan("dev");
        assert.deepStrictEqual(plan.hypervisors.map((h) => [h.hypervisor.name, h.vms.map((v) => v.name), h.images.map((i) => i.name)]), [
            ["hv1", ["vm1", "vm2"], ["guest"]],
            ["hv2", ["vm3"], ["guest"]],
        ]);
        assert.deepStrictEqual(plan.pairs, [
            { name: "vm1-vm2", client: "vm1", server: "vm2", placement: "same-host" },
            { name: "vm1-vm3", client: "vm1", server: "vm3", placement: "cross-host" },
        ]);
        const guest = plan.vms[0]!.image;
        assert.ok(guest.kind === "kernel");
        assert.strictEqual(guest.kernel.localPath, `${PROJECT_DIR}/.pairbench/guest/vmlinuz`);
        assert.strictEqual(guest.initrd?.localPath, `${PROJECT_DIR}/.pairbench/guest/initrd.img`);
        assert.deepStrictEqual(plan.vms[2]!.testNic, { kind: "bridge", bridge: "pb-vni66", mac: plan.vms[2]!.testNic.kind === "bridge" ? plan.vms[2]!.testNic.mac : "" });
    });

    it("lab: VFs from dpservice's pciAddr, the raw image under the project, one upload per hypervisor", () => {
        const { plan } = stackPlan("lab");
        assert.deepStrictEqual(plan.vms.map((v) => v.testNic.kind === "vf" && [v.testNic.ref.pf, v.testNic.ref.vf]), [
            ["0000:8a:00.0", 2],
            ["0000:8a:00.0", 1],
            ["0000:3b:00.0", 0],
        ]);
        assert.deepStrictEqual(plan.hypervisors.map((h) => h.images.length), [1, 1]);
        const im = plan.vms[0]!.image;
        assert.ok(im.kind === "disk" && im.disk.localPath === `${PROJECT_DIR}/images/gardenlinux-kvm-amd64.raw` && im.format === "raw");
    });

    it("gives every VM its peer as netperf-peer and the others by name", () => {
        const { plan } = stackPlan("dev");
        const hosts = Object.fromEntries(plan.vms.map((v) => [v.name, v.hosts.map((h) => `${h.address} ${h.names.join(" ")}`)]));
        assert.deepStrictEqual(hosts["vm1"], ["198.19.66.6 netperf-peer vm2", "fd00:66::6 netperf-peer-v6 vm2-v6", "198.19.66.9 vm3", "fd00:66::9 vm3-v6"]);
        assert.deepStrictEqual(hosts["vm3"], ["198.19.66.5 netperf-peer vm1", "fd00:66::5 netperf-peer-v6 vm1-v6", "198.19.66.6 vm2", "fd00:66::6 vm2-v6"]);
    });

    it("derives distinct MACs per stack", () => {
        const dev = stackPlan("dev").plan.vms.map((v) => v.managementMac);
        const other = planLibvirt(stackConfig("dev"), { stack: "dev2", projectDir: PROJECT_DIR, homeDir: HOME }).vms.map((v) => v.managementMac);
        assert.strictEqual(new Set([...dev, ...other]).size, 6);
    });

    it("pairs: no same-host pair without two VMs on a host; a cross-host pair per other host", () => {
        const hv = (name: string) => ({ name }) as never;
        const vm = (name: string, hypervisor: string) => ({ name, hypervisor }) as never;
        assert.deepStrictEqual(planPairs({ hypervisors: [hv("a"), hv("b"), hv("c")], vms: [vm("x", "a"), vm("y", "b"), vm("z", "c")] }).map((p) => p.name), ["x-y", "x-z"]);
        assert.deepStrictEqual(planPairs({ hypervisors: [hv("a")], vms: [vm("x", "a"), vm("y", "a"), vm("w", "a")] }).map((p) => p.placement), ["same-host"]);
    });

    it("maps planned VMs to domain and ignition specs", () => {
        const { config, plan } = stackPlan("lab");
        const vm = plan.vms[0]!;
        const hv = config.hypervisors[0]!;
        assert.throws(() => domainSpecFor(vm, hv, fakeRemoteImage(vm, hv.workDir)), /VM vm1: the PCI address of VF 0000:8a:00.0_representor_vf2 is not resolved/);
        assert.throws(() => domainSpecFor(vm, hv, {}, { domain: 0, bus: 1, slot: 0, function: 0 }), /the disk of image gardenlinux has no path on hypervisor-1/);
        const spec = domainSpecFor(vm, hv, fakeRemoteImage(vm, hv.workDir), { domain: 0, bus: 0x8b, slot: 0, function: 2 });
        assert.deepStrictEqual([spec.type, spec.vcpus, spec.memoryMiB, spec.disk?.path], ["kvm", 4, 8192, "/var/lib/pairbench/vms/vm1/disk.qcow2"]);
        const ign = ignitionSpecFor(vm, ["k"]);
        assert.deepStrictEqual([ign.testNic, ign.systemd], [{ mode: "dhcp" }, true]);
    });

    it("resolves ~ and relative local paths", () => {
        const ctx = { projectDir: "/p", homeDir: "/h" };
        assert.deepStrictEqual(["~/.ssh/id_rsa", "k/id", "/abs"].map((p) => resolveLocalPath(p, ctx)), ["/h/.ssh/id_rsa", "/p/k/id", "/abs"]);
    });
});

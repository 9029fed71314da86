// The dpservice command lines, exactly, and the hypervisor scripts run for real against a fake
// docker with a fake dpservice inside (fakeDocker.ts): the container step checks the host,
// replaces only its own leftovers and waits for dpservice-cli; object deletes remove exactly
// their object and are safe when it is already gone.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { createArgs, deleteArgs, dpcli, DpserviceObject, existenceProbe } from "../../../components/dpservice/cli";
import { containerCreate, containerDelete, ContainerSpec, dockerRunArgs, objectCreate, objectDelete } from "../../../components/dpservice/hostScripts";
import { parseInstance } from "../../../components/dpservice/cliOutput";
import { hostCommand } from "../../../components/hostScripts";
import { shellCommand } from "../../../components/shell";
import { fakeDocker, FakeDocker } from "./fakeDocker";

const ctx = { host: "hypervisor hypervisor-1 (root@192.168.23.166:22)", step: "test" };

const iface: DpserviceObject = { kind: "interface", id: "vm1", vni: 66, ipv4: "192.168.129.5", ipv6: "2002::123", device: "0000:8a:00.0_representor_vf2" };
const route: DpserviceObject = { kind: "route", vni: 66, prefix: "172.32.4.9/32", nextHopIp: "fc00:2::64:0:1" };
const nat: DpserviceObject = { kind: "nat", interfaceId: "vm3", ip: "10.10.20.20", minPort: 10240, maxPort: 10360 };
const lb: DpserviceObject = { kind: "loadbalancer", id: "test-lb", vni: 66, vip: "10.20.30.30", ports: [{ protocol: "tcp", port: 5201 }, { protocol: "tcp", port: 50007 }] };
const prefix: DpserviceObject = { kind: "lbprefix", interfaceId: "vm3", prefix: "10.20.30.30/32" };
const target: DpserviceObject = { kind: "lbtarget", lbId: "test-lb", targetIp: "fc00:2::64:0:4" };

/** The argv bash gets from a generated command line (shell-quote escapes `=`, `:` and `,`). */
function argvOf(line: string): string[] {
    const r = spawnSync("bash", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" });
    return r.stdout.split("\0").slice(0, -1);
}

describe("dpservice command lines", () => {
    it("docker run: privileged, host network, hugepages and /run/dpservice mounted, EAL cores, the mode", () => {
        const base = { hypervisor: "hypervisor-1", stack: "lab", image: "ghcr.io/ironcore-dev/dpservice:sha-e9b4272", lcores: "0,1" };
        const common = [
            "docker run -d --privileged --network host --name pairbench-dpservice-hypervisor-1",
            "--label pairbench.stack=lab --label pairbench.hypervisor=hypervisor-1",
            "--mount type=bind,source=/dev/hugepages,target=/dev/hugepages --mount type=bind,source=/run/dpservice,target=/run/dpservice",
            "ghcr.io/ironcore-dev/dpservice:sha-e9b4272 -l 0,1 --",
        ].join(" ");
        assert.strictEqual(dockerRunArgs({ ...base, offload: false }).join(" "), `${common} --no-offload --enable-ipv6-overlay`);
        assert.strictEqual(dockerRunArgs({ ...base, offload: true }).join(" "), `${common} --enable-ipv6-overlay`);
        assert.deepStrictEqual(argvOf(shellCommand(dockerRunArgs({ ...base, offload: false }))), dockerRunArgs({ ...base, offload: false }));
        assert.deepStrictEqual(dockerRunArgs({ ...base, lcores: "0-3", offload: true }).slice(-4), ["-l", "0-3", "--", "--enable-ipv6-overlay"]);
    });

    it("dpservice-cli create/delete per object, as upstream's scripts call them", () => {
        const line = (args: string[]) => dpcli("pairbench-dpservice-hypervisor-2", args).join(" ");
        assert.strictEqual(line(createArgs(iface)), "docker exec pairbench-dpservice-hypervisor-2 dpservice-cli -o json create interface --id=vm1 --vni=66 --ipv4=192.168.129.5 --ipv6=2002::123 --device=0000:8a:00.0_representor_vf2");
        assert.strictEqual(line(createArgs(route)), "docker exec pairbench-dpservice-hypervisor-2 dpservice-cli -o json create route --prefix=172.32.4.9/32 --next-hop-vni=0 --next-hop-ip=fc00:2::64:0:1 --vni=66");
        assert.strictEqual(line(createArgs(nat)), "docker exec pairbench-dpservice-hypervisor-2 dpservice-cli -o json create nat --interface-id=vm3 --nat-ip=10.10.20.20 --minport=10240 --maxport=10360");
        assert.strictEqual(line(createArgs(lb)), "docker exec pairbench-dpservice-hypervisor-2 dpservice-cli -o json create loadbalancer --id=test-lb --vni=66 --vip=10.20.30.30 --lbports=TCP/5201,TCP/50007");
        assert.strictEqual(line(createArgs(prefix)), "docker exec pairbench-dpservice-hypervisor-2 dpservice-cli -o json create lbprefix --interface-id=vm3 --prefix=10.20.30.30/32");
        assert.strictEqual(line(createArgs(target)), "docker exec pairbench-dpservice-hypervisor-2 dpservice-cli -o json create lbtarget --target-ip=fc00:2::64:0:4 --lb-id=test-lb");
        for (const o of [iface, route, nat, lb, prefix, target]) {
            const argv = dpcli("pairbench-dpservice-hypervisor-2", createArgs(o));
            assert.deepStrictEqual(argvOf(shellCommand(argv)), argv, "quoting keeps every argument whole");
        }
        assert.deepStrictEqual([iface, route, nat, lb, prefix, target].map((o) => deleteArgs(o).join(" ")), [
            "delete interface --id=vm1",
            "delete route --prefix=172.32.4.9/32 --vni=66",
            "delete nat --interface-id=vm3",
            "delete loadbalancer --id=test-lb",
            "delete lbprefix --interface-id=vm3 --prefix=10.20.30.30/32",
            "delete lbtarget --target-ip=fc00:2::64:0:4 --lb-id=test-lb",
        ]);
        assert.deepStrictEqual(existenceProbe(route), { kind: "names", args: ["list", "routes", "--vni=66"], line: "route/172.32.4.9/32-0" });
        assert.deepStrictEqual(existenceProbe(target), { kind: "parent", args: ["get", "loadbalancer", "--id=test-lb"] });
    });
});

describe("dpservice hypervisor scripts (against a fake docker)", function () {
    this.timeout(60000);
    let d: FakeDocker;
    let spec: ContainerSpec;
    const run = (body: string) => d.run(hostCommand("root", ctx, body));

    beforeEach(() => {
        d = fakeDocker();
        spec = { hypervisor: "hypervisor-1", stack: "lab", image: "dpservice:test", lcores: "0,1", offload: false, startTimeoutSeconds: 3, context: ctx, hostPaths: d.hostPaths };
    });
    afterEach(() => d.cleanup());

    const start = () => {
        const r = run(containerCreate(spec));
        assert.strictEqual(r.status, 0, r.stderr);
        return parseInstance(r.stdout);
    };

    it("starts the container, waits for dpservice-cli, initialises, and prints what identifies this dpservice", () => {
        const i = start();
        assert.deepStrictEqual([i.container, i.uuid, i.key], [`${"0".repeat(63)}1`, "FAKE-UUID", `${"0".repeat(63)}1 2025-06-05T09:14:01.5Z`]);
        const calls = d.calls();
        const runAt = calls.findIndex((c) => c.startsWith("docker run"));
        assert.ok(calls.slice(runAt).includes("docker exec pairbench-dpservice-hypervisor-1 dpservice-cli -o json init"), calls.join("\n"));
        assert.match(calls[runAt]!, / --no-offload --enable-ipv6-overlay$/);
    });

    it("without dpservice.conf or hugepages it stops before docker, pointing at the preparation docs", () => {
        d.remove("hugepages.mounted");
        let r = run(containerCreate(spec));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /hugepages is not a hugetlbfs mount: reserve hugepages first \(see docs\/lab\.md, section 'Preparing a hypervisor'\)/);
        r = run(containerCreate({ ...spec, hostPaths: { ...d.hostPaths, conf: `${d.dir}/nowhere/dpservice.conf` } }));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /nowhere\/dpservice\.conf is missing: this hypervisor is not prepared for dpservice \(see docs\/lab\.md, section 'Preparing a hypervisor'\)/);
        assert.ok(!d.calls().some((c) => c.startsWith("docker run")));
    });

    it("replaces its own leftover, refuses another stack's container, and removes a dpservice that never answers", () => {
        start();
        start(); // a leftover of this stack (an interrupted create) is replaced
        assert.strictEqual(d.calls().filter((c) => c.startsWith("docker rm -f")).length, 1);
        let r = run(containerCreate({ ...spec, stack: "other" }));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /a container named pairbench-dpservice-hypervisor-1 exists and was not started by stack other/);

        run(containerDelete(spec));
        d.touch("crash");
        r = run(containerCreate(spec));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /timeout after 3s .*container pairbench-dpservice-hypervisor-1 is not running/);
        assert.match(r.stderr, /EAL: fake dpservice log line[\s\S]*did not answer dpservice-cli; its last log lines are above, the container is removed/);
        assert.strictEqual(run(containerDelete(spec)).stdout.trim(), "container pairbench-dpservice-hypervisor-1 is already gone");

        d.remove("crash");
        d.touch("run.fails");
        r = run(containerCreate(spec));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /error gathering device information[\s\S]*docker run of pairbench-dpservice-hypervisor-1 failed \(docker says why above\); nothing is left running/);
        assert.strictEqual(run(containerDelete(spec)).stdout.trim(), "container pairbench-dpservice-hypervisor-1 is already gone");
    });

    it("teardown removes only this stack's container", () => {
        start();
        const other = run(containerDelete({ ...spec, stack: "other" }));
        assert.strictEqual(other.status, 0);
        assert.match(other.stderr, /was not started by stack other; left alone/);
        assert.ok(!d.calls().some((c) => c.startsWith("docker rm")));
        assert.strictEqual(run(containerDelete(spec)).stdout.trim(), "removed container pairbench-dpservice-hypervisor-1");
    });

    it("creates each object once; a second create says how to remove the leftover", () => {
        const i = start();
        const t = { hypervisor: "hypervisor-1", instance: i.key };
        for (const o of [iface, nat, route, lb, prefix, target]) {
            const r = run(objectCreate(t, o));
            assert.strictEqual(r.status, 0, r.stderr);
        }
        assert.deepStrictEqual(d.objects(), ["interface vm1", "nat vm3", "route 66 172.32.4.9/32", "loadbalancer test-lb", "lbprefix vm3 10.20.30.30/32", "lbtarget test-lb fc00:2::64:0:4"]);
        const again = run(objectCreate(t, route));
        assert.strictEqual(again.status, 1);
        assert.match(again.stderr, /dpservice-cli create route --prefix=172\.32\.4\.9\/32 --next-hop-vni=0 --next-hop-ip=fc00:2::64:0:1 --vni=66 failed \(exit 2\); .*remove it: docker exec pairbench-dpservice-hypervisor-1 dpservice-cli delete route --prefix=172\.32\.4\.9\/32 --vni=66/);
    });

    it("refuses to create in a dpservice that is not the one this stack started", () => {
        const i = start();
        const r = run(objectCreate({ hypervisor: "hypervisor-1", instance: `${i.container} 2000-01-01T00:00:00Z` }, iface));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /is not the one this stack started \(it stopped or was restarted\)/);
        assert.deepStrictEqual(d.objects(), []);
    });

    it("deletes exactly its object; already gone is fine, still there after a failed delete is not", () => {
        const i = start();
        const t = { hypervisor: "hypervisor-1", instance: i.key };
        for (const o of [iface, route, prefix, lb, target]) run(objectCreate(t, o));
        const other: DpserviceObject = { kind: "route", vni: 66, prefix: "172.32.4.10/32", nextHopIp: "fc00:2::64:0:9" };
        run(objectCreate(t, other));

        assert.strictEqual(run(objectDelete(t, route)).stdout.trim(), "deleted route 172.32.4.9/32 (VNI 66)");
        assert.ok(d.objects().includes("route 66 172.32.4.10/32"), "another route in the same VNI stays");
        const twice = run(objectDelete(t, route));
        assert.strictEqual(twice.status, 0, twice.stderr);
        assert.strictEqual(twice.stdout.trim(), "route 172.32.4.9/32 (VNI 66): already gone", "found absent by `list routes -o name`");

        d.touch("dp.fail-delete");
        for (const [o, what] of [[iface, "interface vm1"], [prefix, "lbprefix 10.20.30.30/32 on interface vm3"], [target, "lbtarget fc00:2::64:0:4 of load balancer test-lb"]] as const) {
            const r = run(objectDelete(t, o));
            assert.strictEqual(r.status, 1, `${what}: ${r.stdout}`);
            assert.match(r.stderr, new RegExp(`failed and ${what.replace(/[.()]/g, "\\$&")} is still there`));
        }
        d.remove("dp.fail-delete");
        run(objectDelete(t, lb));
        d.touch("dp.fail-delete");
        assert.strictEqual(run(objectDelete(t, target)).stdout.trim(), "lbtarget fc00:2::64:0:4 of load balancer test-lb: already gone", "its load balancer is gone");
        d.touch("dp.client-error");
        const unsure = run(objectDelete(t, iface));
        assert.strictEqual(unsure.status, 1);
        assert.match(unsure.stderr, /cannot tell whether interface vm1 is still there/);
    });

    it("has nothing to delete once the dpservice it created the object in is gone", () => {
        const i = start();
        const t = { hypervisor: "hypervisor-1", instance: i.key };
        run(objectCreate(t, iface));
        run(containerDelete(spec));
        const gone = run(objectDelete(t, iface));
        assert.strictEqual(gone.status, 0, gone.stderr);
        assert.strictEqual(gone.stdout.trim(), "interface vm1: the dpservice it was created in is gone");
        start(); // a new dpservice: the old object's delete must not touch it
        assert.strictEqual(run(objectDelete(t, iface)).stdout.trim(), "interface vm1: the dpservice it was created in is gone");
        assert.ok(!d.calls().some((c) => c.includes("delete interface")));
    });
});

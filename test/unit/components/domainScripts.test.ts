// The per-VM scripts run for real against the fake host (fakeHost.ts), and the waits with real
// sleeps: results, the delete path, and what a failure or timeout says.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { domainCreate, domainDelete, leaseWait, peerWait, sshPortWait, vfResolve } from "../../../components/domainScripts";
import { hostCommand } from "../../../components/hostScripts";
import { vmPaths } from "../../../components/naming";
import { raw } from "../../../components/shell";
import { waitScript } from "../../../components/waitScript";
import { fakeHost, FakeHost } from "./fakeHost";

const host = "hypervisor hv1 (root@198.18.0.11:22)";

describe("domain scripts (against a fake host)", function () {
    // Spawns bash per case: 2 s (mocha's default without .mocharc) is too short on a loaded 2-core machine.
    this.timeout(20_000);
    let h: FakeHost;
    const run = (body: string, step = "test") => h.run(hostCommand("root", { host, vm: "vm1", step }, body));
    beforeEach(() => (h = fakeHost()));
    afterEach(() => h.cleanup());

    const files = () => ({
        paths: vmPaths(path.join(h.dir, "work"), "vm1"),
        name: "vm1",
        owner: "pairbench stack=dev vm=vm1",
        xml: "<domain type='qemu'>\n  <name>vm1</name>\n</domain>\n",
        ignition: '{"ignition":{"version":"3.3.0"}}\n',
    });

    it("writes ignition (root only) and XML, creates the overlay on the template, defines and starts", () => {
        const f = { ...files(), overlay: { template: "/w/images/abc.raw", format: "raw" as const } };
        const r = run(domainCreate(f));
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "uuid-of-vm1");
        assert.strictEqual(fs.readFileSync(f.paths.ignition, "utf8"), f.ignition);
        assert.strictEqual(fs.statSync(f.paths.ignition).mode % 0o1000, 0o600);
        assert.strictEqual(fs.readFileSync(f.paths.domainXml, "utf8"), f.xml);
        assert.ok(h.calls().includes(`qemu-img create -q -f qcow2 -F raw -b /w/images/abc.raw ${f.paths.overlay}`));
        assert.strictEqual(h.read("dom.vm1.state"), "running\n");
    });

    it("refuses a domain of the same name that this stack did not create", () => {
        fs.writeFileSync(path.join(h.dir, "other.xml"), "<domain><name>vm1</name></domain>");
        h.run(`virsh define ${h.dir}/other.xml`);
        const r = run(domainCreate(files()), "define and start");
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /hypervisor hv1 .*, VM vm1, step define and start: a libvirt domain named vm1 already exists and was not created by this stack/);
    });

    it("replaces its own leftover, and delete destroys, undefines and removes its files", () => {
        assert.strictEqual(run(domainCreate(files())).status, 0);
        assert.strictEqual(run(domainCreate(files())).status, 0, "a retried create starts over");
        const r = run(domainDelete(files()));
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(h.read("dom.vm1.xml"), undefined);
        assert.ok(!fs.existsSync(files().paths.dir));
        assert.strictEqual(run(domainDelete(files())).status, 0, "delete of an absent domain is fine");
    });

    it("undefines with --nvram only when the domain has NVRAM, and stops only a running domain", () => {
        const f = { ...files(), xml: "<domain>\n  <name>vm1</name>\n  <os><nvram>/x</nvram></os>\n</domain>\n" };
        assert.strictEqual(run(domainCreate(f)).status, 0);
        h.write("dom.vm1.state", "shut off\n");
        const r = run(domainDelete(f));
        assert.strictEqual(r.status, 0, r.stderr);
        assert.ok(h.calls().includes("virsh undefine --nvram vm1"));
        assert.ok(!h.calls().includes("virsh destroy vm1"));
    });

    it("a VF that does not exist is an error naming hypervisor, VM and pciAddr", () => {
        const r = run(vfResolve({ pf: "0000:ff:1f.7", vf: 9 }, "ff:1f.7_representor_vf9"), "resolve VF");
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /hypervisor hv1 \(root@198.18.0.11:22\), VM vm1, step resolve VF: physical function 0000:ff:1f.7 \(pciAddr ff:1f.7_representor_vf9\) does not exist/);
    });

    it("waits for the DHCP lease of the VM's MAC and prints its address", () => {
        h.write("lease.after", "3\n");
        const r = run(leaseWait({ host, vm: "vm1", step: "DHCP lease" }, "02:00:00:00:00:01", 10));
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "192.168.122.45");
        assert.strictEqual(h.read("lease.calls"), "3\n");
    });

    it("a lease timeout names host, VM, step and the last virsh output", () => {
        const r = run(leaseWait({ host, vm: "vm1", step: "DHCP lease" }, "02:00:00:00:00:01", 1));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /pairbench: timeout after 1s \(\d+ attempts\): hypervisor hv1 \(root@198.18.0.11:22\), VM vm1, step DHCP lease; last output: [^]*Expiry Time/);
    });

    it("an SSH wait fails clearly when nothing listens", () => {
        const r = run(sshPortWait({ host, vm: "vm1", step: "SSH port" }, "127.0.0.1", 1, 1));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /timeout after 1s .* VM vm1, step SSH port; last output: .*(refused|failed)/i);
    });

    it("the peer check runs under plain sh and names the unanswered address", () => {
        const r = h.run(peerWait({ host: "VM vm1 (via hypervisor hv1)", step: "peer vm2 on the test network" }, "192.0.2.1", undefined, 1).replace(/ping -c 1/, "false ping -c 1"));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /VM vm1 \(via hypervisor hv1\), step peer vm2 on the test network; last output: no answer from 192.0.2.1/);
    });
});

describe("wait script", function () {
    // Real sleeps of up to ~1.8 s: mocha's 2 s default (without .mocharc) fails on a loaded machine.
    this.timeout(30_000);
    const sh = (script: string) => {
        const started = Date.now();
        const r = require("child_process").spawnSync("sh", ["-c", script], { encoding: "utf8" });
        return { status: r.status as number, stdout: r.stdout as string, stderr: r.stderr as string, ms: Date.now() - started };
    };

    it("backs off 250 ms, 500 ms, 1 s … and succeeds as soon as the attempt does", () => {
        const dir = fs.mkdtempSync("/tmp/pairbench-wait-");
        const attempt = raw(`  n=$(cat ${dir}/n 2>/dev/null || echo 0); n=$((n + 1)); echo $n > ${dir}/n; echo "$(date +%s%N) $n" >> ${dir}/t\n  [ $n -ge 4 ] && echo done-$n`);
        const r = sh(waitScript({ context: { host: "h", step: "s" }, attempt, totalSeconds: 20 }));
        const times = fs.readFileSync(`${dir}/t`, "utf8").trim().split("\n").map((l) => Number(l.split(" ")[0]) / 1e6);
        fs.rmSync(dir, { recursive: true });
        assert.strictEqual(r.status, 0);
        assert.strictEqual(r.stdout.trim(), "done-4");
        const gaps = times.slice(1).map((t, i) => t - times[i]!);
        [250, 500, 1000].forEach((want, i) => assert.ok(gaps[i]! >= want && gaps[i]! < want + 700, `gap ${i}: ${gaps[i]} ms, want ~${want}`));
    });

    it("gives up after the total time with the last output", () => {
        const r = sh(waitScript({ context: { host: "hypervisor hv2", vm: "vm3", step: "SSH port" }, attempt: raw("  echo still-closed; false"), totalSeconds: 2 }));
        assert.strictEqual(r.status, 1);
        assert.ok(r.ms < 4500, `took ${r.ms} ms`);
        assert.match(r.stderr, /^pairbench: timeout after 2s \(\d+ attempts\): hypervisor hv2, VM vm3, step SSH port; last output: still-closed\n$/);
    });

    it("rejects a first pause over 500 ms or a total under 1 s", () => {
        assert.throws(() => waitScript({ context: { host: "h", step: "s" }, attempt: raw("true"), totalSeconds: 0, initialDelayMs: 800 }),
            { message: "invalid wait for h, step s: totalSeconds must be a whole number ≥ 1; initialDelayMs must be 1..500" });
    });
});

// End-to-end test of the emulated lab, no mocks: `lab up` → status → `up` again (nothing
// restarts) → the hypervisors over SSH (libvirt, jump host, a VXLAN between them) → the dev
// stack's VMs booted from the guest image (`lab verify`) → `lab down` → nothing left.
//
// It runs a lab of its own (namespaces pbt-hv1/pbt-hv2, networks 198.18.2.0/24 and
// 198.18.3.0/24, state under a temporary directory), so a developer's running dev lab is not
// touched. Needs root and the lab's Debian packages (it installs missing ones, as `lab up`
// does). Cleans up in `after`, also when a step failed. PAIRBENCH_SKIP_E2E=1 skips it;
// PAIRBENCH_SKIP_LAB_VERIFY=1 skips only the VM boot (about a minute).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { hostCommand } from "../../components/hostScripts";
import { shellCommand } from "../../components/shell";
import { vxlanCreate, vxlanDelete } from "../../components/vxlanScripts";
import { listDomains } from "../../lab/commands";
import { buildGuestImage, installGuestImage } from "../../lab/guest/build";
import { labDown, labStatus, labUp, leftovers, projectLab } from "../../lab/lab";
import { run } from "../../lab/runner";
import { LabOptions } from "../../lab/spec";
import { labVerify } from "../../lab/verify";

const REPO = path.resolve(__dirname, "..", "..");
const LAB: LabOptions = { prefix: "pbt-", mgmtNet: "198.18.2", underlayNet: "198.18.3" };

describe("e2e: the emulated lab (lab up / status / verify / down)", function () {
    this.timeout(900_000);
    let dir = "";
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    const spec = () => projectLab(dir, LAB);
    const ssh = (target: string, command: string, jump?: string) =>
        run(["ssh", "-F", spec().sshConfig, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", ...(jump ? ["-J", jump] : []), target, command]);

    before(function () {
        if (process.env.PAIRBENCH_SKIP_E2E === "1") this.skip();
        if (process.getuid?.() !== 0) throw new Error("the lab e2e test needs root (network namespaces, libvirtd); PAIRBENCH_SKIP_E2E=1 skips it");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-lab-e2e-"));
    });

    after(async function () {
        if (dir === "") return;
        const left = await leftovers(spec());
        if (left.length > 0) {
            // A failed step: take everything down anyway, and say so.
            await labDown(dir, out, LAB).catch((e) => console.error(`clean-up after failure: ${e instanceof Error ? e.message : e}`));
        }
        fs.rmSync(dir, { recursive: true, force: true });
        if (this.currentTest?.state === "failed") console.error(lines.join("\n"));
    });

    it("comes up with both hypervisors running their own libvirtd, virtlogd and sshd", async () => {
        await labUp(dir, out, { image: false, lab: LAB });
        const status = await labStatus(dir, LAB);
        assert.strictEqual(status.running, true, JSON.stringify(status, null, 2));
        assert.deepStrictEqual(status.hypervisors.map((h) => [h.name, h.netns, h.mgmtIp]), [
            ["hv1", "pbt-hv1", "198.18.2.11"],
            ["hv2", "pbt-hv2", "198.18.2.12"],
        ]);
        for (const h of status.hypervisors) {
            assert.match(h.ssh ?? "", /^SSH-2\.0-OpenSSH/);
            assert.deepStrictEqual(h.domains, []);
        }
        const pids = (s: typeof status) => s.hypervisors.map((h) => [h.holder.pid, ...Object.values(h.daemons).map((d) => d.pid)]);
        const before = pids(status);
        assert.strictEqual(new Set(before.flat()).size, 8, "eight distinct processes");

        await labUp(dir, out, { image: false, packages: false, lab: LAB });
        assert.deepStrictEqual(pids(await labStatus(dir, LAB)), before, "a second up restarts nothing");
        assert.ok(lines.some((l) => /hv2: libvirtd: running, pid \d+/.test(l)), lines.join("\n"));
    });

    it("gives each hypervisor its own libvirt state, reachable over SSH and as a jump host", async () => {
        const s = spec();
        // Each sees its own /var/lib/pairbench: a file made on hv1 is not on hv2.
        await ssh("hv1", shellCommand(["touch", "/var/lib/pairbench/hv1-only"]));
        const hv2 = await ssh("hv2", "ls -A /var/lib/pairbench; readlink /proc/self/ns/net; virsh uri");
        assert.doesNotMatch(hv2.stdout, /hv1-only/);
        assert.match(hv2.stdout, /qemu:\/\/\/system/);
        fs.rmSync(path.join(s.hypervisors[0]!.dir, "workdir", "hv1-only"));
        // Two libvirtd, one per namespace: each socket belongs to its own daemon.
        const state = JSON.parse(fs.readFileSync(s.stateFile, "utf8"));
        const holder = state.hypervisors.hv2.holderPid as number;
        assert.strictEqual((await run(listDomains(s.hypervisors[1]!, holder))).code, 0);
        assert.notStrictEqual(state.hypervisors.hv1.pids.libvirtd, state.hypervisors.hv2.pids.libvirtd);
        // hv1 as jump host to hv2 (TCP forwarding, as Pulumi reaches the VMs).
        const jumped = await ssh("root@198.18.2.12", "echo via-jump", "hv1");
        assert.strictEqual(jumped.stdout.trim(), "via-jump");
    });

    it("carries traffic between the hypervisors over a VXLAN bridge made by the dataplane's script", async () => {
        const s = spec();
        const [a, b] = s.hypervisors as [typeof s.hypervisors[0], typeof s.hypervisors[0]];
        const cmd = (body: string) => hostCommand("root", { host: "test", step: "vxlan" }, body);
        for (const [hv, peer, addr] of [[a, b, "198.19.99.1/24"], [b, a, "198.19.99.2/24"]] as const) {
            await ssh(hv.name, cmd(vxlanCreate({ vni: 99, port: 4789, local: hv.underlayIp, remotes: [peer.underlayIp] })));
            await ssh(hv.name, shellCommand(["ip", "addr", "add", addr, "dev", "pb-vni99"]));
        }
        // Guests send full 1500-byte frames: the VXLAN device takes them (the underlay has room for its 50 bytes).
        assert.match((await ssh(a.name, shellCommand(["ip", "-o", "link", "show", "dev", "pb-vx99"]))).stdout, / mtu 1500 .*master pb-vni99/);
        assert.match((await ssh(a.name, shellCommand(["ip", "-o", "link", "show", "dev", "underlay0"]))).stdout, / mtu 9000 /);
        // busybox-static is a lab package; the host may have no iputils ping.
        const ping = await ssh(a.name, shellCommand(["busybox", "ping", "-c", "2", "-W", "2", "-s", "1472", "198.19.99.2"]));
        assert.match(ping.stdout, /2 packets received/);
        for (const hv of [a, b]) await ssh(hv.name, cmd(vxlanDelete({ vni: 99 })));
        assert.doesNotMatch((await ssh(a.name, "ip -o link show")).stdout, /pb-vx99|pb-vni99/);
    });

    it("boots the dev stack's VMs from the guest image: ignition applied, SSH through the hypervisor, iperf3 between them", async function () {
        if (process.env.PAIRBENCH_SKIP_LAB_VERIFY === "1") this.skip();
        installGuestImage(await buildGuestImage(), REPO);
        const result = await labVerify(REPO, spec(), out);
        assert.deepStrictEqual(Object.keys(result.bootToSshSeconds).sort(), ["verify-vm1", "verify-vm2", "verify-vm3"]);
        for (const [pair, gbps] of Object.entries(result.iperf3Gbps)) assert.ok(gbps > 0.01, `${pair}: ${gbps} Gbit/s`);
        assert.deepStrictEqual(Object.keys(result.iperf3Gbps).sort(), ["vm1-vm2-ipv4", "vm1-vm2-ipv6", "vm1-vm3-ipv4", "vm1-vm3-ipv6"]);
        for (const [pair, us] of Object.entries(result.sockperfP50Us)) assert.ok(us > 0, `${pair}: ${us} µs`);
        console.log(`      ${JSON.stringify(result)}`);
    });

    it("comes down leaving no namespace, process, link, mount or file", async () => {
        const s = spec();
        const pids = Object.values(JSON.parse(fs.readFileSync(s.stateFile, "utf8")).hypervisors as Record<string, { holderPid: number; pids: Record<string, number> }>)
            .flatMap((h) => [h.holderPid, ...Object.values(h.pids)]);
        await labDown(dir, out, LAB);
        assert.deepStrictEqual(await leftovers(s), []);
        assert.doesNotMatch((await run(["ip", "netns", "list"])).stdout, /pbt-/);
        assert.doesNotMatch((await run(["ip", "-o", "link", "show"])).stdout, /pbt-/);
        assert.doesNotMatch((await run(["findmnt", "-l", "-n", "-o", "TARGET"])).stdout, /pbt-|pairbench-lab-e2e/);
        for (const pid of pids) {
            const stat = fs.existsSync(`/proc/${pid}/status`) ? fs.readFileSync(`/proc/${pid}/status`, "utf8") : "";
            assert.ok(stat === "" || /^State:\s+Z/m.test(stat), `pid ${pid} still runs`);
        }
        assert.ok(!fs.existsSync(s.dir));
        const again = await labStatus(dir, LAB);
        assert.strictEqual(again.running, false);
    });
});

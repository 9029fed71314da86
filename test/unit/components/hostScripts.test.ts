// The hypervisor scripts, run for real against a fake virsh/sysctl/nft (fakeHost.ts): each
// create does its job and records what it changed; each delete puts back exactly that.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import {
    hostCommand, ipForwardCreate, ipForwardDelete, networkCreate, networkDelete, nftAcceptCreate, nftAcceptDelete,
    uploadCheck, uploadDelete, uploadFinalize, workDirCreate, workDirDelete,
} from "../../../components/hostScripts";
import { hypervisorPaths } from "../../../components/naming";
import { buildNetworkXml } from "../../../components/networkXml";
import { fakeHost, FakeHost } from "./fakeHost";
import { fakeSha } from "./fixtures";

const ctx = { host: "hypervisor hv1 (root@198.18.0.11:22)", step: "test" };

describe("hypervisor scripts (against a fake host)", () => {
    let h: FakeHost;
    let p: ReturnType<typeof hypervisorPaths>;
    const run = (body: string) => h.run(hostCommand("root", ctx, body));
    const ok = (body: string) => {
        const r = run(body);
        assert.strictEqual(r.status, 0, `script failed: ${r.stderr}`);
        return r.stdout;
    };

    beforeEach(() => {
        h = fakeHost();
        p = hypervisorPaths(path.join(h.dir, "work"));
        ok(workDirCreate(p, "root"));
    });
    afterEach(() => h.cleanup());

    describe("working directory", () => {
        it("is created with its marker and removed when nothing else is left", () => {
            assert.ok(fs.existsSync(p.ownerMarker) && fs.statSync(p.incoming).mode % 0o1000 === 0o700);
            ok(workDirCreate(p, "root")); // idempotent
            ok(workDirDelete(p));
            assert.ok(!fs.existsSync(p.workDir));
        });

        it("refuses a non-empty directory that is not pairbench's, and keeps one that still has files", () => {
            const other = hypervisorPaths(path.join(h.dir, "theirs"));
            fs.mkdirSync(other.workDir);
            fs.writeFileSync(path.join(other.workDir, "data"), "x");
            const r = run(workDirCreate(other, "root"));
            assert.strictEqual(r.status, 1);
            assert.match(r.stderr, /hypervisor hv1 \(root@198.18.0.11:22\), step test: .*theirs exists, is not empty and was not created by pairbench/);
            fs.writeFileSync(path.join(p.workDir, "keep"), "x");
            const d = run(workDirDelete(p));
            assert.strictEqual(d.status, 0);
            assert.match(d.stderr, /left .* in place, it still holds: keep/);
            assert.ok(fs.existsSync(path.join(p.workDir, "keep")));
        });
    });

    describe("ip_forward", () => {
        it("turns it on and restores 0 on delete", () => {
            h.write("ip_forward", "0\n");
            ok(ipForwardCreate(p));
            ok(ipForwardCreate(p));
            assert.strictEqual(h.read("ip_forward"), "1\n");
            ok(ipForwardDelete(p));
            assert.strictEqual(h.read("ip_forward"), "0\n");
        });
        it("changes nothing when it was already on", () => {
            h.write("ip_forward", "1\n");
            ok(ipForwardCreate(p));
            ok(ipForwardDelete(p));
            assert.strictEqual(h.read("ip_forward"), "1\n");
            assert.ok(!h.calls().some((c) => c.startsWith("sysctl -q")));
        });
    });

    describe("nft input policy (Gardenlinux)", () => {
        it("accepts, and restores drop on delete", () => {
            h.write("nft.policy", "drop\n");
            ok(nftAcceptCreate(p));
            assert.strictEqual(h.read("nft.policy"), "accept\n");
            assert.ok(h.calls().includes("nft add chain inet filter input { policy accept; }"));
            ok(nftAcceptDelete(p));
            assert.strictEqual(h.read("nft.policy"), "drop\n");
        });
        it("does nothing without an inet filter input chain", () => {
            assert.match(ok(nftAcceptCreate(p)), /nothing to open/);
            ok(nftAcceptDelete(p));
            assert.deepStrictEqual(h.calls(), ["nft list chain inet filter input"]);
        });
    });

    describe("default network", () => {
        const xml = buildNetworkXml();
        const active = () => h.read("net.active")?.trim();

        it("defines, starts and autostarts a missing network; delete removes it", () => {
            assert.match(ok(networkCreate(p, xml)), /default network: defined/);
            assert.deepStrictEqual([active(), h.read("net.autostart")?.trim()], ["yes", "yes"]);
            ok(networkDelete(p));
            assert.strictEqual(h.read("net.xml"), undefined);
        });

        it("leaves a matching network alone (libvirt's formatting and UUID do not count as a difference)", () => {
            ok(networkCreate(p, xml));
            ok(networkDelete(p)); // back to nothing
            ok(networkCreate(p, xml)); // defined by "someone else" now
            fs.rmSync(path.join(p.state, "default-network.prior"));
            const before = h.calls().length;
            assert.match(ok(networkCreate(p, xml)), /default network: matches/);
            assert.ok(!h.calls().slice(before).some((c) => /net-(undefine|define|destroy)/.test(c)));
            ok(networkDelete(p));
            assert.ok(h.read("net.xml") !== undefined, "a network that existed before stays");
            assert.strictEqual(active(), "yes");
        });

        it("redefines a different network and puts the original back on delete", () => {
            const theirs = buildNetworkXml({ name: "default", bridge: "virbr0", mac: "52:54:00:00:00:01", address: "192.168.122.1",
                netmask: "255.255.255.0", dhcpStart: "192.168.122.100", dhcpEnd: "192.168.122.200" });
            fs.writeFileSync(path.join(h.dir, "theirs.xml"), theirs);
            assert.strictEqual(h.run(`FAKE=1 virsh net-define ${h.dir}/theirs.xml`).status, 0);
            const original = h.read("net.xml");
            assert.match(ok(networkCreate(p, xml)), /default network: redefined/);
            assert.match(h.read("net.xml")!, /192.168.122.254/);
            assert.strictEqual(active(), "yes");
            ok(networkCreate(p, xml)); // a second run keeps the first saved original
            ok(networkDelete(p));
            assert.strictEqual(h.read("net.xml"), original);
            assert.deepStrictEqual([active(), h.read("net.autostart")?.trim()], ["no", "no"]);
        });
    });

    describe("image upload", () => {
        const content = "base image bytes\n";
        const target = () => ({
            sha256: fakeSha(content),
            final: `${p.images}/${fakeSha(content)}.raw`,
            incoming: `${p.incoming}/${fakeSha(content)}.raw`,
            localPath: "/local/gardenlinux.raw",
        });

        it("moves a verified upload into place and removes it on delete", () => {
            const t = target();
            assert.strictEqual(ok(uploadCheck(t)).trim(), "absent");
            fs.writeFileSync(t.incoming, content);
            assert.strictEqual(ok(uploadFinalize(t)).trim(), t.final);
            assert.strictEqual(fs.readFileSync(t.final, "utf8"), content);
            assert.strictEqual(ok(uploadCheck(t)).trim(), "present");
            ok(uploadDelete(t));
            assert.ok(!fs.existsSync(t.final));
        });

        it("keeps a file that was already there (the upload was a placeholder) and never deletes it", () => {
            const t = target();
            fs.writeFileSync(t.final, content);
            assert.strictEqual(ok(uploadCheck(t)).trim(), "present");
            fs.writeFileSync(t.incoming, "placeholder\n");
            ok(uploadFinalize(t));
            assert.ok(!fs.existsSync(t.incoming));
            ok(uploadDelete(t));
            assert.strictEqual(fs.readFileSync(t.final, "utf8"), content);
        });

        it("fails on a corrupt upload, naming the host, the step and the local file", () => {
            const t = target();
            fs.writeFileSync(t.incoming, "truncated");
            const r = run(uploadFinalize(t));
            assert.strictEqual(r.status, 1);
            assert.match(r.stderr, /hypervisor hv1 .*step test: sha256 of the upload differs from \/local\/gardenlinux.raw/);
            assert.ok(!fs.existsSync(t.final));
        });
    });
});

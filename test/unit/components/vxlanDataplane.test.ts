// The local VXLAN dataplane: its scripts (text and, with fake `ip`/`bridge`, behaviour) and the
// component under Pulumi mocks (children, inputs, replacement, secrets, preview).
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { MockHarness, resolve, useMocks } from "../../support/mocks";
import * as pulumi from "@pulumi/pulumi";
import { Hypervisor } from "../../../config/index";
import { validateVxlanDataplaneArgs, VxlanDataplane, VxlanDataplaneArgs, vxlanSpecs } from "../../../components/vxlanDataplane";
import { validateVxlanSpec, vxlanCreate, vxlanDelete, vxlanDeviceName } from "../../../components/vxlanScripts";
import { hostCommand } from "../../../components/hostScripts";

const CMD = "command:remote:Command";

function hv(name: string, host: string): Hypervisor {
    return { name, host, port: 22, user: "root", os: "debian", domainType: "qemu", workDir: "/var/lib/pairbench" };
}
const connection = (host: string) => pulumi.secret({ host, port: 22, user: "root", privateKey: "KEY" });

function args(extra: Partial<VxlanDataplaneArgs> = {}, n = 2): VxlanDataplaneArgs {
    const all = [
        { hypervisor: hv("hv1", "198.18.0.11"), connection: connection("198.18.0.11"), underlayIp: "198.18.1.11" },
        { hypervisor: hv("hv2", "198.18.0.12"), connection: connection("198.18.0.12"), underlayIp: "198.18.1.12" },
        { hypervisor: hv("hv3", "198.18.0.13"), connection: connection("198.18.0.13"), underlayIp: "198.18.1.13" },
    ];
    return { hypervisors: all.slice(0, n), vnis: [66], ...extra };
}

describe("VXLAN scripts", () => {
    const spec = { vni: 66, port: 4789, local: "198.18.1.11", remotes: ["198.18.1.12"] };

    it("names the device pb-vx<VNI> within the 15-character limit", () => {
        assert.strictEqual(vxlanDeviceName(66), "pb-vx66");
        assert.ok(vxlanDeviceName(2 ** 24 - 1).length <= 15);
    });

    it("uses `remote` for one peer and all-zero FDB entries for several", () => {
        const one = vxlanCreate(spec);
        assert.match(one, /ip link add "\$vx" mtu 1500 type vxlan id 66 local 198\.18\.1\.11 dstport 4789 remote 198\.18\.1\.12\n/);
        assert.doesNotMatch(one, /bridge fdb/);
        const many = vxlanCreate({ ...spec, remotes: ["198.18.1.12", "198.18.1.13"], mtu: 1450 });
        assert.match(many, /type vxlan id 66 local 198\.18\.1\.11 dstport 4789 \n/);
        assert.match(many, /bridge fdb append 00:00:00:00:00:00 dev "\$vx" dst 198\.18\.1\.12\nbridge fdb append 00:00:00:00:00:00 dev "\$vx" dst 198\.18\.1\.13\n/);
        assert.match(many, /mtu 1450 type vxlan/);
    });

    it("rejects bad specs listing every problem", () => {
        assert.throws(
            () => validateVxlanSpec({ vni: 2 ** 24, port: 0, local: "nope", remotes: ["nope", "nope"], mtu: 10 }),
            {
                message:
                    "invalid VXLAN spec for VNI 16777216: vni 16777216 must be a whole number 0..16777215; port 0 must be 1..65535; " +
                    "mtu 10 must be 68..65535; local 'nope' is not an IP address; remotes[0] 'nope' is not an IP address; " +
                    "remotes[1] 'nope' is not an IP address; local 'nope' is also listed as a remote; remotes must be distinct",
            },
        );
        assert.throws(() => validateVxlanSpec({ ...spec, remotes: ["fd00::1"] }), /not of the same IP version/);
    });

    describe("run against fake ip/bridge", () => {
        let dir: string;
        // A fake `ip` that keeps links (name → alias) in files and logs every call.
        const IP = String.raw`#!/bin/bash
S="$FAKE_STATE"; echo "ip $*" >> "$S/calls"
case "$1 $2" in
  "link show") [ -e "$S/links/$4" ] ;;
  "link add") [ -e "$S/links/$3" ] && exit 2; touch "$S/links/$3"; mkdir -p "$S/sys/$3" ;;
  "link del") rm -f "$S/links/$3"; rm -rf "$S/sys/$3" ;;
  "link set") [ -e "$S/links/$4" ] || exit 1; if [ "$5" = alias ]; then printf '%s\n' "$6" > "$S/sys/$4/ifalias"; fi ;;
  *) echo "fake ip: unexpected $*" >&2; exit 9 ;;
esac`;
        const run = (body: string) => {
            const script = hostCommand("root", { host: "hypervisor hv1", step: "test" }, body).replace(/\/sys\/class\/net/g, `${dir}/sys`);
            return spawnSync("bash", ["-c", script], {
                encoding: "utf8",
                env: { PATH: `${dir}/bin:/usr/bin:/bin`, FAKE_STATE: dir },
            });
        };
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-vxlan-"));
            for (const d of ["bin", "links", "sys"]) fs.mkdirSync(path.join(dir, d));
            fs.writeFileSync(path.join(dir, "bin", "ip"), IP, { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "bin", "bridge"), `#!/bin/bash\necho "bridge $*" >> "$FAKE_STATE/calls"\n`, { mode: 0o755 });
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("creates the bridge and device, marks them, is repeatable, and delete removes both", () => {
            const first = run(vxlanCreate(spec));
            assert.strictEqual(first.status, 0, first.stderr);
            assert.strictEqual(first.stdout, "pb-vni66: pb-vx66 vni 66 local 198.18.1.11 dstport 4789 remote 198.18.1.12 mtu 1500\n");
            assert.deepStrictEqual(fs.readdirSync(path.join(dir, "links")).sort(), ["pb-vni66", "pb-vx66"]);
            assert.strictEqual(fs.readFileSync(path.join(dir, "sys", "pb-vni66", "ifalias"), "utf8"), "pairbench vxlan vni 66\n");
            assert.strictEqual(run(vxlanCreate(spec)).status, 0, "a second create replaces the device and keeps the bridge");
            const del = run(vxlanDelete(spec));
            assert.strictEqual(del.status, 0, del.stderr);
            assert.deepStrictEqual(fs.readdirSync(path.join(dir, "links")), []);
            assert.strictEqual(run(vxlanDelete(spec)).status, 0, "delete of nothing succeeds");
        });

        it("refuses a bridge that is not pairbench's and leaves it alone on delete", () => {
            fs.writeFileSync(path.join(dir, "links", "pb-vni66"), "");
            fs.mkdirSync(path.join(dir, "sys", "pb-vni66"));
            const r = run(vxlanCreate(spec));
            assert.strictEqual(r.status, 1);
            assert.match(r.stderr, /hypervisor hv1, step test: link pb-vni66 exists and was not created by pairbench/);
            const d = run(vxlanDelete(spec));
            assert.strictEqual(d.status, 0);
            assert.match(d.stderr, /link pb-vni66 was not created by pairbench; left alone/);
            assert.ok(fs.existsSync(path.join(dir, "links", "pb-vni66")));
        });
    });
});

/** Installs mocks for one suite and gives the previous monitor back after it (other files have theirs). */
function suiteMocks(opts: { preview?: boolean } = {}): () => MockHarness {
    let mocks: MockHarness | undefined;
    before(async () => (mocks = await useMocks(opts)));
    after(() => mocks?.restore());
    beforeEach(() => mocks!.reset());
    return () => mocks!;
}

describe("VxlanDataplane (mocks)", () => {
    const harness = suiteMocks();
    let mocks: MockHarness;
    beforeEach(() => {
        mocks = harness();
    });

    it("creates one command per hypervisor and VNI with the other hypervisors as remotes", async () => {
        mocks.outputsFor(CMD, (_inputs, name) => ({ stdout: `made ${name}\n` }));
        const dp = new VxlanDataplane("pb-dataplane", args({ vnis: [67, 66, 66] }));
        await mocks.settle(dp);
        const cmds = mocks.ofType(CMD);
        assert.deepStrictEqual(
            cmds.map((c) => c.name),
            ["pb-dataplane-hv1-vni66", "pb-dataplane-hv1-vni67", "pb-dataplane-hv2-vni66", "pb-dataplane-hv2-vni67"],
        );
        const hv2 = mocks.find(CMD, "pb-dataplane-hv2-vni66");
        assert.match(hv2.inputs["create"], /local 198\.18\.1\.12 dstport 4789 remote 198\.18\.1\.11/);
        assert.match(hv2.inputs["delete"], /step remove VXLAN 66/);
        assert.deepStrictEqual(hv2.inputs["triggers"], [hv2.inputs["create"]]);
        assert.ok(hv2.urn.endsWith("::pairbench:components:VxlanDataplane$command:remote:Command::pb-dataplane-hv2-vni66"), hv2.urn);
        assert.deepStrictEqual(dp.bridges, { hv1: ["pb-vni66", "pb-vni67"], hv2: ["pb-vni66", "pb-vni67"] });
        assert.strictEqual(await resolve(dp.ready["hv1"]!), "made pb-dataplane-hv1-vni66\nmade pb-dataplane-hv1-vni67");
    });

    it("keeps the connection secret", async () => {
        const dp = new VxlanDataplane("pb-dataplane", args());
        await mocks.settle(dp);
        const conn = mocks.find(CMD, "pb-dataplane-hv1-vni66").inputs["connection"];
        assert.strictEqual(conn?.["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", "connection is a secret");
    });

    it("with three hypervisors, programs every peer into the FDB", () => {
        const specs = vxlanSpecs(args({}, 3));
        assert.deepStrictEqual(specs.find((s) => s.hypervisor === "hv3")!.spec.remotes, ["198.18.1.11", "198.18.1.12"]);
    });

    it("rejects bad args before creating anything", async () => {
        assert.throws(
            () => validateVxlanDataplaneArgs({ hypervisors: [], vnis: [] }),
            { message: "invalid VxlanDataplane args: `hypervisors` must list at least one hypervisor; `vnis` must list at least one VNI" },
        );
        const dup = args();
        assert.throws(
            () => validateVxlanDataplaneArgs({ ...dup, hypervisors: [dup.hypervisors[0]!, { ...dup.hypervisors[1]!, underlayIp: "198.18.1.11" }] }),
            /underlayIp must differ per hypervisor: 198\.18\.1\.11/,
        );
        assert.throws(() => new VxlanDataplane("bad", args({ port: 70000 })), /hypervisor hv1: invalid VXLAN spec for VNI 66: port 70000 must be 1\.\.65535/);
        await mocks.settle();
        assert.deepStrictEqual(mocks.ofType(CMD), []);
    });
});

describe("VxlanDataplane (mocks, preview)", () => {
    const harness = suiteMocks({ preview: true });

    it("registers the same commands when nothing has run yet", async () => {
        const mocks = harness();
        const dp = new VxlanDataplane("pb-dataplane", args());
        await mocks.settle(dp);
        assert.deepStrictEqual(mocks.ofType(CMD).map((c) => c.name), ["pb-dataplane-hv1-vni66", "pb-dataplane-hv2-vni66"]);
        assert.match(mocks.find(CMD, "pb-dataplane-hv1-vni66").inputs["create"], /remote 198\.18\.1\.12/);
    });
});

// The libvirt components under Pulumi mocks, built from the real dev and lab stack files: which
// resources exist, what depends on what, what replaces what, and that private keys and the
// password hash only ever travel as secrets.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "../../../config/index";
import { LibvirtEnvironment } from "../../../components/libvirtEnvironment";
import { stackValues } from "../../support/stackFiles";
import { fakeSha, TEST_PASSWORD_HASH, TEST_PUBLIC_KEY } from "./fixtures";
import { fakeDpserviceStdout } from "./dpserviceFakes";
import { isWireSecret, plainStrings, MockHarness as Recorder, useMocks, resolve } from "../../support/mocks";

const CMD = "command:remote:Command";
const COPY = "command:remote:CopyToRemote";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAtestkeymaterial\n-----END OPENSSH PRIVATE KEY-----\n";
const LEASES: Record<string, string> = { vm1: "192.168.122.11", vm2: "192.168.122.12", vm3: "192.168.122.13" };

function stdoutFor(name: string, inputs: Record<string, any> = {}): Record<string, string> {
    const dp = fakeDpserviceStdout(name, inputs);
    if (dp !== undefined) return { stdout: dp };
    const vm = /-(vm\d)-/.exec(name)?.[1] ?? "";
    if (name.endsWith("-check")) return { stdout: "absent\n" };
    if (name.endsWith("-finalize")) return { stdout: `/var/lib/pairbench/images/${fakeSha(name)}.img\n` };
    if (name.endsWith("-vf")) return { stdout: "0000:8b:00.3\n" };
    if (name.endsWith("-domain")) return { stdout: `uuid-${vm}\n` };
    if (name.endsWith("-lease")) return { stdout: `${LEASES[vm]}\n` };
    if (name.endsWith("-ready")) return { stdout: `${vm} 6.1.0-amd64\n` };
    if (name.endsWith("-peer")) return { stdout: "peer answers\n" };
    return { stdout: "ok\n" };
}

let dir: string;

/** Mock inputs keep secrets wrapped in Pulumi's secret signature; this unwraps one. */
const unsecret = (v: any) => (v && typeof v === "object" && "value" in v && Object.values(v).includes("1b47061264138c4ac30d75fd1eb44270") ? v.value : v);

function config(stack: "dev" | "lab") {
    const values = stackValues(stack);
    for (const h of values["hypervisors"]) h.sshKey = { path: path.join(dir, "id_test") };
    if (stack === "lab") {
        values["images"][0].path = path.join(dir, "gardenlinux.raw");
        values["ssh"] = { publicKeyPath: path.join(dir, "id_test.pub"), rootPasswordHash: TEST_PASSWORD_HASH };
    }
    const r = validateStackConfig(values);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.config;
}

function build(stack: "dev" | "lab") {
    return new LibvirtEnvironment("pb", {
        config: config(stack),
        context: { stack, projectDir: dir, homeDir: dir },
        sha256: (file) => fakeSha(file),
    });
}

describe("libvirt components under mocks", function () {
    // The lab stack registers ~80 resources; a shared, busy machine needs more than mocha's 2 s.
    this.timeout(60000);
    let rec: Recorder;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-mocks-"));
        fs.writeFileSync(path.join(dir, "id_test"), PRIVATE_KEY);
        fs.writeFileSync(path.join(dir, "id_test.pub"), `${TEST_PUBLIC_KEY}\n`);
        fs.mkdirSync(path.join(dir, ".pairbench", "guest"), { recursive: true });
        for (const f of [".pairbench/guest/vmlinuz", ".pairbench/guest/initrd.img", "gardenlinux.raw"]) fs.writeFileSync(path.join(dir, f), f);
        rec = await useMocks({ outputs: (type, name, inputs) => (type === CMD ? stdoutFor(name, inputs) : {}) });
    });
    after(() => {
        rec.restore();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => rec.reset());

    it("dev: exactly these resources, each under its component", async () => {
        const env = build("dev");
        await rec.settle(env);
        const perHv = (hv: string) => [
            `pairbench:components:HypervisorSetup ${hv} < pb`,
            `${CMD} ${hv}-workdir < ${hv}`, `${CMD} ${hv}-ipforward < ${hv}`, `${CMD} ${hv}-network < ${hv}`,
            ...["kernel", "initrd"].flatMap((role) => [
                `pairbench:components:UploadedFile ${hv}-guest-${role} < ${hv}`,
                `${CMD} ${hv}-guest-${role}-check < ${hv}-guest-${role}`,
                `${COPY} ${hv}-guest-${role}-upload < ${hv}-guest-${role}`,
                `${CMD} ${hv}-guest-${role}-finalize < ${hv}-guest-${role}`,
            ]),
        ];
        const perVm = (vm: string) => [
            `pairbench:components:LibvirtDomain pb-${vm} < pb`,
            ...["domain", "lease", "ssh", "ready"].map((step) => `${CMD} pb-${vm}-${step} < pb-${vm}`),
        ];
        const pair = (p: string) => [`pairbench:components:TestReadyPair pb-${p} < pb`, `${CMD} pb-${p}-peer < pb-${p}`];
        const want = [
            "pairbench:components:LibvirtEnvironment pb < ",
            "pairbench:components:VxlanDataplane pb-dataplane < pb",
            `${CMD} pb-dataplane-hv1-vni66 < pb-dataplane`, `${CMD} pb-dataplane-hv2-vni66 < pb-dataplane`,
            ...perHv("pb-hv1"), ...perHv("pb-hv2"),
            ...perVm("vm1"), ...perVm("vm2"), ...perVm("vm3"),
            ...pair("vm1-vm2"), ...pair("vm1-vm3"),
        ];
        assert.deepStrictEqual(rec.records.map((r) => `${r.type} ${r.name} < ${r.parent}`).sort(), want.sort());
    });

    it("dev: the dependency graph follows setup → domain → lease → ssh → ready → peer", async () => {
        const env = build("dev");
        await rec.settle(env);
        const deps = (name: string) => rec.records.find((r) => r.name === name)!.dependsOn;
        const has = (name: string, ...on: string[]) => on.forEach((o) => assert.ok(deps(name).includes(o), `${name} should depend on ${o}; has ${deps(name).join(", ")}`));
        has("pb-hv1-ipforward", "pb-hv1-workdir");
        has("pb-hv1-network", "pb-hv1-workdir");
        has("pb-hv1-guest-kernel-check", "pb-hv1-workdir");
        has("pb-hv1-guest-kernel-upload", "pb-hv1-guest-kernel-check");
        has("pb-hv1-guest-kernel-finalize", "pb-hv1-guest-kernel-upload");
        has("pb-vm1-domain", "pb-hv1-network", "pb-hv1-ipforward", "pb-hv1-guest-kernel-finalize", "pb-hv1-guest-initrd-finalize");
        // The test network's bridges exist before a domain starts, and outlive it on delete.
        has("pb-vm1-domain", "pb-dataplane-hv1-vni66", "pb-dataplane-hv2-vni66");
        assert.ok(!deps("pb-vm3-domain").some((d) => d.startsWith("pb-hv1")), "vm3 waits for hv2 only");
        has("pb-vm1-lease", "pb-vm1-domain");
        has("pb-vm1-ssh", "pb-vm1-lease");
        has("pb-vm1-ready", "pb-vm1-ssh", "pb-vm1-lease");
        has("pb-vm1-vm3-peer", "pb-vm1-ready", "pb-vm3-ready");
    });

    it("replacement: XML/ignition/image replace the domain (deleted first); a new domain re-runs the checks", async () => {
        const env = build("dev");
        await rec.settle(env);
        const domain = rec.find(CMD, "pb-vm1-domain");
        assert.strictEqual(domain.deleteBeforeReplace, true);
        const [xml, ignitionSha, image] = domain.inputs["triggers"];
        assert.match(xml, /<name>vm1<\/name>/);
        assert.match(ignitionSha, /^[0-9a-f]{64}$/);
        assert.deepStrictEqual(Object.keys(image).sort(), ["initrd", "kernel"]);
        for (const step of ["lease", "ssh", "ready"]) assert.deepStrictEqual(rec.find(CMD, `pb-vm1-${step}`).inputs["triggers"], ["uuid-vm1"]);
        assert.deepStrictEqual(rec.find(CMD, "pb-vm1-vm3-peer").inputs["triggers"], ["uuid-vm1", "uuid-vm3"]);
        assert.strictEqual(rec.find(CMD, "pb-hv1-network").deleteBeforeReplace, true);
        assert.deepStrictEqual(rec.find(CMD, "pb-hv1-guest-kernel-finalize").inputs["triggers"], [fakeSha(path.join(dir, ".pairbench/guest/vmlinuz"))]);
        assert.strictEqual(await resolve(env.pairs[0]!.client.instance), "uuid-vm1");
        assert.deepStrictEqual(Object.keys(env.endpoints), ["vm1", "vm2", "vm3"]);
        assert.strictEqual(await resolve(env.endpoints["vm3"]!.instance), "uuid-vm3");
        assert.strictEqual(await resolve(env.endpoints["vm3"]!.ready), "peer answers; peer answers");
    });

    it("dev: commands run as root, the domain boots the uploaded kernel, VMs are reached through their hypervisor", async () => {
        const env = build("dev");
        await rec.settle(env);
        const create = rec.find(CMD, "pb-vm1-domain").inputs["create"] as string;
        assert.match(create, /^bash --norc --noprofile -euo pipefail -c /);
        assert.match(create, /<kernel>\/var\/lib\/pairbench\/images\/[0-9a-f]{64}\.img<\/kernel>/);
        assert.ok(!rec.records.some((r) => r.name.endsWith("-nft")), "debian hosts get no nft rule");
        const ready = unsecret(rec.find(CMD, "pb-vm1-ready").inputs["connection"]);
        assert.deepStrictEqual([ready.host, ready.user, ready.port, ready.proxy.host, ready.proxy.user], ["192.168.122.11", "root", 22, "198.18.0.11", "root"]);
        assert.strictEqual(await resolve(env.machines).then((m) => m.map((x) => `${x.name}@${x.hypervisor}=${x.managementIp}`).join(" ")),
            "vm1@hv1=192.168.122.11 vm2@hv1=192.168.122.12 vm3@hv2=192.168.122.13");
        const pairs = await resolve(env.pairSummaries);
        assert.deepStrictEqual(pairs.map((p) => [p.name, p.placement, p.server.testIpv4, p.server.testIpv6]), [
            ["vm1-vm2", "same-host", "198.19.66.6", "fd00:66::6"],
            ["vm1-vm3", "cross-host", "198.19.66.9", "fd00:66::9"],
        ]);
    });

    it("lab: sudo for the benchmark user, the nft rule on Gardenlinux, the VF resolved on the hypervisor", async () => {
        const env = build("lab");
        await rec.settle(env);
        assert.match(rec.find(CMD, "pb-hypervisor-1-workdir").inputs["create"], /^sudo -n -- bash --norc --noprofile -euo pipefail -c /);
        assert.ok(rec.find(CMD, "pb-hypervisor-2-nft"));
        assert.match(rec.find(CMD, "pb-vm1-vf").inputs["create"], /virtfn2/);
        assert.ok(rec.find(CMD, "pb-vm1-domain").dependsOn.includes("pb-vm1-vf"));
        const xml = unsecret(unsecret(rec.find(CMD, "pb-vm1-domain").inputs["triggers"])[0]) as string;
        assert.match(xml, /<address domain="0x0000" bus="0x8b" slot="0x00" function="0x3"\/>/);
        assert.match(unsecret(rec.find(CMD, "pb-vm1-domain").inputs["create"]), /qemu-img create -q -f qcow2 -F raw -b/);
        assert.strictEqual(rec.ofType(COPY).length, 2, "the raw image is uploaded once per hypervisor, not per VM");
        await resolve(env.pairSummaries);
    });

    for (const stack of ["dev", "lab"] as const) {
        it(`${stack}: the private key and the password hash never travel outside a secret`, async () => {
            const env = build(stack);
            await rec.settle(env);
            for (const r of rec.records) {
                for (const text of plainStrings(r.wire)) {
                    assert.ok(!text.includes("PRIVATE KEY") && !text.includes("testkeymaterial"), `${r.name}: private key in plain inputs`);
                    assert.ok(!text.includes(TEST_PASSWORD_HASH), `${r.name}: password hash in plain inputs`);
                }
                if (r.type === CMD || r.type === COPY) assert.ok(isWireSecret((r.wire as any).connection), `${r.name}: connection is secret`);
            }
            if (stack === "lab") assert.ok(isWireSecret((rec.find(CMD, "pb-vm1-domain").wire as any).create), "the create script carries the hash: secret");
            const outputs = JSON.stringify([await resolve(env.machines), await resolve(env.pairSummaries)]);
            assert.ok(!outputs.includes("PRIVATE KEY") && !outputs.includes("$6$"));
            assert.strictEqual(await (env.pairs[0]!.client.ssh as any).isSecret, true);
        });
    }

    it("a hypervisor without any key file and no ssh.publicKeyPath is an error that says what to set", () => {
        const cfg = config("dev");
        const noKey = { ...cfg, hypervisors: cfg.hypervisors.map((h) => ({ ...h, sshKey: undefined })) };
        assert.throws(
            () => new LibvirtEnvironment("pb", { config: noKey, context: { stack: "dev", projectDir: dir, homeDir: dir }, sha256: fakeSha }),
            /hypervisor hv1: no public key for the VMs; set pairbench:ssh.publicKeyPath/,
        );
    });

    it("with pairbench:runner, each pair's client becomes a self-hosted runner after the peer check; the token stays secret", async () => {
        const token = "github_pat_libvirt_token";
        const cfg = { ...config("dev"), runner: { url: "https://github.com/example/repo", token, labels: ["lab"] } };
        const env = new LibvirtEnvironment("pb", { config: cfg, context: { stack: "dev", projectDir: dir, homeDir: dir }, sha256: (file) => fakeSha(file) });
        await rec.settle(env);
        const runners = rec.records.filter((r) => r.name.endsWith("-runner"));
        // Pairs register as their peer checks resolve: the order is not part of the contract.
        assert.deepStrictEqual(runners.map((r) => `${r.name} < ${r.parent}`).sort(), ["pb-vm1-vm2-runner < pb-vm1-vm2", "pb-vm1-vm3-runner < pb-vm1-vm3"]);
        for (const r of runners) {
            assert.ok(r.dependsOn.includes(r.name.replace(/-runner$/, "-peer")));
            assert.strictEqual(r.deleteBeforeReplace, true);
            const wire = r.wire as any;
            assert.ok(isWireSecret(wire.create) && isWireSecret(wire.delete), "register and remove scripts carry the token: secret");
            assert.ok(!plainStrings(r.wire).some((t) => t.includes(token)));
        }
        const create = unsecret(rec.find(CMD, "pb-vm1-vm3-runner").inputs["create"]) as string;
        // The script `sh -c` gets, as bash parses the command line.
        const inner = spawnSync("bash", ["-c", `set -- ${create.replace(/^sh -c /, "")}; printf '%s' "$1"`], { encoding: "utf8" }).stdout;
        assert.ok(inner.includes("--name pairbench-dev-vm1-vm3 --labels os-guest\\,vm1-vm3\\,lab"), inner);
        assert.deepStrictEqual((await resolve(env.pairSummaries)).map((p) => p.runner), ["pairbench-dev-vm1-vm2", "pairbench-dev-vm1-vm3"]);
    });
});

describe("libvirt components under mocks: preview", function () {
    this.timeout(60000);
    let rec: Recorder;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-mocks-"));
        fs.writeFileSync(path.join(dir, "id_test"), PRIVATE_KEY);
        fs.writeFileSync(path.join(dir, "id_test.pub"), `${TEST_PUBLIC_KEY}\n`);
        rec = await useMocks({ preview: true });
    });
    after(() => {
        rec.restore();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("registers the same resources while command outputs are still unknown", async () => {
        const env = build("dev");
        await rec.settle(env);
        // The environment, the dataplane + one VXLAN per hypervisor, 2 × (setup + 3 steps +
        // 2 × (UploadedFile + 3)), 3 × (domain + 4), 2 × (pair + check).
        assert.strictEqual(rec.records.length, 1 + 3 + 2 * 12 + 3 * 5 + 2 * 2);
        assert.strictEqual(pulumi.Output.isInstance(env.machines), true);
    });
});

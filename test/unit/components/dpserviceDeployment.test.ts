// The dpservice dataplane of the lab stack under Pulumi mocks, wired as index.ts wires it: which
// resources exist for each stage and mode, the exact docker and dpservice-cli command lines, the
// order container → interfaces → (VMs) → reboot → routes/NAT/LB → benchmarks, what a mode
// change replaces and re-runs, and the same graph in a preview. dpservice itself cannot run
// here; the fake dpservice-cli answers (dpserviceFakes.ts) are shaped from its source.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { BenchmarkSuite } from "../../../benchmarks/benchmarkSuite";
import { planScenarios, thresholdProfile } from "../../../benchmarks/scenarios";
import { validateStackConfig } from "../../../config/index";
import { LibvirtEnvironment } from "../../../components/libvirtEnvironment";
import { stackValues } from "../../support/stackFiles";
import { MockHarness as Recorder, resolve, useMocks } from "../../support/mocks";
import { fakeDpserviceStdout } from "./dpserviceFakes";
import { fakeSha, TEST_PUBLIC_KEY } from "./fixtures";

const CMD = "command:remote:Command";
const LOCAL = "command:local:Command";
const LEASES: Record<string, string> = { vm1: "192.168.122.11", vm2: "192.168.122.12", vm3: "192.168.122.13" };
const unsecret = (v: any) => (v && typeof v === "object" && Object.values(v).includes("1b47061264138c4ac30d75fd1eb44270") ? v.value : v);

function stdout(name: string, inputs: Record<string, any>): string {
    const dp = fakeDpserviceStdout(name, inputs);
    if (dp !== undefined) return dp;
    const vm = /-(vm\d)-/.exec(name)?.[1] ?? "";
    if (name.endsWith("-check")) return "absent\n";
    if (name.endsWith("-finalize")) return `/var/lib/pairbench/images/${fakeSha(name)}.img\n`;
    if (name.endsWith("-vf")) return "0000:8b:00.3\n";
    if (name.endsWith("-domain")) return `uuid-${vm}\n`;
    if (name.endsWith("-lease")) return `${LEASES[vm]}\n`;
    return "ok\n";
}

/** The argv of the line in a generated script that starts with `prefix`, as bash would run it. */
function argvOfLine(command: string, prefix: string): string[] {
    const outer = spawnSync("bash", ["-c", `printf '%s\\0' ${command}`], { encoding: "utf8" }).stdout.split("\0").slice(0, -1);
    const script = outer[outer.length - 1]!;
    // `if ! docker run … >/dev/null; then` → the command itself.
    const line = script.split("\n").map((l) => l.replace(/^if ! /, "").replace(/ >\/dev\/null(; then)?$/, "")).find((l) => l.startsWith(prefix));
    assert.ok(line, `no line starting with '${prefix}' in:\n${script}`);
    return spawnSync("bash", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" }).stdout.split("\0").slice(0, -1);
}

/** The dpservice-cli call of an object's create script (`out=$(docker exec …) || {`), as bash would run it. */
function cliLine(command: string): string {
    const outer = spawnSync("bash", ["-c", `printf '%s\\0' ${command}`], { encoding: "utf8" }).stdout.split("\0").slice(0, -1);
    const line = outer[outer.length - 1]!.split("\n").find((l) => l.startsWith("out=$(docker exec"));
    assert.ok(line, "no dpservice-cli call in the script");
    const call = line.slice("out=$(".length, line.lastIndexOf(") || {"));
    return spawnSync("bash", ["-c", `printf '%s\\0' ${call}`], { encoding: "utf8" }).stdout.split("\0").slice(0, -1).join(" ");
}

interface Variant {
    readonly mode?: "offload" | "non-offload";
    readonly stage?: "cicd" | "dev";
    readonly reboot?: boolean;
    readonly scenarios?: string[];
}

describe("dpservice dataplane (lab stack, mocks)", function () {
    this.timeout(120000);
    let rec: Recorder;
    let dir: string;

    function build(v: Variant = {}) {
        const values = stackValues("lab");
        for (const h of values["hypervisors"]) h.sshKey = { path: path.join(dir, "id_test") };
        values["images"][0].path = path.join(dir, "gardenlinux.raw");
        values["ssh"] = { publicKeyPath: path.join(dir, "id_test.pub") };
        values["runId"] = "run-7";
        Object.assign(values["dataplane"].dpservice, { mode: v.mode ?? "non-offload", stage: v.stage ?? "cicd", reboot: v.reboot ?? false });
        if (v.stage === "dev") values["dataplane"].dpservice.buildPath = path.join(dir, "dpservice");
        if (v.scenarios) values["benchmark"].scenarios = v.scenarios;
        const r = validateStackConfig(values);
        if (!r.ok) throw new Error(JSON.stringify(r.issues));
        const config = r.config;
        const scenarios = planScenarios(config);
        const env = new LibvirtEnvironment("pb", {
            config,
            context: { stack: "lab", projectDir: dir, homeDir: dir },
            sha256: (file) => fakeSha(file),
            scenarios,
            dpserviceSourceHash: () => "source-hash-1",
        });
        // As index.ts wires it.
        const suite = new BenchmarkSuite("bench", {
            scenarios,
            endpoints: env.endpoints,
            runId: config.runId,
            context: { thresholds: thresholdProfile(config), ...env.dataplane.context },
            scenarioDependsOn: env.dataplane.scenarioDependsOn,
            rerunOn: env.dataplane.rerunOn,
        });
        return { env, suite };
    }

    /** Every resource `name` waits for, directly or through others. */
    function upstreamOf(name: string): Set<string> {
        const seen = new Set<string>();
        const todo = [name];
        while (todo.length > 0) {
            const n = todo.pop()!;
            for (const d of rec.records.find((r) => r.name === n)?.dependsOn ?? []) if (!seen.has(d)) (seen.add(d), todo.push(d));
        }
        return seen;
    }
    const assertBefore = (first: string, then: string) => assert.ok(upstreamOf(then).has(first), `${then} should run after ${first}`);

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-dpservice-"));
        fs.writeFileSync(path.join(dir, "id_test"), "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n");
        fs.writeFileSync(path.join(dir, "id_test.pub"), `${TEST_PUBLIC_KEY}\n`);
        fs.writeFileSync(path.join(dir, "gardenlinux.raw"), "raw");
        fs.mkdirSync(path.join(dir, "dpservice"));
        fs.writeFileSync(path.join(dir, "dpservice", "Dockerfile"), "FROM scratch\n");
        rec = await useMocks({ stack: "lab", outputs: (type, name, inputs) => (type === CMD || type === LOCAL ? { stdout: stdout(name, inputs) } : {}) });
    });
    after(() => {
        rec.restore();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => rec.reset());

    it("cicd: a container per hypervisor, an interface per VM, the routes, NAT and LB objects, the VM steps", async () => {
        const { env, suite } = build();
        await rec.settle(env, suite);
        const dp = rec.records.filter((r) => r.parent === "pb-dpservice" || r.parent === "pb-guests" || r.name === "pb-dpservice" || r.name === "pb-guests");
        assert.deepStrictEqual(dp.map((r) => `${r.type} ${r.name} < ${r.parent}`).sort(), [
            "pairbench:components:DpserviceDeployment pb-dpservice < pb",
            "pairbench:components:DpserviceGuests pb-guests < pb",
            ...["hypervisor-1-container", "hypervisor-2-container", "vm1-interface", "vm2-interface", "vm3-interface", "vm3-nat", "hypervisor-2-lb", "vm3-lbprefix", "hypervisor-2-lbtarget-vm3",
                "hypervisor-1-route-vni66-172-32-4-9-32", "hypervisor-1-route-vni66-2003-123-128", "hypervisor-2-route-vni66-192-168-129-5-32", "hypervisor-2-route-vni66-2002-123-128",
                "hypervisor-2-route-vni66-0-0-0-0-0", "hypervisor-1-route-vni66-10-10-20-20-32", "hypervisor-1-route-vni66-10-20-30-30-32",
            ].map((n) => `${CMD} pb-dpservice-${n} < pb-dpservice`),
            ...["vm1-net", "vm2-net", "vm3-net", "vm3-lb-vip"].map((n) => `${CMD} pb-guests-${n} < pb-guests`),
        ].sort());
        assert.strictEqual(rec.ofType(LOCAL).length, 0, "cicd builds nothing");
        for (const r of dp.filter((x) => x.type === CMD && x.parent === "pb-dpservice")) {
            assert.strictEqual(r.deleteBeforeReplace, true, `${r.name}: same name/key in dpservice, so delete first`);
            assert.match(unsecret(r.inputs["create"]), /^sudo -n -- bash --norc --noprofile -euo pipefail -c /, `${r.name} runs as root`);
        }
        assert.deepStrictEqual(await resolve(env.endpoints["vm3"]!.instance), "uuid-vm3");
    });

    for (const mode of ["non-offload", "offload"] as const) {
        it(`cicd, ${mode}: the exact docker run and dpservice-cli lines`, async () => {
            const { env, suite } = build({ mode });
            await rec.settle(env, suite);
            const create = unsecret(rec.find(CMD, "pb-dpservice-hypervisor-2-container").inputs["create"]);
            assert.deepStrictEqual(argvOfLine(create, "docker run"), [
                "docker", "run", "-d", "--privileged", "--network", "host", "--name", "pairbench-dpservice-hypervisor-2",
                "--label", "pairbench.stack=lab", "--label", "pairbench.hypervisor=hypervisor-2",
                "--mount", "type=bind,source=/dev/hugepages,target=/dev/hugepages", "--mount", "type=bind,source=/run/dpservice,target=/run/dpservice",
                "registry.example/ironcore-dev/dpservice:sha-e9b4272", "-l", "0,1", "--", ...(mode === "offload" ? [] : ["--no-offload"]), "--enable-ipv6-overlay",
            ]);
            const cli = (name: string) => cliLine(unsecret(rec.find(CMD, name).inputs["create"]));
            assert.strictEqual(cli("pb-dpservice-vm1-interface"), "docker exec pairbench-dpservice-hypervisor-1 dpservice-cli -o json create interface --id=vm1 --vni=66 --ipv4=192.168.129.5 --ipv6=2002::123 --device=0000:8a:00.0_representor_vf2");
            const vm3Underlay = JSON.parse(stdout("pb-dpservice-vm3-interface", { create: rec.find(CMD, "pb-dpservice-vm3-interface").inputs["create"] })).spec.underlay_route;
            assert.match(vm3Underlay, /::/, "the fake hands out compressed underlay addresses, like dpservice");
            assert.ok(cli("pb-dpservice-hypervisor-1-route-vni66-172-32-4-9-32").endsWith(`create route --prefix=172.32.4.9/32 --next-hop-vni=0 --next-hop-ip=${vm3Underlay} --vni=66`));
            assert.ok(cli("pb-dpservice-vm3-nat").endsWith("create nat --interface-id=vm3 --nat-ip=10.10.20.20 --minport=10240 --maxport=10360"));
            assert.ok(cli("pb-dpservice-hypervisor-2-lb").endsWith("create loadbalancer --id=test-lb --vni=66 --vip=10.20.30.30 --lbports=TCP/5201,TCP/50007"));
            assert.ok(cli("pb-dpservice-vm3-lbprefix").endsWith("create lbprefix --interface-id=vm3 --prefix=10.20.30.30/32"));
            assert.match(cli("pb-dpservice-hypervisor-2-lbtarget-vm3"), /create lbtarget --target-ip=fc00:[0-9a-f:]+ --lb-id=test-lb$/);
            // A mode change replaces the containers (their script is their trigger) and re-runs every benchmark.
            assert.deepStrictEqual(rec.find(CMD, "pb-dpservice-hypervisor-2-container").inputs["triggers"], [create]);
            const identity = await resolve(pulumi.output(env.dataplane.rerunOn[0]));
            assert.match(identity as string, new RegExp(`^mode=${mode} hypervisor-1=[0-9A-F-]{36} hypervisor-2=[0-9A-F-]{36}$`));
            const trig = rec.find(CMD, "bench-cross-host-ipv4-client-0").inputs["triggers"];
            assert.ok(trig.includes(identity), `benchmark triggers ${JSON.stringify(trig)} carry the dpservice identity`);
            assert.strictEqual(await resolve(pulumi.output(env.dataplane.context["dpserviceMode"])), mode);
        });
    }

    it("dev: builds locally, uploads the tar once per hypervisor by its digest, loads it, runs the loaded image", async () => {
        const { env, suite } = build({ stage: "dev", mode: "offload" });
        await rec.settle(env, suite);
        const b = rec.find(LOCAL, "pb-dpservice-image-build");
        assert.deepStrictEqual(b.inputs["triggers"], ["source-hash-1"]);
        const script = spawnSync("bash", ["-c", `printf '%s\\0' ${b.inputs["create"]}`], { encoding: "utf8" }).stdout.split("\0").slice(-2)[0]!;
        const vars = script.split("\n").find((l) => l.startsWith("ctx="))!;
        assert.deepStrictEqual(spawnSync("bash", ["-c", `${vars}; printf '%s\\0' "$ctx" "$out" "$tag"`], { encoding: "utf8" }).stdout.split("\0").slice(0, -1), [
            path.join(dir, "dpservice"), path.join(dir, ".pairbench", "dpservice", "lab"), "pairbench-dpservice:lab",
        ]);
        assert.ok(script.includes(`docker build --iidfile "$out/image.id" -t "$tag" "$ctx" >&2\n`), "the Dockerfile's last stage, as upstream builds it");
        assert.ok(script.includes(`docker save -o "$tar.part" "$tag"\n`));
        assert.match(b.inputs["create"], /^bash --norc --noprofile -euo pipefail -c /, "no sudo on the machine running Pulumi");
        for (const hv of ["hypervisor-1", "hypervisor-2"]) {
            assert.deepStrictEqual(rec.find(CMD, `pb-dpservice-image-${hv}-check`).inputs["triggers"], ["cd".repeat(32)], "keyed by the tar's sha256");
            assert.ok(rec.find("command:remote:CopyToRemote", `pb-dpservice-image-${hv}-upload`));
            assert.match(unsecret(rec.find(CMD, `pb-dpservice-image-${hv}-load`).inputs["create"]), /docker load -i "\$tar"/);
            assertBefore(`pb-${hv}-workdir`, `pb-dpservice-image-${hv}-check`);
            assertBefore(`pb-dpservice-image-${hv}-load`, `pb-dpservice-${hv}-container`);
            const run = argvOfLine(unsecret(rec.find(CMD, `pb-dpservice-${hv}-container`).inputs["create"]), "docker run");
            assert.deepStrictEqual(run.slice(-5), [`sha256:${"ab".repeat(32)}`, "-l", "0,1", "--", "--enable-ipv6-overlay"]);
        }
        assert.strictEqual(await resolve(pulumi.output(env.dataplane.context["dpserviceImage"])), `sha256:${"ab".repeat(32)}`);
    });

    it("order: container → interface → VM → reboot → test network; routes, NAT, LB → benchmarks", async () => {
        const { env, suite } = build({ reboot: true });
        await rec.settle(env, suite);
        for (const [vm, hv] of [["vm1", "hypervisor-1"], ["vm3", "hypervisor-2"]]) {
            assertBefore(`pb-dpservice-${hv}-container`, `pb-dpservice-${vm}-interface`);
            assertBefore(`pb-dpservice-${vm}-interface`, `pb-${vm}-domain`);
            assertBefore(`pb-${vm}-ready`, `pb-guests-${vm}-reboot`);
            assertBefore(`pb-guests-${vm}-reboot`, `pb-guests-${vm}-reboot-wait`);
            assertBefore(`pb-guests-${vm}-reboot-wait`, `pb-guests-${vm}-boot`);
            assertBefore(`pb-guests-${vm}-boot`, `pb-guests-${vm}-net`);
            assertBefore(`pb-guests-${vm}-net`, "pb-vm1-vm3-peer");
        }
        assertBefore("pb-guests-vm3-net", "pb-guests-vm3-lb-vip");
        assertBefore("pb-dpservice-vm3-interface", "pb-dpservice-vm3-nat");
        assertBefore("pb-dpservice-vm3-interface", "pb-dpservice-hypervisor-1-route-vni66-172-32-4-9-32");
        assertBefore("pb-dpservice-vm3-nat", "pb-dpservice-hypervisor-1-route-vni66-10-10-20-20-32");
        assertBefore("pb-dpservice-vm2-interface", "pb-dpservice-hypervisor-2-route-vni66-0-0-0-0-0");
        assertBefore("pb-dpservice-hypervisor-2-lb", "pb-dpservice-hypervisor-1-route-vni66-10-20-30-30-32");
        assertBefore("pb-dpservice-vm3-lbprefix", "pb-dpservice-hypervisor-2-lbtarget-vm3");
        assertBefore("pb-dpservice-hypervisor-1-route-vni66-172-32-4-9-32", "pb-vm1-vm3-peer");
        // Every benchmark waits for the pairs; NAT and LB also for their own objects.
        assertBefore("pb-vm1-vm3-peer", "bench-same-host-ipv4-server-0");
        for (const n of ["pb-dpservice-vm3-nat", "pb-dpservice-hypervisor-2-route-vni66-0-0-0-0-0", "pb-dpservice-hypervisor-1-route-vni66-10-10-20-20-32"]) {
            assert.ok(rec.find(CMD, "bench-nat-cross-host-server-0").dependsOn.includes(n), `the NAT benchmark waits for ${n}`);
        }
        for (const n of ["pb-dpservice-hypervisor-2-lb", "pb-dpservice-vm3-lbprefix", "pb-dpservice-hypervisor-2-lbtarget-vm3", "pb-dpservice-hypervisor-1-route-vni66-10-20-30-30-32", "pb-guests-vm3-lb-vip"]) {
            assert.ok(rec.find(CMD, "bench-lb-cross-host-server-0").dependsOn.includes(n), `the LB benchmark waits for ${n}`);
        }
        // The reboot runs again per run and whenever the VM or its interface is new.
        assert.deepStrictEqual(rec.find(CMD, "pb-guests-vm1-reboot").inputs["triggers"].slice(0, 2), ["run-7", "uuid-vm1"]);
        assert.match(rec.find(CMD, "pb-guests-vm1-reboot").inputs["triggers"][2], /^pb-dpservice-vm1-interface-id fc00:[0-9a-f:]+$/);
        for (const step of ["pb-guests-vm1-net", "pb-guests-vm3-lb-vip"]) {
            assert.strictEqual(rec.find(CMD, step).deleteBeforeReplace, true, `${step}: the old step's delete must not undo the new one's change`);
        }
        assert.match(unsecret(rec.find(CMD, "pb-guests-vm1-reboot-wait").inputs["create"]), /SSH on 192\.168\.122\.11 still answers/);
    });

    it("without reboot the test network step follows the login; without NAT/LB scenarios no NAT/LB objects", async () => {
        const { env, suite } = build({ scenarios: ["same-host-ipv4", "cross-host-ipv4"] });
        await rec.settle(env, suite);
        assert.ok(!rec.records.some((r) => /-(reboot|boot|nat|lb|lbprefix|lb-vip)$|lbtarget/.test(r.name)), rec.records.map((r) => r.name).join(" "));
        assertBefore("pb-vm1-ready", "pb-guests-vm1-net");
        const net = unsecret(rec.find(CMD, "pb-guests-vm1-net").inputs["create"]);
        assert.match(net, /^sh -c /);
        assert.match(net, /192\.168\.122\.1/, "drops the libvirt network's default route");
        assert.deepStrictEqual(Object.keys(env.dataplane.scenarioDependsOn), []);
    });

    it("a NAT scenario that would bypass NAT is refused before anything is created", () => {
        const values = stackValues("lab");
        values["vms"].splice(1, 1); // no second VM on hypervisor-1
        const r = validateStackConfig(values);
        assert.ok(r.ok);
        const scenarios = [{ name: "nat-cross-host", scenario: "nat-cross-host", server: "vm1", client: "vm3" }];
        assert.throws(
            () => new LibvirtEnvironment("pb", { config: r.config, context: { stack: "lab", projectDir: dir, homeDir: dir }, sha256: fakeSha, scenarios }),
            /nat-cross-host: vm1 is routed directly on hypervisor-2 \(pair vm1-vm3\), so traffic from vm3 would bypass NAT/,
        );
    });
});

describe("dpservice dataplane (lab stack, mocks, preview)", function () {
    this.timeout(120000);
    let rec: Recorder;
    before(async () => (rec = await useMocks({ preview: true, stack: "lab" })));
    after(() => rec.restore());

    it("registers every hypervisor-side dpservice step while dpservice's answers are still unknown", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-dpservice-"));
        try {
            fs.writeFileSync(path.join(dir, "id_test"), "key");
            fs.writeFileSync(path.join(dir, "id_test.pub"), `${TEST_PUBLIC_KEY}\n`);
            const values = stackValues("lab");
            for (const h of values["hypervisors"]) h.sshKey = { path: path.join(dir, "id_test") };
            values["images"][0].path = path.join(dir, "gardenlinux.raw");
            const r = validateStackConfig(values);
            assert.ok(r.ok);
            const env = new LibvirtEnvironment("pb", { config: r.config, context: { stack: "lab", projectDir: dir, homeDir: dir }, sha256: fakeSha, scenarios: planScenarios(r.config) });
            await rec.settle(env);
            const names = rec.records.map((r) => r.name);
            // (The VM side waits for the domains, which the mocks never register in a lab preview:
            // the VF step's unknown output stops them, as it did before dpservice was wired in.)
            for (const n of ["pb-dpservice-hypervisor-1-container", "pb-dpservice-vm3-interface", "pb-dpservice-vm3-nat", "pb-dpservice-hypervisor-2-lbtarget-vm3", "pb-dpservice-hypervisor-1-route-vni66-10-20-30-30-32", "pb-dpservice-hypervisor-2-route-vni66-0-0-0-0-0"]) {
                assert.ok(names.includes(n), `${n} is registered in a preview`);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

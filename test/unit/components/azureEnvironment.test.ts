// The Azure environment under Pulumi mocks, from the project's Pulumi.azure.yaml (a three-OS
// matrix: Ubuntu 24.04, Windows Server 2022, a Windows gallery image): exactly which resources
// exist under which parent, what runs after what, names and tags, Trusted Launch and
// networking, the onboarding scripts, reassignment, and that passwords, the private key and
// the runner token only ever travel as secrets.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseStackConfig, StackConfig } from "../../../config/index";
import { AzureEnvironment, CREATED_STAMP_COMMAND } from "../../../components/azure/azureEnvironment";
import { TAG_EXPIRES_AT, TAG_RUN, TAG_STACK } from "../../../components/azure/tags";
import { isWireSecret, MockHarness, plainStrings, resolve, useMocks } from "../../support/mocks";
import { stackValues } from "../../support/stackFiles";
import { TEST_PUBLIC_KEY } from "./fixtures";
import { loadPowerShell, syntaxErrors } from "../../support/powershellParser";

const CMD = "command:remote:Command";
const T = {
    rg: "azure-native:resources:ResourceGroup",
    vnet: "azure-native:network:VirtualNetwork",
    subnet: "azure-native:network:Subnet",
    nsg: "azure-native:network:NetworkSecurityGroup",
    pip: "azure-native:network:PublicIPAddress",
    nic: "azure-native:network:NetworkInterface",
    ppg: "azure-native:compute:ProximityPlacementGroup",
    vm: "azure-native:compute:VirtualMachine",
    run: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
    password: "random:index/randomPassword:RandomPassword",
    stamp: "command:local:Command",
    env: "pairbench:components:AzureEnvironment",
    azurePair: "pairbench:components:AzurePair",
    pair: "pairbench:components:TestReadyPair",
};
const PASSWORD = "Zq7!pW2#xK9%mR4-tY6_vB8=";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAazuretestkey\n-----END OPENSSH PRIVATE KEY-----\n";
const RUNNER_TOKEN = "github_pat_11AAAAAAA0testtokenvalue";
const PAIRS = ["ubuntu-2404", "windows-2022", "windows-prerelease"];

let dir: string;

function config(edit: (v: Record<string, any>) => void = () => {}): StackConfig {
    const v = stackValues("azure");
    v["azure"].sshKey = { path: path.join(dir, "id_azure") };
    v["runner"] = { url: "https://github.com/example/netperf", token: RUNNER_TOKEN, labels: ["x64"] };
    edit(v);
    return parseStackConfig(v, "test azure");
}

function outputs(type: string, name: string): Record<string, unknown> {
    if (type === T.stamp) return { stdout: "2026-03-01T10:00:00Z\n" };
    if (type === T.pip) return { ipAddress: `20.0.0.${PAIRS.findIndex((p) => name.includes(`-${p}-`)) + 1}` };
    if (type === T.vm) return { vmId: `vmid-${name}`, name: `${name}-physical` };
    if (type === T.password) return { result: PASSWORD };
    if (type === CMD) return { stdout: name.endsWith("-peer") ? "peer answers\n" : `${name} ok\n` };
    return {};
}

const build = (cfg: StackConfig = config()) => new AzureEnvironment("pb", { config: cfg, context: { stack: "azure", projectDir: dir, homeDir: dir } });
const unsecret = (v: any) => (isWireSecret(v) ? v.value : v);

describe("Azure environment under mocks (three-OS matrix)", function () {
    this.timeout(30000);
    let rec: MockHarness;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-azure-"));
        fs.writeFileSync(path.join(dir, "id_azure"), PRIVATE_KEY);
        fs.writeFileSync(path.join(dir, "id_azure.pub"), `${TEST_PUBLIC_KEY}\n`);
        rec = await useMocks({ outputs, stack: "azure" });
        await loadPowerShell();
    });
    after(() => {
        rec.restore();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => rec.reset());

    it("exactly these resources, each under its component", async () => {
        const env = build();
        await rec.settle(env);
        const perPair = (p: string, windows: boolean) => [
            `${T.azurePair} pb-${p} < pb`,
            `${T.ppg} pb-${p}-ppg < pb-${p}`, `${T.nsg} pb-${p}-nsg < pb-${p}`, `${T.pip} pb-${p}-client-ip < pb-${p}`,
            `${T.nic} pb-${p}-client-nic < pb-${p}`, `${T.nic} pb-${p}-server-nic < pb-${p}`,
            ...(windows ? [`${T.password} pb-${p}-password < pb-${p}`] : []),
            ...["client", "server"].flatMap((r) => [`${T.vm} pb-${p}-${r} < pb-${p}`, `${T.run} pb-${p}-${r}-onboard < pb-${p}`, `${CMD} pb-${p}-${r}-ready < pb-${p}`]),
            `${T.pair} pb-${p} < pb`, `${CMD} pb-${p}-peer < pb-${p}`, `${CMD} pb-${p}-runner < pb-${p}`,
        ];
        const want = [
            `${T.env} pb < `, `${T.stamp} pb-created < pb`, `${T.rg} pb < pb`, `${T.vnet} pb-vnet < pb`, `${T.subnet} pb-subnet < pb`,
            ...perPair("ubuntu-2404", false), ...perPair("windows-2022", true), ...perPair("windows-prerelease", true),
        ];
        assert.deepStrictEqual(rec.records.map((r) => `${r.type} ${r.name} < ${r.parent}`).sort(), want.sort());
        // The readiness check is the TestReadyPair's child: its URN is what the CLI looks for.
        assert.match(rec.find(CMD, "pb-ubuntu-2404-peer").urn, /pairbench:components:TestReadyPair\$command:remote:Command::pb-ubuntu-2404-peer$/);
        assert.deepStrictEqual(Object.keys(env.endpoints).sort(), PAIRS.flatMap((p) => [`${p}-client`, `${p}-server`]).sort());
    });

    it("runs in order: VM → onboarding → logins → peer check → runner", async () => {
        await rec.settle(build());
        const deps = (name: string) => rec.records.find((r) => r.name === name)!.dependsOn;
        const has = (name: string, ...on: string[]) => on.forEach((o) => assert.ok(deps(name).includes(o), `${name} should depend on ${o}; has ${deps(name).join(", ")}`));
        for (const p of PAIRS) {
            has(`pb-${p}-client`, `pb-${p}-client-nic`, `pb-${p}-ppg`);
            has(`pb-${p}-client-nic`, `pb-${p}-nsg`, `pb-${p}-client-ip`, "pb-subnet");
            has(`pb-${p}-client-onboard`, `pb-${p}-client`);
            has(`pb-${p}-client-ready`, `pb-${p}-client-onboard`);
            has(`pb-${p}-server-ready`, `pb-${p}-client-onboard`, `pb-${p}-server-onboard`);
            has(`pb-${p}-peer`, `pb-${p}-client-ready`, `pb-${p}-server-ready`);
            has(`pb-${p}-runner`, `pb-${p}-peer`);
            assert.deepStrictEqual(rec.find(CMD, `pb-${p}-peer`).inputs["triggers"], [`vmid-pb-${p}-client`, `vmid-pb-${p}-server`]);
        }
        assert.ok(!deps("pb-windows-2022-client").some((d) => d.includes("ubuntu")), "pairs are independent");
    });

    it("tags every taggable resource with stack, run and an expiry derived once from the creation stamp", async () => {
        const env = build();
        await rec.settle(env);
        const stamp = rec.find(T.stamp, "pb-created");
        assert.strictEqual(stamp.inputs["create"], CREATED_STAMP_COMMAND);
        assert.deepStrictEqual(stamp.inputs["triggers"], ["6h"]);
        const tagged = rec.records.filter((r) => r.type.startsWith("azure-native:") && r.type !== T.subnet);
        assert.strictEqual(tagged.length, 1 + 1 + PAIRS.length * 9);
        for (const r of tagged) {
            assert.deepStrictEqual(r.inputs["tags"], { [TAG_STACK]: "azure", [TAG_RUN]: "manual", [TAG_EXPIRES_AT]: "2026-03-01T16:00:00Z" }, `${r.type} ${r.name}`);
        }
        assert.strictEqual(await resolve(env.expiresAt), "2026-03-01T16:00:00Z");
    });

    it("VMs: size, image, Trusted Launch (Secure Boot off for the gallery pair), placement group, NIC and disk deleted with the VM", async () => {
        await rec.settle(build());
        const vm = (p: string, r = "client"): Record<string, any> => {
            const i = rec.find(T.vm, `pb-${p}-${r}`).inputs;
            return { ...i, osProfile: unsecret(i["osProfile"]) };
        };
        assert.deepStrictEqual(vm("ubuntu-2404").storageProfile.imageReference, { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" });
        assert.deepStrictEqual(vm("windows-2022").storageProfile.imageReference, { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-g2", version: "latest" });
        assert.match(vm("windows-prerelease").storageProfile.imageReference.id, /\/galleries\/prerelease\/images\/windows-server-next\/versions\/latest$/);
        for (const p of PAIRS) {
            for (const r of ["client", "server"]) {
                const v = vm(p, r);
                assert.strictEqual(v.hardwareProfile.vmSize, "Standard_D4s_v5");
                assert.deepStrictEqual(v.securityProfile, { securityType: "TrustedLaunch", uefiSettings: { secureBootEnabled: p !== "windows-prerelease", vTpmEnabled: true } });
                assert.deepStrictEqual(v.proximityPlacementGroup, { id: `pb-${p}-ppg-id` });
                assert.deepStrictEqual(v.networkProfile.networkInterfaces, [{ id: `pb-${p}-${r}-nic-id`, primary: true, deleteOption: "Delete" }]);
                assert.strictEqual(v.storageProfile.osDisk.deleteOption, "Delete");
                assert.strictEqual(v.osProfile.adminUsername, "pairbench");
            }
        }
        assert.deepStrictEqual(vm("ubuntu-2404").osProfile.linuxConfiguration, {
            disablePasswordAuthentication: true,
            ssh: { publicKeys: [{ path: "/home/pairbench/.ssh/authorized_keys", keyData: TEST_PUBLIC_KEY }] },
        });
        // Windows computer names have at most 15 characters: long ones are shortened with a hash.
        assert.strictEqual(vm("ubuntu-2404", "server").osProfile.computerName, "ubuntu-2404-server");
        assert.match(vm("windows-2022", "server").osProfile.computerName, /^windows-[0-9a-f]{4}s$/);
        assert.notStrictEqual(vm("windows-2022", "client").osProfile.computerName, vm("windows-2022", "server").osProfile.computerName);
        assert.match(vm("windows-prerelease").osProfile.computerName, /^windows-[0-9a-f]{4}c$/);
    });

    it("network: accelerated networking, static addresses, a public IP for the client only, NSG open to the runner for SSH only", async () => {
        await rec.settle(build());
        PAIRS.forEach((p, i) => {
            for (const [r, ip] of [["client", `10.64.${i}.4`], ["server", `10.64.${i}.5`]] as const) {
                const nic = rec.find(T.nic, `pb-${p}-${r}-nic`).inputs;
                assert.strictEqual(nic.enableAcceleratedNetworking, true);
                assert.deepStrictEqual(nic.networkSecurityGroup, { id: `pb-${p}-nsg-id` });
                const conf = nic.ipConfigurations[0];
                assert.deepStrictEqual([conf.privateIPAllocationMethod, conf.privateIPAddress, conf.subnet], ["Static", ip, { id: "pb-subnet-id" }]);
                assert.deepStrictEqual(conf.publicIPAddress, r === "client" ? { id: `pb-${p}-client-ip-id` } : undefined);
            }
            const rules = rec.find(T.nsg, `pb-${p}-nsg`).inputs.securityRules as any[];
            assert.deepStrictEqual(rules.map((x) => [x.name, x.access, x.protocol, x.sourceAddressPrefix ?? x.sourceAddressPrefixes.join(","), x.destinationPortRange]), [
                ["allow-pair", "Allow", "*", `10.64.${i}.4/32,10.64.${i}.5/32`, "*"],
                ["allow-ssh-from-runner", "Allow", "Tcp", "203.0.113.7/32", "22"],
                ["deny-other-inbound", "Deny", "*", "*", "*"],
            ]);
        });
        assert.strictEqual(rec.ofType(T.pip).length, PAIRS.length);
    });

    it("logs in as the admin with the configured key: the client at its public IP, the server through the client", async () => {
        const env = build();
        await rec.settle(env);
        const client = unsecret(rec.find(CMD, "pb-windows-2022-client-ready").inputs["connection"]);
        const server = unsecret(rec.find(CMD, "pb-windows-2022-server-ready").inputs["connection"]);
        assert.deepStrictEqual([client.host, client.user, client.port, client.privateKey], ["20.0.0.2", "pairbench", 22, PRIVATE_KEY]);
        assert.deepStrictEqual([server.host, server.user, server.proxy.host, server.proxy.user], ["10.64.1.5", "pairbench", "20.0.0.2", "pairbench"]);
        assert.match(rec.find(CMD, "pb-windows-2022-client-ready").inputs["create"], /^C:\\pairbench\\pwsh\\pwsh\.exe -NoLogo .* -EncodedCommand [A-Za-z0-9+/=]+$/);
        assert.strictEqual(rec.find(CMD, "pb-ubuntu-2404-client-ready").inputs["create"], "uname -n -r");
        const summaries = await resolve(env.pairSummaries);
        assert.deepStrictEqual(summaries.map((s) => [s.name, s.backend, s.placement, s.client.os, s.client.managementIp, s.server.managementIp, s.runner]), [
            ["ubuntu-2404", "azure", "cross-host", "linux", "20.0.0.1", "10.64.0.5", "pairbench-azure-ubuntu-2404"],
            ["windows-2022", "azure", "cross-host", "windows", "20.0.0.2", "10.64.1.5", "pairbench-azure-windows-2022"],
            ["windows-prerelease", "azure", "cross-host", "windows", "20.0.0.3", "10.64.2.5", "pairbench-azure-windows-prerelease"],
        ]);
    });

    it("onboarding: Linux by bash, Windows by PowerShell that parses; each names its peer as netperf-peer", async () => {
        await rec.settle(build());
        const script = (name: string) => rec.find(T.run, name).inputs.source.script as string;
        const linux = script("pb-ubuntu-2404-client-onboard");
        assert.ok(linux.includes("apt-get install -y -q --no-install-recommends openssh-server iperf3 sockperf"));
        assert.ok(linux.includes("printf '%s netperf-peer\\n' 10.64.0.5 >> /etc/hosts"), linux);
        assert.ok(script("pb-ubuntu-2404-server-onboard").includes("printf '%s netperf-peer\\n' 10.64.0.4 >> /etc/hosts"));
        const windows = script("pb-windows-2022-server-onboard");
        assert.deepStrictEqual(syntaxErrors(windows), []);
        assert.ok(windows.includes("-RemoteAddress '10.64.1.4' -Action Allow"));
        assert.ok(windows.includes(`Set-Content -Path $keys -Value @('${TEST_PUBLIC_KEY}')`));
        for (const r of rec.ofType(T.run)) assert.strictEqual(r.inputs.treatFailureAsDeploymentFailure, true);
    });

    it("secrets: the Windows password, the private key and the runner token travel only as secrets and appear in no output", async () => {
        const env = build();
        await rec.settle(env);
        const secrets = [PASSWORD, RUNNER_TOKEN, "azuretestkey"];
        for (const r of rec.records) {
            for (const text of plainStrings(r.wire)) {
                for (const s of secrets) assert.ok(!text.includes(s), `${r.type} ${r.name} carries a secret in plain text`);
            }
            assert.ok(!JSON.stringify(r.outputs).includes(RUNNER_TOKEN), `${r.name} outputs`);
        }
        for (const p of ["windows-2022", "windows-prerelease"]) {
            const wire = rec.find(T.vm, `pb-${p}-client`).wire as any;
            assert.ok(isWireSecret(wire.osProfile) || isWireSecret(wire.osProfile.adminPassword), `${p}: adminPassword is a secret`);
        }
        const runner = rec.find(CMD, "pb-windows-2022-runner").wire as any;
        assert.ok(isWireSecret(runner.create) && isWireSecret(runner.delete));
        const exported = JSON.stringify([await resolve(env.pairSummaries), await resolve(env.expiresAt)]);
        for (const s of [...secrets, "BEGIN OPENSSH"]) assert.ok(!exported.includes(s));
    });

    it("reassigned pairs are not created; the others keep their addresses", async () => {
        const cfg = config((v) => {
            v["azure"].pairs.push({ name: "windows-2022-b", os: "windows-2022" });
            v["assignments"] = { "windows-2022": "windows-2022-b" };
        });
        const env = build(cfg);
        await rec.settle(env);
        assert.ok(!rec.records.some((r) => r.name.startsWith("pb-windows-2022-") && !r.name.startsWith("pb-windows-2022-b")), "nothing of windows-2022");
        assert.deepStrictEqual(env.reassigned, [{ name: "windows-2022", to: "windows-2022-b" }]);
        assert.strictEqual(rec.find(T.nic, "pb-windows-prerelease-server-nic").inputs.ipConfigurations[0].privateIPAddress, "10.64.2.5");
        assert.strictEqual(rec.find(T.nic, "pb-windows-2022-b-client-nic").inputs.ipConfigurations[0].privateIPAddress, "10.64.3.4");
        assert.deepStrictEqual(Object.keys(env.pairs), ["ubuntu-2404", "windows-prerelease", "windows-2022-b"]);
    });
});

describe("Azure environment under mocks: preview", function () {
    this.timeout(30000);
    let rec: MockHarness;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-azure-preview-"));
        fs.writeFileSync(path.join(dir, "id_azure"), PRIVATE_KEY);
        fs.writeFileSync(path.join(dir, "id_azure.pub"), `${TEST_PUBLIC_KEY}\n`);
        rec = await useMocks({ preview: true, stack: "azure" });
    });
    after(() => {
        rec.restore();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("registers the same resources while the stamp, addresses and VM ids are still unknown", async () => {
        const env = build();
        await rec.settle(env, ...Object.values(env.pairs));
        // Environment, stamp, RG, VNet, subnet; per pair 15 (Linux) or 16 (Windows: the password).
        assert.strictEqual(rec.records.length, 5 + 15 + 16 + 16);
        assert.deepStrictEqual(Object.keys(env.pairs), PAIRS);
    });
});

// The policy pack: each policy is called as Pulumi calls it (validateResource / validateStack
// with an argument bag and a reportViolation callback) on violating and compliant resources,
// and on every resource of the real Azure environment under mocks, which must comply.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { acceleratedNetworking, noAdminPortsFromInternet, noPlaintextPasswords, policies, vmExpiryTag } from "../../policy/policies";
import { isInternetSource, rangeIncludes } from "../../policy/rules";
import { nsgRules } from "../../components/azure/network";
import { planAzure } from "../../components/azure/plan";
import { AzureEnvironment } from "../../components/azure/azureEnvironment";
import { parseStackConfig } from "../../config/index";
import { MockHarness, resolve, useMocks } from "../support/mocks";
import { stackValues } from "../support/stackFiles";
import { TEST_PUBLIC_KEY } from "./components/fixtures";

const NSG = "azure-native:network:NetworkSecurityGroup";
const VM = "azure-native:compute:VirtualMachine";
const NIC = "azure-native:network:NetworkInterface";

/** Calls a resource policy the way the analyzer does; returns the reported messages. */
function check(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, name = "r"): string[] {
    const messages: string[] = [];
    const args = {
        type, props, name, urn: `urn:pulumi:test::pairbench::${type}::${name}`,
        opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} },
        stackTags: new Map<string, string>(),
        isType: () => false, asType: () => undefined, getConfig: () => ({}),
        notApplicable: (): never => { throw new Error("not applicable"); },
    };
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
    for (const v of validations) void v(args as never, (m: string) => messages.push(m));
    return messages;
}

function checkStack(policy: StackValidationPolicy, resources: Array<{ type: string; name: string; props: Record<string, unknown> }>): string[] {
    const messages: string[] = [];
    const args = {
        resources: resources.map((r) => ({ ...r, urn: `urn:${r.name}`, opts: {}, dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined })),
        getConfig: () => ({}), stackTags: new Map(), notApplicable: (): never => { throw new Error("not applicable"); },
    };
    void policy.validateStack!(args as never, (m: string) => messages.push(m));
    return messages;
}

const rule = (over: Record<string, unknown>) => ({ name: "r1", priority: 100, direction: "Inbound", access: "Allow", protocol: "Tcp", sourcePortRange: "*", destinationAddressPrefix: "*", ...over });

describe("policy pack", () => {
    it("has the four policies, all mandatory, with unique names", () => {
        assert.deepStrictEqual(policies.map((p) => [p.name, p.enforcementLevel]), [
            ["no-admin-ports-from-internet", "mandatory"], ["vm-expiry-tag", "mandatory"], ["accelerated-networking", "mandatory"], ["no-plaintext-password-output", "mandatory"],
        ]);
    });

    describe("no-admin-ports-from-internet", () => {
        const violating: Array<[string, Record<string, unknown>, RegExp]> = [
            ["SSH from anywhere", rule({ sourceAddressPrefix: "*", destinationPortRange: "22" }), /allows SSH \(22\) from \*/],
            ["RDP from the Internet tag", rule({ sourceAddressPrefix: "Internet", destinationPortRange: "3389" }), /RDP \(3389\) from Internet/],
            ["every port from 0.0.0.0/0", rule({ sourceAddressPrefix: "0.0.0.0/0", destinationPortRange: "*", protocol: "*" }), /SSH \(22\), RDP \(3389\), WinRM \(5985\), WinRM over HTTPS \(5986\)/],
            ["WinRM range among prefixes", rule({ sourceAddressPrefixes: ["10.0.0.0/8", "::/0"], destinationPortRanges: ["443", "5985-5986"] }), /WinRM \(5985\), WinRM over HTTPS \(5986\) from ::\/0/],
            ["a /4 is the internet too", rule({ sourceAddressPrefix: "16.0.0.0/4", destinationPortRange: "20-30" }), /SSH \(22\) from 16\.0\.0\.0\/4/],
            ["RDP over UDP", rule({ sourceAddressPrefix: "Any", destinationPortRange: "3389", protocol: "Udp" }), /RDP/],
        ];
        for (const [what, r, says] of violating) {
            it(`reports ${what}, inline and as a SecurityRule resource`, () => {
                const inline = check(noAdminPortsFromInternet, NSG, { securityRules: [r] });
                assert.strictEqual(inline.length, 1, inline.join("\n"));
                assert.match(inline[0]!, says);
                assert.match(inline[0]!, /allowedSourceCidr/);
                assert.strictEqual(check(noAdminPortsFromInternet, "azure-native:network:SecurityRule", r).length, 1);
            });
        }
        it("accepts deny rules, narrow sources, other ports, outbound rules, ICMP and pairbench's own rules", () => {
            const ok = [
                rule({ access: "Deny", sourceAddressPrefix: "*", destinationPortRange: "*" }),
                rule({ sourceAddressPrefix: "203.0.113.7/32", destinationPortRange: "22" }),
                rule({ sourceAddressPrefix: "*", destinationPortRange: "443" }),
                rule({ direction: "Outbound", sourceAddressPrefix: "*", destinationPortRange: "22" }),
                rule({ protocol: "Icmp", sourceAddressPrefix: "*", destinationPortRange: "*" }),
                ...nsgRules(planAzure(parseStackConfig(withKey(stackValues("azure")), "t")).pairs[0]!, "203.0.113.7/32"),
            ];
            assert.deepStrictEqual(check(noAdminPortsFromInternet, NSG, { securityRules: ok }), []);
            assert.deepStrictEqual(check(noAdminPortsFromInternet, VM, { securityRules: [violating[0]![1]] }), [], "other types are not NSGs");
        });
        it("reads prefixes and port ranges as Azure does", () => {
            assert.deepStrictEqual(["*", "Internet", "0.0.0.0/0", "::/0", "1.0.0.0/7", "10.0.0.0/8", "203.0.113.7/32", "VirtualNetwork", "2001:db8::/15", "2001:db8::/32"].map(isInternetSource),
                [true, true, true, true, true, false, false, false, true, false]);
            assert.deepStrictEqual([["*", 22], ["22", 22], ["20-25", 22], ["23-25", 22], ["x", 22]].map(([r, p]) => rangeIncludes(r as string, p as number)), [true, true, true, false, false]);
        });
    });

    describe("vm-expiry-tag", () => {
        it("reports a VM without the tag or with a value that is not an ISO time", () => {
            assert.match(check(vmExpiryTag, VM, {})[0]!, /pairbench:expiresAt is missing/);
            assert.match(check(vmExpiryTag, VM, { tags: { "pairbench:stack": "azure" } })[0]!, /missing/);
            assert.match(check(vmExpiryTag, VM, { tags: { "pairbench:expiresAt": "tomorrow" } })[0]!, /'tomorrow', not an ISO time/);
        });
        it("accepts an ISO expiry and ignores other resource types", () => {
            assert.deepStrictEqual(check(vmExpiryTag, VM, { tags: { "pairbench:expiresAt": "2026-03-01T16:00:00Z" } }), []);
            assert.deepStrictEqual(check(vmExpiryTag, NIC, {}), []);
        });
    });

    describe("accelerated-networking", () => {
        it("reports NICs without it (off or unset) and inline NIC configurations of a VM", () => {
            assert.match(check(acceleratedNetworking, NIC, { enableAcceleratedNetworking: false }, "pb-x-client-nic")[0]!, /network interface pb-x-client-nic has accelerated networking off/);
            assert.strictEqual(check(acceleratedNetworking, NIC, {}).length, 1);
            const vm = { networkProfile: { networkInterfaceConfigurations: [{ name: "a", enableAcceleratedNetworking: true }, { name: "b" }] } };
            assert.deepStrictEqual(check(acceleratedNetworking, VM, vm).length, 1);
        });
        it("accepts NICs with it on", () => {
            assert.deepStrictEqual(check(acceleratedNetworking, NIC, { enableAcceleratedNetworking: true }), []);
            assert.deepStrictEqual(check(acceleratedNetworking, VM, { networkProfile: { networkInterfaces: [{ id: "x" }] } }), []);
        });
    });

    describe("no-plaintext-password-output", () => {
        const password = "Zq7!pW2#xK9%mR4-tY6_vB8=";
        const base = [
            { type: "random:index/randomPassword:RandomPassword", name: "pw", props: { result: password, length: 24 } },
            { type: VM, name: "vm", props: { osProfile: { adminUsername: "pairbench", adminPassword: password }, tags: { a: "b" } } },
        ];
        const cases: Array<[string, { type: string; name: string; props: Record<string, unknown> }, RegExp]> = [
            ["a stack output", { type: "pulumi:pulumi:Stack", name: "pairbench-azure", props: { debug: { login: `pairbench/${password}` } } }, /pulumi:pulumi:Stack pairbench-azure: outputs\.debug\.login contains a password/],
            ["a tag", { type: NIC, name: "nic", props: { tags: { note: password } } }, /nic: tags\.note/],
            ["a run command script", { type: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine", name: "onboard", props: { source: { script: `net user x ${password}` } } }, /onboard: source\.script/],
            ["run command parameters", { type: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine", name: "onboard", props: { parameters: [{ name: "p", value: password }] } }, /parameters\[0\]\.value/],
            ["a command's output", { type: "command:remote:Command", name: "ready", props: { stdout: `password is ${password}` } }, /ready: stdout/],
        ];
        for (const [what, resource, says] of cases) {
            it(`reports a password in ${what}`, () => {
                const found = checkStack(noPlaintextPasswords, [...base, resource]);
                assert.strictEqual(found.length, 1, found.join("\n"));
                assert.match(found[0]!, says);
            });
        }
        it("accepts passwords where they belong (the VM's osProfile, protected run command parameters)", () => {
            const ok = { type: "azure-native:compute:VirtualMachineRunCommandByVirtualMachine", name: "x", props: { protectedParameters: [{ name: "p", value: password }], source: { script: "hostname" } } };
            assert.deepStrictEqual(checkStack(noPlaintextPasswords, [...base, ok, { type: "pulumi:pulumi:Stack", name: "s", props: { pairs: [] } }]), []);
        });
    });

    describe("the Azure environment under mocks complies", function () {
        this.timeout(30000);
        let rec: MockHarness;
        let dir: string;
        before(async () => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-policy-"));
            fs.writeFileSync(path.join(dir, "id"), "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n");
            fs.writeFileSync(path.join(dir, "id.pub"), `${TEST_PUBLIC_KEY}\n`);
            rec = await useMocks({
                outputs: (type) =>
                    type === "command:local:Command" ? { stdout: "2026-03-01T10:00:00Z" }
                        : type === "azure-native:network:PublicIPAddress" ? { ipAddress: "20.0.0.1" }
                        : type === "random:index/randomPassword:RandomPassword" ? { result: "Zq7!pW2#xK9%mR4-tY6_vB8=" }
                        : type === "command:remote:Command" ? { stdout: "ok" } : {},
            });
        });
        after(() => {
            rec.restore();
            fs.rmSync(dir, { recursive: true, force: true });
        });

        it("every resource passes every resource policy, and the stack passes the stack policy", async () => {
            const values = stackValues("azure");
            values["azure"].sshKey = { path: path.join(dir, "id") };
            const env = new AzureEnvironment("pb", { config: parseStackConfig(values, "t"), context: { stack: "azure", projectDir: dir, homeDir: dir } });
            await rec.settle(env);
            const resources = rec.records.map((r) => ({ type: r.type, name: r.name, props: unwrap({ ...r.inputs, ...r.outputs }) as Record<string, unknown> }));
            assert.ok(resources.filter((r) => r.type === VM).length === 6 && resources.filter((r) => r.type === NSG).length === 3);
            for (const policy of [noAdminPortsFromInternet, vmExpiryTag, acceleratedNetworking]) {
                for (const r of resources) assert.deepStrictEqual(check(policy, r.type, r.props, r.name), [], `${policy.name} on ${r.type} ${r.name}`);
            }
            const stackOutputs = { pairs: await resolve(env.pairSummaries), expiresAt: await resolve(env.expiresAt) };
            const all = [...resources, { type: "pulumi:pulumi:Stack", name: "pairbench-azure", props: stackOutputs }];
            assert.deepStrictEqual(checkStack(noPlaintextPasswords, all), []);
            // The same stack with the password exported is caught.
            const leaked = [...resources, { type: "pulumi:pulumi:Stack", name: "pairbench-azure", props: { ...stackOutputs, password: "Zq7!pW2#xK9%mR4-tY6_vB8=" } }];
            assert.strictEqual(checkStack(noPlaintextPasswords, leaked).length, 1);
        });
    });
});

function withKey(v: Record<string, any>): Record<string, any> {
    v["azure"].sshKey = { path: "/dev/null" };
    return v;
}

/** What the policy framework does to secrets: it hands policies their plain values. */
function unwrap(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(unwrap);
    if (v !== null && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (Object.values(o).includes("1b47061264138c4ac30d75fd1eb44270") && "value" in o) return unwrap(o["value"]);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
    }
    return v;
}

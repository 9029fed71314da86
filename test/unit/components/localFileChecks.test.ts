// The local files a libvirt stack names, and which of them are missing, with their config field.
import * as assert from "assert";
import { localFileNeeds, missingLocalFiles } from "../../../components/localFileChecks";
import { validateStackConfig, StackConfig } from "../../../config/index";
import { stackValues } from "../../support/stackFiles";

const ctx = { stack: "s", projectDir: "/p", homeDir: "/home/u" };

function config(values: Record<string, unknown>): StackConfig {
    const r = validateStackConfig(values);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.config;
}

describe("local files a stack needs", () => {
    it("dev: the lab's key, its public half and the guest image, all made by lab up", () => {
        const needs = localFileNeeds(config(stackValues("dev")), ctx);
        assert.deepStrictEqual(
            needs.map((n) => [n.path.join("."), n.file, n.madeByLab]),
            [
                ["hypervisors.0.sshKey.path", "/p/.pairbench/lab/id_ed25519", true],
                ["hypervisors.0.sshKey.path", "/p/.pairbench/lab/id_ed25519.pub", true],
                ["images.0.kernel", "/p/.pairbench/guest/vmlinuz", true],
                ["images.0.initrd", "/p/.pairbench/guest/initrd.img", true],
            ],
        );
        assert.deepStrictEqual(missingLocalFiles(needs, () => undefined, { labWillMake: true }), []);
        assert.deepStrictEqual(
            missingLocalFiles(needs, () => undefined).map((i) => i.message)[0],
            "/p/.pairbench/lab/id_ed25519 (the SSH key for hypervisor hv1): it does not exist yet: `pairbench lab up` makes it",
        );
    });

    it("lab: ~ keys, the disk image, the dpservice checkout of the dev stage; a directory is not a file", () => {
        const values = stackValues("lab");
        values["dataplane"].dpservice = { ...values["dataplane"].dpservice, stage: "dev", image: undefined, buildPath: "../dpservice" };
        const needs = localFileNeeds(config(values), ctx);
        const byField = Object.fromEntries(needs.map((n) => [n.path.join("."), n]));
        assert.strictEqual(byField["hypervisors.0.sshKey.path"]!.file, "/home/u/.ssh/id_rsa");
        assert.strictEqual(byField["ssh.publicKeyPath"]!.file, "/home/u/.ssh/id_rsa.pub");
        assert.strictEqual(byField["images.0.path"]!.file, "/p/images/gardenlinux-kvm-amd64.raw");
        assert.deepStrictEqual([byField["dataplane.dpservice.buildPath"]!.file, byField["dataplane.dpservice.buildPath"]!.kind], ["/dpservice", "directory"]);
        assert.ok(needs.every((n) => !n.madeByLab));
        const issues = missingLocalFiles(needs, (f) => (f.endsWith(".raw") ? "directory" : f === "/dpservice" ? undefined : "file"));
        assert.deepStrictEqual(
            issues.map((i) => `${i.path.join(".")}: ${i.message.replace(/^.*\): /, "")}`),
            ["images.0.path: it is a directory, not a file", "dataplane.dpservice.buildPath: it does not exist"],
        );
    });

    it("azure stacks need none of these", () => {
        assert.deepStrictEqual(localFileNeeds(config(stackValues("azure")), ctx), []);
    });
});

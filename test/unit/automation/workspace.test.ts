import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { prepareRunDirectory, runProjectYaml, runStackYaml } from "../../../automation/workspace";
import { PROJECT_DIR } from "../../support/stackFiles";

describe("run directory of a stack", () => {
    it("points the project at the program with main, keeping the rest", () => {
        const out = parse(runProjectYaml("name: pairbench\nruntime:\n  name: nodejs\n", "../../.."));
        assert.deepStrictEqual(out, { name: "pairbench", runtime: { name: "nodejs" }, main: "../../.." });
    });

    it("applies overrides in the pairbench namespace and keeps comments and other keys", () => {
        const repo = "# lab\nconfig:\n  pairbench:environment: libvirt # kind\n  azure-native:location: westeurope\n";
        const text = runStackYaml(repo, undefined, { runId: "r42", "azure-native:location": "northeurope" });
        assert.match(text, /# lab/);
        assert.match(text, /# kind/);
        assert.deepStrictEqual(parse(text).config, {
            "pairbench:environment": "libvirt",
            "azure-native:location": "northeurope",
            "pairbench:runId": "r42",
        });
    });

    it("keeps this machine's encryption salt from the previous run, never the repository's", () => {
        const repo = "encryptionsalt: v1:from-someone-else\nconfig:\n  pairbench:environment: libvirt\n";
        const previous = "encryptionsalt: v1:mine\nconfig:\n  pairbench:environment: azure\n";
        const out = parse(runStackYaml(repo, previous, {}));
        assert.strictEqual(out.encryptionsalt, "v1:mine");
        assert.strictEqual(out.config["pairbench:environment"], "libvirt");
        assert.strictEqual(parse(runStackYaml(repo, undefined, {})).encryptionsalt, undefined);
    });

    it("writes the files under the state directory and leaves the repository's stack file alone", () => {
        const state = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-ws-"));
        try {
            const before = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
            const files = prepareRunDirectory(PROJECT_DIR, state, "dev", { runId: "x" });
            assert.strictEqual(files.dir, path.join(state, "stacks", "dev"));
            const project = parse(fs.readFileSync(files.projectFile, "utf8"));
            assert.strictEqual(path.resolve(files.dir, project.main), PROJECT_DIR);
            assert.strictEqual(parse(fs.readFileSync(files.stackFile, "utf8")).config["pairbench:runId"], "x");
            assert.strictEqual(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8"), before);
            assert.throws(() => prepareRunDirectory(PROJECT_DIR, state, "no-such-stack"), /Pulumi\.no-such-stack\.yaml does not exist/);
        } finally {
            fs.rmSync(state, { recursive: true, force: true });
        }
    });
});

// `pairbench validate` and `pairbench import-dpservice`, through the real bin script.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../support/stackFiles";

const BIN = path.join(PROJECT_DIR, "bin", "pairbench.js");
const FIXTURE = path.join(PROJECT_DIR, "test", "fixtures", "dpservice", "test_configurations.json");

function pairbench(args: string[], cwd: string = PROJECT_DIR) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("pairbench validate / import-dpservice (CLI)", function () {
    this.timeout(60_000);
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-cli-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("validates the project's stacks with exit 0", () => {
        for (const stack of ["dev", "lab", "azure"]) {
            const r = pairbench(["validate", "--stack", stack]);
            assert.strictEqual(r.code, 0, r.stderr);
            assert.match(r.stdout, new RegExp(`Pulumi\\.${stack}\\.yaml: valid \\(`));
        }
        // The lab stack's disk image lives on the lab operator's machine: noted, not an error.
        assert.match(pairbench(["validate", "--stack", "lab"]).stdout, /^note: not on this machine.*\n(.*\n)*\s+- pairbench:images\[0\]\.path: .*gardenlinux-kvm-amd64\.raw .*it does not exist$/m);
    });

    it("prints the imported config on stdout and notes on stderr", () => {
        const r = pairbench(["import-dpservice", FIXTURE]);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /^ {2}pairbench:environment: libvirt$/m);
        assert.match(r.stderr, /note: hypervisors\[1\]\.role: 'local'/);
    });

    it("imports into a stack file that then validates, from any working directory", () => {
        const file = path.join(tmp, "imported.yaml");
        const out = pairbench(["import-dpservice", FIXTURE], tmp);
        assert.strictEqual(out.code, 0, out.stderr);
        fs.writeFileSync(file, out.stdout);
        const r = pairbench(["validate", "--stack", "imported", "--file", file], tmp);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.match(r.stdout, /dataplane dpservice non-offload\/cicd, load balancer test-lb/);
    });

    it("exits 1 listing every error of a broken stack file", () => {
        const file = path.join(tmp, "broken.yaml");
        const lab = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.lab.yaml"), "utf8");
        fs.writeFileSync(
            file,
            lab.replace("hypervisor: hypervisor-2", "hypervisor: hypervisor-9").replace("vni: 66 }", "vni: 99999999 }"),
        );
        const r = pairbench(["validate", "--stack", "broken", "--file", file]);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /2 errors:/);
        assert.match(r.stderr, /pairbench:vms\[0\]\.overlay\.vni: must be 0\.\.16777215/);
        assert.match(r.stderr, /pairbench:vms\[2\]\.hypervisor: unknown hypervisor 'hypervisor-9'/);
    });

    it("checks benchmark.scenarios against the catalogue offline", () => {
        const file = path.join(tmp, "scenarios.yaml");
        const dev = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(file, dev.replace(/^    scenarios: .*$/m, "    scenarios: [same-host-ipv4, lb-cross-host, warp-speed]"));
        const r = pairbench(["validate", "--stack", "scenarios", "--file", file]);
        assert.strictEqual(r.code, 1, r.stdout);
        assert.match(r.stderr, /pairbench:benchmark\.scenarios: 'lb-cross-host' does not apply to this stack/);
        assert.match(r.stderr, /pairbench:benchmark\.scenarios: unknown scenario 'warp-speed'; known: same-host-ipv4/);
    });

    it("exits 1 naming the field for a broken dpservice file, and for a file that is not JSON", () => {
        const bad = path.join(tmp, "bad.json");
        const json = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
        json.hypervisors[0].vms[0].if_config.pci_addr = "8a:00.0";
        fs.writeFileSync(bad, JSON.stringify(json));
        const r = pairbench(["import-dpservice", bad]);
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /hypervisors\[0\]\.vms\[0\]\.if_config\.pci_addr: must look like/);
        assert.strictEqual(r.stdout, "");

        fs.writeFileSync(bad, "not: json");
        const r2 = pairbench(["import-dpservice", bad]);
        assert.strictEqual(r2.code, 1);
        assert.match(r2.stderr, /not valid JSON/);
    });

    it("exits 1 for a missing stack file or input file, 2 for a usage error", () => {
        assert.strictEqual(pairbench(["validate", "--stack", "no-such-stack"]).code, 1);
        assert.strictEqual(pairbench(["import-dpservice", path.join(tmp, "nope.json")]).code, 1);
        const usage = pairbench(["validate"]);
        assert.strictEqual(usage.code, 2);
        assert.match(usage.stderr, /required option '-s, --stack <name>'/);
        assert.strictEqual(pairbench(["validate", "--stack", "../etc"]).code, 2);
    });
});

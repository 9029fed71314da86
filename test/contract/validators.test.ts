// Contract tests: every domain XML, network XML and ignition config that the dev and lab stacks
// generate passes the real validators from Debian (libvirt's RELAX NG schemas through
// virt-xml-validate, and ignition-validate). A missing validator fails the run, never skips it.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generatedDocs, NETWORK_XML, TEST_PASSWORD_HASH } from "../unit/components/fixtures";

export const VALIDATOR_PACKAGES = "libvirt-clients libxml2-utils ignition";

const TOOLS: ReadonlyArray<[string, string]> = [
    ["/usr/bin/virt-xml-validate", "libvirt-clients"],
    ["/usr/bin/xmllint", "libxml2-utils (virt-xml-validate runs it)"],
    ["/usr/bin/ignition-validate", "ignition"],
];

function requireTools(): void {
    const missing = TOOLS.filter(([file]) => !fs.existsSync(file));
    if (missing.length > 0) {
        throw new Error(
            `missing validator(s): ${missing.map(([f, pkg]) => `${f} (package ${pkg})`).join(", ")}; ` +
                `install them with: apt-get install -y ${VALIDATOR_PACKAGES}`,
        );
    }
}

let dir: string;

function validate(tool: string, text: string, file: string, ...extra: string[]): { ok: boolean; output: string } {
    const target = path.join(dir, file);
    fs.writeFileSync(target, text);
    const r = spawnSync(tool, [target, ...extra], { encoding: "utf8" });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}

const virtXml = (text: string, file: string, kind: "domain" | "network") =>
    validate("/usr/bin/virt-xml-validate", text, file, kind);
const ignition = (text: string, file: string) => validate("/usr/bin/ignition-validate", text, file);

describe("contract: generated documents pass Debian's validators", function () {
    this.timeout(60000);

    before(() => {
        requireTools();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-contract-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("the validators reject broken documents (so a pass means something)", () => {
        assert.strictEqual(virtXml("<domain type='kvm'><memory>1</memory></domain>", "broken-domain.xml", "domain").ok, false);
        assert.strictEqual(virtXml("<network><forward mode='bogus'/></network>", "broken-network.xml", "network").ok, false);
        assert.strictEqual(ignition('{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"relative"}]}}', "broken.ign").ok, false);
    });

    it("the libvirt default network XML validates", () => {
        const r = virtXml(NETWORK_XML, "default-network.xml", "network");
        assert.ok(r.ok, r.output);
    });

    for (const stack of ["dev", "lab"] as const) {
        for (const withPassword of [false, true]) {
            const label = withPassword ? "with a console password" : "without a console password";
            it(`${stack}: every domain XML and ignition config validates (${label})`, () => {
                const docs = generatedDocs(stack, withPassword ? TEST_PASSWORD_HASH : undefined);
                assert.strictEqual(docs.length, 3, "the stack has three VMs");
                for (const d of docs) {
                    const x = virtXml(d.domainXml, `${stack}-${d.vm}.xml`, "domain");
                    assert.ok(x.ok, `${stack} ${d.vm} domain XML: ${x.output}\n${d.domainXml}`);
                    const i = ignition(d.ignition, `${stack}-${d.vm}.ign`);
                    assert.ok(i.ok, `${stack} ${d.vm} ignition: ${i.output}\n${d.ignition}`);
                    // ignition-validate prints warnings on stdout even when it passes.
                    assert.strictEqual(i.output, "", `${stack} ${d.vm} ignition warnings: ${i.output}`);
                }
            });
        }
    }
});

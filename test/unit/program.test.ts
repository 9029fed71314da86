// The Pulumi program itself (index.ts) on the project's Azure stack file under mocks: which
// environment it builds, that `pairbench:phase: pairs` stops before the benchmarks, and that
// `pairbench:assignments` runs a failed pair's scenarios on its healthy pair (the CLI's
// two-phase Azure run).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockHarness, resolve, useMocks } from "../support/mocks";
import { stackValues } from "../support/stackFiles";
import { TEST_PUBLIC_KEY } from "./components/fixtures";

const INDEX = path.resolve(__dirname, "..", "..", "index.ts");

/** Runs index.ts afresh with the given `pairbench:` values; returns its exports. */
function runProgram(values: Record<string, unknown>): Record<string, any> {
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) config[`pairbench:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    pulumi.runtime.setAllConfig(config);
    delete require.cache[require.resolve(INDEX)];
    return require(INDEX);
}

describe("the program (index.ts) on the Azure stack", function () {
    this.timeout(60000);
    let rec: MockHarness;
    let dir: string;
    const azure = (edit: (v: Record<string, any>) => void = () => {}) => {
        const v = stackValues("azure");
        v["azure"].sshKey = { path: path.join(dir, "id") };
        edit(v);
        return v;
    };
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-program-"));
        fs.writeFileSync(path.join(dir, "id"), "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n");
        fs.writeFileSync(path.join(dir, "id.pub"), `${TEST_PUBLIC_KEY}\n`);
        rec = await useMocks({
            stack: "azure",
            outputs: (type) =>
                type === "command:local:Command" ? { stdout: "2026-03-01T10:00:00Z" }
                    : type === "azure-native:network:PublicIPAddress" ? { ipAddress: "20.0.0.9" }
                    : type === "azure-native:compute:VirtualMachine" ? { vmId: "vm-id" }
                    : type === "random:index/randomPassword:RandomPassword" ? { result: "Zq7!pW2#xK9%mR4-tY6_vB8=" }
                    : type === "command:remote:Command" ? { stdout: "ok" } : {},
        });
    });
    after(() => {
        rec.restore();
        pulumi.runtime.setAllConfig({});
        fs.rmSync(dir, { recursive: true, force: true });
    });
    beforeEach(() => rec.reset());

    it("phase pairs: the environment, pairs and readiness checks, no benchmarks", async () => {
        const program = runProgram(azure((v) => (v["phase"] = "pairs")));
        await rec.settle();
        assert.strictEqual(rec.ofType("pairbench:components:TestReadyPair").length, 3);
        assert.strictEqual(rec.ofType("pairbench:benchmarks:BenchmarkSuite").length, 0);
        assert.strictEqual(program["results"], undefined);
        assert.deepStrictEqual([program["stack"].phase, program["stack"].assignments], ["pairs", {}]);
        assert.strictEqual(await resolve(program["expiresAt"]), "2026-03-01T16:00:00Z");
        assert.deepStrictEqual((await resolve<Array<{ name: string }>>(program["pairs"])).map((p) => p.name), ["ubuntu-2404", "windows-2022", "windows-prerelease"]);
    });

    it("phase all with assignments: the failed pair is not created, its scenarios run on the healthy pair under their own names", async () => {
        runProgram(
            azure((v) => {
                v["azure"].pairs.push({ name: "windows-2022-b", os: "windows-2022" });
                v["assignments"] = { "windows-2022": "windows-2022-b" };
            }),
        );
        await rec.settle();
        assert.deepStrictEqual(rec.ofType("pairbench:components:TestReadyPair").map((r) => r.name), ["pairbench-ubuntu-2404", "pairbench-windows-prerelease", "pairbench-windows-2022-b"]);
        const benches = rec.ofType("pairbench:benchmarks:Iperf3Benchmark").map((r) => r.name).sort();
        assert.ok(benches.includes("pairbench-bench-windows-2022-upload") && benches.includes("pairbench-bench-windows-2022-b-upload"), benches.join(" "));
        // The reassigned scenario's commands run on the healthy pair's client, in PowerShell.
        const client = rec.find("command:remote:Command", "pairbench-bench-windows-2022-upload-client-0");
        assert.ok(client.dependsOn.some((d) => d.startsWith("pairbench-bench-windows-2022-b-") || d === "pairbench-bench-windows-2022-upload-server-0"));
        assert.match(client.inputs["create"], /^C:\\pairbench\\pwsh\\pwsh\.exe -NoLogo .* -EncodedCommand /);
        const server = rec.find("command:remote:Command", "pairbench-bench-windows-2022-upload-server-0").inputs["connection"];
        const host = (server && "value" in server ? server.value : server).host;
        assert.strictEqual(host, "10.64.3.5", "windows-2022-b's server (config index 3)");
        assert.strictEqual(rec.ofType("pairbench:benchmarks:SockperfLatency").length, 1, "latency only on the Linux pair");
    });
});

// Pure Azure builders: the plan (which pairs, names, addresses, images, labels), tags and the
// expiry, the onboarding scripts, runner registration and the PowerShell readiness wait.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { parseStackConfig } from "../../../config/index";
import { computerName, pairAddresses, planAzure } from "../../../components/azure/plan";
import { azureTags, expiryFrom, ttlMilliseconds } from "../../../components/azure/tags";
import { linuxOnboarding, windowsOnboarding } from "../../../components/azure/onboarding";
import { runnerApiBase, runnerCommands, runnerName, runnerRegisterLinux, runnerRemoveLinux } from "../../../components/runner";
import { psPeerWait } from "../../../components/psWait";
import { loadPowerShell, syntaxErrors } from "../../support/powershellParser";
import { stackValues } from "../../support/stackFiles";

const TOKEN = "github_pat_secret'value";
const spec = { url: "https://github.com/example/netperf", token: TOKEN, name: "pairbench-azure-ubuntu-2404", labels: ["os-ubuntu-24.04", "ubuntu-2404"] };
const decode = (line: string) => Buffer.from(/-EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(line)![1]!, "base64").toString("utf16le");
const shSyntax = (script: string) => spawnSync("sh", ["-n", "-c", script], { encoding: "utf8" });

describe("Azure plan and builders", function () {
    this.timeout(20000);
    before(loadPowerShell);

    it("plans every pair in config order with static addresses, images, families and runner labels", () => {
        const values = stackValues("azure");
        values["azure"].sshKey = { path: "/dev/null" };
        values["runner"] = { url: "https://github.com/o/r", token: "t", labels: ["x64"] };
        const plan = planAzure(parseStackConfig(values, "t"));
        assert.deepStrictEqual(plan.pairs.map((p) => [p.name, p.family, p.client.privateIp, p.server.privateIp, p.client.key, p.runnerLabels.join(",")]), [
            ["ubuntu-2404", "linux", "10.64.0.4", "10.64.0.5", "ubuntu-2404-client", "os-ubuntu-24.04,ubuntu-2404,x64"],
            ["windows-2022", "windows", "10.64.1.4", "10.64.1.5", "windows-2022-client", "os-windows-2022,windows-2022,x64"],
            ["windows-prerelease", "windows", "10.64.2.4", "10.64.2.5", "windows-prerelease-client", "os-gallery,windows-prerelease,x64"],
        ]);
        assert.deepStrictEqual(plan.reassigned, []);
        assert.throws(() => pairAddresses(255), /outside 0\.\.254/);
    });

    it("computer names fit Windows' 15 characters and stay distinct", () => {
        assert.strictEqual(computerName("win", "client", "windows"), "win-client");
        const a = computerName("windows-2022", "client", "windows");
        const b = computerName("windows-2025", "client", "windows");
        assert.ok(a.length <= 15 && b.length <= 15 && a !== b, `${a} ${b}`);
        assert.ok(computerName("a".repeat(63), "server", "linux").length <= 63);
    });

    it("the expiry is the creation stamp plus the TTL; tags carry stack, run and expiry", () => {
        assert.strictEqual(ttlMilliseconds("90m"), 5_400_000);
        assert.strictEqual(expiryFrom("2026-03-01T10:00:00Z\n", "6h"), "2026-03-01T16:00:00Z");
        assert.strictEqual(expiryFrom("2026-03-01T10:00:00Z", "2d"), "2026-03-03T10:00:00Z");
        assert.throws(() => expiryFrom("yesterday", "6h"), /not an ISO time/);
        assert.throws(() => ttlMilliseconds("6 hours"), /pairbench:azure\.ttl/);
        assert.deepStrictEqual(azureTags("azure", "", "x"), { "pairbench:stack": "azure", "pairbench:run": "manual", "pairbench:expiresAt": "x" });
        assert.strictEqual(azureTags("azure", "run-7", "x")["pairbench:run"], "run-7");
    });

    it("onboarding: the Linux script is valid bash; the Windows script parses and quotes the key", () => {
        const linux = linuxOnboarding({ peerIp: "10.64.0.5", adminUser: "pairbench" });
        assert.strictEqual(spawnSync("bash", ["-n", "-c", linux]).status, 0);
        assert.ok(linux.includes("Subsystem powershell /usr/bin/pwsh -sshs -nologo"));
        const windows = windowsOnboarding({ peerIp: "10.64.0.5", adminUser: "pairbench", authorizedKeys: ["ssh-ed25519 AAAA it's"] });
        assert.deepStrictEqual(syntaxErrors(windows), []);
        assert.ok(windows.includes("-Value @('ssh-ed25519 AAAA it''s')"));
        assert.ok(windows.includes("Subsystem powershell C:/pairbench/pwsh/pwsh.exe -sshs -nologo"));
    });

    it("runner: API base for repositories, organizations and GitHub Enterprise; names fit 64 characters", () => {
        assert.strictEqual(runnerApiBase("https://github.com/o/r"), "https://api.github.com/repos/o/r");
        assert.strictEqual(runnerApiBase("https://github.com/org"), "https://api.github.com/orgs/org");
        assert.strictEqual(runnerApiBase("https://ghe.example:8443/o/r"), "https://ghe.example:8443/api/v3/repos/o/r");
        assert.throws(() => runnerApiBase("http://github.com/o/r"), /not https/);
        assert.strictEqual(runnerName("azure", "x".repeat(80)).length, 64);
    });

    it("runner on Linux: valid sh; the token goes to curl on stdin; removal never fails the destroy", () => {
        for (const script of [runnerRegisterLinux(spec), runnerRemoveLinux(spec)]) {
            const r = shSyntax(script);
            assert.strictEqual(r.status, 0, r.stderr);
            assert.ok(script.includes(`pat="github_pat_secret'value";`), "the token is one quoted word");
            assert.ok(script.includes("curl -fsS -X POST -K -"), "curl reads the Authorization header from stdin");
        }
        const register = runnerRegisterLinux(spec);
        // shell-quote escapes ':' and ',' (harmless to sh).
        assert.ok(register.includes('./config.sh --unattended --replace --url https\\://github.com/example/netperf --token "$token" --name pairbench-azure-ubuntu-2404 --labels os-ubuntu-24.04\\,ubuntu-2404'), register);
        assert.ok(register.includes("sha256sum -c -"));
        assert.ok(runnerRemoveLinux(spec).trimEnd().endsWith("exit 0"));
        const linux = runnerCommands("linux", spec);
        assert.match(linux.create, /^sh -c /);
    });

    it("runner on Windows: PowerShell 7 that parses, registered as a service, removal never fails the destroy", () => {
        const { create, delete: remove } = runnerCommands("windows", spec);
        for (const line of [create, remove]) {
            assert.match(line, /^C:\\pairbench\\pwsh\\pwsh\.exe -NoLogo .* -EncodedCommand /);
            assert.deepStrictEqual(syntaxErrors(decode(line)), []);
            assert.ok(decode(line).includes("$pat = 'github_pat_secret''value'"));
        }
        assert.ok(decode(create).includes("--runasservice"));
        assert.ok(decode(remove).trimEnd().endsWith("exit 0"));
    });

    it("the Windows peer check is a bounded PowerShell wait that parses", () => {
        const script = psPeerWait({ host: "VM w-client (azure/westeurope)", step: "peer w-server on the test network" }, "10.64.1.5", 120);
        assert.deepStrictEqual(syntaxErrors(script), []);
        assert.ok(script.includes("Test-Connection -TargetName '10.64.1.5' -Count 1 -TimeoutSeconds 2 -Quiet"));
        assert.ok(script.includes("$total = 120"));
        assert.throws(() => psPeerWait({ host: "h", step: "s" }, "10.0.0.1", 0), /totalSeconds must be a whole number/);
    });
});

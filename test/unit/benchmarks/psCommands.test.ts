// The Windows (PowerShell 7) iperf3 steps: they parse as PowerShell (a real grammar), run only
// the expected commands whatever the target address holds, start servers outside the SSH
// session, and print what the POSIX steps print, so the same parser reads their output.
import * as assert from "assert";
import fc from "fast-check";
import { iperf3ClientRoundPs, iperf3Scripts, iperf3ServerStartPs, iperf3ServerStopPs } from "../../../benchmarks/psCommands";
import { iperf3ServerStart, splitFlows } from "../../../benchmarks/commands";
import { allNodes, loadPowerShell, parsePowerShell, syntaxErrors } from "../../support/powershellParser";

const COMMANDS = new Set([
    "New-Item", "Out-Null", "Get-Command", "Select-Object", "Write-Fail", "Stop-Pidfile", "Test-Path", "Stop-Process", "Get-Content",
    "Remove-Item", "Invoke-CimMethod", "Set-Content", "Get-Date", "Get-NetTCPConnection", "ForEach-Object", "Start-Sleep",
    "Write-Output", "Start-Process", "Wait-Process", "Where-Object", "Get-ChildItem",
]);

/** Names of every command a script would run. */
function commandNames(script: string): string[] {
    return allNodes(parsePowerShell(script)).filter((n) => n.type === "command_name").map((n) => n.text);
}

const client = (target: string) => ({
    dir: "/tmp/pairbench/bench-upload-client-0", target, family: "ipv4" as const, ports: [5201, 5202], streams: 1, seconds: 10, omit: 2,
    reverse: false, protocol: "tcp" as const,
});
const server = { dir: "/tmp/pairbench/bench-upload-server-0", ports: [5201, 5202] };

describe("iperf3 steps for Windows endpoints", function () {
    this.timeout(60000);
    before(loadPowerShell);

    it("every script parses and runs only the expected commands, whatever the target is (property)", () => {
        fc.assert(
            fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.constantFrom("'; Stop-Computer; '", "$(Stop-Computer)", "‘; Stop-Computer")).filter((s) => !s.includes("\0")), (target) => {
                for (const script of [iperf3ServerStartPs(server), iperf3ServerStopPs(server), iperf3ClientRoundPs(client(target))]) {
                    assert.deepStrictEqual(syntaxErrors(script), [], script);
                    const unexpected = commandNames(script).filter((c) => !COMMANDS.has(c));
                    assert.deepStrictEqual(unexpected, [], script);
                }
            }),
            { numRuns: 40 },
        );
    });

    it("servers start through WMI (outside the SSH session) as one-off -J servers with a log per port, then wait until they listen", () => {
        const script = iperf3ServerStartPs(server);
        for (const port of [5201, 5202]) {
            assert.ok(script.includes(`'-s -1 -J -p ${port} --logfile C:\\tmp\\pairbench\\bench-upload-server-0\\iperf3-${port}.json'`), script);
            assert.ok(script.includes(`Set-Content -LiteralPath 'C:\\tmp\\pairbench\\bench-upload-server-0\\iperf3-${port}.pid' -Value $r.ProcessId`));
            assert.ok(script.includes(`Get-NetTCPConnection -LocalPort ${port} -State Listen`));
        }
        assert.strictEqual(script.match(/Invoke-CimMethod -ClassName Win32_Process -MethodName Create/g)?.length, 2);
        assert.ok(iperf3ServerStopPs(server).includes("Stop-Pidfile 'C:\\tmp\\pairbench\\bench-upload-server-0\\iperf3-5202.pid'"));
    });

    it("clients run concurrently with the POSIX argv, bounded, and print marker + document per flow", () => {
        const script = iperf3ClientRoundPs({ ...client("10.0.0.5"), reverse: true, mss: 1400 });
        assert.ok(script.includes("-ArgumentList '-c 10.0.0.5 -p 5201 -J --get-server-output -4 -t 10 -O 2 -M 1400 -R'"), script);
        assert.ok(script.includes("-ArgumentList '-c 10.0.0.5 -p 5202 -J --get-server-output -4 -t 10 -O 2 -M 1400 -R'"));
        assert.ok(script.includes("$procs | Wait-Process -Timeout 42"));
        assert.ok(script.includes("Write-Output '=== pairbench flow 1 port 5202 ==='"));
        assert.ok(script.trimEnd().endsWith("exit $status"));
    });

    it("iperf3Scripts picks PowerShell (encoded) for Windows and POSIX sh otherwise", () => {
        const line = iperf3Scripts("windows").serverStart(server);
        const encoded = /-EncodedCommand ([A-Za-z0-9+/=]+)$/.exec(line)![1]!;
        assert.strictEqual(Buffer.from(encoded, "base64").toString("utf16le"), iperf3ServerStartPs(server));
        assert.strictEqual(iperf3Scripts("linux").serverStart(server), iperf3ServerStart(server));
        assert.strictEqual(iperf3Scripts(undefined).serverStart(server), iperf3ServerStart(server));
    });

    it("the client output parser reads Windows (CRLF) output", () => {
        const out = "=== pairbench flow 0 port 5201 ===\r\n{\"a\": 1}\r\n=== pairbench flow 1 port 5202 ===\r\n{\"b\": 2}\r\n";
        assert.deepStrictEqual(splitFlows(out).map((f) => [f.index, f.port, JSON.parse(f.text)]), [[0, 5201, { a: 1 }], [1, 5202, { b: 2 }]]);
    });
});

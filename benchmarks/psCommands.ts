// PowerShell 7 versions of the iperf3 steps in commands.ts, for Windows endpoints (Azure pairs
// of windows-2022, windows-2025 or a Windows gallery image). Same contract as the POSIX scripts:
// the server step returns once every one-off server listens, the client step prints each flow's
// `-J` document after its marker line and fails when a flow printed nothing or an error, and
// every wait is bounded. Pure; no Pulumi imports. Every value goes through components/powershell.ts.
//
// Two Windows specifics: OpenSSH for Windows ends every process of a session when the session
// closes, so servers are started through WMI (Win32_Process.Create), which puts them outside it;
// and iperf3 for Windows has no daemon mode (`-D`), so the pid comes from WMI.
import { ps, pwshCommand, windowsCommandLine, windowsPath } from "../components/powershell";
import { IPERF3_WINDOWS_DIR } from "../components/azure/onboarding";
import * as posix from "./commands";
import { CLIENT_TIMEOUT_SLACK_SECONDS, flowMarker, Iperf3ClientSpec, iperf3ClientArgv, Iperf3ServerSpec, LISTEN_TIMEOUT_SECONDS } from "./commands";

const PRELUDE = [
    "$ErrorActionPreference = 'Stop'",
    "$ProgressPreference = 'SilentlyContinue'",
    "function Write-Fail([string]$text) { [Console]::Error.WriteLine($text) }",
    "function Stop-Pidfile([string]$file) { if (Test-Path -LiteralPath $file) { Stop-Process -Id ([int](Get-Content -LiteralPath $file)) -Force -ErrorAction SilentlyContinue; Remove-Item -LiteralPath $file -Force } }",
].join("\n");

/**
 * Puts iperf3.exe's path into `$iperf`: from PATH, else where onboarding installs it (sshd, a
 * service, sees a changed PATH only after a reboot); exits 127 naming the machine when missing.
 */
const REQUIRE_IPERF3 = [
    "$iperf = (Get-Command iperf3 -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source",
    ps`if (-not $iperf) { $iperf = (Get-ChildItem -Path ${IPERF3_WINDOWS_DIR} -Recurse -Filter iperf3.exe -ErrorAction SilentlyContinue | Select-Object -First 1).FullName }`,
    'if (-not $iperf) { Write-Fail "iperf3 is not installed on $env:COMPUTERNAME"; exit 127 }',
].join("\n");

/** Starts one-off iperf3 servers outside the SSH session and returns once all of them listen. */
export function iperf3ServerStartPs(spec: Iperf3ServerSpec): string {
    const dir = windowsPath(spec.dir);
    const lines = [PRELUDE, ps`New-Item -ItemType Directory -Force -Path ${dir} | Out-Null`, REQUIRE_IPERF3];
    for (const port of spec.ports) {
        const pid = `${dir}\\iperf3-${port}.pid`;
        const log = `${dir}\\iperf3-${port}.json`;
        const args = windowsCommandLine(["-s", "-1", "-J", "-p", port, "--logfile", log]);
        lines.push(
            ps`Stop-Pidfile ${pid}`,
            ps`Remove-Item -LiteralPath ${log} -Force -ErrorAction SilentlyContinue`,
            ps`$r = Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{ CommandLine = '"' + $iperf + '" ' + ${args} }`,
            ps`if ($r.ReturnValue -ne 0) { Write-Fail (${`starting the iperf3 server on port ${port} failed on `} + $env:COMPUTERNAME + ': Win32_Process.Create returned ' + $r.ReturnValue); exit 1 }`,
            ps`Set-Content -LiteralPath ${pid} -Value $r.ProcessId`,
        );
    }
    for (const port of spec.ports) {
        const log = `${dir}\\iperf3-${port}.json`;
        const what = `iperf3 server is not listening on tcp port ${port} after ${LISTEN_TIMEOUT_SECONDS} s on `;
        lines.push(
            ps`$deadline = (Get-Date).AddSeconds(${LISTEN_TIMEOUT_SECONDS})`,
            ps`while (-not (Get-NetTCPConnection -LocalPort ${port} -State Listen -ErrorAction SilentlyContinue)) {`,
            ps`  if ((Get-Date) -gt $deadline) { Write-Fail (${what} + $env:COMPUTERNAME); Get-Content -LiteralPath ${log} -Tail 20 -ErrorAction SilentlyContinue | ForEach-Object { Write-Fail $_ }; exit 1 }`,
            "  Start-Sleep -Milliseconds 100",
            "}",
        );
    }
    lines.push(ps`Write-Output ${`iperf3 servers listening on port${spec.ports.length > 1 ? "s" : ""} ${spec.ports.join(" ")}`}`);
    return lines.join("\n");
}

/** Stops servers that still run (a one-off server exits after its test) and removes the directory. */
export function iperf3ServerStopPs(spec: Iperf3ServerSpec): string {
    const dir = windowsPath(spec.dir);
    return [
        PRELUDE,
        ...spec.ports.map((p) => ps`Stop-Pidfile ${`${dir}\\iperf3-${p}.pid`}`),
        ps`Remove-Item -LiteralPath ${dir} -Recurse -Force -ErrorAction SilentlyContinue`,
        "exit 0",
    ].join("\n");
}

/** One round: every client process at once, bounded; then each flow's document after its marker. */
export function iperf3ClientRoundPs(spec: Iperf3ClientSpec): string {
    const dir = windowsPath(spec.dir);
    const limit = spec.omit + spec.seconds + CLIENT_TIMEOUT_SLACK_SECONDS;
    const file = (i: number, ext: string) => `${dir}\\flow-${i}.${ext}`;
    const lines = [PRELUDE, ps`New-Item -ItemType Directory -Force -Path ${dir} | Out-Null`, REQUIRE_IPERF3, "$procs = @()"];
    spec.ports.forEach((port, i) => {
        const args = windowsCommandLine(iperf3ClientArgv(spec, port).slice(1));
        lines.push(
            ps`$procs += Start-Process -FilePath $iperf -ArgumentList ${args} -RedirectStandardOutput ${file(i, "json")} -RedirectStandardError ${file(i, "err")} -NoNewWindow -PassThru`,
        );
    });
    lines.push(
        ps`$procs | Wait-Process -Timeout ${limit} -ErrorAction SilentlyContinue`,
        "$procs | Where-Object { -not $_.HasExited } | Stop-Process -Force -ErrorAction SilentlyContinue",
        "$status = 0",
    );
    spec.ports.forEach((port, i) => {
        const flow = `flow ${i} (iperf3 client to ${spec.target} port ${port}) on `;
        lines.push(
            ps`Write-Output ${flowMarker(i, port)}`,
            ps`$text = if (Test-Path -LiteralPath ${file(i, "json")}) { Get-Content -LiteralPath ${file(i, "json")} -Raw } else { '' }`,
            "Write-Output $text",
            "if ([string]::IsNullOrWhiteSpace($text)) {",
            ps`  Write-Fail (${flow} + $env:COMPUTERNAME + ': printed nothing'); Get-Content -LiteralPath ${file(i, "err")} -Tail 20 -ErrorAction SilentlyContinue | ForEach-Object { Write-Fail $_ }; $status = 1`,
            "} elseif ($text -match '\"error\"') {",
            ps`  Write-Fail (${flow} + $env:COMPUTERNAME + ':'); $text -split '\\r?\\n' | Where-Object { $_ -match '\"error\"' } | ForEach-Object { Write-Fail $_ }; $status = 1`,
            "}",
        );
    });
    lines.push(ps`Remove-Item -LiteralPath ${dir} -Recurse -Force -ErrorAction SilentlyContinue`, "exit $status");
    return lines.join("\n");
}

/** The iperf3 steps for an endpoint's OS, as command lines for remote.Command. */
export function iperf3Scripts(os: "linux" | "windows" | undefined): {
    readonly serverStart: (spec: Iperf3ServerSpec) => string;
    readonly serverStop: (spec: Iperf3ServerSpec) => string;
    readonly clientRound: (spec: Iperf3ClientSpec) => string;
} {
    if (os !== "windows") return { serverStart: posix.iperf3ServerStart, serverStop: posix.iperf3ServerStop, clientRound: posix.iperf3ClientRound };
    return {
        serverStart: (s) => pwshCommand(iperf3ServerStartPs(s)),
        serverStop: (s) => pwshCommand(iperf3ServerStopPs(s)),
        clientRound: (s) => pwshCommand(iperf3ClientRoundPs(s)),
    };
}

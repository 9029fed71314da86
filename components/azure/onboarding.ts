// Test-ready onboarding, run by Azure's VM run commands (as root on Linux, as SYSTEM under
// Windows PowerShell 5.1 on Windows) — netperf's setup-runner-*.ps1/.sh without their runner
// part (runner.ts does that over SSH, so it can be removed on destroy). Afterwards a VM has:
// OpenSSH (the benchmarks' and the readiness checks' way in), PowerShell 7 with the SSH
// remoting subsystem, iperf3 (and sockperf on Linux), a hosts entry `netperf-peer` for the other
// VM, and on Windows a firewall rule that lets the peer in. Pure: builds text only.
import { sh } from "../shell";
import { ps, PWSH_EXE } from "../powershell";

/** Versions pairbench installs; downloads come from the projects' own release pages. */
export const TOOLS = {
    powershell: "7.6.6",
    iperf3Windows: "3.21",
} as const;

export const POWERSHELL_DEB_URL = `https://github.com/PowerShell/PowerShell/releases/download/v${TOOLS.powershell}/powershell_${TOOLS.powershell}-1.deb_amd64.deb`;
export const POWERSHELL_ZIP_URL = `https://github.com/PowerShell/PowerShell/releases/download/v${TOOLS.powershell}/PowerShell-${TOOLS.powershell}-win-x64.zip`;
export const IPERF3_WINDOWS_URL = `https://github.com/ar51an/iperf3-win-builds/releases/download/${TOOLS.iperf3Windows}/iperf-${TOOLS.iperf3Windows}-win64.zip`;

/** pairbench's PowerShell 7 on Windows (also sshd's default shell there) and where iperf3 goes. */
const PWSH_DIR = PWSH_EXE.replace(/\\pwsh\.exe$/, "");
export const IPERF3_WINDOWS_DIR = "C:\\pairbench\\tools\\iperf3";

export interface OnboardingSpec {
    /** The other VM's address on the pair's network: `netperf-peer`. */
    readonly peerIp: string;
    /** The administrator pairbench logs in as. */
    readonly adminUser: string;
}

export interface WindowsOnboardingSpec extends OnboardingSpec {
    /** OpenSSH authorized_keys lines for the administrator (Windows reads them from ProgramData). */
    readonly authorizedKeys: readonly string[];
}

/** bash, as root: packages, PowerShell 7 + SSH subsystem, the hosts entry. Idempotent. */
export function linuxOnboarding(spec: OnboardingSpec): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        "export DEBIAN_FRONTEND=noninteractive",
        // cloud-init may still hold the package lock right after boot.
        "cloud-init status --wait >/dev/null 2>&1 || true",
        "apt-get update -q",
        "apt-get install -y -q --no-install-recommends openssh-server iperf3 sockperf curl ca-certificates",
        "if ! command -v pwsh >/dev/null; then",
        sh`  curl -fsSL --retry 5 -o /tmp/powershell.deb ${POWERSHELL_DEB_URL}`,
        "  apt-get install -y -q /tmp/powershell.deb",
        "  rm -f /tmp/powershell.deb",
        "fi",
        // PowerShell remoting over SSH (New-PSSession -HostName netperf-peer -SSHTransport).
        "install -d -m 0755 /etc/ssh/sshd_config.d",
        sh`printf '%s\\n' ${"Subsystem powershell /usr/bin/pwsh -sshs -nologo"} > /etc/ssh/sshd_config.d/50-pairbench-powershell.conf`,
        "systemctl restart ssh",
        "sed -i '/[[:space:]]netperf-peer$/d' /etc/hosts",
        sh`printf '%s netperf-peer\\n' ${spec.peerIp} >> /etc/hosts`,
        sh`echo ${`test-ready: ${spec.adminUser}@`}"$(hostname)"${`, netperf-peer = ${spec.peerIp}`}`,
        "",
    ].join("\n");
}

/**
 * Windows PowerShell 5.1, as SYSTEM: OpenSSH server with PowerShell 7 as its default shell and
 * remoting subsystem, the administrator's key, iperf3 on the machine PATH, a firewall rule for
 * the peer and the hosts entry. Idempotent.
 */
export function windowsOnboarding(spec: WindowsOnboardingSpec): string {
    return [
        "$ErrorActionPreference = 'Stop'",
        "$ProgressPreference = 'SilentlyContinue'",
        "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12",
        "function Add-MachinePath([string]$dir) { $p = [Environment]::GetEnvironmentVariable('Path', 'Machine'); if (($p -split ';') -notcontains $dir) { [Environment]::SetEnvironmentVariable('Path', \"$p;$dir\", 'Machine') } }",
        // OpenSSH server: a Windows capability (built in on 2025, installed on 2022).
        "$cap = Get-WindowsCapability -Online -Name 'OpenSSH.Server*' | Select-Object -First 1",
        "if ($cap.State -ne 'Installed') { Add-WindowsCapability -Online -Name $cap.Name | Out-Null }",
        "Set-Service -Name sshd -StartupType Automatic",
        "if (-not (Get-NetFirewallRule -Name 'pairbench-ssh' -ErrorAction SilentlyContinue)) { New-NetFirewallRule -Name 'pairbench-ssh' -DisplayName 'pairbench: SSH' -Direction Inbound -Protocol TCP -LocalPort 22 -Action Allow | Out-Null }",
        // PowerShell 7 from its release zip, pairbench's own copy at a fixed path (PWSH_EXE).
        ps`if (-not (Test-Path ${PWSH_EXE})) {`,
        ps`  Invoke-WebRequest -UseBasicParsing -Uri ${POWERSHELL_ZIP_URL} -OutFile "$env:TEMP\\pwsh.zip"`,
        ps`  Expand-Archive -Path "$env:TEMP\\pwsh.zip" -DestinationPath ${PWSH_DIR} -Force`,
        "  Remove-Item \"$env:TEMP\\pwsh.zip\"",
        "}",
        ps`Add-MachinePath ${PWSH_DIR}`,
        ps`New-ItemProperty -Path 'HKLM:\\SOFTWARE\\OpenSSH' -Name DefaultShell -Value ${PWSH_EXE} -PropertyType String -Force | Out-Null`,
        // sshd_config exists once sshd has started once.
        "Start-Service sshd",
        "$config = 'C:\\ProgramData\\ssh\\sshd_config'",
        "$text = Get-Content -Raw $config",
        "if ($text -notmatch '(?m)^Subsystem\\s+powershell') { Add-Content -Path $config -Value 'Subsystem powershell C:/pairbench/pwsh/pwsh.exe -sshs -nologo' }",
        // Administrators' keys live in ProgramData, readable by SYSTEM and Administrators only.
        "$keys = 'C:\\ProgramData\\ssh\\administrators_authorized_keys'",
        ps`Set-Content -Path $keys -Value ${[...spec.authorizedKeys]} -Encoding ascii`,
        "icacls.exe $keys /inheritance:r /grant 'Administrators:F' /grant 'SYSTEM:F' | Out-Null",
        // iperf3 from its Windows build, on the machine PATH.
        ps`$tools = ${IPERF3_WINDOWS_DIR}`,
        "if (-not (Get-ChildItem -Path $tools -Recurse -Filter iperf3.exe -ErrorAction SilentlyContinue)) {",
        "  New-Item -ItemType Directory -Force -Path $tools | Out-Null",
        ps`  Invoke-WebRequest -UseBasicParsing -Uri ${IPERF3_WINDOWS_URL} -OutFile "$env:TEMP\\iperf3.zip"`,
        "  Expand-Archive -Path \"$env:TEMP\\iperf3.zip\" -DestinationPath $tools -Force",
        "  Remove-Item \"$env:TEMP\\iperf3.zip\"",
        "}",
        "Add-MachinePath (Get-ChildItem -Path $tools -Recurse -Filter iperf3.exe | Select-Object -First 1).DirectoryName",
        // The peer may send anything (iperf3, ping, remoting); nobody else is let in by this rule.
        "Remove-NetFirewallRule -Name 'pairbench-peer' -ErrorAction SilentlyContinue",
        ps`New-NetFirewallRule -Name 'pairbench-peer' -DisplayName 'pairbench: netperf-peer' -Direction Inbound -RemoteAddress ${spec.peerIp} -Action Allow | Out-Null`,
        "$hosts = 'C:\\Windows\\System32\\drivers\\etc\\hosts'",
        "$lines = @(Get-Content $hosts | Where-Object { $_ -notmatch '\\snetperf-peer$' })",
        ps`Set-Content -Path $hosts -Value ($lines + ${`${spec.peerIp} netperf-peer`}) -Encoding ascii`,
        // sshd picks up PATH, the default shell and the subsystem on restart.
        "Restart-Service sshd",
        ps`Write-Output ("test-ready: " + ${spec.adminUser} + "@" + $env:COMPUTERNAME + ", netperf-peer = " + ${spec.peerIp})`,
        "",
    ].join("\n");
}

// GitHub Actions self-hosted runner registration on a pair's client, as netperf does it (labels
// `os-<os>` and the pair), but removed again on destroy. The configured token is a GitHub token
// allowed to manage runners; the client exchanges it for a short-lived registration token
// (create) and a removal token (destroy), so deregistration works hours later. Pure: builds
// text only; the scripts hold the token and are secrets wherever they travel.
import { ps, psRaw, pwshCommand } from "./powershell";
import { sh, shellCommand } from "./shell";

export const RUNNER_VERSION = "2.337.0";
const LINUX_ARCHIVE = `https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/actions-runner-linux-x64-${RUNNER_VERSION}.tar.gz`;
/** sha256 of the Linux archive above, as published with the release. */
const LINUX_ARCHIVE_SHA256 = "70920811a4f8ad4328818682bca5c6469c1c942fab52448868071d0063816613";
const WINDOWS_ARCHIVE = `https://github.com/actions/runner/releases/download/v${RUNNER_VERSION}/actions-runner-win-x64-${RUNNER_VERSION}.zip`;

export interface RunnerSpec {
    /** Repository or organization URL, e.g. https://github.com/OWNER/REPO. */
    readonly url: string;
    /** The token that may manage runners (never printed). */
    readonly token: string;
    /** Unique in the repository: `pairbench-<stack>-<pair>`. */
    readonly name: string;
    readonly labels: readonly string[];
}

/**
 * The REST base for runner tokens of a repository or organization URL: GitHub's API host for
 * github.com, `/api/v3` on a GitHub Enterprise Server.
 */
export function runnerApiBase(url: string): string {
    const m = /^https:\/\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url);
    if (!m) throw new Error(`runner.url '${url}' is not https://HOST/OWNER[/REPO]`);
    const [, host, owner, repo] = m;
    const api = host === "github.com" ? "https://api.github.com" : `https://${host}/api/v3`;
    return repo === undefined ? `${api}/orgs/${owner}` : `${api}/repos/${owner}/${repo}`;
}

/** The runner's name: at most 64 characters, as GitHub allows. */
export function runnerName(stack: string, pair: string): string {
    const name = `pairbench-${stack}-${pair}`.replace(/[^A-Za-z0-9._-]/g, "-");
    return name.length <= 64 ? name : name.slice(0, 64);
}

const LINUX_DIR = "/opt/pairbench-runner";
const WINDOWS_DIR = "C:\\pairbench\\runner";

/** POSIX sh: the token is sent to curl on stdin (`-K -`), never on a command line. */
function linuxPrelude(spec: RunnerSpec): string[] {
    return [
        "set -eu",
        'command -v curl >/dev/null 2>&1 || { echo "curl is not installed on $(uname -n)" >&2; exit 127; }',
        sh`pat=${spec.token}; api=${runnerApiBase(spec.url)}; dir=${LINUX_DIR}`,
        'if [ "$(id -u)" = 0 ]; then SUDO=; export RUNNER_ALLOW_RUNASROOT=1; else SUDO="sudo -n"; fi',
        "pb_token() {",
        `  printf 'header = "Authorization: Bearer %s"\\n' "$pat" | curl -fsS -X POST -K - -H 'Accept: application/vnd.github+json' "$api/actions/runners/$1" | sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p'`,
        "}",
    ];
}

export function runnerRegisterLinux(spec: RunnerSpec): string {
    return [
        ...linuxPrelude(spec),
        '$SUDO mkdir -p "$dir" && $SUDO chown "$(id -un)" "$dir" && cd "$dir"',
        sh`curl -fsSL --retry 5 -o runner.tar.gz ${LINUX_ARCHIVE}`,
        sh`echo ${`${LINUX_ARCHIVE_SHA256}  runner.tar.gz`} | sha256sum -c - >/dev/null`,
        "tar xzf runner.tar.gz && rm -f runner.tar.gz",
        'token=$(pb_token registration-token); [ -n "$token" ] || { echo "GitHub returned no registration token (check runner.token and runner.url)" >&2; exit 1; }',
        sh`./config.sh --unattended --replace --url ${spec.url} --token "$token" --name ${spec.name} --labels ${spec.labels.join(",")}`,
        '$SUDO ./svc.sh install "$(id -un)" >/dev/null && $SUDO ./svc.sh start >/dev/null',
        sh`echo ${`runner ${spec.name} registered with labels ${spec.labels.join(",")}`}`,
    ].join("\n");
}

/** Never fails: a runner that cannot be removed is reported, and the VM still goes. */
export function runnerRemoveLinux(spec: RunnerSpec): string {
    return [
        ...linuxPrelude(spec).map((l) => (l === "set -eu" ? "set -u" : l)),
        'cd "$dir" 2>/dev/null || { echo "no runner in $dir"; exit 0; }',
        "$SUDO ./svc.sh stop >/dev/null 2>&1 || true",
        "$SUDO ./svc.sh uninstall >/dev/null 2>&1 || true",
        sh`if token=$(pb_token remove-token) && [ -n "$token" ] && ./config.sh remove --token "$token"; then echo ${`runner ${spec.name} removed`}; else echo ${`pairbench: could not deregister runner ${spec.name}; remove it under Settings > Actions > Runners`} >&2; fi`,
        'cd / && $SUDO rm -rf "$dir"',
        "exit 0",
    ].join("\n");
}

function windowsPrelude(spec: RunnerSpec): string[] {
    return [
        "$ErrorActionPreference = 'Stop'",
        "$ProgressPreference = 'SilentlyContinue'",
        ps`$pat = ${spec.token}; $api = ${runnerApiBase(spec.url)}; $dir = ${WINDOWS_DIR}`,
        "function Get-RunnerToken([string]$kind) { (Invoke-RestMethod -Method Post -Uri \"$api/actions/runners/$kind\" -Headers @{ Authorization = \"Bearer $pat\"; Accept = 'application/vnd.github+json' }).token }",
    ];
}

/** PowerShell 7, as the administrator: the runner as a Windows service. */
export function runnerRegisterWindows(spec: RunnerSpec): string {
    return pwshCommand(
        [
            ...windowsPrelude(spec),
            "New-Item -ItemType Directory -Force -Path $dir | Out-Null",
            "Set-Location $dir",
            ps`Invoke-WebRequest -UseBasicParsing -Uri ${WINDOWS_ARCHIVE} -OutFile runner.zip`,
            "Expand-Archive -Path runner.zip -DestinationPath $dir -Force",
            "Remove-Item runner.zip",
            "$token = Get-RunnerToken 'registration-token'",
            ps`& .\\config.cmd --unattended --replace --runasservice --url ${spec.url} --token $token --name ${spec.name} --labels ${spec.labels.join(",")}`,
            "if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }",
            ps`Write-Output ${`runner ${spec.name} registered with labels ${spec.labels.join(",")}`}`,
        ].join("\n"),
    );
}

export function runnerRemoveWindows(spec: RunnerSpec): string {
    return pwshCommand(
        [
            ...windowsPrelude(spec),
            ps`if (-not (Test-Path (Join-Path $dir 'config.cmd'))) { Write-Output ${psRaw("\"no runner in $dir\"")}; exit 0 }`,
            "try {",
            "  $token = Get-RunnerToken 'remove-token'",
            "  & (Join-Path $dir 'config.cmd') remove --token $token",
            "  if ($LASTEXITCODE -ne 0) { throw \"config.cmd remove exited with $LASTEXITCODE\" }",
            ps`  Write-Output ${`runner ${spec.name} removed`}`,
            "} catch {",
            ps`  [Console]::Error.WriteLine(${`pairbench: could not deregister runner ${spec.name}; remove it under Settings > Actions > Runners: `} + $_.Exception.Message)`,
            "}",
            "Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue",
            "exit 0",
        ].join("\n"),
    );
}

/** Register and remove commands for the client's OS. */
export function runnerCommands(os: "linux" | "windows", spec: RunnerSpec): { readonly create: string; readonly delete: string } {
    return os === "windows"
        ? { create: runnerRegisterWindows(spec), delete: runnerRemoveWindows(spec) }
        : { create: shellCommand(["sh", "-c", runnerRegisterLinux(spec)]), delete: shellCommand(["sh", "-c", runnerRemoveLinux(spec)]) };
}

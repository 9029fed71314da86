// PowerShell 7 versions of waitScript.ts's bounded waits, for Windows machines: the same
// backoff (250 ms doubling to 5 s), the same timeout message naming host, step, attempts and
// the last output. Pure: builds text only; values go through powershell.ts.
import { ps, PsText } from "./powershell";
import { raw } from "./shell";
import { describeContext, ScriptContext, validateWaitSpec } from "./waitScript";

export interface PsWaitSpec {
    readonly context: ScriptContext;
    /** The body of a script block that returns (output) once the thing waited for is there and throws otherwise. */
    readonly attempt: PsText;
    readonly totalSeconds: number;
    readonly initialDelayMs?: number;
    readonly maxDelayMs?: number;
}

/** Runs the attempt until it succeeds, backing off; fails after `totalSeconds` naming what it waited for. */
export function psWaitScript(spec: PsWaitSpec): string {
    validateWaitSpec({ ...spec, attempt: raw("") });
    const first = spec.initialDelayMs ?? 250;
    const max = spec.maxDelayMs ?? 5000;
    return [
        "$ErrorActionPreference = 'Stop'",
        "$attempt = {",
        spec.attempt.text,
        "}",
        ps`$context = ${describeContext(spec.context)}`,
        ps`$total = ${spec.totalSeconds}`,
        "$deadline = (Get-Date).AddSeconds($total)",
        ps`$delay = ${first}`,
        "$tries = 0",
        "while ($true) {",
        "  $tries += 1",
        "  try { $out = & $attempt 2>&1 | Out-String; Write-Output $out.TrimEnd(); exit 0 } catch { $out = $_.Exception.Message }",
        "  $left = ($deadline - (Get-Date)).TotalMilliseconds",
        "  if ($left -le 0) {",
        "    $tail = if ($out) { $out.Substring([Math]::Max(0, $out.Length - 2000)) } else { '(none)' }",
        "    [Console]::Error.WriteLine(\"pairbench: timeout after ${total}s ($tries attempts): $context; last output: $tail\")",
        "    exit 1",
        "  }",
        "  Start-Sleep -Milliseconds ([Math]::Min($delay, $left))",
        ps`  $delay = [Math]::Min($delay * 2, ${max})`,
        "}",
        "",
    ].join("\n");
}

/** Run on a Windows client: waits until the server answers a ping on the pair's network. */
export function psPeerWait(ctx: ScriptContext, ipv4: string, totalSeconds: number): string {
    const attempt = [
        ps`  if (-not (Test-Connection -TargetName ${ipv4} -Count 1 -TimeoutSeconds 2 -Quiet)) { throw ${`no answer from ${ipv4}`} }`,
        ps`  ${`peer answers: ${ipv4}`}`,
    ].join("\n");
    return psWaitScript({ context: ctx, attempt: new PsText(attempt), totalSeconds });
}

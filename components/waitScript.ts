// Bounded waits with exponential backoff, as POSIX shell scripts that a remote.Command runs on
// a hypervisor or a VM (busybox ash, dash and bash alike). Pure: builds text only.
import { sh, ShellText } from "./shell";

/** Where a script runs and what it does, for error messages: "hypervisor hv1, VM vm1, step …". */
export interface ScriptContext {
    /** The machine the script runs on, e.g. `hypervisor hv1 (root@198.18.0.11:22)`. */
    readonly host: string;
    readonly vm?: string;
    readonly step: string;
}

export function describeContext(ctx: ScriptContext): string {
    return [ctx.host, ctx.vm === undefined ? undefined : `VM ${ctx.vm}`, `step ${ctx.step}`].filter(Boolean).join(", ");
}

export interface WaitSpec {
    readonly context: ScriptContext;
    /**
     * The body of a shell function that succeeds (exit 0) once the thing waited for is there
     * and prints the result; on failure what it printed becomes "the last output".
     */
    readonly attempt: ShellText;
    /** Give up after this many seconds. */
    readonly totalSeconds: number;
    /** First pause between attempts. Defaults to 250 ms (at most 500). */
    readonly initialDelayMs?: number;
    /** Longest pause between attempts. Defaults to 5000 ms. */
    readonly maxDelayMs?: number;
}

/** Validates a wait's numbers; lists every problem in one message. */
export function validateWaitSpec(spec: WaitSpec): void {
    const problems: string[] = [];
    const first = spec.initialDelayMs ?? 250;
    const max = spec.maxDelayMs ?? 5000;
    if (!Number.isInteger(spec.totalSeconds) || spec.totalSeconds < 1) problems.push("totalSeconds must be a whole number ≥ 1");
    if (!Number.isInteger(first) || first < 1 || first > 500) problems.push("initialDelayMs must be 1..500");
    if (!Number.isInteger(max) || max < first) problems.push("maxDelayMs must be a whole number ≥ initialDelayMs");
    if (problems.length > 0) throw new Error(`invalid wait for ${describeContext(spec.context)}: ${problems.join("; ")}`);
}

/**
 * A script that runs the attempt until it succeeds, pausing 250 ms, 500 ms, 1 s, … (capped)
 * in between, and fails after `totalSeconds` with a message naming host, VM, step, the
 * number of attempts and the tail of the last attempt's output.
 */
export function waitScript(spec: WaitSpec): string {
    validateWaitSpec(spec);
    const first = spec.initialDelayMs ?? 250;
    const max = spec.maxDelayMs ?? 5000;
    return [
        "pb_attempt() {",
        spec.attempt.text,
        "}",
        sh`pb_context=${describeContext(spec.context)}`,
        sh`pb_total=${spec.totalSeconds}`,
        "pb_deadline=$(( $(date +%s) + pb_total ))",
        sh`pb_delay=${first}`,
        "pb_tries=0",
        "while :; do",
        "  pb_tries=$((pb_tries + 1))",
        "  if pb_out=$(pb_attempt 2>&1); then printf '%s\\n' \"$pb_out\"; exit 0; fi",
        "  pb_now=$(date +%s)",
        '  if [ "$pb_now" -ge "$pb_deadline" ]; then',
        "    pb_tail=$(printf '%s' \"$pb_out\" | tail -c 2000)",
        "    printf 'pairbench: timeout after %ss (%s attempts): %s; last output: %s\\n' \\",
        '      "$pb_total" "$pb_tries" "$pb_context" "${pb_tail:-(none)}" >&2',
        "    exit 1",
        "  fi",
        // Never sleep past the deadline by more than the current pause.
        "  pb_left=$(( (pb_deadline - pb_now) * 1000 ))",
        '  pb_ms=$pb_delay; [ "$pb_ms" -gt "$pb_left" ] && pb_ms=$pb_left',
        "  sleep \"$((pb_ms / 1000)).$(printf '%03d' $((pb_ms % 1000)))\"",
        "  pb_delay=$((pb_delay * 2))",
        sh`  [ "$pb_delay" -gt ${max} ] && pb_delay=${max}`,
        "done",
        "",
    ].join("\n");
}

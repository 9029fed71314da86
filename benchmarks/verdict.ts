// Verdicts against an expected value. Pure; no Pulumi imports.
//
// - `mean` policy, the dpservice suite's rule: pass when the mean is at least the expected
//   value, otherwise fail.
// - `ci` policy: pass when the 95 % interval's lower bound is at least the expected value,
//   fail when its upper bound is below it, otherwise inconclusive (the data cannot tell).
import { Summary } from "./stats";

export type Policy = "mean" | "ci";
/** `none`: nothing to compare with (no expected value configured, or a latency scenario). */
export type Verdict = "pass" | "fail" | "inconclusive" | "none";

export interface Decision {
    readonly verdict: Verdict;
    /** One sentence a person can check against the numbers. */
    readonly reason: string;
}

const fmt = (v: number) => String(Number(v.toPrecision(6)));

/** Decides one scenario. `expected` is in the summary's unit; undefined means no check. */
export function decide(policy: Policy, summary: Summary, expected: number | undefined): Decision {
    if (expected === undefined) return { verdict: "none", reason: "no expected value configured" };
    if (!Number.isFinite(expected)) throw new Error(`expected value must be a finite number (got ${expected})`);
    switch (policy) {
        case "mean":
            return summary.mean >= expected
                ? { verdict: "pass", reason: `mean ${fmt(summary.mean)} ≥ expected ${fmt(expected)}` }
                : { verdict: "fail", reason: `mean ${fmt(summary.mean)} < expected ${fmt(expected)}` };
        case "ci": {
            if (summary.ci95 === null) {
                return { verdict: "inconclusive", reason: `${summary.n} round: no confidence interval (policy ci needs ≥ 2 rounds)` };
            }
            const [lo, hi] = summary.ci95;
            const ci = `95% CI [${fmt(lo)}, ${fmt(hi)}]`;
            if (lo >= expected) return { verdict: "pass", reason: `${ci} lies at or above expected ${fmt(expected)}` };
            if (hi < expected) return { verdict: "fail", reason: `${ci} lies below expected ${fmt(expected)}` };
            return { verdict: "inconclusive", reason: `${ci} contains expected ${fmt(expected)}` };
        }
        default: {
            const never: never = policy;
            throw new Error(`unknown verdict policy ${String(never)}; use mean or ci`);
        }
    }
}

/**
 * The overall verdict of several scenarios: fail if any failed, else inconclusive if any was,
 * else pass if any passed; `none` when nothing was checked.
 */
export function overallVerdict(verdicts: readonly Verdict[]): Verdict {
    if (verdicts.includes("fail")) return "fail";
    if (verdicts.includes("inconclusive")) return "inconclusive";
    if (verdicts.includes("pass")) return "pass";
    return "none";
}

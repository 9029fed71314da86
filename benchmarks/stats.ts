// Summary statistics over rounds: mean, median, sample standard deviation and a Student-t
// confidence interval for the mean. Pure; no Pulumi imports.
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { mean as ssMean, median as ssMedian, sampleStandardDeviation } from "simple-statistics";

/** Summary of n ≥ 1 values. */
export interface Summary {
    readonly n: number;
    readonly mean: number;
    readonly median: number;
    /** Sample standard deviation (n − 1 in the denominator); 0 when n = 1 (no spread observable). */
    readonly stddev: number;
    /**
     * Two-sided 95 % confidence interval of the mean, mean ± t(0.975, n−1)·s/√n. `null` when
     * n = 1: one round says nothing about run-to-run variation, so there is no interval (not a
     * zero-width one).
     */
    readonly ci95: readonly [number, number] | null;
}

/** The confidence level of `Summary.ci95`. */
export const CONFIDENCE = 0.95;

/** Half-width of the Student-t interval for n values with sample standard deviation s. */
export function ciHalfWidth(n: number, s: number, confidence: number = CONFIDENCE): number {
    if (!Number.isInteger(n) || n < 2) throw new Error(`a confidence interval needs at least 2 values (got ${n})`);
    if (!(confidence > 0 && confidence < 1)) throw new Error(`confidence must be between 0 and 1 (got ${confidence})`);
    return tQuantile(1 - (1 - confidence) / 2, n - 1) * (s / Math.sqrt(n));
}

/** Summarises values; throws on an empty list or a non-finite value (a missing value is never 0). */
export function summarize(values: readonly number[]): Summary {
    if (values.length === 0) throw new Error("cannot summarise an empty list of values");
    const bad = values.findIndex((v) => typeof v !== "number" || !Number.isFinite(v));
    if (bad >= 0) throw new Error(`value ${bad} is not a finite number (${String(values[bad])})`);
    const list = [...values];
    const n = list.length;
    const mean = ssMean(list);
    const median = ssMedian(list);
    if (n === 1) return { n, mean, median, stddev: 0, ci95: null };
    const stddev = sampleStandardDeviation(list);
    const half = ciHalfWidth(n, stddev);
    return { n, mean, median, stddev, ci95: [mean - half, mean + half] };
}

// Verdicts at their boundaries.
import * as assert from "assert";
import { Summary } from "../../../benchmarks/stats";
import { decide, overallVerdict } from "../../../benchmarks/verdict";

const summary = (mean: number, ci95: [number, number] | null, n = 3): Summary => ({ n, mean, median: mean, stddev: 1, ci95 });

describe("verdicts", () => {
    describe("mean policy (dpservice: mean ≥ expected)", () => {
        it("passes exactly at the expected value", () => assert.strictEqual(decide("mean", summary(10, [9, 11]), 10).verdict, "pass"));
        it("fails just below it", () => assert.strictEqual(decide("mean", summary(9.999999, [9, 11]), 10).verdict, "fail"));
        it("ignores the interval", () => assert.strictEqual(decide("mean", summary(10.5, [1, 20]), 10).verdict, "pass"));
        it("explains itself", () => assert.strictEqual(decide("mean", summary(7.5, null, 1), 8).reason, "mean 7.5 < expected 8"));
    });

    describe("ci policy", () => {
        it("passes when the lower bound equals the expected value", () => assert.strictEqual(decide("ci", summary(11, [10, 12]), 10).verdict, "pass"));
        it("is inconclusive when the lower bound is just below it", () =>
            assert.strictEqual(decide("ci", summary(11, [9.999999, 12]), 10).verdict, "inconclusive"));
        it("is inconclusive when the upper bound equals the expected value", () =>
            assert.strictEqual(decide("ci", summary(9, [8, 10]), 10).verdict, "inconclusive"));
        it("fails when the upper bound is just below it", () => assert.strictEqual(decide("ci", summary(9, [8, 9.999999]), 10).verdict, "fail"));
        it("is inconclusive with one round, saying why", () => {
            const d = decide("ci", summary(50, null, 1), 10);
            assert.deepStrictEqual(d, { verdict: "inconclusive", reason: "1 round: no confidence interval (policy ci needs ≥ 2 rounds)" });
        });
        it("reports the interval", () => assert.strictEqual(decide("ci", summary(9, [8, 10.5]), 10).reason, "95% CI [8, 10.5] contains expected 10"));
    });

    it("without an expected value there is nothing to judge", () => {
        assert.deepStrictEqual(decide("mean", summary(1, null, 1), undefined), { verdict: "none", reason: "no expected value configured" });
        assert.throws(() => decide("mean", summary(1, null, 1), Number.NaN), /finite/);
    });

    it("overall: fail beats inconclusive beats pass; none only when nothing was checked", () => {
        assert.strictEqual(overallVerdict(["pass", "none", "inconclusive", "fail"]), "fail");
        assert.strictEqual(overallVerdict(["pass", "inconclusive", "none"]), "inconclusive");
        assert.strictEqual(overallVerdict(["pass", "none"]), "pass");
        assert.strictEqual(overallVerdict(["none"]), "none");
        assert.strictEqual(overallVerdict([]), "none");
    });
});

// Statistics against values computed independently (R's t.test and hand calculation).
import * as assert from "assert";
import fc from "fast-check";
import { ciHalfWidth, summarize } from "../../../benchmarks/stats";

const close = (a: number, b: number, tol = 5e-7) => assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

describe("summary statistics", () => {
    it("matches R: t.test(1:10) → mean 5.5, 95% CI [3.334149, 7.665851]", () => {
        const s = summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert.strictEqual(s.n, 10);
        assert.strictEqual(s.mean, 5.5);
        assert.strictEqual(s.median, 5.5);
        close(s.stddev, 3.0276504); // sd(1:10)
        close(s.ci95![0], 3.334149);
        close(s.ci95![1], 7.665851);
    });

    it("matches R: t.test(c(1,2,3,4,5)) → 95% CI [1.036757, 4.963243]", () => {
        const s = summarize([5, 3, 1, 4, 2]);
        assert.strictEqual(s.median, 3);
        close(s.stddev, Math.sqrt(2.5));
        close(s.ci95![0], 1.036757);
        close(s.ci95![1], 4.963243);
    });

    it("two rounds use t(0.975, 1) = 12.706205: [8, 12] → 10 ± 25.41241 (by hand)", () => {
        // s = sd(8, 12) = 2√2; half = t · s / √n = 12.706205 · 2√2 / √2 = 25.41241
        const s = summarize([8, 12]);
        close(s.stddev, 2 * Math.SQRT2);
        close(s.ci95![0], 10 - 25.41241, 1e-5);
        close(s.ci95![1], 10 + 25.41241, 1e-5);
    });

    it("n = 1: stddev 0 and no confidence interval (null, not zero-width)", () => {
        assert.deepStrictEqual(summarize([9.4]), { n: 1, mean: 9.4, median: 9.4, stddev: 0, ci95: null });
    });

    it("identical rounds give a degenerate interval at the mean", () => {
        const s = summarize([7, 7, 7]);
        assert.strictEqual(s.stddev, 0);
        assert.deepStrictEqual(s.ci95, [7, 7]);
    });

    it("rejects empty input and non-finite values: a missing value is never 0", () => {
        assert.throws(() => summarize([]), /empty/);
        assert.throws(() => summarize([1, Number.NaN]), /value 1 is not a finite number/);
        assert.throws(() => summarize([1, Number.POSITIVE_INFINITY]), /value 1/);
        assert.throws(() => ciHalfWidth(1, 0), /at least 2/);
    });

    it("property: the interval contains the mean and the median lies within min..max", () => {
        fc.assert(
            fc.property(fc.array(fc.double({ min: 0, max: 400, noNaN: true }), { minLength: 2, maxLength: 30 }), (xs) => {
                const s = summarize(xs);
                const [lo, hi] = s.ci95!;
                assert.ok(lo <= s.mean + 1e-9 && s.mean <= hi + 1e-9);
                assert.ok(Math.min(...xs) <= s.median && s.median <= Math.max(...xs));
                assert.ok(s.stddev >= 0);
            }),
        );
    });
});

import * as assert from "assert";
import { formatResultsTable } from "../../../automation/resultsTable";
import { Results } from "../../../benchmarks/results";

const summary = (mean: number, ci: [number, number] | null, n = 3) => ({ n, mean, median: mean, stddev: 0.1, ci95: ci });
const results = {
    schema: "pairbench.results/v1",
    runId: "r1",
    context: {},
    verdict: "fail",
    counts: { pass: 1, fail: 1, inconclusive: 0, none: 1 },
    scenarios: [
        { name: "same-host-ipv4", kind: "throughput", expected: 0.05, verdict: "pass", stats: summary(2.5, [2.25, 2.75]) },
        { name: "cross-host-ipv6", kind: "throughput", expected: 8, verdict: "fail", stats: summary(2.1, null, 1) },
        { name: "latency", kind: "latency", expected: null, verdict: "none", stats: { p50Us: summary(612, null), p99Us: summary(950.4, null), meanUs: summary(640, null) } },
    ],
} as unknown as Results;

describe("results table", () => {
    it("prints one aligned row per scenario with mean, CI, rounds, expected and verdict", () => {
        const lines = formatResultsTable(results).split("\n");
        assert.match(lines[0]!, /^scenario +measured \(mean\) +95% CI +rounds +expected +verdict$/);
        assert.match(lines[2]!, /^same-host-ipv4 +2\.50 Gbit\/s +\[2\.25, 2\.75\] +3 +0\.05 +pass$/);
        assert.match(lines[3]!, /^cross-host-ipv6 +2\.10 Gbit\/s +- +1 +8 +fail$/);
        assert.match(lines[4]!, /^latency +p50 612 µs, p99 950 µs +- +3 +- +none$/);
        assert.strictEqual(lines.at(-1), "verdict: fail (pass 1, fail 1, inconclusive 0, not judged 1)");
    });
});

// The results document: built from real iperf3 rounds, its overall verdict and its invariants.
import * as assert from "assert";
import { parseIperf3 } from "../../../benchmarks/iperf3";
import { buildResults, RESULTS_SCHEMA, ThroughputMethod, throughputResult } from "../../../benchmarks/results";
import { toSamples } from "../../../benchmarks/samples";
import { iperf3OnLoopback } from "./support/loopback";

const method: Omit<ThroughputMethod, "toolVersion"> = {
    tool: "iperf3", protocol: "tcp", flows: 1, flowMode: "processes", seconds: 1, omit: 0, mss: null, reverse: false, family: "ipv4",
    udpBitsPerSecond: null, placement: "cross-host", server: { machine: "vm1", address: "127.0.0.1" }, client: { machine: "vm3", address: null },
    target: "127.0.0.1", ports: [5201],
};

describe("results document", function () {
    this.timeout(30000);
    let docs: string[];
    before(async () => {
        docs = [(await iperf3OnLoopback(["-t", "1"])).stdout, (await iperf3OnLoopback(["-t", "1"])).stdout];
    });

    const scenario = (name: string, expected: number | undefined, policy: "mean" | "ci" = "mean") =>
        throughputResult({ name, scenario: name, suite: "dpservice", thresholdClass: "remote_vm2vm" }, docs.map((d) => [{ port: 5201, result: parseIperf3(d) }]), method, policy, expected);

    it("a throughput scenario keeps the raw rounds, the statistics, the expected value and why it passed", () => {
        const s = scenario("cross-host-ipv4", 0.001);
        assert.strictEqual(s.unit, "Gbit/s");
        assert.deepStrictEqual(s.rounds.map((r) => r.gbps), docs.map((d) => JSON.parse(d).end.sum_received.bits_per_second / 1e9));
        assert.ok(s.rounds.every((r) => r.startedAt !== null && r.intervals.length > 0 && r.flows.length === 1));
        assert.strictEqual(s.stats.n, 2);
        assert.strictEqual(s.verdict, "pass");
        assert.match(s.reason, /^mean \S+ ≥ expected 0\.001$/);
        assert.match(s.method.toolVersion, /^iperf 3\./);
        assert.strictEqual(scenario("x", undefined).verdict, "none");
        assert.strictEqual(scenario("y", 1e6, "ci").verdict, "fail");
    });

    it("the overall verdict is the worst scenario verdict; counts add up; names are unique", () => {
        const r = buildResults({ runId: "r", scenarios: [scenario("a", 0.001), scenario("b", undefined), scenario("c", 1e6)], context: { stack: "lab" } });
        assert.strictEqual(r.schema, RESULTS_SCHEMA);
        assert.strictEqual(r.verdict, "fail");
        assert.deepStrictEqual(r.counts, { pass: 1, fail: 1, inconclusive: 0, none: 1 });
        assert.deepStrictEqual(r.context, { stack: "lab" });
        assert.strictEqual(buildResults({ runId: "", scenarios: [] }).verdict, "none");
        assert.throws(() => buildResults({ runId: "", scenarios: [scenario("a", 1), scenario("a", 1)] }), /duplicate scenario result 'a'/);
        assert.throws(() => throughputResult({ name: "e", scenario: "e", suite: "custom", thresholdClass: null }, [], method, "mean", 1), /e: no rounds/);
    });

    it("flattens into PKB-style samples: one per round and per statistic, stable unique ids", () => {
        const s = scenario("cross-host-ipv4", 8);
        const results = buildResults({ runId: "run-3", scenarios: [s], context: { stack: "lab" } });
        const samples = toSamples(results);
        const tput = samples.filter((x) => x.metric === "throughput");
        assert.deepStrictEqual(tput.map((x) => x.value), s.rounds.map((r) => r.gbps));
        assert.deepStrictEqual(tput.map((x) => x.sampleId), ["run-3/cross-host-ipv4/throughput/0", "run-3/cross-host-ipv4/throughput/1"]);
        assert.ok(tput.every((x) => x.unit === "Gbit/s" && x.timestamp !== null && x.metadata["stack"] === "lab" && x.metadata["placement"] === "cross-host"));
        assert.deepStrictEqual(samples.filter((x) => x.metric !== "throughput").map((x) => x.metric), [
            "throughput_mean", "throughput_median", "throughput_stddev", "throughput_ci95_low", "throughput_ci95_high",
        ]);
        assert.strictEqual(new Set(samples.map((x) => x.sampleId)).size, samples.length);
    });
});

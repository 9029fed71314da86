// Where an Azure scenario ran: `pair` and `assignedFrom` in the results and in the samples.
import * as assert from "assert";
import { buildResults, latencyResult, scenarioMeta } from "../../../benchmarks/results";
import { toSamples } from "../../../benchmarks/samples";
import type { SockperfResult } from "../../../benchmarks/sockperf";

const round: SockperfResult = {
    version: "3.10", metric: "rtt", protocol: "tcp", duplicatedMessages: 0, outOfOrderMessages: 0, meanUs: 50, p50Us: 48, p90Us: 60, p99Us: 80, p999Us: 120, minUs: 30, maxUs: 200, stddevUs: 9,
    observations: 1000, droppedMessages: 0, percentilesUs: { p50: 48 },
};
const method = {
    tool: "sockperf" as const, metric: "rtt" as const, protocol: "tcp" as const, seconds: 10, messageSize: 64, placement: "cross-host" as const,
    server: { machine: "u-b-server", address: "10.64.1.5" }, client: { machine: "u-b-client", address: "10.64.1.4" }, target: "10.64.1.5", port: 11111,
};

describe("results: the pair a scenario ran on", () => {
    it("scenarioMeta keeps pair fields only when given (Azure), assignedFrom null by default", () => {
        assert.deepStrictEqual(scenarioMeta("x", undefined), { name: "x", scenario: "x", suite: "custom", thresholdClass: null });
        assert.deepStrictEqual(scenarioMeta("x", { name: "u-latency", scenario: "latency", suite: "netperf", pair: "u" }), {
            name: "u-latency", scenario: "latency", suite: "netperf", thresholdClass: null, pair: "u", assignedFrom: null,
        });
    });

    it("a reassigned scenario keeps its name and records both pairs, in the document and the samples", () => {
        const meta = scenarioMeta("b", { name: "u-latency", scenario: "latency", suite: "netperf", pair: "u-b", assignedFrom: "u" });
        const results = buildResults({ runId: "r1", scenarios: [latencyResult(meta, [round], method)] });
        const s = results.scenarios[0]!;
        assert.deepStrictEqual([s.name, s.pair, s.assignedFrom], ["u-latency", "u-b", "u"]);
        const sample = toSamples(results).find((x) => x.metric === "latency_p50")!;
        assert.deepStrictEqual([sample.metadata["pair"], sample.metadata["assignedFrom"], sample.sampleId], ["u-b", "u", "r1/u-latency/latency_p50/0"]);
    });
});

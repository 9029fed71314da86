// The contract between the pair facade (components/) and the benchmarks: a pair's endpoint is a
// BenchmarkEndpoint. Checked by the type checker (`make typecheck`); the test only names it.
import * as assert from "assert";
import type { PairEndpoint } from "../../../components/testReadyPair";
import { BenchmarkEndpoint, endpointProblems } from "../../../benchmarks/endpoint";

// Fails to compile when the two shapes drift apart.
const asBenchmarkEndpoint = (e: PairEndpoint): BenchmarkEndpoint => e;

describe("endpoint contract", () => {
    it("a TestReadyPair endpoint is a BenchmarkEndpoint (type-checked)", () => {
        assert.strictEqual(typeof asBenchmarkEndpoint, "function");
    });

    it("rejects machine names that are not [a-z0-9][a-z0-9-]*", () => {
        assert.deepStrictEqual(endpointProblems("server", { machine: "vm-1", ssh: { host: "h" } }), []);
        assert.deepStrictEqual(endpointProblems("client", { machine: "Vm 1", ssh: { host: "h" } }), ["`client.machine` must match [a-z0-9][a-z0-9-]* (got 'Vm 1')"]);
        assert.deepStrictEqual(endpointProblems("client", undefined), ["`client` is required"]);
    });
});

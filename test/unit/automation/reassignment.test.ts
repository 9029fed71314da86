// Azure reassignment: pair health read from an exported deployment, and failed pairs' jobs
// moved round-robin to healthy pairs of the same OS, with simulated pair failures.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import {
    computeAssignments, formatReassignment, osKey, PairHealth, PairSpec, readPairHealth, ReassignmentError,
} from "../../../automation/reassignment";
import { PROJECT_DIR } from "../../support/stackFiles";

const fixture = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test/fixtures/deployments/azure-pairs-phase.json"), "utf8"));
const healthy = (pair: string): PairHealth => ({ pair, healthy: true });
const failed = (pair: string, reason = "readiness check did not complete"): PairHealth => ({ pair, healthy: false, reason });

describe("Azure pair health from the exported state", () => {
    it("tells healthy pairs from pairs never created, checks never completed and checks that failed", () => {
        const health = readPairHealth(fixture, ["ubuntu-2404", "ubuntu-2404-b", "windows-2022", "windows-2022-b", "windows-prerelease"]);
        assert.deepStrictEqual(health, [
            { pair: "ubuntu-2404", healthy: true },
            { pair: "ubuntu-2404-b", healthy: false, reason: "readiness check pairbench-ubuntu-2404-b-peer did not complete (SSH or the peer did not answer)" },
            { pair: "windows-2022", healthy: true },
            { pair: "windows-2022-b", healthy: false, reason: "not created (no TestReadyPair pairbench-windows-2022-b in the state)" },
            {
                pair: "windows-prerelease",
                healthy: false,
                reason: "readiness check pairbench-windows-prerelease-peer failed: pairbench: timeout after 120s (9 attempts): VM windows-prerelease-client, step peer on the test network",
            },
        ]);
    });

    it("a readiness check left pending by an interrupted update is not healthy", () => {
        const copy = structuredClone(fixture);
        const check = copy.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::pairbench-ubuntu-2404-peer"));
        copy.deployment.pending_operations = [{ resource: check, type: "creating" }];
        assert.deepStrictEqual(readPairHealth(copy, ["ubuntu-2404"]), [{ pair: "ubuntu-2404", healthy: false, reason: "readiness check pairbench-ubuntu-2404-peer was interrupted" }]);
    });

    it("a check of the same name under another parent does not count", () => {
        const copy = structuredClone(fixture);
        const check = copy.deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::pairbench-ubuntu-2404-peer"));
        check.parent = "urn:pulumi:azure::pairbench::pulumi:pulumi:Stack::pairbench-azure";
        assert.strictEqual(readPairHealth(copy, ["ubuntu-2404"])[0]!.healthy, false);
    });

    it("an empty state means every pair failed; something that is not an export is an error", () => {
        assert.deepStrictEqual(readPairHealth({ version: 3, deployment: {} }, ["a"]).map((h) => h.healthy), [false]);
        assert.throws(() => readPairHealth({ version: 3 }, ["a"]), /no 'deployment' object/);
        assert.throws(() => readPairHealth({ deployment: { resources: "x" } }, ["a"]), /deployment\.resources is not a list/);
    });
});

describe("reassignment of failed pairs", () => {
    const pairs: PairSpec[] = [
        { name: "u1", os: "ubuntu-24.04" },
        { name: "u2", os: "ubuntu-24.04" },
        { name: "u3", os: "ubuntu-24.04" },
        { name: "u4", os: "ubuntu-24.04" },
        { name: "u5", os: "ubuntu-24.04" },
        { name: "w1", os: "windows-2022" },
        { name: "w2", os: "windows-2022" },
    ];

    it("no failure, no assignment", () => {
        const r = computeAssignments(pairs, pairs.map((p) => healthy(p.name)));
        assert.deepStrictEqual(r, { assignments: {}, failed: [] });
        assert.deepStrictEqual(formatReassignment(r), ["all pairs are test-ready"]);
    });

    it("moves failed pairs round-robin over the healthy pairs of their OS, in config order", () => {
        const health = [healthy("u1"), failed("u2"), healthy("u3"), failed("u4"), failed("u5"), failed("w1", "not created"), healthy("w2")];
        const r = computeAssignments(pairs, health);
        assert.deepStrictEqual(r.assignments, { u2: "u1", u4: "u3", u5: "u1", w1: "w2" });
        assert.deepStrictEqual(r.failed.map((f) => [f.pair, f.os]), [["u2", "ubuntu-24.04"], ["u4", "ubuntu-24.04"], ["u5", "ubuntu-24.04"], ["w1", "windows-2022"]]);
        assert.strictEqual(formatReassignment(r)[3], "pair w1 (windows-2022) failed: not created; its scenarios run on w2");
    });

    it("fails naming the OS when an OS has no healthy pair, whatever the other OSes do", () => {
        const health = pairs.map((p) => (p.os === "windows-2022" ? failed(p.name, "SSH refused") : healthy(p.name)));
        assert.throws(
            () => computeAssignments(pairs, health),
            (e: unknown) =>
                e instanceof ReassignmentError &&
                e.osWithoutHealthyPair.join() === "windows-2022" &&
                e.message === "no healthy pair for OS windows-2022; nothing can run its benchmarks:\n  - w1 (windows-2022): SSH refused\n  - w2 (windows-2022): SSH refused",
        );
    });

    it("a pair missing from the health records counts as failed", () => {
        assert.deepStrictEqual(computeAssignments(pairs.slice(0, 2), [healthy("u1")]).assignments, { u2: "u1" });
    });

    it("gallery pairs stand in only for pairs of the same image", () => {
        const gallery: PairSpec[] = [
            { name: "g1", os: "gallery", imageId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/images/a" },
            { name: "g2", os: "gallery", imageId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/images/b" },
            { name: "g3", os: "gallery", imageId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/galleries/g/images/a" },
        ];
        assert.notStrictEqual(osKey(gallery[0]!), osKey(gallery[1]!));
        assert.deepStrictEqual(computeAssignments(gallery, [healthy("g1"), healthy("g2"), failed("g3")]).assignments, { g3: "g1" });
        assert.throws(() => computeAssignments(gallery, [healthy("g1"), failed("g2"), healthy("g3")]), /no healthy pair for OS gallery .*images\/b/);
    });

    it("property: every failed pair goes to a healthy pair of its OS, and the load is spread evenly", () => {
        const arb = fc.array(fc.record({ os: fc.constantFrom("ubuntu-24.04", "windows-2022", "windows-2025"), ok: fc.boolean() }), { minLength: 1, maxLength: 20 });
        fc.assert(
            fc.property(arb, (rows) => {
                const specs = rows.map((r, i) => ({ name: `p${i}`, os: r.os }));
                const health = rows.map((r, i) => (r.ok ? healthy(`p${i}`) : failed(`p${i}`)));
                const orphan = [...new Set(rows.map((r) => r.os))].some((os) => !rows.some((r) => r.os === os && r.ok));
                if (orphan) {
                    assert.throws(() => computeAssignments(specs, health), ReassignmentError);
                    return;
                }
                const { assignments } = computeAssignments(specs, health);
                const load = new Map<string, number>();
                rows.forEach((r, i) => {
                    if (r.ok) {
                        assert.ok(!(`p${i}` in assignments));
                        return;
                    }
                    const to = assignments[`p${i}`]!;
                    const target = rows[Number(to.slice(1))]!;
                    assert.ok(target.ok && target.os === r.os, `p${i} → ${to}`);
                    load.set(to, (load.get(to) ?? 0) + 1);
                });
                for (const os of new Set(rows.map((r) => r.os))) {
                    const counts = rows.map((r, i) => ({ r, name: `p${i}` })).filter(({ r }) => r.ok && r.os === os).map(({ name }) => load.get(name) ?? 0);
                    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `uneven load for ${os}: ${counts}`);
                }
            }),
        );
    });
});

// End to end on the dev stack, no mocks: the emulated lab, the real Pulumi engine, libvirt,
// ignition, SSH through the hypervisors, iperf3 and sockperf. up → every scenario measured
// with a verdict → a second up changes nothing → destroy → lab down → nothing left.
// Shortened rounds keep it to a few minutes under TCG. PAIRBENCH_SKIP_E2E=1 skips it.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import type { Stack } from "@pulumi/pulumi/automation";
import { openStack } from "../../automation/workspace";
import { Results } from "../../benchmarks/results";
import { labDown, labUp, leftovers, projectLab } from "../../lab/lab";
import { PROJECT_DIR, stackValues } from "../support/stackFiles";

const log = (line: string) => process.stderr.write(`      ${line}\n`);

describe("e2e: pulumi up --stack dev on the emulated lab", function () {
    this.timeout(1_200_000);
    let stack: Stack | undefined;
    let labStarted = false;

    before(async function () {
        if (process.env.PAIRBENCH_SKIP_E2E === "1") this.skip();
        await labUp(PROJECT_DIR, log);
        labStarted = true;
        const benchmark = { ...stackValues("dev")["benchmark"], rounds: 2, seconds: 3, omit: 1 };
        ({ stack } = await openStack(PROJECT_DIR, "dev", { runId: `e2e-${Date.now()}`, benchmark }));
    });

    after(async function () {
        try {
            if (stack) await stack.destroy({ onOutput: () => undefined });
        } finally {
            if (labStarted) await labDown(PROJECT_DIR, log);
        }
    });

    it("up measures every scenario and gives each a verdict", async () => {
        const up = await stack!.up({ onOutput: () => undefined });
        assert.strictEqual(up.summary.result, "succeeded");
        const results = up.outputs["results"]?.value as Results;
        assert.deepStrictEqual(
            results.scenarios.map((s) => s.name),
            ["same-host-ipv4", "same-host-ipv6", "cross-host-ipv4", "cross-host-ipv6", "latency"],
        );
        for (const s of results.scenarios) {
            if (s.kind === "throughput") {
                assert.strictEqual(s.rounds.length, 2, s.name);
                for (const r of s.rounds) assert.ok(r.gbps > 0, `${s.name}: round ${r.round} measured ${r.gbps}`);
                assert.ok(["pass", "fail", "inconclusive"].includes(s.verdict), `${s.name}: ${s.verdict}`);
            } else {
                assert.ok(s.stats.p50Us.mean > 0 && s.stats.p99Us.mean >= s.stats.p50Us.mean, s.name);
                assert.strictEqual(s.verdict, "none");
            }
        }
        assert.ok(["pass", "fail", "inconclusive"].includes(results.verdict));
    });

    it("a second up changes nothing", async () => {
        const up = await stack!.up({ onOutput: () => undefined });
        assert.deepStrictEqual(Object.keys(up.summary.resourceChanges ?? {}), ["same"], JSON.stringify(up.summary.resourceChanges));
    });

    it("destroy and lab down leave no domain, namespace or process", async () => {
        const res = await stack!.destroy({ onOutput: () => undefined });
        assert.strictEqual(res.summary.result, "succeeded");
        stack = undefined;
        await labDown(PROJECT_DIR, log);
        labStarted = false;
        assert.deepStrictEqual(await leftovers(projectLab(PROJECT_DIR)), []);
        const netns = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
        assert.doesNotMatch(netns, /pb-hv/);
        // pgrep run directly (not through sh, whose own command line would match) exits 1 for none.
        const qemu = spawnSync("pgrep", ["-af", "qemu-system-x86_64.*guest=vm[0-9]"], { encoding: "utf8" });
        assert.strictEqual(qemu.status, 1, `qemu processes left: ${qemu.stdout}`);
    });
});

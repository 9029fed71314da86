// The reaper: expiry from the pairbench:expiresAt tag or the last update + --older-than; dry run
// unless --yes.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { reap, ReapBackend } from "../../../automation/commands/stacks";
import { CliError } from "../../../automation/errors";
import { decideReap, earliestExpiryTag, parseDuration } from "../../../automation/reaper";
import { PROJECT_DIR } from "../../support/stackFiles";

const azureState = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "test/fixtures/deployments/azure-pairs-phase.json"), "utf8"));
const libvirtState = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:dev::pairbench::pulumi:pulumi:Stack::pairbench-dev", type: "pulumi:pulumi:Stack" }, { urn: "urn:pulumi:dev::pairbench::command:remote:Command::vm1", type: "command:remote:Command" }] } };
const H = 3_600_000;

describe("reaper: which stacks expired", () => {
    it("parses 90m, 6h, 2d and rejects anything else", () => {
        assert.deepStrictEqual(["90m", "6h", "2d"].map(parseDuration), [90 * 60_000, 6 * H, 48 * H]);
        assert.throws(() => parseDuration("6 hours"), /'6 hours' is not a duration; use minutes, hours or days such as 90m, 6h or 2d/);
    });

    it("a pairbench:expiresAt tag wins over the last update", () => {
        assert.strictEqual(earliestExpiryTag(azureState)?.toISOString(), "2026-11-22T16:00:00.000Z");
        const stack = { name: "azure", lastUpdate: "2026-11-22T10:00:00.000Z", resourceCount: 12 };
        const before = decideReap(stack, azureState, 1 * H, new Date("2026-11-22T15:59:00Z"));
        assert.deepStrictEqual(before, { stack: "azure", resources: 12, destroy: false, expiresAt: "2026-11-22T16:00:00.000Z", reason: "expires 2026-11-22T16:00:00.000Z (pairbench:expiresAt tag)" });
        assert.strictEqual(decideReap(stack, azureState, 100 * H, new Date("2026-11-22T16:00:00Z")).destroy, true);
    });

    it("without a tag: last update + --older-than", () => {
        const stack = { name: "dev", lastUpdate: "2026-11-22T10:00:00.000Z", resourceCount: 2 };
        assert.strictEqual(decideReap(stack, libvirtState, 6 * H, new Date("2026-11-22T15:59:59Z")).destroy, false);
        const d = decideReap(stack, libvirtState, 6 * H, new Date("2026-11-22T16:00:00Z"));
        assert.deepStrictEqual([d.destroy, d.reason], [true, "expired 2026-11-22T16:00:00.000Z (last update + --older-than)"]);
    });

    it("never touches empty stacks, stacks being updated, or stacks with no time to go by", () => {
        const now = new Date("2030-01-01T00:00:00Z");
        assert.strictEqual(decideReap({ name: "a", lastUpdate: "2020-01-01T00:00:00Z", resourceCount: 0 }, undefined, H, now).reason, "empty (nothing to destroy)");
        assert.strictEqual(decideReap({ name: "b", lastUpdate: "2020-01-01T00:00:00Z", resourceCount: 3, updateInProgress: true }, libvirtState, H, now).destroy, false);
        assert.strictEqual(decideReap({ name: "c", resourceCount: 3 }, libvirtState, H, now).reason, "no expiry tag and no last update time: left alone");
    });
});

describe("pairbench reap", () => {
    function backend(failOn?: string) {
        const destroyed: string[] = [];
        const b: ReapBackend = {
            listStacks: async () => [
                { name: "old", lastUpdate: "2026-11-21T00:00:00.000Z", resourceCount: 2 },
                { name: "fresh", lastUpdate: "2026-11-22T12:00:00.000Z", resourceCount: 2 },
                { name: "azure", lastUpdate: "2026-11-22T09:55:00.000Z", resourceCount: 12 },
                { name: "empty", lastUpdate: "2026-11-01T00:00:00.000Z", resourceCount: 0 },
            ],
            exportStack: async (name) => (name === "azure" ? azureState : libvirtState),
            destroy: async (name) => {
                if (name === failOn) throw new Error("destroy failed: host unreachable");
                destroyed.push(name);
            },
        };
        return { b, destroyed };
    }
    const now = new Date("2026-11-22T16:30:00.000Z");

    it("lists every stack with its decision and destroys nothing without --yes", async () => {
        const { b, destroyed } = backend();
        const out: string[] = [];
        const decisions = await reap(b, {}, now, (l) => out.push(l));
        assert.deepStrictEqual(decisions.map((d) => [d.stack, d.destroy]), [["old", true], ["fresh", false], ["azure", true], ["empty", false]]);
        assert.deepStrictEqual(destroyed, []);
        assert.match(out[0]!, /^stack +resources +action +why\nold +2 +would destroy +expired 2026-11-21T06:00:00\.000Z/);
        assert.strictEqual(out[1], "dry run: pass --yes to destroy 2 stack(s)");
    });

    it("--yes destroys the expired ones; --older-than changes the age; failures are exit 2", async () => {
        const { b, destroyed } = backend();
        await reap(b, { yes: true, olderThan: "30m" }, now, () => undefined);
        assert.deepStrictEqual(destroyed, ["old", "fresh", "azure"]);
        const broken = backend("old");
        await assert.rejects(reap(broken.b, { yes: true }, now, () => undefined), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /old: destroy failed: host unreachable/.test(e.message));
        assert.deepStrictEqual(broken.destroyed, ["azure"]);
        await assert.rejects(reap(b, { olderThan: "soon" }, now, () => undefined), /--older-than: 'soon' is not a duration/);
    });
});

// The mocks harness itself: a component with a command child registers as expected.
import * as assert from "assert";
import { MockHarness, resolve, useMocks } from "../support/mocks";
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

class Echo extends pulumi.ComponentResource {
    readonly stdout: pulumi.Output<string>;
    constructor(name: string, args: { text: pulumi.Input<string> }, opts?: pulumi.ComponentResourceOptions) {
        super("pairbench:test:Echo", name, {}, opts);
        const cmd = new command.local.Command(`${name}-echo`, { create: pulumi.interpolate`echo ${args.text}` }, { parent: this });
        this.stdout = cmd.stdout;
        this.registerOutputs({ stdout: this.stdout });
    }
}

describe("mocks harness", () => {
    let mocks: MockHarness;
    before(async () => (mocks = await useMocks()));
    after(() => mocks.restore());
    beforeEach(() => mocks.reset());

    it("records a component and its children with their exact inputs", async () => {
        mocks.outputsFor("command:local:Command", (inputs) => ({ stdout: String(inputs["create"]).replace(/^echo /, "") }));
        const echo = new Echo("greeting", { text: "hello" });
        await mocks.settle(echo);
        assert.deepStrictEqual(
            mocks.records.map((r) => [r.type, r.name]),
            [
                ["pairbench:test:Echo", "greeting"],
                ["command:local:Command", "greeting-echo"],
            ],
        );
        assert.strictEqual(mocks.find("command:local:Command", "greeting-echo").inputs["create"], "echo hello");
        assert.strictEqual(await resolve(echo.stdout), "hello");
    });

    it("fails a lookup with the list of what was registered", async () => {
        await mocks.settle(new Echo("other", { text: "x" }));
        assert.throws(() => mocks.find("command:local:Command", "missing"), /found 0; registered:\n {2}pairbench:test:Echo other/);
    });
});

// Pulumi mocks for the benchmark component tests that also record what the shared harness
// (test/support/mocks.ts) does not: each registration's dependency URNs and its
// deleteBeforeReplace flag. It is installed in a `before` hook and the previous mock monitor is
// restored in `after`, so other test files' mocks keep working when mocha runs them together.
import * as pulumi from "@pulumi/pulumi";

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly urn: string;
    /** Names (last URN segment) of the resources this one depends on. */
    readonly dependsOn: string[];
    readonly deleteBeforeReplace: boolean;
    /** What the mock returned as the resource's outputs. */
    readonly outputs: Record<string, any>;
}

export type OutputsFn = (type: string, name: string, inputs: Record<string, any>) => Record<string, any>;

export interface MockRuntime {
    readonly records: Recorded[];
    /** Replaces how outputs are computed from inputs (default: the inputs). */
    outputs(fn: OutputsFn): void;
    reset(): void;
    find(type: string, name: string): Recorded;
    ofType(type: string): Recorded[];
    /** Waits until the resources have URNs and no registration arrived for a while. */
    settle(...resources: pulumi.Resource[]): Promise<void>;
    restore(): void;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

export async function useMockRuntime(opts: { preview?: boolean } = {}): Promise<MockRuntime> {
    const previous = pulumi.runtime.getMonitor();
    const previousDryRun = pulumi.runtime.isDryRun();
    const records: Recorded[] = [];
    const pending = new Map<string, { dependsOn: string[]; deleteBeforeReplace: boolean }>();
    let outputsFn: OutputsFn = () => ({});

    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const extra = pending.get(`${args.type}::${args.name}`) ?? { dependsOn: [], deleteBeforeReplace: false };
                const outputs = outputsFn(args.type, args.name, args.inputs);
                records.push({ type: args.type, name: args.name, inputs: args.inputs, urn: "", ...extra, outputs });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs } };
            },
            call(args) {
                throw new Error(`Mock call not implemented: ${args.token}`);
            },
        },
        "pairbench",
        "test",
        opts.preview ?? false,
    );
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        pending.set(`${req.getType()}::${req.getName()}`, {
            dependsOn: (req.getDependenciesList() as string[]).map(nameOf),
            deleteBeforeReplace: req.getDeletebeforereplace() === true,
        });
        return register(req, (err: unknown, resp: any) => {
            const rec = records.find((r) => r.type === req.getType() && r.name === req.getName());
            if (rec && resp) (rec as { urn: string }).urn = resp.getUrn();
            callback(err, resp);
        });
    };

    const find = (type: string, name: string) => {
        const hits = records.filter((r) => r.type === type && r.name === name);
        if (hits.length !== 1) {
            throw new Error(`expected one ${type} named ${name}, found ${hits.length}; registered:\n  ${records.map((r) => `${r.type} ${r.name}`).join("\n  ")}`);
        }
        return hits[0]!;
    };
    return {
        records,
        outputs: (fn) => void (outputsFn = fn),
        reset: () => {
            records.splice(0);
            pending.clear();
            outputsFn = () => ({});
        },
        find,
        ofType: (type) => records.filter((r) => r.type === type),
        async settle(...resources) {
            await Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
            let last = -1;
            let quiet = 0;
            while (quiet < 5) {
                await new Promise((resolve) => setTimeout(resolve, 10));
                quiet = records.length === last ? quiet + 1 : 0;
                last = records.length;
            }
        },
        restore() {
            if (previous !== undefined) pulumi.runtime.setMockOptions(previous, "pairbench", "test", previousDryRun);
        },
    };
}

/** The value of an Output (rejects when the Output fails). */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as any).promise() as Promise<T>;
}

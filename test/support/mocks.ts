// The Pulumi mocks harness for every component test. It records, per registration, what the
// engine would get: inputs, parent, dependencies (explicit dependsOn and those implied by
// Output inputs), deleteBeforeReplace, the serialized inputs (to see which values travel as
// secrets) and the outputs the mock returned.
//
//   let m: MockHarness;
//   before(async () => (m = await useMocks({ outputs: (type, name, inputs) => ({ stdout: "..." }) })));
//   after(() => m.restore());          // other test files' mocks keep working
//   beforeEach(() => m.reset());
//   const c = new MyComponent("x", args);
//   await m.settle(c);
//   m.find("command:remote:Command", "x-define").inputs
import * as pulumi from "@pulumi/pulumi";

export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    /** The URN the engine gave it (with its parents' types). */
    readonly urn: string;
    /** Name (last URN segment) of the parent, "" for none. */
    readonly parent: string;
    /** Names of the resources this one depends on. */
    readonly dependsOn: string[];
    readonly deleteBeforeReplace: boolean;
    /** Inputs as serialized for the engine: secrets are wrapped in Pulumi's secret signature. */
    readonly wire: unknown;
    /** What the mock returned as the resource's outputs (beyond its inputs). */
    readonly outputs: Record<string, any>;
}

/** Outputs of a resource, computed from its inputs (default: none beyond the inputs). */
export type OutputsFn = (type: string, name: string, inputs: Record<string, any>) => Record<string, any>;

export interface MockHarness {
    readonly records: Registration[];
    /** Replaces how outputs are computed for every type. */
    outputs(fn: OutputsFn): void;
    /** Outputs for one resource type, on top of `outputs`. */
    outputsFor(type: string, fn: (inputs: Record<string, any>, name: string) => Record<string, any>): void;
    /** Results for an invoke token; other invokes fail with "Mock call not implemented". */
    invokeResult(token: string, fn: (args: Record<string, any>) => Record<string, any>): void;
    /** The one registration of this type and name; fails listing what exists otherwise. */
    find(type: string, name: string): Registration;
    ofType(type: string): Registration[];
    /**
     * Waits until the resources have URNs and no further registration arrives: a component's
     * URN resolves before its children register, so awaiting it alone is not enough.
     */
    settle(...resources: pulumi.Resource[]): Promise<void>;
    /** Forgets the records and per-test outputs. */
    reset(): void;
    /** Puts back the mocks that were installed before (in `after`). */
    restore(): void;
}

export interface MockOptions {
    readonly preview?: boolean;
    readonly outputs?: OutputsFn;
    readonly project?: string;
    readonly stack?: string;
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

type Extra = Pick<Registration, "parent" | "dependsOn" | "deleteBeforeReplace" | "wire">;

function install(opts: MockOptions): { harness: MockHarness; ready: Promise<void> } {
    const project = opts.project ?? "pairbench";
    const stack = opts.stack ?? "test";
    const previous = pulumi.runtime.getMonitor();
    const previousDryRun = pulumi.runtime.isDryRun();
    const records: Registration[] = [];
    const pending = new Map<string, Extra>();
    const byType = new Map<string, (inputs: Record<string, any>, name: string) => Record<string, any>>();
    const invokes = new Map<string, (args: Record<string, any>) => Record<string, any>>();
    let outputsFn: OutputsFn = opts.outputs ?? (() => ({}));

    const ready = pulumi.runtime.setMocks(
        {
            newResource(args) {
                const extra = pending.get(`${args.type}::${args.name}`);
                const perType = byType.get(args.type);
                const outputs = { ...outputsFn(args.type, args.name, args.inputs), ...(perType ? perType(args.inputs, args.name) : {}) };
                records.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    urn: `urn:pulumi:${stack}::${project}::${args.type}::${args.name}`,
                    parent: extra?.parent ?? "",
                    dependsOn: extra?.dependsOn ?? [],
                    deleteBeforeReplace: extra?.deleteBeforeReplace ?? false,
                    wire: extra?.wire,
                    outputs,
                });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs } };
            },
            call(args) {
                const fn = invokes.get(args.token);
                if (!fn) throw new Error(`Mock call not implemented: ${args.token}`);
                return fn(args.inputs);
            },
        },
        project,
        stack,
        opts.preview ?? false,
    );
    // The mock monitor does not pass parents, dependencies or options to newResource: record
    // them from the registration request itself.
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        pending.set(`${req.getType()}::${req.getName()}`, {
            parent: req.getParent() ? nameOf(req.getParent()) : "",
            dependsOn: (req.getDependenciesList() as string[]).map(nameOf),
            deleteBeforeReplace: req.getDeletebeforereplace() === true,
            wire: req.getObject()?.toJavaScript(),
        });
        // The engine's URN (with parent types) replaces the provisional one once known.
        return register(req, (err: unknown, resp: any) => {
            const rec = records.find((r) => r.type === req.getType() && r.name === req.getName());
            if (rec && resp) (rec as { urn: string }).urn = resp.getUrn();
            callback(err, resp);
        });
    };

    const harness: MockHarness = {
        records,
        outputs: (fn) => void (outputsFn = fn),
        outputsFor: (type, fn) => void byType.set(type, fn),
        invokeResult: (token, fn) => void invokes.set(token, fn),
        find(type, name) {
            const hits = records.filter((r) => r.type === type && r.name === name);
            if (hits.length !== 1) {
                const known = records.map((r) => `${r.type} ${r.name}`).join("\n  ");
                throw new Error(`expected one ${type} named ${name}, found ${hits.length}; registered:\n  ${known}`);
            }
            return hits[0]!;
        },
        ofType: (type) => records.filter((r) => r.type === type),
        async settle(...resources) {
            await Promise.all(resources.map((r) => new Promise((done) => r.urn.apply(done))));
            let last = -1;
            let quiet = 0;
            while (quiet < 5) {
                await new Promise((done) => setTimeout(done, 10));
                quiet = records.length === last ? quiet + 1 : 0;
                last = records.length;
            }
        },
        reset() {
            records.splice(0);
            pending.clear();
            byType.clear();
        },
        restore() {
            if (previous !== undefined) pulumi.runtime.setMockOptions(previous, project, stack, previousDryRun);
        },
    };
    return { harness, ready: Promise.resolve(ready) };
}

/** Installs the mocks; call in `before`, and `restore()` in `after`. */
export async function useMocks(opts: MockOptions = {}): Promise<MockHarness> {
    const { harness, ready } = install(opts);
    await ready;
    return harness;
}

/** The value of an Output (rejects when the Output fails). */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as any).promise() as Promise<T>;
}

/** Every string in serialized inputs that is not inside a secret. */
export function plainStrings(wire: unknown): string[] {
    if (typeof wire === "string") return [wire];
    if (Array.isArray(wire)) return wire.flatMap(plainStrings);
    if (wire !== null && typeof wire === "object") {
        const obj = wire as Record<string, unknown>;
        if (Object.values(obj).includes(SECRET_SIG)) return [];
        return Object.values(obj).flatMap(plainStrings);
    }
    return [];
}

/** True when the serialized value is a secret. */
export function isWireSecret(wire: unknown): boolean {
    return wire !== null && typeof wire === "object" && Object.values(wire as object).includes(SECRET_SIG);
}

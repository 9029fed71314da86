// Pulumi mocks harness for component tests: records every resource registration so a test can
// assert exact child inputs, and `settle` waits for registrations to finish (they are async).
//
// Usage (see test/unit/mocks.test.ts):
//   const mocks = installMocks();            // once, before importing modules under test
//   beforeEach(() => mocks.reset());
//   const c = new MyComponent("x", args);
//   await settle(c);
//   mocks.find("command:remote:Command", "x-define").inputs
import * as pulumi from "@pulumi/pulumi";

export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly urn: string;
}

export interface MockHarness {
    readonly registrations: Registration[];
    /** Outputs to return for a resource type, computed from its inputs (default: the inputs). */
    outputsFor(type: string, fn: (inputs: Record<string, any>, name: string) => Record<string, any>): void;
    /** Results for an invoke token. */
    invokeResult(token: string, fn: (args: Record<string, any>) => Record<string, any>): void;
    reset(): void;
    /** The one registration of this type and name; fails listing what exists otherwise. */
    find(type: string, name: string): Registration;
    ofType(type: string): Registration[];
}

export function installMocks(opts: { project?: string; stack?: string; preview?: boolean } = {}): MockHarness {
    const registrations: Registration[] = [];
    const outputs = new Map<string, (inputs: Record<string, any>, name: string) => Record<string, any>>();
    const invokes = new Map<string, (args: Record<string, any>) => Record<string, any>>();

    pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const urn = `urn:pulumi:${opts.stack ?? "test"}::${opts.project ?? "pairbench"}::${args.type}::${args.name}`;
                registrations.push({ type: args.type, name: args.name, inputs: args.inputs, urn });
                const fn = outputs.get(args.type);
                return { id: `${args.name}-id`, state: fn ? { ...args.inputs, ...fn(args.inputs, args.name) } : args.inputs };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                const fn = invokes.get(args.token);
                if (!fn) throw new Error(`Mock call not implemented: ${args.token}`);
                return fn(args.inputs);
            },
        },
        opts.project ?? "pairbench",
        opts.stack ?? "test",
        opts.preview ?? false,
    );

    registrationCount = () => registrations.length;
    return {
        registrations,
        outputsFor: (type, fn) => void outputs.set(type, fn),
        invokeResult: (token, fn) => void invokes.set(token, fn),
        reset: () => void registrations.splice(0),
        find(type, name) {
            const hits = registrations.filter((r) => r.type === type && r.name === name);
            if (hits.length !== 1) {
                const known = registrations.map((r) => `${r.type} ${r.name}`).join("\n  ");
                throw new Error(`expected one ${type} named ${name}, found ${hits.length}; registered:\n  ${known}`);
            }
            return hits[0]!;
        },
        ofType: (type) => registrations.filter((r) => r.type === type),
    };
}

/** The value of an Output, for assertions. */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/**
 * Waits until the given resources have URNs and no further registration arrives: a component's
 * URN resolves before its children register, so awaiting it alone is not enough.
 */
export async function settle(...resources: pulumi.Resource[]): Promise<void> {
    await Promise.all(resources.map((r) => valueOf(r.urn)));
    let last = -1;
    let quiet = 0;
    while (quiet < 3) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const count = registrationCount();
        quiet = count === last ? quiet + 1 : 0;
        last = count;
    }
}

let registrationCount: () => number = () => 0;

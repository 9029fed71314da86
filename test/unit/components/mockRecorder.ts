// Pulumi mocks for the component tests that record, per registration, what the engine would
// get: inputs, parent, every dependency (explicit dependsOn and those implied by Output inputs),
// deleteBeforeReplace, and the raw serialized inputs (to see which values travel as secrets).
// Installed in `before` and the previous monitor restored in `after`, so other test files'
// mocks keep working when mocha runs them together.
import * as pulumi from "@pulumi/pulumi";

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, any>;
    readonly parent: string;
    readonly dependsOn: string[];
    readonly deleteBeforeReplace: boolean;
    /** Inputs as serialized for the engine: secrets are wrapped in Pulumi's secret signature. */
    readonly wire: unknown;
}

export type OutputsFn = (type: string, name: string, inputs: Record<string, any>) => Record<string, any>;

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface Recorder {
    readonly records: Recorded[];
    find(type: string, name: string): Recorded;
    ofType(type: string): Recorded[];
    settle(...resources: pulumi.Resource[]): Promise<void>;
    reset(): void;
    restore(): void;
}

export async function recordRegistrations(outputs: OutputsFn, opts: { preview?: boolean } = {}): Promise<Recorder> {
    const previous = pulumi.runtime.getMonitor();
    const previousDryRun = pulumi.runtime.isDryRun();
    const records: Recorded[] = [];
    const pending = new Map<string, Omit<Recorded, "type" | "name" | "inputs">>();
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const extra = pending.get(`${args.type}::${args.name}`)!;
                records.push({ type: args.type, name: args.name, inputs: args.inputs, ...extra });
                return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs(args.type, args.name, args.inputs) } };
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
            parent: req.getParent() ? nameOf(req.getParent()) : "",
            dependsOn: (req.getDependenciesList() as string[]).map(nameOf),
            deleteBeforeReplace: req.getDeletebeforereplace() === true,
            wire: req.getObject()?.toJavaScript(),
        });
        return register(req, callback);
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
        reset: () => void records.splice(0),
        restore() {
            if (previous !== undefined) pulumi.runtime.setMockOptions(previous, "pairbench", "test", previousDryRun);
        },
    };
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

/** The value of an Output (rejects when the Output fails). */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as any).promise() as Promise<T>;
}

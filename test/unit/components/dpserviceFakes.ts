// A fake dpservice for the mocks tests: what the dpservice steps would print, computed from the
// command the step was given, in the shapes of test/fixtures/dpservice-cli/ (see its README).
// dpservice assigns underlay addresses; the fake derives them from the object's key, compressed
// like dpservice prints them.
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "shell-quote";

const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures", "dpservice-cli");

/** A fixture file's text. */
export function fixture(file: string): string {
    return fs.readFileSync(path.join(FIXTURES, file), "utf8");
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const plain = (v: any): any => (v && typeof v === "object" && Object.values(v).includes(SECRET_SIG) ? v.value : v);

/** The underlay dpservice would give an object with this key (always with a `::`). */
export function fakeUnderlay(key: string): string {
    const h = createHash("sha256").update(key).digest();
    return `fc00:${(h[0]! % 4) + 1}::${h.readUInt16BE(1).toString(16)}:0:1`;
}

/** `--flag=value` arguments of the dpservice-cli command in a generated script. */
function cliArgs(script: string): { verb: string; kind: string; flags: Record<string, string> } | undefined {
    // The hypervisor script is the last argument of `sudo … bash … -c SCRIPT` (or `bash … -c SCRIPT`).
    const outer = parse(script).filter((t): t is string => typeof t === "string");
    const inner = outer[outer.length - 1] ?? "";
    for (const line of inner.split("\n")) {
        if (!line.includes("dpservice-cli -o json create")) continue;
        const words = parse(line.slice(line.indexOf("docker exec"))).filter((t): t is string => typeof t === "string");
        const at = words.indexOf("create");
        const flags: Record<string, string> = {};
        for (const w of words.slice(at + 2)) {
            const m = /^--([a-z0-9-]+)=(.*)$/.exec(w);
            if (m) flags[m[1]!] = m[2]!;
        }
        return { verb: "create", kind: words[at + 1]!, flags };
    }
    return undefined;
}

const ok = { code: 0, message: "" };
const line = (doc: unknown) => `${JSON.stringify(doc)}\n`;

/** What dpservice-cli prints for a create command, as dpservice would answer it. */
export function fakeCreate(kind: string, f: Record<string, string>): string {
    switch (kind) {
        case "interface":
            return line({
                kind: "Interface", metadata: { id: f["id"] },
                spec: { vni: Number(f["vni"]), device: f["device"], primary_ipv4: f["ipv4"], primary_ipv6: f["ipv6"] ?? "::", underlay_route: fakeUnderlay(`interface ${f["id"]}`), virtual_function: { name: "0000:8b:00.3" }, pxe: {}, metering: {} },
                status: ok,
            });
        case "nat":
            return line({ kind: "Nat", metadata: { interface_id: f["interface-id"] }, spec: { nat_ip: f["nat-ip"], min_port: Number(f["minport"]), max_port: Number(f["maxport"]), underlay_route: fakeUnderlay(`nat ${f["interface-id"]}`), vni: 0 }, status: ok });
        case "loadbalancer": {
            const ports = (f["lbports"] ?? "").split(",").map((p) => ({ protocol: p.startsWith("UDP") ? 17 : 6, port: Number(p.split("/")[1]) }));
            return line({ kind: "LoadBalancer", metadata: { id: f["id"] }, spec: { vni: Number(f["vni"]), loadbalanced_ip: f["vip"], loadbalanced_ports: ports, underlay_route: fakeUnderlay(`lb ${f["id"]}`) }, status: ok });
        }
        case "lbprefix":
            return line({ kind: "LoadBalancerPrefix", metadata: { interface_id: f["interface-id"] }, spec: { prefix: f["prefix"], underlay_route: fakeUnderlay(`lbprefix ${f["interface-id"]}`) }, status: ok });
        case "lbtarget":
            return line({ kind: "LoadBalancerTarget", metadata: { loadbalancer_id: f["lb-id"] }, spec: { target_ip: f["target-ip"] }, status: ok });
        case "route":
            return line({ kind: "Route", metadata: { vni: Number(f["vni"]) }, spec: { prefix: f["prefix"], next_hop: { vni: Number(f["next-hop-vni"]), address: f["next-hop-ip"] } }, status: ok });
        default:
            throw new Error(`the fake dpservice-cli does not know 'create ${kind}'`);
    }
}

/** The container step's output for a hypervisor: docker's facts and `init`. */
export function fakeInstance(hypervisor: string): string {
    const id = createHash("sha256").update(`container ${hypervisor}`).digest("hex");
    const uuid = createHash("md5").update(hypervisor).digest("hex").toUpperCase().replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
    return `${fixture("init.json").replace(/"uuid":"[^"]*"/, `"uuid":"${uuid}"`)}${line({ container: id, startedAt: "2025-06-05T09:14:07.123456789Z" })}`;
}

/**
 * stdout of a dpservice step by its resource name and inputs, or undefined for other resources.
 * Reboot steps get boot IDs that differ before and after.
 */
export function fakeDpserviceStdout(name: string, inputs: Record<string, any>): string | undefined {
    const container = /-([a-z0-9-]+)-container$/.exec(name);
    if (container) return fakeInstance(container[1]!);
    if (name.endsWith("-reboot")) return "1f0e0c6a-0000-4000-8000-000000000001\n";
    if (name.endsWith("-boot")) return "1f0e0c6a-0000-4000-8000-000000000002\n";
    if (name.endsWith("-image-build")) return line({ imageId: `sha256:${"ab".repeat(32)}`, sha256: "cd".repeat(32) });
    if (/-image-[a-z0-9-]+-load$/.test(name)) return `sha256:${"ab".repeat(32)}\n`;
    const create = plain(inputs["create"]);
    if (typeof create !== "string") return undefined;
    const cli = cliArgs(create);
    return cli ? fakeCreate(cli.kind, cli.flags) : undefined;
}

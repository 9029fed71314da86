// Converts dpservice's benchmark `test_configurations.json` into pairbench stack config values.
// Pure: JSON in, `pairbench:` values plus human-readable notes out. Upstream fields are checked
// with their upstream names, so an error points at the line to fix in the user's own file.
// Field meanings: shared reference "dpservice-benchmark-suite.md" §1; summary in docs/import-dpservice.md.
import { z } from "zod";
import { ConfigIssue } from "./crossChecks";
import { NAME_PATTERN, PCI_ADDR_PATTERN } from "./schema";
import { validateStackConfig, valueAt } from "./validate";

export interface ImportOptions {
    /** Raw/qcow2 Gardenlinux image for the VMs (provision.py's --disk-template). */
    readonly diskTemplate?: string;
    /** dpservice image for stage cicd; overrides `default_dpservice_image`. */
    readonly dockerImage?: string;
    /** dpservice checkout for stage dev, used when no image is known. */
    readonly buildPath?: string;
    readonly mode?: "offload" | "non-offload";
}

export const DEFAULT_DISK_TEMPLATE = "images/gardenlinux-kvm-amd64.raw";
export const DEFAULT_BUILD_PATH = "../dpservice";

export interface ImportResult {
    /** `pairbench:` config values, ready for renderStackFile. */
    readonly values: Record<string, unknown>;
    /** What the importer decided or ignored, one line each. */
    readonly notes: string[];
}

export class ImportError extends Error {
    constructor(readonly issues: readonly ConfigIssue[]) {
        super(
            `test_configurations.json: ${issues.length} error${issues.length === 1 ? "" : "s"}:\n` +
                issues.map((i) => `  - ${upstreamPath(i.path)}: ${i.message}`).join("\n"),
        );
        this.name = "ImportError";
    }
}

/** `["hypervisors", 0, "vms", 1, "if_config"]` → `hypervisors[0].vms[1].if_config`. */
export function upstreamPath(path: ReadonlyArray<string | number>): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "(top level)";
}

const ip4 = z.ipv4({ error: "must be an IPv4 address" });
const ip6 = z.ipv6({ error: "must be an IPv6 address" });
const upstreamPort = z.number({ error: "must be a port number" }).int().min(1).max(65535, { error: "must be 1..65535" });
const upstreamVni = z.number({ error: "must be a number" }).int().min(0).max(2 ** 24 - 1, { error: "must be 0..16777215" });
const gbps = z.number({ error: "must be a number of Gbit/s" }).min(0, { error: "must be ≥ 0 Gbit/s" });
const classes = z.looseObject({ local_vm2vm: gbps, remote_vm2vm: gbps, lb: gbps });

// Loose objects: unknown upstream fields are reported as ignored, not rejected.
const upstreamVm = z.looseObject({
    machine_name: z.string({ error: "must be the VM's name" }).min(1),
    if_config: z.looseObject({
        ipv4: ip4,
        ipv6: ip6,
        vni: upstreamVni,
        pci_addr: z
            .string({ error: "must be a VF such as 0000:8a:00.0_representor_vf2" })
            .toLowerCase()
            .regex(PCI_ADDR_PATTERN, { error: "must look like [dddd:]bb:ss.f_representor_vfN" }),
    }),
    nat: z
        .looseObject({
            ip: ip4,
            ports: z.tuple([upstreamPort, upstreamPort], { error: "must be [minport, maxport]" }),
        })
        .optional(),
});

const upstreamHypervisor = z.looseObject({
    machine_name: z.string({ error: "must be the hypervisor's name" }).min(1),
    host_address: z.string({ error: "must be the SSH address" }).min(1, { error: "is empty; fill in the SSH address" }),
    user_name: z
        .string({ error: "must be the SSH user" })
        .min(1, { error: "is empty (upstream's template leaves it blank); fill in the SSH user, who needs sudo" }),
    port: upstreamPort.default(22),
    role: z.string().optional(),
    vms: z.array(upstreamVm, { error: "must be a list of VMs" }),
});

export const upstreamConfig = z.looseObject({
    key_file: z.string({ error: "must be the SSH private key path" }).min(1),
    public_key_file: z.string({ error: "must be the SSH public key path" }).min(1),
    default_dpservice_image: z.string().min(1).optional(),
    concurrent_flow_count: z.number({ error: "must be a number of flows" }).int().min(1, { error: "must be ≥ 1" }),
    expected_throughput: z.looseObject({ sw: classes, hw: classes }),
    hypervisors: z.array(upstreamHypervisor, { error: "must be a list" }).min(1, { error: "must list at least one" }),
    lb: z
        .looseObject({
            name: z.string().min(1),
            ip: ip4,
            ports: z.string({ error: "must be a string such as TCP/5201,TCP/50007" }),
            vni: upstreamVni,
            lb_nodes: z.array(z.string()).min(1),
            lb_machines: z.array(z.string()).min(1),
        })
        .optional(),
});
type Upstream = z.output<typeof upstreamConfig>;

// The fields each upstream object may have: the keys its schema above declares.
const KNOWN = {
    top: Object.keys(upstreamConfig.shape),
    hypervisor: Object.keys(upstreamHypervisor.shape),
    vm: Object.keys(upstreamVm.shape),
} as const;
// Fields provision.py writes into its working copy; here they are derived at run time.
const DERIVED = new Set(["mac_address", "host_address"]);

function unknownFields(obj: object, known: readonly string[], where: string, notes: string[]): void {
    for (const key of Object.keys(obj)) {
        if (known.includes(key)) continue;
        if (DERIVED.has(key)) notes.push(`${where}${key}: written by provision.py at run time; pairbench derives it, ignored`);
        else notes.push(`${where}${key}: not a field of dpservice's config, ignored`);
    }
}

/** Upstream names may hold '_' or capitals; pairbench names reach shells, so they are normalised. */
function toName(raw: string, path: Array<string | number>, notes: string[], issues: ConfigIssue[]): string {
    const fixed = raw.toLowerCase().replace(/[_.\s]+/g, "-");
    if (!NAME_PATTERN.test(fixed)) {
        issues.push({ path, message: `'${raw}' cannot be made a name of [a-z0-9][a-z0-9-]*; rename it` });
    } else if (fixed !== raw) {
        notes.push(`${upstreamPath(path)}: '${raw}' becomes '${fixed}' (names reach shells and libvirt)`);
    }
    return fixed;
}

function parseLbPorts(spec: string, issues: ConfigIssue[]): Array<{ protocol: string; port: number }> {
    const out: Array<{ protocol: string; port: number }> = [];
    for (const part of spec.split(",").map((s) => s.trim())) {
        const m = /^(tcp|udp)\/([0-9]{1,5})$/i.exec(part);
        const port = m ? Number(m[2]) : NaN;
        if (!m || port < 1 || port > 65535) {
            issues.push({ path: ["lb", "ports"], message: `'${part}' must be PROTOCOL/PORT, e.g. TCP/5201 (port 1..65535)` });
        } else {
            out.push({ protocol: m[1]!.toLowerCase(), port });
        }
    }
    return out;
}

/** Where each converted VM came from: [hypervisor index, vm index] upstream. */
type VmOrigins = Array<[number, number]>;

/** Maps a path in the converted config back to the upstream field, where there is one. */
export function toUpstreamPath(path: ReadonlyArray<string | number>, origins: VmOrigins): Array<string | number> {
    const [head, index, ...rest] = path;
    if (head === "vms" && typeof index === "number" && origins[index] !== undefined) {
        const [hi, vi] = origins[index];
        const field = rest[0];
        const mapped =
            field === "overlay" ? ["if_config", ...rest.slice(1)]
            : field === "testNic" ? ["if_config", "pci_addr"]
            : field === "name" ? ["machine_name"]
            : field === "nat" ? ["nat", ...(rest[1] === undefined ? [] : ["ports"])]
            : rest;
        return ["hypervisors", hi, "vms", vi, ...mapped];
    }
    if (head === "hypervisors" && typeof index === "number") {
        const field = rest[0] === "name" ? "machine_name" : rest[0] === "host" ? "host_address" : rest[0];
        return ["hypervisors", index, ...(field === undefined ? [] : [field])];
    }
    if (head === "lb" && (index === "nodes" || index === "machines")) return ["lb", `lb_${index}`, ...rest];
    if (head === "benchmark" && index === "expected") return ["expected_throughput", ...rest];
    return [...path];
}

function convert(
    up: Upstream,
    opts: ImportOptions,
    notes: string[],
    issues: ConfigIssue[],
    origins: VmOrigins,
): Record<string, unknown> {
    unknownFields(up, KNOWN.top, "", notes);
    const hypervisors: unknown[] = [];
    const vms: unknown[] = [];
    const vmNames = new Map<string, string>();
    const hvNames = new Map<string, string>();
    up.hypervisors.forEach((h, hi) => {
        unknownFields(h, KNOWN.hypervisor, `hypervisors[${hi}].`, notes);
        const hvName = toName(h.machine_name, ["hypervisors", hi, "machine_name"], notes, issues);
        hvNames.set(h.machine_name, hvName);
        if (h.role !== undefined) {
            notes.push(`hypervisors[${hi}].role: '${h.role}' is never read upstream and has no meaning here, ignored`);
        }
        hypervisors.push({
            name: hvName,
            host: h.host_address,
            port: h.port,
            user: h.user_name,
            sshKey: { path: up.key_file },
            os: "gardenlinux",
            domainType: "kvm",
        });
        h.vms.forEach((v, vi) => {
            unknownFields(v, KNOWN.vm, `hypervisors[${hi}].vms[${vi}].`, notes);
            const vmName = toName(v.machine_name, ["hypervisors", hi, "vms", vi, "machine_name"], notes, issues);
            vmNames.set(v.machine_name, vmName);
            origins.push([hi, vi]);
            const natPorts = v.nat?.ports;
            if (natPorts !== undefined && natPorts[1] < natPorts[0]) {
                issues.push({
                    path: ["hypervisors", hi, "vms", vi, "nat", "ports"],
                    message: `[${natPorts.join(", ")}] is reversed; must be [minport, maxport]`,
                });
            }
            vms.push({
                name: vmName,
                hypervisor: hvName,
                // provision.py's vm_tmpl.xml: 4 vCPUs, 8 GiB.
                size: { vcpus: 4, memoryMiB: 8192 },
                testNic: { kind: "vf", pciAddr: v.if_config.pci_addr },
                overlay: { ipv4: v.if_config.ipv4, ipv6: v.if_config.ipv6, vni: v.if_config.vni },
                ...(v.nat && natPorts ? { nat: { ip: v.nat.ip, minPort: natPorts[0], maxPort: natPorts[1] } } : {}),
            });
        });
    });

    const image = opts.dockerImage ?? up.default_dpservice_image;
    if (opts.dockerImage === undefined && up.default_dpservice_image !== undefined) {
        notes.push("default_dpservice_image: unused upstream; here it is the image for stage cicd (dataplane.dpservice.image)");
    }
    const dpservice =
        image !== undefined
            ? { mode: opts.mode ?? "non-offload", stage: "cicd", image }
            : { mode: opts.mode ?? "non-offload", stage: "dev", buildPath: opts.buildPath ?? DEFAULT_BUILD_PATH };
    if (image === undefined && opts.buildPath === undefined) {
        notes.push(`no dpservice image given: stage dev builds from ${DEFAULT_BUILD_PATH} (pass --build-path or --docker-image)`);
    }
    const diskTemplate = opts.diskTemplate ?? DEFAULT_DISK_TEMPLATE;
    if (opts.diskTemplate === undefined) {
        notes.push(`images[0].path: set to ${DEFAULT_DISK_TEMPLATE} (provision.py's --disk-template; pass --disk-template)`);
    }

    const values: Record<string, unknown> = {
        environment: "libvirt",
        hypervisors,
        images: [{ name: "gardenlinux", kind: "disk", path: diskTemplate, format: "raw" }],
        vms,
    };
    if (up.lb !== undefined) {
        const lb = up.lb;
        values["lb"] = {
            name: toName(lb.name, ["lb", "name"], notes, issues),
            ip: lb.ip,
            ports: parseLbPorts(lb.ports, issues),
            vni: lb.vni,
            nodes: lb.lb_nodes.map((n) => hvNames.get(n) ?? n),
            machines: lb.lb_machines.map((m) => vmNames.get(m) ?? m),
        };
    }
    values["dataplane"] = { kind: "dpservice", dpservice };
    values["benchmark"] = {
        flows: up.concurrent_flow_count,
        policy: "mean",
        expected: {
            sw: pick(up.expected_throughput.sw),
            hw: pick(up.expected_throughput.hw),
        },
    };
    values["ssh"] = { publicKeyPath: up.public_key_file };
    return values;
}

function pick(c: { local_vm2vm: number; remote_vm2vm: number; lb: number }) {
    return { local_vm2vm: c.local_vm2vm, remote_vm2vm: c.remote_vm2vm, lb: c.lb };
}

/** JSON text of a test_configurations.json → stack values, or ImportError naming every bad field. */
export function importDpserviceConfig(text: string, opts: ImportOptions = {}): ImportResult {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new ImportError([{ path: [], message: `not valid JSON (${(e as Error).message})` }]);
    }
    if (json !== null && typeof json === "object" && "environments" in json) {
        throw new ImportError([
            {
                path: ["environments"],
                message: "the pre-2024 list-of-environments format; copy one environment's fields to the top level",
            },
        ]);
    }
    const parsed = upstreamConfig.safeParse(json);
    if (!parsed.success) {
        throw new ImportError(
            parsed.error.issues.map((i) => ({
                path: i.path.filter((p): p is string | number => typeof p !== "symbol"),
                message: valueAt(json, i.path.filter((p): p is string | number => typeof p !== "symbol")) === undefined ? `is missing; it ${i.message}` : i.message,
            })),
        );
    }
    const notes: string[] = [];
    const issues: ConfigIssue[] = [];
    const origins: VmOrigins = [];
    const values = convert(parsed.data, opts, notes, issues, origins);
    if (issues.length > 0) throw new ImportError(issues);
    // The result must pass pairbench's own schema (references, duplicates, ...).
    const check = validateStackConfig(values);
    if (!check.ok) {
        throw new ImportError(check.issues.map((i) => ({ path: toUpstreamPath(i.path, origins), message: i.message })));
    }
    return { values, notes };
}

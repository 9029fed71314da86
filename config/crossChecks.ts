// Rules that span several fields of a stack config: unique names, references between sections,
// which sections an environment or dataplane needs. Pure: takes the shape-checked config and
// returns every problem found (never stops at the first).
import { AZURE_RESERVED_USERS, DURATION_PATTERN, StackConfig } from "./schema";

export interface ConfigIssue {
    /** Path inside the `pairbench:` namespace, e.g. ["vms", 1, "overlay", "ipv4"]. */
    readonly path: ReadonlyArray<string | number>;
    readonly message: string;
}

type Report = (path: ReadonlyArray<string | number>, message: string) => void;

/**
 * Names of items that failed their own shape check. References to them are not reported as
 * dangling: the item's own error is already in the report.
 */
export interface BrokenNames {
    readonly hypervisors: ReadonlySet<string>;
    readonly images: ReadonlySet<string>;
    readonly vms: ReadonlySet<string>;
}

const NO_BROKEN: BrokenNames = { hypervisors: new Set(), images: new Set(), vms: new Set() };

function checkUnique<T>(
    items: readonly T[],
    key: (item: T) => string | undefined,
    path: (index: number) => ReadonlyArray<string | number>,
    what: string,
    report: Report,
): void {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
        const value = key(item);
        if (value === undefined) return;
        const first = seen.get(value);
        if (first !== undefined) {
            report(path(i), `duplicate ${what} '${value}' (already used at index ${first}); each must be unique`);
        } else {
            seen.set(value, i);
        }
    });
}

function known(names: Iterable<string>): string {
    const list = [...names];
    return list.length > 0 ? list.join(", ") : "(none defined)";
}

function checkLibvirt(cfg: StackConfig, broken: BrokenNames, report: Report): void {
    if (cfg.hypervisors.length === 0) {
        report(["hypervisors"], "a libvirt stack needs at least one hypervisor");
    }
    if (cfg.vms.length < 2) {
        report(["vms"], `a libvirt stack needs at least two VMs to form a pair (found ${cfg.vms.length})`);
    }
    if (cfg.azure !== undefined) {
        report(["azure"], "only allowed with environment: azure; remove it or set environment: azure");
    }
    checkUnique(cfg.hypervisors, (h) => h.name, (i) => ["hypervisors", i, "name"], "hypervisor name", report);
    checkUnique(cfg.images, (im) => im.name, (i) => ["images", i, "name"], "image name", report);
    checkUnique(cfg.vms, (v) => v.name, (i) => ["vms", i, "name"], "VM name", report);
    checkUnique(cfg.vms, (v) => v.overlay.ipv4, (i) => ["vms", i, "overlay", "ipv4"], "overlay IPv4", report);
    checkUnique(cfg.vms, (v) => v.overlay.ipv6, (i) => ["vms", i, "overlay", "ipv6"], "overlay IPv6", report);
    checkUnique(
        cfg.vms,
        (v) => (v.testNic.kind === "vf" ? `${v.hypervisor}/${v.testNic.pciAddr}` : undefined),
        (i) => ["vms", i, "testNic", "pciAddr"],
        "VF on one hypervisor",
        report,
    );

    // Arrays may have holes where an item failed its shape check (see validate.ts).
    const names = <T extends { name: string }>(items: readonly T[], more: ReadonlySet<string>) =>
        new Set([...items.filter((x) => x !== undefined).map((x) => x.name), ...more]);
    const hypervisors = names(cfg.hypervisors, broken.hypervisors);
    const images = names(cfg.images, broken.images);
    const vms = names(cfg.vms, broken.vms);

    if (cfg.images.length === 0 && cfg.vms.length > 0) {
        report(["images"], "a libvirt stack needs at least one image (kind disk or kernel)");
    }
    cfg.vms.forEach((v, i) => {
        if (!hypervisors.has(v.hypervisor)) {
            report(["vms", i, "hypervisor"], `unknown hypervisor '${v.hypervisor}'; defined: ${known(hypervisors)}`);
        }
        if (v.image === undefined) {
            if (cfg.images.length > 1) {
                report(["vms", i, "image"], `required when several images are defined; one of: ${known(images)}`);
            }
        } else if (!images.has(v.image)) {
            report(["vms", i, "image"], `unknown image '${v.image}'; defined: ${known(images)}`);
        }
        const kind = cfg.dataplane.kind;
        if (v.testNic.kind === "vf" && kind !== "dpservice") {
            report(["vms", i, "testNic", "kind"], `vf needs dataplane kind dpservice (is ${kind}); use kind: bridge`);
        }
        if (v.testNic.kind === "bridge" && kind === "dpservice") {
            report(["vms", i, "testNic", "kind"], "dpservice drives VFs; use kind: vf with pciAddr");
        }
        if (v.nat !== undefined) {
            if (v.nat.maxPort < v.nat.minPort) {
                report(["vms", i, "nat", "maxPort"], `must be ≥ minPort (${v.nat.minPort}); the range is reversed`);
            }
            if (kind !== "dpservice") {
                report(["vms", i, "nat"], `NAT is a dpservice feature; remove it or use dataplane kind dpservice`);
            }
        }
    });

    if (cfg.lb !== undefined) {
        const lb = cfg.lb;
        if (cfg.dataplane.kind !== "dpservice") {
            report(["lb"], `a load balancer needs dataplane kind dpservice (is ${cfg.dataplane.kind})`);
        }
        lb.nodes.forEach((n, i) => {
            if (!hypervisors.has(n)) report(["lb", "nodes", i], `unknown hypervisor '${n}'; defined: ${known(hypervisors)}`);
        });
        lb.machines.forEach((m, i) => {
            if (!vms.has(m)) report(["lb", "machines", i], `unknown VM '${m}'; defined: ${known(vms)}`);
        });
        checkUnique(lb.ports, (p) => `${p.protocol}/${p.port}`, (i) => ["lb", "ports", i], "LB port", report);
        if (vms.has(lb.name) || hypervisors.has(lb.name)) {
            report(["lb", "name"], `'${lb.name}' is already the name of a machine; pick another`);
        }
        const owner = cfg.vms.find((v) => v !== undefined && (v.overlay.ipv4 === lb.ip || v.nat?.ip === lb.ip));
        if (owner !== undefined) {
            report(["lb", "ip"], `${lb.ip} is already an address of VM ${owner.name}; the VIP needs an address of its own`);
        }
    }
    cfg.vms.forEach((v, i) => {
        const ip = v?.nat?.ip;
        const owner = ip === undefined ? undefined : cfg.vms.find((o) => o !== undefined && o.overlay.ipv4 === ip);
        if (owner !== undefined) report(["vms", i, "nat", "ip"], `${ip} is the overlay address of VM ${owner.name}; a NAT IP needs an address of its own`);
    });
    checkUnique(cfg.vms, (v) => v?.nat?.ip, (i) => ["vms", i, "nat", "ip"], "NAT IP", report);
}

function checkDataplane(cfg: StackConfig, report: Report): void {
    const dp = cfg.dataplane;
    if (dp.kind === "dpservice") {
        const d = dp.dpservice;
        if (d === undefined) {
            report(["dataplane", "dpservice"], "required when kind is dpservice: {mode, stage, image | buildPath}");
        } else if (d.stage === "cicd" && d.image === undefined) {
            report(["dataplane", "dpservice", "image"], "required for stage cicd: the dpservice image reference to run");
        } else if (d.stage === "dev" && d.buildPath === undefined) {
            report(["dataplane", "dpservice", "buildPath"], "required for stage dev: path of a dpservice checkout to build");
        }
    } else if (dp.dpservice !== undefined) {
        report(["dataplane", "dpservice"], `only allowed with kind dpservice (is ${dp.kind})`);
    }
    if (dp.kind === "vxlan") {
        cfg.hypervisors.forEach((h, i) => {
            if (h !== undefined && h.underlayIp === undefined) {
                report(["hypervisors", i, "underlayIp"], "required with dataplane kind vxlan: this hypervisor's tunnel address");
            }
        });
        checkUnique(cfg.hypervisors, (h) => h.underlayIp, (i) => ["hypervisors", i, "underlayIp"], "underlay address", report);
    }
    if (dp.kind !== "vxlan" && dp.vxlan !== undefined) {
        report(["dataplane", "vxlan"], `only allowed with kind vxlan (is ${dp.kind})`);
    }
    if (cfg.environment === "azure" && dp.kind !== "none") {
        report(["dataplane", "kind"], "Azure pairs use Azure's network; set kind: none");
    }
}

function checkBenchmark(cfg: StackConfig, report: Report): void {
    const b = cfg.benchmark;
    if (b.omit >= b.seconds) {
        report(["benchmark", "omit"], `must be less than seconds (${b.seconds}); nothing would be measured`);
    }
    if (b.policy === "ci" && b.rounds < 2) {
        report(["benchmark", "rounds"], "policy ci needs at least 2 rounds for a confidence interval");
    }
    if (cfg.lb !== undefined) {
        const profiles = cfg.dataplane.dpservice?.mode === "offload" ? (["hw"] as const) : (["sw"] as const);
        for (const p of profiles) {
            if (b.expected[p]?.lb === undefined) {
                report(["benchmark", "expected", p, "lb"], "required: the LB scenario needs an expected Gbit/s");
            }
        }
    }
}

function checkAzure(cfg: StackConfig, report: Report): void {
    if (cfg.azure === undefined) {
        report(["azure"], "required with environment: azure: {location, pairs, allowedSourceCidr}");
        return;
    }
    for (const key of ["hypervisors", "vms", "images"] as const) {
        if (cfg[key].length > 0) report([key], "only allowed with environment: libvirt");
    }
    if (cfg.lb !== undefined) report(["lb"], "only allowed with environment: libvirt (dpservice)");
    const az = cfg.azure;
    checkUnique(az.pairs, (p) => p.name, (i) => ["azure", "pairs", i, "name"], "pair name", report);
    az.pairs.forEach((p, i) => {
        if (p.os === "gallery" && p.imageId === undefined) {
            report(["azure", "pairs", i, "imageId"], "required for os: gallery (a Windows prerelease image id)");
        }
        if (p.os !== "gallery" && p.imageId !== undefined) {
            report(["azure", "pairs", i, "imageId"], `only used with os: gallery (os is ${p.os})`);
        }
    });
    if (az.allowedSourceCidr.includes(":")) {
        report(["azure", "allowedSourceCidr"], "must be an IPv4 CIDR such as 203.0.113.7/32: the clients' public addresses are IPv4");
    }
    const prefix = Number(az.allowedSourceCidr.split("/")[1]);
    if (prefix < 8) {
        report(["azure", "allowedSourceCidr"], "too wide: SSH must only be open to the runner, e.g. a /32");
    }
    if (!DURATION_PATTERN.test(az.ttl)) report(["azure", "ttl"], "must be a duration such as 6h");
    if ((AZURE_RESERVED_USERS as readonly string[]).includes(az.adminUser)) {
        report(["azure", "adminUser"], `Azure does not allow '${az.adminUser}' as an administrator name; pick another, e.g. pairbench`);
    }
    const key = az.sshKey;
    if (key !== undefined && "secret" in key && cfg.ssh?.publicKeyPath === undefined) {
        report(["ssh", "publicKeyPath"], "required with azure.sshKey.secret: the public half of the key, for the VMs");
    }
    if (key === undefined && cfg.ssh?.publicKeyPath === undefined) {
        report(["azure", "sshKey"], "required unless ssh.publicKeyPath is set (then the SSH agent logs in): {path: ~/.ssh/id_ed25519}");
    }
}

/**
 * The CLI's reassignment (`{failedPair: healthyPair}`): both are pairs of this stack, a healthy
 * pair is not itself reassigned, and both run the same OS (and image).
 */
function checkAssignments(cfg: StackConfig, report: Report): void {
    const assignments = cfg.assignments ?? {};
    const entries = Object.entries(assignments);
    if (entries.length === 0) return;
    if (cfg.environment !== "azure") {
        report(["assignments"], "only used with environment: azure (the CLI reassigns failed Azure pairs); remove it");
        return;
    }
    const pairs = new Map((cfg.azure?.pairs ?? []).filter((p) => p !== undefined).map((p) => [p.name, p]));
    const list = known(pairs.keys());
    for (const [from, to] of entries) {
        const source = pairs.get(from);
        const target = pairs.get(to);
        if (source === undefined) report(["assignments", from], `unknown pair '${from}'; pairs: ${list}`);
        if (target === undefined) report(["assignments", from], `assigned to unknown pair '${to}'; pairs: ${list}`);
        if (from === to) report(["assignments", from], "a pair cannot be assigned to itself; remove the entry");
        else if (assignments[to] !== undefined) {
            report(["assignments", from], `'${to}' is itself reassigned (to '${assignments[to]}'); assign '${from}' to a pair that is created`);
        }
        if (source !== undefined && target !== undefined) {
            const os = (p: typeof source) => (p.os === "gallery" ? `gallery image ${p.imageId ?? "?"}` : p.os);
            if (os(source) !== os(target)) {
                report(["assignments", from], `'${from}' runs ${os(source)} but '${to}' runs ${os(target)}; reassign only to a pair of the same OS`);
            }
        }
    }
}

/** Every cross-field problem of a shape-valid config. */
export function crossCheck(cfg: StackConfig, broken: BrokenNames = NO_BROKEN): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const report: Report = (path, message) => issues.push({ path, message });
    switch (cfg.environment) {
        case "libvirt":
            checkLibvirt(cfg, broken, report);
            break;
        case "azure":
            checkAzure(cfg, report);
            break;
        default: {
            const never: never = cfg.environment;
            throw new Error(`unknown environment ${String(never)}`);
        }
    }
    checkAssignments(cfg, report);
    checkDataplane(cfg, report);
    checkBenchmark(cfg, report);
    return issues;
}

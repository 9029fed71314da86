// The rules of pairbench's policy pack as pure functions over plain resource properties: each
// returns the violations it finds, as messages naming the offending field. Pure; no Pulumi.

/** Ports that administer a machine: SSH, RDP, WinRM over HTTP and HTTPS. */
export const ADMIN_PORTS: Readonly<Record<number, string>> = { 22: "SSH", 3389: "RDP", 5985: "WinRM", 5986: "WinRM over HTTPS" };

/** Source prefixes that mean "anyone on the internet". */
const INTERNET_TAGS = new Set(["*", "internet", "any", "0.0.0.0", "0.0.0.0/0", "::/0"]);

/** True when an NSG source prefix admits the whole internet (or a block wider than /8, /16 for IPv6). */
export function isInternetSource(prefix: string): boolean {
    const p = prefix.trim().toLowerCase();
    if (INTERNET_TAGS.has(p)) return true;
    const m = /^([0-9a-f.:]+)\/(\d{1,3})$/.exec(p);
    if (!m) return false;
    const bits = Number(m[2]);
    return m[1]!.includes(":") ? bits < 16 : bits < 8;
}

/** Whether an NSG port range (`*`, `22`, `20-25`) includes `port`. */
export function rangeIncludes(range: string, port: number): boolean {
    const r = range.trim();
    if (r === "*") return true;
    const m = /^(\d+)(?:-(\d+))?$/.exec(r);
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return port >= lo && port <= hi;
}

/** An NSG rule as azure-native carries it (inline in securityRules or a SecurityRule resource). */
export interface NsgRuleProps {
    readonly name?: string;
    readonly direction?: string;
    readonly access?: string;
    readonly protocol?: string;
    readonly sourceAddressPrefix?: string;
    readonly sourceAddressPrefixes?: readonly string[];
    readonly destinationPortRange?: string;
    readonly destinationPortRanges?: readonly string[];
}

/** Inbound Allow rules that let the internet reach an administration port. */
export function adminPortsOpenToInternet(rules: readonly NsgRuleProps[]): string[] {
    const violations: string[] = [];
    rules.forEach((rule, i) => {
        if ((rule.direction ?? "").toLowerCase() !== "inbound" || (rule.access ?? "").toLowerCase() !== "allow") return;
        if ((rule.protocol ?? "*").toLowerCase() === "icmp") return;
        const sources = [rule.sourceAddressPrefix, ...(rule.sourceAddressPrefixes ?? [])].filter((s): s is string => s !== undefined);
        const open = sources.filter(isInternetSource);
        if (open.length === 0) return;
        const ranges = [rule.destinationPortRange, ...(rule.destinationPortRanges ?? [])].filter((r): r is string => r !== undefined);
        const ports = Object.keys(ADMIN_PORTS).map(Number).filter((port) => ranges.some((r) => rangeIncludes(r, port)));
        if (ports.length === 0) return;
        const label = rule.name ?? `securityRules[${i}]`;
        violations.push(
            `rule ${label} allows ${ports.map((p) => `${ADMIN_PORTS[p]} (${p})`).join(", ")} from ${open.join(", ")}; allow only the runner's address (pairbench:azure.allowedSourceCidr)`,
        );
    });
    return violations;
}

export const EXPIRY_TAG = "pairbench:expiresAt";

/** A VM without a valid `pairbench:expiresAt` tag would never be reaped. */
export function missingExpiry(tags: Readonly<Record<string, unknown>> | undefined): string[] {
    const value = tags?.[EXPIRY_TAG];
    if (value === undefined || value === null || value === "") return [`tag ${EXPIRY_TAG} is missing; the reaper would never delete this VM`];
    if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) || Number.isNaN(Date.parse(value))) {
        return [`tag ${EXPIRY_TAG} is '${String(value)}', not an ISO time in UTC such as 2026-03-01T16:00:00Z`];
    }
    return [];
}

/** NICs (and inline NIC configurations) without accelerated networking. */
export function acceleratedNetworkingOff(nics: ReadonlyArray<{ readonly name?: string; readonly enableAcceleratedNetworking?: boolean }>): string[] {
    return nics
        .filter((n) => n.enableAcceleratedNetworking !== true)
        .map((n) => `${n.name ? `network interface ${n.name}` : "network interface"} has accelerated networking off; benchmarks would measure the software path`);
}

/** Keys whose values are passwords. */
const PASSWORD_KEY = /password|passwd/i;

/** Every string under a password-like key, plus what the caller adds (e.g. RandomPassword results). */
export function passwordsIn(value: unknown, found: Set<string> = new Set(), underPasswordKey = false): Set<string> {
    if (typeof value === "string") {
        if (underPasswordKey && value.length >= 8) found.add(value);
    } else if (Array.isArray(value)) {
        for (const v of value) passwordsIn(v, found, underPasswordKey);
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) passwordsIn(v, found, underPasswordKey || PASSWORD_KEY.test(k));
    }
    return found;
}

/** Paths (a.b[0].c) of strings under `value` that contain one of `passwords`. */
export function pathsContaining(value: unknown, passwords: ReadonlySet<string>, at = ""): string[] {
    if (typeof value === "string") return [...passwords].some((p) => value.includes(p)) ? [at || "(value)"] : [];
    if (Array.isArray(value)) return value.flatMap((v, i) => pathsContaining(v, passwords, `${at}[${i}]`));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => pathsContaining(v, passwords, at ? `${at}.${k}` : k));
    }
    return [];
}

/** A resource as the stack policy sees it. */
export interface StackResource {
    readonly type: string;
    readonly name: string;
    readonly props: Readonly<Record<string, unknown>>;
}

/**
 * Places Pulumi or Azure show in plain text: the stack's outputs, every resource's tags, run
 * command scripts and parameters (visible in the portal; `protectedParameters` are not), and
 * the output of commands.
 */
function plainPlaces(r: StackResource): Record<string, unknown> {
    const p = r.props;
    if (r.type === "pulumi:pulumi:Stack") return { outputs: p };
    const places: Record<string, unknown> = { tags: p["tags"] };
    if (r.type.endsWith("RunCommandByVirtualMachine") || r.type.endsWith("VirtualMachineRunCommand")) {
        places["source"] = p["source"];
        places["parameters"] = p["parameters"];
    }
    if (r.type.startsWith("command:")) {
        places["stdout"] = p["stdout"];
        places["stderr"] = p["stderr"];
    }
    return places;
}

/** Passwords (RandomPassword results, values under password-like keys) shown in plain text anywhere. */
export function plaintextPasswords(resources: readonly StackResource[]): string[] {
    const passwords = new Set<string>();
    for (const r of resources) {
        if (r.type === "random:index/randomPassword:RandomPassword" && typeof r.props["result"] === "string") passwords.add(r.props["result"]);
        if (r.type !== "pulumi:pulumi:Stack") passwordsIn(r.props, passwords);
    }
    if (passwords.size === 0) return [];
    return resources.flatMap((r) =>
        pathsContaining(plainPlaces(r), passwords).map((where) => `${r.type} ${r.name}: ${where} contains a password in plain text; keep passwords out of outputs, tags and scripts`),
    );
}

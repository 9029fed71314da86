// What an Azure stack stands up, from its validated config: which pairs are created (those not
// reassigned to another pair), each VM's names, static address, image and OS, and the runner
// labels. Pure: no Pulumi, no I/O.
import { createHash } from "crypto";
import { AzureOs, AzurePairConfig, azureOsFamily, StackConfig } from "../../config/schema";

/** The stack's virtual network; every pair gets two addresses of its own /24. */
export const VNET_CIDR = "10.64.0.0/16";
/** Pairs per stack: one /24 each inside VNET_CIDR (10.64.0.x … 10.64.254.x). */
export const MAX_PAIRS = 255;

export type OsFamily = "linux" | "windows";
export type Role = "client" | "server";

/** A marketplace image, or a (gallery) image id. */
export type ImageReference =
    | { readonly publisher: string; readonly offer: string; readonly sku: string; readonly version: string }
    | { readonly id: string };

/** Generation-2 images (Trusted Launch needs them), latest version. */
const MARKETPLACE: Record<Exclude<AzureOs, "gallery">, ImageReference> = {
    "ubuntu-24.04": { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
    "windows-2022": { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2022-datacenter-g2", version: "latest" },
    "windows-2025": { publisher: "MicrosoftWindowsServer", offer: "WindowsServer", sku: "2025-datacenter-g2", version: "latest" },
};

export function imageReference(pair: Pick<AzurePairConfig, "os" | "imageId" | "name">): ImageReference {
    if (pair.os === "gallery") {
        if (pair.imageId === undefined) throw new Error(`pair ${pair.name}: os gallery needs imageId`);
        return { id: pair.imageId };
    }
    return MARKETPLACE[pair.os];
}

export interface AzureVmPlan {
    readonly role: Role;
    /** Endpoint key for benchmarks: `<pair>-client` / `<pair>-server`. */
    readonly key: string;
    /** Host name inside the VM (Windows allows 15 characters). */
    readonly computerName: string;
    readonly privateIp: string;
}

export interface AzurePairPlan {
    readonly name: string;
    readonly os: AzureOs;
    readonly family: OsFamily;
    readonly image: ImageReference;
    readonly size: string;
    readonly secureBoot: boolean;
    readonly client: AzureVmPlan;
    readonly server: AzureVmPlan;
    /** `os-<os>` and the pair's name, then the configured extra labels. */
    readonly runnerLabels: readonly string[];
}

export interface AzurePlan {
    /** The pairs this `up` creates, in config order. */
    readonly pairs: readonly AzurePairPlan[];
    /** Pairs not created because the CLI assigned their scenarios to another pair. */
    readonly reassigned: ReadonlyArray<{ readonly name: string; readonly to: string }>;
}

/** A host name: `<pair>-<role>` where it fits, else a shortened name with a hash of the pair. */
export function computerName(pair: string, role: Role, family: OsFamily): string {
    const full = `${pair}-${role}`;
    const limit = family === "windows" ? 15 : 63;
    if (full.length <= limit) return full;
    const hash = createHash("sha256").update(pair).digest("hex").slice(0, 4);
    const head = pair.slice(0, limit - 7).replace(/-+$/, "");
    return `${head}-${hash}${role[0]}`;
}

/** The pair at config index `index` gets 10.64.<index>.4 (client) and .5 (server). */
export function pairAddresses(index: number): { readonly client: string; readonly server: string } {
    if (!Number.isInteger(index) || index < 0 || index >= MAX_PAIRS) throw new Error(`pair index ${index} is outside 0..${MAX_PAIRS - 1}`);
    return { client: `10.64.${index}.4`, server: `10.64.${index}.5` };
}

/** The Azure plan of a validated config (environment azure). */
export function planAzure(cfg: StackConfig): AzurePlan {
    const azure = cfg.azure;
    if (cfg.environment !== "azure" || azure === undefined) throw new Error("planAzure needs environment azure with a pairbench:azure section");
    if (azure.pairs.length > MAX_PAIRS) throw new Error(`pairbench:azure.pairs: at most ${MAX_PAIRS} pairs per stack (found ${azure.pairs.length})`);
    const assignments = cfg.assignments ?? {};
    const extra = cfg.runner?.labels ?? [];
    const pairs: AzurePairPlan[] = [];
    const reassigned: Array<{ name: string; to: string }> = [];
    // Addresses follow the config index, so reassigning one pair never moves another.
    azure.pairs.forEach((p, index) => {
        const to = assignments[p.name];
        if (to !== undefined) {
            reassigned.push({ name: p.name, to });
            return;
        }
        const family = azureOsFamily(p.os);
        const ips = pairAddresses(index);
        const vm = (role: Role): AzureVmPlan => ({ role, key: `${p.name}-${role}`, computerName: computerName(p.name, role, family), privateIp: ips[role] });
        pairs.push({
            name: p.name,
            os: p.os,
            family,
            image: imageReference(p),
            size: p.size,
            secureBoot: p.secureBoot,
            client: vm("client"),
            server: vm("server"),
            runnerLabels: [...new Set([`os-${p.os}`, p.name, ...extra])],
        });
    });
    return { pairs, reassigned };
}

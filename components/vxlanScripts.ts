// The scripts of the local VXLAN dataplane (the emulated lab's test network): per hypervisor and
// VNI a VXLAN device over the underlay, enslaved to the bridge the VMs' test NICs join. Pure:
// builds text only; every value goes through `sh` quoting. Scripts run as root under bash
// (hostCommand in hostScripts.ts).
import { isIP } from "net";
import { vxlanBridgeName } from "./naming";
import { sh } from "./shell";

/** One VNI on one hypervisor. */
export interface VxlanSpec {
    /** VXLAN network identifier, 0..16777215. */
    readonly vni: number;
    /** UDP destination port (`dataplane.vxlan.port`). */
    readonly port: number;
    /** This hypervisor's underlay address. */
    readonly local: string;
    /** The other hypervisors' underlay addresses. */
    readonly remotes: readonly string[];
    /** MTU of the VXLAN device (and so of the bridge). Defaults to 1500: guests send full frames, so the underlay needs 1550. */
    readonly mtu?: number;
}

/** The VXLAN device of a VNI (at most 15 characters: `pb-vx16777215`). */
export function vxlanDeviceName(vni: number): string {
    return `pb-vx${vni}`;
}

/** The link alias that marks a bridge or VXLAN device as pairbench's. */
export function vxlanOwner(vni: number): string {
    return `pairbench vxlan vni ${vni}`;
}

/** Checks a spec; lists every problem in one message. */
export function validateVxlanSpec(spec: VxlanSpec): void {
    const problems: string[] = [];
    if (!Number.isInteger(spec.vni) || spec.vni < 0 || spec.vni > 2 ** 24 - 1) problems.push(`vni ${spec.vni} must be a whole number 0..16777215`);
    if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) problems.push(`port ${spec.port} must be 1..65535`);
    const mtu = spec.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) problems.push(`mtu ${mtu} must be 68..65535`);
    if (isIP(spec.local) === 0) problems.push(`local '${spec.local}' is not an IP address`);
    spec.remotes.forEach((r, i) => {
        if (isIP(r) === 0) problems.push(`remotes[${i}] '${r}' is not an IP address`);
        else if (isIP(r) !== isIP(spec.local)) problems.push(`remotes[${i}] '${r}' is not of the same IP version as local '${spec.local}'`);
    });
    if (spec.remotes.includes(spec.local)) problems.push(`local '${spec.local}' is also listed as a remote`);
    if (new Set(spec.remotes).size !== spec.remotes.length) problems.push("remotes must be distinct");
    if (problems.length > 0) throw new Error(`invalid VXLAN spec for VNI ${spec.vni}: ${problems.join("; ")}`);
}

// Shell helpers shared by create and delete: a link's existence and pairbench's mark on it.
const HELPERS = [
    'pb_exists() { ip link show dev "$1" >/dev/null 2>&1; }',
    'pb_owned() { [ "$(cat "/sys/class/net/$1/ifalias" 2>/dev/null)" = "$owner" ]; }',
];

/**
 * Creates (or completes) the bridge and the VXLAN device of one VNI and prints what it made.
 * A link of the same name that pairbench did not create stops it. One remote is the device's
 * `remote`; several are static all-zero FDB entries (head-end replication).
 */
export function vxlanCreate(spec: VxlanSpec): string {
    validateVxlanSpec(spec);
    const vx = vxlanDeviceName(spec.vni);
    const br = vxlanBridgeName(spec.vni);
    const mtu = spec.mtu ?? 1500;
    const remoteArgs = spec.remotes.length === 1 ? ["remote", spec.remotes[0]!] : [];
    const lines = [
        sh`vx=${vx}; br=${br}; owner=${vxlanOwner(spec.vni)}`,
        ...HELPERS,
        'for dev in "$br" "$vx"; do',
        '  if pb_exists "$dev" && ! pb_owned "$dev"; then pb_fail "link $dev exists and was not created by pairbench; remove it or use another VNI"; fi',
        "done",
        'if ! pb_exists "$br"; then',
        // No STP (ports forward at once) and no multicast snooping (IPv6 ND without a querier).
        '  ip link add "$br" type bridge stp_state 0 mcast_snooping 0',
        '  ip link set dev "$br" alias "$owner"',
        "fi",
        // A VXLAN device of an interrupted create may have other parameters: make it anew.
        'if pb_exists "$vx"; then ip link del "$vx"; fi',
        sh`ip link add "$vx" mtu ${mtu} type vxlan id ${spec.vni} local ${spec.local} dstport ${spec.port} ${remoteArgs}`,
        'ip link set dev "$vx" alias "$owner"',
        ...(spec.remotes.length > 1 ? spec.remotes.map((r) => sh`bridge fdb append 00:00:00:00:00:00 dev "$vx" dst ${r}`) : []),
        'ip link set dev "$vx" master "$br"',
        'ip link set dev "$vx" up',
        'ip link set dev "$br" up',
        sh`echo ${`${br}: ${vx} vni ${spec.vni} local ${spec.local} dstport ${spec.port} remote ${spec.remotes.join(",") || "none"} mtu ${mtu}`}`,
    ];
    return lines.join("\n");
}

/** Deletes the VNI's VXLAN device and bridge if they are pairbench's; notes VM ports still on the bridge. */
export function vxlanDelete(spec: Pick<VxlanSpec, "vni">): string {
    const vx = vxlanDeviceName(spec.vni);
    const br = vxlanBridgeName(spec.vni);
    return [
        sh`vx=${vx}; br=${br}; owner=${vxlanOwner(spec.vni)}`,
        ...HELPERS,
        'if pb_exists "$br" && pb_owned "$br"; then',
        '  ports=$(ls "/sys/class/net/$br/brif" 2>/dev/null | grep -vx "$vx" || true)',
        '  [ -z "$ports" ] || pb_note "bridge $br still has ports $(echo $ports); they lose the test network"',
        "fi",
        'for dev in "$vx" "$br"; do',
        '  if pb_exists "$dev"; then',
        '    if pb_owned "$dev"; then ip link del "$dev"; else pb_note "link $dev was not created by pairbench; left alone"; fi',
        "  fi",
        "done",
        'echo "removed $vx and $br"',
    ].join("\n");
}

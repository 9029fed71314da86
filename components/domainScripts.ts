// The scripts LibvirtDomain and TestReadyPair run: resolving a VF, defining and starting a domain
// (and undoing it), and the bounded waits for a DHCP lease, SSH, and the peer on the test
// network. Pure: builds text only; every config value goes through `sh` quoting.
import { VfRef, VmPaths } from "./naming";
import { raw, sh, shellCommand } from "./shell";
import { ScriptContext, waitScript } from "./waitScript";

/**
 * Prints the PCI address of VF `n` of a PF, read from sysfs (`virtfnN` links to the VF). The
 * dpservice seed computed it as "function = N + 2", which is wrong past VF5.
 */
export function vfResolve(ref: VfRef, pciAddr: string): string {
    const pfDir = `/sys/bus/pci/devices/${ref.pf}`;
    return [
        sh`pf_dir=${pfDir}; link=${`${pfDir}/virtfn${ref.vf}`}`,
        sh`[ -d "$pf_dir" ] || pb_fail ${`physical function ${ref.pf} (pciAddr ${pciAddr}) does not exist: ${pfDir} is missing`}`,
        'if [ ! -L "$link" ]; then',
        '  total=$(cat "$pf_dir/sriov_numvfs" 2>/dev/null || echo 0)',
        sh`  pb_fail ${`VF ${ref.vf} of ${ref.pf} (pciAddr ${pciAddr}) does not exist:`} "$link is missing and the PF has $total VFs; create the VFs first (docs/lab.md) or correct pciAddr"`,
        "fi",
        'basename "$(readlink -f "$link")"',
    ].join("\n");
}

/** What a VM's disk is: a qcow2 overlay on an uploaded template (never a copy of it). */
export interface OverlaySpec {
    readonly template: string;
    readonly format: "raw" | "qcow2";
}

export interface DomainFiles {
    readonly paths: VmPaths;
    readonly name: string;
    /** Written to the VM's `owner` file: a domain of that name without it is not ours. */
    readonly owner: string;
    readonly xml: string;
    readonly ignition: string;
    readonly overlay?: OverlaySpec;
}

/** The undefine command: `--nvram` only when the domain has NVRAM (UEFI). */
const UNDEFINE = `if virsh dumpxml --inactive "$name" | grep -q '<nvram'; then virsh undefine --nvram "$name" >/dev/null; else virsh undefine "$name" >/dev/null; fi`;
const STOP = `if [ "$(virsh domstate "$name")" != "shut off" ]; then virsh destroy "$name" >/dev/null; fi`;

/**
 * Writes ignition and XML, creates the overlay, defines and starts the domain; prints the
 * domain's UUID. A domain of the same name that this stack did not create stops it; a leftover
 * of this stack's own interrupted create is replaced.
 */
export function domainCreate(f: DomainFiles): string {
    const p = f.paths;
    const lines = [
        sh`name=${f.name}; dir=${p.dir}; owner=${f.owner}`,
        'if virsh dominfo "$name" >/dev/null 2>&1; then',
        sh`  if [ "$(cat ${p.owner} 2>/dev/null)" != "$owner" ]; then`,
        '    pb_fail "a libvirt domain named $name already exists and was not created by this stack; remove it (virsh undefine) or rename the VM"',
        "  fi",
        `  ${STOP}`,
        `  ${UNDEFINE}`,
        "fi",
        'install -d -m 0755 "$dir"',
        sh`printf '%s\n' "$owner" > ${p.owner}`,
        // The ignition file may hold the root password hash: root only (libvirt relabels it for QEMU).
        sh`(umask 077 && printf '%s' ${f.ignition} > ${p.ignition})`,
        sh`printf '%s' ${f.xml} > ${p.domainXml}`,
        sh`rm -f ${p.consoleLog}`,
    ];
    if (f.overlay !== undefined) {
        lines.push(
            sh`rm -f ${p.overlay}`,
            sh`qemu-img create -q -f qcow2 -F ${f.overlay.format} -b ${f.overlay.template} ${p.overlay}`,
        );
    }
    lines.push(sh`virsh define ${p.domainXml} >/dev/null`, 'virsh start "$name" >/dev/null', 'virsh domuuid "$name"');
    return lines.join("\n");
}

/** Stops (fine if not running) and undefines the domain if it is ours, then removes its files. */
export function domainDelete(f: Pick<DomainFiles, "paths" | "name" | "owner">): string {
    const p = f.paths;
    return [
        sh`name=${f.name}; dir=${p.dir}; owner=${f.owner}`,
        'if virsh dominfo "$name" >/dev/null 2>&1; then',
        sh`  if [ "$(cat ${p.owner} 2>/dev/null)" = "$owner" ]; then`,
        `    ${STOP}`,
        `    ${UNDEFINE}`,
        "  else",
        '    pb_note "domain $name was not created by this stack; left alone"',
        "  fi",
        "fi",
        sh`rm -f ${[p.ignition, p.domainXml, p.overlay, p.consoleLog, p.owner]}`,
        'rmdir "$dir" 2>/dev/null || true',
    ].join("\n");
}

/** Waits for the VM's DHCP lease on the default network and prints its IPv4 address. */
export function leaseWait(ctx: ScriptContext, mac: string, totalSeconds: number): string {
    // net-dhcp-leases columns: expiry date, expiry time, MAC, protocol, address/prefix, ...
    const attempt = [
        sh`  leases=$(virsh net-dhcp-leases default --mac ${mac}) || { printf '%s\n' "$leases"; return 1; }`,
        sh`  ip=$(printf '%s\n' "$leases" | awk -v mac=${mac} '$3 == mac && $4 == "ipv4" { split($5, a, "/"); print a[1]; exit }')`,
        '  if [ -n "$ip" ]; then printf \'%s\\n\' "$ip"; else printf \'%s\\n\' "$leases"; return 1; fi',
    ].join("\n");
    return waitScript({ context: ctx, attempt: raw(attempt), totalSeconds });
}

/** Waits until the VM's SSH server sends its banner, seen from the hypervisor. */
export function sshPortWait(ctx: ScriptContext, ip: string, port: number, totalSeconds: number): string {
    const probe = `exec 3<>"/dev/tcp/$1/$2" && head -c 8 <&3`;
    const attempt = [
        sh`  banner=$(timeout 5 bash -c ${probe} probe ${ip} ${port} 2>&1) || { printf '%s\n' "$banner"; return 1; }`,
        '  case "$banner" in SSH-*) printf \'%s\\n\' "$banner" ;; *) printf \'no SSH banner: %s\\n\' "$banner"; return 1 ;; esac',
    ].join("\n");
    return waitScript({ context: ctx, attempt: raw(attempt), totalSeconds });
}

/** Run on the VM over SSH: proves login works and reports the VM's name and kernel. */
export const VM_READY_COMMAND = shellCommand(["uname", "-n", "-r"]);

/**
 * Run on the client VM: waits until the server answers on the test network (IPv4, and IPv6
 * when both have it). POSIX sh, for busybox guests too.
 */
export function peerWait(ctx: ScriptContext, ipv4: string, ipv6: string | undefined, totalSeconds: number): string {
    const lines = [sh`  ping -c 1 -W 2 ${ipv4} >/dev/null 2>&1 || { echo ${`no answer from ${ipv4}`}; return 1; }`];
    if (ipv6 !== undefined) {
        lines.push(
            sh`  ping -6 -c 1 -W 2 ${ipv6} >/dev/null 2>&1 || ping6 -c 1 -W 2 ${ipv6} >/dev/null 2>&1 || { echo ${`no answer from ${ipv6}`}; return 1; }`,
        );
    }
    lines.push(sh`  echo ${`peer answers: ${[ipv4, ipv6].filter(Boolean).join(" ")}`}`);
    return shellCommand(["sh", "-c", waitScript({ context: ctx, attempt: raw(lines.join("\n")), totalSeconds })]);
}

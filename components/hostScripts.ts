// The scripts HypervisorSetup runs on a hypervisor (what prepare_hypervisor.sh does by hand),
// each with a delete script that undoes exactly what its create changed. Pure: builds text
// only; every config value goes through `sh` quoting. Scripts run as root under bash -euo pipefail.
import { HypervisorPaths } from "./naming";
import { asRoot, sh } from "./shell";
import { describeContext, ScriptContext } from "./waitScript";

/** The SSH side of a hypervisor, as error messages name it. */
export interface HostTarget {
    readonly name: string;
    readonly host: string;
    readonly port: number;
    readonly user: string;
}

export function hostLabel(h: HostTarget): string {
    return `hypervisor ${h.name} (${h.user}@${h.host}:${h.port})`;
}

/**
 * A script as one command line run as root under bash: failures name the host and step
 * (pb_fail), and any other failing command is reported with its text (ERR trap).
 */
export function hostCommand(user: string, ctx: ScriptContext, body: string): string {
    const script = [
        sh`PB_CONTEXT=${describeContext(ctx)}`,
        `pb_fail() { printf 'pairbench: %s: %s\\n' "$PB_CONTEXT" "$*" >&2; exit 1; }`,
        `pb_note() { printf 'pairbench: %s: %s\\n' "$PB_CONTEXT" "$*" >&2; }`,
        `trap 'pb_rc=$?; printf "pairbench: %s: failed (exit %s): %s\\n" "$PB_CONTEXT" "$pb_rc" "$BASH_COMMAND" >&2' ERR`,
        body,
    ].join("\n");
    return asRoot(user, ["bash", "--norc", "--noprofile", "-euo", "pipefail", "-c", script]);
}

/**
 * Creates the working directory with a marker that makes it pairbench's. An existing, non-empty
 * directory without the marker is someone else's: refuse rather than mix files. `incoming/`
 * belongs to the SSH user, because uploads (SFTP) run as that user, not as root.
 */
export function workDirCreate(p: HypervisorPaths, sshUser: string): string {
    return [
        sh`dir=${p.workDir}`,
        sh`if [ -d "$dir" ] && [ ! -e ${p.ownerMarker} ] && [ -n "$(ls -A "$dir")" ]; then`,
        `  pb_fail "$dir exists, is not empty and was not created by pairbench; set another workDir"`,
        "fi",
        sh`install -d -m 0755 "$dir" ${p.images} ${p.vms}`,
        sh`install -d -m 0700 ${p.state}`,
        sh`install -d -m 0700 -o ${sshUser} ${p.incoming}`,
        sh`touch ${p.ownerMarker}`,
        `echo "$dir"`,
    ].join("\n");
}

/** Removes the working directory only if it is pairbench's and nothing else is left in it. */
export function workDirDelete(p: HypervisorPaths): string {
    return [
        sh`dir=${p.workDir}`,
        sh`[ -e ${p.ownerMarker} ] || exit 0`,
        sh`for sub in ${[p.images, p.incoming, p.vms, p.state]}; do rmdir "$sub" 2>/dev/null || true; done`,
        `left=$(ls -A "$dir" | grep -vx '.pairbench-owned' || true)`,
        'if [ -z "$left" ]; then',
        sh`  rm -f ${p.ownerMarker}`,
        // A workDir that is a mount point (its own volume; the emulated lab's private directory) stays.
        '  if mountpoint -q "$dir"; then pb_note "$dir is a mount point: emptied, left in place"; else rmdir "$dir"; fi',
        "else",
        '  pb_note "left $dir in place, it still holds: $(echo $left)"',
        "fi",
    ].join("\n");
}

/** Turns on IPv4 forwarding, remembering the old value only when it changes it. */
export function ipForwardCreate(p: HypervisorPaths): string {
    return [
        sh`saved=${p.state}/ip_forward.orig`,
        "prev=$(sysctl -n net.ipv4.ip_forward)",
        'if [ "$prev" != 1 ]; then',
        '  [ -e "$saved" ] || printf \'%s\\n\' "$prev" > "$saved"',
        "  sysctl -q -w net.ipv4.ip_forward=1",
        "fi",
        "echo net.ipv4.ip_forward=1",
    ].join("\n");
}

export function ipForwardDelete(p: HypervisorPaths): string {
    return [
        sh`saved=${p.state}/ip_forward.orig`,
        '[ -e "$saved" ] || exit 0',
        'prev=$(cat "$saved")',
        'case "$prev" in 0|1) sysctl -q -w net.ipv4.ip_forward="$prev" ;; esac',
        'rm -f "$saved"',
    ].join("\n");
}

/**
 * Gardenlinux's `inet filter input` chain drops what DHCP and SSH to the VMs need: set its policy
 * to accept (the dpservice suite's `nft add chain inet filter input '{ policy accept; }'`).
 */
export function nftAcceptCreate(p: HypervisorPaths): string {
    return [
        sh`saved=${p.state}/nft_input_policy.orig`,
        "if ! rules=$(nft list chain inet filter input 2>/dev/null); then",
        '  echo "no inet filter input chain: nothing to open"; exit 0',
        "fi",
        `policy=$(printf '%s\\n' "$rules" | sed -n 's/.*policy \\([a-z]*\\);.*/\\1/p' | head -n 1)`,
        'if [ "$policy" != accept ]; then',
        '  [ -e "$saved" ] || printf \'%s\\n\' "$policy" > "$saved"',
        "  nft add chain inet filter input '{ policy accept; }'",
        "fi",
        "echo 'inet filter input: policy accept'",
    ].join("\n");
}

export function nftAcceptDelete(p: HypervisorPaths): string {
    return [
        sh`saved=${p.state}/nft_input_policy.orig`,
        '[ -e "$saved" ] || exit 0',
        'prev=$(cat "$saved")',
        "if nft list chain inet filter input >/dev/null 2>&1; then",
        '  case "$prev" in drop) nft add chain inet filter input \'{ policy drop; }\' ;; esac',
        "fi",
        'rm -f "$saved"',
    ].join("\n");
}

/** Normalises network XML for comparison: libvirt adds a UUID and connection count, and quotes with '. */
const NORMALIZE = `pb_norm() { sed -e '/<uuid>/d' -e "s/ connections='[0-9]*'//" -e "s/\\"/'/g" -e 's/^[[:space:]]*//' -e '/^$/d'; }`;
const NET_FIELD = (field: string) => `virsh net-info default | awk '/^${field}:/ {print $2}'`;

/**
 * Makes libvirt's `default` network match `xml`: defines it when missing, redefines it only when
 * `virsh net-dumpxml --inactive` differs, starts it, sets autostart. What was there before
 * (existence, XML, active, autostart) is saved once so delete can put it back.
 */
export function networkCreate(p: HypervisorPaths, xml: string): string {
    return [
        NORMALIZE,
        sh`want=${p.networkXml}; prior=${p.state}/default-network.prior; orig=${p.state}/default-network.orig.xml`,
        sh`printf '%s' ${xml} > "$want"`,
        "if virsh net-info default >/dev/null 2>&1; then",
        `  if [ ! -e "$prior" ]; then printf 'existed=yes\\nactive=%s\\nautostart=%s\\n' "$(${NET_FIELD("Active")})" "$(${NET_FIELD("Autostart")})" > "$prior"; fi`,
        "  current=$(virsh net-dumpxml --inactive default)",
        `  if [ "$(printf '%s\\n' "$current" | pb_norm)" != "$(pb_norm < "$want")" ]; then`,
        `    [ -e "$orig" ] || printf '%s\\n' "$current" > "$orig"`,
        `    if [ "$(${NET_FIELD("Active")})" = yes ]; then virsh net-destroy default >/dev/null; fi`,
        "    virsh net-undefine default >/dev/null",
        '    virsh net-define "$want" >/dev/null',
        "    echo 'default network: redefined'",
        "  else",
        "    echo 'default network: matches'",
        "  fi",
        "else",
        `  [ -e "$prior" ] || printf 'existed=no\\n' > "$prior"`,
        '  virsh net-define "$want" >/dev/null',
        "  echo 'default network: defined'",
        "fi",
        `if [ "$(${NET_FIELD("Active")})" != yes ]; then virsh net-start default >/dev/null; fi`,
        "virsh net-autostart default >/dev/null",
    ].join("\n");
}

export function networkDelete(p: HypervisorPaths): string {
    return [
        sh`prior=${p.state}/default-network.prior; orig=${p.state}/default-network.orig.xml`,
        '[ -e "$prior" ] || exit 0',
        "existed=$(sed -n 's/^existed=//p' \"$prior\"); active=$(sed -n 's/^active=//p' \"$prior\")",
        "autostart=$(sed -n 's/^autostart=//p' \"$prior\")",
        "if virsh net-info default >/dev/null 2>&1; then",
        `  if [ "$(${NET_FIELD("Active")})" = yes ]; then virsh net-destroy default >/dev/null; fi`,
        '  if [ "$existed" = no ]; then virsh net-undefine default >/dev/null',
        '  elif [ -e "$orig" ]; then virsh net-undefine default >/dev/null; virsh net-define "$orig" >/dev/null; fi',
        "fi",
        'if [ "$existed" = yes ] && virsh net-info default >/dev/null 2>&1; then',
        '  if [ "$active" = yes ]; then virsh net-start default >/dev/null; fi',
        '  if [ "$autostart" = yes ]; then virsh net-autostart default >/dev/null; else virsh net-autostart --disable default >/dev/null; fi',
        "fi",
        sh`rm -f "$prior" "$orig" ${p.networkXml}`,
    ].join("\n");
}

/** One file of an image: where its upload lands, where it lives once checked, its digest. */
export interface UploadTarget {
    readonly incoming: string;
    readonly final: string;
    readonly sha256: string;
    /** The file on the machine running Pulumi, for messages. */
    readonly localPath: string;
}

const shaOk = (path: string, sha: string) => sh`printf '%s  %s\n' ${sha} ${path} | sha256sum -c --status`;

/** Prints `present` when the final file is there with the right sha256, else `absent`. */
export function uploadCheck(t: UploadTarget): string {
    return `if ${sh`[ -f ${t.final} ]`} && ${shaOk(t.final, t.sha256)}; then echo present; else echo absent; fi`;
}

/**
 * After the upload: keeps the existing file when it already matched (the upload was a
 * placeholder), else checks the uploaded file's sha256 and moves it into place, leaving a
 * `.uploaded` marker so delete removes only files pairbench put there.
 */
export function uploadFinalize(t: UploadTarget): string {
    return [
        sh`final=${t.final}; incoming=${t.incoming}`,
        `if [ -f "$final" ] && ${shaOk(t.final, t.sha256)}; then`,
        '  rm -f "$incoming"; echo "$final"; exit 0',
        "fi",
        sh`[ -f "$incoming" ] || pb_fail ${`the upload of ${t.localPath} did not arrive at ${t.incoming}`}`,
        `${shaOk(t.incoming, t.sha256)} || pb_fail ${sh`${`sha256 of the upload differs from ${t.localPath} (${t.sha256}); the copy is corrupt, run pulumi up again`}`}`,
        'chmod 0644 "$incoming"',
        'chown 0:0 "$incoming"',
        'mv -f "$incoming" "$final"',
        'touch "$final.uploaded"',
        'echo "$final"',
    ].join("\n");
}

export function uploadDelete(t: UploadTarget): string {
    return [
        sh`final=${t.final}; incoming=${t.incoming}`,
        'if [ -e "$final.uploaded" ]; then rm -f "$final" "$final.uploaded"; fi',
        'rm -f "$incoming"',
    ].join("\n");
}

// The steps DpserviceGuests runs for each VM on the dpservice dataplane: the optional reboot
// (run_benchmarktest.py --reboot), the test network check with the libvirt default route dropped,
// and the load balancer's VIP on a target's loopback. VM-side scripts are POSIX sh run as root
// over SSH; the reboot wait runs on the hypervisor. Pure: builds text only.
import { sshPortWait } from "../domainScripts";
import { raw, sh, shellCommand } from "../shell";
import { ScriptContext, waitScript } from "../waitScript";

/** Where VM-side steps remember what they changed (tmpfs: a reboot forgets it with the change). */
export const GUEST_STATE_DIR = "/run/pairbench";

const onVm = (script: string) => shellCommand(["sh", "-c", `set -eu\n${script}`]);

/**
 * Prints the VM's boot ID and schedules a reboot 2 s later, so the SSH session ends cleanly
 * first (upstream: `sleep 3 && sudo reboot` in the background).
 */
export function rebootStart(): string {
    return onVm(
        [
            "boot=$(cat /proc/sys/kernel/random/boot_id)",
            "if command -v systemd-run >/dev/null 2>&1; then",
            "  systemd-run --quiet --on-active=2 systemctl reboot >/dev/null",
            "else",
            "  nohup sh -c 'sleep 2; reboot' >/dev/null 2>&1 &",
            "fi",
            'echo "$boot"',
        ].join("\n"),
    );
}

/** The VM's current boot ID: a different one proves the reboot happened. */
export const BOOT_ID_COMMAND = shellCommand(["cat", "/proc/sys/kernel/random/boot_id"]);

export interface RebootWaitSpec {
    readonly context: ScriptContext;
    /** The VM's management address (its DHCP lease keeps it across the reboot). */
    readonly ip: string;
    /** Seconds for the SSH port to stop answering. */
    readonly downSeconds: number;
    /** Seconds for it to answer again. */
    readonly upSeconds: number;
}

/** Run on the hypervisor: waits until the VM's SSH port goes away, then until it is back. */
export function rebootWait(s: RebootWaitSpec): string {
    const probe = `exec 3<>"/dev/tcp/$1/$2" && head -c 8 <&3`;
    const down = [
        sh`  if timeout 3 bash -c ${probe} probe ${s.ip} 22 >/dev/null 2>&1; then echo ${`SSH on ${s.ip} still answers: the VM has not gone down yet`}; return 1; fi`,
        sh`  echo ${`SSH on ${s.ip} is down`}`,
    ].join("\n");
    return [
        "(",
        waitScript({ context: { ...s.context, step: `${s.context.step}: going down` }, attempt: raw(down), totalSeconds: s.downSeconds }),
        ")",
        "(",
        sshPortWait({ ...s.context, step: `${s.context.step}: coming back` }, s.ip, 22, s.upSeconds),
        ")",
    ].join("\n");
}

export interface TestNetworkSpec {
    readonly context: ScriptContext;
    /** The VM's overlay addresses, which dpservice's DHCP hands out on the VF. */
    readonly ipv4: string;
    readonly ipv6?: string;
    /** The libvirt default network's gateway: its default route would carry the test traffic. */
    readonly gateway: string;
    /** Seconds to wait for the overlay addresses. */
    readonly totalSeconds: number;
    /** Defaults to GUEST_STATE_DIR. */
    readonly stateDir?: string;
}

/**
 * Waits until the VM holds its overlay addresses, opens the guest's nft input policy (Gardenlinux
 * drops the benchmarks' ports; the suite does the same) and drops the default route through
 * libvirt's network, so test traffic leaves through the VF. What it changes is recorded in
 * /run/pairbench for testNetworkDown.
 */
export function testNetworkUp(s: TestNetworkSpec): string {
    const hint = "dpservice's DHCP configures the VF; a VM that booted before its interface existed, or whose overlay address changed, needs dataplane.dpservice.reboot: true";
    const attempt = [
        sh`  ip -o -4 addr show to ${`${s.ipv4}/32`} | grep -q . || { echo ${`no interface has ${s.ipv4} yet (${hint})`}; return 1; }`,
        ...(s.ipv6 !== undefined
            ? [sh`  ip -o -6 addr show to ${`${s.ipv6}/128`} | grep -q . || { echo ${`no interface has ${s.ipv6} yet (${hint})`}; return 1; }`]
            : []),
        sh`  echo ${`overlay addresses present: ${[s.ipv4, s.ipv6].filter(Boolean).join(" ")}`}`,
    ].join("\n");
    return onVm(
        [
            sh`state=${s.stateDir ?? GUEST_STATE_DIR}; gw=${s.gateway}`,
            'mkdir -p "$state"',
            "(",
            waitScript({ context: s.context, attempt: raw(attempt), totalSeconds: s.totalSeconds }),
            ")",
            "if command -v nft >/dev/null 2>&1 && rules=$(nft list chain inet filter input 2>/dev/null); then",
            `  policy=$(printf '%s\\n' "$rules" | sed -n 's/.*policy \\([a-z]*\\);.*/\\1/p' | head -n 1)`,
            '  if [ "$policy" != accept ]; then',
            `    [ -e "$state/nft-input-policy" ] || printf '%s\\n' "$policy" > "$state/nft-input-policy"`,
            "    nft add chain inet filter input '{ policy accept; }'",
            "  fi",
            "fi",
            'routes=$(ip -4 route show default via "$gw")',
            'if [ -n "$routes" ]; then',
            `  [ -e "$state/libvirt-default-route" ] || printf '%s\\n' "$routes" > "$state/libvirt-default-route"`,
            '  while [ -n "$(ip -4 route show default via "$gw")" ]; do ip -4 route del default via "$gw"; done',
            "fi",
            sh`echo ${`test network ready: ${[s.ipv4, s.ipv6].filter(Boolean).join(" ")}; no default route via ${s.gateway}`}`,
        ].join("\n"),
    );
}

/** Puts back what testNetworkUp changed, if the VM still remembers it (a reboot undid it anyway). */
export function testNetworkDown(stateDir: string = GUEST_STATE_DIR): string {
    return onVm(
        [
            sh`state=${stateDir}`,
            'if [ -e "$state/libvirt-default-route" ]; then',
            // The saved lines are `ip route show` output, which `ip route add` takes back word by word.
            '  while IFS= read -r r; do [ -z "$r" ] || ip -4 route add $r 2>/dev/null || true; done < "$state/libvirt-default-route"',
            '  rm -f "$state/libvirt-default-route"',
            "fi",
            'if [ -e "$state/nft-input-policy" ]; then',
            '  case "$(cat "$state/nft-input-policy")" in drop) nft add chain inet filter input \'{ policy drop; }\' 2>/dev/null || true ;; esac',
            '  rm -f "$state/nft-input-policy"',
            "fi",
        ].join("\n"),
    );
}

/** Adds the load balancer's VIP to the target VM's loopback (upstream: `ip addr add VIP/32 dev lo`). */
export function loopbackVipAdd(vip: string, stateDir: string = GUEST_STATE_DIR): string {
    return onVm(
        [
            sh`state=${stateDir}; vip=${vip}`,
            'mkdir -p "$state"',
            'if ip -o -4 addr show dev lo to "$vip/32" | grep -q .; then',
            '  echo "$vip is already on lo"',
            "else",
            '  ip addr add "$vip/32" dev lo',
            '  touch "$state/lo-vip-$vip"',
            '  echo "$vip added to lo"',
            "fi",
        ].join("\n"),
    );
}

/** Removes the VIP from the loopback only if loopbackVipAdd put it there. */
export function loopbackVipDelete(vip: string, stateDir: string = GUEST_STATE_DIR): string {
    return onVm(
        [
            sh`state=${stateDir}; vip=${vip}`,
            '[ -e "$state/lo-vip-$vip" ] || exit 0',
            'ip addr del "$vip/32" dev lo 2>/dev/null || true',
            'rm -f "$state/lo-vip-$vip"',
        ].join("\n"),
    );
}

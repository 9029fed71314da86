// A stand-in hypervisor for running the generated scripts for real on this machine: fake
// `virsh`, `sysctl`, `nft` and `qemu-img` keep their state in files under a temp directory and
// log every call, so a test can run a create script, inspect the result, then run its delete.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const VIRSH = String.raw`#!/bin/bash
S="$FAKE_STATE"; printf 'virsh %s\n' "$*" >> "$S/calls"
netinfo() { [ -e "$S/net.xml" ] || { echo "error: network 'default' not found" >&2; exit 1; }
  printf 'Name:           default\nActive:         %s\nAutostart:      %s\n' "$(cat "$S/net.active")" "$(cat "$S/net.autostart")"; }
case "$1" in
  net-info) netinfo ;;
  net-dumpxml) [ -e "$S/net.xml" ] || exit 1; cat "$S/net.xml" ;;
  net-define) [ -e "$S/net.xml" ] && { echo "error: network exists" >&2; exit 1; }
    # libvirt's own formatting: single quotes, a UUID after the name
    if grep -q '<uuid>' "$2"; then sed -e "s/\"/'/g" "$2"; else
      sed -e "s/\"/'/g" -e "s|^\(  <name>.*</name>\)$|\1\n  <uuid>0a1b2c3d-0000-4000-8000-000000000001</uuid>|" "$2"; fi > "$S/net.xml"
    echo no > "$S/net.active"; echo no > "$S/net.autostart" ;;
  net-undefine) rm -f "$S/net.xml" ;;
  net-start) [ "$(cat "$S/net.active")" = yes ] && { echo "error: already active" >&2; exit 1; }; echo yes > "$S/net.active" ;;
  net-destroy) [ "$(cat "$S/net.active")" = no ] && { echo "error: network is not active" >&2; exit 1; }; echo no > "$S/net.active" ;;
  net-autostart) if [ "$2" = --disable ]; then echo no; else echo yes; fi > "$S/net.autostart" ;;
  net-dhcp-leases)
    n=$(( $(cat "$S/lease.calls" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$S/lease.calls"
    printf ' Expiry Time           MAC address         Protocol   IP address           Hostname   Client ID or DUID\n'
    printf -- '-----------------------------------------------------------------------------------------------------------\n'
    if [ -e "$S/lease.after" ] && [ "$n" -ge "$(cat "$S/lease.after")" ]; then
      printf ' 2030-01-01 00:00:00   %s   ipv4       192.168.122.45/24    vm1        -\n' "$4"
    fi ;;
  dominfo) [ -e "$S/dom.$2.xml" ] || { echo "error: failed to get domain '$2'" >&2; exit 1; }; echo "Name: $2" ;;
  domstate) cat "$S/dom.$2.state" ;;
  define) name=$(sed -n 's|.*<name>\(.*\)</name>.*|\1|p' "$2" | head -n 1); cp "$2" "$S/dom.$name.xml"; echo "shut off" > "$S/dom.$name.state" ;;
  start) [ -e "$S/dom.$2.xml" ] || exit 1; echo running > "$S/dom.$2.state" ;;
  destroy) [ "$(cat "$S/dom.$2.state")" = running ] || { echo "error: domain is not running" >&2; exit 1; }; echo "shut off" > "$S/dom.$2.state" ;;
  undefine) name="$2"; [ "$2" = --nvram ] && name="$3"; grep -q '<nvram' "$S/dom.$name.xml" && [ "$2" != --nvram ] && { echo "error: has nvram" >&2; exit 1; }
    rm -f "$S/dom.$name.xml" "$S/dom.$name.state" ;;
  dumpxml) cat "$S/dom.$3.xml" ;;
  domuuid) echo "uuid-of-$2" ;;
  *) echo "fake virsh: unknown $*" >&2; exit 2 ;;
esac
`;

const SYSCTL = String.raw`#!/bin/bash
S="$FAKE_STATE"; printf 'sysctl %s\n' "$*" >> "$S/calls"
case "$1" in
  -n) cat "$S/ip_forward" ;;
  -q) printf '%s\n' "$3" | sed 's/.*=//' > "$S/ip_forward" ;;
esac
`;

const NFT = String.raw`#!/bin/bash
S="$FAKE_STATE"; printf 'nft %s\n' "$*" >> "$S/calls"
[ -e "$S/nft.policy" ] || { echo "Error: No such file or directory" >&2; exit 1; }
case "$1" in
  list) printf 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy %s;\n\t}\n}\n' "$(cat "$S/nft.policy")" ;;
  add) p=$(printf '%s' "$6" | sed -n 's/.*policy \([a-z]*\);.*/\1/p'); echo "$p" > "$S/nft.policy" ;;
esac
`;

const QEMU_IMG = String.raw`#!/bin/bash
S="$FAKE_STATE"; printf 'qemu-img %s\n' "$*" >> "$S/calls"
for last; do :; done; : > "$last"
`;

export interface FakeHost {
    readonly dir: string;
    readonly state: string;
    run(command: string): { status: number; stdout: string; stderr: string };
    calls(): string[];
    read(file: string): string | undefined;
    write(file: string, text: string): void;
    cleanup(): void;
}

export function fakeHost(): FakeHost {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-fakehost-"));
    const bin = path.join(dir, "bin");
    const state = path.join(dir, "state");
    fs.mkdirSync(bin);
    fs.mkdirSync(state);
    for (const [name, text] of [["virsh", VIRSH], ["sysctl", SYSCTL], ["nft", NFT], ["qemu-img", QEMU_IMG]] as const) {
        fs.writeFileSync(path.join(bin, name), text, { mode: 0o755 });
    }
    fs.writeFileSync(path.join(state, "calls"), "");
    return {
        dir,
        state,
        run(command) {
            const r = spawnSync("bash", ["-c", command], {
                encoding: "utf8",
                env: { ...process.env, PATH: `${bin}:${process.env["PATH"]}`, FAKE_STATE: state },
            });
            return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        },
        calls: () => fs.readFileSync(path.join(state, "calls"), "utf8").split("\n").filter(Boolean),
        read: (file) => (fs.existsSync(path.join(state, file)) ? fs.readFileSync(path.join(state, file), "utf8") : undefined),
        write: (file, text) => fs.writeFileSync(path.join(state, file), text),
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

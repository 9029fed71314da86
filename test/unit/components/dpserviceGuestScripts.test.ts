// The VM-side dpservice steps, run for real against a fake `ip` and `nft` (state in files): the
// test network step waits for the overlay addresses, drops the libvirt default route and opens
// the guest's input policy, remembering what it changed so its delete puts exactly that back;
// the LB VIP goes on the loopback and leaves only if pairbench put it there. The reboot steps are
// checked as text only: running them would reboot this machine.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BOOT_ID_COMMAND, loopbackVipAdd, loopbackVipDelete, rebootStart, rebootWait, testNetworkDown, testNetworkUp } from "../../../components/dpservice/guestScripts";

const IP = String.raw`#!/bin/bash
S="$FAKE_STATE"; printf 'ip %s\n' "$*" >> "$S/calls"
case "$*" in
  "-o -4 addr show to "*|"-o -6 addr show to "*) a=${"$"}{6%/*}; grep -qxF -- "$a" "$S/addrs" 2>/dev/null && echo "2: enp2s0    inet $a/32 scope global enp2s0" ;;
  "-o -4 addr show dev lo to "*) a=${"$"}{8%/*}; grep -qxF -- "$a" "$S/lo" 2>/dev/null && echo "1: lo    inet $a/32 scope global lo" ;;
  "-4 route show default via "*) grep -- "^default via $6 " "$S/routes" || true ;;
  "-4 route del default via "*) l=$(grep -n -- "^default via $6 " "$S/routes" | head -n 1 | cut -d: -f1); [ -n "$l" ] || exit 2; sed -i "${"$"}{l}d" "$S/routes" ;;
  "-4 route add "*) shift 3; echo "$*" >> "$S/routes" ;;
  "addr add "*" dev lo") echo "${"$"}{3%/*}" >> "$S/lo" ;;
  "addr del "*" dev lo") grep -vxF -- "${"$"}{3%/*}" "$S/lo" > "$S/lo.tmp" || true; mv "$S/lo.tmp" "$S/lo" ;;
  *) echo "fake ip: unknown $*" >&2; exit 2 ;;
esac
`;

const NFT = String.raw`#!/bin/bash
S="$FAKE_STATE"; printf 'nft %s\n' "$*" >> "$S/calls"
[ -e "$S/nft.policy" ] || exit 1
case "$1" in
  list) printf 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy %s;\n\t}\n}\n' "$(cat "$S/nft.policy")" ;;
  add) printf '%s' "$6" | sed -n 's/.*policy \([a-z]*\);.*/\1/p' > "$S/nft.policy" ;;
esac
`;

describe("dpservice VM steps (against a fake ip and nft)", function () {
    this.timeout(60000);
    let dir: string;
    let state: string;
    let run: (command: string) => { status: number; stdout: string; stderr: string };
    const file = (f: string) => (fs.existsSync(path.join(state, f)) ? fs.readFileSync(path.join(state, f), "utf8") : "");
    const spec = (over: Partial<Parameters<typeof testNetworkUp>[0]> = {}) => ({
        context: { host: "VM vm1 (via hypervisor hypervisor-1)", step: "overlay addresses from dpservice" },
        ipv4: "192.168.129.5", ipv6: "2002::123", gateway: "192.168.122.1", totalSeconds: 2, stateDir: path.join(dir, "run"), ...over,
    });

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-guest-"));
        state = path.join(dir, "state");
        fs.mkdirSync(path.join(dir, "bin"));
        fs.mkdirSync(state);
        fs.writeFileSync(path.join(dir, "bin", "ip"), IP, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "bin", "nft"), NFT, { mode: 0o755 });
        fs.writeFileSync(path.join(state, "routes"), "default via 192.168.122.1 dev enp1s0 proto dhcp src 192.168.122.11 metric 1024\ndefault via 192.168.129.1 dev enp2s0 proto dhcp metric 1025\n");
        fs.writeFileSync(path.join(state, "nft.policy"), "drop");
        fs.writeFileSync(path.join(state, "calls"), "");
        run = (command) => {
            const r = spawnSync("bash", ["-c", command], { encoding: "utf8", env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env["PATH"]}`, FAKE_STATE: state } });
            return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        };
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("with its overlay addresses, the VM loses libvirt's default route and its input policy drop; delete puts both back", () => {
        fs.writeFileSync(path.join(state, "addrs"), "192.168.129.5\n2002::123\n");
        const up = run(testNetworkUp(spec()));
        assert.strictEqual(up.status, 0, up.stderr);
        assert.match(up.stdout, /test network ready: 192\.168\.129\.5 2002::123; no default route via 192\.168\.122\.1\n$/);
        assert.strictEqual(file("routes"), "default via 192.168.129.1 dev enp2s0 proto dhcp metric 1025\n", "the dpservice route stays");
        assert.strictEqual(file("nft.policy"), "accept");
        assert.strictEqual(run(testNetworkUp(spec())).status, 0, "again: nothing left to change, nothing forgotten");
        const down = run(testNetworkDown(path.join(dir, "run")));
        assert.strictEqual(down.status, 0, down.stderr);
        assert.ok(file("routes").includes("default via 192.168.122.1 dev enp1s0 proto dhcp src 192.168.122.11 metric 1024"));
        assert.strictEqual(file("nft.policy"), "drop");
        assert.deepStrictEqual(fs.readdirSync(path.join(dir, "run")), []);
    });

    it("without them it fails after the timeout, saying what dpservice's DHCP needs", () => {
        fs.writeFileSync(path.join(state, "addrs"), "192.168.129.5\n");
        const r = run(testNetworkUp(spec()));
        assert.strictEqual(r.status, 1);
        assert.match(r.stderr, /pairbench: timeout after 2s \(\d+ attempts\): VM vm1 \(via hypervisor hypervisor-1\), step overlay addresses from dpservice; last output: no interface has 2002::123 yet \(dpservice's DHCP configures the VF; a VM that booted before its interface existed, or whose overlay address changed, needs dataplane\.dpservice\.reboot: true\)/);
        assert.ok(file("routes").includes("via 192.168.122.1"), "nothing is changed before the addresses are there");
    });

    it("puts the VIP on the loopback, and removes only a VIP it added", () => {
        const runDir = path.join(dir, "run");
        assert.match(run(loopbackVipAdd("10.20.30.30", runDir)).stdout, /10\.20\.30\.30 added to lo/);
        assert.strictEqual(file("lo"), "10.20.30.30\n");
        assert.strictEqual(run(loopbackVipDelete("10.20.30.30", runDir)).status, 0);
        assert.strictEqual(file("lo"), "");
        fs.writeFileSync(path.join(state, "lo"), "10.20.30.30\n");
        assert.match(run(loopbackVipAdd("10.20.30.30", runDir)).stdout, /already on lo/);
        run(loopbackVipDelete("10.20.30.30", runDir));
        assert.strictEqual(file("lo"), "10.20.30.30\n", "someone else's address stays");
    });

    it("reboot: prints the boot ID first and reboots 2 s later, detached from the SSH session; the wait sees it go and come back", () => {
        const start = rebootStart();
        assert.match(start, /^sh -c /);
        const script = spawnSync("bash", ["-c", `printf '%s\\0' ${start}`], { encoding: "utf8" }).stdout.split("\0")[2]!;
        assert.deepStrictEqual(script.split("\n"), [
            "set -eu",
            "boot=$(cat /proc/sys/kernel/random/boot_id)",
            "if command -v systemd-run >/dev/null 2>&1; then",
            "  systemd-run --quiet --on-active=2 systemctl reboot >/dev/null",
            "else",
            "  nohup sh -c 'sleep 2; reboot' >/dev/null 2>&1 &",
            "fi",
            'echo "$boot"',
        ]);
        assert.strictEqual(BOOT_ID_COMMAND, "cat /proc/sys/kernel/random/boot_id");
        const wait = rebootWait({ context: { host: "hypervisor hypervisor-1 (root@h:22)", vm: "vm1", step: "reboot" }, ip: "192.168.122.11", downSeconds: 120, upSeconds: 300 });
        const down = wait.indexOf("still answers");
        const up = wait.indexOf("no SSH banner");
        assert.ok(down > 0 && up > down, "first down, then up");
        assert.match(wait, /step reboot: going down/);
        assert.match(wait, /step reboot: coming back/);
        assert.match(wait, /pb_total=120\n[\s\S]*pb_total=300\n/);
    });
});

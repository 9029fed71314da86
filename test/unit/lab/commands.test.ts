// The argv arrays `pairbench lab` runs: exact commands, and only the expected programs.
import * as assert from "assert";
import * as fc from "fast-check";
import {
    daemonStart, DAEMONS, dpkgQuery, holderArgv, inHypervisor, mgmtBridgeCreate, mgmtLinkCreate, netnsCreate, privateMounts, underlayCreate,
} from "../../../lab/commands";
import { labSpec } from "../../../lab/spec";

const spec = labSpec("/p", { libvirtCacheDir: "/c" });
const [hv1, hv2] = spec.hypervisors as [typeof spec.hypervisors[0], typeof spec.hypervisors[0]];

describe("lab commands", () => {
    it("build the management network: bridge in the root namespace, a veth into each namespace", () => {
        assert.deepStrictEqual(mgmtBridgeCreate(spec), [
            ["ip", "link", "add", "pb-lab0", "type", "bridge"],
            ["ip", "addr", "add", "198.18.0.1/24", "dev", "pb-lab0"],
            ["ip", "link", "set", "pb-lab0", "up"],
        ]);
        assert.deepStrictEqual(netnsCreate(hv1), [["ip", "netns", "add", "pb-hv1"], ["ip", "-n", "pb-hv1", "link", "set", "lo", "up"]]);
        assert.deepStrictEqual(mgmtLinkCreate(spec, hv1), [
            ["ip", "link", "add", "pb-hv1-m", "type", "veth", "peer", "name", "mgmt0", "netns", "pb-hv1"],
            ["ip", "link", "set", "pb-hv1-m", "master", "pb-lab0"],
            ["ip", "link", "set", "pb-hv1-m", "up"],
            ["ip", "-n", "pb-hv1", "addr", "add", "198.18.0.11/24", "dev", "mgmt0"],
            ["ip", "-n", "pb-hv1", "link", "set", "mgmt0", "up"],
        ]);
    });

    it("join the namespaces with one jumbo-MTU veth (VXLAN's 50 bytes on top of 1500)", () => {
        assert.deepStrictEqual(underlayCreate(spec, hv1, hv2), [
            ["ip", "-n", "pb-hv1", "link", "add", "underlay0", "mtu", "9000", "type", "veth", "peer", "name", "underlay0", "mtu", "9000", "netns", "pb-hv2"],
            ["ip", "-n", "pb-hv1", "addr", "add", "198.18.1.11/24", "dev", "underlay0"],
            ["ip", "-n", "pb-hv1", "link", "set", "underlay0", "up"],
            ["ip", "-n", "pb-hv2", "addr", "add", "198.18.1.12/24", "dev", "underlay0"],
            ["ip", "-n", "pb-hv2", "link", "set", "underlay0", "up"],
        ]);
    });

    it("hold the private mount namespace with sleep, entered by nsenter for mounts and daemons", () => {
        assert.deepStrictEqual(holderArgv(hv1), ["ip", "netns", "exec", "pb-hv1", "unshare", "--mount", "--propagation", "private", "sleep", "infinity"]);
        assert.deepStrictEqual(privateMounts(hv1, 4242)[0], [
            "nsenter", "--mount=/proc/4242/ns/mnt", "--net=/run/netns/pb-hv1", "--", "mount", "--bind", "/p/.pairbench/lab/hv1/run", "/run/libvirt",
        ]);
        assert.throws(() => inHypervisor(hv1, 1, ["true"]), /holder pid 1 is not a process id/);
    });

    it("start each daemon with its pid file inside the private /run/libvirt", () => {
        assert.deepStrictEqual(
            DAEMONS.map((d) => daemonStart(hv2, 7, d).slice(4)),
            [
                ["virtlogd", "-d", "-p", "/run/libvirt/virtlogd.pid"],
                ["libvirtd", "-d", "-p", "/run/libvirt/libvirtd.pid"],
                ["/usr/sbin/sshd", "-f", "/p/.pairbench/lab/hv2/sshd_config", "-E", "/p/.pairbench/lab/hv2/log/sshd.log"],
            ],
        );
    });

    it("query dpkg with a format that names each package and its status", () => {
        assert.deepStrictEqual(dpkgQuery(["a", "b"]), ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Abbrev}\\n", "a", "b"]);
    });

    it("never build a shell command: hypervisor names and pids end up as single argv elements", () => {
        fc.assert(
            fc.property(fc.integer({ min: 2, max: 4_000_000 }), (pid) => {
                for (const argv of [...privateMounts(hv1, pid), ...DAEMONS.map((d) => daemonStart(hv1, pid, d))]) {
                    assert.ok(["nsenter"].includes(argv[0]!));
                    assert.ok(!argv.some((a) => a === "sh" || a === "bash" || a === "-c"), argv.join(" "));
                }
            }),
        );
    });
});

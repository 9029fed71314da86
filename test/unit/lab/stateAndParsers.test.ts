// state.json, dpkg-query and the small parsers of system facts.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { missingPackages, LAB_PACKAGES } from "../../../lab/packages";
import { emptyState, parseState, readState, writeState } from "../../../lab/state";
import { parseLinkNames, parseMountinfo } from "../../../lab/system";

describe("lab state", () => {
    it("round-trips through state.json and drops pids that are not pids", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-state-"));
        try {
            const file = path.join(dir, "state.json");
            const s = emptyState(new Date("2030-01-01T00:00:00Z"));
            s.mgmtBridge = "pb-lab0";
            s.runNetnsMount = true;
            s.createdDirs.push("/var/lib/pairbench");
            s.hypervisors["hv1"] = { netns: "pb-hv1", holderPid: 100, pids: { libvirtd: 101, sshd: -3 as number } };
            writeState(file, s, new Date("2030-01-01T00:00:01Z"));
            const back = readState(file)!;
            assert.strictEqual(back.updatedAt, "2030-01-01T00:00:01.000Z");
            assert.deepStrictEqual(back.hypervisors, { hv1: { netns: "pb-hv1", holderPid: 100, pids: { libvirtd: 101 } } });
            assert.deepStrictEqual(back.createdDirs, ["/var/lib/pairbench"]);
            assert.strictEqual(readState(path.join(dir, "missing.json")), undefined);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("names the file when it is not a lab state", () => {
        assert.throws(() => parseState("{", "/x/state.json"), /\/x\/state\.json is not JSON/);
        assert.throws(() => parseState('{"version": 9}', "/x/state.json"), /\/x\/state\.json is not a version 1 lab state/);
        assert.throws(() => parseState('{"version": 1, "hypervisors": {"hv1": {}}}', "s"), /s: hypervisors\.hv1\.netns is missing/);
    });
});

describe("lab parsers", () => {
    it("finds the packages dpkg does not report as installed", () => {
        const out = "iproute2 ii \nlibvirt-daemon un \nlibc-bin:amd64 ii \n";
        assert.deepStrictEqual(missingPackages(["iproute2", "libvirt-daemon", "libc-bin", "sockperf"], out), ["libvirt-daemon", "sockperf"]);
        assert.ok(LAB_PACKAGES.every((p) => p.name !== "libvirt-daemon-system"), "the host libvirtd package stays out");
    });

    it("reads link names from `ip -o link show` and mount points from mountinfo", () => {
        const links = "1: lo: <LOOPBACK,UP> mtu 65536\n7: pb-hv1-m@if2: <BROADCAST> mtu 1500 master pb-lab0\n";
        assert.deepStrictEqual(parseLinkNames(links), ["lo", "pb-hv1-m"]);
        const mi = "36 25 0:32 / /run/netns rw shared:5 - tmpfs tmpfs rw\n37 36 0:4 net:[4026532] /run/netns/pb-hv1 rw - nsfs nsfs rw\n40 1 8:1 / /a\\040b rw - ext4 /dev/x rw\n";
        assert.deepStrictEqual(parseMountinfo(mi), ["/run/netns", "/run/netns/pb-hv1", "/a b"]);
    });
});

// The lab's layout: names, addresses and paths derived from the spec.
import * as assert from "assert";
import { insideView, labSpec, pairbenchCacheDir, underlayPeers, validateLabOptions } from "../../../lab/spec";

describe("lab spec", () => {
    const spec = labSpec("/p", { libvirtCacheDir: "/c/libvirt" });

    it("has the dev stack's two hypervisors at .11 and .12 on both networks", () => {
        assert.deepStrictEqual(
            spec.hypervisors.map((h) => [h.name, h.netns, h.mgmtVethHost, h.mgmtIp, h.underlayIp]),
            [
                ["hv1", "pb-hv1", "pb-hv1-m", "198.18.0.11", "198.18.1.11"],
                ["hv2", "pb-hv2", "pb-hv2-m", "198.18.0.12", "198.18.1.12"],
            ],
        );
        assert.strictEqual(spec.mgmtBridge, "pb-lab0");
        assert.strictEqual(spec.mgmtBridgeCidr, "198.18.0.1/24");
        assert.strictEqual(spec.clientKey, "/p/.pairbench/lab/id_ed25519", "Pulumi.dev.yaml's sshKey.path");
        assert.strictEqual(spec.stateFile, "/p/.pairbench/lab/state.json");
    });

    it("gives each hypervisor private libvirt state and workDir, and shares only the capabilities cache", () => {
        const [hv1, hv2] = spec.hypervisors;
        assert.deepStrictEqual(hv1!.mounts, [
            { target: "/run/libvirt", source: "/p/.pairbench/lab/hv1/run" },
            { target: "/var/lib/libvirt", source: "/p/.pairbench/lab/hv1/lib" },
            { target: "/etc/libvirt", source: "/p/.pairbench/lab/hv1/etc" },
            { target: "/var/log/libvirt", source: "/p/.pairbench/lab/hv1/log" },
            { target: "/var/lib/pairbench", source: "/p/.pairbench/lab/hv1/workdir" },
            { target: "/var/cache/libvirt", source: "/c/libvirt" },
            { target: "/etc/passwd", source: "/p/.pairbench/lab/hv1/passwd", file: true },
            { target: "/etc/group", source: "/p/.pairbench/lab/hv1/group", file: true },
        ]);
        const own = (h: typeof hv1) => h!.mounts.filter((m) => m.target !== "/var/cache/libvirt").map((m) => m.source);
        assert.ok(own(hv1).every((s) => !own(hv2).includes(s)));
        assert.strictEqual(hv1!.libvirtdPidFile, "/p/.pairbench/lab/hv1/run/libvirtd.pid");
        assert.strictEqual(insideView(hv1!, hv1!.libvirtdPidFile), "/run/libvirt/libvirtd.pid");
        assert.strictEqual(insideView(hv1!, "/elsewhere/x"), "/elsewhere/x");
    });

    it("lists the other hypervisor's underlay address as the VXLAN remote", () => {
        assert.deepStrictEqual(underlayPeers(spec, "hv1"), ["198.18.1.12"]);
    });

    it("takes the cache directory from XDG_CACHE_HOME only when it is absolute", () => {
        assert.strictEqual(pairbenchCacheDir({ XDG_CACHE_HOME: "/x" }, "/home/u"), "/x/pairbench");
        assert.strictEqual(pairbenchCacheDir({ XDG_CACHE_HOME: "rel" }, "/home/u"), "/home/u/.cache/pairbench");
        assert.strictEqual(pairbenchCacheDir({}, "/root"), "/root/.cache/pairbench");
    });

    it("rejects bad options listing every problem", () => {
        assert.throws(() => validateLabOptions({ names: ["hv1", "hv1", "Bad"], prefix: "pb-", mgmtNet: "1.2.300" }), {
            message:
                "invalid lab options: names: the underlay joins exactly two hypervisors (got 3); names must be distinct; " +
                "name 'Bad' must match [a-z0-9][a-z0-9-]*; mgmtNet '1.2.300' must be three octets such as 198.18.0",
        });
        assert.throws(() => validateLabOptions({ names: ["averylongname", "b"] }), /'pb-averylongname-m' is longer than 15 characters/);
    });
});

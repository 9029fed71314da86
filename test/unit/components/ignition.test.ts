import * as assert from "assert";
import { execFileSync } from "child_process";
import { buildIgnition, IgnitionSpec, renderIgnition, stableStringify, testNicEnv } from "../../../components/ignition";

const spec: IgnitionSpec = {
    hostname: "vm1",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAkey one@x", ""],
    passwordHash: "$6$salt$hash",
    managementMac: "02:00:00:00:00:01",
    testNic: { mode: "static", mac: "02:00:00:00:00:02", ipv4: "198.19.66.5", ipv6: "fd00:66::5" },
    hosts: [{ address: "198.19.66.6", names: ["netperf-peer", "vm2"] }],
    systemd: true,
};

const doc = (s: IgnitionSpec = spec) => JSON.parse(renderIgnition(s));
const decode = (source: string) => decodeURIComponent(source.replace(/^data:,/, ""));
const fileAt = (d: any, p: string) => d.storage.files.find((f: any) => f.path === p);

describe("ignition config", () => {
    it("is spec 3.3.0 with root's keys and password hash", () => {
        const d = doc();
        assert.strictEqual(d.ignition.version, "3.3.0");
        assert.deepStrictEqual(d.passwd.users, [{ name: "root", passwordHash: "$6$salt$hash", sshAuthorizedKeys: ["ssh-ed25519 AAAAkey one@x"] }]);
        assert.strictEqual(doc({ ...spec, passwordHash: undefined } as IgnitionSpec).passwd.users[0].passwordHash, undefined);
    });

    it("writes hostname, the netperf-peer hosts entry, authorized_keys and the test NIC", () => {
        const d = doc();
        assert.strictEqual(decode(fileAt(d, "/etc/hostname").contents.source), "vm1\n");
        assert.strictEqual(decode(fileAt(d, "/etc/hosts").append[0].source), "# pairbench: the test network\n198.19.66.6 netperf-peer vm2\n");
        assert.strictEqual(fileAt(d, "/root/.ssh/authorized_keys").mode, 0o600);
        assert.match(decode(fileAt(d, "/etc/systemd/network/10-pairbench-test.network").contents.source), /MACAddress=02:00:00:00:00:02\n[^]*Address=198.19.66.5\/24\nAddress=fd00:66::5\/64/);
        assert.deepStrictEqual(d.systemd.units.map((u: any) => u.name), ["pairbench-root-ssh.service"]);
    });

    it("leaves out networkd and units for guests without systemd, and static config for DHCP NICs", () => {
        const d = doc({ ...spec, systemd: false });
        assert.strictEqual(d.systemd, undefined);
        assert.strictEqual(fileAt(d, "/etc/systemd/network/10-pairbench-test.network"), undefined);
        const vf = doc({ ...spec, testNic: { mode: "dhcp" } });
        assert.strictEqual(fileAt(vf, "/etc/systemd/network/10-pairbench-test.network"), undefined);
        assert.match(decode(fileAt(vf, "/etc/pairbench/test-nic.env").contents.source), /TEST_MODE=dhcp\n$/);
    });

    it("writes a test-nic.env that sh sources to the right values", () => {
        const env = testNicEnv({ ...spec, hostname: "vm-1" });
        const out = execFileSync("sh", ["-c", `${env}\nprintf '%s|' "$PAIRBENCH_VM" "$MGMT_MAC" "$TEST_MODE" "$TEST_MAC" "$TEST_IPV4" "$TEST_IPV6"`], { encoding: "utf8" });
        assert.strictEqual(out, "vm-1|02:00:00:00:00:01|static|02:00:00:00:00:02|198.19.66.5/24|fd00:66::5/64|");
    });

    it("serialises with sorted keys: key order of the input never changes the bytes", () => {
        const permuted = Object.fromEntries(Object.entries(spec).reverse()) as unknown as IgnitionSpec;
        assert.strictEqual(renderIgnition(permuted), renderIgnition(spec));
        assert.strictEqual(stableStringify({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }), stableStringify({ a: { c: null, d: [2, { y: 2, z: 1 }] }, b: 1 }));
        const text = renderIgnition(spec);
        assert.ok(text.indexOf('"ignition"') < text.indexOf('"passwd"') && text.indexOf('"passwd"') < text.indexOf('"storage"'));
    });

    it("rejects a spec without keys or with a bad hosts entry, listing every problem", () => {
        assert.throws(() => buildIgnition({ ...spec, sshAuthorizedKeys: [" "], hosts: [{ address: "x y", names: ["Bad_Name"] }] }), {
            message:
                "invalid ignition spec for vm1: at least one SSH public key is needed (root logs in with it); " +
                "hosts[0].address 'x y' is not an IP address; hosts[0] name 'Bad_Name' is not a host name",
        });
    });
});

// Daemon configs and SSH client files of the lab.
import * as assert from "assert";
import { knownHosts, libvirtConfigFiles, sshClientConfig, sshdConfig, withQemuAccount } from "../../../lab/files";
import { labSpec } from "../../../lab/spec";

const spec = labSpec("/p", { libvirtCacheDir: "/c" });
const hv1 = spec.hypervisors[0]!;

describe("lab files", () => {
    it("sshd listens only on the management address, root by key, forwarding on for the jump to VMs", () => {
        const lines = sshdConfig(spec, hv1, "/run/libvirt/sshd.pid").split("\n");
        for (const want of [
            "ListenAddress 198.18.0.11:22",
            "HostKey /p/.pairbench/lab/hv1/ssh_host_ed25519_key",
            "PidFile /run/libvirt/sshd.pid",
            "AuthorizedKeysFile /p/.pairbench/lab/authorized_keys",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "AllowTcpForwarding yes",
            "Subsystem sftp internal-sftp",
        ]) {
            assert.ok(lines.includes(want), `missing: ${want}`);
        }
        assert.strictEqual(lines.filter((l) => l.startsWith("ListenAddress")).length, 1);
    });

    it("libvirt runs QEMU as root without a security driver and keeps root-only sockets", () => {
        const files = libvirtConfigFiles();
        assert.deepStrictEqual(Object.keys(files).sort(), ["libvirtd.conf", "qemu.conf", "virtlogd.conf"]);
        assert.match(files["qemu.conf"]!, /^user = "root"$/m);
        assert.match(files["qemu.conf"]!, /^security_driver = "none"$/m);
        assert.match(files["libvirtd.conf"]!, /^unix_sock_rw_perms = "0700"$/m);
    });

    it("adds the libvirt-qemu account libvirtd resolves at start-up, under an id free in both files, once", () => {
        const passwd = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\nx:x:64000:64001::/:/bin/sh";
        const group = "root:x:0:\ny:x:64001:\n";
        const out = withQemuAccount(passwd, group);
        assert.strictEqual(out.passwd, `${passwd}\nlibvirt-qemu:x:64002:64002:pairbench lab (QEMU runs as root):/nonexistent:/usr/sbin/nologin\n`);
        assert.strictEqual(out.group, `${group}libvirt-qemu:x:64002:\n`);
        assert.deepStrictEqual(withQemuAccount(out.passwd, out.group), out, "idempotent");
        // A host that already has the group (e.g. from an earlier libvirt-daemon-system) keeps its id.
        const hostGroup = `${group}libvirt-qemu:x:120:\n`;
        const joined = withQemuAccount(passwd, hostGroup);
        assert.match(joined.passwd, /^libvirt-qemu:x:64002:120:/m);
        assert.strictEqual(joined.group, hostGroup);
    });

    it("known_hosts names each hypervisor by name and address; a malformed key is an error", () => {
        const keys = { hv1: "ssh-ed25519 AAAA1 c1\n", hv2: "ssh-ed25519 AAAA2" };
        assert.strictEqual(knownHosts(spec, keys), "hv1,198.18.0.11 ssh-ed25519 AAAA1\nhv2,198.18.0.12 ssh-ed25519 AAAA2\n");
        assert.throws(() => knownHosts(spec, { hv1: "junk" }), /public host key of hv1 is not 'type base64'/);
        assert.throws(() => knownHosts(spec, { hv1: "ssh-ed25519 A" }), /no public host key for hypervisor hv2/);
    });

    it("the SSH client config checks the hypervisors' keys but not the VMs' (new on every boot)", () => {
        const text = sshClientConfig(spec);
        assert.match(text, /Host hv1\n {2}HostName 198\.18\.0\.11\n {2}User root\n {2}IdentityFile \/p\/\.pairbench\/lab\/id_ed25519\n/);
        assert.match(text, /StrictHostKeyChecking yes[\s\S]*Host \*[\s\S]*StrictHostKeyChecking no/);
    });
});

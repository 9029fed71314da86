// The Ignition config a test VM reads on first boot (QEMU fw_cfg `opt/com.coreos/config`).
// Pure: plain data in, a JSON document out, keys sorted recursively so the same spec always
// gives the same bytes (a changed byte would replace the VM).
//
// Spec 3.3.0: the newest stable spec that Debian's ignition 2.14 (the emulated lab's guest and the
// contract tests' `ignition-validate`) accepts; Gardenlinux's newer Ignition reads it too.
import { shellArg } from "./shell";

export const IGNITION_VERSION = "3.3.0";

/** Address configuration of the NIC under test. */
export type TestNicConfig =
    /** Fixed addresses on a NIC found by its MAC (the emulated lab's bridge port). */
    | {
          readonly mode: "static";
          readonly mac: string;
          readonly ipv4: string;
          /** Defaults to 24. */
          readonly ipv4Prefix?: number;
          readonly ipv6?: string;
          /** Defaults to 64. */
          readonly ipv6Prefix?: number;
      }
    /** Addresses from the dataplane's DHCP (dpservice answers DHCP on the VF), as upstream does. */
    | { readonly mode: "dhcp" };

export interface HostsEntry {
    readonly address: string;
    readonly names: readonly string[];
}

export interface IgnitionSpec {
    readonly hostname: string;
    /** Public keys (OpenSSH one-line format) allowed to log in as root. */
    readonly sshAuthorizedKeys: readonly string[];
    /** SHA-512 crypt hash for root's console login; a secret, so the document is one too. */
    readonly passwordHash?: string;
    readonly managementMac: string;
    readonly testNic: TestNicConfig;
    /** Lines appended to /etc/hosts, e.g. `netperf-peer`. */
    readonly hosts: readonly HostsEntry[];
    /** The guest runs systemd (disk images such as Gardenlinux): networkd file and units. */
    readonly systemd: boolean;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const MODE_0644 = 0o644;
const MODE_0600 = 0o600;
const MODE_0700 = 0o700;

function dataUrl(text: string): string {
    return `data:,${encodeURIComponent(text)}`;
}

function file(path: string, contents: string, mode: number): Json {
    return { path, mode, overwrite: true, contents: { source: dataUrl(contents) } };
}

/**
 * A shell-sourceable description of the VM's NICs at /etc/pairbench/test-nic.env, for guests
 * without systemd-networkd (the emulated lab's initramfs guest applies it itself).
 */
export function testNicEnv(spec: Pick<IgnitionSpec, "hostname" | "managementMac" | "testNic">): string {
    const vars: Array<[string, string]> = [
        ["PAIRBENCH_VM", spec.hostname],
        ["MGMT_MAC", spec.managementMac],
        ["TEST_MODE", spec.testNic.mode],
    ];
    const nic = spec.testNic;
    if (nic.mode === "static") {
        vars.push(["TEST_MAC", nic.mac], ["TEST_IPV4", `${nic.ipv4}/${nic.ipv4Prefix ?? 24}`]);
        if (nic.ipv6 !== undefined) vars.push(["TEST_IPV6", `${nic.ipv6}/${nic.ipv6Prefix ?? 64}`]);
    }
    // Plain values stay unquoted so simple KEY=VALUE readers work too; anything else is quoted.
    const value = (v: string) => (/^[A-Za-z0-9._/:@%+-]+$/.test(v) ? v : shellArg(v));
    return vars.map(([k, v]) => `${k}=${value(v)}\n`).join("");
}

/** systemd-networkd config for a static test NIC; the 10- prefix wins over a distro's catch-all. */
export function testNicNetworkd(nic: Extract<TestNicConfig, { mode: "static" }>): string {
    const lines = ["[Match]", `MACAddress=${nic.mac}`, "", "[Network]", `Address=${nic.ipv4}/${nic.ipv4Prefix ?? 24}`];
    if (nic.ipv6 !== undefined) lines.push(`Address=${nic.ipv6}/${nic.ipv6Prefix ?? 64}`);
    lines.push("LinkLocalAddressing=ipv6", "IPv6AcceptRA=no", "");
    return lines.join("\n");
}

/**
 * The dpservice suite's allowrootssh.service, as a unit that runs before sshd instead of
 * restarting it: the benchmarks log in as root with a key.
 */
export const ROOT_SSH_UNIT = [
    "[Unit]",
    "Description=pairbench: allow root logins with SSH keys",
    "Before=ssh.service sshd.service",
    "",
    "[Service]",
    "Type=oneshot",
    "ExecStart=/bin/sed -i -E 's/^#?[[:space:]]*PermitRootLogin.*/PermitRootLogin prohibit-password/' /etc/ssh/sshd_config",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
].join("\n");

/** Checks a spec; lists every problem in one message. */
export function validateIgnitionSpec(spec: IgnitionSpec): void {
    const problems: string[] = [];
    if (!/^[a-z0-9][a-z0-9-]*$/.test(spec.hostname)) problems.push(`hostname '${spec.hostname}' must match [a-z0-9][a-z0-9-]*`);
    const keys = spec.sshAuthorizedKeys.filter((k) => k.trim() !== "");
    if (keys.length === 0) problems.push("at least one SSH public key is needed (root logs in with it)");
    keys.forEach((k, i) => {
        if (/[\r\n]/.test(k.trim())) problems.push(`sshAuthorizedKeys[${i}] must be one line`);
    });
    spec.hosts.forEach((h, i) => {
        if (!/^[0-9a-fA-F.:]+$/.test(h.address)) problems.push(`hosts[${i}].address '${h.address}' is not an IP address`);
        for (const n of h.names) if (!/^[a-z0-9][a-z0-9.-]*$/.test(n)) problems.push(`hosts[${i}] name '${n}' is not a host name`);
    });
    if (problems.length > 0) throw new Error(`invalid ignition spec for ${spec.hostname}: ${problems.join("; ")}`);
}

/** The Ignition config as a JSON value. */
export function buildIgnition(spec: IgnitionSpec): Json {
    validateIgnitionSpec(spec);
    const root: { [key: string]: Json } = {
        name: "root",
        sshAuthorizedKeys: spec.sshAuthorizedKeys.map((k) => k.trim()).filter((k) => k !== ""),
    };
    if (spec.passwordHash !== undefined) root["passwordHash"] = spec.passwordHash;

    const keys = (root["sshAuthorizedKeys"] as string[]).join("\n") + "\n";
    const hosts = ["# pairbench: the test network", ...spec.hosts.map((h) => `${h.address} ${h.names.join(" ")}`)];
    const files: Json[] = [
        file("/etc/hostname", `${spec.hostname}\n`, MODE_0644),
        { path: "/etc/hosts", mode: MODE_0644, append: [{ source: dataUrl(hosts.join("\n") + "\n") }] },
        file("/etc/pairbench/test-nic.env", testNicEnv(spec), MODE_0644),
        // Ignition itself writes authorized_keys.d/ignition; dropbear reads only this file.
        file("/root/.ssh/authorized_keys", keys, MODE_0600),
    ];
    const units: Json[] = [];
    if (spec.systemd) {
        if (spec.testNic.mode === "static") {
            files.push(file("/etc/systemd/network/10-pairbench-test.network", testNicNetworkd(spec.testNic), MODE_0644));
        }
        units.push({ name: "pairbench-root-ssh.service", enabled: true, contents: ROOT_SSH_UNIT });
    }
    files.sort((a, b) => String((a as { path: string }).path).localeCompare(String((b as { path: string }).path)));

    const config: { [key: string]: Json } = {
        ignition: { version: IGNITION_VERSION },
        passwd: { users: [root] },
        storage: {
            directories: [{ path: "/root/.ssh", mode: MODE_0700, overwrite: true }],
            files,
        },
    };
    if (units.length > 0) config["systemd"] = { units };
    return config;
}

/** JSON with object keys sorted at every level; arrays keep their order. */
export function stableStringify(value: Json): string {
    const sort = (v: Json): Json => {
        if (Array.isArray(v)) return v.map(sort);
        if (v !== null && typeof v === "object") {
            const out: { [key: string]: Json } = {};
            for (const k of Object.keys(v).sort()) out[k] = sort(v[k] as Json);
            return out;
        }
        return v;
    };
    return JSON.stringify(sort(value), null, 2) + "\n";
}

/** The Ignition document for the hypervisor's ignition file. */
export function renderIgnition(spec: IgnitionSpec): string {
    return stableStringify(buildIgnition(spec));
}

// `pairbench lab verify`: boots the dev stack's VMs in the running lab without Pulumi — the
// components' own domain XML, ignition, network and VXLAN builders, driven over SSH as Pulumi
// would — then checks SSH through the hypervisor, the test network (IPv4 and IPv6), and runs the
// benchmarks' own iperf3 and sockperf scripts (busybox sh in the guest) same-host and
// cross-host, and removes everything it made. Proves the guest image and the lab.
import * as fs from "fs";
import * as path from "path";
import { StackConfig, validateStackConfig, readStackFile } from "../config/index";
import { buildDomainXml } from "../components/domainXml";
import { hostCommand } from "../components/hostScripts";
import { renderIgnition } from "../components/ignition";
import { buildNetworkXml } from "../components/networkXml";
import { vmPaths } from "../components/naming";
import { domainSpecFor, ignitionSpecFor, planLibvirt, VmPlan } from "../components/plan";
import { sh, shellCommand } from "../components/shell";
import { vxlanCreate, vxlanDelete } from "../components/vxlanScripts";
import { iperf3ClientRound, iperf3ServerStart, iperf3ServerStop, sockperfClientRound, sockperfServerStart, sockperfServerStop, splitFlows } from "../benchmarks/commands";
import { parseIperf3 } from "../benchmarks/iperf3";
import { parseSockperf } from "../benchmarks/sockperf";
import { Argv } from "./commands";
import { Progress, run, waitFor } from "./runner";
import { LabSpec, underlayPeers } from "./spec";

/** Where verify keeps its files on a hypervisor: libvirt's private directory, not the stack's workDir. */
export const VERIFY_DIR = "/var/lib/libvirt/pairbench-verify";
const PREFIX = "verify-";

export interface VerifyVm {
    readonly plan: VmPlan;
    readonly xml: string;
    readonly ignition: string;
}

/** The dev stack's VMs, renamed `verify-<vm>`, as domain XML and ignition for the files in VERIFY_DIR. */
export function verifyPlan(cfg: StackConfig, publicKey: string, projectDir: string): VerifyVm[] {
    const renamed: StackConfig = { ...cfg, vms: cfg.vms.map((v) => ({ ...v, name: `${PREFIX}${v.name}` })) };
    const plan = planLibvirt(renamed, { stack: "lab-verify", projectDir, homeDir: projectDir });
    return plan.vms.map((vm) => {
        const hv = cfg.hypervisors.find((h) => h.name === vm.hypervisor)!;
        const spec = domainSpecFor(vm, { ...hv, workDir: VERIFY_DIR }, { kernel: `${VERIFY_DIR}/vmlinuz`, initrd: `${VERIFY_DIR}/initrd.img` });
        return { plan: vm, xml: buildDomainXml(spec), ignition: renderIgnition(ignitionSpecFor(vm, [publicKey])) };
    });
}

export interface VerifyResult {
    /** Seconds from `virsh start` to a login over SSH through the hypervisor, per VM. */
    readonly bootToSshSeconds: Record<string, number>;
    /** Receiver-side Gbit/s of a 5 s run with two flows, per pair and address family (`vm1-vm2-ipv4`). */
    readonly iperf3Gbps: Record<string, number>;
    /** Median UDP round trip of a 2 s sockperf ping-pong (64 bytes), per pair, µs. */
    readonly sockperfP50Us: Record<string, number>;
}

/** Boots, measures and cleans up; cleanup runs even when a check fails. */
export async function labVerify(projectDir: string, spec: LabSpec, out: (line: string) => void): Promise<VerifyResult> {
    const p = new Progress(out);
    const values = readStackFile(path.join(projectDir, "Pulumi.dev.yaml"));
    const checked = validateStackConfig(values);
    if (!checked.ok) throw new Error(`Pulumi.dev.yaml is invalid: ${JSON.stringify(checked.issues)}`);
    const cfg = checked.config;
    const key = fs.readFileSync(`${spec.clientKey}.pub`, "utf8").trim();
    const vms = verifyPlan(cfg, key, projectDir);
    const image = path.join(projectDir, ".pairbench", "guest");
    const ssh = (hv: string, command: string, jump?: string): Argv => [
        "ssh", "-F", spec.sshConfig, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", ...(jump ? ["-J", jump] : []), hv, command,
    ];
    const onHv = (hv: string, step: string, body: string) => run(ssh(hv, hostCommand("root", { host: `hypervisor ${hv}`, step }, body)));
    const vnis = [...new Set(cfg.vms.map((v) => v.overlay.vni))];
    const result: VerifyResult = { bootToSshSeconds: {}, iperf3Gbps: {}, sockperfP50Us: {} };
    const network = new Set<string>();
    try {
        for (const hv of spec.hypervisors) {
            await p.step(`${hv.name}: image, default network, VXLAN`, async () => {
                // The files go straight into the hypervisor's private /var/lib/libvirt.
                const dir = path.join(hv.mounts.find((m) => m.target === "/var/lib/libvirt")!.source, path.basename(VERIFY_DIR));
                fs.mkdirSync(dir, { recursive: true });
                for (const f of ["vmlinuz", "initrd.img"]) fs.copyFileSync(path.join(image, f), path.join(dir, f));
                const defined = await onHv(hv.name, "default network", [
                    "if virsh net-info default >/dev/null 2>&1; then echo present; else",
                    sh`  printf '%s' ${buildNetworkXml()} > ${`${VERIFY_DIR}/network.xml`}`,
                    sh`  virsh net-define ${`${VERIFY_DIR}/network.xml`} >/dev/null; echo defined`,
                    "fi",
                    "virsh net-start default >/dev/null 2>&1 || true",
                ].join("\n"));
                if (defined.stdout.includes("defined")) network.add(hv.name);
                for (const vni of vnis) {
                    const port = cfg.dataplane.vxlan?.port ?? 4789;
                    await onHv(hv.name, "VXLAN", vxlanCreate({ vni, port, local: hv.underlayIp, remotes: underlayPeers(spec, hv.name) }));
                }
            });
        }
        const started = new Map<string, number>();
        for (const vm of vms) {
            await p.step(`${vm.plan.name}: define and start on ${vm.plan.hypervisor}`, async () => {
                const files = vmPaths(VERIFY_DIR, vm.plan.name);
                await onHv(vm.plan.hypervisor, "define", [
                    sh`install -d ${files.dir}`,
                    sh`printf '%s' ${vm.ignition} > ${files.ignition}`,
                    sh`printf '%s' ${vm.xml} > ${files.domainXml}`,
                    sh`virsh define ${files.domainXml} >/dev/null`,
                    sh`virsh start ${vm.plan.name} >/dev/null`,
                ].join("\n"));
                started.set(vm.plan.name, Date.now());
            });
        }
        const leases = new Map<string, string>();
        for (const vm of vms) {
            const hv = vm.plan.hypervisor;
            const ip = await p.step(`${vm.plan.name}: DHCP lease and SSH through ${hv}`, async () => {
                const lease = await waitFor(`the DHCP lease of ${vm.plan.name}`, 120_000, async () => {
                    const r = await onHv(hv, "lease", sh`virsh net-dhcp-leases default --mac ${vm.plan.managementMac} | awk '$4 == "ipv4" { split($5, a, "/"); print a[1] }'`);
                    return r.stdout.trim() || undefined;
                });
                await waitFor(`SSH to ${vm.plan.name} at ${lease}`, 120_000, async () => {
                    const r = await run(ssh(`root@${lease}`, shellCommand(["uname", "-n", "-r"]), hv));
                    return r.stdout.includes(vm.plan.name) ? true : undefined;
                });
                result.bootToSshSeconds[vm.plan.name] = (Date.now() - started.get(vm.plan.name)!) / 1000;
                return lease;
            }, (l) => `${l}, ${result.bootToSshSeconds[vm.plan.name]!.toFixed(1)}s after start`);
            leases.set(vm.plan.name, ip);
        }
        const vmOf = (name: string) => vms.find((v) => v.plan.name === `${PREFIX}${name}`)!;
        const onVm = (name: string, command: string) => run(ssh(`root@${leases.get(`${PREFIX}${name}`)}`, command, vmOf(name).plan.hypervisor));
        const pairs = planLibvirt(cfg, { stack: "dev", projectDir, homeDir: projectDir }).pairs;
        for (const pair of pairs) {
            const server = vmOf(pair.server).plan.overlay;
            const families = server.ipv6 ? (["ipv4", "ipv6"] as const) : (["ipv4"] as const);
            await p.step(`${pair.name} (${pair.placement}): ping, iperf3 (the benchmarks' scripts), sockperf`, async () => {
                await onVm(pair.client, shellCommand(["ping", "-c", "1", "-W", "5", server.ipv4]));
                if (server.ipv6) await onVm(pair.client, shellCommand(["ping", "-6", "-c", "1", "-W", "5", server.ipv6]));
                for (const family of families) {
                    const ports = [5201, 5202];
                    await onVm(pair.server, iperf3ServerStart({ dir: "/tmp/pairbench-verify-iperf3", ports }));
                    const target = family === "ipv4" ? server.ipv4 : server.ipv6!;
                    const round = await onVm(
                        pair.client,
                        iperf3ClientRound({ dir: "/tmp/pairbench-verify-client", target, family, ports, streams: 1, seconds: 5, omit: 1, reverse: false, protocol: "tcp" }),
                    );
                    const bps = splitFlows(round.stdout).reduce((sum, f) => sum + parseIperf3(f.text).receiverBitsPerSecond, 0);
                    result.iperf3Gbps[`${pair.name}-${family}`] = bps / 1e9;
                    await onVm(pair.server, iperf3ServerStop({ dir: "/tmp/pairbench-verify-iperf3", ports }));
                }
                const sp = { dir: "/tmp/pairbench-verify-sockperf", port: 11111, protocol: "udp" as const, lifetimeSeconds: 60 };
                await onVm(pair.server, sockperfServerStart(sp));
                const pong = await onVm(pair.client, sockperfClientRound({ target: server.ipv4, port: 11111, protocol: "udp", seconds: 2, messageSize: 64 }));
                result.sockperfP50Us[pair.name] = parseSockperf(pong.stdout).p50Us;
                await onVm(pair.server, sockperfServerStop(sp));
            }, () => families.map((f) => `${f} ${result.iperf3Gbps[`${pair.name}-${f}`]!.toFixed(3)} Gbit/s`).join(", ") + `, UDP RTT p50 ${result.sockperfP50Us[pair.name]} µs`);
        }
        return result;
    } finally {
        for (const hv of spec.hypervisors) {
            const mine = vms.filter((v) => v.plan.hypervisor === hv.name).map((v) => v.plan.name);
            await p.step(`${hv.name}: clean up`, async () => {
                const lines = mine.map((n) => sh`virsh destroy ${n} >/dev/null 2>&1 || true; virsh undefine ${n} >/dev/null 2>&1 || true`);
                for (const vni of vnis) lines.push(vxlanDelete({ vni }));
                if (network.has(hv.name)) lines.push("virsh net-destroy default >/dev/null 2>&1 || true", "virsh net-undefine default >/dev/null");
                lines.push(sh`rm -rf ${VERIFY_DIR}`);
                await onHv(hv.name, "clean up", lines.join("\n"));
            }).catch((e) => p.note(`clean-up of ${hv.name} failed: ${e instanceof Error ? e.message : String(e)}`));
        }
    }
}

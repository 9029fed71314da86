// `pairbench lab up|down|status`: the emulated two-hypervisor lab on this machine (docs/lab.md).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { aptInstall, dpkgQuery, mgmtBridgeCreate, mgmtBridgeDelete, mgmtLinkCreate, netnsCreate, sshKeygen, underlayCreate } from "./commands";
import { knownHosts, sshClientConfig } from "./files";
import { buildGuestImage, installGuestImage, installedManifest } from "./guest/build";
import { ensureDaemon, ensureFiles, ensureHolder, ensureMounts, HvContext, hypervisorStatus, HypervisorStatus, teardownHypervisor } from "./hypervisor";
import { LAB_PACKAGES, missingPackages } from "./packages";
import { Progress, run, runAll } from "./runner";
import { LabOptions, labSpec, LabSpec, pairbenchCacheDir } from "./spec";
import { emptyState, LabState, readState, writeState } from "./state";
import { isMountPoint, linkExists, netnsExists, netnsPidList, parseMountinfo, rootLinks } from "./system";

export interface LabUpOptions {
    /** Install missing Debian packages. Defaults to true. */
    readonly packages?: boolean;
    /** Build (or take from the cache) and link the guest image. Defaults to true. */
    readonly image?: boolean;
    /** Another lab than the dev stack's (tests use other names and networks). */
    readonly lab?: LabOptions;
}

/** The lab of a project, with libvirt's cache in the user's cache directory. */
export function projectLab(projectDir: string, lab: LabOptions = {}): LabSpec {
    return labSpec(projectDir, { libvirtCacheDir: path.join(pairbenchCacheDir(process.env, os.homedir()), "libvirt"), ...lab });
}

function requireRoot(): void {
    if (typeof process.getuid === "function" && process.getuid() !== 0) {
        throw new Error("the lab creates network namespaces and runs libvirtd: run it as root");
    }
}

/** Installs the lab's Debian packages that are missing; returns what it installed. */
export async function ensurePackages(): Promise<string[]> {
    const names = LAB_PACKAGES.map((p) => p.name);
    const missing = missingPackages(names, (await run(dpkgQuery(names), { allowFail: true })).stdout);
    if (missing.length > 0) {
        await runAll(aptInstall(missing), { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeoutMs: 1_800_000 });
    }
    return missing;
}

async function ensureKeys(spec: LabSpec): Promise<void> {
    fs.mkdirSync(spec.dir, { recursive: true, mode: 0o700 });
    if (!fs.existsSync(spec.clientKey)) await run(sshKeygen(spec.clientKey, "pairbench-lab"));
    fs.copyFileSync(`${spec.clientKey}.pub`, spec.authorizedKeys);
}

/** Brings the lab up (idempotent): only what is missing is created or started. */
export async function labUp(projectDir: string, out: (line: string) => void, opts: LabUpOptions = {}): Promise<LabSpec> {
    requireRoot();
    const spec = projectLab(projectDir, opts.lab);
    const p = new Progress(out);
    const state: LabState = readState(spec.stateFile) ?? emptyState();
    const save = () => writeState(spec.stateFile, state);

    if (opts.packages !== false) {
        await p.step("Debian packages", ensurePackages, (m) => (m.length > 0 ? `installed ${m.join(" ")}` : "all installed"));
    }
    if (opts.image !== false) {
        await p.step(
            "guest image",
            async () => {
                const image = await buildGuestImage({ note: (l) => p.note(`  ${l}`) });
                installGuestImage(image, projectDir);
                return image;
            },
            (i) => `${i.cached ? "cached" : "built"} ${i.hash} (${i.kernelPackage} ${i.kernelVersion}) → .pairbench/guest/`,
        );
    }
    await p.step("SSH keys", async () => {
        await ensureKeys(spec);
        save();
    });
    await p.step(`management bridge ${spec.mgmtBridge} ${spec.mgmtBridgeCidr}`, async () => {
        if (!(await linkExists(spec.mgmtBridge))) await runAll(mgmtBridgeCreate(spec));
        state.mgmtBridge = spec.mgmtBridge;
        save();
    });
    for (const hv of spec.hypervisors) {
        await p.step(`${hv.name}: network namespace ${hv.netns}, ${hv.mgmtIp} on ${spec.mgmtBridge}`, async () => {
            if (!netnsExists(hv.netns)) {
                // iproute2 makes /run/netns a mount point on first use; down undoes that.
                if (!fs.existsSync("/run/netns") && !state.createdDirs.includes("/run/netns")) state.createdDirs.push("/run/netns");
                if (!isMountPoint("/run/netns")) state.runNetnsMount = true;
                save();
                await runAll(netnsCreate(hv));
            }
            state.hypervisors[hv.name] ??= { netns: hv.netns, pids: {} };
            save();
            if (!(await linkExists(hv.mgmtVethHost))) await runAll(mgmtLinkCreate(spec, hv));
        });
    }
    const [a, b] = spec.hypervisors as [LabSpec["hypervisors"][0], LabSpec["hypervisors"][0]];
    await p.step(`underlay ${a.underlayIp} ⇄ ${b.underlayIp} (${spec.underlayDevice}, MTU ${spec.underlayMtu})`, async () => {
        if (!(await linkExists(spec.underlayDevice, a.netns))) await runAll(underlayCreate(spec, a, b));
    });
    for (const hv of spec.hypervisors) {
        const ctx: HvContext = { spec, hv, state, save };
        await p.step(`${hv.name}: state directories and configs`, () => ensureFiles(ctx), (r) => r);
        const holder = await p.step(`${hv.name}: private mount namespace`, () => ensureHolder(ctx), (h) => `${h.started ? "started" : "running"}, pid ${h.pid}`);
        await p.step(`${hv.name}: bind mounts`, () => ensureMounts(ctx, holder.pid), (n) => (n > 0 ? `${n} mounted` : "all mounted"));
        for (const d of ["virtlogd", "libvirtd", "sshd"] as const) {
            await p.step(`${hv.name}: ${d}`, () => ensureDaemon(ctx, holder.pid, d), (r) => `${r.started ? "started" : "running"}, pid ${r.pid}`);
        }
    }
    await p.step("SSH client files", async () => {
        const keys = Object.fromEntries(spec.hypervisors.map((h) => [h.name, fs.readFileSync(`${h.sshHostKey}.pub`, "utf8")]));
        fs.writeFileSync(spec.knownHosts, knownHosts(spec, keys));
        fs.writeFileSync(spec.sshConfig, sshClientConfig(spec));
    });
    p.note(`lab up in ${p.elapsedSeconds().toFixed(1)}s: ${spec.hypervisors.map((h) => `${h.name} root@${h.mgmtIp}`).join(", ")}; ssh -F ${path.relative(projectDir, spec.sshConfig)} hv1`);
    return spec;
}

/** Removes everything `up` created; fails listing what is left, if anything. */
export async function labDown(projectDir: string, out: (line: string) => void, lab: LabOptions = {}): Promise<void> {
    requireRoot();
    const spec = projectLab(projectDir, lab);
    const p = new Progress(out);
    let state: LabState;
    try {
        state = readState(spec.stateFile) ?? emptyState();
    } catch (e) {
        p.note(`ignoring unreadable state (${e instanceof Error ? e.message : String(e)}); removing by name`);
        state = emptyState();
    }
    const save = () => {
        if (fs.existsSync(spec.dir)) writeState(spec.stateFile, state);
    };
    for (const hv of spec.hypervisors) {
        await p.step(`${hv.name}: processes and namespace ${hv.netns}`, () => teardownHypervisor({ spec, hv, state, save }), (r) => r);
    }
    await p.step("links", async () => {
        const gone: string[] = [];
        // A veth goes with its namespace, but the kernel removes namespaces asynchronously: a host
        // end may still be listed for a moment, then vanish under our `ip link del`.
        for (const name of spec.hypervisors.map((h) => h.mgmtVethHost)) {
            if (await linkExists(name)) {
                const r = await run(["ip", "link", "del", name], { allowFail: true });
                if (r.code !== 0 && (await linkExists(name))) throw new Error(`cannot delete ${name}: ${r.stderr.trim()}`);
                gone.push(name);
            }
        }
        if (await linkExists(spec.mgmtBridge)) {
            await runAll(mgmtBridgeDelete(spec));
            gone.push(spec.mgmtBridge);
        }
        return gone;
    }, (g) => (g.length > 0 ? `deleted ${g.join(", ")}` : "none left"));
    await p.step("host directories", async () => {
        // Another lab (or anything else using network namespaces) may still bind-mount over these
        // directories in its own mount namespace; removing them would take those mounts away.
        const others = fs.existsSync("/run/netns") ? fs.readdirSync("/run/netns") : [];
        if (others.length > 0) return [`all (other network namespaces exist: ${others.join(", ")})`];
        if (state.runNetnsMount && isMountPoint("/run/netns")) await run(["umount", "/run/netns"]);
        const kept: string[] = [];
        for (const dir of state.createdDirs) {
            try {
                if (fs.existsSync(dir)) fs.rmdirSync(dir);
            } catch {
                kept.push(`${dir} (not empty)`);
            }
        }
        return kept;
    }, (k) => (k.length > 0 ? `kept ${k.join(", ")}` : "done"));
    await p.step(`state directory ${path.relative(projectDir, spec.dir)}`, async () => fs.rmSync(spec.dir, { recursive: true, force: true }));
    const left = await leftovers(spec);
    if (left.length > 0) throw new Error(`lab down left: ${left.join("; ")}`);
    p.note(`lab down in ${p.elapsedSeconds().toFixed(1)}s; nothing left`);
}

/** Anything of the lab that still exists: namespaces, processes, links, mounts, files. */
export async function leftovers(spec: LabSpec): Promise<string[]> {
    const left: string[] = [];
    const links = new Set(await rootLinks());
    for (const hv of spec.hypervisors) {
        if (netnsExists(hv.netns)) left.push(`network namespace ${hv.netns}`);
        const pids = await netnsPidList(hv.netns);
        if (pids.length > 0) left.push(`processes ${pids.join(",")} in ${hv.netns}`);
        if (links.has(hv.mgmtVethHost)) left.push(`link ${hv.mgmtVethHost}`);
    }
    if (links.has(spec.mgmtBridge)) left.push(`link ${spec.mgmtBridge}`);
    const mounts = parseMountinfo(fs.readFileSync("/proc/self/mountinfo", "utf8"));
    for (const m of mounts) {
        if (m.startsWith(spec.dir) || spec.hypervisors.some((h) => m === `/run/netns/${h.netns}`)) left.push(`mount ${m}`);
    }
    if (fs.existsSync(spec.dir)) left.push(`directory ${spec.dir}`);
    return left;
}

export interface LabStatus {
    /** Every hypervisor's namespace, holder and daemons run, and sshd answers. */
    readonly running: boolean;
    readonly stateFile?: string;
    readonly mgmtBridge: { readonly name: string; readonly exists: boolean };
    readonly hypervisors: readonly HypervisorStatus[];
    readonly guestImage?: { readonly hash: string; readonly kernelPackage: string; readonly kernelVersion: string };
}

export async function labStatus(projectDir: string, lab: LabOptions = {}): Promise<LabStatus> {
    const spec = projectLab(projectDir, lab);
    const state = readState(spec.stateFile);
    const hypervisors = await Promise.all(spec.hypervisors.map((hv) => hypervisorStatus(hv, state)));
    const bridge = await linkExists(spec.mgmtBridge);
    const manifest = installedManifest(projectDir);
    const running =
        bridge &&
        hypervisors.every((h) => h.netnsExists && h.holder.running && Object.values(h.daemons).every((d) => d.running) && h.ssh !== undefined);
    return {
        running,
        ...(state !== undefined ? { stateFile: spec.stateFile } : {}),
        mgmtBridge: { name: spec.mgmtBridge, exists: bridge },
        hypervisors,
        ...(manifest ? { guestImage: { hash: manifest.hash, kernelPackage: manifest.kernelPackage, kernelVersion: manifest.kernelVersion } } : {}),
    };
}

/** The status as text for people. */
export function formatStatus(s: LabStatus): string {
    const lines = [`lab: ${s.running ? "running" : "not running"}; management bridge ${s.mgmtBridge.name} ${s.mgmtBridge.exists ? "present" : "absent"}`];
    for (const h of s.hypervisors) {
        const daemons = Object.entries(h.daemons)
            .map(([d, st]) => `${d} ${st.running ? `pid ${st.pid}` : "down"}`)
            .join(", ");
        lines.push(
            `${h.name}: netns ${h.netns} ${h.netnsExists ? "present" : "absent"}, mgmt ${h.mgmtIp}, underlay ${h.underlayIp}`,
            `  mount namespace ${h.holder.running ? `held by pid ${h.holder.pid}` : "down"}; ${daemons}`,
            `  ssh ${h.ssh ?? "no answer"}; domains ${h.domains === undefined ? "unknown" : h.domains.length > 0 ? h.domains.join(", ") : "none"}; ${h.processes} processes`,
        );
    }
    lines.push(s.guestImage ? `guest image ${s.guestImage.hash} (${s.guestImage.kernelPackage} ${s.guestImage.kernelVersion})` : "guest image: not built");
    return lines.join("\n") + "\n";
}

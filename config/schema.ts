// The one configuration schema for every pairbench stack (dev, lab, azure, ...).
//
// Each top-level key here is a Pulumi config key in the `pairbench:` namespace, e.g.
// `pairbench:hypervisors` in Pulumi.lab.yaml. Objects are strict: an unknown key is an error,
// because a typo in a benchmark config otherwise silently falls back to a default.
// Rules that span several fields (references, duplicates, which sections a dataplane needs)
// live in crossChecks.ts; this file only describes the shape of each value.
import { z } from "zod";

/**
 * A strict object: unknown keys are errors whose message lists the keys that are valid here,
 * so a typo like `hypervisr` tells the user what was meant.
 */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
    return z.strictObject(shape, {
        error: (iss) =>
            iss.code === "unrecognized_keys" ? `unknown key; valid keys here: ${Object.keys(shape).join(", ")}` : undefined,
    });
}

/** Names reach shells, libvirt domain names and docker container names. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const NAME_HINT = "lower-case letters, digits and '-', starting with a letter or digit (e.g. vm-1)";

export const name = z
    .string({ error: "must be a string name" })
    .max(63, { error: "must be at most 63 characters (libvirt/DNS label limit)" })
    .regex(NAME_PATTERN, { error: `must match [a-z0-9][a-z0-9-]*: ${NAME_HINT}` });

const port = z
    .number({ error: "must be a port number 1..65535" })
    .int({ error: "must be a whole number 1..65535" })
    .min(1, { error: "must be a port number 1..65535" })
    .max(65535, { error: "must be a port number 1..65535" });

const ipv4 = z.ipv4({ error: "must be an IPv4 address such as 192.168.129.5" });
const ipv6 = z.ipv6({ error: "must be an IPv6 address such as 2002::123" });

const vni = z
    .number({ error: "must be a VXLAN/Geneve network identifier 0..16777215" })
    .int({ error: "must be a whole number 0..16777215" })
    .min(0, { error: "must be 0..16777215 (24 bits)" })
    .max(2 ** 24 - 1, { error: "must be 0..16777215 (24 bits)" });

const nonNegative = (unit: string) =>
    z.number({ error: `must be a number of ${unit} ≥ 0` }).min(0, { error: `must be ≥ 0 ${unit}` });

const positiveInt = (what: string, max: number) =>
    z
        .number({ error: `must be a whole number of ${what} 1..${max}` })
        .int({ error: `must be a whole number of ${what} 1..${max}` })
        .min(1, { error: `must be at least 1 ${what}` })
        .max(max, { error: `must be at most ${max} ${what}` });

/**
 * dpservice's VF notation: `[dddd:]bb:ss.f_representor_vfN` — the PF's PCI address and the VF
 * index. It names the DPDK representor (dpservice-cli `--device`) and, resolved on the
 * hypervisor through sysfs `virtfnN`, the VF to pass through.
 */
export const PCI_ADDR_PATTERN =
    /^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-1][0-9a-f])\.([0-7])_representor_vf([0-9]{1,3})$/;

/** A secret value: a plain string (already decrypted by Pulumi) or `{secure: ...}` in a stack file. */
const secretString = z.union([
    z.string().min(1, { error: "must not be empty" }),
    strict({ secure: z.string().min(1) }),
]);

/** Where an SSH private key comes from: a file on the machine running Pulumi, or a config secret. */
export const sshKey = z.union(
    [
        strict({ path: z.string().min(1, { error: "must be a file path such as ~/.ssh/id_rsa" }) }),
        strict({ secret: secretString }),
    ],
    { error: "must be {path: FILE} or {secret: VALUE} (set it with `pulumi config set --secret`)" },
);

export const hypervisor = strict({
    name,
    /** SSH address of the host. */
    host: z.string().min(1, { error: "must be a host name or IP address" }),
    port: port.default(22),
    user: z.string().min(1, { error: "must be the SSH user (it needs sudo unless it is root)" }),
    sshKey: sshKey.optional(),
    /** Gardenlinux hosts need the nft input policy; Debian hosts (the dev lab) do not. */
    os: z.enum(["gardenlinux", "debian"], { error: "must be gardenlinux or debian" }).default("gardenlinux"),
    /** libvirt domain type: kvm on real hosts, qemu (TCG) where KVM does not work. */
    domainType: z.enum(["kvm", "qemu"], { error: "must be kvm or qemu" }).default("kvm"),
    /** Address of the hypervisor on the underlay network; the VXLAN dataplane's tunnel endpoint. */
    underlayIp: z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address such as 198.18.1.11" }).optional(),
    /** pairbench-owned working directory on the hypervisor. */
    workDir: z
        .string()
        .regex(/^\/[A-Za-z0-9._/-]+$/, { error: "must be an absolute path of [A-Za-z0-9._/-]" })
        .default("/var/lib/pairbench"),
});

/** A base image for libvirt VMs: a disk uploaded once per hypervisor, or direct kernel boot. */
export const image = z.discriminatedUnion(
    "kind",
    [
        strict({
            name,
            kind: z.literal("disk"),
            /** Path on the machine running Pulumi. */
            path: z.string().min(1, { error: "must be the path of a raw or qcow2 image file" }),
            format: z.enum(["raw", "qcow2"], { error: "must be raw or qcow2" }).default("raw"),
        }),
        strict({
            name,
            kind: z.literal("kernel"),
            /** Built by `pairbench lab` when omitted (the dev guest image). */
            kernel: z.string().min(1).optional(),
            initrd: z.string().min(1).optional(),
            cmdline: z.string().default("console=ttyS0"),
        }),
    ],
    { error: "must have kind disk (a raw/qcow2 file) or kernel (direct kernel boot)" },
);

export const testNic = z.discriminatedUnion(
    "kind",
    [
        strict({
            kind: z.literal("vf"),
            /** dpservice notation, e.g. 0000:8a:00.0_representor_vf2. */
            pciAddr: z
                .string()
                .toLowerCase()
                .regex(PCI_ADDR_PATTERN, {
                    error: "must look like [dddd:]bb:ss.f_representor_vfN, e.g. 0000:8a:00.0_representor_vf2",
                }),
        }),
        strict({
            kind: z.literal("bridge"),
            /** Bridge on the hypervisor; defaults to the VXLAN dataplane's bridge for the VM's VNI. */
            bridge: name.optional(),
        }),
    ],
    { error: "must have kind vf (SR-IOV VF, with pciAddr) or bridge" },
);

export const nat = strict({
    ip: ipv4,
    minPort: port,
    maxPort: port,
});

export const vm = strict({
    name,
    hypervisor: name,
    size: z
        .strictObject({
            vcpus: positiveInt("vCPUs", 256).default(4),
            memoryMiB: positiveInt("MiB", 1024 * 1024).default(8192),
        })
        .prefault({}),
    /** Name of an entry in `pairbench:images`; may be omitted when there is exactly one image. */
    image: name.optional(),
    testNic,
    overlay: strict({
        ipv4,
        ipv6: ipv6.optional(),
        vni,
    }),
    nat: nat.optional(),
});

export const lbPort = strict({
    protocol: z.enum(["tcp", "udp"], { error: "must be tcp or udp" }),
    port,
});

export const lb = strict({
    name,
    ip: ipv4,
    ports: z.array(lbPort).min(1, { error: "must list at least one {protocol, port}" }),
    vni,
    /** Hypervisors on which the load balancer object is created. */
    nodes: z.array(name).min(1, { error: "must list at least one hypervisor" }),
    /** VMs that are load-balancer targets. */
    machines: z.array(name).min(1, { error: "must list at least one VM" }),
});

/**
 * A docker image reference (`[registry[:port]/]path[:tag][@sha256:digest]`). Checked here because
 * it is an argument of `docker run`: a value starting with `-` would be read as an option.
 */
export const IMAGE_REFERENCE_PATTERN =
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

export const dpservice = strict({
    mode: z.enum(["offload", "non-offload"], { error: "must be offload or non-offload" }).default("non-offload"),
    /** cicd: run a given image; dev: build the image from a local dpservice checkout. */
    stage: z.enum(["dev", "cicd"], { error: "must be dev or cicd" }).default("cicd"),
    image: z
        .string()
        .regex(IMAGE_REFERENCE_PATTERN, { error: "must be a docker image reference such as ghcr.io/ironcore-dev/dpservice:sha-e9b4272" })
        .optional(),
    /** A dpservice checkout (a git work tree with its Dockerfile) on the machine running Pulumi. */
    buildPath: z.string().min(1, { error: "must be the path of a dpservice checkout" }).optional(),
    /** DPDK EAL lcore list passed as `-l`. */
    lcores: z.string().regex(/^[0-9]+([,-][0-9]+)*$/, { error: "must be an lcore list such as 0,1 or 0-3" }).default("0,1"),
    /**
     * Reboot every VM once per run after its dpservice interface exists (run_benchmarktest.py
     * --reboot). Off by default: pairbench creates the interface before the VM boots, so the
     * first boot already gets the overlay address from dpservice's DHCP.
     */
    reboot: z.boolean({ error: "must be true or false" }).default(false),
});

export const vxlan = strict({
    /** UDP destination port of the VXLAN underlay. */
    port: port.default(4789),
});

export const dataplane = strict({
    kind: z.enum(["dpservice", "vxlan", "none"], { error: "must be dpservice, vxlan or none" }),
    dpservice: dpservice.optional(),
    vxlan: vxlan.optional(),
});

export const SCENARIO_CLASSES = ["local_vm2vm", "remote_vm2vm", "lb"] as const;

/** Expected minimum throughput in Gbit/s (10^9) per scenario class. */
const thresholds = strict({
    local_vm2vm: nonNegative("Gbit/s").optional(),
    remote_vm2vm: nonNegative("Gbit/s").optional(),
    lb: nonNegative("Gbit/s").optional(),
});

export const benchmark = z
    .strictObject({
        /** Concurrent flows in the VM-to-VM throughput scenarios. */
        flows: positiveInt("flows", 128).default(3),
        rounds: positiveInt("rounds", 100).default(3),
        seconds: positiveInt("seconds", 3600).default(10),
        /** Seconds of ramp-up discarded by iperf3 --omit. */
        omit: z
            .number({ error: "must be a whole number of seconds ≥ 0" })
            .int({ error: "must be a whole number of seconds ≥ 0" })
            .min(0, { error: "must be ≥ 0 seconds" })
            .default(2),
        mss: z
            .number({ error: "must be a TCP MSS in bytes 88..9216" })
            .int()
            .min(88, { error: "must be ≥ 88 bytes" })
            .max(9216, { error: "must be ≤ 9216 bytes" })
            .optional(),
        policy: z.enum(["mean", "ci"], { error: "must be mean (mean ≥ expected) or ci (95% interval)" }).default("mean"),
        /** sw: non-offload / software dataplanes; hw: dpservice offload mode. */
        expected: strict({ sw: thresholds.optional(), hw: thresholds.optional() }).prefault({}),
        scenarios: z.array(name).optional(),
    })
    .prefault({});

export const AZURE_OS = ["ubuntu-24.04", "windows-2022", "windows-2025", "gallery"] as const;

/** What an Azure OS key runs: gallery images are Windows prerelease builds (netperf's use). */
export function azureOsFamily(os: (typeof AZURE_OS)[number]): "linux" | "windows" {
    return os === "ubuntu-24.04" ? "linux" : "windows";
}

export const azurePair = strict({
    name,
    os: z.enum(AZURE_OS, { error: `must be one of ${AZURE_OS.join(", ")}` }),
    /** Gallery image id, required for os: gallery (a Windows prerelease build). */
    imageId: z
        .string()
        .regex(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/galleries\/.+/i, {
            error: "must be an Azure gallery image id (/subscriptions/.../providers/Microsoft.Compute/galleries/...)",
        })
        .optional(),
    size: z.string().regex(/^Standard_[A-Za-z0-9_]+$/, { error: "must be an Azure VM size such as Standard_D4s_v5" }).default("Standard_D4s_v5"),
    secureBoot: z.boolean({ error: "must be true or false" }).default(true),
});

export const DURATION_PATTERN = /^([0-9]+)([mhd])$/;

/** Azure refuses these admin user names (and the Linux images reserve some of them). */
export const AZURE_RESERVED_USERS = [
    "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a", "actuser",
    "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner", "root", "server", "sql",
    "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5",
] as const;

export const azure = strict({
    location: z.string().regex(/^[a-z0-9]+$/, { error: "must be an Azure region name such as westeurope" }),
    pairs: z.array(azurePair).min(1, { error: "must list at least one pair" }),
    /** Time to live; the reaper destroys stacks past it. */
    ttl: z.string().regex(DURATION_PATTERN, { error: "must be a duration such as 90m, 6h or 2d" }).default("6h"),
    /** Only this CIDR may reach the pairs by SSH (the CI runner's address). */
    allowedSourceCidr: z.union([z.cidrv4(), z.cidrv6()], {
        error: "must be a CIDR such as 203.0.113.7/32 (never 0.0.0.0/0)",
    }),
    /** The VMs' administrator; pairbench logs in as this user by SSH. */
    adminUser: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]{0,19}$/, { error: "must be a user name of [a-z0-9_-], at most 20 characters, such as pairbench" })
        .default("pairbench"),
    /** The SSH private key pairbench logs in with; without it, the SSH agent. */
    sshKey: sshKey.optional(),
});

/** Where the program stops: `pairs` (machines and readiness checks) or `all` (benchmarks too). */
export const PHASES = ["pairs", "all"] as const;

/**
 * A GitHub Actions self-hosted runner on each pair's client. The token is exchanged on the
 * client for a registration token (create) and a removal token (destroy).
 */
export const runner = strict({
    /** Repository (https://github.com/OWNER/REPO) or organization (https://github.com/ORG) URL. */
    url: z
        .string()
        .regex(/^https:\/\/[A-Za-z0-9.-]+(:[0-9]+)?\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)?$/, {
            error: "must be a repository or organization URL such as https://github.com/OWNER/REPO",
        }),
    /** A token allowed to manage self-hosted runners (fine-grained PAT with Administration: write). */
    token: secretString,
    /** Labels added to `os-<os>` and the pair's name. */
    labels: z
        .array(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: "must be a label of [A-Za-z0-9._-], at most 64 characters" }))
        .default([]),
});

export const ssh = strict({
    /** Public key placed in the VMs' authorized keys (ignition). */
    publicKeyPath: z.string().min(1).optional(),
    /** SHA-512 crypt hash for root's console login on libvirt VMs. */
    rootPasswordHash: secretString.optional(),
});

/** The whole `pairbench:` namespace of a stack. */
export const stackConfig = strict({
    environment: z.enum(["libvirt", "azure"], { error: "must be libvirt or azure" }),
    hypervisors: z.array(hypervisor).default([]),
    images: z.array(image).default([]),
    vms: z.array(vm).default([]),
    lb: lb.optional(),
    dataplane: dataplane.prefault({ kind: "none" }),
    benchmark,
    azure: azure.optional(),
    ssh: ssh.optional(),
    /** Set by the CLI to force benchmarks to run again; any string. */
    runId: z.string().default(""),
    /** `pairs`: environment, pairs and readiness checks only; `all`: benchmarks too. */
    phase: z.enum(PHASES, { error: "must be pairs (machines and readiness checks only) or all" }).default("all"),
    /** Azure: `{failedPair: healthyPair}`; a key pair is not created, its scenarios run on the value pair. */
    assignments: z.record(name, name, { error: "must map pair names to pair names, e.g. {windows-2022: windows-2022-b}" }).optional(),
    /** Register each pair's client as a GitHub Actions self-hosted runner. */
    runner: runner.optional(),
});

export type StackConfig = z.output<typeof stackConfig>;
export type Hypervisor = z.output<typeof hypervisor>;
export type Vm = z.output<typeof vm>;
export type Image = z.output<typeof image>;
export type LoadBalancer = z.output<typeof lb>;
export type Dataplane = z.output<typeof dataplane>;
export type DpserviceSettings = z.output<typeof dpservice>;
export type BenchmarkSettings = z.output<typeof benchmark>;
export type AzureSettings = z.output<typeof azure>;
export type AzurePairConfig = z.output<typeof azurePair>;
export type AzureOs = (typeof AZURE_OS)[number];
export type RunnerSettings = z.output<typeof runner>;
export type Phase = (typeof PHASES)[number];
export type ScenarioClass = (typeof SCENARIO_CLASSES)[number];

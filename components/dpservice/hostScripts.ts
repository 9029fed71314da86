// The scripts DpserviceDeployment runs on a hypervisor (as root, through hostCommand in
// ../hostScripts.ts): start and remove the dpservice container, create and delete dpservice
// objects with dpservice-cli, load the dev stage's image. Pure: builds text only; every value
// goes through `sh` quoting.
import * as path from "path";
import { raw, sh, shellCommand } from "../shell";
import { ScriptContext, waitScript } from "../waitScript";
import { containerName, createArgs, deleteArgs, describeObject, dpcli, dpcliNames, DpserviceObject, existenceProbe } from "./cli";

/** dpservice reads its config (PFs, VF pattern, underlay IPv6) from here (src/dp_conf.c). */
export const DPSERVICE_CONF = "/run/dpservice/dpservice.conf";
export const HUGEPAGES = "/dev/hugepages";
/** Where docs/lab.md explains how to prepare a hypervisor. */
export const PREPARATION_DOCS = "docs/lab.md, section 'Preparing a hypervisor'";

export interface ContainerSpec {
    readonly hypervisor: string;
    /** The Pulumi stack: the container's `pairbench.stack` label, so teardown removes only its own. */
    readonly stack: string;
    /** Image reference (cicd) or the loaded image's ID (dev). */
    readonly image: string;
    /** DPDK EAL lcore list (`-l`). */
    readonly lcores: string;
    readonly offload: boolean;
    /** Seconds to wait for dpservice-cli to answer. */
    readonly startTimeoutSeconds: number;
    /** For the wait's messages. */
    readonly context: ScriptContext;
    /** Where dpservice's config and the hugepages are. Defaults to DPSERVICE_CONF and HUGEPAGES (tests point elsewhere). */
    readonly hostPaths?: { readonly conf: string; readonly hugepages: string };
}

/**
 * `docker run` of dpservice as run_benchmarktest.py does it, plus the /run/dpservice mount
 * (dpservice reads its config there since 23d67e3; upstream's test still mounts only /tmp).
 */
export function dockerRunArgs(spec: Pick<ContainerSpec, "hypervisor" | "stack" | "image" | "lcores" | "offload" | "hostPaths">): string[] {
    const hugepages = spec.hostPaths?.hugepages ?? HUGEPAGES;
    const confDir = path.posix.dirname(spec.hostPaths?.conf ?? DPSERVICE_CONF);
    return [
        "docker", "run", "-d", "--privileged", "--network", "host",
        "--name", containerName(spec.hypervisor),
        "--label", `pairbench.stack=${spec.stack}`,
        "--label", `pairbench.hypervisor=${spec.hypervisor}`,
        "--mount", `type=bind,source=${hugepages},target=${HUGEPAGES}`,
        "--mount", `type=bind,source=${confDir},target=/run/dpservice`,
        spec.image,
        "-l", spec.lcores, "--",
        ...(spec.offload ? [] : ["--no-offload"]),
        "--enable-ipv6-overlay",
    ];
}

const LABEL = `{{index .Config.Labels "pairbench.stack"}}`;
/** `docker container inspect` facts as JSON (Go template `json`), parsed by cliOutput.parseInstance. */
const FACTS = `{"container":{{json .Id}},"startedAt":{{json .State.StartedAt}}}`;
/** What object scripts compare to tell whether the dpservice they talk to is the one they expect. */
const INSTANCE = "{{.Id}} {{.State.StartedAt}} {{.State.Running}}";

/**
 * Checks the host, (re)starts the container, waits until dpservice-cli answers and initialises
 * dpservice. Prints the container's facts and the `init` document (JSON lines). A container of
 * that name from another stack stops it; a leftover of this stack is replaced; a dpservice that
 * never answers is removed again (its log goes to stderr) so nothing is left behind.
 */
export function containerCreate(spec: ContainerSpec): string {
    const c = containerName(spec.hypervisor);
    const conf = spec.hostPaths?.conf ?? DPSERVICE_CONF;
    const hugepages = spec.hostPaths?.hugepages ?? HUGEPAGES;
    const attempt = [
        `  if [ "$(docker container inspect -f '{{.State.Running}}' "$c" 2>/dev/null)" != true ]; then`,
        `    echo "container $c is not running"; return 1`,
        "  fi",
        `  out=$(${shellCommand(dpcli(c, ["get", "init"]))} 2>/dev/null) && { printf '%s\\n' "$out"; return 0; }`,
        `  out=$(${shellCommand(dpcli(c, ["init"]))} 2>&1) && { printf '%s\\n' "$out"; return 0; }`,
        `  printf '%s\\n' "$out"; return 1`,
    ].join("\n");
    return [
        sh`c=${c}; stack=${spec.stack}`,
        sh`[ -f ${conf} ] || pb_fail ${`${conf} is missing: this hypervisor is not prepared for dpservice (see ${PREPARATION_DOCS})`}`,
        sh`mountpoint -q ${hugepages} || pb_fail ${`${hugepages} is not a hugetlbfs mount: reserve hugepages first (see ${PREPARATION_DOCS})`}`,
        `command -v docker >/dev/null 2>&1 || pb_fail ${sh`${`docker is not installed (see ${PREPARATION_DOCS})`}`}`,
        'if docker container inspect "$c" >/dev/null 2>&1; then',
        `  owner=$(docker container inspect -f '${LABEL}' "$c")`,
        '  [ "$owner" = "$stack" ] || pb_fail "a container named $c exists and was not started by stack $stack; remove it (docker rm -f $c) or use another hypervisor name"',
        '  docker rm -f "$c" >/dev/null',
        "fi",
        `if ! ${shellCommand(dockerRunArgs(spec))} >/dev/null; then`,
        // `docker run` can fail after creating the container (a device it cannot start with).
        '  docker rm -f "$c" >/dev/null 2>&1 || true',
        '  pb_fail "docker run of $c failed (docker says why above); nothing is left running"',
        "fi",
        "if ! init=$(",
        waitScript({ context: spec.context, attempt: raw(attempt), totalSeconds: spec.startTimeoutSeconds }),
        "); then",
        '  docker logs --tail 40 "$c" >&2 || true',
        '  docker rm -f "$c" >/dev/null 2>&1 || true',
        '  pb_fail "dpservice in $c did not answer dpservice-cli; its last log lines are above, the container is removed"',
        "fi",
        `printf '%s\\n' "$init"`,
        `docker container inspect -f '${FACTS}' "$c"`,
    ].join("\n");
}

/** Removes the container if this stack started it; a container of another stack is left alone. */
export function containerDelete(spec: Pick<ContainerSpec, "hypervisor" | "stack">): string {
    return [
        sh`c=${containerName(spec.hypervisor)}; stack=${spec.stack}`,
        'docker container inspect "$c" >/dev/null 2>&1 || { echo "container $c is already gone"; exit 0; }',
        `if [ "$(docker container inspect -f '${LABEL}' "$c")" != "$stack" ]; then`,
        '  pb_note "container $c was not started by stack $stack; left alone"; exit 0',
        "fi",
        'docker rm -f "$c" >/dev/null',
        'echo "removed container $c"',
    ].join("\n");
}

/** The dpservice instance an object lives in: its container and the container's start. */
export interface ObjectTarget {
    readonly hypervisor: string;
    /** `<container id> <started at>`, from the container step (DpserviceInstance.key). */
    readonly instance: string;
}

/** Shell variables every object script uses: the container, the instance, the object's commands. */
function objectVars(t: ObjectTarget, o: DpserviceObject): string[] {
    return [
        sh`c=${containerName(t.hypervisor)}; instance=${t.instance}; what=${describeObject(o)}`,
        sh`create=${`dpservice-cli ${createArgs(o).join(" ")}`}; remove=${`dpservice-cli ${deleteArgs(o).join(" ")}`}`,
        `now=$(docker container inspect -f '${INSTANCE}' "$c" 2>/dev/null || true)`,
    ];
}

/**
 * Creates the object and prints dpservice-cli's JSON. Refuses to talk to another dpservice than
 * the one the container step started (a restarted dpservice has lost its state and `init`).
 */
export function objectCreate(t: ObjectTarget, o: DpserviceObject): string {
    return [
        ...objectVars(t, o),
        'if [ "$now" != "$instance true" ]; then',
        '  pb_fail "the dpservice in $c is not the one this stack started (it stopped or was restarted); replace its container step: pulumi up --replace <URN of the container step>"',
        "fi",
        `out=$(${shellCommand(dpcli(containerName(t.hypervisor), createArgs(o)))}) || {`,
        "  rc=$?",
        '  pb_fail "$create failed (exit $rc)${out:+: $out}; dpservice logs why (docker logs $c); if $what is left from an interrupted run, remove it: docker exec $c $remove"',
        "}",
        `printf '%s\\n' "$out"`,
    ].join("\n");
}

/**
 * Deletes exactly this object. Nothing to do when the dpservice it was created in is gone (its
 * state went with it); after a failed delete, the object's absence counts as success.
 */
export function objectDelete(t: ObjectTarget, o: DpserviceObject): string {
    const c = containerName(t.hypervisor);
    const probe = existenceProbe(o);
    const lines = [
        ...objectVars(t, o),
        'if [ "$now" != "$instance true" ]; then echo "$what: the dpservice it was created in is gone"; exit 0; fi',
        `if out=$(${shellCommand(dpcli(c, deleteArgs(o)))} 2>&1); then echo "deleted $what"; exit 0; fi`,
    ];
    const stillThere = 'pb_fail "$remove failed and $what is still there${out:+: $out}"';
    const gone = 'echo "$what: already gone"; exit 0';
    const unknown = 'pb_fail "$remove failed and dpservice-cli cannot tell whether $what is still there${out:+: $out}"';
    switch (probe.kind) {
        case "get":
        case "parent":
            lines.push(
                `if ${shellCommand(dpcli(c, probe.args))} >/dev/null 2>&1; then ${stillThere}; else rc=$?; fi`,
                // Exit code 2 is dpservice answering with an error (NOT_FOUND); 1 is the client failing.
                `if [ "$rc" -eq 2 ]; then ${gone}; fi`,
                unknown,
            );
            break;
        case "names":
            lines.push(
                `names=$(${shellCommand(dpcliNames(c, probe.args))} 2>&1) || ${unknown}`,
                `if printf '%s\\n' "$names" | grep -Fqx -e ${sh`${probe.line}`}; then ${stillThere}; fi`,
                gone,
            );
            break;
        default: {
            const never: never = probe;
            throw new Error(`unknown probe ${JSON.stringify(never)}`);
        }
    }
    return lines.join("\n");
}

/** The dev stage's image on a hypervisor: its uploaded `docker save` tar, and a marker once loaded. */
export interface ImageLoadSpec {
    readonly imageId: string;
    readonly tar: string;
    /** Marks that pairbench loaded the image (it was not there before), so delete removes only that. */
    readonly marker: string;
}

/** `docker load`s the tar unless the image is already there; prints the image ID. */
export function imageLoad(s: ImageLoadSpec): string {
    return [
        sh`id=${s.imageId}; tar=${s.tar}; marker=${s.marker}`,
        'if ! docker image inspect "$id" >/dev/null 2>&1; then',
        '  docker load -i "$tar" >/dev/null',
        '  touch "$marker"',
        "fi",
        'docker image inspect "$id" >/dev/null 2>&1 || pb_fail "docker load -i $tar did not yield image $id"',
        'echo "$id"',
    ].join("\n");
}

/** Removes the image if pairbench loaded it and no container uses it any more. */
export function imageUnload(s: ImageLoadSpec): string {
    return [
        sh`id=${s.imageId}; marker=${s.marker}`,
        '[ -e "$marker" ] || exit 0',
        'docker image rm "$id" >/dev/null 2>&1 || pb_note "image $id is still in use; left in place"',
        'rm -f "$marker"',
    ].join("\n");
}

// A stand-in for docker and the dpservice in its container, for running the dpservice scripts
// for real on this machine: `docker` keeps one container's state in files and answers the
// `container inspect` templates the scripts use; `docker exec … dpservice-cli` keeps a set of
// dpservice objects by their keys, exits 2 for server errors (NOT_FOUND, already exists) like
// dpservice-cli's main.go, and prints only what the scripts read. `mountpoint` reports whether a
// state file says the hugepages are mounted. Every call is logged.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const DOCKER = String.raw`#!/bin/bash
S="$FAKE_STATE"; printf 'docker %s\n' "$*" >> "$S/calls"
exists() { [ -e "$S/c.id" ]; }
running() { exists && [ "$(cat "$S/c.running")" = true ]; }
case "$1" in
  container)
    [ "$2" = inspect ] || exit 2
    if [ "$3" = -f ]; then fmt=$4; else fmt=; fi
    exists || { echo "Error: No such container" >&2; exit 1; }
    case "$fmt" in
      '') echo '[{}]' ;;
      '{{index .Config.Labels "pairbench.stack"}}') cat "$S/c.stack" ;;
      '{{.State.Running}}') cat "$S/c.running" ;;
      '{{.Id}} {{.State.StartedAt}} {{.State.Running}}') echo "$(cat "$S/c.id") $(cat "$S/c.started") $(cat "$S/c.running")" ;;
      '{"container":{{json .Id}},"startedAt":{{json .State.StartedAt}}}') printf '{"container":"%s","startedAt":"%s"}\n' "$(cat "$S/c.id")" "$(cat "$S/c.started")" ;;
      *) echo "fake docker: unknown template $fmt" >&2; exit 2 ;;
    esac ;;
  run)
    exists && { echo "Conflict. The container name is already in use" >&2; exit 125; }
    if [ -e "$S/run.fails" ]; then echo 1 > "$S/c.id"; echo false > "$S/c.running"; echo "Error response from daemon: error gathering device information" >&2; exit 125; fi
    shift; stack=
    while [ $# -gt 0 ]; do case "$1" in --label) case "$2" in pairbench.stack=*) stack=${"$"}{2#pairbench.stack=} ;; esac; shift 2 ;; *) shift ;; esac; done
    printf '%s' "$stack" > "$S/c.stack"
    n=$(( $(cat "$S/starts" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$S/starts"
    printf '%064x' "$n" > "$S/c.id"; echo "2025-06-05T09:14:0$n.5Z" > "$S/c.started"
    if [ -e "$S/crash" ]; then echo false > "$S/c.running"; else echo true > "$S/c.running"; fi
    rm -f "$S/dp.init" "$S/dp.objects"; : > "$S/dp.objects"
    cat "$S/c.id"; echo ;;
  rm) exists || exit 1; rm -f "$S"/c.* "$S/dp.init" ;;
  logs) echo "EAL: fake dpservice log line" ;;
  load) touch "$S/image.loaded" ;;
  image)
    case "$2" in
      inspect) [ -e "$S/image.loaded" ] ;;
      rm) [ -e "$S/image.inuse" ] && exit 1; rm -f "$S/image.loaded" ;;
    esac ;;
  exec)
    shift; shift  # exec NAME
    [ "$1" = dpservice-cli ] || exit 127; shift
    [ "$1" = -o ] && { out=$2; shift 2; }
    running || { echo "Error response from daemon: container is not running" >&2; exit 1; }
    [ -e "$S/dp.client-error" ] && { echo "Error running command: error connecting to localhost:1337" >&2; exit 1; }
    verb=$1; shift
    if [ "$verb" = init ]; then touch "$S/dp.init"; echo '{"kind":"Initialized","metadata":{},"spec":{"uuid":"FAKE-UUID"},"status":{"code":0,"message":""}}'; exit 0; fi
    kind=$1; shift
    if [ "$verb $kind" = "get init" ]; then
      [ -e "$S/dp.init" ] || { echo "Error running command: rpc error: code = Aborted desc = not initialized" >&2; exit 1; }
      echo '{"kind":"Initialized","metadata":{},"spec":{"uuid":"FAKE-UUID"},"status":{"code":0,"message":""}}'; exit 0
    fi
    [ -e "$S/dp.init" ] || { echo "Error running command: rpc error: code = Aborted desc = not initialized" >&2; exit 1; }
    id=; ifid=; prefix=; vni=; lbid=; target=
    for a in "$@"; do case "$a" in --id=*) id=${"$"}{a#*=} ;; --interface-id=*) ifid=${"$"}{a#*=} ;; --prefix=*) prefix=${"$"}{a#*=} ;; --vni=*) vni=${"$"}{a#*=} ;; --lb-id=*) lbid=${"$"}{a#*=} ;; --target-ip=*) target=${"$"}{a#*=} ;; esac; done
    case "$kind" in
      interface) key="interface $id" ;; nat) key="nat $ifid" ;; loadbalancer) key="loadbalancer $id" ;;
      route|routes) key="route $vni $prefix" ;; lbprefix|lbprefixes) key="lbprefix $ifid $prefix" ;; lbtarget) key="lbtarget $lbid $target" ;;
    esac
    has() { grep -qxF -- "$key" "$S/dp.objects"; }
    case "$verb" in
      create) has && exit 2; echo "$key" >> "$S/dp.objects"; printf '{"kind":"%s"}\n' "$kind" ;;
      delete) [ -e "$S/dp.fail-delete" ] && exit 2; has || exit 2; grep -vxF -- "$key" "$S/dp.objects" > "$S/dp.tmp" || true; mv "$S/dp.tmp" "$S/dp.objects" ;;
      get) has || { printf '{"kind":"%s","status":{"code":201,"message":"NOT_FOUND"}}\n' "$kind"; exit 2; }; echo '{}' ;;
      list)
        case "$kind" in
          routes) sed -n "s|^route $vni \(.*\)$|route/\1-0|p" "$S/dp.objects" ;;
          lbprefixes) sed -n "s|^lbprefix $ifid \(.*\)$|loadbalancerprefix/\1|p" "$S/dp.objects" ;;
        esac ;;
    esac ;;
  *) echo "fake docker: unknown $*" >&2; exit 2 ;;
esac
`;

const MOUNTPOINT = String.raw`#!/bin/bash
printf 'mountpoint %s\n' "$*" >> "$FAKE_STATE/calls"
[ -e "$FAKE_STATE/hugepages.mounted" ]
`;

export interface FakeDocker {
    readonly dir: string;
    readonly state: string;
    /** A dpservice.conf that exists, and a hugepages path the fake mountpoint accepts. */
    readonly hostPaths: { readonly conf: string; readonly hugepages: string };
    run(command: string): { status: number; stdout: string; stderr: string };
    calls(): string[];
    objects(): string[];
    touch(file: string): void;
    remove(file: string): void;
    cleanup(): void;
}

export function fakeDocker(): FakeDocker {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-fakedocker-"));
    const bin = path.join(dir, "bin");
    const state = path.join(dir, "state");
    fs.mkdirSync(bin);
    fs.mkdirSync(state);
    fs.mkdirSync(path.join(dir, "run-dpservice"));
    fs.writeFileSync(path.join(dir, "run-dpservice", "dpservice.conf"), "pf0 ens1f0np0\n");
    fs.writeFileSync(path.join(bin, "docker"), DOCKER, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "mountpoint"), MOUNTPOINT, { mode: 0o755 });
    fs.writeFileSync(path.join(state, "calls"), "");
    fs.writeFileSync(path.join(state, "hugepages.mounted"), "");
    const file = (f: string) => path.join(state, f);
    return {
        dir,
        state,
        hostPaths: { conf: path.join(dir, "run-dpservice", "dpservice.conf"), hugepages: path.join(dir, "hugepages") },
        run(command) {
            const r = spawnSync("bash", ["-c", command], { encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env["PATH"]}`, FAKE_STATE: state } });
            return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        },
        calls: () => fs.readFileSync(file("calls"), "utf8").split("\n").filter(Boolean),
        objects: () => (fs.existsSync(file("dp.objects")) ? fs.readFileSync(file("dp.objects"), "utf8").split("\n").filter(Boolean) : []),
        touch: (f) => fs.writeFileSync(file(f), ""),
        remove: (f) => fs.rmSync(file(f), { force: true }),
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

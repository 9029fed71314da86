#!/usr/bin/env bash
# A cold `make dev`, measured: a fresh clone of HEAD and an empty HOME, so npm's cache, the Go
# module and build caches, the Pulumi toolchain, the guest image and libvirt's capability cache
# all start empty (Debian packages are the machine's: they are installed system-wide). Prints
# the seconds of each set-up phase, then bench-dev's figures for the run itself.
# Usage: scripts/bench-cold.sh [WORKDIR]   (default: a new directory under /tmp; removed after)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/pairbench-cold.XXXXXX)}
mkdir -p "$work/home"
git clone -q "$src" "$work/clone"
cd "$work/clone"
log="$work/cold.log"
export HOME="$work/home"
unset XDG_CACHE_HOME GOPATH GOCACHE GOMODCACHE

phase() { # phase NAME COMMAND...
    local name=$1 t0 t1
    shift
    t0=$(date +%s.%N)
    "$@" >>"$log" 2>&1 || { echo "bench-cold: '$name' failed; see $log" >&2; exit 2; }
    t1=$(date +%s.%N)
    awk -v n="$name" -v a="$t0" -v b="$t1" 'BEGIN { printf "  %-30s %8.1f s\n", n, b - a }'
}

echo "== cold make dev in $work (log: $log)"
start=$(date +%s.%N)
phase "npm ci (empty npm cache)" make setup
phase "toolchain (empty Go caches)" make toolchain
# bench-dev runs what make dev runs (lab up incl. the guest image build, up, destroy, lab down).
make bench-dev JSON="$work/figures.json" | tee -a "$log"
awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "  %-30s %8.1f s\n", "total cold make dev", b - a }'
if [ $# -eq 0 ]; then rm -rf "$work"; fi

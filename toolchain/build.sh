#!/usr/bin/env bash
# toolchain/build.sh — the one entry point of `make toolchain`.
#
# Builds the project's Pulumi toolchain from Go modules into a versioned cache outside the
# repository, returns at once when the cache already matches, and registers the command provider
# in the project's PULUMI_HOME at the version the npm SDK asks for. See docs/toolchain.md.
#
# Usage: bash toolchain/build.sh [--check]
#   --check   build nothing; exit 0 when everything is in place, 1 (naming what is missing) if not.
#
# Environment:
#   PAIRBENCH_TOOLCHAIN_DIR  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/pairbench/toolchain)
#   PAIRBENCH_PULUMI         which pulumi CLI the project uses:
#                              unset/"embedded"  build v3.248.0 + language host into the cache (default)
#                              "system"          the `pulumi` on PATH (its pulumi-language-nodejs next to it)
#                              /path/to/pulumi   that binary (or a directory holding bin/pulumi or pulumi)
#                            The command provider is built in every mode.
#   PULUMI_HOME              where the provider plugin is installed
#                            (default ${PAIRBENCH_STATE_DIR:-<repo>/.pairbench}/pulumi-home)
#   GO                       the go binary (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

CHECK_ONLY=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  "") ;;
  -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
  *) echo "usage: bash toolchain/build.sh [--check]" >&2; exit 2 ;;
esac

T0=$SECONDS
TOOLCHAIN_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$TOOLCHAIN_SRC/.." && pwd)

log()  { printf '[toolchain %3ds] %s\n' "$((SECONDS - T0))" "$*" >&2; }
die()  { printf '[toolchain] error: %s\n' "$*" >&2; exit 1; }

# --- versions: one source each -------------------------------------------------------------------
# The CLI version is the pkg/v3 requirement of the wrapper module (automation/environment.ts reads
# the same line). The provider version is what the npm SDK asks the engine for.
PULUMI_VERSION=$(sed -n 's#^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 \(v[^ ]*\).*#\1#p' "$TOOLCHAIN_SRC/pulumi/go.mod")
[[ -n $PULUMI_VERSION ]] || die "cannot read the pulumi version from toolchain/pulumi/go.mod"
LANGHOST_VERSION=$(sed -n 's#^[[:space:]]*github.com/pulumi/pulumi/sdk/v3 \(v[^ ]*\).*#\1#p' "$TOOLCHAIN_SRC/langhost/go.mod")
[[ -n $LANGHOST_VERSION ]] || die "cannot read the language host version from toolchain/langhost/go.mod"

CMD_PKG_JSON=$REPO/node_modules/@pulumi/command/package.json
PULUMI_PKG_DIR=$REPO/node_modules/@pulumi/pulumi
[[ -f $CMD_PKG_JSON && -d $PULUMI_PKG_DIR ]] ||
  die "node_modules/@pulumi/{pulumi,command} missing: run 'npm ci --ignore-scripts' first"
# "pulumi.version" is what the SDK registers with the engine; fall back to the package version.
COMMAND_VERSION=$(sed -n '/"pulumi"[[:space:]]*:/,/}/s/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$CMD_PKG_JSON" | head -n1)
[[ -n $COMMAND_VERSION ]] ||
  COMMAND_VERSION=$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$CMD_PKG_JSON" | head -n1)
[[ -n $COMMAND_VERSION ]] || die "cannot read the version from $CMD_PKG_JSON"

# --- locations -----------------------------------------------------------------------------------
CACHE_ROOT=${PAIRBENCH_TOOLCHAIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pairbench/toolchain}
DEST=$CACHE_ROOT/$PULUMI_VERSION
BIN=$DEST/bin                     # pulumi, pulumi-language-nodejs, pulumi-resource-pulumi-nodejs
PLUGIN_DIR=$DEST/plugins          # provider binaries, not on PATH (the engine takes them from PULUMI_HOME)
STAMPS=$DEST/stamps
PROVIDER_BIN=$PLUGIN_DIR/pulumi-resource-command-v$COMMAND_VERSION
STATE_DIR=${PAIRBENCH_STATE_DIR:-$REPO/.pairbench}
export PULUMI_HOME=${PULUMI_HOME:-$STATE_DIR/pulumi-home}
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_IGNORE_AMBIENT_PLUGINS=true

# Official release flags (pulumi/pulumi's goreleaser): static, reproducible paths, stripped.
BUILD_TAGS=osusergo,grpcnotrace
VERSION_PKG=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
BUILD_FLAGS="CGO_ENABLED=0 -trimpath -tags $BUILD_TAGS -ldflags=-s -w"

# --- which pulumi ----------------------------------------------------------------------------------
MODE=${PAIRBENCH_PULUMI:-embedded}
PULUMI_BIN=
case "$MODE" in
  embedded) PULUMI_BIN=$BIN/pulumi ;;
  system)
    # Skip our own cache directory if it happens to be on PATH.
    PULUMI_BIN=$(PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -) command -v pulumi || true)
    [[ -n $PULUMI_BIN ]] || die "PAIRBENCH_PULUMI=system but no 'pulumi' on PATH"
    ;;
  /*|./*|../*)
    if [[ -d $MODE ]]; then
      if [[ -x $MODE/bin/pulumi ]]; then PULUMI_BIN=$MODE/bin/pulumi; else PULUMI_BIN=$MODE/pulumi; fi
    else
      PULUMI_BIN=$MODE
    fi
    [[ -x $PULUMI_BIN ]] || die "PAIRBENCH_PULUMI=$MODE: no executable pulumi at $PULUMI_BIN"
    PULUMI_BIN=$(cd "$(dirname "$PULUMI_BIN")" && pwd)/$(basename "$PULUMI_BIN")
    ;;
  *) die "PAIRBENCH_PULUMI must be unset, 'embedded', 'system' or a path; not '$MODE'" ;;
esac

# --- go --------------------------------------------------------------------------------------------
GO=${GO:-$(command -v go || true)}
if [[ -z $GO && -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; fi
GO_VERSION=
if [[ -n $GO && -x $GO ]]; then
  GO_VERSION=$("$GO" env GOVERSION 2>/dev/null || true)
fi
# Never let go fetch another toolchain (only the module proxy is reachable); keep the module
# cache writable so it can be deleted without chmod.
export GOTOOLCHAIN=local CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-modcacherw -mod=readonly"

need_go() {
  [[ -n $GO_VERSION ]] || die "Go is required to build $1 but was not found (looked for \$GO, 'go' on PATH, /usr/local/go/bin/go).
  Install Go >= 1.25 (e.g. the tarball to /usr/local/go, then PATH=/usr/local/go/bin:\$PATH)$2"
  local want have
  want=$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$TOOLCHAIN_SRC/pulumi/go.mod")
  have=${GO_VERSION#go}
  if [[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n1) != "$want" ]]; then
    die "$GO is $GO_VERSION; the toolchain modules need go >= $want"
  fi
}

# stamp NAME FILE... : "<sha256 of the build flags and the files> <go version>" — what decides a
# binary's bytes.
stamp() {
  local name=$1; shift
  printf '%s %s\n' "$({ printf '%s\n' "$name" "$BUILD_FLAGS" "$(uname -m)"; cat "$@"; } | sha256sum | cut -d' ' -f1)" \
    "${GO_VERSION:-none}"
}
# is_fresh NAME OUTPUT STAMP : the binary exists and was built from the same sources and flags by
# the same go (when go is missing, a binary built from the same sources is accepted as it is).
is_fresh() {
  [[ -x $2 && -f $STAMPS/$1 ]] || return 1
  local have want
  read -r -a have <"$STAMPS/$1"
  read -r -a want <<<"$3"
  [[ ${have[0]:-} == "${want[0]}" ]] || return 1
  [[ -z $GO_VERSION || ${have[1]:-} == "${want[1]}" ]]
}

# download_modules DIR : fetch the module graph of a wrapper module; on failure name each refused
# module@version with go's error.
download_modules() {
  local dir=$1 t=$SECONDS out
  log "module download: toolchain/${dir#"$TOOLCHAIN_SRC"/} ..."
  if ! out=$(cd "$dir" && "$GO" mod download -json 2>&1); then
    printf '%s\n' "$out" | awk '
      /^\{/ { path=""; ver=""; err="" }
      /"Path":/    { path=$0; sub(/.*"Path": "/, "", path); sub(/",?$/, "", path) }
      /"Version":/ { ver=$0;  sub(/.*"Version": "/, "", ver); sub(/",?$/, "", ver) }
      /"Error":/   { err=$0;  sub(/.*"Error": "/, "", err); sub(/",?$/, "", err) }
      /^\}/ { if (err != "") printf "[toolchain] refused: %s@%s\n    go: %s\n", path, ver, err }
      /^go: [^ ]+@[^ :]+: / { mv=$2; sub(/:$/, "", mv); printf "[toolchain] refused: %s\n    %s\n", mv, $0; next }
      !/^[ \t{}]/ && !/^\t"/ { print "    " $0 }
    ' >&2
    die "could not download the modules of toolchain/${dir#"$TOOLCHAIN_SRC"/} (see above; GOPROXY=$("$GO" env GOPROXY))"
  fi
  log "module download: toolchain/${dir#"$TOOLCHAIN_SRC"/} done in $((SECONDS - t)) s"
}

# compile NAME DIR PACKAGE OUTPUT LDFLAGS...
compile() {
  local name=$1 dir=$2 pkg=$3 out=$4 ldflags=$5 t=$SECONDS
  log "compile: $name ($pkg) ..."
  mkdir -p "$(dirname "$out")"
  (cd "$dir" && "$GO" build -trimpath -tags "$BUILD_TAGS" -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg") ||
    { rm -f "$out.tmp.$$"; die "compiling $name failed (see the go error above)"; }
  mv -f "$out.tmp.$$" "$out"
  log "compile: $name done in $((SECONDS - t)) s ($(du -h "$out" | cut -f1))"
}

STALE=()

if ((!CHECK_ONLY)); then
  mkdir -p "$BIN" "$PLUGIN_DIR" "$STAMPS"
  exec 9>"$DEST/.lock"
  if command -v flock >/dev/null; then flock 9; fi
fi

# --- the CLI and the language host (embedded mode) ------------------------------------------------
if [[ $MODE == embedded ]]; then
  S_PULUMI=$(stamp pulumi "$TOOLCHAIN_SRC/pulumi/go.mod" "$TOOLCHAIN_SRC/pulumi/go.sum")
  S_HOST=$(stamp langhost "$TOOLCHAIN_SRC/langhost/go.mod" "$TOOLCHAIN_SRC/langhost/go.sum")
  if ! is_fresh pulumi "$BIN/pulumi" "$S_PULUMI"; then
    if ((CHECK_ONLY)); then STALE+=("pulumi $PULUMI_VERSION ($BIN/pulumi)"); else
      need_go "pulumi $PULUMI_VERSION" "
  or use a preinstalled Pulumi v3: PAIRBENCH_PULUMI=system (see docs/toolchain.md)"
      download_modules "$TOOLCHAIN_SRC/pulumi"
      compile "pulumi $PULUMI_VERSION" "$TOOLCHAIN_SRC/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
        "$BIN/pulumi" "-s -w -X $VERSION_PKG=$PULUMI_VERSION"
      echo "$S_PULUMI" >"$STAMPS/pulumi"
    fi
  fi
  if ! is_fresh langhost "$BIN/pulumi-language-nodejs" "$S_HOST"; then
    if ((CHECK_ONLY)); then STALE+=("pulumi-language-nodejs ($BIN/pulumi-language-nodejs)"); else
      need_go "pulumi-language-nodejs" ""
      download_modules "$TOOLCHAIN_SRC/langhost"
      compile "pulumi-language-nodejs (sdk $LANGHOST_VERSION)" "$TOOLCHAIN_SRC/langhost" \
        github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
        "$BIN/pulumi-language-nodejs" "-s -w -X $VERSION_PKG=$LANGHOST_VERSION"
      echo "$S_HOST" >"$STAMPS/langhost"
    fi
  fi
  # The dynamic-provider shim ships at the root of the @pulumi/pulumi npm package.
  SHIM=$PULUMI_PKG_DIR/pulumi-resource-pulumi-nodejs
  if ! cmp -s "$SHIM" "$BIN/pulumi-resource-pulumi-nodejs"; then
    if ((CHECK_ONLY)); then STALE+=("pulumi-resource-pulumi-nodejs ($BIN)"); else
      install -m 0755 "$SHIM" "$BIN/pulumi-resource-pulumi-nodejs"
      log "copied pulumi-resource-pulumi-nodejs from node_modules/@pulumi/pulumi"
    fi
  fi
else
  # A preinstalled CLI: check it rather than build it.
  if ! PV=$("$PULUMI_BIN" version 2>/dev/null); then die "$PULUMI_BIN does not run ('pulumi version' failed)"; fi
  [[ $PV == v3.* ]] || die "$PULUMI_BIN is $PV; the project needs Pulumi v3 (the embedded toolchain is $PULUMI_VERSION)"
  HOST=$(dirname "$PULUMI_BIN")/pulumi-language-nodejs
  [[ -x $HOST ]] || HOST=$(command -v pulumi-language-nodejs || true)
  [[ -n $HOST && -x $HOST ]] || die "no pulumi-language-nodejs next to $PULUMI_BIN or on PATH"
  log "using preinstalled pulumi $PV at $PULUMI_BIN (PAIRBENCH_PULUMI=$MODE), language host $HOST"
fi

# --- the command provider (every mode) -------------------------------------------------------------
CMD_SOURCES=()
for f in "$TOOLCHAIN_SRC"/command/*.go; do [[ $f == *_test.go ]] || CMD_SOURCES+=("$f"); done
S_CMD=$(stamp "command $COMMAND_VERSION" "$TOOLCHAIN_SRC/command/go.mod" "$TOOLCHAIN_SRC/command/go.sum" \
  "${CMD_SOURCES[@]}")
if ! is_fresh "command-$COMMAND_VERSION" "$PROVIDER_BIN" "$S_CMD"; then
  if ((CHECK_ONLY)); then STALE+=("pulumi-resource-command $COMMAND_VERSION ($PROVIDER_BIN)"); else
    need_go "pulumi-resource-command $COMMAND_VERSION" ""
    download_modules "$TOOLCHAIN_SRC/command"
    compile "pulumi-resource-command $COMMAND_VERSION" "$TOOLCHAIN_SRC/command" . \
      "$PROVIDER_BIN" "-s -w -X main.Version=v$COMMAND_VERSION"
    echo "$S_CMD" >"$STAMPS/command-$COMMAND_VERSION"
  fi
fi

# --- register the provider in PULUMI_HOME at the SDK's version ------------------------------------
INSTALLED=$PULUMI_HOME/plugins/resource-command-v$COMMAND_VERSION/pulumi-resource-command
if ! cmp -s "$PROVIDER_BIN" "$INSTALLED" 2>/dev/null ||
   [[ -e $PULUMI_HOME/plugins/resource-command-v$COMMAND_VERSION.partial ]]; then
  if ((CHECK_ONLY)); then STALE+=("plugin resource command $COMMAND_VERSION in $PULUMI_HOME"); else
    [[ -x $PULUMI_BIN ]] || die "no pulumi at $PULUMI_BIN to install the plugin with"
    mkdir -p "$PULUMI_HOME"
    log "plugin install: resource command $COMMAND_VERSION into $PULUMI_HOME"
    "$PULUMI_BIN" plugin install resource command "$COMMAND_VERSION" --file "$PROVIDER_BIN" --exact --reinstall >&2 ||
      die "pulumi plugin install resource command $COMMAND_VERSION failed"
  fi
fi

if ((CHECK_ONLY)); then
  if ((${#STALE[@]})); then
    printf '[toolchain] not ready (run make toolchain):\n' >&2
    printf '  - %s\n' "${STALE[@]}" >&2
    exit 1
  fi
  log "ready: pulumi $PULUMI_BIN, command provider $COMMAND_VERSION in $PULUMI_HOME"
  exit 0
fi

log "ready in $((SECONDS - T0)) s: pulumi $("$PULUMI_BIN" version) at $PULUMI_BIN; command $COMMAND_VERSION in $PULUMI_HOME"

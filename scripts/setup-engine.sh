#!/usr/bin/env bash
# Make a Pulumi engine available to Catalyst.
#
#   bash scripts/setup-engine.sh            # idempotent; a warm run takes about a second
#
# 1. A `pulumi` on PATH that is v<@pulumi/pulumi in package.json> or newer, with the Node.js
#    language host (pulumi-language-nodejs) beside it, is what Catalyst uses: nothing to do. That is
#    what users have after Pulumi's installer (curl -fsSL https://get.pulumi.com | sh).
# 2. Otherwise (machines that cannot reach Pulumi's installer, like ours) the engine is built from
#    Go modules into the git-ignored .tools/pulumi/bin/ (the fallback; 5-20 min the first time):
#      pulumi                          the Pulumi CLI/engine, github.com/pulumi/pulumi/pkg/v3 at the
#                                      SDK's version (tools/pulumi-build/go.mod)
#      pulumi-language-nodejs          the Node.js language host (tools/pulumi-build)
#      pulumi-resource-pulumi-nodejs   dynamic-provider host script (from @pulumi/pulumi)
#      pulumi-analyzer-policy          policy-pack host script (untested; needs @pulumi/policy)
#    Catalyst runs this engine with the offline settings (no plugin download, PULUMI_HOME in
#    .tools/pulumi-home) unless CATALYST_OFFLINE=0. See docs/engine.md.
#
# Environment knobs:
#   CATALYST_ENGINE_FORCE_BUILD=1          rebuild even if everything looks current
#   CATALYST_ENGINE_NO_PATH_PULUMI=1       ignore any `pulumi` on PATH (build from Go)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_MODULE="$ROOT/tools/pulumi-build"
BIN_DIR="$ROOT/.tools/pulumi/bin"
STAMP_FILE="$ROOT/.tools/pulumi/build-stamp"
# The SDK the program imports (@pulumi/pulumi in package.json) is also the minimum CLI version.
SDK_VERSION="v$(sed -n 's/^ *"@pulumi\/pulumi": *"\([0-9.]*\)".*/\1/p' "$ROOT/package.json")"
ENGINE_VERSION="v3.276.0"       # github.com/pulumi/pulumi/pkg/v3 in tools/pulumi-build/go.mod
VERSION_VAR="github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"

log() { printf '[setup-engine] %s\n' "$*"; }
die() { printf '[setup-engine] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; printf "[setup-engine] FAILED (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

# run CMD...: print the command, run it, and on failure name it before exiting.
run() {
  log "+ $*"
  local rc=0 t0
  t0=$(date +%s)
  "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then
    trap - ERR
    die "command failed (exit $rc) after $(( $(date +%s) - t0 ))s: $* (in $(pwd))"
  fi
}

start_ts=$(date +%s)
[ "$SDK_VERSION" != "v" ] || die "cannot read the @pulumi/pulumi version from $ROOT/package.json"
[ "$SDK_VERSION" = "$ENGINE_VERSION" ] || die "package.json pins @pulumi/pulumi ${SDK_VERSION#v}, but ENGINE_VERSION is $ENGINE_VERSION: keep them on one version (docs/engine.md, \"Versions\")"

pulumi_version_of() { # prints e.g. v3.274.1, or nothing
  PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | head -n1 | tr -d '[:space:]' || true
}
version_ge() { # version_ge A B: A >= B (dotted numbers, leading v ignored)
  [ "$(printf '%s\n%s\n' "${1#v}" "${2#v}" | sort -t. -k1,1n -k2,2n -k3,3n | head -n1)" = "${2#v}" ]
}

build_inputs_hash() {
  (cd "$BUILD_MODULE" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 \
     | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

# ------------------------------------------------------------------------------------------
# 1. A usable `pulumi` on PATH (outside .tools/): Catalyst uses it as it is.
if [ "${CATALYST_ENGINE_NO_PATH_PULUMI:-}" != "1" ]; then
  IFS=: read -r -a path_dirs <<<"$PATH"
  for d in "${path_dirs[@]}"; do
    [ -n "$d" ] && [ -x "$d/pulumi" ] || continue
    [ "$(cd "$d" 2>/dev/null && pwd -P)" = "$(mkdir -p "$BIN_DIR" && cd "$BIN_DIR" && pwd -P)" ] && continue
    v="$(pulumi_version_of "$d/pulumi")"
    if [ -z "$v" ]; then
      log "skipping $d/pulumi (\`pulumi version\` printed nothing)"
    elif ! version_ge "$v" "$SDK_VERSION"; then
      log "skipping $d/pulumi ($v is older than the $SDK_VERSION Catalyst needs)"
    elif [ ! -x "$d/pulumi-language-nodejs" ]; then
      log "skipping $d/pulumi ($v, but no pulumi-language-nodejs beside it; reinstall Pulumi with its installer)"
    else
      # An old setup linked the PATH pulumi into .tools; Catalyst now finds it on PATH itself.
      if [ -L "$BIN_DIR/pulumi" ]; then rm -f "$BIN_DIR/pulumi"; log "removed the old link $BIN_DIR/pulumi"; fi
      log "using pulumi $v on PATH ($d/pulumi, language host beside it): nothing to build; Catalyst runs it with your PULUMI_HOME and plugin settings"
      log "next: npx catalyst setup   (installs the provider plugins at the versions package.json pins)"
      exit 0
    fi
  done
fi
log "no usable pulumi on PATH; to use Pulumi's own build, install it with its installer:"
log "  curl -fsSL https://get.pulumi.com | sh -s -- --version ${SDK_VERSION#v}   (https://www.pulumi.com/docs/install/)"
log "using the engine built from Go modules instead, building it if needed (the fallback for machines that cannot reach get.pulumi.com)"

mkdir -p "$BIN_DIR"
# Keep `pulumi version` and plugin lookups offline and quiet while building.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_HOME="${PULUMI_HOME:-$ROOT/.tools/pulumi-home}"
mkdir -p "$PULUMI_HOME"

want_hash="$(build_inputs_hash)"
have_hash="$(cat "$STAMP_FILE" 2>/dev/null || true)"

need_build_cli=1
need_build_host=1
if [ -L "$BIN_DIR/pulumi" ]; then rm -f "$BIN_DIR/pulumi"; log "removed the old link $BIN_DIR/pulumi"; fi
if [ -x "$BIN_DIR/pulumi" ] \
     && [ "$(pulumi_version_of "$BIN_DIR/pulumi")" = "$ENGINE_VERSION" ] \
     && [ "$have_hash" = "$want_hash" ] && [ "${CATALYST_ENGINE_FORCE_BUILD:-}" != "1" ]; then
  need_build_cli=0
  log "pulumi $ENGINE_VERSION already built: $BIN_DIR/pulumi"
fi
if [ -x "$BIN_DIR/pulumi-language-nodejs" ] && [ "$have_hash" = "$want_hash" ] \
   && [ "${CATALYST_ENGINE_FORCE_BUILD:-}" != "1" ]; then
  need_build_host=0
  log "pulumi-language-nodejs already built: $BIN_DIR/pulumi-language-nodejs"
fi

if [ "$need_build_cli" = 1 ] || [ "$need_build_host" = 1 ]; then
  command -v go >/dev/null 2>&1 || die "go is not on PATH (needed to build the Pulumi engine)"
  log "$(go version); GOPROXY=$(go env GOPROXY); build cache $(go env GOCACHE)"
  export GOFLAGS="${GOFLAGS:+$GOFLAGS }-trimpath"
  ldflags="-X $VERSION_VAR=$ENGINE_VERSION"
  cd "$BUILD_MODULE"
  # go build fetches the modules it needs through GOPROXY and checks them against go.sum.
  if [ "$need_build_cli" = 1 ]; then
    log "building pulumi $ENGINE_VERSION (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi); a cold build takes 5-20 min on 2 cores"
    t0=$(date +%s)
    run go build -ldflags "$ldflags" -o "$BIN_DIR/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    rm -f "$BIN_DIR/pulumi"
    mv "$BIN_DIR/pulumi.tmp" "$BIN_DIR/pulumi"
    log "built pulumi in $(( $(date +%s) - t0 ))s"
  fi
  log "building pulumi-language-nodejs (tools/pulumi-build/cmd/pulumi-language-nodejs)"
  t0=$(date +%s)
  run go build -ldflags "$ldflags" -o "$BIN_DIR/pulumi-language-nodejs.tmp" ./cmd/pulumi-language-nodejs
  mv "$BIN_DIR/pulumi-language-nodejs.tmp" "$BIN_DIR/pulumi-language-nodejs"
  log "built pulumi-language-nodejs in $(( $(date +%s) - t0 ))s"
  cd "$ROOT"
  printf '%s\n' "$want_hash" >"$STAMP_FILE"
fi

got="$(pulumi_version_of "$BIN_DIR/pulumi")"
[ -n "$got" ] || die "$BIN_DIR/pulumi version printed nothing"
log "pulumi version: $got"

# ------------------------------------------------------------------------------------------
# 2. Helper scripts shipped with the Node.js SDK. The dynamic-provider host is copied from
#    node_modules/@pulumi/pulumi (adapted: quoted "$@" and exec); the policy host has the same
#    shape as the SDK repository's sdk/nodejs/dist/pulumi-analyzer-policy, which the npm
#    package does not ship.
write_if_changed() { # path content
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then
    printf '%s\n' "$2" >"$1.tmp" && chmod +x "$1.tmp" && mv "$1.tmp" "$1"
    log "wrote $1"
  fi
}
sdk_script="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
if [ -f "$sdk_script" ] && ! grep -q 'cmd/dynamic-provider' "$sdk_script"; then
  die "$sdk_script no longer refers to @pulumi/pulumi/cmd/dynamic-provider; re-check the adaptation"
fi
dynamic_provider_script="$(cat <<'EOF'
#!/bin/sh
# Dynamic-provider host for pulumi.dynamic.Resource; adapted from
# node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs. The engine starts it in the
# program directory, so require.resolve finds the program's own @pulumi/pulumi.
PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))")
if [ -n "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" ]; then
    exec node "$PULUMI_DYNAMIC_PROVIDER_SCRIPT_PATH" "$@"
fi
echo "pulumi-resource-pulumi-nodejs: cannot resolve @pulumi/pulumi/cmd/dynamic-provider from $(pwd)" >&2
exit 1
EOF
)"
policy_script="$(cat <<'EOF'
#!/bin/sh
# Policy-pack host (Node.js): runs @pulumi/pulumi/cmd/run-policy-pack for the policy pack.
PULUMI_RUN_POLICY_PACK_PATH=$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))")
if [ -n "$PULUMI_RUN_POLICY_PACK_PATH" ]; then
    exec node "$PULUMI_RUN_POLICY_PACK_PATH" "$@"
fi
echo "pulumi-analyzer-policy: cannot resolve @pulumi/pulumi/cmd/run-policy-pack from $(pwd)" >&2
exit 1
EOF
)"
write_if_changed "$BIN_DIR/pulumi-resource-pulumi-nodejs" "$dynamic_provider_script"
write_if_changed "$BIN_DIR/pulumi-analyzer-policy" "$policy_script"

# ------------------------------------------------------------------------------------------
node_bin="$ROOT/node_modules/.bin/node"
if [ -x "$node_bin" ]; then
  log "node for programs: $node_bin ($("$node_bin" --version)); source scripts/pulumi-env.sh to put it first on PATH"
else
  log "warning: $node_bin missing (run npm ci); the language host needs Node >= 22.18 first on PATH"
fi
log "ready in $(( $(date +%s) - start_ts ))s: $BIN_DIR"

#!/usr/bin/env bash
# Make the Pulumi engine available to this project without Pulumi's download site.
#
#   bash scripts/setup-engine.sh            # idempotent; a warm run takes about a second
#   source scripts/pulumi-env.sh            # then use `pulumi`
#
# Result, in the git-ignored .tools/pulumi/bin/:
#   pulumi                          the Pulumi CLI/engine (an acceptable `pulumi` already on
#                                   PATH is linked instead of building one)
#   pulumi-language-nodejs          the Node.js language host (tools/pulumi-build)
#   pulumi-resource-pulumi-nodejs   dynamic-provider host script (from @pulumi/pulumi)
#   pulumi-analyzer-policy          policy-pack host script (untested; needs @pulumi/policy)
#
# Versions: the Node.js SDK is @pulumi/pulumi 3.270.0 (package.json). The Go module proxy does
# not serve github.com/pulumi/pulumi/pkg/v3@v3.270.0 (nor Pulumi's own pulumi-language-nodejs
# module at any version), so the CLI is built from the nearest newer served release, v3.274.1,
# set in tools/pulumi-build/go.mod; a 3.274 engine runs 3.270 SDK programs (the engine is
# backwards compatible with older SDKs). See docs/engine.md.
#
# Environment knobs:
#   CATALYST_ENGINE_FORCE_BUILD=1          rebuild even if everything looks current
#   CATALYST_ENGINE_NO_PATH_PULUMI=1       ignore any `pulumi` already on PATH
#   CATALYST_PULUMI_COMMAND_PROVIDER=FILE  install FILE as the `command` 1.2.1 resource plugin
#                                          (pulumi-resource-command); no binary can be obtained
#                                          or built from the reachable registries (docs/engine.md)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_MODULE="$ROOT/tools/pulumi-build"
BIN_DIR="$ROOT/.tools/pulumi/bin"
STAMP_FILE="$ROOT/.tools/pulumi/build-stamp"
SDK_VERSION="v3.270.0"          # @pulumi/pulumi in package.json
ENGINE_VERSION="v3.274.1"       # github.com/pulumi/pulumi/pkg/v3 in tools/pulumi-build/go.mod
ACCEPTED_PATH_VERSIONS=("$SDK_VERSION" "$ENGINE_VERSION")
COMMAND_PLUGIN_VERSION="1.2.1"  # @pulumi/command in package.json
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
mkdir -p "$BIN_DIR"

# Keep `pulumi version` and plugin lookups offline and quiet.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_HOME="${PULUMI_HOME:-$ROOT/.tools/pulumi-home}"
mkdir -p "$PULUMI_HOME"

pulumi_version_of() { # prints e.g. v3.274.1, or nothing
  "$1" version 2>/dev/null | head -n1 | tr -d '[:space:]' || true
}

build_inputs_hash() {
  (cd "$BUILD_MODULE" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) -print0 \
     | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

# ------------------------------------------------------------------------------------------
# 1. The CLI: reuse a suitable `pulumi` on PATH, else build one.
cli_source=""
path_pulumi=""
if [ "${CATALYST_ENGINE_NO_PATH_PULUMI:-}" != "1" ]; then
  # Look on PATH, skipping our own bin dir.
  IFS=: read -r -a path_dirs <<<"$PATH"
  for d in "${path_dirs[@]}"; do
    [ -n "$d" ] || continue
    [ "$(cd "$d" 2>/dev/null && pwd -P)" = "$(cd "$BIN_DIR" && pwd -P)" ] && continue
    if [ -x "$d/pulumi" ]; then path_pulumi="$d/pulumi"; break; fi
  done
fi
if [ -n "$path_pulumi" ]; then
  v="$(pulumi_version_of "$path_pulumi")"
  for ok in "${ACCEPTED_PATH_VERSIONS[@]}"; do
    if [ "$v" = "$ok" ]; then cli_source="$path_pulumi"; fi
  done
  if [ -n "$cli_source" ]; then
    log "using pulumi $v found on PATH: $path_pulumi"
  else
    log "ignoring pulumi on PATH ($path_pulumi reports '${v:-nothing}'; want one of ${ACCEPTED_PATH_VERSIONS[*]})"
  fi
fi

want_hash="$(build_inputs_hash)"
have_hash="$(cat "$STAMP_FILE" 2>/dev/null || true)"

need_build_cli=1
need_build_host=1
if [ -n "$cli_source" ]; then
  need_build_cli=0
  if [ "$(readlink "$BIN_DIR/pulumi" 2>/dev/null || true)" != "$cli_source" ]; then
    rm -f "$BIN_DIR/pulumi"
    ln -s "$cli_source" "$BIN_DIR/pulumi"
    log "linked $BIN_DIR/pulumi -> $cli_source"
  fi
elif [ -x "$BIN_DIR/pulumi" ] && [ ! -L "$BIN_DIR/pulumi" ] \
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
# 3. Optional: the `command` resource plugin for @pulumi/command, from a binary you supply.
if [ -n "${CATALYST_PULUMI_COMMAND_PROVIDER:-}" ]; then
  [ -x "$CATALYST_PULUMI_COMMAND_PROVIDER" ] || die "CATALYST_PULUMI_COMMAND_PROVIDER=$CATALYST_PULUMI_COMMAND_PROVIDER is not an executable file"
  if "$BIN_DIR/pulumi" plugin ls 2>/dev/null | grep -Eq "^command +resource +$COMMAND_PLUGIN_VERSION\b"; then
    log "command plugin $COMMAND_PLUGIN_VERSION already installed in $PULUMI_HOME"
  else
    run "$BIN_DIR/pulumi" plugin install resource command "$COMMAND_PLUGIN_VERSION" --file "$CATALYST_PULUMI_COMMAND_PROVIDER"
  fi
fi

# ------------------------------------------------------------------------------------------
node_bin="$ROOT/node_modules/.bin/node"
if [ -x "$node_bin" ]; then
  log "node for programs: $node_bin ($("$node_bin" --version)); source scripts/pulumi-env.sh to put it first on PATH"
else
  log "warning: $node_bin missing (run npm ci); the language host needs Node >= 22.18 first on PATH"
fi
log "ready in $(( $(date +%s) - start_ts ))s: $BIN_DIR"

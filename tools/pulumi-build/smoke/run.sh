#!/usr/bin/env bash
# End-to-end check of the project's Pulumi engine: a TypeScript ESM program run by Node 24
# type stripping, one dynamic-provider resource (writes a file), secret config, local file
# backend. Runs outside the repo (default /tmp/pulumi-smoke) with node_modules symlinked.
#
#   bash scripts/setup-engine.sh && bash tools/pulumi-build/smoke/run.sh [DIR]
#
# Adds an @pulumi/command local.Command when the `command` 1.2.1 plugin is installed.
set -Eeuo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
DIR="${1:-/tmp/pulumi-smoke}"

step() { printf '\n[smoke] == %s\n' "$*"; }
fail() { printf '[smoke] FAILED: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; printf "[smoke] FAILED (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR
timed() { # label cmd...
  local label="$1"; shift
  local t0; t0=$(date +%s%N)
  "$@"
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  printf '[smoke] %s took %d.%03ds\n' "$label" $((ms / 1000)) $((ms % 1000))
}

[ -x "$ROOT/.tools/pulumi/bin/pulumi" ] || fail "run scripts/setup-engine.sh first"
# shellcheck source=../../../scripts/pulumi-env.sh
source "$ROOT/scripts/pulumi-env.sh"

rm -rf "$DIR"
mkdir -p "$DIR"
cp "$HERE/Pulumi.yaml" "$HERE/package.json" "$HERE/index.ts" "$DIR/"
ln -s "$ROOT/node_modules" "$DIR/node_modules"
cd "$DIR"

# Throwaway state and a throwaway development passphrase, both inside $DIR.
export PULUMI_BACKEND_URL="file://$DIR/.state"
mkdir -p "$DIR/.state"
export PULUMI_CONFIG_PASSPHRASE="smoke-test-only-passphrase"

step "versions"
printf '[smoke] pulumi %s, node %s (%s)\n' "$(pulumi version)" "$(node --version)" "$(command -v node)"

step "login + stack init"
pulumi login "$PULUMI_BACKEND_URL"
pulumi stack init dev

if pulumi plugin ls 2>/dev/null | grep -Eq '^command +resource +1\.2\.1\b'; then
  printf '[smoke] command plugin 1.2.1 installed: adding a local.Command\n'
  pulumi config set withCommand true
fi

step "config set --secret"
pulumi config set --secret x y
grep -q 'secure: v1:' Pulumi.dev.yaml || fail "secret is not encrypted in Pulumi.dev.yaml"
! grep -Eq '(^|[^a-z])y$' Pulumi.dev.yaml || fail "plaintext secret found in Pulumi.dev.yaml"
sed 's/^/[smoke]   /' Pulumi.dev.yaml
[ "$(pulumi config get x)" = "y" ] || fail "pulumi config get x did not return y"

step "preview"
timed preview pulumi preview

step "up"
timed up pulumi up --yes
[ "$(cat out/hello.txt)" = "hello from dev" ] || fail "dynamic provider did not write out/hello.txt"

step "second up (must change nothing)"
timed "second up" pulumi up --yes --expect-no-changes

step "stack output --json"
pulumi stack output --json | tee outputs.json
node -e '
  const o = JSON.parse(require("fs").readFileSync("outputs.json", "utf8"));
  if (o.fileSize !== 15 || !o.nodeVersion.startsWith("v24.") || o.secretSet !== true) {
    console.error("unexpected outputs", o); process.exit(1);
  }'

step "destroy"
timed destroy pulumi destroy --yes
[ ! -e out/hello.txt ] || fail "destroy did not delete out/hello.txt"
pulumi stack rm dev --yes

printf '\n[smoke] OK: %s\n' "$DIR"

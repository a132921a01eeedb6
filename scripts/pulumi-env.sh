# shellcheck shell=bash
# Source this file (do not execute it) to use the project's Pulumi engine:
#
#   bash scripts/setup-engine.sh          # once per machine (cached)
#   source scripts/pulumi-env.sh
#   export PULUMI_CONFIG_PASSPHRASE=...   # the caller decides; never set here
#
# It puts node_modules/.bin (Node 24 from the `node` devDependency) and, when it was built,
# .tools/pulumi/bin (pulumi, pulumi-language-nodejs, pulumi-resource-pulumi-nodejs) first on
# PATH, applies the offline settings when that built engine is used (or CATALYST_OFFLINE=1), and
# points the state backend at <repo>/.pulumi-state.
# See docs/engine.md.

if [ -n "${BASH_SOURCE[0]:-}" ]; then
  _catalyst_env_src="${BASH_SOURCE[0]}"
else
  _catalyst_env_src="$0"
fi
CATALYST_ROOT="$(cd "$(dirname "$_catalyst_env_src")/.." && pwd)"
unset _catalyst_env_src
export CATALYST_ROOT

# PATH: Node 24 first (the language host runs the first `node` on PATH), and the engine that
# scripts/setup-engine.sh built, when there is one, before that. Prepended unconditionally so
# re-sourcing keeps the order right even if something else was put in front meanwhile.
export PATH="$CATALYST_ROOT/node_modules/.bin:$PATH"
if [ -f "$CATALYST_ROOT/.tools/pulumi/bin/pulumi" ] && [ ! -L "$CATALYST_ROOT/.tools/pulumi/bin/pulumi" ]; then
  export PATH="$CATALYST_ROOT/.tools/pulumi/bin:$PATH"
  _catalyst_offline="${CATALYST_OFFLINE:-1}"
  _catalyst_why="the engine in use is the one scripts/setup-engine.sh built"
else
  _catalyst_offline="${CATALYST_OFFLINE:-0}"
  _catalyst_why="CATALYST_OFFLINE=1"
fi
[ "${CATALYST_OFFLINE:-}" = "1" ] && _catalyst_why="CATALYST_OFFLINE=1"

# Offline settings (the built engine, or CATALYST_OFFLINE=1): no update checks, no plugin
# downloads, plugins and credentials inside the repo (git-ignored .tools/). Otherwise your own
# PULUMI_HOME and plugin acquisition are left as they are.
if [ "$_catalyst_offline" = "1" ]; then
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  export PULUMI_HOME="${PULUMI_HOME:-$CATALYST_ROOT/.tools/pulumi-home}"
  mkdir -p "$PULUMI_HOME"
  echo "pulumi-env: offline settings on ($_catalyst_why): no plugin downloads, PULUMI_HOME=$PULUMI_HOME (docs/engine.md)" >&2
fi
unset _catalyst_offline _catalyst_why

# Local file state backend (git-ignored .pulumi-state). To use another backend, set
# CATALYST_PULUMI_BACKEND_URL before sourcing (e.g. file:///tmp/scratch-state).
if [ -n "${CATALYST_PULUMI_BACKEND_URL:-}" ]; then
  export PULUMI_BACKEND_URL="$CATALYST_PULUMI_BACKEND_URL"
else
  mkdir -p "$CATALYST_ROOT/.pulumi-state"
  export PULUMI_BACKEND_URL="file://$CATALYST_ROOT/.pulumi-state"
fi

# PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE are deliberately not set here.

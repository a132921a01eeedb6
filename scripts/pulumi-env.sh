# shellcheck shell=bash
# Source this file (do not execute it) to use the project's Pulumi engine:
#
#   bash scripts/setup-engine.sh          # once per machine (cached)
#   source scripts/pulumi-env.sh
#   export PULUMI_CONFIG_PASSPHRASE=...   # the caller decides; never set here
#
# It puts .tools/pulumi/bin (pulumi, pulumi-language-nodejs, pulumi-resource-pulumi-nodejs)
# and node_modules/.bin (Node 24 from the `node` devDependency) first on PATH, keeps Pulumi
# from reaching the network, and points the state backend at <repo>/.pulumi-state.
# See docs/engine.md.

if [ -n "${BASH_SOURCE[0]:-}" ]; then
  _catalyst_env_src="${BASH_SOURCE[0]}"
else
  _catalyst_env_src="$0"
fi
CATALYST_ROOT="$(cd "$(dirname "$_catalyst_env_src")/.." && pwd)"
unset _catalyst_env_src
export CATALYST_ROOT

# PATH: the engine first, then Node 24. Both are prepended unconditionally so re-sourcing
# keeps the order right even if something else was put in front meanwhile.
export PATH="$CATALYST_ROOT/.tools/pulumi/bin:$CATALYST_ROOT/node_modules/.bin:$PATH"

# No update checks, no plugin downloads: Pulumi's download site is unreachable here.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

# Plugins, credentials and workspace files stay inside the repo (git-ignored .tools/).
export PULUMI_HOME="$CATALYST_ROOT/.tools/pulumi-home"
mkdir -p "$PULUMI_HOME"

# Local file state backend (git-ignored .pulumi-state). To use another backend, set
# CATALYST_PULUMI_BACKEND_URL before sourcing (e.g. file:///tmp/scratch-state).
if [ -n "${CATALYST_PULUMI_BACKEND_URL:-}" ]; then
  export PULUMI_BACKEND_URL="$CATALYST_PULUMI_BACKEND_URL"
else
  mkdir -p "$CATALYST_ROOT/.pulumi-state"
  export PULUMI_BACKEND_URL="file://$CATALYST_ROOT/.pulumi-state"
fi

# PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE are deliberately not set here.

#!/usr/bin/env bash
# `npm run down`: stop everything `npm run up` started: the live dashboard, then `catalyst down --env local` destroys every
# local stack, callers first (each app process is stopped, its port closed, .catalyst/run/<stack>
# removed). The stacks stay in .pulumi-state (empty), as do the report in .catalyst/report and the
# engine in .tools; `npm run up` starts everything again.
#
# Usage: scripts/down.sh [env]    (default env: local)
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_NAME="${1:-local}"
cd "$ROOT"

NODE="$ROOT/node_modules/.bin/node"
if [ ! -x "$NODE" ]; then
  printf 'npm run down: node_modules is missing: run `npm install` first\n' >&2
  exit 1
fi
bash "$ROOT/scripts/dashboard.sh" stop
"$NODE" "$ROOT/bin/catalyst.js" down --env "$ENV_NAME"
rm -f ".catalyst/outputs.$ENV_NAME.json"
printf '\nStopped. The last report is still in .catalyst/report/; `npm run up` starts everything again.\n'

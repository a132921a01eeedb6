#!/usr/bin/env bash
# `npm run up`: run the example projects on this machine, the way a new user first sees Catalyst.
#
#   1. scripts/setup-engine.sh            your `pulumi` (v3.276.0 or newer) when it is on PATH, else the
#                                         engine built from Go into .tools/ (once, then cached)
#   2. catalyst up --env local            every stacks/Pulumi.<project>.local.yaml, callees first;
#                                         each app runs on 127.0.0.1 (target `local`)
#   3. catalyst outputs --env local       → .catalyst/outputs.<env>.json
#   4. catalyst report --outputs …        → .catalyst/report/{index.html,report.md,report.json}
#   5. catalyst dashboard --env <env>    the live dashboard in the background (scripts/dashboard.sh)
#   6. prints each service's URL and routes, the dashboard's URL and the report's path
#
# Usage: scripts/up.sh [env]    (default env: local; `npm run down` stops everything)
# Everything it writes is git-ignored: .tools/, .pulumi-state/, .build/, .cache/, .catalyst/.
# See docs/engine.md ("npm run up").
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_NAME="${1:-local}"
cd "$ROOT"

if [ -t 1 ]; then say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }; else say() { printf '\n==> %s\n' "$*"; }; fi
die() { printf '\nnpm run up: %s\n' "$*" >&2; exit 1; }

NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] || die "node_modules is missing: run \`npm install\` first (it installs Node 24 and the Pulumi SDK)"
catalyst() { "$NODE" "$ROOT/bin/catalyst.js" "$@"; }

say "Pulumi engine (scripts/setup-engine.sh: your pulumi, else a build from Go that takes 5-20 min on 2 cores once)"
bash "$ROOT/scripts/setup-engine.sh"

say "catalyst up --env $ENV_NAME"
rc=0
catalyst up --env "$ENV_NAME" || rc=$?
if [ "$rc" -ne 0 ]; then
  if [ "$rc" -eq 130 ]; then die "interrupted; run \`npm run up\` again to finish"; fi
  die "catalyst up --env $ENV_NAME failed (exit $rc); the error is above. Run \`npm run up\` again after fixing it, or \`npm run down\` to stop what is running"
fi

mkdir -p .catalyst
OUTPUTS=".catalyst/outputs.$ENV_NAME.json"
catalyst outputs --env "$ENV_NAME" --json >"$OUTPUTS.tmp"
mv "$OUTPUTS.tmp" "$OUTPUTS"

say "Health report"
report_rc=0
catalyst report --env "$ENV_NAME" --outputs "$OUTPUTS" --out .catalyst/report --fail-on down || report_rc=$?

say "Running"
"$NODE" --input-type=module - "$OUTPUTS" <<'EOF'
import { readFileSync } from 'node:fs';
const outputs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rows = Object.entries(outputs).map(([stack, o]) => ({ stack, url: o.url ?? '(no url)', routes: (o.publicRoutes ?? []).map((r) => `${r.method} ${r.path}`).join('  ') }));
const w1 = Math.max(...rows.map((r) => r.stack.length));
const w2 = Math.max(...rows.map((r) => r.url.length));
for (const r of rows) console.log(`  ${r.stack.padEnd(w1)}  ${r.url.padEnd(w2)}  ${r.routes || '(no public routes)'}`);
const first = rows.find((r) => r.url.startsWith('http'));
if (first) console.log(`\n  API docs of each app: <url>/docs (e.g. ${first.url}/docs); health: <url>/health`);
EOF
say "Live dashboard (catalyst dashboard, in the background; \`npm run down\` stops it)"
bash "$ROOT/scripts/dashboard.sh" start "$ENV_NAME" || printf 'npm run up: the dashboard did not start (the services are up; see .catalyst/dashboard.log)\n' >&2
DASHBOARD_URL="$(cat .catalyst/dashboard.url 2>/dev/null || true)"

cat <<EOF

  Dashboard: ${DASHBOARD_URL:-(not started: see .catalyst/dashboard.log)}
  Report:   $ROOT/.catalyst/report/index.html  (also report.md, report.json)
  Outputs:  $ROOT/$OUTPUTS
  Logs:     $ROOT/.catalyst/run/<stack>/app.log
  Stop:     npm run down
EOF
[ "$report_rc" -eq 0 ] || die "the report found a service down (exit $report_rc): see .catalyst/report/report.md"

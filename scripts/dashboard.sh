#!/usr/bin/env bash
# The live dashboard in the background, for `npm run up` / `npm run down`:
#
#   scripts/dashboard.sh start [env]   (re)starts `catalyst dashboard --env <env>` on 127.0.0.1,
#                                      writes .catalyst/dashboard.{pid,url,log}, prints the URL
#   scripts/dashboard.sh stop          stops the dashboard this script started (and only that one)
#
# Port: CATALYST_DASHBOARD_PORT (default 4680; taken → any free port). See docs/report.md.
set -Eeuo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p .catalyst
PID_FILE=.catalyst/dashboard.pid
URL_FILE=.catalyst/dashboard.url
LOG_FILE=.catalyst/dashboard.log
NODE="$ROOT/node_modules/.bin/node"

ours() { # pid → true when it is a `catalyst.js dashboard` process
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'catalyst.js dashboard'
}

stop() {
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  if ours "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do ours "$pid" || break; sleep 0.1; done
    ours "$pid" && kill -KILL "$pid" 2>/dev/null || true
    printf 'dashboard stopped (pid %s)\n' "$pid"
  fi
  rm -f "$PID_FILE" "$URL_FILE"
}

start() {
  local env_name="${1:-local}" port="${CATALYST_DASHBOARD_PORT:-4680}"
  stop >/dev/null
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port=0; fi
  nohup "$NODE" "$ROOT/bin/catalyst.js" dashboard --env "$env_name" --port "$port" >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  # It prints its URL once the stack list is read (pulumi stack output per stack): seconds, or more on a busy machine.
  for _ in $(seq 1 900); do
    if url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$LOG_FILE" | head -n1)" && [ -n "$url" ]; then
      echo "$url" >"$URL_FILE"
      printf 'dashboard: %s (pid %s, log %s)\n' "$url" "$(cat "$PID_FILE")" "$LOG_FILE"
      return 0
    fi
    ours "$(cat "$PID_FILE")" || break
    sleep 0.1
  done
  printf 'the dashboard did not start; see %s:\n' "$LOG_FILE" >&2
  tail -n 20 "$LOG_FILE" >&2 || true
  return 1
}

case "${1:-}" in
  start) start "${2:-local}" ;;
  stop) stop ;;
  *) printf 'usage: scripts/dashboard.sh start [env] | stop\n' >&2; exit 2 ;;
esac

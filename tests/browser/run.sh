#!/usr/bin/env bash
# The store console in a real browser: a real omsd (temp database, gRPC and HTTP on free
# loopback ports) seeded with omsctl, then console_test.mjs drives Debian's chromium through
# puppeteer-core and checks every step against gRPC reads; then a second omsd with a tokens
# file for console_roles_test.mjs (store and viewer tokens).
# Usage: run.sh OMSD OMSCTL
# Node modules go into the build tree (OMS_BUILD_DIR, else the current directory), never into
# the source tree; screenshots into $OMS_ARTIFACTS, else <build>/browser-artifacts.
set -euo pipefail
OMSD=$(realpath "$1")
OMSCTL=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=$(realpath "${OMS_BUILD_DIR:-$PWD}")
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
ARTIFACTS="${OMS_ARTIFACTS:-$BUILD_DIR/browser-artifacts}"
WORK=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

command -v node >/dev/null || fail "node is missing (tools/dev/deps-browser.sh installs it)"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM is missing (tools/dev/deps-browser.sh installs it)"

# puppeteer-core, exactly as locked, in the build tree; reinstalled when the lock changes.
MODULES="$BUILD_DIR/browser-test"
mkdir -p "$MODULES"
if ! cmp -s "$HERE/package-lock.json" "$MODULES/package-lock.json" || [ ! -d "$MODULES/node_modules/puppeteer-core" ]; then
  cp "$HERE/package.json" "$HERE/package-lock.json" "$MODULES/"
  (cd "$MODULES" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) \
    || fail "npm ci of puppeteer-core failed"
fi
cp "$HERE"/*.mjs "$MODULES/"
mkdir -p "$ARTIFACTS"
# Only this test's screenshots: a previous run's failure picture must not linger.
(cd "$ARTIFACTS" && rm -f queue.png order.png ready.png stock.png returns.png viewer-refused.png failure.png)

# start NAME [omsd flags]: a fresh database; both ports come from omsd's start-up lines
# ("(port N)"), the gRPC one first, then HTTP.
start() {
  local name=$1
  shift
  "$OMSD" --db "$WORK/$name.db" --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 "$@" >"$WORK/$name.log" 2>&1 &
  PID=$!
  LOG="$WORK/$name.log"
  GRPC_PORT=""
  HTTP_PORT=""
  for _ in $(seq 1 100); do
    GRPC_PORT=$(sed -n 's/.*serving oms.v1 on .*(port \([0-9]*\)).*/\1/p' "$LOG")
    HTTP_PORT=$(sed -n 's/.*serving HTTP.*(port \([0-9]*\)).*/\1/p' "$LOG")
    [ -n "$GRPC_PORT" ] && [ -n "$HTTP_PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$LOG"
  fail "omsd did not start with HTTP"
}

stop() {
  kill -TERM "$PID"
  wait "$PID" || fail "omsd exited non-zero on SIGTERM"
  PID=""
}

ctl() { "$OMSCTL" --server "127.0.0.1:$GRPC_PORT" "$@" >/dev/null; }

# Three stores in one group (check another store) and a warehouse outside it.
seed() {
  ctl locations add store-1 --name Downtown --ship --pickup
  ctl locations add store-2 --name Riverside --pickup
  ctl locations add store-3 --name Airport --pickup
  ctl locations add wh-1 --name Warehouse --kind warehouse --ship
  ctl groups set north store-1 store-2 store-3
  ctl stock receive jacket store-1 10 --reference PO-1
  ctl stock receive socks store-1 6
  ctl stock receive jacket store-2 4
  ctl stock receive jacket store-3 7
  ctl stock receive jacket wh-1 50
  ctl stock safety jacket store-2 1
}

browser_test() {
  OMS_URL="http://127.0.0.1:$HTTP_PORT" OMS_GRPC="127.0.0.1:$GRPC_PORT" OMSCTL="$OMSCTL" \
    CHROMIUM="$CHROMIUM" ARTIFACTS="$ARTIFACTS" node "$MODULES/$1" \
    || { echo "--- omsd log"; tail -n 50 "$LOG"; fail "$1"; }
}

start open
seed
browser_test console_test.mjs
stop

cat >"$WORK/tokens" <<'TOKENS'
admin-token-0123456789 admin name=ops
riverside-token-0123456789 store store-2 name=riverside
auditor-token-0123456789 viewer name=auditor
TOKENS
start tokens --tokens "$WORK/tokens"
export OMS_TOKEN=admin-token-0123456789
seed
browser_test console_roles_test.mjs
stop
echo "console_browser: all checks passed (screenshots in $ARTIFACTS)"

#!/usr/bin/env bash
# The store console in a real browser: a real omsd (temp database, gRPC and HTTP on free
# loopback ports) seeded with omsctl, then console_test.mjs drives Debian's chromium through
# puppeteer-core and checks every step against gRPC reads (and has omsd restarted under the
# open queue); then a second omsd with a tokens file for console_roles_test.mjs (a wrong
# token, a store token, a viewer token).
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
NODE_PID=""
cleanup() {
  # The test's node (it closes its chromium on SIGTERM), then our omsd: each by its PID.
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; fi
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

# start NAME GRPC_ADDR HTTP_ADDR [omsd flags]: the database NAME.db (kept across restarts);
# port 0 picks free ports, which come from omsd's start-up lines ("(port N)"): gRPC, then HTTP.
start() {
  local name=$1 grpc=$2 http=$3
  shift 3
  NAME=$name
  FLAGS=("$@")
  LOG="$WORK/$name.log"
  "$OMSD" --db "$WORK/$name.db" --listen "$grpc" --http-listen "$http" "$@" >"$LOG" 2>&1 &
  PID=$!
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

# A test asks for a server restart by writing "restart" to fd 3: the same database and
# ports, so the open page must find its way back by itself. The loop runs in this shell, so
# the trap always knows the omsd of the moment.
restart() {
  local grpc=$GRPC_PORT http=$HTTP_PORT
  stop
  start "$NAME" "127.0.0.1:$grpc" "127.0.0.1:$http" "${FLAGS[@]}"
}

# The test's verdict comes as its last request, "result N": `wait` cannot reach a process
# substitution once restart has started another background job.
browser_test() {
  local request result=""
  while read -r request; do
    case "$request" in
      pid\ *) NODE_PID=${request#pid } ;;
      restart) restart ;;
      result\ *) result=${request#result } ;;
    esac
  done < <(OMS_URL="http://127.0.0.1:$HTTP_PORT" OMS_GRPC="127.0.0.1:$GRPC_PORT" OMSCTL="$OMSCTL" \
    CHROMIUM="$CHROMIUM" ARTIFACTS="$ARTIFACTS" node "$MODULES/$1" 3>&1 1>&2)
  NODE_PID=""
  [ "$result" = 0 ] || { echo "--- omsd log"; tail -n 50 "$LOG"; fail "$1 (result ${result:-none})"; }
}

start open 127.0.0.1:0 127.0.0.1:0
seed
browser_test console_test.mjs
stop

cat >"$WORK/tokens" <<'TOKENS'
admin-token-0123456789 admin name=ops
riverside-token-0123456789 store store-2 name=riverside
auditor-token-0123456789 viewer name=auditor
TOKENS
start tokens 127.0.0.1:0 127.0.0.1:0 --tokens "$WORK/tokens"
export OMS_TOKEN=admin-token-0123456789
seed
browser_test console_roles_test.mjs
stop
echo "console_browser: all checks passed (screenshots in $ARTIFACTS)"

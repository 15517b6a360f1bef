#!/usr/bin/env bash
# End to end with the real binaries: omsd on a temp database driven by omsctl — every inventory
# operation, a 100,000-row import, reservations with a real 1 s TTL, a pickup order and its
# return at another location, a purchase order with a preorder served by its receipt, errors, a restart that keeps everything, online backup and both
# verifies.
# Usage: cli_e2e.sh OMSD OMSCTL
set -euo pipefail
OMSD=$1
OMSCTL=$2
WORK=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

start() {
  # Emptied here, before the start: the poll below must neither miss the file nor read the
  # previous run's port line.
  : >"$WORK/omsd.log"
  "$OMSD" --db "$WORK/oms.db" --listen 127.0.0.1:0 >>"$WORK/omsd.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 100); do
    PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WORK/omsd.log")
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  cat "$WORK/omsd.log"; fail "omsd did not start"
}

stop() {
  kill -TERM "$PID"
  wait "$PID" || fail "omsd exited non-zero on SIGTERM"
  PID=""
  grep -q "stopped cleanly" "$WORK/omsd.log" || fail "omsd did not drain cleanly"
}

ctl() { "$OMSCTL" --server "127.0.0.1:$PORT" "$@"; }
json() { python3 -c "import json,sys; d=json.loads(sys.stdin.readline()); print($1)"; }

start
ctl locations add store-1 --name Downtown --ship --pickup >/dev/null
ctl locations add wh-1 --name Warehouse --kind warehouse --ship >/dev/null
ctl groups set online wh-1 store-1 >/dev/null
ctl stock receive jacket store-1 5 --reference PO-1 >/dev/null
ctl stock receive jacket wh-1 20 >/dev/null
ctl stock safety jacket store-1 1 >/dev/null
[ "$(ctl --json availability jacket --group online | json "d['availability'][0]['atp']")" = 24 ] \
  || fail "group ATP"
[ "$(ctl --json availability jacket --location store-1 --channel pos | json "d['availability'][0]['atp']")" = 5 ] \
  || fail "POS ATP ignores safety stock"
ctl stock transfer jacket wh-1 store-1 4 >/dev/null
ctl stock count jacket store-1 8 >/dev/null
ctl stock adjust jacket store-1 -2 --reason damaged --reference "torn seam" >/dev/null
[ "$(ctl --json stock show store-1 | json "d['on_hand']")" = 6 ] || fail "on_hand after count+damage"
[ "$(ctl --json movements --sku jacket | wc -l)" = 6 ] || fail "six movements in the ledger"

# Errors: clear message, non-zero exit, no crash.
if ctl stock receive jacket nowhere 1 2>"$WORK/err"; then fail "unknown location accepted"; fi
grep -q "NOT_FOUND" "$WORK/err" || fail "unknown location is NOT_FOUND"
if ctl stock adjust jacket store-1 5 --reason damaged 2>"$WORK/err"; then fail "wrong sign accepted"; fi
grep -q "field delta" "$WORK/err" || fail "bad delta names the field"
if ctl stock adjust jacket store-1 -1 --reason lost --expect-on-hand 99 2>"$WORK/err"; then
  fail "compare-and-set mismatch accepted"
fi
grep -q "ABORTED VERSION_MISMATCH" "$WORK/err" || fail "CAS mismatch is ABORTED VERSION_MISMATCH"

# Idempotent retry with --request-id.
ctl --request-id retry-1 stock receive socks store-1 3 >/dev/null
ctl --request-id retry-1 stock receive socks store-1 3 >/dev/null
[ "$(ctl --json availability socks --location store-1 | json "d['availability'][0]['locations'][0]['on_hand']")" = 3 ] \
  || fail "retry applied twice"

# Import: a bad row stops the whole file with its line number, sending nothing.
printf 'sku,location_id,on_hand\nok-1,store-1,3\nbad sku,store-1,1\n' >"$WORK/bad.csv"
if ctl import "$WORK/bad.csv" 2>"$WORK/err"; then fail "bad CSV accepted"; fi
grep -q "bad.csv:3:" "$WORK/err" || fail "bad CSV names line 3"
python3 -c "
print('sku,location_id,on_hand')
for i in range(100000): print(f'sku-{i:06d},{\"store-1\" if i % 2 else \"wh-1\"},{i % 50}')
" >"$WORK/stock.csv"
ctl import "$WORK/stock.csv" | tee "$WORK/import.out"
grep -q "imported 100000 rows" "$WORK/import.out" || fail "import"
[ "$(ctl --json availability sku-099999 --location store-1 | json "d['availability'][0]['atp']")" = 49 ] \
  || fail "imported value"
ctl import "$WORK/stock.csv" >/dev/null
[ "$(ctl --json movements --sku sku-000001 | wc -l)" = 1 ] || fail "re-import wrote movements again"

# Reservation with a real 1 s TTL: units come back within a second of expiry.
ctl reserve jacket:3@store-1 --channel pos --ttl 1 >/dev/null
[ "$(ctl --json availability jacket --location store-1 --channel pos | json "d['availability'][0]['atp']")" = 3 ] \
  || fail "reserved units not held"
back=""
for _ in $(seq 1 40); do
  if [ "$(ctl --json availability jacket --location store-1 --channel pos | json "d['availability'][0]['atp']")" = 6 ]; then
    back=yes; break
  fi
  sleep 0.1
done
[ -n "$back" ] || fail "expired reservation's units did not come back"
ctl --json reservations list --state expired | grep -q EXPIRED || fail "expired reservation listed"

# A pickup order, the clerk's way.
ORDER_JSON=$(ctl --json orders place alice store-1 jacket:2)
ORDER=$(echo "$ORDER_JSON" | json "d['order']['order_id']")
CODE=$(echo "$ORDER_JSON" | json "d['order']['pickup_code']")
ctl orders pick "$ORDER" >/dev/null
ctl orders ready "$ORDER" >/dev/null
if ctl orders pickup "$ORDER" WRONG1 2>"$WORK/err"; then fail "wrong code accepted"; fi
grep -q PICKUP_CODE_MISMATCH "$WORK/err" || fail "wrong code reason"
ctl orders pickup "$ORDER" "$CODE" >/dev/null
[ "$(ctl --json orders show "$ORDER" | json "d['order']['state']")" = ORDER_STATE_PICKED_UP ] \
  || fail "order picked up"

# Returns: the picked up jacket comes back at the warehouse (return anywhere): one restocked,
# one held for inspection; never more than was sold; a retry with --request-id replays.
WH_BEFORE=$(ctl --json availability jacket --location wh-1 | json "d['availability'][0]['locations'][0]['on_hand']")
RET_JSON=$(ctl --json --request-id ret-1 returns create --order "$ORDER" --location wh-1 \
  --line jacket:1 --line jacket:1:inspect --reason "wrong size")
RET=$(echo "$RET_JSON" | json "d['return']['return_id']")
[ "$(echo "$RET_JSON" | json "d['return']['state']")" = RETURN_STATE_OPEN ] || fail "return open"
[ "$(echo "$RET_JSON" | json "d['movements'][0]['reference']")" = "$RET" ] || fail "RETURNED movement"
[ "$(ctl --json --request-id ret-1 returns create --order "$ORDER" --location wh-1 \
  --line jacket:1 --line jacket:1:inspect --reason "wrong size")" = "$RET_JSON" ] || fail "return retry"
[ "$(ctl --json availability jacket --location wh-1 | json "d['availability'][0]['locations'][0]['on_hand']")" = $((WH_BEFORE + 1)) ] \
  || fail "restocked at the receiving location"
[ "$(ctl --json availability jacket --location wh-1 | json "d['availability'][0]['locations'][0]['quarantined']")" = 1 ] \
  || fail "inspected unit quarantined"
[ "$(ctl --json orders show "$ORDER" | json "d['order']['lines'][0]['returned']")" = 2 ] \
  || fail "order line shows returned units"
if ctl returns create --order "$ORDER" --location store-1 --line jacket:1 2>"$WORK/err"; then
  fail "returned more than was sold"
fi
grep -q "FAILED_PRECONDITION RETURN_QUANTITY_EXCEEDED" "$WORK/err" || fail "over-return reason"
ctl returns list --location wh-1 | grep -q "$RET" || fail "return listed at its location"

# Inbound supply: a purchase order is future availability; a preorder holds units of it
# without touching today's ATP; the receipt (after the restart below) serves the preorder first.
AT=$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)
PROMISE=$(date -u -d '+5 days' +%Y-%m-%dT%H:%M:%SZ)
ctl inbound expect PO-77 --location store-1 --at "$AT" boot:6 boot:4 | grep -q PO-77 || fail "expect"
[ "$(ctl --json availability boot --location store-1 --future --quantity 4 | json "d['availability'][0]['timeline'][0]['atp']")" = 10 ] \
  || fail "future ATP of the PO"
ctl availability boot --location store-1 --future | grep -q "now" || fail "future timeline table"
PRE=$(ctl --json reserve boot:4@store-1 --promise-by "$PROMISE" --ttl 864000 | json "d['reservation']['reservation_id']")
[ "$(ctl --json reservations show "$PRE" | json "d['reservation']['lines'][0]['inbound_id']")" = PO-77 ] \
  || fail "preorder pegged to the PO"
if ctl reserve boot:1@store-1 2>"$WORK/err"; then fail "checkout took a preordered unit"; fi
grep -q INSUFFICIENT_STOCK "$WORK/err" || fail "checkout without supply"
[ "$(ctl --json availability boot --location store-1 --future | json "d['availability'][0]['timeline'][0]['atp']")" = 6 ] \
  || fail "preorder lowers future ATP"
if ctl inbound expect PO-77 --location store-1 --at "$AT" boot:1 2>"$WORK/err"; then fail "PO id reused"; fi
grep -q "ALREADY_EXISTS INVALID_INBOUND_STATE" "$WORK/err" || fail "reused PO id reason"
if ctl inbound receive PO-77 boot:many 2>"$WORK/err"; then fail "bad line accepted"; fi
grep -q "expected SKU:QTY" "$WORK/err" || fail "bad line message"
ctl inbound list --location store-1 | grep -q PO-77 || fail "inbound listed"

# Restart keeps everything.
BEFORE=$(ctl --json stock show store-1 | md5sum)
stop
start
AFTER=$(ctl --json stock show store-1 | md5sum)
[ "$BEFORE" = "$AFTER" ] || fail "stock changed across restart"
[ "$(ctl --json orders show "$ORDER" | json "d['order']['state']")" = ORDER_STATE_PICKED_UP ] \
  || fail "order lost across restart"

[ "$(ctl --json inbound show PO-77 | json "d['inbound']['lines'][0]['promised']")" = 4 ] \
  || fail "future hold lost across restart"
[ "$(ctl --json --request-id rcv-1 inbound receive PO-77 boot:10 | json "d['served_reservation_ids'][0]")" = "$PRE" ] \
  || fail "receipt serves the preorder"
[ "$(ctl --json --request-id rcv-1 inbound receive PO-77 boot:10 | json "d['inbound']['state']")" = INBOUND_STATE_RECEIVED ] \
  || fail "receipt retry"
[ "$(ctl --json availability boot --location store-1 | json "d['availability'][0]['locations'][0]['reserved']")" = 4 ] \
  || fail "served preorder is a present hold"
ctl reservations commit "$PRE" >/dev/null || fail "sell the preorder after receipt"
[ "$(ctl --json availability boot --location store-1 | json "d['availability'][0]['locations'][0]['on_hand']")" = 6 ] \
  || fail "received once, sold 4"

ctl returns resolve "$RET" --line jacket:1:restock | grep -q completed || fail "resolve after restart"
[ "$(ctl --json availability jacket --location wh-1 | json "d['availability'][0]['locations'][0].get('quarantined', 0)")" = 0 ] \
  || fail "quarantine emptied"
[ "$(ctl --json returns list --customer alice | json "d['returns'][0]['state']")" = RETURN_STATE_COMPLETED ] \
  || fail "customer's returns"

# Online backup and verify, then the offline verify of both files.
ctl backup "$WORK/backup.db" | grep -q "backup written" || fail "backup"
ctl verify | grep -q "every invariant holds" || fail "online verify"
stop
"$OMSD" verify --db "$WORK/oms.db" | grep -q "every invariant holds" || fail "offline verify"
"$OMSD" verify --db "$WORK/backup.db" | grep -q "every invariant holds" || fail "backup verify"
echo "e2e: all checks passed"

#!/usr/bin/env bash
# The flash-sale peer: Redis 7 (Debian's redis-server) doing oms's reservation as ONE Lua script
# (EVALSHA) — idempotency key (a repeated request_id answers the stored result), the check of
# every line against on_hand - reserved - safety_stock, raise reserved, a reservation record
# (hash) and an expiry index (ZADD into a sorted set by expiry time) — driven by redis-benchmark
# at run.sh's reserve concurrencies: 1 line spread N=64, 1 line hot (one SKU) N=64, 1 line
# spread N=256, 10 lines spread N=64. Two passes, each on a fresh throwaway server (temp dir,
# 127.0.0.1, a free port, `appendonly yes`): `appendfsync always` (fsync before replies, as
# omsd --durability full) and `appendfsync everysec`. After each pass a consistency check: for
# every SKU reserved == the sum of its reservation records' quantities and reserved <= on_hand -
# safety, one record and one idempotency key per indexed reservation, and a replayed request_id
# answers the stored result without reserving again; exits non-zero if it fails.
# Prints one JSON line per figure on stdout (run.sh's table fields: label, ops_per_s,
# units_per_s, p50_ms, p99_ms, max_ms, errors); progress and the checks go to stderr.
# env: BENCH_DURATION (s, default 5), BENCH_REDIS_MODES (default "always everysec"),
# BENCH_REDIS_THREADS (redis-benchmark threads, default 1), BENCH_QUICK=1 (spread N=64 only).
set -euo pipefail
DURATION=${BENCH_DURATION:-5}
MODES=${BENCH_REDIS_MODES:-always everysec}
THREADS=${BENCH_REDIS_THREADS:-1}
SKUS=10000     # as run.sh seeds omsd: 10,000 SKUs at one location, b0
ON_HAND=1000000000
# redis-benchmark's __rand_int__ placeholder: every occurrence in a command gets its own random
# integer in [0, RANGE) on every call. The script maps a line's number to sku-(n mod SKUS) (as
# oms-bench draws rng() % skus); a request_id is two of them, 10^18 ids, so a duplicate among a
# run's few hundred thousand calls is unlikely (the script counts any as a replay, bench:replays).
RANGE=1000000000
for tool in redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "redis_peer: $tool not installed" >&2; exit 2; }
done
WORK=$(mktemp -d)
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT

# The reservation. ARGV: request_id, ttl_s, skus, location, then (line number, quantity) pairs.
# Keys are derived inside (fine on one node; a cluster would need them declared and hash-tagged).
cat >"$WORK/reserve.lua" <<'LUA'
local req = 'req:' .. ARGV[1]
local payload = table.concat(ARGV, ' ', 2)
local stored = redis.call('GET', req)
if stored then
  local sep = string.find(stored, '|', 1, true)
  if string.sub(stored, 1, sep - 1) ~= payload then
    redis.call('INCR', 'bench:errors:IDEMPOTENCY_MISMATCH')
    return redis.error_reply('IDEMPOTENCY_MISMATCH request_id reused with another payload')
  end
  redis.call('INCR', 'bench:replays')
  return string.sub(stored, sep + 1)
end
local skus, loc = tonumber(ARGV[3]), ARGV[4]
local lines, want, order = {}, {}, {}
for i = 5, #ARGV - 1, 2 do
  local key = 'stock:sku-' .. (tonumber(ARGV[i]) % skus) .. ':' .. loc
  local qty = tonumber(ARGV[i + 1])
  if not qty or qty <= 0 then
    redis.call('INCR', 'bench:errors:INVALID_ARGUMENT')
    return redis.error_reply('INVALID_ARGUMENT quantity')
  end
  lines[#lines + 1] = {key, qty}
  if not want[key] then want[key] = 0; order[#order + 1] = key end
  want[key] = want[key] + qty
end
if #lines == 0 then
  redis.call('INCR', 'bench:errors:INVALID_ARGUMENT')
  return redis.error_reply('INVALID_ARGUMENT no lines')
end
-- Every line (summed per stock row) is checked before anything is written: all or nothing.
for _, key in ipairs(order) do
  local s = redis.call('HMGET', key, 'on_hand', 'reserved', 'safety')
  if not s[1] then
    redis.call('INCR', 'bench:errors:NOT_FOUND')
    return redis.error_reply('NOT_FOUND ' .. key)
  end
  if tonumber(s[1]) - tonumber(s[2]) - tonumber(s[3]) < want[key] then
    redis.call('INCR', 'bench:errors:INSUFFICIENT_STOCK')
    return redis.error_reply('INSUFFICIENT_STOCK ' .. key)
  end
end
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expires_ms = now_ms + tonumber(ARGV[2]) * 1000
local id = 'res-' .. ARGV[1]
local record = {'state', 'ACTIVE', 'channel', 'ONLINE', 'created_ms', string.format('%d', now_ms),
                'expires_ms', string.format('%d', expires_ms), 'lines', #lines}
for i, line in ipairs(lines) do
  redis.call('HINCRBY', line[1], 'reserved', line[2])
  record[#record + 1] = 'line:' .. i
  record[#record + 1] = line[1] .. ' ' .. line[2]
end
redis.call('HSET', 'res:' .. id, unpack(record))
redis.call('ZADD', 'expiry', expires_ms, id)
redis.call('SET', req, payload .. '|' .. id)
return id
LUA

# The check: walks the expiry index, sums each record's lines per stock row, compares with
# every stock row. Returns "pass" or "fail", then counts, then problems (at most 20).
cat >"$WORK/check.lua" <<'LUA'
local skus, loc = tonumber(ARGV[1]), ARGV[2]
local sum, problems = {}, {}
local function problem(p) if #problems < 20 then problems[#problems + 1] = p end end
local ids = redis.call('ZRANGE', 'expiry', 0, -1)
local units = 0
for _, id in ipairs(ids) do
  local h = redis.call('HGETALL', 'res:' .. id)
  if #h == 0 then problem('indexed reservation without a record: ' .. id) end
  for j = 1, #h - 1, 2 do
    if string.sub(h[j], 1, 5) == 'line:' then
      local key, qty = string.match(h[j + 1], '^(%S+) (%d+)$')
      sum[key] = (sum[key] or 0) + tonumber(qty)
      units = units + tonumber(qty)
    end
  end
end
local reserved_total, seen = 0, 0
for i = 0, skus - 1 do
  local key = 'stock:sku-' .. i .. ':' .. loc
  local s = redis.call('HMGET', key, 'on_hand', 'reserved', 'safety')
  local on_hand, reserved, safety = tonumber(s[1]), tonumber(s[2]), tonumber(s[3])
  if not on_hand then
    problem('missing stock row ' .. key)
  else
    reserved_total = reserved_total + reserved
    if reserved ~= (sum[key] or 0) then
      problem(key .. ' reserved ' .. reserved .. ' but its records sum to ' .. (sum[key] or 0))
    end
    if reserved > on_hand - safety then problem(key .. ' reserved above on_hand - safety') end
    if sum[key] then seen = seen + 1 end
  end
end
local rows = 0
for _ in pairs(sum) do rows = rows + 1 end
if rows ~= seen then problem('records name stock rows that do not exist') end
-- Every other key: one record and one idempotency key per reservation, the index, counters.
local counters = #redis.call('KEYS', 'bench:*')
local expected = skus + 2 * #ids + 1 + counters
local dbsize = redis.call('DBSIZE')
if dbsize ~= expected then
  problem('dbsize ' .. dbsize .. ', expected ' .. expected .. ' (a record or key missing or extra)')
end
return {#problems == 0 and 'pass' or 'fail', 'reservations=' .. #ids, 'units=' .. units,
        'reserved=' .. reserved_total, unpack(problems)}
LUA

free_port() {
  python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
}

start_server() {  # start_server MODE -> sets PORT, SERVER_PID; a fresh data directory
  local mode=$1
  rm -rf "$WORK/data"; mkdir -p "$WORK/data"
  PORT=$(free_port)
  # `save ""`: no RDB snapshots, the append-only file is the durability. Everything else is
  # Debian's defaults (AOF rewrites included, as a deployment would run it).
  redis-server --bind 127.0.0.1 --port "$PORT" --dir "$WORK/data" --daemonize no \
    --appendonly yes --appendfsync "$mode" --save "" --logfile "$WORK/redis-$mode.log" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG; then return 0; fi
    sleep 0.05
  done
  echo "redis_peer: redis-server did not start" >&2; cat "$WORK/redis-$mode.log" >&2; exit 1
}

cli() { redis-cli -p "$PORT" "$@"; }

seed() {
  cli EVAL "for i = 0, tonumber(ARGV[1]) - 1 do
              redis.call('HSET', 'stock:sku-' .. i .. ':b0', 'on_hand', ARGV[2], 'reserved', 0,
                         'safety', 0)
            end
            return tonumber(ARGV[1])" 0 "$SKUS" "$ON_HAND" >/dev/null
}

# bench LABEL CLIENTS LINES hot|spread -> one JSON line on stdout.
# redis-benchmark takes a request count (-n), not a duration: a calibration of 2,000 calls, then
# one of about 1 s at that rate (the warm-up, as oms-bench's --warmup 1; neither is reported)
# gives the rate, then -n = rate x BENCH_DURATION so the measured run lasts about
# BENCH_DURATION; `timeout` bounds it at 4x that in case the rate drops.
bench() {
  local label=$1 clients=$2 lines=$3 kind=$4
  local args=(EVALSHA "$SHA" 0 "__rand_int__-__rand_int__" 604800 "$SKUS" b0)
  for _ in $(seq 1 "$lines"); do
    if [ "$kind" = hot ]; then args+=(0 1); else args+=(__rand_int__ 1); fi
  done
  local common=(-p "$PORT" -c "$clients" -r "$RANGE" --csv)
  [ "$THREADS" -le 1 ] || common+=(--threads "$THREADS")
  local cal rate n
  # CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
  # "p99_latency_ms","max_latency_ms" (the test is the command line, without '","' in it).
  cal=$(redis-benchmark "${common[@]}" -n 2000 "${args[@]}" | tail -1)
  rate=$(awk -F'","' '{print $2}' <<<"$cal")
  n=$(awk -v r="$rate" 'BEGIN {n = int(r); print (n < 1000 ? 1000 : n)}')
  cal=$(redis-benchmark "${common[@]}" -n "$n" "${args[@]}" | tail -1)
  rate=$(awk -F'","' '{print $2}' <<<"$cal")
  n=$(awk -v r="$rate" -v d="$DURATION" 'BEGIN {n = int(r * d); print (n < 1000 ? 1000 : n)}')
  # The script counts its own failures by code (bench:errors:CODE); start each figure at zero.
  cli EVAL "for _, k in ipairs(redis.call('KEYS', 'bench:errors:*')) do redis.call('DEL', k) end" 0 >/dev/null
  local out t0 t1
  t0=$(date +%s.%N)
  out=$(timeout $((${DURATION%.*} * 4 + 30)) redis-benchmark "${common[@]}" -n "$n" "${args[@]}" |
        tail -1) || { echo "redis_peer: redis-benchmark failed or timed out ($label)" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "redis_peer: $label: $n calls (calibrated at $rate/s) in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s" >&2
  local errors
  errors=$(cli EVAL "local o = {}
    for _, k in ipairs(redis.call('KEYS', 'bench:errors:*')) do
      o[#o + 1] = string.format('\"%s\": %s', string.sub(k, 14), redis.call('GET', k))
    end
    return table.concat(o, ', ')" 0)
  awk -F'","' -v label="$label" -v clients="$clients" -v lines="$lines" -v n="$n" \
      -v errors="$errors" '{
    gsub(/"/, "", $8)
    failed = 0; e = errors
    while (match(e, /: [0-9]+/)) { failed += substr(e, RSTART + 2, RLENGTH - 2); e = substr(e, RSTART + RLENGTH) }
    printf "{\"label\": \"%s\", \"workload\": \"redis-evalsha\", \"concurrency\": %d, \"lines\": %d, ", label, clients, lines
    printf "\"ops\": %d, \"ops_per_s\": %s, \"units_per_s\": %.2f, ", n, $2, $2 * lines * (n - failed) / n
    printf "\"p50_ms\": %s, \"p99_ms\": %s, \"max_ms\": %s, \"errors\": {%s}}\n", $5, $7, $8, errors
  }' <<<"$out"
}

# A replayed request_id answers the stored result and reserves nothing more.
check_replay() {
  local before first second after
  before=$(cli HGET stock:sku-7:b0 reserved)
  first=$(cli EVALSHA "$SHA" 0 replay-check 604800 "$SKUS" b0 7 1)
  second=$(cli EVALSHA "$SHA" 0 replay-check 604800 "$SKUS" b0 7 1)
  after=$(cli HGET stock:sku-7:b0 reserved)
  if [ "$first" != "$second" ] || [ "$after" != $((before + 1)) ]; then
    echo "redis_peer: replay check FAILED: '$first' then '$second', reserved $before -> $after" >&2
    return 1
  fi
  echo "redis_peer: replay check pass: a repeated request_id answered $second, reserved $before -> $after" >&2
  # A reservation with one line short fails whole: its other line reserves nothing either.
  local short
  before=$(cli HGET stock:sku-8:b0 reserved)
  short=$(cli EVALSHA "$SHA" 0 short-check 604800 "$SKUS" b0 8 1 9 $((ON_HAND + 1)) 2>&1 || true)
  after=$(cli HGET stock:sku-8:b0 reserved)
  if [[ "$short" != *INSUFFICIENT_STOCK* ]] || [ "$after" != "$before" ]; then
    echo "redis_peer: refusal check FAILED: '$short', reserved $before -> $after" >&2
    return 1
  fi
  echo "redis_peer: refusal check pass: a line short refused the whole reservation" >&2
}

version=$(redis-server --version | sed -n 's/.* v=\([^ ]*\) .*/\1/p')
echo "redis_peer: Redis $version, ${DURATION}s per figure, $SKUS SKUs at b0, redis-benchmark threads $THREADS" >&2
failed=0
for mode in $MODES; do
  start_server "$mode"
  seed
  SHA=$(cli SCRIPT LOAD "$(cat "$WORK/reserve.lua")")
  bench "redis $mode reserve 1 line spread N=64" 64 1 spread
  if [ "${BENCH_QUICK:-0}" != 1 ]; then
    bench "redis $mode reserve 1 line hot N=64" 64 1 hot
    bench "redis $mode reserve 1 line spread N=256" 256 1 spread
    bench "redis $mode reserve 10 lines spread N=64" 64 10 spread
  fi
  replays=$(cli GET bench:replays)
  check_replay || failed=1
  mapfile -t result < <(cli EVALSHA "$(cli SCRIPT LOAD "$(cat "$WORK/check.lua")")" 0 "$SKUS" b0)
  echo "redis_peer: $mode consistency check ${result[*]}" >&2
  [ "${result[0]}" = pass ] || failed=1
  rewrites=$(cli INFO persistence | sed -n 's/^aof_rewrites:\([0-9]*\).*/\1/p')
  echo "redis_peer: $mode replays among benchmark calls: ${replays:-0}, AOF rewrites during the pass: ${rewrites:-?}" >&2
  stop_server
done
if [ "$failed" != 0 ]; then echo "redis_peer: consistency check FAILED" >&2; exit 1; fi

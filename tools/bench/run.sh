#!/usr/bin/env bash
# The benchmark matrix in one go: a fresh omsd (--durability full) on a temp database, seeded
# through the API, every figure from the same run as `ping` (the gRPC ceiling here), printed
# with its ratio to ping; the HTTP/JSON and Server-Sent Events figures beside their gRPC twins.
# Beside omsd's ping, the same ping against oms-ping-server (a minimal callback-API health
# server): omsd's own per-call overhead. Then NORMAL durability, a 1,000,000-row start-up, the
# Redis peer (unless BENCH_REDIS=0: tools/bench/redis_peer.sh, its rows in the same table) and
# (unless BENCH_PG=0) the PostgreSQL peer doing the same reservation transaction.
# Usage: tools/bench/run.sh [BUILD_DIR]   env: BENCH_DURATION (s, default 5), BENCH_BIG=0|1,
# BENCH_QUICK=1 (only ping (omsd and minimal), reserve and http-reserve at N=1 and N=64, and
# return at N=64 on the durable omsd; the Redis peer's spread N=64 rows only), BENCH_REDIS=0|1,
# BENCH_PG=0|1.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
OMSD=$BUILD/services/omsd
BENCH=$BUILD/tools/bench/oms-bench
PING_SERVER=$BUILD/tools/bench/oms-ping-server
DURATION=${BENCH_DURATION:-5}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts omsd on a fresh database, with HTTP/JSON too; sets PORT, HTTP_PORT and OMSD_PID.
start_omsd() {
  local name=$1; shift
  mkdir -p "$WORK/$name"
  local t0; t0=$(date +%s.%N)
  : >"$WORK/$name/omsd.log"  # exists before the poll below reads it
  "$OMSD" --db "$WORK/$name/oms.db" --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 \
    --metrics-listen 127.0.0.1:0 "$@" >>"$WORK/$name/omsd.log" 2>&1 &
  OMSD_PID=$!
  PIDS+=("$OMSD_PID")
  for _ in $(seq 1 600); do
    PORT=$(sed -n 's/.*serving oms.v1 .*(port \([0-9]*\)).*/\1/p' "$WORK/$name/omsd.log")
    HTTP_PORT=$(sed -n 's/.*serving HTTP.*(port \([0-9]*\)).*/\1/p' "$WORK/$name/omsd.log")
    METRICS_PORT=$(sed -n 's/.*serving Prometheus.*(port \([0-9]*\)).*/\1/p' "$WORK/$name/omsd.log")
    if [ -n "$PORT" ] && [ -n "$HTTP_PORT" ] && [ -n "$METRICS_PORT" ]; then
      START_SECONDS=$(python3 -c "print($(date +%s.%N) - $t0)")
      return 0
    fi
    sleep 0.05
  done
  echo "omsd did not start" >&2; cat "$WORK/$name/omsd.log" >&2; exit 1
}
stop_omsd() { kill "$OMSD_PID"; wait "$OMSD_PID" 2>/dev/null || true; METRICS_PORT=""; }

# The writer's counters from omsd's /metrics, as one JSON object ({} without a metrics port).
cat >"$WORK/scrape.py" <<'PY'
import json, sys, time, urllib.request
out = {"t": time.monotonic()}
if sys.argv[1]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=10).read()
    for line in text.decode().splitlines():
        name, _, value = line.partition(" ")
        if name in ("oms_writer_batch_commands_sum", "oms_writer_batch_commands_count",
                    "oms_writer_batch_seconds_sum", "oms_writer_wal_commits_total",
                    "oms_writer_wal_frames_total", "oms_writer_wal_bytes_total"):
            out[name] = float(value)
print(json.dumps(out))
PY
# Adds the writer's figures over one run (warm-up included) to its JSON line: commands per batch,
# share of the wall time the writer spent in batches, WAL frames and bytes per command.
cat >"$WORK/merge.py" <<'PY'
import json, sys
d = json.loads(sys.stdin.read()); d["label"] = sys.argv[1]
a, b = json.loads(sys.argv[2]), json.loads(sys.argv[3])
delta = lambda k: b.get(k, 0) - a.get(k, 0)
commands, batches = delta("oms_writer_batch_commands_sum"), delta("oms_writer_batch_commands_count")
if commands > 0 and batches > 0:
    d["writer"] = {"batches": batches, "commands_per_batch": commands / batches,
                   "busy": delta("oms_writer_batch_seconds_sum") / (b["t"] - a["t"]),
                   "frames_per_command": delta("oms_writer_wal_frames_total") / commands,
                   "bytes_per_command": delta("oms_writer_wal_bytes_total") / commands}
print(json.dumps(d))
PY

run() {  # run LABEL ARGS... -> one JSON line into results
  local label=$1; shift
  local before after out
  before=$(python3 "$WORK/scrape.py" "${METRICS_PORT:-}")
  out=$("$BENCH" --server "127.0.0.1:$PORT" --http "127.0.0.1:${HTTP_PORT:-0}" run \
    --duration "$DURATION" --warmup 1 --json "$@")
  after=$(python3 "$WORK/scrape.py" "${METRICS_PORT:-}")
  python3 "$WORK/merge.py" "$label" "$before" "$after" <<<"$out" >>"$WORK/results.jsonl"
}

echo "bench: $(nproc) cores, $(uname -r), durations ${DURATION}s" >&2
start_omsd full --durability full
"$BENCH" --server "127.0.0.1:$PORT" seed --locations 1 --skus 10000
run "ping N=64" --workload ping -n 64
# The same client and workload against the smallest health server gRPC makes (no interceptors,
# metrics or auth), right after omsd's: "omsd ping / minimal ping" is omsd's per-call overhead.
if [ -x "$PING_SERVER" ]; then
  : >"$WORK/ping-server.log"
  "$PING_SERVER" --listen 127.0.0.1:0 >>"$WORK/ping-server.log" 2>&1 &
  PING_PID=$!
  PIDS+=("$PING_PID")
  PING_PORT=""
  for _ in $(seq 1 200); do
    PING_PORT=$(sed -n 's/.*serving .*(port \([0-9]*\)).*/\1/p' "$WORK/ping-server.log")
    [ -n "$PING_PORT" ] && break
    sleep 0.05
  done
  [ -n "$PING_PORT" ] || { echo "oms-ping-server did not start" >&2; cat "$WORK/ping-server.log" >&2; exit 1; }
  OMSD_PORT=$PORT
  PORT=$PING_PORT run "minimal health server ping N=64" --workload ping -n 64
  PORT=$OMSD_PORT
  kill "$PING_PID"; wait "$PING_PID" 2>/dev/null || true
else
  echo "bench: $PING_SERVER not built (target oms-ping-server): no minimal health server ping" >&2
fi
run "reserve 1 line spread N=1" --workload reserve -n 1
run "reserve 1 line spread N=64" --workload reserve -n 64
# The same reservations as JSON over HTTP/1.1, one keep-alive connection per client.
run "http reserve 1 line N=1" --workload http-reserve -n 1
run "http reserve 1 line N=64" --workload http-reserve -n 64
# Issue 15: CreateReturn of one unit (RESTOCK) per call, from sales made before measuring.
run "return 1 unit restock N=64" --workload return -n 64
if [ "${BENCH_QUICK:-0}" != 1 ]; then
run "reserve 1 line spread N=256" --workload reserve -n 256
run "reserve 1 line hot N=64" --workload reserve -n 64 --hot
run "reserve 10 lines spread N=64" --workload reserve -n 64 --lines 10
run "mixed N=64" --workload mixed -n 64
run "read N=64" --workload read -n 64
# Reads while writes run at full speed: two clients at once.
METRICS_PORT="" run "read N=64 during writes" --workload read -n 64 &
READS=$!
run "reserve N=64 during reads" --workload reserve -n 64
wait "$READS"
# Issue 6: the same reservation load with 100 watch subscribers attached.
run "reserve N=64, 100 watchers" --workload reserve -n 64 --watchers 100
run "reserve N=64, no watchers" --workload reserve -n 64
# The same with 100 Server-Sent Events subscribers (one connection each) instead.
run "reserve N=64, 100 SSE watchers" --workload reserve -n 64 --sse-watchers 100
fi
stop_omsd

# Issue 18: the same durable omsd with the fsync inside each commit (--pipeline false), as
# before pipelining, so "pipelined / not" is a ratio from this run.
start_omsd serial --durability full --pipeline false
"$BENCH" --server "127.0.0.1:$PORT" seed --locations 1 --skus 10000
run "reserve 1 line spread N=64, --pipeline false" --workload reserve -n 64
if [ "${BENCH_QUICK:-0}" != 1 ]; then
run "reserve 1 line hot N=64, --pipeline false" --workload reserve -n 64 --hot
run "reserve 10 lines spread N=64, --pipeline false" --workload reserve -n 64 --lines 10
fi
stop_omsd

if [ "${BENCH_QUICK:-0}" != 1 ]; then
start_omsd normal --durability normal
"$BENCH" --server "127.0.0.1:$PORT" seed --locations 1 --skus 10000
run "ping N=64 (normal run)" --workload ping -n 64
run "reserve N=64 durability=normal" --workload reserve -n 64
stop_omsd

if [ "${BENCH_BIG:-1}" = 1 ]; then
  start_omsd big --durability full
  "$BENCH" --server "127.0.0.1:$PORT" seed --locations 100 --skus 10000
  stop_omsd
  mv "$WORK/big" "$WORK/big-seeded"
  mkdir -p "$WORK/big"
  cp "$WORK/big-seeded/oms.db" "$WORK/big/oms.db"
  # Restart on the 1,000,000-row database: time to serving, memory, then the same load.
  : >"$WORK/big/omsd.log"
  "$OMSD" --db "$WORK/big/oms.db" --listen 127.0.0.1:0 >>"$WORK/big/omsd.log" 2>&1 &
  OMSD_PID=$!; PIDS+=("$OMSD_PID"); t0=$(date +%s.%N)
  until grep -q "(port" "$WORK/big/omsd.log"; do sleep 0.02; done
  BIG_START=$(python3 -c "print($(date +%s.%N) - $t0)")
  PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WORK/big/omsd.log")
  run "ping N=64 (1M rows)" --workload ping -n 64
  run "reserve N=64, 1M rows" --workload reserve -n 64 --locations 100 --skus 10000
  BIG_RSS=$(awk '/VmRSS/ {print $2}' "/proc/$OMSD_PID/status")
  stop_omsd
  echo "{\"label\": \"1M rows: start s\", \"value\": $BIG_START, \"rss_kib\": $BIG_RSS}" >>"$WORK/results.jsonl"
fi
fi

# The Redis peer: the same reservation as one Lua script, appendfsync always and everysec.
REDIS_STATUS=0
if [ "${BENCH_REDIS:-1}" = 1 ]; then
  if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
    BENCH_QUICK=${BENCH_QUICK:-0} BENCH_DURATION=$DURATION tools/bench/redis_peer.sh \
      >>"$WORK/results.jsonl" || REDIS_STATUS=$?
  else
    echo "bench: redis-server or redis-benchmark not installed (tools/dev/deps-bench.sh): no Redis peer" >&2
  fi
fi

python3 - "$WORK/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ping = next(r for r in rows if r["label"] == "ping N=64")["ops_per_s"]
print(f"\n{'figure':44} {'ops/s':>9} {'units/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'x ping':>7}  errors")
for r in rows:
    if "ops_per_s" not in r:
        print(f"{r['label']:44} {r['value']:9.2f}   (RSS {r['rss_kib']/1024:.0f} MiB)")
        continue
    errors = " ".join(f"{k}={v}" for k, v in r.get("errors", {}).items()) or "-"
    print(f"{r['label']:44} {r['ops_per_s']:9.0f} {r['units_per_s']:10.0f} {r['p50_ms']:7.2f} "
          f"{r['p99_ms']:7.2f} {r['max_ms']:7.2f} {r['ops_per_s']/ping:7.2f}  {errors}")
    if "writer" in r:
        w = r["writer"]
        print(f"{'  writer':44} {w['commands_per_batch']:9.1f} cmds/batch  busy {w['busy']*100:.0f} %  "
              f"{w['frames_per_command']:.2f} WAL frames, {w['bytes_per_command']/1024:.1f} KiB per command")
    if "watch" in r:
        w = r["watch"]
        print(f"{'  watch: reply->event':44} {w['events']:9d} events  p50 {w['p50_ms']:.2f} ms  "
              f"p99 {w['p99_ms']:.2f} ms  max {w['max_ms']:.2f} ms")
by = {r["label"]: r for r in rows}
for http, grpc in (("http reserve 1 line N=1", "reserve 1 line spread N=1"),
                   ("http reserve 1 line N=64", "reserve 1 line spread N=64"),
                   ("reserve N=64, 100 SSE watchers", "reserve N=64, 100 watchers")):
    if http in by and grpc in by and by[grpc]["ops_per_s"] > 0:
        print(f"{http} / {grpc}: {by[http]['ops_per_s'] / by[grpc]['ops_per_s']:.2f}")
for piped in ("reserve 1 line spread N=64", "reserve 1 line hot N=64", "reserve 10 lines spread N=64"):
    serial = by.get(f"{piped}, --pipeline false")
    if serial and piped in by and serial["ops_per_s"] > 0:
        print(f"{piped}: pipelined / --pipeline false: {by[piped]['ops_per_s'] / serial['ops_per_s']:.2f}")
pairs = (("reserve 1 line hot N=64", "reserve 1 line spread N=64"),
         ("reserve N=64, 100 watchers", "reserve N=64, no watchers"),
         ("reserve N=64, 100 SSE watchers", "reserve N=64, no watchers"),
         ("read N=64 during writes", "read N=64"))
for a, b in pairs:
    if a in by and b in by and by[b]["ops_per_s"] > 0:
        print(f"{a} / {b}: {by[a]['ops_per_s'] / by[b]['ops_per_s']:.2f}")
ret, res = by.get("return 1 unit restock N=64"), by.get("reserve 1 line spread N=64")
if ret and res and res["ops_per_s"] > 0:
    print(f"\nreturn / reserve (N=64, same omsd): {ret['ops_per_s'] / res['ops_per_s']:.2f}")
mini = by.get("minimal health server ping N=64")
if mini and mini["ops_per_s"] > 0:
    print(f"omsd ping / minimal health server ping (N=64, same run): {ping / mini['ops_per_s']:.2f}")
for grpc in ("reserve 1 line spread N=64", "reserve 1 line hot N=64", "reserve 1 line spread N=256",
             "reserve 10 lines spread N=64"):
    for mode in ("always", "everysec"):
        peer = by.get(f"redis {mode} {grpc}")
        if peer and grpc in by and peer["units_per_s"] > 0:
            print(f"oms {grpc} / redis {mode} (units/s): "
                  f"{by[grpc]['units_per_s'] / peer['units_per_s']:.2f}")
PY
if [ "$REDIS_STATUS" != 0 ]; then
  echo "bench: the Redis peer failed (status $REDIS_STATUS; its consistency check, see above)" >&2
  exit "$REDIS_STATUS"
fi
if [ "${BENCH_PG:-1}" = 1 ] && [ "${BENCH_QUICK:-0}" != 1 ]; then
  echo; tools/bench/pg_peer.sh
fi

#!/usr/bin/env bash
# Replicas on PostgreSQL (issue 14), every figure from one run: reservations at N=64 through
# one omsd on PostgreSQL against the same on SQLite (--durability full) and against the
# PostgreSQL peer (tools/bench/pg_peer.sh: the same transaction per request, pgbench -c 64);
# reads and Watch fan-out on 1 replica against 3; the followers' lag under full write load
# (their oms_replica_follow_lag_seconds histograms over that run). Every omsd and PostgreSQL
# share this machine's cores. Usage: tools/bench/replicas.sh [BUILD_DIR]
# env: BENCH_DURATION (s, default 5), BENCH_PEER=0 (skip the peer).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
OMSD=$BUILD/services/omsd
BENCH=$BUILD/tools/bench/oms-bench
DURATION=${BENCH_DURATION:-5}
WORK=$(mktemp -d)
# shellcheck source=tools/bench/pg_cluster.sh
source tools/bench/pg_cluster.sh
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_cluster_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
declare -A GRPC METRICS PID

# start_omsd NAME ARGS...: omsd with its gRPC and metrics ports in GRPC[NAME], METRICS[NAME].
start_omsd() {
  local name=$1; shift
  local log="$WORK/$name.log"
  : >"$log"
  "$OMSD" --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 "$@" >>"$log" 2>&1 &
  PID[$name]=$!
  PIDS+=("${PID[$name]}")
  for _ in $(seq 1 600); do
    GRPC[$name]=$(sed -n 's/.*serving oms.v1 .*(port \([0-9]*\)).*/\1/p' "$log")
    METRICS[$name]=$(sed -n 's/.*serving Prometheus.*(port \([0-9]*\)).*/\1/p' "$log")
    if [ -n "${GRPC[$name]}" ] && [ -n "${METRICS[$name]}" ]; then return 0; fi
    sleep 0.05
  done
  echo "omsd $name did not start" >&2; cat "$log" >&2; exit 1
}
stop_omsd() { kill "${PID[$1]}"; wait "${PID[$1]}" 2>/dev/null || true; }
wait_leading() {
  for _ in $(seq 1 600); do
    grep -q "event=replica_leading" "$WORK/$1.log" && return 0
    sleep 0.05
  done
  echo "omsd $1 did not take the lease" >&2; cat "$WORK/$1.log" >&2; exit 1
}
addr() { local out=() n; for n in "$@"; do out+=("127.0.0.1:${GRPC[$n]}"); done; (IFS=,; echo "${out[*]}"); }

# run LABEL SERVERS ARGS...: one oms-bench JSON line, labelled, into results.
run() {
  local label=$1 servers=$2; shift 2
  "$BENCH" --server "$servers" run --duration "$DURATION" --warmup 1 --json "$@" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); d["label"]=sys.argv[1]; print(json.dumps(d))' \
      "$label" >>"$WORK/results.jsonl"
}
scrape_lag() {  # scrape_lag NAME...: the followers' lag histograms, summed, as JSON
  python3 - "$@" <<'PY'
import json, sys, urllib.request
buckets = {}
for port in sys.argv[1:]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    for line in text.splitlines():
        if line.startswith("oms_replica_follow_lag_seconds_bucket"):
            le = line.split('le="')[1].split('"')[0]
            buckets[le] = buckets.get(le, 0) + float(line.rsplit(" ", 1)[1])
print(json.dumps(buckets))
PY
}

echo "replicas bench: $(nproc) cores, durations ${DURATION}s" >&2
# SQLite, the default: the same reservations, durable (every reply after its fsync).
mkdir -p "$WORK/sqlite"
start_omsd sqlite --db "$WORK/sqlite/oms.db" --durability full
"$BENCH" --server "$(addr sqlite)" seed --locations 1 --skus 10000
run "SQLite: reserve spread N=64" "$(addr sqlite)" --workload reserve -n 64
run "SQLite: reserve hot N=64" "$(addr sqlite)" --workload reserve -n 64 --hot
run "SQLite: read N=64" "$(addr sqlite)" --workload read -n 64
stop_omsd sqlite

pg_cluster_start
start_omsd a --postgres "$PG_CONNINFO"
wait_leading a
"$BENCH" --server "$(addr a)" seed --locations 1 --skus 10000
run "PG 1 replica: reserve spread N=64" "$(addr a)" --workload reserve -n 64
run "PG 1 replica: reserve hot N=64" "$(addr a)" --workload reserve -n 64 --hot
run "PG 1 replica: read N=64" "$(addr a)" --workload read -n 64
run "PG 1 replica: reserve N=64, 100 watchers" "$(addr a)" --workload reserve -n 64 \
  --watchers 100

start_omsd b --postgres "$PG_CONNINFO"
start_omsd c --postgres "$PG_CONNINFO"
run "PG 3 replicas: read N=64 over 3" "$(addr a b c)" --workload read -n 64 -c 6
before=$(scrape_lag "${METRICS[b]}" "${METRICS[c]}")
run "PG 3 replicas: reserve N=64 on the leader, 100 watchers over 3" "$(addr a)" \
  --workload reserve -n 64 --watchers 100 --watch-server "$(addr a b c)"
after=$(scrape_lag "${METRICS[b]}" "${METRICS[c]}")
run "PG 3 replicas: reserve spread N=64 over 3 (2 forward)" "$(addr a b c)" \
  --workload reserve -n 64 -c 6
python3 - "$before" "$after" >>"$WORK/results.jsonl" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
bounds = sorted((float(k) if k != "+Inf" else float("inf"), b[k] - a.get(k, 0)) for k in b)
total = bounds[-1][1] if bounds else 0
def quantile(q):  # linear within the bucket, as Prometheus' histogram_quantile does
    want, lo, below = q * total, 0.0, 0.0
    for le, count in bounds:
        if count >= want:
            if le == float("inf"): return lo
            return lo + (le - lo) * ((want - below) / max(count - below, 1e-9))
        lo, below = le, count
    return lo
print(json.dumps({"label": "PG 3 replicas: follower lag under that write load",
                  "observations": total, "p50_ms": quantile(0.5) * 1e3,
                  "p99_ms": quantile(0.99) * 1e3}))
PY
stop_omsd b; stop_omsd c; stop_omsd a
pg_cluster_stop

if [ "${BENCH_PEER:-1}" = 1 ]; then
  BENCH_DURATION=$DURATION tools/bench/pg_peer.sh | tee "$WORK/peer.out" >&2
  for w in spread hot; do
    tps=$(sed -n "s/.*reserve ($w) N=64: \([0-9.]*\) tps.*/\1/p" "$WORK/peer.out")
    echo "{\"label\": \"PostgreSQL peer: reserve $w N=64\", \"ops_per_s\": $tps}" >>"$WORK/results.jsonl"
  done
fi

python3 - "$WORK/results.jsonl" <<'PY'
import json, sys
rows = {r["label"]: r for r in map(json.loads, open(sys.argv[1]))}
print(f"\n{'figure':62} {'ops/s':>9} {'p50 ms':>7} {'p99 ms':>7}  watch p50/p99 ms, errors")
for label, r in rows.items():
    if "observations" in r:
        print(f"{label:62} {'':>9} {r['p50_ms']:7.2f} {r['p99_ms']:7.2f}  "
              f"({r['observations']:.0f} follow steps, from the histogram's buckets)")
        continue
    w = r.get("watch")
    extra = f"{w['p50_ms']:.2f}/{w['p99_ms']:.2f}" if w else ""
    errors = ",".join(f"{k}:{v}" for k, v in r.get("errors", {}).items())
    print(f"{label:62} {r['ops_per_s']:9.0f} {r.get('p50_ms', 0):7.2f} {r.get('p99_ms', 0):7.2f}  "
          f"{extra} {errors}")
def ratio(a, b):
    if a in rows and b in rows and rows[b]["ops_per_s"] > 0:
        print(f"  {a} / {b}: {rows[a]['ops_per_s'] / rows[b]['ops_per_s']:.2f}x")
print("\nratios (same run):")
ratio("PG 1 replica: reserve spread N=64", "PostgreSQL peer: reserve spread N=64")
ratio("PG 1 replica: reserve hot N=64", "PostgreSQL peer: reserve hot N=64")
ratio("PG 1 replica: reserve spread N=64", "SQLite: reserve spread N=64")
ratio("PG 1 replica: reserve hot N=64", "SQLite: reserve hot N=64")
ratio("PG 3 replicas: read N=64 over 3", "PG 1 replica: read N=64")
ratio("PG 3 replicas: reserve N=64 on the leader, 100 watchers over 3",
      "PG 1 replica: reserve N=64, 100 watchers")
ratio("PG 3 replicas: reserve spread N=64 over 3 (2 forward)", "PG 1 replica: reserve spread N=64")
PY

#!/usr/bin/env bash
# The nearest peer: PostgreSQL 15 (Debian's, default durable settings: fsync and
# synchronous_commit on) doing the same reservation transaction as CreateReservation —
# idempotency record, conditional UPDATE of the stock row, reservation and line, two events —
# with pgbench at 64 clients, on 10,000 spread SKUs and on one hot SKU. A throwaway cluster on
# a loopback port, removed on exit. env: BENCH_DURATION (s, default 5).
set -euo pipefail
DURATION=${BENCH_DURATION:-5}
WORK=$(mktemp -d)
# shellcheck source=tools/bench/pg_cluster.sh
source "$(dirname "$0")/pg_cluster.sh"
cleanup() {
  pg_cluster_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
pg_cluster_start
PORT=$PG_PORT
PSQL=("${AS[@]}" "$PGBIN/psql" -q -h 127.0.0.1 -p "$PORT" -U bench -d postgres -v ON_ERROR_STOP=1)
"${PSQL[@]}" <<'SQL'
CREATE TABLE stock_levels(sku text, location_id text, on_hand bigint NOT NULL,
  reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0), safety_stock bigint NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 1, PRIMARY KEY (sku, location_id));
CREATE TABLE reservations(reservation_id text PRIMARY KEY, state int NOT NULL, channel int NOT NULL,
  created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL);
CREATE INDEX reservations_active ON reservations(expires_at) WHERE state = 1;
CREATE TABLE reservation_lines(reservation_id text REFERENCES reservations, line_no int, sku text,
  location_id text, quantity bigint CHECK (quantity > 0), PRIMARY KEY (reservation_id, line_no));
CREATE TABLE requests(request_id text PRIMARY KEY, payload_hash bigint, response bytea,
  created_at timestamptz);
CREATE TABLE events(sequence bigserial PRIMARY KEY, kind int, sku text, location_id text,
  payload bytea, created_at timestamptz);
INSERT INTO stock_levels(sku, location_id, on_hand)
  SELECT 'sku-' || i, 'b0', 1000000000 FROM generate_series(0, 9999) i;
-- One reservation, as oms does it: fails whole (and rolls back) if the line is short.
CREATE FUNCTION oms_reserve(req text, p_sku text, qty bigint) RETURNS text LANGUAGE plpgsql AS $$
DECLARE res text := 'res-' || req;
BEGIN
  INSERT INTO requests VALUES (req, 42, '\x00', now());
  UPDATE stock_levels SET reserved = reserved + qty, version = version + 1
    WHERE sku = p_sku AND location_id = 'b0' AND on_hand - reserved - safety_stock >= qty;
  IF NOT FOUND THEN RAISE EXCEPTION 'INSUFFICIENT_STOCK'; END IF;
  INSERT INTO reservations VALUES (res, 1, 1, now(), now() + interval '7 days');
  INSERT INTO reservation_lines VALUES (res, 0, p_sku, 'b0', qty);
  INSERT INTO events(kind, sku, location_id, payload, created_at)
    VALUES (1, p_sku, 'b0', '\x00', now()), (3, p_sku, 'b0', '\x00', now());
  RETURN res;
END $$;
SQL
cat >"$WORK/spread.sql" <<'EOF2'
\set sku random(0, 9999)
\set r1 random(1, 2000000000)
\set r2 random(1, 2000000000)
SELECT oms_reserve(:client_id || '-' || :r1 || '-' || :r2, 'sku-' || :sku, 1);
EOF2
cat >"$WORK/hot.sql" <<'EOF2'
\set r1 random(1, 2000000000)
\set r2 random(1, 2000000000)
SELECT oms_reserve(:client_id || '-' || :r1 || '-' || :r2, 'sku-0', 1);
EOF2
chmod 644 "$WORK"/*.sql
for workload in spread hot; do
  "${AS[@]}" "$PGBIN/pgbench" -h 127.0.0.1 -p "$PORT" -U bench -n -M prepared -c 64 -j 2 \
    -T "$DURATION" -f "$WORK/$workload.sql" postgres >"$WORK/$workload.out" 2>&1 || true
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$WORK/$workload.out")
  [ -n "$tps" ] || { echo "pgbench failed:" >&2; head -20 "$WORK/$workload.out" >&2; exit 1; }
  lat=$("${AS[@]}" "$PGBIN/pgbench" -h 127.0.0.1 -p "$PORT" -U bench -n -M prepared -c 1 -j 1 \
        -T 2 -f "$WORK/$workload.sql" postgres 2>&1 | sed -n 's/^latency average = \(.*\)/\1/p' || true)
  echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') reserve ($workload) N=64: ${tps} tps   (N=1 latency average ${lat})"
done

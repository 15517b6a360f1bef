# Sourced by the PostgreSQL benchmarks: a throwaway PostgreSQL 15 cluster (Debian's, default
# durable settings: fsync and synchronous_commit on) in $WORK/data, on a loopback port, run as
# the postgres user when this runs as root (PostgreSQL refuses root). pg_cluster_start sets
# PGBIN, PG_PORT, AS (the prefix that runs a command as the cluster's owner) and PG_CONNINFO;
# pg_cluster_stop stops it (immediate: nothing in it is kept).
pg_cluster_start() {
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  chmod 755 "$WORK"
  AS=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$WORK"
    AS=(runuser -u postgres --)
  fi
  PG_PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
  "${AS[@]}" "$PGBIN/initdb" -D "$WORK/data" -U bench --auth=trust >/dev/null
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -l "$WORK/pg.log" -w start \
    -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB" >/dev/null
  PG_CONNINFO="host=127.0.0.1 port=$PG_PORT user=bench dbname=postgres"
}

pg_cluster_stop() {
  [ -n "${PGBIN:-}" ] || return 0
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
}

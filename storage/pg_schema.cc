// PostgreSQL DDL. Integers are BIGINT, but states, kinds and flags INTEGER (a query shifts
// `1 << state`); text is COLLATE "C", so paging orders bytes as SQLite does; blobs BYTEA.
#include "storage/pg_schema.h"

#include <chrono>
#include <string>
#include <thread>

namespace oms::storage {
namespace {

constexpr const char* kSchema = R"sql(
CREATE FUNCTION oms_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'P0001'; END $$;

CREATE TABLE locations(
  location_id    TEXT COLLATE "C" PRIMARY KEY CHECK(length(location_id) BETWEEN 1 AND 128),
  name           TEXT COLLATE "C" NOT NULL,
  kind           INTEGER NOT NULL CHECK(kind IN (1, 2)),
  ship_enabled   INTEGER NOT NULL CHECK(ship_enabled IN (0, 1)),
  pickup_enabled INTEGER NOT NULL CHECK(pickup_enabled IN (0, 1)),
  active         INTEGER NOT NULL CHECK(active IN (0, 1)),
  updated_at     BIGINT NOT NULL
);

CREATE TABLE location_groups(
  group_id   TEXT COLLATE "C" PRIMARY KEY CHECK(length(group_id) BETWEEN 1 AND 128),
  updated_at BIGINT NOT NULL
);

CREATE TABLE location_group_members(
  group_id    TEXT COLLATE "C" NOT NULL REFERENCES location_groups(group_id),
  position    BIGINT NOT NULL CHECK(position >= 0),
  location_id TEXT COLLATE "C" NOT NULL REFERENCES locations(location_id),
  PRIMARY KEY(group_id, position),
  UNIQUE(group_id, location_id)
);

CREATE TABLE stock_levels(
  sku          TEXT COLLATE "C" NOT NULL CHECK(length(sku) BETWEEN 1 AND 128),
  location_id  TEXT COLLATE "C" NOT NULL REFERENCES locations(location_id),
  on_hand      BIGINT NOT NULL CHECK(on_hand >= 0),
  reserved     BIGINT NOT NULL CHECK(reserved >= 0),
  safety_stock BIGINT NOT NULL CHECK(safety_stock >= 0),
  version      BIGINT NOT NULL CHECK(version > 0),
  updated_at   BIGINT NOT NULL,
  quarantined  BIGINT NOT NULL DEFAULT 0 CHECK(quarantined >= 0),
  PRIMARY KEY(sku, location_id)
);
CREATE INDEX stock_levels_by_location ON stock_levels(location_id, sku);

CREATE TABLE movements(
  movement_id   BIGINT PRIMARY KEY,
  sku           TEXT COLLATE "C" NOT NULL,
  location_id   TEXT COLLATE "C" NOT NULL,
  delta         BIGINT NOT NULL CHECK(delta <> 0),
  on_hand_after BIGINT NOT NULL CHECK(on_hand_after >= 0),
  reason        INTEGER NOT NULL CHECK(reason BETWEEN 1 AND 10),
  reference     TEXT COLLATE "C" NOT NULL,
  request_id    TEXT COLLATE "C" NOT NULL,
  actor         TEXT COLLATE "C" NOT NULL,
  created_at    BIGINT NOT NULL
);
CREATE INDEX movements_by_stock ON movements(sku, location_id, movement_id);
CREATE INDEX movements_by_location ON movements(location_id, movement_id);
CREATE TRIGGER movements_append_only BEFORE UPDATE OR DELETE ON movements
  FOR EACH ROW EXECUTE FUNCTION oms_refuse('movements are append-only');

CREATE TABLE requests(
  request_id   TEXT COLLATE "C" PRIMARY KEY CHECK(length(request_id) BETWEEN 1 AND 128),
  method       TEXT COLLATE "C" NOT NULL,
  payload_hash BIGINT NOT NULL,
  response     BYTEA NOT NULL,
  -- Empty on success; storage/stored_status.h's JSON for a failure that had an effect.
  error        TEXT COLLATE "C" NOT NULL DEFAULT '',
  created_at   BIGINT NOT NULL
);
CREATE INDEX requests_by_time ON requests(created_at);

CREATE TABLE events(
  sequence    BIGINT PRIMARY KEY,
  kind        INTEGER NOT NULL CHECK(kind BETWEEN 1 AND 4),
  sku         TEXT COLLATE "C" NOT NULL,
  location_id TEXT COLLATE "C" NOT NULL,
  subject     TEXT COLLATE "C" NOT NULL,
  customer_id TEXT COLLATE "C" NOT NULL,
  payload     BYTEA NOT NULL,
  created_at  BIGINT NOT NULL
);

CREATE TABLE reservations(
  reservation_id TEXT COLLATE "C" PRIMARY KEY,
  state          INTEGER NOT NULL CHECK(state BETWEEN 1 AND 4),
  channel        INTEGER NOT NULL CHECK(channel BETWEEN 1 AND 3),
  reference      TEXT COLLATE "C" NOT NULL,
  order_id       TEXT COLLATE "C" NOT NULL,
  end_reason     TEXT COLLATE "C" NOT NULL,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  promise_by     BIGINT
);
CREATE INDEX reservations_active ON reservations(expires_at) WHERE state = 1;
-- As SQLite's UPDATE OF: fires whenever state is in the SET list.
CREATE TRIGGER reservations_end_is_final BEFORE UPDATE OF state ON reservations
  FOR EACH ROW WHEN (OLD.state <> 1) EXECUTE FUNCTION oms_refuse('reservation already ended');

CREATE TABLE reservation_lines(
  reservation_id TEXT COLLATE "C" NOT NULL REFERENCES reservations(reservation_id),
  line_no        BIGINT NOT NULL CHECK(line_no >= 0),
  sku            TEXT COLLATE "C" NOT NULL,
  location_id    TEXT COLLATE "C" NOT NULL REFERENCES locations(location_id),
  quantity       BIGINT NOT NULL CHECK(quantity > 0),
  inbound_id     TEXT COLLATE "C" NOT NULL DEFAULT '',
  promised_at    BIGINT NOT NULL DEFAULT 0,
  at_risk        INTEGER NOT NULL DEFAULT 0 CHECK(at_risk IN (0, 1)),
  PRIMARY KEY(reservation_id, line_no)
);
CREATE INDEX reservation_lines_at_risk ON reservation_lines(reservation_id) WHERE at_risk = 1;

CREATE TABLE orders(
  order_id           TEXT COLLATE "C" PRIMARY KEY,
  state              INTEGER NOT NULL CHECK(state BETWEEN 1 AND 6),
  customer_id        TEXT COLLATE "C" NOT NULL CHECK(length(customer_id) BETWEEN 1 AND 128),
  pickup_location_id TEXT COLLATE "C" NOT NULL REFERENCES locations(location_id),
  reservation_id     TEXT COLLATE "C" NOT NULL REFERENCES reservations(reservation_id),
  pickup_code        TEXT COLLATE "C" NOT NULL,
  hold_us            BIGINT NOT NULL CHECK(hold_us > 0),
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL,
  ready_at           BIGINT,
  pickup_deadline    BIGINT,
  failed_pickup_attempts BIGINT NOT NULL DEFAULT 0 CHECK(failed_pickup_attempts >= 0),
  CHECK(state <> 3 OR pickup_deadline IS NOT NULL)
);
CREATE INDEX orders_by_customer ON orders(customer_id, created_at, order_id);
CREATE INDEX orders_by_store ON orders(pickup_location_id, created_at, order_id);
CREATE INDEX orders_live ON orders(state) WHERE state IN (1, 2, 3);
CREATE TRIGGER orders_end_is_final BEFORE UPDATE OF state ON orders
  FOR EACH ROW WHEN (OLD.state IN (4, 5, 6)) EXECUTE FUNCTION oms_refuse('order already ended');

CREATE TABLE order_lines(
  order_id         TEXT COLLATE "C" NOT NULL REFERENCES orders(order_id),
  line_no          BIGINT NOT NULL CHECK(line_no >= 0),
  sku              TEXT COLLATE "C" NOT NULL,
  quantity         BIGINT NOT NULL CHECK(quantity >= 0),
  ordered_quantity BIGINT NOT NULL CHECK(ordered_quantity > 0),
  CHECK(quantity <= ordered_quantity),
  PRIMARY KEY(order_id, line_no)
);

CREATE TABLE order_history(
  order_id TEXT COLLATE "C" NOT NULL REFERENCES orders(order_id),
  seq      BIGINT NOT NULL CHECK(seq >= 0),
  state    INTEGER NOT NULL CHECK(state BETWEEN 1 AND 6),
  at       BIGINT NOT NULL,
  actor    TEXT COLLATE "C" NOT NULL,
  reason   TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY(order_id, seq)
);
CREATE TRIGGER order_history_append_only BEFORE UPDATE ON order_history
  FOR EACH ROW EXECUTE FUNCTION oms_refuse('order history is append-only');

CREATE TABLE returns(
  return_id      TEXT COLLATE "C" PRIMARY KEY CHECK(length(return_id) BETWEEN 1 AND 128),
  order_id       TEXT COLLATE "C" NOT NULL,
  reservation_id TEXT COLLATE "C" NOT NULL,
  customer_id    TEXT COLLATE "C" NOT NULL,
  location_id    TEXT COLLATE "C" NOT NULL REFERENCES locations(location_id),
  state          INTEGER NOT NULL CHECK(state IN (1, 2)),
  reason         TEXT COLLATE "C" NOT NULL,
  reference      TEXT COLLATE "C" NOT NULL,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  CHECK((order_id = '') <> (reservation_id = ''))
);
CREATE INDEX returns_by_order ON returns(order_id);
CREATE INDEX returns_by_reservation ON returns(reservation_id);
CREATE INDEX returns_by_customer ON returns(customer_id, created_at, return_id);
CREATE INDEX returns_by_location ON returns(location_id, created_at, return_id);
CREATE INDEX returns_by_time ON returns(created_at, return_id);
CREATE TRIGGER returns_completed_is_final BEFORE UPDATE OF state ON returns
  FOR EACH ROW WHEN (OLD.state = 2 AND NEW.state <> 2)
  EXECUTE FUNCTION oms_refuse('return already completed');

CREATE TABLE return_lines(
  return_id   TEXT COLLATE "C" NOT NULL REFERENCES returns(return_id),
  line_no     BIGINT NOT NULL CHECK(line_no >= 0),
  sku         TEXT COLLATE "C" NOT NULL,
  quantity    BIGINT NOT NULL CHECK(quantity > 0),
  disposition INTEGER NOT NULL CHECK(disposition BETWEEN 1 AND 3),
  quarantined BIGINT NOT NULL CHECK(quarantined >= 0),
  restocked   BIGINT NOT NULL CHECK(restocked >= 0),
  written_off BIGINT NOT NULL CHECK(written_off >= 0),
  CHECK(quarantined + restocked + written_off = quantity),
  CHECK(disposition = 3 OR quarantined = 0),
  CHECK(disposition <> 1 OR restocked = quantity),
  CHECK(disposition <> 2 OR written_off = quantity),
  PRIMARY KEY(return_id, line_no)
);

CREATE TABLE return_history(
  return_id TEXT COLLATE "C" NOT NULL REFERENCES returns(return_id),
  seq       BIGINT NOT NULL CHECK(seq >= 0),
  state     INTEGER NOT NULL CHECK(state IN (1, 2)),
  at        BIGINT NOT NULL,
  actor     TEXT COLLATE "C" NOT NULL,
  note      TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY(return_id, seq)
);
CREATE TRIGGER return_history_append_only BEFORE UPDATE OR DELETE ON return_history
  FOR EACH ROW EXECUTE FUNCTION oms_refuse('return history is append-only');

CREATE TABLE inbounds(
  inbound_id  TEXT COLLATE "C" PRIMARY KEY CHECK(length(inbound_id) BETWEEN 1 AND 128),
  location_id TEXT COLLATE "C" NOT NULL REFERENCES locations(location_id),
  expected_at BIGINT NOT NULL,
  state       INTEGER NOT NULL CHECK(state BETWEEN 1 AND 4),
  overdue     INTEGER NOT NULL CHECK(overdue IN (0, 1)),
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  end_reason  TEXT COLLATE "C" NOT NULL
);
CREATE INDEX inbounds_by_location ON inbounds(location_id, inbound_id);
CREATE INDEX inbounds_open ON inbounds(state) WHERE state IN (1, 2);
-- Rewriting a closed inbound's identical values is allowed (a store may write it twice).
CREATE TRIGGER inbounds_closed_is_final BEFORE UPDATE ON inbounds
  FOR EACH ROW WHEN (OLD.state IN (3, 4) AND (NEW.location_id, NEW.expected_at, NEW.state,
    NEW.overdue, NEW.created_at, NEW.updated_at, NEW.end_reason) IS DISTINCT FROM
    (OLD.location_id, OLD.expected_at, OLD.state, OLD.overdue, OLD.created_at, OLD.updated_at,
    OLD.end_reason))
  EXECUTE FUNCTION oms_refuse('inbound already closed');
CREATE TRIGGER inbounds_closed_no_delete BEFORE DELETE ON inbounds
  FOR EACH ROW WHEN (OLD.state IN (3, 4)) EXECUTE FUNCTION oms_refuse('inbound already closed');

-- The reference to the inbound is checked at commit: lines are written before their row.
CREATE TABLE inbound_lines(
  inbound_id TEXT COLLATE "C" NOT NULL
    REFERENCES inbounds(inbound_id) DEFERRABLE INITIALLY DEFERRED,
  line_no    BIGINT NOT NULL CHECK(line_no >= 0),
  sku        TEXT COLLATE "C" NOT NULL CHECK(length(sku) BETWEEN 1 AND 128),
  expected   BIGINT NOT NULL CHECK(expected >= 0),
  received   BIGINT NOT NULL CHECK(received >= 0),
  promised   BIGINT NOT NULL CHECK(promised >= 0),
  CHECK(promised <= GREATEST(0, expected - received)),
  PRIMARY KEY(inbound_id, line_no),
  UNIQUE(inbound_id, sku)
);
CREATE INDEX inbound_lines_by_sku ON inbound_lines(sku, inbound_id);
-- A closed inbound's lines never change: a new line is refused, an identical rewrite is not
-- (an upsert fires BEFORE INSERT even when it ends as an update, as in SQLite).
CREATE FUNCTION oms_inbound_lines_closed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  closed BOOLEAN;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT state IN (3, 4) INTO closed FROM inbounds WHERE inbound_id = NEW.inbound_id;
    IF closed AND NOT EXISTS (SELECT 1 FROM inbound_lines
                              WHERE inbound_id = NEW.inbound_id AND line_no = NEW.line_no) THEN
      RAISE EXCEPTION 'inbound already closed' USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
  END IF;
  SELECT state IN (3, 4) INTO closed FROM inbounds WHERE inbound_id = OLD.inbound_id;
  IF closed AND (TG_OP = 'DELETE' OR ROW(NEW.*) IS DISTINCT FROM ROW(OLD.*)) THEN
    RAISE EXCEPTION 'inbound already closed' USING ERRCODE = 'P0001';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER inbound_lines_closed BEFORE INSERT OR UPDATE OR DELETE ON inbound_lines
  FOR EACH ROW EXECUTE FUNCTION oms_inbound_lines_closed();

-- The writer's lease: one row. A replica takes it by bumping the epoch once it lapsed; every
-- batch transaction renews it WHERE epoch = its own, or commits nothing.
CREATE TABLE oms_lease(
  id         INTEGER PRIMARY KEY CHECK(id = 1),
  epoch      BIGINT NOT NULL CHECK(epoch >= 0),
  holder     TEXT COLLATE "C" NOT NULL,
  expires_at BIGINT NOT NULL
);
INSERT INTO oms_lease VALUES (1, 0, '', 0);
)sql";

Status RollbackAnd(Database& db, Status s) {
  (void)db.Exec("ROLLBACK");
  return s;
}

// One attempt: creates the schema if it is missing, else reads its version.
Result<int> TryMigrate(Database& db) {
  OMS_RETURN_IF_ERROR(db.Exec("BEGIN"));
  Status s = db.Exec("CREATE TABLE IF NOT EXISTS oms_schema(version INTEGER NOT NULL)");
  // Creators queue here: the first holds this lock until its schema has committed.
  if (s.ok()) s = db.Exec("LOCK TABLE oms_schema IN EXCLUSIVE MODE");
  if (!s.ok()) return RollbackAnd(db, s);
  Statement& read = db.Prepare("SELECT version FROM oms_schema");
  int version = 0;
  if (read.Step()) version = static_cast<int>(read.Int(0));
  s = read.status();
  read.Reset();
  if (!s.ok()) return RollbackAnd(db, s);
  if (version > LatestPostgresSchemaVersion()) {
    return RollbackAnd(
        db, Status(Code::kFailedPrecondition,
                   "database schema version " + std::to_string(version) +
                       " is newer than this build supports (" +
                       std::to_string(LatestPostgresSchemaVersion()) + "); upgrade omsd"));
  }
  if (version == 0) {
    s = db.Exec(kSchema);
    if (s.ok()) s = db.Exec("INSERT INTO oms_schema VALUES (1)");
    if (!s.ok()) return RollbackAnd(db, s);
    version = 1;
  }
  OMS_RETURN_IF_ERROR(db.Exec("COMMIT"));
  return version;
}

}  // namespace

int LatestPostgresSchemaVersion() { return 1; }

Result<int> MigratePostgres(Database& db) {
  // Replicas racing on an empty database may collide creating oms_schema itself (a unique
  // violation in the catalog): the loser retries and finds it.
  Result<int> version = Status::Internal("not tried");
  for (int attempt = 0; attempt < 10; ++attempt) {
    version = TryMigrate(db);
    if (version.ok() || version.status().code() == Code::kFailedPrecondition) return version;
    std::this_thread::sleep_for(std::chrono::milliseconds(50 * (attempt + 1)));
  }
  return version;
}

}  // namespace oms::storage

// Migrations. Each is applied once, in order, in a transaction with its user_version bump.
// CHECK constraints and triggers make impossible states unstorable even if code is wrong.
#include "storage/schema.h"

#include <string>
#include <vector>

namespace oms::storage {
namespace {

// Version 1: locations, stock, the ledger, idempotency records, the event outbox.
constexpr const char* kV1 = R"sql(
CREATE TABLE locations(
  location_id    TEXT PRIMARY KEY NOT NULL CHECK(length(location_id) BETWEEN 1 AND 128),
  name           TEXT NOT NULL,
  kind           INTEGER NOT NULL CHECK(kind IN (1, 2)),
  ship_enabled   INTEGER NOT NULL CHECK(ship_enabled IN (0, 1)),
  pickup_enabled INTEGER NOT NULL CHECK(pickup_enabled IN (0, 1)),
  active         INTEGER NOT NULL CHECK(active IN (0, 1)),
  updated_at     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE location_groups(
  group_id   TEXT PRIMARY KEY NOT NULL CHECK(length(group_id) BETWEEN 1 AND 128),
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE location_group_members(
  group_id    TEXT NOT NULL REFERENCES location_groups(group_id),
  position    INTEGER NOT NULL CHECK(position >= 0),
  location_id TEXT NOT NULL REFERENCES locations(location_id),
  PRIMARY KEY(group_id, position),
  UNIQUE(group_id, location_id)
) WITHOUT ROWID;

CREATE TABLE stock_levels(
  sku          TEXT NOT NULL CHECK(length(sku) BETWEEN 1 AND 128),
  location_id  TEXT NOT NULL REFERENCES locations(location_id),
  on_hand      INTEGER NOT NULL CHECK(on_hand >= 0),
  reserved     INTEGER NOT NULL CHECK(reserved >= 0),
  safety_stock INTEGER NOT NULL CHECK(safety_stock >= 0),
  version      INTEGER NOT NULL CHECK(version > 0),
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY(sku, location_id)
) WITHOUT ROWID;
CREATE INDEX stock_levels_by_location ON stock_levels(location_id, sku);

CREATE TABLE movements(
  movement_id   INTEGER PRIMARY KEY,
  sku           TEXT NOT NULL,
  location_id   TEXT NOT NULL,
  delta         INTEGER NOT NULL CHECK(delta <> 0),
  on_hand_after INTEGER NOT NULL CHECK(on_hand_after >= 0),
  reason        INTEGER NOT NULL CHECK(reason BETWEEN 1 AND 10),
  reference     TEXT NOT NULL,
  request_id    TEXT NOT NULL,
  actor         TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX movements_by_stock ON movements(sku, location_id, movement_id);
CREATE INDEX movements_by_location ON movements(location_id, movement_id);
CREATE TRIGGER movements_append_only_update BEFORE UPDATE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;
CREATE TRIGGER movements_append_only_delete BEFORE DELETE ON movements
BEGIN SELECT RAISE(ABORT, 'movements are append-only'); END;

CREATE TABLE requests(
  request_id   TEXT PRIMARY KEY NOT NULL CHECK(length(request_id) BETWEEN 1 AND 128),
  method       TEXT NOT NULL,
  payload_hash INTEGER NOT NULL,
  response     BLOB NOT NULL,
  -- Empty on success; "<code>\x1f<reason>\x1f<message>" for a failure that had an effect.
  error        TEXT NOT NULL DEFAULT '',
  created_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX requests_by_time ON requests(created_at);

CREATE TABLE events(
  sequence    INTEGER PRIMARY KEY,
  kind        INTEGER NOT NULL CHECK(kind BETWEEN 1 AND 4),
  sku         TEXT NOT NULL,
  location_id TEXT NOT NULL,
  subject     TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  payload     BLOB NOT NULL,
  created_at  INTEGER NOT NULL
);
)sql";

// Version 2: reservations. An ended reservation can never change state again.
constexpr const char* kV2 = R"sql(
CREATE TABLE reservations(
  reservation_id TEXT PRIMARY KEY NOT NULL,
  state          INTEGER NOT NULL CHECK(state BETWEEN 1 AND 4),
  channel        INTEGER NOT NULL CHECK(channel BETWEEN 1 AND 3),
  reference      TEXT NOT NULL,
  order_id       TEXT NOT NULL,
  end_reason     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX reservations_active ON reservations(expires_at) WHERE state = 1;
CREATE TRIGGER reservations_end_is_final BEFORE UPDATE OF state ON reservations
WHEN OLD.state <> 1
BEGIN SELECT RAISE(ABORT, 'reservation already ended'); END;

CREATE TABLE reservation_lines(
  reservation_id TEXT NOT NULL REFERENCES reservations(reservation_id),
  line_no        INTEGER NOT NULL CHECK(line_no >= 0),
  sku            TEXT NOT NULL,
  location_id    TEXT NOT NULL REFERENCES locations(location_id),
  quantity       INTEGER NOT NULL CHECK(quantity > 0),
  PRIMARY KEY(reservation_id, line_no)
) WITHOUT ROWID;
)sql";

// Version 3: pickup orders. History is append-only; a final state is final.
constexpr const char* kV3 = R"sql(
CREATE TABLE orders(
  order_id           TEXT PRIMARY KEY NOT NULL,
  state              INTEGER NOT NULL CHECK(state BETWEEN 1 AND 6),
  customer_id        TEXT NOT NULL CHECK(length(customer_id) BETWEEN 1 AND 128),
  pickup_location_id TEXT NOT NULL REFERENCES locations(location_id),
  reservation_id     TEXT NOT NULL REFERENCES reservations(reservation_id),
  pickup_code        TEXT NOT NULL,
  hold_us            INTEGER NOT NULL CHECK(hold_us > 0),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  ready_at           INTEGER,
  pickup_deadline    INTEGER,
  failed_pickup_attempts INTEGER NOT NULL DEFAULT 0 CHECK(failed_pickup_attempts >= 0),
  CHECK(state <> 3 OR pickup_deadline IS NOT NULL)
) WITHOUT ROWID;
CREATE INDEX orders_by_customer ON orders(customer_id, created_at, order_id);
CREATE INDEX orders_by_store ON orders(pickup_location_id, created_at, order_id);
CREATE INDEX orders_live ON orders(state) WHERE state IN (1, 2, 3);
CREATE TRIGGER orders_end_is_final BEFORE UPDATE OF state ON orders
WHEN OLD.state IN (4, 5, 6)
BEGIN SELECT RAISE(ABORT, 'order already ended'); END;

CREATE TABLE order_lines(
  order_id         TEXT NOT NULL REFERENCES orders(order_id),
  line_no          INTEGER NOT NULL CHECK(line_no >= 0),
  sku              TEXT NOT NULL,
  quantity         INTEGER NOT NULL CHECK(quantity >= 0),
  ordered_quantity INTEGER NOT NULL CHECK(ordered_quantity > 0),
  CHECK(quantity <= ordered_quantity),
  PRIMARY KEY(order_id, line_no)
) WITHOUT ROWID;

CREATE TABLE order_history(
  order_id TEXT NOT NULL REFERENCES orders(order_id),
  seq      INTEGER NOT NULL CHECK(seq >= 0),
  state    INTEGER NOT NULL CHECK(state BETWEEN 1 AND 6),
  at       INTEGER NOT NULL,
  actor    TEXT NOT NULL,
  reason   TEXT NOT NULL,
  PRIMARY KEY(order_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER order_history_append_only BEFORE UPDATE ON order_history
BEGIN SELECT RAISE(ABORT, 'order history is append-only'); END;
)sql";

// Version 4: a failure stored with a request keeps its whole Status, ErrorInfo metadata and
// field violations included, as storage/stored_status.h's JSON in requests.error. Version
// 1's "<code>\x1f<reason>\x1f<message>" rows are rewritten to it (without metadata, which
// they never had); a row that was unreadable stays as it was.
constexpr const char* kV4 = R"sql(
UPDATE requests SET error = json_object(
    'code', p.code,
    'reason', substr(p.rest, 1, instr(p.rest, char(31)) - 1),
    'message', substr(p.rest, instr(p.rest, char(31)) + 1))
FROM (SELECT request_id,
             CAST(substr(error, 1, instr(error, char(31)) - 1) AS INTEGER) AS code,
             substr(error, instr(error, char(31)) + 1) AS rest
      FROM requests WHERE instr(error, char(31)) > 0) AS p
WHERE requests.request_id = p.request_id AND instr(p.rest, char(31)) > 0;
)sql";

// Version 5: returns. A stock level counts its quarantined units (returned, awaiting
// inspection, never sellable). A return names exactly one sale (an order or a reservation);
// each line's units are always quarantined + restocked + written off, as its disposition
// allows. History is append-only; a COMPLETED return never opens again. The indexes serve
// the returns of one sale (FindReturned, an order's returned units) and ListReturns.
constexpr const char* kV5 = R"sql(
ALTER TABLE stock_levels ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0
  CHECK(quarantined >= 0);

CREATE TABLE returns(
  return_id      TEXT PRIMARY KEY NOT NULL CHECK(length(return_id) BETWEEN 1 AND 128),
  order_id       TEXT NOT NULL,
  reservation_id TEXT NOT NULL,
  customer_id    TEXT NOT NULL,
  location_id    TEXT NOT NULL REFERENCES locations(location_id),
  state          INTEGER NOT NULL CHECK(state IN (1, 2)),
  reason         TEXT NOT NULL,
  reference      TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  CHECK((order_id = '') <> (reservation_id = ''))
) WITHOUT ROWID;
CREATE INDEX returns_by_order ON returns(order_id);
CREATE INDEX returns_by_reservation ON returns(reservation_id);
CREATE INDEX returns_by_customer ON returns(customer_id, created_at, return_id);
CREATE INDEX returns_by_location ON returns(location_id, created_at, return_id);
CREATE INDEX returns_by_time ON returns(created_at, return_id);
CREATE TRIGGER returns_completed_is_final BEFORE UPDATE OF state ON returns
WHEN OLD.state = 2 AND NEW.state <> 2
BEGIN SELECT RAISE(ABORT, 'return already completed'); END;

CREATE TABLE return_lines(
  return_id   TEXT NOT NULL REFERENCES returns(return_id),
  line_no     INTEGER NOT NULL CHECK(line_no >= 0),
  sku         TEXT NOT NULL,
  quantity    INTEGER NOT NULL CHECK(quantity > 0),
  disposition INTEGER NOT NULL CHECK(disposition BETWEEN 1 AND 3),
  quarantined INTEGER NOT NULL CHECK(quarantined >= 0),
  restocked   INTEGER NOT NULL CHECK(restocked >= 0),
  written_off INTEGER NOT NULL CHECK(written_off >= 0),
  CHECK(quarantined + restocked + written_off = quantity),
  CHECK(disposition = 3 OR quarantined = 0),
  CHECK(disposition <> 1 OR restocked = quantity),
  CHECK(disposition <> 2 OR written_off = quantity),
  PRIMARY KEY(return_id, line_no)
) WITHOUT ROWID;

CREATE TABLE return_history(
  return_id TEXT NOT NULL REFERENCES returns(return_id),
  seq       INTEGER NOT NULL CHECK(seq >= 0),
  state     INTEGER NOT NULL CHECK(state IN (1, 2)),
  at        INTEGER NOT NULL,
  actor     TEXT NOT NULL,
  note      TEXT NOT NULL,
  PRIMARY KEY(return_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER return_history_append_only_update BEFORE UPDATE ON return_history
BEGIN SELECT RAISE(ABORT, 'return history is append-only'); END;
CREATE TRIGGER return_history_append_only_delete BEFORE DELETE ON return_history
BEGIN SELECT RAISE(ABORT, 'return history is append-only'); END;
)sql";

// Version 6: inbound supply and preorders. An inbound's line per SKU never promises more than
// is still to come; once RECEIVED or CANCELLED neither the inbound nor its lines change again
// (rewriting identical values is allowed: a store writes final rows, and may write the same
// one twice). A reservation line is a present hold (inbound_id '' and not at_risk), a future
// hold pegged to an inbound, or at risk; promise_by is set for preorders only. The indexes
// serve ListInbound by location and by SKU, the snapshot's open inbounds, and the at-risk
// filter of ListReservations. A line's reference to its inbound is checked at commit: the
// store writes lines before their inbound's row, so that the command closing an inbound can
// still write its last line changes, and one creating an inbound in a final state can write
// its lines at all.
constexpr const char* kV6 = R"sql(
CREATE TABLE inbounds(
  inbound_id  TEXT PRIMARY KEY NOT NULL CHECK(length(inbound_id) BETWEEN 1 AND 128),
  location_id TEXT NOT NULL REFERENCES locations(location_id),
  expected_at INTEGER NOT NULL,
  state       INTEGER NOT NULL CHECK(state BETWEEN 1 AND 4),
  overdue     INTEGER NOT NULL CHECK(overdue IN (0, 1)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  end_reason  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX inbounds_by_location ON inbounds(location_id, inbound_id);
CREATE INDEX inbounds_open ON inbounds(state) WHERE state IN (1, 2);
CREATE TRIGGER inbounds_closed_is_final BEFORE UPDATE ON inbounds
WHEN OLD.state IN (3, 4) AND (NEW.location_id IS NOT OLD.location_id
  OR NEW.expected_at IS NOT OLD.expected_at OR NEW.state IS NOT OLD.state
  OR NEW.overdue IS NOT OLD.overdue OR NEW.created_at IS NOT OLD.created_at
  OR NEW.updated_at IS NOT OLD.updated_at OR NEW.end_reason IS NOT OLD.end_reason)
BEGIN SELECT RAISE(ABORT, 'inbound already closed'); END;
CREATE TRIGGER inbounds_closed_no_delete BEFORE DELETE ON inbounds
WHEN OLD.state IN (3, 4)
BEGIN SELECT RAISE(ABORT, 'inbound already closed'); END;

CREATE TABLE inbound_lines(
  inbound_id TEXT NOT NULL REFERENCES inbounds(inbound_id) DEFERRABLE INITIALLY DEFERRED,
  line_no    INTEGER NOT NULL CHECK(line_no >= 0),
  sku        TEXT NOT NULL CHECK(length(sku) BETWEEN 1 AND 128),
  expected   INTEGER NOT NULL CHECK(expected >= 0),
  received   INTEGER NOT NULL CHECK(received >= 0),
  promised   INTEGER NOT NULL CHECK(promised >= 0),
  CHECK(promised <= max(0, expected - received)),
  PRIMARY KEY(inbound_id, line_no),
  UNIQUE(inbound_id, sku)
) WITHOUT ROWID;
CREATE INDEX inbound_lines_by_sku ON inbound_lines(sku, inbound_id);
-- An upsert fires BEFORE INSERT even when it ends as an update (checked by the next trigger).
CREATE TRIGGER inbound_lines_closed_insert BEFORE INSERT ON inbound_lines
WHEN (SELECT state FROM inbounds WHERE inbound_id = NEW.inbound_id) IN (3, 4)
  AND NOT EXISTS (SELECT 1 FROM inbound_lines
                  WHERE inbound_id = NEW.inbound_id AND line_no = NEW.line_no)
BEGIN SELECT RAISE(ABORT, 'inbound already closed'); END;
CREATE TRIGGER inbound_lines_closed_update BEFORE UPDATE ON inbound_lines
WHEN (SELECT state FROM inbounds WHERE inbound_id = OLD.inbound_id) IN (3, 4)
  AND (NEW.inbound_id IS NOT OLD.inbound_id OR NEW.line_no IS NOT OLD.line_no
  OR NEW.sku IS NOT OLD.sku OR NEW.expected IS NOT OLD.expected
  OR NEW.received IS NOT OLD.received OR NEW.promised IS NOT OLD.promised)
BEGIN SELECT RAISE(ABORT, 'inbound already closed'); END;
CREATE TRIGGER inbound_lines_closed_delete BEFORE DELETE ON inbound_lines
WHEN (SELECT state FROM inbounds WHERE inbound_id = OLD.inbound_id) IN (3, 4)
BEGIN SELECT RAISE(ABORT, 'inbound already closed'); END;

ALTER TABLE reservation_lines ADD COLUMN inbound_id TEXT NOT NULL DEFAULT '';
ALTER TABLE reservation_lines ADD COLUMN promised_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reservation_lines ADD COLUMN at_risk INTEGER NOT NULL DEFAULT 0
  CHECK(at_risk IN (0, 1));
CREATE INDEX reservation_lines_at_risk ON reservation_lines(reservation_id) WHERE at_risk = 1;
ALTER TABLE reservations ADD COLUMN promise_by INTEGER;
)sql";

const std::vector<const char*>& Migrations() {
  static const std::vector<const char*> migrations = {kV1, kV2, kV3, kV4, kV5, kV6};
  return migrations;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Result<int> Migrate(Database& db, int up_to) {
  Statement& read = db.Prepare("PRAGMA user_version");
  if (!read.Step()) return read.status().ok() ? Status::Internal("no user_version") : read.status();
  int version = static_cast<int>(read.Int(0));
  read.Reset();
  if (version > LatestSchemaVersion()) {
    return Status(Code::kFailedPrecondition, "database schema version " + std::to_string(version) +
                                                 " is newer than this build supports (" +
                                                 std::to_string(LatestSchemaVersion()) +
                                                 "); upgrade omsd");
  }
  for (; version < up_to && version < LatestSchemaVersion(); ++version) {
    const int v = version;
    OMS_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Status s = db.Exec(Migrations()[v]);
    if (s.ok()) s = db.Exec("PRAGMA user_version = " + std::to_string(v + 1));
    if (s.ok()) s = db.Exec("COMMIT");
    if (!s.ok()) {
      (void)db.Exec("ROLLBACK");
      return s;
    }
  }
  return version;
}

}  // namespace oms::storage

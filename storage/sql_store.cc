// SqlStore: batch transactions with a savepoint per command, on any storage/sql.h engine.
#include "storage/sql_store.h"

#include "storage/rows.h"

namespace oms::storage {

Result<Snapshot> LoadSnapshot(Database& db) {
  Snapshot s;
  // One snapshot: every row as of one moment (PostgreSQL's default, READ COMMITTED, would
  // give each statement its own).
  OMS_RETURN_IF_ERROR(db.Exec(db.dialect() == Dialect::kPostgres
                                  ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                  : "BEGIN"));
  auto finish = [&](Status st) -> Status {
    (void)db.Exec("COMMIT");
    return st;
  };
  {
    Statement& q = db.Prepare(Select<kLocations>());
    while (q.Step()) s.locations.push_back(LocationFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
  }
  {
    Result<std::vector<LocationGroup>> groups = LoadGroups(db, "", 1 << 30);
    if (!groups.ok()) return finish(groups.status());
    s.groups = std::move(groups).value();
  }
  {
    Statement& q = db.Prepare(Select<kStockLevels>());
    while (q.Step()) s.stock.push_back(StockFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
  }
  {
    Statement& q = db.Prepare(Select<kReservations, "WHERE state = 1">());
    while (q.Step()) s.active_reservations.push_back(ReservationFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
    q.Reset();
    for (auto& r : s.active_reservations) {
      Status st = LoadReservationLines(db, r);
      if (!st.ok()) return finish(st);
    }
  }
  {
    Statement& q = db.Prepare(Select<kOrders, "WHERE state IN (1, 2, 3)">());
    while (q.Step()) s.live_orders.push_back(OrderFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
    q.Reset();
    for (auto& o : s.live_orders) {
      Status st = LoadOrderDetails(db, o);
      if (!st.ok()) return finish(st);
    }
  }
  {
    Statement& q = db.Prepare(Select<kInbounds, "WHERE state IN (1, 2) ORDER BY inbound_id">());
    while (q.Step()) s.open_inbounds.push_back(InboundFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
    q.Reset();
    for (auto& in : s.open_inbounds) {
      Status st = LoadInboundLines(db, in);
      if (!st.ok()) return finish(st);
    }
  }
  {
    Statement& q = db.Prepare(
        "SELECT (SELECT COALESCE(MAX(sequence), 0) FROM events), "
        "(SELECT COALESCE(MAX(movement_id), 0) FROM movements)");
    if (!q.Step()) return finish(q.status().ok() ? Status::Internal("no counters") : q.status());
    s.last_sequence = q.Int(0);
    s.last_movement_id = q.Int(1);
    q.Reset();
  }
  OMS_RETURN_IF_ERROR(finish(Status::Ok()));
  return s;
}

Result<Snapshot> SqlStore::Load() { return LoadSnapshot(sql()); }

void SqlStore::Rollback() {
  if (!sql().autocommit()) (void)sql().Prepare("ROLLBACK").Run();
}

Result<std::optional<RequestRecord>> SqlStore::FindRequest(const std::string& request_id) {
  Statement& q = sql().Prepare(Select<kRequests, "WHERE request_id = ?">());
  q.Bind(1, request_id);
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<RequestRecord>();
  }
  RequestRecord r = RequestFromRow(q, 0);
  q.Reset();
  return std::optional<RequestRecord>(std::move(r));
}

Status SqlStore::Write(const Changes& changes, const RequestRecord* record) {
  Database& db = sql();
  // SQLite rolls the whole transaction back by itself on some I/O errors; writing on
  // would then autocommit. Refuse instead: the engine fails the batch.
  if (db.autocommit()) {
    return Status::Unavailable(reason::kStorageUnavailable, "batch transaction was lost");
  }
  // The command's writes may go out together (one round trip to PostgreSQL); a read among
  // them waits for those before it.
  db.BeginDeferred();
  Status s = db.Prepare("SAVEPOINT command").Run();
  if (s.ok()) s = WriteAll(changes, record);
  if (s.ok()) s = db.Prepare("RELEASE command").Run();
  Status queued = db.EndDeferred();
  if (s.ok()) s = queued;
  if (!s.ok()) {
    if (!db.autocommit()) {
      (void)db.Prepare("ROLLBACK TO command").Run();
      (void)db.Prepare("RELEASE command").Run();
    }
    return s;
  }
  return Status::Ok();
}

Status SqlStore::WriteAll(const Changes& changes, const RequestRecord* record) {
  Database& db = sql();
  for (const auto& l : changes.locations) {
    OMS_RETURN_IF_ERROR(BindLocation(db.Prepare(Upsert<kLocations>()), l).Run());
  }
  for (const auto& g : changes.groups) {
    OMS_RETURN_IF_ERROR(BindGroup(db.Prepare(Upsert<kLocationGroups>()), g).Run());
    OMS_RETURN_IF_ERROR(db.Prepare("DELETE FROM location_group_members WHERE group_id = ?")
                            .Bind(1, g.id.str())
                            .Run());
    for (size_t i = 0; i < g.members.size(); ++i) {
      OMS_RETURN_IF_ERROR(
          BindGroupMember(db.Prepare(Insert<kLocationGroupMembers>()), g.id, i, g.members[i])
              .Run());
    }
  }
  for (const auto& [key, level] : changes.stock) {
    OMS_RETURN_IF_ERROR(BindStock(InsertRows(Upsert<kStockLevels>()), key, level).Run());
  }
  for (const auto& m : changes.movements) {
    OMS_RETURN_IF_ERROR(BindMovement(InsertRows(Insert<kMovements>()), m).Run());
  }
  for (const auto& r : changes.reservations) OMS_RETURN_IF_ERROR(WriteReservation(r, changes));
  for (const auto& o : changes.orders) OMS_RETURN_IF_ERROR(WriteOrder(o, changes));
  for (const auto& r : changes.returns) OMS_RETURN_IF_ERROR(WriteReturn(r, changes));
  for (const auto& in : changes.inbounds) OMS_RETURN_IF_ERROR(WriteInbound(in, changes));
  for (const auto& e : changes.events) {
    std::string payload = encoder_ ? encoder_(e) : std::string();
    OMS_RETURN_IF_ERROR(BindEvent(InsertRows(Insert<kEvents>()), e, payload).Run());
  }
  if (record) OMS_RETURN_IF_ERROR(BindRequest(InsertRows(Insert<kRequests>()), *record).Run());
  return Status::Ok();
}

Status SqlStore::WriteReservation(const Reservation& r, const Changes& changes) {
  Database& db = sql();
  OMS_RETURN_IF_ERROR(BindReservation(db.Prepare(Upsert<kReservations>()), r).Run());
  if (!changes.IsNew(r) && !changes.LinesChanged(r)) return Status::Ok();
  if (!changes.IsNew(r)) {
    OMS_RETURN_IF_ERROR(db.Prepare("DELETE FROM reservation_lines WHERE reservation_id = ?")
                            .Bind(1, r.id.str())
                            .Run());
  }
  for (size_t i = 0; i < r.lines.size(); ++i) {
    OMS_RETURN_IF_ERROR(
        BindReservationLine(db.Prepare(Insert<kReservationLines>()), r.id, i, r.lines[i]).Run());
  }
  return Status::Ok();
}

Status SqlStore::WriteOrder(const Order& o, const Changes& changes) {
  Database& db = sql();
  OMS_RETURN_IF_ERROR(BindOrder(db.Prepare(Upsert<kOrders>()), o).Run());
  if (changes.WritesLines(o)) {
    OMS_RETURN_IF_ERROR(
        db.Prepare("DELETE FROM order_lines WHERE order_id = ?").Bind(1, o.id.str()).Run());
    for (size_t i = 0; i < o.lines.size(); ++i) {
      OMS_RETURN_IF_ERROR(
          BindOrderLine(db.Prepare(Insert<kOrderLines>()), o.id, i, o.lines[i]).Run());
    }
  }
  for (size_t i = changes.StoredHistory(o); i < o.history.size(); ++i) {
    OMS_RETURN_IF_ERROR(
        BindTransition(db.Prepare(Insert<kOrderHistory>()), o.id, i, o.history[i]).Run());
  }
  return Status::Ok();
}

Status SqlStore::WriteReturn(const Return& r, const Changes& changes) {
  Database& db = sql();
  OMS_RETURN_IF_ERROR(BindReturn(db.Prepare(Upsert<kReturns>()), r).Run());
  // Lines change with every resolution: a stored return's are replaced.
  if (!changes.IsNew(r)) {
    OMS_RETURN_IF_ERROR(
        db.Prepare("DELETE FROM return_lines WHERE return_id = ?").Bind(1, r.id.str()).Run());
  }
  for (size_t i = 0; i < r.lines.size(); ++i) {
    OMS_RETURN_IF_ERROR(
        BindReturnLine(db.Prepare(Insert<kReturnLines>()), r.id, i, r.lines[i]).Run());
  }
  // An entry stored already collides with its primary key: refused, never written twice.
  for (size_t i = changes.StoredHistory(r); i < r.history.size(); ++i) {
    OMS_RETURN_IF_ERROR(
        BindReturnTransition(db.Prepare(Insert<kReturnHistory>()), r.id, i, r.history[i]).Run());
  }
  return Status::Ok();
}

Status SqlStore::WriteInbound(const Inbound& in, const Changes& changes) {
  Database& db = sql();
  const bool is_new = changes.IsNew(in);
  if (!is_new) {
    Statement& stored = db.Prepare("SELECT 1 FROM inbounds WHERE inbound_id = ?");
    stored.Bind(1, in.id.str());
    const bool found = stored.Step();
    OMS_RETURN_IF_ERROR(stored.status());
    stored.Reset();
    if (!found) return Status::Internal("inbound lines skipped: " + in.id.str() + " is not stored");
  }
  // Lines first, then the row: the schema refuses any line change once the row says RECEIVED
  // or CANCELLED, and the command that closes an inbound writes its last line changes too
  // (the lines' reference to the row is checked at commit).
  for (size_t i : changes.LinesToWrite(in)) {
    if (i >= in.lines.size()) return Status::Internal("inbound line index out of range");
    OMS_RETURN_IF_ERROR(
        BindInboundLine(db.Prepare(Upsert<kInboundLines>()), in.id, i, in.lines[i]).Run());
  }
  OMS_RETURN_IF_ERROR(BindInbound(db.Prepare(Upsert<kInbounds>()), in).Run());
  // Lines are only ever appended, so the stored ones are exactly line_no 0..n-1: a line
  // written past the end, or a new inbound written without all of its lines, shows here (as
  // MemoryStore refuses them).
  Statement& q = db.Prepare(
      "SELECT COUNT(*), COALESCE(MAX(line_no), -1) FROM inbound_lines WHERE inbound_id = ?");
  q.Bind(1, in.id.str());
  if (!q.Step()) return q.status().ok() ? Status::Internal("no line count") : q.status();
  const int64_t count = q.Int(0);
  const int64_t last = q.Int(1);
  q.Reset();
  if (last != count - 1) return Status::Internal("inbound line written out of order");
  if (is_new && count != static_cast<int64_t>(in.lines.size())) {
    return Status::Internal("new inbound written without its lines");
  }
  return Status::Ok();
}

Result<std::optional<Order>> SqlStore::FindOrder(const OrderId& id) { return LoadOrder(sql(), id); }

Result<std::optional<Reservation>> SqlStore::FindReservation(const ReservationId& id) {
  return LoadReservation(sql(), id);
}

Result<std::optional<Return>> SqlStore::FindReturn(const ReturnId& id) {
  return LoadReturn(sql(), id);
}

Result<std::optional<Inbound>> SqlStore::FindInbound(const InboundId& id) {
  return LoadInbound(sql(), id);
}

Result<std::vector<ReturnedUnits>> SqlStore::FindReturned(const std::string& source) {
  return LoadReturned(sql(), source);
}

Result<int64_t> SqlStore::PurgeEvents(Timestamp before, int64_t keep, int64_t max_rows) {
  Statement& q = sql().Prepare(
      "DELETE FROM events WHERE sequence IN (SELECT sequence FROM events WHERE sequence < "
      "(SELECT MAX(sequence) FROM events) AND (created_at < ?1 OR sequence <= "
      "(SELECT MAX(sequence) FROM events) - ?2) ORDER BY sequence LIMIT ?3)");
  OMS_RETURN_IF_ERROR(q.Bind(1, ToMicros(before)).Bind(2, keep).Bind(3, max_rows).Run());
  return sql().changes();
}

Result<int64_t> SqlStore::PurgeRequests(Timestamp before, int64_t max_rows) {
  Statement& q = sql().Prepare(
      "DELETE FROM requests WHERE request_id IN (SELECT request_id FROM requests "
      "WHERE created_at < ? ORDER BY created_at LIMIT ?)");
  OMS_RETURN_IF_ERROR(q.Bind(1, ToMicros(before)).Bind(2, max_rows).Run());
  return static_cast<int64_t>(sql().changes());
}

}  // namespace oms::storage

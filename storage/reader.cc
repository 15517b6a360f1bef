// Reader queries. Each uses cached statements of its pooled connection.
#include "storage/reader.h"

#include "storage/rows.h"
#include "storage/sqlite.h"

namespace oms::storage {
namespace {

StoredEvent StoredEventFromRow(const Statement& row) {
  constexpr auto& t = kEvents;
  return {row.Int(t["sequence"]), static_cast<int>(row.Int(t["kind"])),
          row.Text(t["sku"]),     row.Text(t["location_id"]),
          row.Text(t["subject"]), row.Text(t["customer_id"]),
          row.Text(t["payload"])};
}

}  // namespace

Reader::Reader(const std::string& path, const std::string& vfs, CommitGate* gate)
    : Reader(
          [path, vfs]() -> Result<std::unique_ptr<Database>> {
            auto db = SqliteDatabase::Open(path, {.read_only = true, .vfs = vfs});
            if (!db.ok()) return db.status();
            return std::unique_ptr<Database>(std::move(db).value());
          },
          gate) {}

Reader::Lease::~Lease() {
  // A connection left in a transaction, or broken (PostgreSQL), is not used again.
  if (!db_->autocommit()) return;
  std::lock_guard lock(reader_.mu_);
  if (reader_.idle_.size() < 16) reader_.idle_.push_back(std::move(db_));
}

Result<std::unique_ptr<Reader::Lease>> Reader::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return std::make_unique<Lease>(*this, std::move(db));
    }
  }
  Result<std::unique_ptr<Database>> db = open_();
  if (!db.ok()) return db.status();
  return std::make_unique<Lease>(*this, std::move(db).value());
}

Result<std::optional<Location>> Reader::GetLocation(const LocationId& id) {
  return WithSnapshot([&](Database& db) -> Result<std::optional<Location>> {
    Statement& q = db.Prepare(Select<kLocations, "WHERE location_id = ?">());
    q.Bind(1, id.str());
    if (!q.Step()) {
      if (!q.status().ok()) return q.status();
      return std::optional<Location>();
    }
    return std::optional<Location>(LocationFromRow(q, 0));
  });
}

Result<std::vector<Location>> Reader::ListLocations(const std::string& after, int limit) {
  return WithSnapshot([&](Database& db) -> Result<std::vector<Location>> {
    Statement& q =
        db.Prepare(Select<kLocations, "WHERE location_id > ? ORDER BY location_id LIMIT ?">());
    q.Bind(1, after).Bind(2, static_cast<int64_t>(limit));
    std::vector<Location> out;
    while (q.Step()) out.push_back(LocationFromRow(q, 0));
    if (!q.status().ok()) return q.status();
    return out;
  });
}

Result<std::vector<LocationGroup>> Reader::ListGroups(const std::string& after, int limit) {
  return WithSnapshot([&](Database& db) { return LoadGroups(db, after, limit); });
}

Result<std::vector<std::pair<StockKey, StockLevel>>> Reader::ListStock(const LocationId& location,
                                                                       const std::string& after_sku,
                                                                       int limit) {
  using Rows = std::vector<std::pair<StockKey, StockLevel>>;
  return WithSnapshot([&](Database& db) -> Result<Rows> {
    Statement& q = db.Prepare(
        Select<kStockLevels, "WHERE location_id = ? AND sku > ? ORDER BY sku LIMIT ?">());
    q.Bind(1, location.str()).Bind(2, after_sku).Bind(3, static_cast<int64_t>(limit));
    Rows out;
    while (q.Step()) out.push_back(StockFromRow(q, 0));
    if (!q.status().ok()) return q.status();
    return out;
  });
}

Result<std::vector<Movement>> Reader::ListMovements(const MovementFilter& f, int limit) {
  return WithSnapshot([&](Database& db) -> Result<std::vector<Movement>> {
    // One statement per filter shape so each uses its index.
    Statement* q;
    if (!f.sku.empty() && !f.location_id.empty()) {
      q = &db.Prepare(Select<kMovements,
                             "WHERE sku = ?3 AND location_id = ?4 AND movement_id > ?1 AND "
                             "created_at >= ?2 ORDER BY movement_id LIMIT ?5">());
      q->Bind(3, f.sku).Bind(4, f.location_id);
    } else if (!f.sku.empty()) {
      q = &db.Prepare(Select<kMovements,
                             "WHERE sku = ?3 AND movement_id > ?1 AND created_at >= ?2 "
                             "ORDER BY movement_id LIMIT ?5">());
      q->Bind(3, f.sku);
    } else if (!f.location_id.empty()) {
      q = &db.Prepare(Select<kMovements,
                             "WHERE location_id = ?4 AND movement_id > ?1 AND created_at >= ?2 "
                             "ORDER BY movement_id LIMIT ?5">());
      q->Bind(4, f.location_id);
    } else {
      q = &db.Prepare(Select<kMovements,
                             "WHERE movement_id > ?1 AND created_at >= ?2 "
                             "ORDER BY movement_id LIMIT ?5">());
    }
    q->Bind(1, f.after_id).Bind(2, ToMicros(f.since)).Bind(5, static_cast<int64_t>(limit));
    std::vector<Movement> out;
    while (q->Step()) out.push_back(MovementFromRow(*q, 0));
    if (!q->status().ok()) return q->status();
    return out;
  });
}

Result<std::optional<Reservation>> Reader::GetReservation(const ReservationId& id) {
  return WithSnapshot([&](Database& db) { return LoadReservation(db, id); });
}

Result<std::vector<StoredEvent>> Reader::ReadEvents(int64_t after, int kind, int limit,
                                                    int64_t* scanned_to, int64_t* first_scanned) {
  return WithSnapshot([&](Database& db) -> Result<std::vector<StoredEvent>> {
    // Scan a bounded window of sequences so a filter that matches rarely cannot turn one
    // call into a full-table scan.
    Statement& q = db.Prepare(
        Select<kEvents, "WHERE sequence > ?1 AND sequence <= ?1 + ?2 ORDER BY sequence">());
    q.Bind(1, after).Bind(2, static_cast<int64_t>(limit) * 8);
    std::vector<StoredEvent> out;
    *scanned_to = after;
    *first_scanned = 0;
    while (q.Step()) {
      *scanned_to = q.Int(kEvents["sequence"]);
      if (*first_scanned == 0) *first_scanned = *scanned_to;
      if (q.Int(kEvents["kind"]) != kind) continue;
      out.push_back(StoredEventFromRow(q));
      if (static_cast<int>(out.size()) >= limit) break;
    }
    if (!q.status().ok()) return q.status();
    return out;
  });
}

Result<int64_t> Reader::OldestEvent() {
  return WithSnapshot([&](Database& db) -> Result<int64_t> {
    Statement& q = db.Prepare("SELECT COALESCE(MIN(sequence), 0) FROM events");
    if (!q.Step()) return q.status().ok() ? Status::Internal("no result") : q.status();
    return q.Int(0);
  });
}

Result<std::optional<Order>> Reader::GetOrder(const OrderId& id) {
  return WithSnapshot([&](Database& db) { return LoadOrder(db, id); });
}

Result<std::vector<Order>> Reader::ListOrders(const OrderQuery& query, int limit) {
  return WithSnapshot([&](Database& db) -> Result<std::vector<Order>> {
    Statement* q;
    if (!query.customer_id.empty()) {
      q = &db.Prepare(Select<kOrders,
                             "WHERE customer_id = ?1 AND (created_at, order_id) < (?2, ?3) "
                             "AND (?4 = 0 OR ((1 << state) & ?4) != 0) "
                             "ORDER BY created_at DESC, order_id DESC LIMIT ?5">());
      q->Bind(1, query.customer_id);
    } else {
      q = &db.Prepare(Select<kOrders,
                             "WHERE pickup_location_id = ?1 AND (created_at, order_id) < (?2, ?3) "
                             "AND (?4 = 0 OR ((1 << state) & ?4) != 0) "
                             "ORDER BY created_at DESC, order_id DESC LIMIT ?5">());
      q->Bind(1, query.pickup_location_id);
    }
    q->Bind(2, ToMicros(query.before_created))
        .Bind(3, query.before_id)
        .Bind(4, static_cast<int64_t>(query.state_mask))
        .Bind(5, static_cast<int64_t>(limit));
    std::vector<Order> out;
    while (q->Step()) out.push_back(OrderFromRow(*q, 0));
    if (!q->status().ok()) return q->status();
    q->Reset();
    for (auto& o : out) OMS_RETURN_IF_ERROR(LoadOrderDetails(db, o));
    return out;
  });
}

Result<std::vector<Reservation>> Reader::ListReservations(ReservationState state,
                                                          Timestamp after_expiry,
                                                          const std::string& after_id, int limit,
                                                          bool at_risk_only) {
  return WithSnapshot([&](Database& db) -> Result<std::vector<Reservation>> {
    // At risk: few reservations, found by the partial index on at-risk lines.
    Statement* q;
    if (state == ReservationState::kActive && at_risk_only) {
      q = &db.Prepare(Select<kReservations,
                             "WHERE state = 1 AND (expires_at, reservation_id) > (?1, ?2) "
                             "AND reservation_id IN (SELECT reservation_id FROM "
                             "reservation_lines WHERE at_risk = 1) "
                             "ORDER BY expires_at, reservation_id LIMIT ?3">());
      q->Bind(1, ToMicros(after_expiry));
    } else if (state == ReservationState::kActive) {
      q = &db.Prepare(Select<kReservations,
                             "WHERE state = 1 AND (expires_at, reservation_id) > (?1, ?2) "
                             "ORDER BY expires_at, reservation_id LIMIT ?3">());
      q->Bind(1, ToMicros(after_expiry));
    } else if (at_risk_only) {
      q = &db.Prepare(Select<kReservations,
                             "WHERE state = ?1 AND reservation_id > ?2 "
                             "AND reservation_id IN (SELECT reservation_id FROM "
                             "reservation_lines WHERE at_risk = 1) "
                             "ORDER BY reservation_id LIMIT ?3">());
      q->Bind(1, static_cast<int64_t>(state));
    } else {
      q = &db.Prepare(Select<kReservations,
                             "WHERE state = ?1 AND reservation_id > ?2 "
                             "ORDER BY reservation_id LIMIT ?3">());
      q->Bind(1, static_cast<int64_t>(state));
    }
    q->Bind(2, after_id).Bind(3, static_cast<int64_t>(limit));
    std::vector<Reservation> out;
    while (q->Step()) out.push_back(ReservationFromRow(*q, 0));
    if (!q->status().ok()) return q->status();
    q->Reset();
    for (auto& r : out) OMS_RETURN_IF_ERROR(LoadReservationLines(db, r));
    return out;
  });
}

Result<std::optional<Return>> Reader::GetReturn(const ReturnId& id) {
  return WithSnapshot([&](Database& db) { return LoadReturn(db, id); });
}

Result<std::optional<Inbound>> Reader::GetInbound(const InboundId& id) {
  return WithSnapshot([&](Database& db) { return LoadInbound(db, id); });
}

Result<std::vector<Inbound>> Reader::ListInbound(const InboundQuery& query, int limit) {
  return WithSnapshot([&](Database& db) -> Result<std::vector<Inbound>> {
    // One statement per filter shape so each uses its index: by SKU through
    // inbound_lines_by_sku (a SKU is on few inbounds), else by location, else by id.
    Statement* q;
    if (!query.sku.empty()) {
      q = &db.Prepare(Select<kInbounds,
                             "WHERE inbound_id IN (SELECT inbound_id FROM inbound_lines "
                             "WHERE sku = ?2 AND inbound_id > ?3) "
                             "AND (?1 = '' OR location_id = ?1) ORDER BY inbound_id LIMIT ?4">());
      q->Bind(1, query.location_id).Bind(2, query.sku);
    } else if (!query.location_id.empty()) {
      q = &db.Prepare(Select<kInbounds,
                             "WHERE location_id = ?1 AND inbound_id > ?3 "
                             "ORDER BY inbound_id LIMIT ?4">());
      q->Bind(1, query.location_id);
    } else {
      q = &db.Prepare(Select<kInbounds, "WHERE inbound_id > ?3 ORDER BY inbound_id LIMIT ?4">());
    }
    q->Bind(3, query.after_id).Bind(4, static_cast<int64_t>(limit));
    std::vector<Inbound> out;
    while (q->Step()) out.push_back(InboundFromRow(*q, 0));
    if (!q->status().ok()) return q->status();
    q->Reset();
    for (auto& in : out) OMS_RETURN_IF_ERROR(LoadInboundLines(db, in));
    return out;
  });
}

Result<std::vector<Return>> Reader::ListReturns(const ReturnQuery& query, int limit) {
  return WithSnapshot([&](Database& db) -> Result<std::vector<Return>> {
    // One statement per filter shape so each uses its index.
    Statement* q;
    if (!query.customer_id.empty()) {
      q = &db.Prepare(Select<kReturns,
                             "WHERE customer_id = ?1 AND (created_at, return_id) < (?2, ?3) "
                             "ORDER BY created_at DESC, return_id DESC LIMIT ?4">());
      q->Bind(1, query.customer_id);
    } else if (!query.location_id.empty()) {
      q = &db.Prepare(Select<kReturns,
                             "WHERE location_id = ?1 AND (created_at, return_id) < (?2, ?3) "
                             "ORDER BY created_at DESC, return_id DESC LIMIT ?4">());
      q->Bind(1, query.location_id);
    } else {
      q = &db.Prepare(Select<kReturns,
                             "WHERE (created_at, return_id) < (?2, ?3) "
                             "ORDER BY created_at DESC, return_id DESC LIMIT ?4">());
    }
    q->Bind(2, ToMicros(query.before_created))
        .Bind(3, query.before_id)
        .Bind(4, static_cast<int64_t>(limit));
    std::vector<Return> out;
    while (q->Step()) out.push_back(ReturnFromRow(*q, 0));
    if (!q->status().ok()) return q->status();
    q->Reset();
    for (auto& r : out) OMS_RETURN_IF_ERROR(LoadReturnDetails(db, r));
    return out;
  });
}

}  // namespace oms::storage

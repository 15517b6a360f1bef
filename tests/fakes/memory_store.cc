// MemoryStore implementation.
#include "tests/fakes/memory_store.h"

#include <algorithm>

namespace oms::testing {

Result<Snapshot> MemoryStore::Load() {
  if (fail_next_load_) {
    fail_next_load_ = false;
    return Status::Unavailable(reason::kStorageUnavailable, "injected load failure");
  }
  Snapshot s;
  for (const auto& [id, l] : committed_.locations) s.locations.push_back(l);
  for (const auto& [id, g] : committed_.groups) s.groups.push_back(g);
  for (const auto& [key, level] : committed_.stock) {
    s.stock.emplace_back(StockKey{Sku(key.first), LocationId(key.second)}, level);
  }
  for (const auto& [id, r] : committed_.reservations) {
    if (r.active()) s.active_reservations.push_back(r);
  }
  for (const auto& [id, o] : committed_.orders) {
    if (!IsFinal(o.state)) s.live_orders.push_back(o);
  }
  for (const auto& [id, in] : committed_.inbounds) {
    if (in.open()) s.open_inbounds.push_back(in);
  }
  s.last_sequence = committed_.events.empty() ? 0 : committed_.events.back().sequence;
  s.last_movement_id = committed_.movements.empty() ? 0 : committed_.movements.back().id;
  return s;
}

Status MemoryStore::Begin() {
  if (batch_) return Status::Internal("batch already open");
  if (fail_next_begin_) {
    fail_next_begin_ = false;
    return Status::Unavailable(reason::kStorageUnavailable, "injected begin failure");
  }
  batch_ = committed_;
  return Status::Ok();
}

Result<std::optional<RequestRecord>> MemoryStore::FindRequest(const std::string& request_id) {
  const auto& requests = Current().requests;
  auto it = requests.find(request_id);
  if (it == requests.end()) return std::optional<RequestRecord>();
  return std::optional<RequestRecord>(it->second);
}

Status MemoryStore::Apply(Tables& t, const Changes& c, const RequestRecord* record) {
  for (const auto& l : c.locations) t.locations[l.id.str()] = l;
  for (const auto& g : c.groups) {
    for (const auto& m : g.members) {
      if (!t.locations.count(m.str())) return Status::Internal("member without location");
    }
    t.groups[g.id.str()] = g;
  }
  for (const auto& [key, level] : c.stock) {
    // The CHECK constraints of the SQLite schema.
    if (level.on_hand < 0 || level.reserved < 0 || level.safety_stock < 0 || level.version <= 0) {
      return Status::Internal("stock CHECK constraint failed");
    }
    if (!t.locations.count(key.location.str())) return Status::Internal("stock without location");
    t.stock[{key.sku.str(), key.location.str()}] = level;
  }
  for (const auto& m : c.movements) {
    if (m.delta == 0 || m.on_hand_after < 0) return Status::Internal("movement CHECK failed");
    // movement_id is the table's primary key.
    bool taken = std::any_of(t.movements.rbegin(), t.movements.rend(),
                             [&](const Movement& old) { return old.id == m.id; });
    if (taken) return Status::Internal("duplicate movement_id");
    t.movements.push_back(m);
  }
  for (const auto& r : c.reservations) {
    auto it = t.reservations.find(r.id.str());
    if (it != t.reservations.end() && !it->second.active() && it->second.state != r.state) {
      return Status::Internal("reservation already ended");  // the trigger
    }
    Reservation stored = r;
    // Like SqliteStore: lines are written only as the bookkeeping says.
    if (it != t.reservations.end() && !c.IsNew(r) && !c.LinesChanged(r)) {
      stored.lines = it->second.lines;
    }
    t.reservations[r.id.str()] = stored;
  }
  for (const auto& o : c.orders) {
    auto it = t.orders.find(o.id.str());
    if (it != t.orders.end() && IsFinal(it->second.state) && it->second.state != o.state) {
      return Status::Internal("order already ended");
    }
    Order stored = o;
    // Like SqliteStore: lines only as the bookkeeping says, history appended after the stored.
    if (it != t.orders.end()) {
      if (!c.WritesLines(o)) stored.lines = it->second.lines;
      size_t kept = c.StoredHistory(o);
      if (kept != it->second.history.size() || kept > o.history.size()) {
        return Status::Internal("order history entries would be stored twice or skipped");
      }
      stored.history = it->second.history;
      stored.history.insert(stored.history.end(), o.history.begin() + kept, o.history.end());
    }
    t.orders[o.id.str()] = stored;
  }
  for (const auto& r : c.returns) {
    // The CHECK constraints and the append-only history of the SQLite schema.
    for (const auto& l : r.lines) {
      if (l.quantity <= 0 || l.quarantined < 0 || l.restocked < 0 || l.written_off < 0 ||
          l.quarantined + l.restocked + l.written_off != l.quantity) {
        return Status::Internal("return line CHECK constraint failed");
      }
      // Only INSPECT quarantines; RESTOCK restocks and DAMAGED writes off everything.
      if ((l.disposition != Disposition::kInspect && l.quarantined != 0) ||
          (l.disposition == Disposition::kRestock && l.restocked != l.quantity) ||
          (l.disposition == Disposition::kDamaged && l.written_off != l.quantity)) {
        return Status::Internal("return line CHECK constraint failed: disposition");
      }
    }
    if (r.order_id.empty() == r.reservation_id.empty()) {
      return Status::Internal("return CHECK constraint failed: one source");
    }
    if (!t.locations.count(r.location.str())) return Status::Internal("return without location");
    auto it = t.returns.find(r.id.str());
    if (it != t.returns.end() && it->second.state == ReturnState::kCompleted &&
        r.state != ReturnState::kCompleted) {
      return Status::Internal("return already completed");  // the trigger
    }
    size_t kept = c.StoredHistory(r);
    if ((it == t.returns.end() ? 0 : it->second.history.size()) != kept ||
        kept > r.history.size()) {
      return Status::Internal("return history entries would be stored twice or skipped");
    }
    t.returns[r.id.str()] = r;
  }
  for (const auto& [key, level] : c.stock) {
    if (level.quarantined < 0) return Status::Internal("stock CHECK constraint failed");
  }
  for (const auto& in : c.inbounds) {
    // The CHECK constraints and triggers of the SQLite schema.
    if (!t.locations.count(in.location.str())) return Status::Internal("inbound without location");
    auto it = t.inbounds.find(in.id.str());
    if (it == t.inbounds.end() && !c.IsNew(in)) return Status::Internal("inbound lines skipped");
    if (it != t.inbounds.end() && !it->second.open() && it->second != in) {
      return Status::Internal("inbound already closed");
    }
    Inbound stored = it == t.inbounds.end() ? in : it->second;
    Inbound row = in;
    row.lines = stored.lines;
    for (size_t i : c.LinesToWrite(in)) {
      const InboundLine& l = in.lines[i];
      if (l.expected < 0 || l.received < 0 || l.promised < 0 || l.promised > l.remaining()) {
        return Status::Internal("inbound line CHECK constraint failed");
      }
      if (i < row.lines.size()) {
        row.lines[i] = l;
      } else if (i == row.lines.size()) {
        row.lines.push_back(l);
      } else {
        return Status::Internal("inbound line written out of order");
      }
    }
    if (it == t.inbounds.end() && row.lines.size() != in.lines.size()) {
      return Status::Internal("new inbound written without its lines");
    }
    t.inbounds[in.id.str()] = row;
  }
  for (const auto& e : c.events) {
    if (!t.events.empty() && e.sequence != t.events.back().sequence + 1) {
      return Status::Internal("event sequence gap");
    }
    t.events.push_back(e);
  }
  if (record) {
    if (t.requests.count(record->request_id)) return Status::Internal("duplicate request_id");
    t.requests[record->request_id] = *record;
  }
  return Status::Ok();
}

Status MemoryStore::Write(const Changes& changes, const RequestRecord* record) {
  if (!batch_) return Status::Internal("write outside a batch");
  if (writes_before_failure_ == 0) {
    writes_before_failure_ = -1;
    return Status::Unavailable(reason::kStorageUnavailable, "injected write failure");
  }
  if (writes_before_failure_ > 0) --writes_before_failure_;
  Tables copy = *batch_;
  OMS_RETURN_IF_ERROR(Apply(copy, changes, record));
  batch_ = std::move(copy);
  return Status::Ok();
}

Status MemoryStore::Commit() {
  if (!batch_) return Status::Internal("commit outside a batch");
  if (fail_next_commit_) {
    fail_next_commit_ = false;
    return Status::Unavailable(reason::kStorageUnavailable, "injected commit failure");
  }
  committed_ = std::move(*batch_);
  batch_.reset();
  ++commits_;
  return Status::Ok();
}

void MemoryStore::Rollback() { batch_.reset(); }

bool MemoryStore::TakeFindFault() {
  bool fail = fail_next_find_;
  fail_next_find_ = false;
  return fail;
}

Result<std::optional<Reservation>> MemoryStore::FindReservation(const ReservationId& id) {
  if (TakeFindFault())
    return Status::Unavailable(reason::kStorageUnavailable, "injected find failure");
  auto it = Current().reservations.find(id.str());
  if (it == Current().reservations.end()) return std::optional<Reservation>();
  return std::optional<Reservation>(it->second);
}

Result<std::optional<Order>> MemoryStore::FindOrder(const OrderId& id) {
  if (TakeFindFault())
    return Status::Unavailable(reason::kStorageUnavailable, "injected find failure");
  auto it = Current().orders.find(id.str());
  if (it == Current().orders.end()) return std::optional<Order>();
  Order o = it->second;
  // Like SqliteStore: each line's returned units, from the returns.
  for (auto& line : o.lines) {
    line.returned = 0;
    for (const auto& [rid, r] : Current().returns) {
      if (r.order_id != o.id) continue;
      for (const auto& l : r.lines) {
        if (l.sku == line.sku) line.returned += l.quantity;
      }
    }
  }
  return std::optional<Order>(std::move(o));
}

Result<std::optional<Return>> MemoryStore::FindReturn(const ReturnId& id) {
  if (TakeFindFault())
    return Status::Unavailable(reason::kStorageUnavailable, "injected find failure");
  auto it = Current().returns.find(id.str());
  if (it == Current().returns.end()) return std::optional<Return>();
  return std::optional<Return>(it->second);
}

Result<std::vector<ReturnedUnits>> MemoryStore::FindReturned(const std::string& source) {
  if (TakeFindFault())
    return Status::Unavailable(reason::kStorageUnavailable, "injected find failure");
  std::map<std::string, int64_t> by_sku;
  for (const auto& [id, r] : Current().returns) {
    if (r.source() != source) continue;
    for (const auto& l : r.lines) by_sku[l.sku.str()] += l.quantity;
  }
  std::vector<ReturnedUnits> out;
  for (const auto& [sku, n] : by_sku) out.push_back({Sku(sku), n});
  return out;
}

Result<std::optional<Inbound>> MemoryStore::FindInbound(const InboundId& id) {
  if (TakeFindFault())
    return Status::Unavailable(reason::kStorageUnavailable, "injected find failure");
  auto it = Current().inbounds.find(id.str());
  if (it == Current().inbounds.end()) return std::optional<Inbound>();
  return std::optional<Inbound>(it->second);
}

Result<int64_t> MemoryStore::PurgeRequests(Timestamp before, int64_t max_rows) {
  Tables& t = batch_ ? *batch_ : committed_;
  // Oldest first, like SqliteStore's ORDER BY created_at.
  std::vector<std::pair<Timestamp, std::string>> due;
  for (const auto& [id, r] : t.requests) {
    if (r.created_at < before) due.emplace_back(r.created_at, id);
  }
  std::sort(due.begin(), due.end());
  int64_t n = 0;
  for (const auto& [at, id] : due) {
    if (n >= max_rows) break;
    t.requests.erase(id);
    ++n;
  }
  return n;
}

Result<int64_t> MemoryStore::PurgeEvents(Timestamp before, int64_t keep, int64_t max_rows) {
  Tables& t = batch_ ? *batch_ : committed_;
  int64_t n = 0;
  while (t.events.size() > 1 && n < max_rows &&
         (t.events.front().time < before || static_cast<int64_t>(t.events.size()) > keep)) {
    t.events.erase(t.events.begin());
    ++n;
  }
  return n;
}

}  // namespace oms::testing

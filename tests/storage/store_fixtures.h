// Builders for the rows a Store writes, and the Store implementations behind one interface
// (the in-memory fake, the SQLite adapter on a temp file, the PostgreSQL adapter in a fresh
// schema of the test cluster) for typed suites.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "domain/ports.h"
#include "storage/pg_store.h"
#include "storage/sqlite_store.h"
#include "tests/fakes/memory_store.h"
#include "tests/support/backend_skip.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/temp_dir.h"

namespace oms::testing {

inline Timestamp At(int64_t seconds) { return FromMicros(seconds * 1'000'000); }

inline Location MakeLocation(const std::string& id, bool active = true) {
  return Location{LocationId(id), "Location " + id, LocationKind::kStore, true, true, active,
                  At(1)};
}

inline StockLevel MakeLevel(int64_t on_hand, int64_t reserved = 0, int64_t version = 1) {
  return StockLevel{on_hand, reserved, 0, 0, version, At(1)};
}

inline Movement MakeMovement(int64_t id, const std::string& sku, const std::string& location,
                             int64_t delta, int64_t on_hand_after, Timestamp at = At(1)) {
  Movement m;
  m.id = id;
  m.sku = Sku(sku);
  m.location = LocationId(location);
  m.delta = delta;
  m.on_hand_after = on_hand_after;
  m.reason = delta > 0 ? MovementReason::kReceived : MovementReason::kSold;
  m.reference = "ref";
  m.request_id = "req-" + std::to_string(id);
  m.actor = "tester";
  m.created_at = at;
  return m;
}

inline Event MakeEvent(int64_t sequence, Timestamp at = At(1)) {
  Event e;
  e.sequence = sequence;
  e.time = at;
  e.kind = EventKind::kLocation;
  e.location = LocationId("s1");
  return e;
}

inline Reservation MakeReservation(const std::string& id, const std::string& location,
                                   int64_t quantity) {
  Reservation r;
  r.id = ReservationId(id);
  r.channel = Channel::kOnline;
  r.lines = {{Sku("a"), LocationId(location), quantity}};
  r.created_at = r.updated_at = At(1);
  r.expires_at = At(100);
  return r;
}

// Changes that create these reservations (their lines are inserted).
inline Changes Created(std::vector<Reservation> reservations) {
  Changes c;
  for (const auto& r : reservations) c.new_reservations.insert(r.id);
  c.reservations = std::move(reservations);
  return c;
}

// A placed order at `location` holding reservation `reservation`, one line of sku "a".
inline Order MakeOrder(const std::string& id, const std::string& location,
                       const std::string& reservation) {
  Order o;
  o.id = OrderId(id);
  o.customer = CustomerId("cust");
  o.pickup_location = LocationId(location);
  o.reservation = ReservationId(reservation);
  o.lines = {{Sku("a"), 2, 2}};
  o.pickup_code = "CODE01";
  o.hold = std::chrono::hours(1);
  o.created_at = o.updated_at = At(1);
  o.history = {{OrderState::kPlaced, At(1), "tester", ""}};
  return o;
}

// An OPEN return of order `order` received at `location`: one RESTOCK line (1 of sku "a"),
// one INSPECT line (2 of sku "b", quarantined), and its creation in the history.
inline Return MakeReturn(const std::string& id, const std::string& order,
                         const std::string& location, Timestamp at = At(1)) {
  Return r;
  r.id = ReturnId(id);
  r.order_id = OrderId(order);
  r.customer = CustomerId("cust");
  r.location = LocationId(location);
  r.lines = {{Sku("a"), 1, Disposition::kRestock, 0, 1, 0},
             {Sku("b"), 2, Disposition::kInspect, 2, 0, 0}};
  r.reason = "too small";
  r.reference = "rma-" + id;
  r.created_at = r.updated_at = at;
  r.history = {{ReturnState::kOpen, at, "tester", "received"}};
  return r;
}

// Changes that write `returns`, each with `stored_history` entries already stored.
inline Changes ReturnsWritten(std::vector<Return> returns, size_t stored_history = 0) {
  Changes c;
  for (const auto& r : returns) {
    if (stored_history > 0) c.stored_return_history.emplace(r.id, stored_history);
  }
  c.returns = std::move(returns);
  return c;
}

// An EXPECTED inbound at `location`, due at At(50): 10 of sku "a", 4 of sku "b", nothing
// received or promised yet.
inline Inbound MakeInbound(const std::string& id, const std::string& location,
                           Timestamp at = At(2)) {
  Inbound in;
  in.id = InboundId(id);
  in.location = LocationId(location);
  in.expected_at = At(50);
  in.lines = {{Sku("a"), 10, 0, 0}, {Sku("b"), 4, 0, 0}};
  in.created_at = in.updated_at = at;
  return in;
}

// Changes that write `inbounds` as new ones (every line).
inline Changes InboundsWritten(std::vector<Inbound> inbounds) {
  Changes c;
  c.inbounds = std::move(inbounds);
  return c;
}

// Changes that write stored inbound `in`: its row, and only the lines at `lines`.
inline Changes InboundUpdated(const Inbound& in, std::vector<size_t> lines) {
  Changes c;
  c.inbounds = {in};
  c.changed_inbound_lines[in.id] = std::move(lines);
  return c;
}

inline RequestRecord MakeRecord(const std::string& id, Timestamp at = At(1)) {
  return RequestRecord{id, 42, "AdjustStock", "response of " + id, std::nullopt, at};
}

// The in-memory fake: "reopening" keeps the same object, as a restart keeps the disk.
struct MemoryBackend {
  static constexpr const char* kName = "MemoryStore";
  MemoryStore store;
  Store& Open() { return store; }
};

// The real adapter on a file in a fresh temp dir; Open() closes and reopens it.
struct SqliteBackend {
  static constexpr const char* kName = "SqliteStore";
  TempDir dir;
  std::unique_ptr<storage::SqliteStore> store;
  Store& Open() {
    store.reset();
    auto opened = storage::SqliteStore::Open({.path = dir.File("oms.db")}, nullptr);
    if (!opened.ok()) {
      ADD_FAILURE() << opened.status().ToString();
      std::abort();
    }
    store = std::move(opened).value();
    return *store;
  }
};

// The real adapter on PostgreSQL, in a schema of its own; Open() closes (giving up the lease)
// and reopens it. Without PostgreSQL installed the suite skips it (SkipUnlessAvailable), and
// Open() hands out an unused fake so the fixture can still be built.
struct PgBackend {
  static constexpr const char* kName = "PgStore";
  static bool Available() { return PgCluster::Shared() != nullptr; }
  std::string conninfo = Available() ? PgCluster::Shared()->NewSchemaConninfo() : "";
  std::unique_ptr<storage::PgStore> store;
  MemoryStore unused;
  Store& Open() {
    if (conninfo.empty()) return unused;
    store.reset();
    store = OpenPgStoreOrAbort(conninfo);
    return *store;
  }
};

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

}  // namespace oms::testing

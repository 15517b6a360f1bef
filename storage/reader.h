// Reader: read-only queries on a small pool of WAL read connections. Readers see the last
// committed state and never wait for the writer's fsync.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/location.h"
#include "domain/order.h"
#include "domain/reservation.h"
#include "domain/status.h"
#include "domain/stock.h"
#include "storage/sqlite.h"

namespace oms::storage {

// One row of the event log, as Watch streams replay it.
struct StoredEvent {
  int64_t sequence = 0;
  int kind = 0;  // EventKind
  std::string sku;
  std::string location_id;
  std::string subject;
  std::string customer_id;
  std::string payload;  // the API message, encoded when the event was written
};

struct MovementFilter {
  std::string sku;          // empty: any
  std::string location_id;  // empty: any
  Timestamp since;          // epoch: any
  int64_t after_id = 0;     // page cursor
};

class Reader {
 public:
  explicit Reader(std::string path, std::string vfs = "")
      : path_(std::move(path)), vfs_(std::move(vfs)) {}

  Result<std::optional<Location>> GetLocation(const LocationId& id);
  // Ordered by id, strictly after `after`.
  Result<std::vector<Location>> ListLocations(const std::string& after, int limit);
  Result<std::vector<LocationGroup>> ListGroups(const std::string& after, int limit);
  Result<std::vector<std::pair<StockKey, StockLevel>>> ListStock(const LocationId& location,
                                                                 const std::string& after_sku,
                                                                 int limit);
  Result<std::vector<Movement>> ListMovements(const MovementFilter& filter, int limit);
  Result<std::optional<Reservation>> GetReservation(const ReservationId& id);
  // Events with sequence > after of the given kind, ascending, at most `limit` (rows of other
  // kinds are skipped but count toward `scanned`, so a caller can advance past them).
  // `first_scanned` is the first sequence present after `after` (0 if none): a value above
  // after + 1 means the log was pruned past `after`.
  Result<std::vector<StoredEvent>> ReadEvents(int64_t after, int kind, int limit,
                                              int64_t* scanned_to, int64_t* first_scanned);
  // The oldest retained sequence (0 if the log is empty).
  Result<int64_t> OldestEvent();
  Result<std::optional<Order>> GetOrder(const OrderId& id);
  // Newest first, strictly before the cursor (created_at, order_id); by customer or by store.
  struct OrderQuery {
    std::string customer_id;
    std::string pickup_location_id;
    uint32_t state_mask = 0;  // bit (1 << state); 0: any
    Timestamp before_created = FromMicros(INT64_MAX);
    std::string before_id;
  };
  Result<std::vector<Order>> ListOrders(const OrderQuery& query, int limit);
  // ACTIVE: ordered by (expires_at, id) after the cursor; other states: by id after it.
  Result<std::vector<Reservation>> ListReservations(ReservationState state, Timestamp after_expiry,
                                                    const std::string& after_id, int limit);

  // Runs f(Database&) on a pooled connection inside a read transaction (one snapshot).
  template <typename F>
  auto WithSnapshot(F&& f) -> decltype(f(std::declval<Database&>()));

 private:
  class Lease {
   public:
    Lease(Reader& reader, std::unique_ptr<Database> db) : reader_(reader), db_(std::move(db)) {}
    ~Lease();
    Database& db() { return *db_; }

   private:
    Reader& reader_;
    std::unique_ptr<Database> db_;
  };
  Result<std::unique_ptr<Lease>> Acquire();

  std::string path_;
  std::string vfs_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Database>> idle_;
};

template <typename F>
auto Reader::WithSnapshot(F&& f) -> decltype(f(std::declval<Database&>())) {
  Result<std::unique_ptr<Lease>> lease = Acquire();
  if (!lease.ok()) return lease.status();
  Database& db = (*lease)->db();
  Status begun = db.Prepare("BEGIN").Run();
  if (!begun.ok()) return begun;
  auto result = f(db);
  db.ResetAll();
  (void)db.Prepare("COMMIT").Run();
  return result;
}

}  // namespace oms::storage

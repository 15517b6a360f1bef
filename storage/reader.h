// Reader: the SQL ReadStore — read-only queries on a small pool of connections (SQLite WAL
// read connections, or PostgreSQL sessions). Readers see the last committed state. With a pipelined writer (a CommitGate given), a read
// that may have seen a commit whose fsync is still in flight waits for that fsync before it
// answers; it never waits for the writer otherwise.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/commit_gate.h"
#include "domain/limits.h"
#include "domain/read_store.h"
#include "storage/sql.h"

namespace oms::storage {

class Reader final : public ReadStore {
 public:
  explicit Reader(ConnectionFactory open, CommitGate* gate = nullptr)
      : open_(std::move(open)), gate_(gate) {}
  // Read-only connections to the SQLite database at `path`.
  explicit Reader(const std::string& path, const std::string& vfs = "",
                  CommitGate* gate = nullptr);

  // ReadStore (documented there).
  Result<std::optional<Location>> GetLocation(const LocationId& id) override;
  Result<std::vector<Location>> ListLocations(const std::string& after, int limit) override;
  Result<std::vector<LocationGroup>> ListGroups(const std::string& after, int limit) override;
  Result<std::vector<std::pair<StockKey, StockLevel>>> ListStock(const LocationId& location,
                                                                 const std::string& after_sku,
                                                                 int limit) override;
  Result<std::vector<Movement>> ListMovements(const MovementFilter& filter, int limit) override;
  Result<std::optional<Reservation>> GetReservation(const ReservationId& id) override;
  Result<std::vector<Reservation>> ListReservations(ReservationState state, Timestamp after_expiry,
                                                    const std::string& after_id, int limit,
                                                    bool at_risk_only = false) override;
  Result<std::optional<Order>> GetOrder(const OrderId& id) override;
  Result<std::vector<Order>> ListOrders(const OrderQuery& query, int limit) override;
  Result<std::optional<Return>> GetReturn(const ReturnId& id) override;
  Result<std::vector<Return>> ListReturns(const ReturnQuery& query, int limit) override;
  Result<std::optional<Inbound>> GetInbound(const InboundId& id) override;
  Result<std::vector<Inbound>> ListInbound(const InboundQuery& query, int limit) override;
  Result<std::vector<StoredEvent>> ReadEvents(int64_t after, int kind, int limit,
                                              int64_t* scanned_to, int64_t* first_scanned) override;
  Result<int64_t> OldestEvent() override;

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

  ConnectionFactory open_;
  CommitGate* gate_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Database>> idle_;
};

template <typename F>
auto Reader::WithSnapshot(F&& f) -> decltype(f(std::declval<Database&>())) {
  Result<std::unique_ptr<Lease>> lease = Acquire();
  if (!lease.ok()) return lease.status();
  Database& db = (*lease)->db();
  // One snapshot for every statement of f (PostgreSQL's READ COMMITTED would give each its
  // own; SQLite's read transaction is one already).
  Status begun = db.Prepare(db.dialect() == Dialect::kPostgres
                                ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                : "BEGIN")
                     .Run();
  if (!begun.ok()) return begun;
  auto result = f(db);
  db.ResetAll();
  (void)db.Prepare("COMMIT").Run();
  if (gate_ && !gate_->AwaitDurable(limits::kReadDurableWait)) {
    return Status::Unavailable(reason::kStorageUnavailable,
                               "storage is failing to make recent writes durable; retry");
  }
  return result;
}

}  // namespace oms::storage

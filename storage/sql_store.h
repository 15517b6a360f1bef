// SqlStore: the Store port over storage/sql.h — what every SQL engine does the same way:
// the snapshot, one savepoint per command, the rows of each change, lookups and purges. An
// engine's store (SqliteStore, PgStore) adds opening, its batch transaction and durability.
#pragma once

#include <functional>
#include <string>

#include "domain/ports.h"
#include "storage/sql.h"

namespace oms::storage {

// Turns an event into the bytes kept in events.payload (the API's message, encoded by
// services/). Storage only stores them.
using EventEncoder = std::function<std::string(const Event&)>;

class SqlStore : public Store {
 public:
  Result<Snapshot> Load() override;
  Result<std::optional<RequestRecord>> FindRequest(const std::string& request_id) override;
  Status Write(const Changes& changes, const RequestRecord* record) override;
  void Rollback() override;
  Result<std::optional<Reservation>> FindReservation(const ReservationId& id) override;
  Result<std::optional<Order>> FindOrder(const OrderId& id) override;
  Result<std::optional<Return>> FindReturn(const ReturnId& id) override;
  Result<std::vector<ReturnedUnits>> FindReturned(const std::string& source) override;
  Result<std::optional<Inbound>> FindInbound(const InboundId& id) override;
  Result<int64_t> PurgeRequests(Timestamp before, int64_t max_rows) override;
  Result<int64_t> PurgeEvents(Timestamp before, int64_t keep, int64_t max_rows) override;

 protected:
  explicit SqlStore(EventEncoder encoder) : encoder_(std::move(encoder)) {}
  // The engine's connection, open for the store's whole life.
  virtual Database& sql() = 0;
  // Where the rows of tables that nothing in a batch reads back or deletes go (events,
  // movements, stock levels; requests, which the store caches): a store may gather them and
  // send them all at once before its commit (an upsert's rows of one key: the last wins).
  virtual Statement& InsertRows(const char* insert_sql) { return sql().Prepare(insert_sql); }
  // One command's rows, without the savepoint that makes Write all or nothing.
  Status WriteAll(const Changes& changes, const RequestRecord* record);

 private:
  Status WriteReservation(const Reservation& r, const Changes& changes);
  Status WriteOrder(const Order& o, const Changes& changes);
  Status WriteReturn(const Return& r, const Changes& changes);
  Status WriteInbound(const Inbound& in, const Changes& changes);

  EventEncoder encoder_;
};

// Reads the whole snapshot in one read transaction of `db` (Store::Load).
Result<Snapshot> LoadSnapshot(Database& db);

}  // namespace oms::storage

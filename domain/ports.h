// Ports: what the domain needs from the outside world — time, ids, durable storage and a
// place to publish committed events. Adapters live in storage/ and services/, fakes in tests/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/changes.h"
#include "domain/status.h"

namespace oms {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() override;
};

// Server-chosen ids ("res_…", "ord_…") and pickup codes. Must not be guessable.
class IdSource {
 public:
  virtual ~IdSource() = default;
  virtual std::string NewId(std::string_view prefix) = 0;
  virtual std::string NewPickupCode() = 0;
};

// Everything the writer keeps in memory, read once at start and after a failed commit.
struct Snapshot {
  std::vector<Location> locations;
  std::vector<LocationGroup> groups;
  std::vector<std::pair<StockKey, StockLevel>> stock;
  std::vector<Reservation> active_reservations;
  std::vector<Order> live_orders;      // not in a final state
  std::vector<Inbound> open_inbounds;  // EXPECTED or PARTIALLY_RECEIVED, with their lines
  int64_t last_sequence = 0;
  int64_t last_movement_id = 0;
};

// The idempotency record of one request, written in the same transaction as its effect.
struct RequestRecord {
  std::string request_id;
  uint64_t payload_hash = 0;
  std::string method;
  std::string response;  // the encoded response the first call returned
  // Set when the first call failed but still had an effect (a wrong pickup code counts an
  // attempt): a retry gets this error again, and nothing more happens.
  std::optional<Status> error;
  Timestamp created_at;
};

// Durable storage as the writer drives it: one batch transaction at a time, each command's
// writes atomic within it (a savepoint), nothing visible to readers before Commit.
class Store {
 public:
  virtual ~Store() = default;
  virtual Result<Snapshot> Load() = 0;
  virtual Status Begin() = 0;
  virtual Result<std::optional<RequestRecord>> FindRequest(const std::string& request_id) = 0;
  // The batch about to be applied will look these up: a store whose lookups cost a round
  // trip each may fetch them all at once here. Called after Begin; a failure only means that
  // FindRequest asks again.
  virtual void PrefetchRequests(const std::vector<std::string>& /*request_ids*/) {}
  // Writes one command's changes (and its idempotency record, if any) all or nothing.
  virtual Status Write(const Changes& changes, const RequestRecord* record) = 0;
  // While on, Write may only queue its statements and answer ok, so that a batch costs one
  // round trip to a database server instead of one per command. A statement the database
  // refuses then fails Commit with Internal and the whole transaction rolls back. Off by
  // default. Returns whether writes are queued now (a store that writes at once: never).
  virtual bool QueueWrites(bool /*on*/) { return false; }
  virtual Status Commit() = 0;
  // Pipelined durability (the writer overlaps a batch's fsync with the next batch): commits
  // the open batch so that the next one may build on it, without waiting for the disk. Nothing
  // of it may be acknowledged or shown before a later Sync() returned ok. A store that cannot
  // split the two commits durably here and syncs nothing.
  virtual Status CommitNoSync() { return Commit(); }
  // Makes every batch committed so far durable. Called on another thread than the writer's,
  // while the writer builds the next batch; must not disturb it.
  virtual Status Sync() { return Status::Ok(); }
  virtual void Rollback() = 0;
  // A reservation that is no longer in memory (ended), as of the open batch.
  virtual Result<std::optional<Reservation>> FindReservation(const ReservationId& id) = 0;
  // An order in a final state (no longer in memory), as of the open batch, with each line's
  // returned units.
  virtual Result<std::optional<Order>> FindOrder(const OrderId& id) = 0;
  // A return (returns are never kept in memory), as of the open batch.
  virtual Result<std::optional<Return>> FindReturn(const ReturnId& id) = 0;
  // Units per SKU returned so far from one sale (an order or a reservation id, as
  // Return::source()), over all its returns, as of the open batch, by SKU; SKUs with none are
  // absent.
  virtual Result<std::vector<ReturnedUnits>> FindReturned(const std::string& source) = 0;
  // An inbound in any state (final ones are no longer in memory), as of the open batch.
  virtual Result<std::optional<Inbound>> FindInbound(const InboundId& id) = 0;
  // Forgets idempotency records older than `before`; returns how many.
  virtual Result<int64_t> PurgeRequests(Timestamp before, int64_t max_rows) = 0;
  // Drops events older than `before` or beyond the newest `keep`, at most `max_rows`; the
  // newest event is always kept so sequences continue after a restart.
  virtual Result<int64_t> PurgeEvents(Timestamp before, int64_t keep, int64_t max_rows) = 0;
};

// Receives events after the batch that wrote them committed, in sequence order.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Publish(std::vector<Event>&& events) = 0;
};

}  // namespace oms

// MemoryStore: the Store port in memory, with the same batch and per-command atomicity as
// SqliteStore, plus fault injection (failed writes, failed commits) for the engine's
// failure paths. Single-threaded, like the writer that drives it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/ports.h"

namespace oms::testing {

class MemoryStore final : public Store {
 public:
  Result<Snapshot> Load() override;
  Status Begin() override;
  Result<std::optional<RequestRecord>> FindRequest(const std::string& request_id) override;
  Status Write(const Changes& changes, const RequestRecord* record) override;
  Status Commit() override;
  void Rollback() override;
  Result<std::optional<Reservation>> FindReservation(const ReservationId& id) override;
  Result<std::optional<Order>> FindOrder(const OrderId& id) override;
  Result<std::optional<Return>> FindReturn(const ReturnId& id) override;
  Result<std::vector<ReturnedUnits>> FindReturned(const std::string& source) override;
  Result<std::optional<Inbound>> FindInbound(const InboundId& id) override;
  Result<int64_t> PurgeRequests(Timestamp before, int64_t max_rows) override;
  Result<int64_t> PurgeEvents(Timestamp before, int64_t keep, int64_t max_rows) override;

  // Fault injection, each failing with UNAVAILABLE as a failing disk would: the next commit
  // (which then commits nothing), the next Begin, the next Load, the next Find (reservation,
  // order, return or returned units), or the write after `n` more successful writes.
  void FailNextCommit() { fail_next_commit_ = true; }
  void FailNextBegin() { fail_next_begin_ = true; }
  void FailNextLoad() { fail_next_load_ = true; }
  void FailNextFind() { fail_next_find_ = true; }
  void FailWriteAfter(int n) { writes_before_failure_ = n; }

  // Committed contents, for assertions.
  struct Tables {
    std::map<std::string, Location> locations;
    std::map<std::string, LocationGroup> groups;
    std::map<std::pair<std::string, std::string>, StockLevel> stock;
    std::map<std::string, Reservation> reservations;
    std::map<std::string, Order> orders;
    std::map<std::string, Return> returns;
    std::map<std::string, Inbound> inbounds;
    std::vector<Movement> movements;
    std::vector<Event> events;
    std::map<std::string, RequestRecord> requests;
  };
  const Tables& committed() const { return committed_; }
  int commits() const { return commits_; }
  bool batch_open() const { return batch_.has_value(); }

 private:
  const Tables& Current() const { return batch_ ? *batch_ : committed_; }
  static Status Apply(Tables& t, const Changes& c, const RequestRecord* record);
  bool TakeFindFault();

  Tables committed_;
  std::optional<Tables> batch_;
  bool fail_next_commit_ = false;
  bool fail_next_begin_ = false;
  bool fail_next_load_ = false;
  bool fail_next_find_ = false;
  int writes_before_failure_ = -1;
  int commits_ = 0;
};

}  // namespace oms::testing

// A Store that passes every call to another one, so a test's wrapper overrides only the calls
// it watches, holds or fails.
#pragma once

#include "domain/ports.h"

namespace oms::testing {

// CommitNoSync and Sync keep Store's defaults (commit durably through Commit(), nothing left
// to sync): a wrapper that overrides Commit() sees every commit, pipelined or not. A wrapper
// of a pipelined store overrides both to forward them.
class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  Result<Snapshot> Load() override { return inner_.Load(); }
  Status Begin() override { return inner_.Begin(); }
  Result<std::optional<RequestRecord>> FindRequest(const std::string& id) override {
    return inner_.FindRequest(id);
  }
  Status Write(const Changes& c, const RequestRecord* r) override { return inner_.Write(c, r); }
  bool QueueWrites(bool on) override { return inner_.QueueWrites(on); }
  Status Commit() override { return inner_.Commit(); }
  void Rollback() override { inner_.Rollback(); }
  Result<std::optional<Reservation>> FindReservation(const ReservationId& id) override {
    return inner_.FindReservation(id);
  }
  Result<std::optional<Order>> FindOrder(const OrderId& id) override {
    return inner_.FindOrder(id);
  }
  Result<std::optional<Return>> FindReturn(const ReturnId& id) override {
    return inner_.FindReturn(id);
  }
  Result<std::vector<ReturnedUnits>> FindReturned(const std::string& source) override {
    return inner_.FindReturned(source);
  }
  Result<std::optional<Inbound>> FindInbound(const InboundId& id) override {
    return inner_.FindInbound(id);
  }
  Result<int64_t> PurgeRequests(Timestamp before, int64_t max_rows) override {
    return inner_.PurgeRequests(before, max_rows);
  }
  Result<int64_t> PurgeEvents(Timestamp before, int64_t keep, int64_t max_rows) override {
    return inner_.PurgeEvents(before, keep, max_rows);
  }

 protected:
  Store& inner_;
};

}  // namespace oms::testing

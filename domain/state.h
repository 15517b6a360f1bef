// The in-memory state. SharedView holds what is committed (stock, locations, groups) and is
// read concurrently under a shared lock; WriterState is the writer's private layer on top of
// it: the batch's staged rows (published only after the commit), active reservations and the
// counters for sequences and movement ids.
#pragma once

#include <map>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "domain/changes.h"
#include "domain/limits.h"
#include "domain/ports.h"

namespace oms {

// One arrival of future supply at a stock key: an open inbound's line, not overdue, with
// units still to come.
struct FutureSupply {
  Timestamp at;          // the inbound's expected_at
  Timestamp overdue_at;  // at + the inbound grace: from then on it counts no more
  InboundId inbound;
  int64_t remaining = 0;  // expected - received
  int64_t free = 0;       // remaining - promised: what future ATP may still count

  bool operator==(const FutureSupply&) const = default;
};

struct CommittedData {
  std::unordered_map<StockKey, StockLevel, StockKeyHash> stock;
  std::unordered_map<LocationId, Location> locations;
  std::unordered_map<GroupId, LocationGroup> groups;
  // Future supply per key, by (at, inbound); keys without any are absent.
  std::unordered_map<StockKey, std::vector<FutureSupply>, StockKeyHash> future;
};

// Committed state for readers. Nothing uncommitted is ever written here.
class SharedView {
 public:
  // Runs f(const CommittedData&) under the shared lock; keep f short.
  template <typename F>
  auto Read(F&& f) const {
    std::shared_lock lock(mu_);
    return f(static_cast<const CommittedData&>(data_));
  }

 private:
  friend class WriterState;
  mutable std::shared_mutex mu_;
  CommittedData data_;
};

class WriterState {
 public:
  explicit WriterState(SharedView& view) : view_(view) {}

  // How long after expected_at an open inbound turns overdue (--inbound-grace).
  void set_inbound_grace(Duration grace) { grace_ = grace; }
  Duration inbound_grace() const { return grace_; }

  // Replaces everything with a freshly loaded snapshot (start, or after a failed commit).
  void Reset(Snapshot snapshot);

  const StockLevel* FindStock(const StockKey& key) const;
  const Location* FindLocation(const LocationId& id) const;
  const LocationGroup* FindGroup(const GroupId& id) const;
  const Reservation* FindActiveReservation(const ReservationId& id) const;
  const Order* FindLiveOrder(const OrderId& id) const;
  const Inbound* FindOpenInbound(const InboundId& id) const;
  // Open, not overdue inbounds with units still to come at `key`, by (expected_at, id).
  const std::set<std::pair<Timestamp, InboundId>>* SupplyAt(const StockKey& key) const;
  // Active reservations with a future hold pegged to `id`, oldest (created_at, id) first.
  const std::set<std::pair<Timestamp, ReservationId>>* PegsOf(const InboundId& id) const;
  // Active reservations with a line at risk at `key`, oldest (created_at, id) first.
  const std::set<std::pair<Timestamp, ReservationId>>* AtRiskAt(const StockKey& key) const;

  // Applies a command's written changes: stock/locations/groups into the batch overlay,
  // reservations into the active set, counters advanced.
  void Apply(const Changes& changes);
  // Makes the batch overlay visible to readers; call only after the commit succeeded (and is
  // durable). Seal() then PublishSealed().
  void Publish();
  // Pipelined durability: Seal() sets the committed batch's overlay aside (the writer still
  // reads through it) so the next batch stages over it; PublishSealed() shows it to readers
  // once its fsync returned. At most one batch is sealed at a time.
  void Seal();
  void PublishSealed();
  bool has_sealed() const { return sealed_.any; }

  int64_t last_sequence() const { return last_sequence_; }
  int64_t last_movement_id() const { return last_movement_id_; }
  size_t active_reservations() const { return active_.size(); }
  size_t live_orders() const { return live_orders_.size(); }
  size_t open_inbounds() const { return open_inbounds_.size(); }
  // Active reservations by expiry; the engine's sweep reads the front.
  const std::set<std::pair<Timestamp, ReservationId>>& expiry_index() const { return expiry_; }
  // Ready orders by pickup deadline.
  const std::set<std::pair<Timestamp, OrderId>>& deadline_index() const { return deadlines_; }
  // Open inbounds not yet overdue, by the moment they turn overdue (expected_at + grace).
  const std::set<std::pair<Timestamp, InboundId>>& overdue_index() const { return overdue_; }

 private:
  void TrackActive(const Reservation& r);
  void UntrackActive(const ReservationId& id);
  void TrackOrder(const Order& o);
  void UntrackOrder(const OrderId& id);
  void TrackInbound(const Inbound& in);
  void UntrackInbound(const InboundId& id);
  // Recomputes the published future supply of `key` into the staged overlay.
  void StageFuture(const StockKey& key);

  SharedView& view_;
  // Rows changed by the open batch; readers see them only after Publish().
  std::unordered_map<StockKey, StockLevel, StockKeyHash> staged_stock_;
  std::unordered_map<LocationId, Location> staged_locations_;
  std::unordered_map<GroupId, LocationGroup> staged_groups_;
  // The overlay of a committed batch whose fsync is in flight: between staged_* and the view.
  struct Sealed {
    bool any = false;
    std::unordered_map<StockKey, StockLevel, StockKeyHash> stock;
    std::unordered_map<LocationId, Location> locations;
    std::unordered_map<GroupId, LocationGroup> groups;
    std::unordered_map<StockKey, std::vector<FutureSupply>, StockKeyHash> future;
  };
  Sealed sealed_;
  std::unordered_map<ReservationId, Reservation> active_;
  std::set<std::pair<Timestamp, ReservationId>> expiry_;
  std::unordered_map<OrderId, Order> live_orders_;
  std::set<std::pair<Timestamp, OrderId>> deadlines_;
  std::unordered_map<InboundId, Inbound> open_inbounds_;
  std::set<std::pair<Timestamp, InboundId>> overdue_;
  std::unordered_map<StockKey, std::set<std::pair<Timestamp, InboundId>>, StockKeyHash> supply_;
  std::unordered_map<InboundId, std::set<std::pair<Timestamp, ReservationId>>> pegs_;
  std::unordered_map<StockKey, std::set<std::pair<Timestamp, ReservationId>>, StockKeyHash>
      at_risk_;
  // Future supply recomputed by the open batch (an empty vector: none left at that key).
  std::unordered_map<StockKey, std::vector<FutureSupply>, StockKeyHash> staged_future_;
  Duration grace_ = limits::kDefaultInboundGrace;
  int64_t last_sequence_ = 0;
  int64_t last_movement_id_ = 0;
};

}  // namespace oms

// WriterState: staging a batch over the committed view, and publishing it.
#include "domain/state.h"

#include <mutex>
#include <unordered_set>

#include "domain/assert.h"

namespace oms {

void WriterState::Reset(Snapshot snapshot) {
  CommittedData data;
  data.stock.reserve(snapshot.stock.size());
  for (auto& [key, level] : snapshot.stock) data.stock.emplace(std::move(key), level);
  for (auto& l : snapshot.locations) data.locations.emplace(l.id, std::move(l));
  for (auto& g : snapshot.groups) data.groups.emplace(g.id, std::move(g));
  {
    std::unique_lock lock(view_.mu_);
    view_.data_ = std::move(data);
  }
  staged_stock_.clear();
  staged_locations_.clear();
  staged_groups_.clear();
  sealed_ = Sealed{};
  active_.clear();
  expiry_.clear();
  pegs_.clear();
  at_risk_.clear();
  for (auto& r : snapshot.active_reservations) TrackActive(r);
  live_orders_.clear();
  deadlines_.clear();
  for (auto& o : snapshot.live_orders) TrackOrder(o);
  open_inbounds_.clear();
  overdue_.clear();
  supply_.clear();
  staged_future_.clear();
  for (auto& in : snapshot.open_inbounds) TrackInbound(in);
  {
    // The published future supply, rebuilt whole from the loaded inbounds.
    std::unordered_set<StockKey, StockKeyHash> keys;
    for (const auto& [key, ids] : supply_) keys.insert(key);
    for (const auto& key : keys) StageFuture(key);
    std::unique_lock lock(view_.mu_);
    for (auto& [key, supply] : staged_future_) view_.data_.future.emplace(key, std::move(supply));
  }
  staged_future_.clear();
  last_sequence_ = snapshot.last_sequence;
  last_movement_id_ = snapshot.last_movement_id;
}

// The writer is the only thread that mutates view_.data_, so it reads it without the lock.
const StockLevel* WriterState::FindStock(const StockKey& key) const {
  if (auto it = staged_stock_.find(key); it != staged_stock_.end()) return &it->second;
  if (sealed_.any) {
    if (auto it = sealed_.stock.find(key); it != sealed_.stock.end()) return &it->second;
  }
  auto it = view_.data_.stock.find(key);
  return it == view_.data_.stock.end() ? nullptr : &it->second;
}

const Location* WriterState::FindLocation(const LocationId& id) const {
  if (auto it = staged_locations_.find(id); it != staged_locations_.end()) return &it->second;
  if (auto it = sealed_.locations.find(id); it != sealed_.locations.end()) return &it->second;
  auto it = view_.data_.locations.find(id);
  return it == view_.data_.locations.end() ? nullptr : &it->second;
}

const LocationGroup* WriterState::FindGroup(const GroupId& id) const {
  if (auto it = staged_groups_.find(id); it != staged_groups_.end()) return &it->second;
  if (auto it = sealed_.groups.find(id); it != sealed_.groups.end()) return &it->second;
  auto it = view_.data_.groups.find(id);
  return it == view_.data_.groups.end() ? nullptr : &it->second;
}

const Reservation* WriterState::FindActiveReservation(const ReservationId& id) const {
  auto it = active_.find(id);
  return it == active_.end() ? nullptr : &it->second;
}

const Order* WriterState::FindLiveOrder(const OrderId& id) const {
  auto it = live_orders_.find(id);
  return it == live_orders_.end() ? nullptr : &it->second;
}

const Inbound* WriterState::FindOpenInbound(const InboundId& id) const {
  auto it = open_inbounds_.find(id);
  return it == open_inbounds_.end() ? nullptr : &it->second;
}

const std::set<std::pair<Timestamp, InboundId>>* WriterState::SupplyAt(const StockKey& key) const {
  auto it = supply_.find(key);
  return it == supply_.end() ? nullptr : &it->second;
}

const std::set<std::pair<Timestamp, ReservationId>>* WriterState::AtRiskAt(
    const StockKey& key) const {
  auto it = at_risk_.find(key);
  return it == at_risk_.end() ? nullptr : &it->second;
}

const std::set<std::pair<Timestamp, ReservationId>>* WriterState::PegsOf(
    const InboundId& id) const {
  auto it = pegs_.find(id);
  return it == pegs_.end() ? nullptr : &it->second;
}

void WriterState::TrackInbound(const Inbound& in) {
  if (!in.open()) return;
  if (!in.overdue) {
    overdue_.emplace(in.expected_at + grace_, in.id);
    for (const auto& line : in.lines) {
      if (line.remaining() > 0) supply_[{line.sku, in.location}].emplace(in.expected_at, in.id);
    }
  }
  open_inbounds_.insert_or_assign(in.id, in);
}

void WriterState::UntrackInbound(const InboundId& id) {
  auto it = open_inbounds_.find(id);
  if (it == open_inbounds_.end()) return;
  const Inbound& in = it->second;
  overdue_.erase({in.expected_at + grace_, id});
  for (const auto& line : in.lines) {
    StockKey key{line.sku, in.location};
    auto s = supply_.find(key);
    if (s == supply_.end()) continue;
    s->second.erase({in.expected_at, id});
    if (s->second.empty()) supply_.erase(s);
  }
  open_inbounds_.erase(it);
}

void WriterState::StageFuture(const StockKey& key) {
  std::vector<FutureSupply>& out = staged_future_[key];
  out.clear();
  const auto* ids = SupplyAt(key);
  if (!ids) return;
  for (const auto& [at, id] : *ids) {
    const Inbound& in = open_inbounds_.at(id);
    const InboundLine* line = in.Line(key.sku);
    out.push_back({at, at + grace_, id, line->remaining(), line->remaining() - line->promised});
  }
}

void WriterState::TrackOrder(const Order& o) {
  if (o.state == OrderState::kReadyForPickup && o.pickup_deadline) {
    deadlines_.emplace(*o.pickup_deadline, o.id);
  }
  live_orders_.insert_or_assign(o.id, o);
}

void WriterState::UntrackOrder(const OrderId& id) {
  auto it = live_orders_.find(id);
  if (it == live_orders_.end()) return;
  if (it->second.pickup_deadline) deadlines_.erase({*it->second.pickup_deadline, id});
  live_orders_.erase(it);
}

void WriterState::TrackActive(const Reservation& r) {
  if (r.order_id.empty()) expiry_.emplace(r.expires_at, r.id);
  for (const auto& line : r.lines) {
    if (!line.inbound.empty()) pegs_[line.inbound].emplace(r.created_at, r.id);
    if (line.at_risk) at_risk_[{line.sku, line.location}].emplace(r.created_at, r.id);
  }
  active_.insert_or_assign(r.id, r);
}

void WriterState::UntrackActive(const ReservationId& id) {
  auto it = active_.find(id);
  if (it == active_.end()) return;
  const Reservation& r = it->second;
  expiry_.erase({r.expires_at, id});
  for (const auto& line : r.lines) {
    if (line.at_risk) {
      auto a = at_risk_.find({line.sku, line.location});
      if (a != at_risk_.end()) {
        a->second.erase({r.created_at, id});
        if (a->second.empty()) at_risk_.erase(a);
      }
    }
    if (line.inbound.empty()) continue;
    auto p = pegs_.find(line.inbound);
    if (p == pegs_.end()) continue;
    p->second.erase({r.created_at, id});
    if (p->second.empty()) pegs_.erase(p);
  }
  active_.erase(it);
}

void WriterState::Apply(const Changes& changes) {
  for (const auto& [key, level] : changes.stock) staged_stock_.insert_or_assign(key, level);
  for (const auto& l : changes.locations) staged_locations_.insert_or_assign(l.id, l);
  for (const auto& g : changes.groups) staged_groups_.insert_or_assign(g.id, g);
  for (const auto& r : changes.reservations) {
    UntrackActive(r.id);
    if (r.active()) TrackActive(r);
  }
  for (const auto& o : changes.orders) {
    UntrackOrder(o.id);
    if (!IsFinal(o.state)) TrackOrder(o);
  }
  std::unordered_set<StockKey, StockKeyHash> future_keys;
  for (const auto& in : changes.inbounds) {
    if (const Inbound* old = FindOpenInbound(in.id)) {
      for (const auto& line : old->lines) future_keys.insert({line.sku, old->location});
    }
    UntrackInbound(in.id);
    TrackInbound(in);
    for (const auto& line : in.lines) future_keys.insert({line.sku, in.location});
  }
  for (const auto& key : future_keys) StageFuture(key);
  for (const auto& m : changes.movements) last_movement_id_ = std::max(last_movement_id_, m.id);
  for (const auto& e : changes.events) last_sequence_ = std::max(last_sequence_, e.sequence);
}

void WriterState::Publish() {
  Seal();
  PublishSealed();
}

void WriterState::Seal() {
  OMS_ASSERT(!sealed_.any);
  if (staged_stock_.empty() && staged_locations_.empty() && staged_groups_.empty() &&
      staged_future_.empty()) {
    return;
  }
  sealed_.any = true;
  sealed_.stock = std::move(staged_stock_);
  sealed_.locations = std::move(staged_locations_);
  sealed_.groups = std::move(staged_groups_);
  sealed_.future = std::move(staged_future_);
  staged_stock_.clear();
  staged_locations_.clear();
  staged_groups_.clear();
  staged_future_.clear();
}

void WriterState::PublishSealed() {
  if (!sealed_.any) return;
  std::unique_lock lock(view_.mu_);
  for (auto& [key, level] : sealed_.stock) view_.data_.stock.insert_or_assign(key, level);
  for (auto& [key, supply] : sealed_.future) {
    if (supply.empty()) {
      view_.data_.future.erase(key);
    } else {
      view_.data_.future.insert_or_assign(key, std::move(supply));
    }
  }
  for (auto& [id, l] : sealed_.locations) view_.data_.locations.insert_or_assign(id, std::move(l));
  for (auto& [id, g] : sealed_.groups) view_.data_.groups.insert_or_assign(id, std::move(g));
  lock.unlock();
  sealed_ = Sealed{};
}

}  // namespace oms

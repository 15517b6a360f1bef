// WriterState: staging a batch over the committed view, and publishing it.
#include "domain/state.h"

#include <mutex>

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
  active_.clear();
  expiry_.clear();
  for (auto& r : snapshot.active_reservations) TrackActive(r);
  live_orders_.clear();
  deadlines_.clear();
  for (auto& o : snapshot.live_orders) TrackOrder(o);
  last_sequence_ = snapshot.last_sequence;
  last_movement_id_ = snapshot.last_movement_id;
}

// The writer is the only thread that mutates view_.data_, so it reads it without the lock.
const StockLevel* WriterState::FindStock(const StockKey& key) const {
  if (auto it = staged_stock_.find(key); it != staged_stock_.end()) return &it->second;
  auto it = view_.data_.stock.find(key);
  return it == view_.data_.stock.end() ? nullptr : &it->second;
}

const Location* WriterState::FindLocation(const LocationId& id) const {
  if (auto it = staged_locations_.find(id); it != staged_locations_.end()) return &it->second;
  auto it = view_.data_.locations.find(id);
  return it == view_.data_.locations.end() ? nullptr : &it->second;
}

const LocationGroup* WriterState::FindGroup(const GroupId& id) const {
  if (auto it = staged_groups_.find(id); it != staged_groups_.end()) return &it->second;
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
  active_.insert_or_assign(r.id, r);
}

void WriterState::UntrackActive(const ReservationId& id) {
  auto it = active_.find(id);
  if (it == active_.end()) return;
  expiry_.erase({it->second.expires_at, id});
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
  for (const auto& m : changes.movements) last_movement_id_ = std::max(last_movement_id_, m.id);
  for (const auto& e : changes.events) last_sequence_ = std::max(last_sequence_, e.sequence);
}

void WriterState::Publish() {
  if (staged_stock_.empty() && staged_locations_.empty() && staged_groups_.empty()) return;
  std::unique_lock lock(view_.mu_);
  for (auto& [key, level] : staged_stock_) view_.data_.stock.insert_or_assign(key, level);
  for (auto& [id, l] : staged_locations_) view_.data_.locations.insert_or_assign(id, std::move(l));
  for (auto& [id, g] : staged_groups_) view_.data_.groups.insert_or_assign(id, std::move(g));
  lock.unlock();
  staged_stock_.clear();
  staged_locations_.clear();
  staged_groups_.clear();
}

}  // namespace oms

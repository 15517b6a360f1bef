// Draft: staging one command's writes.
#include "domain/draft.h"

namespace oms {

Draft::Draft(const WriterState& state, Timestamp now, const CommandContext& context)
    : state_(state),
      now_(now),
      context_(context),
      next_movement_id_(state.last_movement_id() + 1) {}

StockLevel Draft::Stock(const StockKey& key) const {
  if (auto it = stock_.find(key); it != stock_.end()) return it->second;
  const StockLevel* level = state_.FindStock(key);
  return level ? *level : StockLevel{};
}

StockLevel& Draft::MutableStock(const StockKey& key) {
  auto it = stock_.find(key);
  if (it != stock_.end()) return it->second;
  stock_order_.push_back(key);
  return stock_.emplace(key, Stock(key)).first->second;
}

StockLevel Draft::Final(const StockKey& key) const {
  StockLevel level = Stock(key);
  if (stock_.count(key)) {
    level.version += 1;
    level.updated_at = now_;
  }
  return level;
}

const Movement& Draft::Move(const StockKey& key, int64_t delta, MovementReason reason,
                            std::string reference) {
  StockLevel& level = MutableStock(key);
  level.on_hand += delta;
  Movement m;
  m.id = next_movement_id_++;
  m.sku = key.sku;
  m.location = key.location;
  m.delta = delta;
  m.on_hand_after = level.on_hand;
  m.reason = reason;
  m.reference = std::move(reference);
  m.request_id = context_.request_id;
  m.actor = context_.actor;
  m.created_at = now_;
  changes_.movements.push_back(std::move(m));
  return changes_.movements.back();
}

const Location* Draft::FindLocation(const LocationId& id) const {
  for (const auto& l : changes_.locations) {
    if (l.id == id) return &l;
  }
  return state_.FindLocation(id);
}

const Location& Draft::PutLocation(Location location) {
  location.updated_at = now_;
  Event e;
  e.kind = EventKind::kLocation;
  e.location = location.id;
  changes_.events.push_back(std::move(e));
  return changes_.locations.emplace_back(std::move(location));
}

const LocationGroup& Draft::PutGroup(LocationGroup group) {
  group.updated_at = now_;
  return changes_.groups.emplace_back(std::move(group));
}

const Reservation* Draft::FindReservation(const ReservationId& id) const {
  if (auto it = reservation_index_.find(id); it != reservation_index_.end()) {
    return &changes_.reservations[it->second];
  }
  return state_.FindActiveReservation(id);
}

const Reservation& Draft::PutReservation(Reservation reservation) {
  reservation.updated_at = now_;
  auto [it, added] = reservation_index_.try_emplace(reservation.id, changes_.reservations.size());
  if (added) return changes_.reservations.emplace_back(std::move(reservation));
  return changes_.reservations[it->second] = std::move(reservation);
}

const Order* Draft::FindOrder(const OrderId& id) const {
  if (auto it = order_index_.find(id); it != order_index_.end())
    return &changes_.orders[it->second];
  return state_.FindLiveOrder(id);
}

const Order& Draft::PutOrder(Order order) {
  order.updated_at = now_;
  auto [it, added] = order_index_.try_emplace(order.id, changes_.orders.size());
  if (added) return changes_.orders.emplace_back(std::move(order));
  return changes_.orders[it->second] = std::move(order);
}

const Return& Draft::PutReturn(Return ret, size_t stored_history) {
  ret.updated_at = now_;
  if (stored_history > 0) changes_.stored_return_history[ret.id] = stored_history;
  for (auto& staged : changes_.returns) {
    if (staged.id == ret.id) return staged = std::move(ret);
  }
  return changes_.returns.emplace_back(std::move(ret));
}

void Draft::AddEvent(Event event) { changes_.events.push_back(std::move(event)); }

Changes Draft::Finish() {
  for (const auto& key : stock_order_) {
    StockLevel level = Final(key);
    Event e;
    e.kind = EventKind::kAvailability;
    e.sku = key.sku;
    e.location = key.location;
    e.availability = {key, level};
    changes_.events.push_back(std::move(e));
    changes_.stock.emplace_back(key, level);
  }
  int64_t sequence = state_.last_sequence();
  for (auto& e : changes_.events) {
    e.sequence = ++sequence;
    e.time = now_;
  }
  // The writer's state holds every active reservation and live order exactly as stored.
  for (const auto& r : changes_.reservations) {
    const Reservation* stored = state_.FindActiveReservation(r.id);
    if (!stored) {
      changes_.new_reservations.insert(r.id);
    } else if (stored->lines != r.lines) {
      changes_.relined_reservations.insert(r.id);
    }
  }
  for (const auto& o : changes_.orders) {
    const Order* stored = state_.FindLiveOrder(o.id);
    if (!stored || stored->lines != o.lines) changes_.relined_orders.insert(o.id);
    if (stored) changes_.stored_history.emplace(o.id, stored->history.size());
  }
  return std::move(changes_);
}

}  // namespace oms

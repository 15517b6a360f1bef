// Draft: staging one command's writes.
#include "domain/draft.h"

#include <algorithm>

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
  // A location event names the group as its subject: followers reload locations on it.
  Event e;
  e.kind = EventKind::kLocation;
  e.subject = group.id.str();
  changes_.events.push_back(std::move(e));
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

const Inbound* Draft::FindInbound(const InboundId& id) const {
  for (const auto& staged : changes_.inbounds) {
    if (staged.id == id) return &staged;
  }
  return state_.FindOpenInbound(id);
}

const Inbound& Draft::PutInbound(Inbound inbound) {
  inbound.updated_at = now_;
  // Only the SKUs whose supply this changes get an event (a PO has many lines).
  const Inbound* before = FindInbound(inbound.id);
  bool whole = !before || before->expected_at != inbound.expected_at ||
               before->state != inbound.state || before->overdue != inbound.overdue;
  for (size_t i = 0; i < inbound.lines.size(); ++i) {
    const InboundLine& line = inbound.lines[i];
    if (whole || i >= before->lines.size() || before->lines[i] != line) {
      TouchSupply({line.sku, inbound.location});
    }
  }
  for (auto& staged : changes_.inbounds) {
    if (staged.id == inbound.id) return staged = std::move(inbound);
  }
  return changes_.inbounds.emplace_back(std::move(inbound));
}

void Draft::TouchSupply(const StockKey& key) {
  if (std::find(supply_order_.begin(), supply_order_.end(), key) == supply_order_.end()) {
    supply_order_.push_back(key);
  }
}

void Draft::AddEvent(Event event) { changes_.events.push_back(std::move(event)); }

Changes Draft::Finish() {
  auto future = [&](const StockKey& key) {
    return std::find(supply_order_.begin(), supply_order_.end(), key) != supply_order_.end();
  };
  auto emit = [&](const StockKey& key, const StockLevel& level, bool changed_future) {
    Event e;
    e.kind = EventKind::kAvailability;
    e.sku = key.sku;
    e.location = key.location;
    e.availability = {key, level, changed_future};
    changes_.events.push_back(std::move(e));
  };
  for (const auto& key : stock_order_) {
    StockLevel level = Final(key);
    emit(key, level, future(key));
    changes_.stock.emplace_back(key, level);
  }
  for (const auto& key : supply_order_) {
    if (!stock_.count(key)) emit(key, Stock(key), true);
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
  for (const auto& in : changes_.inbounds) {
    // Commands change open inbounds only (in memory) or create new ones.
    const Inbound* stored = state_.FindOpenInbound(in.id);
    if (!stored) continue;
    std::vector<size_t>& lines = changes_.changed_inbound_lines[in.id];
    for (size_t i = 0; i < in.lines.size(); ++i) {
      if (i >= stored->lines.size() || stored->lines[i] != in.lines[i]) lines.push_back(i);
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

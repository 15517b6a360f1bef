// Changes: everything one command writes, as final row values. Storage writes exactly these
// rows inside the command's savepoint; the writer's state applies exactly the same values, so
// the database and memory cannot drift apart.
#pragma once

#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "domain/event.h"
#include "domain/location.h"
#include "domain/order.h"
#include "domain/reservation.h"
#include "domain/return.h"
#include "domain/stock.h"

namespace oms {

struct Changes {
  std::vector<std::pair<StockKey, StockLevel>> stock;  // upserts
  std::vector<Movement> movements;                     // appends
  std::vector<Location> locations;                     // upserts
  std::vector<LocationGroup> groups;                   // upserts (members replaced)
  std::vector<Reservation> reservations;               // upserts (+ lines, see below)
  std::vector<Order> orders;                           // upserts (+ lines and new history)
  std::vector<Return> returns;                         // upserts (+ lines, new history)
  std::vector<Event> events;                           // appends

  // Storage bookkeeping: the child rows a store writes besides the reservation and order rows.
  // Draft::Finish derives it from the writer's state before the command.
  std::unordered_set<ReservationId> new_reservations;          // insert their lines
  std::unordered_set<ReservationId> relined_reservations;      // replace their lines
  std::unordered_set<OrderId> relined_orders;                  // new or short-picked: write lines
  std::unordered_map<OrderId, size_t> stored_history;          // entries already stored (absent: 0)
  std::unordered_map<ReturnId, size_t> stored_return_history;  // likewise, for returns

  bool IsNew(const Reservation& r) const { return new_reservations.count(r.id) > 0; }
  bool LinesChanged(const Reservation& r) const { return relined_reservations.count(r.id) > 0; }
  bool WritesLines(const Order& o) const { return relined_orders.count(o.id) > 0; }
  size_t StoredHistory(const Order& o) const {
    auto it = stored_history.find(o.id);
    return it == stored_history.end() ? 0 : it->second;
  }
  bool IsNew(const Return& r) const { return StoredHistory(r) == 0; }
  size_t StoredHistory(const Return& r) const {
    auto it = stored_return_history.find(r.id);
    return it == stored_return_history.end() ? 0 : it->second;
  }

  bool empty() const {
    return stock.empty() && movements.empty() && locations.empty() && groups.empty() &&
           reservations.empty() && orders.empty() && returns.empty() && events.empty();
  }
};

}  // namespace oms

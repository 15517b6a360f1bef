// Changes: everything one command writes, as final row values. Storage writes exactly these
// rows inside the command's savepoint; the writer's state applies exactly the same values, so
// the database and memory cannot drift apart.
#pragma once

#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "domain/event.h"
#include "domain/inbound.h"
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
  std::vector<Inbound> inbounds;                       // upserts (+ lines replaced)
  std::vector<Event> events;                           // appends

  // Storage bookkeeping: the child rows a store writes besides the reservation and order rows.
  // Draft::Finish derives it from the writer's state before the command.
  std::unordered_set<ReservationId> new_reservations;          // insert their lines
  std::unordered_set<ReservationId> relined_reservations;      // replace their lines
  std::unordered_set<OrderId> relined_orders;                  // new or short-picked: write lines
  std::unordered_map<OrderId, size_t> stored_history;          // entries already stored (absent: 0)
  std::unordered_map<ReturnId, size_t> stored_return_history;  // likewise, for returns
  // Inbounds already stored: the indexes of their lines to write (lines are never removed).
  // Absent: a new inbound, every line is written.
  std::unordered_map<InboundId, std::vector<size_t>> changed_inbound_lines;

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

  bool IsNew(const Inbound& in) const { return changed_inbound_lines.count(in.id) == 0; }
  // The lines of `in` to write: every line of a new inbound, else those that changed.
  std::vector<size_t> LinesToWrite(const Inbound& in) const {
    auto it = changed_inbound_lines.find(in.id);
    if (it != changed_inbound_lines.end()) return it->second;
    std::vector<size_t> all(in.lines.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
  }

  bool empty() const {
    return stock.empty() && movements.empty() && locations.empty() && groups.empty() &&
           reservations.empty() && orders.empty() && returns.empty() && inbounds.empty() &&
           events.empty();
  }
};

}  // namespace oms

// Changes: everything one command writes, as final row values. Storage writes exactly these
// rows inside the command's savepoint; the writer's state applies exactly the same values, so
// the database and memory cannot drift apart.
#pragma once

#include <utility>
#include <vector>

#include "domain/event.h"
#include "domain/location.h"
#include "domain/order.h"
#include "domain/reservation.h"
#include "domain/stock.h"

namespace oms {

struct Changes {
  std::vector<std::pair<StockKey, StockLevel>> stock;  // upserts
  std::vector<Movement> movements;                     // appends
  std::vector<Location> locations;                     // upserts
  std::vector<LocationGroup> groups;                   // upserts (members replaced)
  std::vector<Reservation> reservations;               // upserts (lines written on insert)
  std::vector<Order> orders;                           // upserts (+ new history entries)
  std::vector<Event> events;                           // appends

  bool empty() const {
    return stock.empty() && movements.empty() && locations.empty() && groups.empty() &&
           reservations.empty() && orders.empty() && events.empty();
  }
};

}  // namespace oms

// Events: what changed, appended to the outbox in the same transaction as the change, in one
// gap-free sequence. Watch streams replay them after their last seen sequence.
#pragma once

#include <cstdint>
#include <variant>

#include "domain/location.h"
#include "domain/order.h"
#include "domain/reservation.h"
#include "domain/stock.h"

namespace oms {

enum class EventKind { kAvailability = 1, kLocation = 2, kReservation = 3, kOrder = 4 };

struct AvailabilityChanged {
  StockKey key;
  StockLevel level;
  // The key's future supply changed too (an inbound expected, moved, cancelled, received or
  // overdue, or units of it promised or freed): its GetFutureAvailability answer is new.
  bool future = false;
};

struct LocationChanged {
  LocationId location;
};

struct Event {
  int64_t sequence = 0;  // assigned when the command's changes are staged
  Timestamp time;
  EventKind kind = EventKind::kAvailability;
  // Keys the streams filter on; empty when they do not apply.
  Sku sku;
  LocationId location;
  std::string subject;   // reservation or order id
  std::string customer;  // order events
  AvailabilityChanged availability;
  // kReservation: the reservation after the change, and its state before.
  Reservation reservation;
  ReservationState previous_state = ReservationState::kActive;
  // kOrder: the order after the change, and its state before (equal when placed).
  Order order;
  OrderState previous_order_state = OrderState::kPlaced;
  // kOrder: set when units of the order came back (the order's lines show `returned`).
  ReturnId return_id;
};

}  // namespace oms

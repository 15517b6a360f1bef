// Reservations: units held for a checkout, a POS basket or a pickup order until they are
// sold (COMMITTED), given back (RELEASED) or time out (EXPIRED). Each end state is final.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/types.h"

namespace oms {

enum class ReservationState { kActive = 1, kCommitted = 2, kReleased = 3, kExpired = 4 };

const char* ReservationStateName(ReservationState state);

struct ReservationLine {
  Sku sku;
  LocationId location;
  int64_t quantity = 0;

  bool operator==(const ReservationLine&) const = default;
};

struct Reservation {
  ReservationId id;
  ReservationState state = ReservationState::kActive;
  Channel channel = Channel::kOnline;
  std::string reference;
  std::vector<ReservationLine> lines;  // one per (sku, location), quantities summed
  Timestamp created_at;
  Timestamp updated_at;
  Timestamp expires_at;  // meaningless while held by an order
  OrderId order_id;      // non-empty: held by a pickup order, which decides its end
  std::string end_reason;

  bool active() const { return state == ReservationState::kActive; }
  // An ACTIVE reservation past its expiry is expired for every purpose, even before the
  // writer's sweep has recorded it.
  bool OverdueAt(Timestamp now) const { return active() && order_id.empty() && expires_at <= now; }
};

}  // namespace oms

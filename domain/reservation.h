// Reservations: units held for a checkout, a POS basket or a pickup order until they are
// sold (COMMITTED), given back (RELEASED) or time out (EXPIRED). Each end state is final.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/types.h"

namespace oms {

enum class ReservationState { kActive = 1, kCommitted = 2, kReleased = 3, kExpired = 4 };

const char* ReservationStateName(ReservationState state);

// A present hold (counted in the location's `reserved`), or a preorder's future hold:
// pegged to an inbound (counted in that inbound line's `promised`, never in `reserved`), or at
// risk (its inbound fell through and no other fits: it holds nothing until released).
struct ReservationLine {
  Sku sku;
  LocationId location;
  int64_t quantity = 0;
  InboundId inbound;      // set: a future hold pegged to this inbound
  Timestamp promised_at;  // future holds: the expected_at promised (epoch: a present hold)
  bool at_risk = false;   // a future hold that lost its inbound

  bool future() const { return !inbound.empty() || at_risk; }
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
  // A preorder: lines that current ATP could not cover are held against inbound supply
  // expected by this moment.
  std::optional<Timestamp> promise_by;

  bool active() const { return state == ReservationState::kActive; }
  bool HasFutureLines() const {
    for (const auto& l : lines) {
      if (l.future()) return true;
    }
    return false;
  }
  bool AtRisk() const {
    for (const auto& l : lines) {
      if (l.at_risk) return true;
    }
    return false;
  }
  // An ACTIVE reservation past its expiry is expired for every purpose, even before the
  // writer's sweep has recorded it.
  bool OverdueAt(Timestamp now) const { return active() && order_id.empty() && expires_at <= now; }
};

}  // namespace oms

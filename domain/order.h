// Pickup orders (buy online, pick up in store): PLACED -> PICKING -> READY_FOR_PICKUP ->
// PICKED_UP, or CANCELLED, or EXPIRED when not collected by the pickup deadline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/types.h"

namespace oms {

enum class OrderState {
  kPlaced = 1,
  kPicking = 2,
  kReadyForPickup = 3,
  kPickedUp = 4,
  kCancelled = 5,
  kExpired = 6,
};

const char* OrderStateName(OrderState state);

inline bool IsFinal(OrderState s) {
  return s == OrderState::kPickedUp || s == OrderState::kCancelled || s == OrderState::kExpired;
}

struct OrderLine {
  Sku sku;
  int64_t quantity = 0;          // now (after a short pick)
  int64_t ordered_quantity = 0;  // as placed
  // Units of this line brought back by returns so far (storage derives it from the returns;
  // it is never stored with the line). Only a PICKED_UP order has any.
  int64_t returned = 0;

  bool operator==(const OrderLine&) const = default;
};

struct OrderTransition {
  OrderState state = OrderState::kPlaced;
  Timestamp at;
  std::string actor;
  std::string reason;

  bool operator==(const OrderTransition&) const = default;
};

struct Order {
  OrderId id;
  OrderState state = OrderState::kPlaced;
  CustomerId customer;
  LocationId pickup_location;
  std::vector<OrderLine> lines;
  std::string pickup_code;
  ReservationId reservation;
  Duration hold{};
  Timestamp created_at;
  Timestamp updated_at;
  std::optional<Timestamp> ready_at;
  std::optional<Timestamp> pickup_deadline;
  int failed_pickup_attempts = 0;
  std::vector<OrderTransition> history;

  // A ready order past its deadline counts as expired before the sweep records it.
  bool OverdueAt(Timestamp now) const {
    return state == OrderState::kReadyForPickup && pickup_deadline && *pickup_deadline <= now;
  }
};

}  // namespace oms

// Returns: units a shopper brings back to any location, from a sale on any channel (a picked
// up order or a committed checkout reservation). Each line's units end RESTOCKED (sellable
// at the receiving location), WRITTEN OFF (damaged) or, while inspected, QUARANTINED there.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/types.h"

namespace oms {

enum class ReturnState { kOpen = 1, kCompleted = 2 };
enum class Disposition { kRestock = 1, kDamaged = 2, kInspect = 3 };

const char* ReturnStateName(ReturnState state);
const char* DispositionName(Disposition disposition);

// One SKU under one disposition as the shopper brought it back; quantity = quarantined +
// restocked + written_off at every moment.
struct ReturnLine {
  Sku sku;
  int64_t quantity = 0;
  Disposition disposition = Disposition::kRestock;
  int64_t quarantined = 0;  // INSPECT units not yet resolved
  int64_t restocked = 0;    // back in on_hand at the return's location
  int64_t written_off = 0;  // damaged: never sellable

  bool operator==(const ReturnLine&) const = default;
};

// What happened to the return, oldest first: its creation and every resolution.
struct ReturnTransition {
  ReturnState state = ReturnState::kOpen;  // the state after this step
  Timestamp at;
  std::string actor;
  std::string note;  // e.g. "restocked 2 of sku-1"

  bool operator==(const ReturnTransition&) const = default;
};

struct Return {
  ReturnId id;
  // The sale the units came from: exactly one is set.
  OrderId order_id;
  ReservationId reservation_id;
  CustomerId customer;
  LocationId location;  // where the units came back (and where they are restocked)
  ReturnState state = ReturnState::kOpen;
  std::vector<ReturnLine> lines;  // one per (sku, disposition), first-mention order
  std::string reason;
  std::string reference;
  Timestamp created_at;
  Timestamp updated_at;
  std::vector<ReturnTransition> history;

  // The order or reservation id the return counts against.
  std::string source() const { return order_id.empty() ? reservation_id.str() : order_id.str(); }
  int64_t Quarantined() const {
    int64_t n = 0;
    for (const auto& l : lines) n += l.quarantined;
    return n;
  }
};

// Units of one SKU returned so far from one source, over all its returns.
struct ReturnedUnits {
  Sku sku;
  int64_t quantity = 0;

  bool operator==(const ReturnedUnits&) const = default;
};

}  // namespace oms

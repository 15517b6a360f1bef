// Inbound supply: a purchase order or a transfer in transit, expected at one location at a
// date. Until it arrives it is future availability; preorders hold units against it (pegs)
// and are served first when it is received.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "domain/types.h"

namespace oms {

// EXPECTED → PARTIALLY_RECEIVED → RECEIVED, or → CANCELLED from either open state. RECEIVED
// and CANCELLED are final.
enum class InboundState { kExpected = 1, kPartiallyReceived = 2, kReceived = 3, kCancelled = 4 };

const char* InboundStateName(InboundState state);
inline bool IsOpen(InboundState s) {
  return s == InboundState::kExpected || s == InboundState::kPartiallyReceived;
}

struct InboundLine {
  Sku sku;
  int64_t expected = 0;  // 0 for a SKU that arrived without being expected (over-receipt)
  int64_t received = 0;  // may exceed expected (over-receipt is recorded)
  // Units of this line pegged to preorders (future holds), never more than remaining().
  int64_t promised = 0;

  int64_t remaining() const { return expected > received ? expected - received : 0; }
  bool operator==(const InboundLine&) const = default;
};

struct Inbound {
  InboundId id;
  LocationId location;
  Timestamp expected_at;
  InboundState state = InboundState::kExpected;
  // Set by the writer once the inbound is still open `--inbound-grace` after expected_at;
  // cleared by a reschedule. An overdue inbound is no future supply (it may still arrive).
  bool overdue = false;
  std::vector<InboundLine> lines;  // one per SKU, in the order first given
  Timestamp created_at;
  Timestamp updated_at;
  std::string end_reason;  // CANCELLED: the caller's reason

  bool open() const { return IsOpen(state); }
  // Counts as future supply: open and not overdue.
  bool supplies() const { return open() && !overdue; }
  const InboundLine* Line(const Sku& sku) const {
    for (const auto& l : lines) {
      if (l.sku == sku) return &l;
    }
    return nullptr;
  }
  InboundLine* MutableLine(const Sku& sku) {
    for (auto& l : lines) {
      if (l.sku == sku) return &l;
    }
    return nullptr;
  }
  bool operator==(const Inbound&) const = default;
};

}  // namespace oms

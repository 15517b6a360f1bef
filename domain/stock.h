// Stock of one SKU at one location, the movements ledger, and ATP.
#pragma once

#include <cstdint>
#include <string>

#include "domain/types.h"

namespace oms {

struct StockKey {
  Sku sku;
  LocationId location;

  bool operator==(const StockKey&) const = default;
};

struct StockKeyHash {
  size_t operator()(const StockKey& k) const noexcept {
    size_t h = std::hash<Sku>{}(k.sku);
    return h ^ (std::hash<LocationId>{}(k.location) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};

struct StockLevel {
  int64_t on_hand = 0;
  int64_t reserved = 0;
  int64_t safety_stock = 0;
  // Returned units waiting for inspection here: counted apart from on_hand, never in ATP.
  int64_t quarantined = 0;
  int64_t version = 0;  // 0: the row does not exist yet
  Timestamp updated_at;

  bool operator==(const StockLevel&) const = default;
};

// ATP under a channel's rule (API.md): remote channels (ONLINE, BOPIS) subtract safety
// stock, the POS at the store does not. Never negative.
int64_t Atp(const StockLevel& level, Channel channel);

// Units free to move or sell at the store itself: on_hand - reserved, never negative.
inline int64_t Unreserved(const StockLevel& level) {
  int64_t free = level.on_hand - level.reserved;
  return free > 0 ? free : 0;
}

enum class MovementReason {
  kReceived = 1,
  kSold = 2,
  kReturned = 3,
  kDamaged = 4,
  kLost = 5,
  kFound = 6,
  kCorrection = 7,
  kCount = 8,
  kTransferOut = 9,
  kTransferIn = 10,
};

const char* MovementReasonName(MovementReason reason);

// One change of on_hand. Draft::Move assigns the id: the next of the writer's gap-free
// counter, so memory, the database and the reply agree before anything is written.
struct Movement {
  int64_t id = 0;
  Sku sku;
  LocationId location;
  int64_t delta = 0;
  int64_t on_hand_after = 0;
  MovementReason reason = MovementReason::kCorrection;
  std::string reference;
  std::string request_id;
  std::string actor;
  Timestamp created_at;
};

}  // namespace oms

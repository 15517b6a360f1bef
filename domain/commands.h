// Commands: the mutations the writer applies, one variant per API mutation, and their
// replies. Services build them from requests; the engine applies them in batches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/location.h"
#include "domain/reservation.h"
#include "domain/stock.h"

namespace oms {

struct UpsertLocation {
  Location location;
};

struct UpsertGroup {
  GroupId group;
  std::vector<LocationId> members;
};

struct AdjustStock {
  StockKey key;
  int64_t delta = 0;
  MovementReason reason = MovementReason::kCorrection;
  std::string reference;
  std::optional<int64_t> expected_on_hand;
};

struct SetStock {
  StockKey key;
  int64_t on_hand = 0;
  std::string reference;
  std::optional<int64_t> expected_on_hand;
};

struct TransferStock {
  Sku sku;
  LocationId from;
  LocationId to;
  int64_t quantity = 0;
  std::string reference;
};

struct SetSafetyStock {
  StockKey key;
  int64_t safety_stock = 0;
};

// Sets on_hand of many stock levels at once (bulk load), like a count per row.
struct ImportStock {
  struct Row {
    StockKey key;
    int64_t on_hand = 0;
  };
  std::vector<Row> rows;
  std::string reference;
};

using Command = std::variant<UpsertLocation, UpsertGroup, AdjustStock, SetStock, TransferStock,
                             SetSafetyStock, ImportStock>;

// Who asked, and the idempotency key of the request.
struct CommandContext {
  std::string request_id;  // empty only for the writer's own commands (expiry)
  uint64_t payload_hash = 0;
  std::string method;
  std::string actor;
};

struct LocationReply {
  Location location;
  bool created = false;
};

struct GroupReply {
  LocationGroup group;
  bool created = false;
};

struct StockReply {
  StockKey key;
  StockLevel level;
  std::optional<Movement> movement;
  int64_t shortfall = 0;  // reserved units beyond on_hand
};

struct TransferReply {
  StockKey from_key;
  StockLevel from;
  StockKey to_key;
  StockLevel to;
  Movement out;
  Movement in;
};

struct ImportReply {
  int64_t rows = 0;
  int64_t changed = 0;
};

using Reply = std::variant<LocationReply, GroupReply, StockReply, TransferReply, ImportReply>;

}  // namespace oms

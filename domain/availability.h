// Available-to-promise queries over committed state: one pure function per question.
#pragma once

#include <optional>
#include <vector>

#include "domain/location.h"
#include "domain/state.h"
#include "domain/status.h"
#include "domain/stock.h"

namespace oms {

struct LocationAvailability {
  LocationId location;
  StockLevel level;
  int64_t atp = 0;
};

struct SkuAvailability {
  Sku sku;
  int64_t atp = 0;
  std::vector<LocationAvailability> locations;
};

// Exactly one of location or group is set.
struct AvailabilityScope {
  LocationId location;
  GroupId group;
};

// ATP of each distinct SKU (first-mention order) under the channel's rule: at one location
// (zero if it is inactive), or summed over the group's members that fulfil the channel.
Result<std::vector<SkuAvailability>> QueryAvailability(const CommittedData& data,
                                                       const std::vector<Sku>& skus,
                                                       const AvailabilityScope& scope,
                                                       Channel channel);

struct FuturePoint {
  Timestamp at;     // an arrival
  int64_t atp = 0;  // ATP from that moment on

  bool operator==(const FuturePoint&) const = default;
};

struct SkuFutureAvailability {
  Sku sku;
  int64_t atp_now = 0;
  std::vector<FuturePoint> timeline;     // one point per distinct arrival time in the horizon
  std::optional<Timestamp> earliest_at;  // first moment ATP >= the quantity asked
};

// Future ATP per distinct SKU (first-mention order), as API.md "Inbound supply and future
// availability" defines it: at each arrival of open, not overdue supply with expected_at <
// now + horizon, a location's ATP is the channel's rule applied to on_hand + the free units
// arrived by then (expected - received - promised to preorders) - reserved; a group sums its
// members that fulfil the channel. An arrival already due (expected_at <= now, not yet
// overdue) counts from `now`. `quantity` > 0 sets earliest_at.
Result<std::vector<SkuFutureAvailability>> QueryFutureAvailability(
    const CommittedData& data, const std::vector<Sku>& skus, const AvailabilityScope& scope,
    Channel channel, Timestamp now, Duration horizon, int64_t quantity);

// The channel rule with `incoming` future units added: max(0, on_hand + incoming - reserved
// [- safety_stock]).
int64_t FutureAtp(const StockLevel& level, int64_t incoming, Channel channel);

}  // namespace oms

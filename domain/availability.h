// Available-to-promise queries over committed state: one pure function per question.
#pragma once

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

}  // namespace oms

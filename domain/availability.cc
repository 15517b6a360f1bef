// ATP queries.
#include "domain/availability.h"

#include <unordered_set>

namespace oms {

Result<std::vector<SkuAvailability>> QueryAvailability(const CommittedData& data,
                                                       const std::vector<Sku>& skus,
                                                       const AvailabilityScope& scope,
                                                       Channel channel) {
  std::vector<const Location*> counted;
  if (!scope.group.empty()) {
    auto g = data.groups.find(scope.group);
    if (g == data.groups.end()) {
      return Status::NotFound("location group " + scope.group.str() + " does not exist");
    }
    for (const auto& member : g->second.members) {
      auto l = data.locations.find(member);
      if (l != data.locations.end() && Fulfils(l->second, channel)) counted.push_back(&l->second);
    }
  } else {
    auto l = data.locations.find(scope.location);
    if (l == data.locations.end()) {
      return Status::NotFound("location " + scope.location.str() + " does not exist");
    }
    counted.push_back(&l->second);
  }

  std::vector<SkuAvailability> out;
  out.reserve(skus.size());
  std::unordered_set<Sku> seen;
  StockKey key;
  for (const auto& sku : skus) {
    if (!seen.insert(sku).second) continue;
    SkuAvailability a{sku, 0, {}};
    key.sku = sku;
    for (const Location* location : counted) {
      key.location = location->id;
      auto it = data.stock.find(key);
      if (it == data.stock.end()) continue;
      int64_t atp = location->active ? Atp(it->second, channel) : 0;
      a.atp += atp;
      a.locations.push_back({location->id, it->second, atp});
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace oms

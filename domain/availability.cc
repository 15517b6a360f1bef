// ATP queries.
#include "domain/availability.h"

#include <algorithm>
#include <unordered_set>

namespace oms {

namespace {

// The locations a scope counts: the one location, or the group's members that fulfil the
// channel.
Result<std::vector<const Location*>> Counted(const CommittedData& data,
                                             const AvailabilityScope& scope, Channel channel) {
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
  return counted;
}

}  // namespace

int64_t FutureAtp(const StockLevel& level, int64_t incoming, Channel channel) {
  int64_t atp = level.on_hand + incoming - level.reserved;
  if (channel != Channel::kPos) atp -= level.safety_stock;
  return atp > 0 ? atp : 0;
}

Result<std::vector<SkuAvailability>> QueryAvailability(const CommittedData& data,
                                                       const std::vector<Sku>& skus,
                                                       const AvailabilityScope& scope,
                                                       Channel channel) {
  Result<std::vector<const Location*>> found = Counted(data, scope, channel);
  if (!found.ok()) return found.status();
  const std::vector<const Location*>& counted = *found;

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

Result<std::vector<SkuFutureAvailability>> QueryFutureAvailability(
    const CommittedData& data, const std::vector<Sku>& skus, const AvailabilityScope& scope,
    Channel channel, Timestamp now, Duration horizon, int64_t quantity) {
  Result<std::vector<const Location*>> found = Counted(data, scope, channel);
  if (!found.ok()) return found.status();
  const Timestamp end = now + horizon;
  static const StockLevel kNone{};

  struct Arrival {
    Timestamp at;
    size_t location;  // index into counted
    int64_t free;
  };
  std::vector<SkuFutureAvailability> out;
  out.reserve(skus.size());
  std::unordered_set<Sku> seen;
  std::vector<const StockLevel*> levels;
  std::vector<int64_t> incoming;
  std::vector<Arrival> arrivals;
  StockKey key;
  for (const auto& sku : skus) {
    if (!seen.insert(sku).second) continue;
    key.sku = sku;
    SkuFutureAvailability a{sku, 0, {}, std::nullopt};
    levels.clear();
    arrivals.clear();
    for (size_t i = 0; i < found->size(); ++i) {
      const Location* location = (*found)[i];
      key.location = location->id;
      auto it = data.stock.find(key);
      levels.push_back(it == data.stock.end() ? &kNone : &it->second);
      if (!location->active) continue;  // an inactive location promises nothing
      a.atp_now += Atp(*levels.back(), channel);
      auto f = data.future.find(key);
      if (f == data.future.end()) continue;
      for (const FutureSupply& s : f->second) {
        if (s.overdue_at <= now || s.at >= end) continue;
        arrivals.push_back({std::max(s.at, now), i, s.free});
      }
    }
    std::sort(arrivals.begin(), arrivals.end(),
              [](const Arrival& x, const Arrival& y) { return x.at < y.at; });
    if (quantity > 0 && a.atp_now >= quantity) a.earliest_at = now;
    incoming.assign(found->size(), 0);
    int64_t atp = a.atp_now;  // kept up to date location by location
    for (size_t k = 0; k < arrivals.size();) {
      Timestamp at = arrivals[k].at;
      for (; k < arrivals.size() && arrivals[k].at == at; ++k) {
        size_t i = arrivals[k].location;
        atp -= FutureAtp(*levels[i], incoming[i], channel);
        incoming[i] += arrivals[k].free;
        atp += FutureAtp(*levels[i], incoming[i], channel);
      }
      a.timeline.push_back({at, atp});
      if (quantity > 0 && !a.earliest_at && atp >= quantity) a.earliest_at = at;
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace oms

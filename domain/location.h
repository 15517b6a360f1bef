// Locations (stores, warehouses) and the groups channels promise from.
#pragma once

#include <vector>

#include "domain/types.h"

namespace oms {

enum class LocationKind { kStore = 1, kWarehouse = 2 };

struct Location {
  LocationId id;
  std::string name;
  LocationKind kind = LocationKind::kStore;
  bool ship_enabled = false;
  bool pickup_enabled = false;
  bool active = true;
  Timestamp updated_at;

  bool operator==(const Location&) const = default;
};

struct LocationGroup {
  GroupId id;
  std::vector<LocationId> members;
  Timestamp updated_at;

  bool operator==(const LocationGroup&) const = default;
};

// Whether a location counts toward a group's ATP for a channel (API.md): it must be active,
// and allow shipping for ONLINE or pickup for BOPIS. POS counts every active location.
bool Fulfils(const Location& location, Channel channel);

}  // namespace oms

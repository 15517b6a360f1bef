// The vocabulary types of oms: ids, time, channels. Plain values, cheap to copy.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace oms {

// Server time in microseconds since the Unix epoch.
using Duration = std::chrono::microseconds;
using Timestamp = std::chrono::time_point<std::chrono::system_clock, Duration>;

inline int64_t ToMicros(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromMicros(int64_t us) { return Timestamp(Duration(us)); }

// A string id with a tag, so a SKU cannot be passed where a location id is expected.
template <typename Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string value) : value_(std::move(value)) {}
  explicit Id(std::string_view value) : value_(value) {}
  explicit Id(const char* value) : value_(value) {}

  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }
  auto operator<=>(const Id&) const = default;

 private:
  std::string value_;
};

using Sku = Id<struct SkuTag>;
using LocationId = Id<struct LocationTag>;
using GroupId = Id<struct GroupTag>;
using ReservationId = Id<struct ReservationTag>;
using OrderId = Id<struct OrderTag>;
using CustomerId = Id<struct CustomerTag>;
using ReturnId = Id<struct ReturnTag>;
using InboundId = Id<struct InboundTag>;  // the caller's: a PO or ASN number

enum class Channel { kOnline = 1, kPos = 2, kBopis = 3 };

const char* ChannelName(Channel channel);

}  // namespace oms

template <typename Tag>
struct std::hash<oms::Id<Tag>> {
  size_t operator()(const oms::Id<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.str());
  }
};

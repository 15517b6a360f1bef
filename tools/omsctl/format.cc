// Formatting of times, channels and reasons for people.
#include <fmt/chrono.h>
#include <fmt/core.h>
#include <google/protobuf/util/time_util.h>

#include <map>

#include "tools/omsctl/commands.h"

namespace omsctl {

std::string FormatTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  std::time_t seconds = static_cast<std::time_t>(t.seconds());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", fmt::gmtime(seconds));
}

bool ParseTime(const std::string& rfc3339, google::protobuf::Timestamp* out) {
  return google::protobuf::util::TimeUtil::FromString(rfc3339, out);
}

oms::v1::Channel ParseChannel(const std::string& name) {
  if (name == "pos") return oms::v1::CHANNEL_POS;
  if (name == "bopis") return oms::v1::CHANNEL_BOPIS;
  return oms::v1::CHANNEL_ONLINE;
}

std::string ChannelName(int channel) {
  switch (channel) {
    case oms::v1::CHANNEL_ONLINE:
      return "online";
    case oms::v1::CHANNEL_POS:
      return "pos";
    case oms::v1::CHANNEL_BOPIS:
      return "bopis";
  }
  return "-";
}

const std::map<std::string, oms::v1::MovementReason>& Reasons() {
  static const std::map<std::string, oms::v1::MovementReason> reasons = {
      {"received", oms::v1::MOVEMENT_REASON_RECEIVED},
      {"sold", oms::v1::MOVEMENT_REASON_SOLD},
      {"returned", oms::v1::MOVEMENT_REASON_RETURNED},
      {"damaged", oms::v1::MOVEMENT_REASON_DAMAGED},
      {"lost", oms::v1::MOVEMENT_REASON_LOST},
      {"found", oms::v1::MOVEMENT_REASON_FOUND},
      {"correction", oms::v1::MOVEMENT_REASON_CORRECTION},
  };
  return reasons;
}

std::string ReasonName(int reason) {
  std::string name = oms::v1::MovementReason_Name(static_cast<oms::v1::MovementReason>(reason));
  const std::string prefix = "MOVEMENT_REASON_";
  return name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
}

}  // namespace omsctl

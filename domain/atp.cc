// The channel rules of API.md, in one place.
#include "domain/location.h"
#include "domain/stock.h"

namespace oms {

int64_t Atp(const StockLevel& level, Channel channel) {
  int64_t atp = level.on_hand - level.reserved;
  if (channel != Channel::kPos) atp -= level.safety_stock;
  return atp > 0 ? atp : 0;
}

bool Fulfils(const Location& location, Channel channel) {
  if (!location.active) return false;
  switch (channel) {
    case Channel::kOnline:
      return location.ship_enabled;
    case Channel::kBopis:
      return location.pickup_enabled;
    case Channel::kPos:
      return true;
  }
  return false;
}

const char* ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kOnline:
      return "ONLINE";
    case Channel::kPos:
      return "POS";
    case Channel::kBopis:
      return "BOPIS";
  }
  return "?";
}

const char* MovementReasonName(MovementReason reason) {
  switch (reason) {
    case MovementReason::kReceived:
      return "RECEIVED";
    case MovementReason::kSold:
      return "SOLD";
    case MovementReason::kReturned:
      return "RETURNED";
    case MovementReason::kDamaged:
      return "DAMAGED";
    case MovementReason::kLost:
      return "LOST";
    case MovementReason::kFound:
      return "FOUND";
    case MovementReason::kCorrection:
      return "CORRECTION";
    case MovementReason::kCount:
      return "COUNT";
    case MovementReason::kTransferOut:
      return "TRANSFER_OUT";
    case MovementReason::kTransferIn:
      return "TRANSFER_IN";
  }
  return "?";
}

}  // namespace oms

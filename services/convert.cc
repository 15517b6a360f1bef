// Conversions.
#include "services/convert.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

namespace oms::services {

using google::protobuf::util::TimeUtil;

google::protobuf::Timestamp ToProto(Timestamp t) {
  return TimeUtil::MicrosecondsToTimestamp(ToMicros(t));
}

Timestamp FromProto(const google::protobuf::Timestamp& t) {
  // Clamp to the range a Timestamp may hold (years 1 to 9999) before converting, so an
  // absurd value means "the far past/future" instead of overflowing.
  constexpr int64_t kMinSeconds = -62'135'596'800, kMaxSeconds = 253'402'300'799;
  int64_t seconds = std::clamp<int64_t>(t.seconds(), kMinSeconds, kMaxSeconds);
  int64_t nanos = std::clamp<int64_t>(t.nanos(), 0, 999'999'999);
  return FromMicros(seconds * 1'000'000 + nanos / 1000);
}

void ToProto(const Location& in, v1::Location* out) {
  out->set_location_id(in.id.str());
  out->set_name(in.name);
  out->set_kind(in.kind == LocationKind::kStore ? v1::LOCATION_KIND_STORE
                                                : v1::LOCATION_KIND_WAREHOUSE);
  out->set_ship_enabled(in.ship_enabled);
  out->set_pickup_enabled(in.pickup_enabled);
  out->set_active(in.active);
  *out->mutable_update_time() = ToProto(in.updated_at);
}

Result<Location> FromProto(const v1::Location& in) {
  Location l;
  l.id = LocationId(in.location_id());
  l.name = in.name();
  switch (in.kind()) {
    case v1::LOCATION_KIND_STORE:
      l.kind = LocationKind::kStore;
      break;
    case v1::LOCATION_KIND_WAREHOUSE:
      l.kind = LocationKind::kWarehouse;
      break;
    default:
      return Status::InvalidArgument("location.kind",
                                     "must be LOCATION_KIND_STORE or "
                                     "LOCATION_KIND_WAREHOUSE");
  }
  l.ship_enabled = in.ship_enabled();
  l.pickup_enabled = in.pickup_enabled();
  l.active = in.active();
  return l;
}

void ToProto(const LocationGroup& in, v1::LocationGroup* out) {
  out->set_group_id(in.id.str());
  for (const auto& m : in.members) out->add_location_ids(m.str());
  *out->mutable_update_time() = ToProto(in.updated_at);
}

void ToProto(const StockKey& key, const StockLevel& level, v1::StockLevel* out) {
  out->set_sku(key.sku.str());
  out->set_location_id(key.location.str());
  out->set_on_hand(level.on_hand);
  out->set_reserved(level.reserved);
  out->set_safety_stock(level.safety_stock);
  out->set_atp(Atp(level, Channel::kOnline));
  out->set_atp_pos(Atp(level, Channel::kPos));
  out->set_version(level.version);
  out->set_quarantined(level.quarantined);
  if (level.version > 0) *out->mutable_update_time() = ToProto(level.updated_at);
}

void ToProto(const Movement& in, v1::Movement* out) {
  out->set_movement_id(in.id);
  out->set_sku(in.sku.str());
  out->set_location_id(in.location.str());
  out->set_delta(in.delta);
  out->set_on_hand_after(in.on_hand_after);
  out->set_reason(static_cast<v1::MovementReason>(in.reason));
  out->set_reference(in.reference);
  out->set_request_id(in.request_id);
  out->set_actor(in.actor);
  *out->mutable_create_time() = ToProto(in.created_at);
}

void ToProto(const SkuAvailability& in, v1::SkuAvailability* out) {
  out->set_sku(in.sku.str());
  out->set_atp(in.atp);
  for (const auto& l : in.locations) {
    auto* o = out->add_locations();
    o->set_location_id(l.location.str());
    o->set_on_hand(l.level.on_hand);
    o->set_reserved(l.level.reserved);
    o->set_safety_stock(l.level.safety_stock);
    o->set_atp(l.atp);
    o->set_quarantined(l.level.quarantined);
  }
}

v1::ReservationState ToProto(ReservationState state) {
  return static_cast<v1::ReservationState>(state);
}

void ToProto(const Reservation& in, Timestamp now, v1::Reservation* out) {
  out->set_reservation_id(in.id.str());
  bool overdue = in.OverdueAt(now);
  out->set_state(overdue ? v1::RESERVATION_STATE_EXPIRED : ToProto(in.state));
  for (const auto& l : in.lines) {
    auto* line = out->add_lines();
    line->set_sku(l.sku.str());
    line->set_quantity(l.quantity);
    line->set_location_id(l.location.str());
    if (l.future() && ToMicros(l.promised_at) != 0) {
      *line->mutable_promised_at() = ToProto(l.promised_at);
    }
    line->set_inbound_id(l.inbound.str());
    line->set_at_risk(l.at_risk);
  }
  if (in.promise_by) *out->mutable_promise_by() = ToProto(*in.promise_by);
  out->set_at_risk(in.AtRisk());
  if (in.order_id.empty()) *out->mutable_expires_at() = ToProto(in.expires_at);
  out->set_channel(ToProto(in.channel));
  out->set_reference(in.reference);
  *out->mutable_create_time() = ToProto(in.created_at);
  *out->mutable_update_time() = ToProto(in.updated_at);
  out->set_order_id(in.order_id.str());
  out->set_end_reason(overdue ? "expired" : in.end_reason);
}

v1::OrderState ToProto(OrderState state) { return static_cast<v1::OrderState>(state); }

google::protobuf::Duration DurationToProto(Duration d) {
  google::protobuf::Duration out;
  out.set_seconds(d.count() / 1'000'000);
  out.set_nanos(static_cast<int32_t>(d.count() % 1'000'000) * 1000);
  return out;
}

void ToProto(const Order& in, Timestamp now, v1::Order* out) {
  out->set_order_id(in.id.str());
  out->set_state(ToProto(in.OverdueAt(now) ? OrderState::kExpired : in.state));
  out->set_customer_id(in.customer.str());
  out->set_pickup_location_id(in.pickup_location.str());
  for (const auto& l : in.lines) {
    auto* line = out->add_lines();
    line->set_sku(l.sku.str());
    line->set_quantity(l.quantity);
    line->set_ordered_quantity(l.ordered_quantity);
    line->set_returned(l.returned);
  }
  out->set_pickup_code(in.pickup_code);
  *out->mutable_create_time() = ToProto(in.created_at);
  *out->mutable_update_time() = ToProto(in.updated_at);
  if (in.ready_at) *out->mutable_ready_time() = ToProto(*in.ready_at);
  if (in.pickup_deadline) *out->mutable_pickup_deadline() = ToProto(*in.pickup_deadline);
  for (const auto& t : in.history) {
    auto* h = out->add_history();
    h->set_state(ToProto(t.state));
    *h->mutable_time() = ToProto(t.at);
    h->set_actor(t.actor);
    h->set_reason(t.reason);
  }
  out->set_reservation_id(in.reservation.str());
  *out->mutable_hold() = DurationToProto(in.hold);
  out->set_failed_pickup_attempts(in.failed_pickup_attempts);
}

Result<Duration> DurationFromProto(const google::protobuf::Duration* d, std::string_view field,
                                   Duration fallback) {
  if (!d) return fallback;
  // Beyond ~31,700 years, or nanos out of range: not a duration anyone means.
  if (d->seconds() > 1'000'000'000'000LL || d->seconds() < -1'000'000'000'000LL ||
      d->nanos() > 999'999'999 || d->nanos() < -999'999'999) {
    return Status::InvalidArgument(std::string(field), "is not a valid duration");
  }
  return Duration(d->seconds() * 1'000'000 + d->nanos() / 1000);
}

std::vector<RequestedLine> LinesFromProto(
    const google::protobuf::RepeatedPtrField<v1::ReservationLine>& lines) {
  std::vector<RequestedLine> out;
  out.reserve(lines.size());
  for (const auto& l : lines) {
    out.push_back({Sku(l.sku()), LocationId(l.location_id()), l.quantity()});
  }
  return out;
}

Result<Channel> ChannelFromProto(int value, std::string_view field,
                                 std::optional<Channel> fallback) {
  switch (value) {
    case v1::CHANNEL_ONLINE:
      return Channel::kOnline;
    case v1::CHANNEL_POS:
      return Channel::kPos;
    case v1::CHANNEL_BOPIS:
      return Channel::kBopis;
    case v1::CHANNEL_UNSPECIFIED:
      if (fallback) return *fallback;
      break;
    default:
      break;
  }
  return Status::InvalidArgument(std::string(field),
                                 "must be CHANNEL_ONLINE, CHANNEL_POS or CHANNEL_BOPIS");
}

v1::Channel ToProto(Channel channel) { return static_cast<v1::Channel>(channel); }

Result<MovementReason> ReasonFromProto(int value, std::string_view field) {
  if (value >= v1::MOVEMENT_REASON_RECEIVED && value <= v1::MOVEMENT_REASON_TRANSFER_IN) {
    return static_cast<MovementReason>(value);
  }
  return Status::InvalidArgument(std::string(field),
                                 "must be a MovementReason other than "
                                 "MOVEMENT_REASON_UNSPECIFIED");
}

v1::ReturnState ToProto(ReturnState state) {
  switch (state) {
    case ReturnState::kOpen:
      return v1::RETURN_STATE_OPEN;
    case ReturnState::kCompleted:
      return v1::RETURN_STATE_COMPLETED;
  }
  return v1::RETURN_STATE_UNSPECIFIED;
}

v1::Disposition ToProto(Disposition disposition) {
  switch (disposition) {
    case Disposition::kRestock:
      return v1::DISPOSITION_RESTOCK;
    case Disposition::kDamaged:
      return v1::DISPOSITION_DAMAGED;
    case Disposition::kInspect:
      return v1::DISPOSITION_INSPECT;
  }
  return v1::DISPOSITION_UNSPECIFIED;
}

Disposition DispositionFromProto(int value) {
  switch (value) {
    case v1::DISPOSITION_RESTOCK:
      return Disposition::kRestock;
    case v1::DISPOSITION_DAMAGED:
      return Disposition::kDamaged;
    case v1::DISPOSITION_INSPECT:
      return Disposition::kInspect;
    default:
      // Not an enumerator: Validate names the line's disposition field.
      return static_cast<Disposition>(0);
  }
}

std::vector<ReturnedLine> ReturnedLinesFromProto(
    const google::protobuf::RepeatedPtrField<v1::ReturnRequestLine>& lines) {
  std::vector<ReturnedLine> out;
  out.reserve(lines.size());
  for (const auto& l : lines) {
    out.push_back({Sku(l.sku()), l.quantity(), DispositionFromProto(l.disposition())});
  }
  return out;
}

void ToProto(const Return& in, v1::Return* out) {
  out->set_return_id(in.id.str());
  out->set_order_id(in.order_id.str());
  out->set_reservation_id(in.reservation_id.str());
  out->set_customer_id(in.customer.str());
  out->set_location_id(in.location.str());
  out->set_state(ToProto(in.state));
  for (const auto& l : in.lines) {
    auto* line = out->add_lines();
    line->set_sku(l.sku.str());
    line->set_quantity(l.quantity);
    line->set_disposition(ToProto(l.disposition));
    line->set_quarantined(l.quarantined);
    line->set_restocked(l.restocked);
    line->set_written_off(l.written_off);
  }
  out->set_reason(in.reason);
  out->set_reference(in.reference);
  *out->mutable_create_time() = ToProto(in.created_at);
  *out->mutable_update_time() = ToProto(in.updated_at);
  for (const auto& t : in.history) {
    auto* h = out->add_history();
    h->set_state(ToProto(t.state));
    *h->mutable_time() = ToProto(t.at);
    h->set_actor(t.actor);
    h->set_note(t.note);
  }
}

v1::InboundState ToProto(InboundState state) {
  switch (state) {
    case InboundState::kExpected:
      return v1::INBOUND_STATE_EXPECTED;
    case InboundState::kPartiallyReceived:
      return v1::INBOUND_STATE_PARTIALLY_RECEIVED;
    case InboundState::kReceived:
      return v1::INBOUND_STATE_RECEIVED;
    case InboundState::kCancelled:
      return v1::INBOUND_STATE_CANCELLED;
  }
  return v1::INBOUND_STATE_UNSPECIFIED;
}

void ToProto(const Inbound& in, v1::Inbound* out) {
  out->set_inbound_id(in.id.str());
  out->set_location_id(in.location.str());
  *out->mutable_expected_at() = ToProto(in.expected_at);
  out->set_state(ToProto(in.state));
  out->set_overdue(in.overdue);
  for (const auto& l : in.lines) {
    auto* line = out->add_lines();
    line->set_sku(l.sku.str());
    line->set_expected(l.expected);
    line->set_received(l.received);
    line->set_promised(l.promised);
  }
  *out->mutable_create_time() = ToProto(in.created_at);
  *out->mutable_update_time() = ToProto(in.updated_at);
  out->set_end_reason(in.end_reason);
}

void ToProto(const SkuFutureAvailability& in, v1::SkuFutureAvailability* out) {
  out->set_sku(in.sku.str());
  out->set_atp_now(in.atp_now);
  for (const auto& p : in.timeline) {
    auto* point = out->add_timeline();
    *point->mutable_at() = ToProto(p.at);
    point->set_atp(p.atp);
  }
  if (in.earliest_at) *out->mutable_earliest_at() = ToProto(*in.earliest_at);
}

}  // namespace oms::services

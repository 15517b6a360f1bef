// Request conversions. Unknown enum values and malformed durations are INVALID_ARGUMENT;
// everything else is checked by domain validation afterwards.
#include "services/requests.h"

#include "domain/limits.h"
#include "services/convert.h"

namespace oms::services {
namespace {

std::optional<int64_t> Expected(bool has, int64_t value) {
  return has ? std::optional<int64_t>(value) : std::nullopt;
}

// Lines of an inbound request; more than the limit is rejected before copying them all.
Result<std::vector<InboundQuantity>> InboundLinesFromProto(
    const google::protobuf::RepeatedPtrField<v1::InboundQuantity>& lines) {
  if (lines.size() > limits::kMaxInboundLines) {
    return Status::InvalidArgument(
        "lines", "at most " + std::to_string(limits::kMaxInboundLines) + " lines");
  }
  std::vector<InboundQuantity> out;
  out.reserve(static_cast<size_t>(lines.size()));
  for (const auto& l : lines) out.push_back({Sku(l.sku()), l.quantity()});
  return out;
}

// An unset expected_at becomes the epoch, which validation rejects as "is required".
Timestamp ExpectedAt(bool has, const google::protobuf::Timestamp& t) {
  return has ? FromProto(t) : Timestamp();
}

}  // namespace

Result<UpsertLocation> ToCommand(const v1::UpsertLocationRequest& r) {
  if (!r.has_location()) return Status::InvalidArgument("location", "is required");
  Result<Location> location = FromProto(r.location());
  if (!location.ok()) return location.status();
  return UpsertLocation{*location};
}

Result<UpsertGroup> ToCommand(const v1::UpsertLocationGroupRequest& r) {
  UpsertGroup c{GroupId(r.group_id()), {}};
  for (const auto& id : r.location_ids()) c.members.emplace_back(id);
  return c;
}

Result<AdjustStock> ToCommand(const v1::AdjustStockRequest& r) {
  Result<MovementReason> reason = ReasonFromProto(r.reason(), "reason");
  if (!reason.ok()) return reason.status();
  return AdjustStock{{Sku(r.sku()), LocationId(r.location_id())},
                     r.delta(),
                     *reason,
                     r.reference(),
                     Expected(r.has_expected_on_hand(), r.expected_on_hand())};
}

Result<SetStock> ToCommand(const v1::SetStockRequest& r) {
  return SetStock{{Sku(r.sku()), LocationId(r.location_id())},
                  r.on_hand(),
                  r.reference(),
                  Expected(r.has_expected_on_hand(), r.expected_on_hand())};
}

Result<TransferStock> ToCommand(const v1::TransferStockRequest& r) {
  return TransferStock{Sku(r.sku()), LocationId(r.from_location_id()),
                       LocationId(r.to_location_id()), r.quantity(), r.reference()};
}

Result<SetSafetyStock> ToCommand(const v1::SetSafetyStockRequest& r) {
  return SetSafetyStock{{Sku(r.sku()), LocationId(r.location_id())}, r.safety_stock()};
}

Result<ImportStock> ToCommand(const v1::ImportStockRequest& r) {
  ImportStock c;
  c.reference = r.reference();
  c.rows.reserve(static_cast<size_t>(std::min(r.rows_size(), limits::kMaxImportRows + 1)));
  for (const auto& row : r.rows()) {
    c.rows.push_back({{Sku(row.sku()), LocationId(row.location_id())}, row.on_hand()});
    if (c.rows.size() > static_cast<size_t>(limits::kMaxImportRows)) break;  // rejected later
  }
  return c;
}

Result<CreateReservation> ToCommand(const v1::CreateReservationRequest& r) {
  Result<Channel> channel = ChannelFromProto(r.channel(), "channel", std::nullopt);
  if (!channel.ok()) return channel.status();
  Result<Duration> ttl =
      DurationFromProto(r.has_ttl() ? &r.ttl() : nullptr, "ttl", limits::kDefaultTtl);
  if (!ttl.ok()) return ttl.status();
  if (r.lines_size() > limits::kMaxLines) {
    return Status::InvalidArgument("lines",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  CreateReservation c{*channel,      LinesFromProto(r.lines()), GroupId(r.group_id()), *ttl,
                      r.reference(), r.allow_partial()};
  if (r.has_promise_by()) c.promise_by = FromProto(r.promise_by());
  return c;
}

Result<ExtendReservation> ToCommand(const v1::ExtendReservationRequest& r) {
  Result<Duration> ttl =
      DurationFromProto(r.has_ttl() ? &r.ttl() : nullptr, "ttl", limits::kDefaultTtl);
  if (!ttl.ok()) return ttl.status();
  return ExtendReservation{ReservationId(r.reservation_id()), *ttl};
}

Result<ReleaseReservation> ToCommand(const v1::ReleaseReservationRequest& r) {
  return ReleaseReservation{ReservationId(r.reservation_id()), r.reason()};
}

Result<CommitReservation> ToCommand(const v1::CommitReservationRequest& r) {
  if (r.lines_size() > limits::kMaxLines) {
    return Status::InvalidArgument("lines",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  return CommitReservation{ReservationId(r.reservation_id()), LinesFromProto(r.lines())};
}

Result<PlaceOrder> ToCommand(const v1::PlaceOrderRequest& r) {
  PlaceOrder c;
  c.customer = CustomerId(r.customer_id());
  c.pickup_location = LocationId(r.pickup_location_id());
  if (r.lines_size() > limits::kMaxLines) {
    return Status::InvalidArgument("lines",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  for (const auto& l : r.lines()) c.lines.push_back({Sku(l.sku()), {}, l.quantity()});
  c.reservation = ReservationId(r.reservation_id());
  if (r.has_hold_for()) {
    Result<Duration> hold = DurationFromProto(&r.hold_for(), "hold_for", Duration{});
    if (!hold.ok()) return hold.status();
    c.hold = *hold;
  }
  return c;
}

Result<StartPicking> ToCommand(const v1::StartPickingRequest& r) {
  return StartPicking{OrderId(r.order_id())};
}

Result<MarkReady> ToCommand(const v1::MarkReadyRequest& r) {
  MarkReady c{OrderId(r.order_id()), {}};
  if (r.picked_size() > limits::kMaxLines) {
    return Status::InvalidArgument("picked",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  for (const auto& p : r.picked()) c.picked.push_back({Sku(p.sku()), {}, p.quantity()});
  return c;
}

Result<ConfirmPickup> ToCommand(const v1::ConfirmPickupRequest& r) {
  return ConfirmPickup{OrderId(r.order_id()), r.pickup_code(), r.staff_override()};
}

Result<CancelOrder> ToCommand(const v1::CancelOrderRequest& r) {
  return CancelOrder{OrderId(r.order_id()), r.reason()};
}

Result<CreateReturn> ToCommand(const v1::CreateReturnRequest& r) {
  if (r.lines_size() > limits::kMaxLines) {
    return Status::InvalidArgument("lines",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  CreateReturn c;
  c.order_id = OrderId(r.order_id());
  c.reservation_id = ReservationId(r.reservation_id());
  c.location = LocationId(r.location_id());
  c.customer = CustomerId(r.customer_id());
  c.lines = ReturnedLinesFromProto(r.lines());
  c.reason = r.reason();
  c.reference = r.reference();
  return c;
}

Result<ResolveReturn> ToCommand(const v1::ResolveReturnRequest& r) {
  if (r.lines_size() > limits::kMaxLines) {
    return Status::InvalidArgument("lines",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  return ResolveReturn{ReturnId(r.return_id()), ReturnedLinesFromProto(r.lines())};
}

Result<ExpectInbound> ToCommand(const v1::ExpectInboundRequest& r) {
  Result<std::vector<InboundQuantity>> lines = InboundLinesFromProto(r.lines());
  if (!lines.ok()) return lines.status();
  return ExpectInbound{InboundId(r.inbound_id()), LocationId(r.location_id()),
                       ExpectedAt(r.has_expected_at(), r.expected_at()), std::move(lines).value()};
}

Result<RescheduleInbound> ToCommand(const v1::RescheduleInboundRequest& r) {
  return RescheduleInbound{InboundId(r.inbound_id()),
                           ExpectedAt(r.has_expected_at(), r.expected_at())};
}

Result<CancelInbound> ToCommand(const v1::CancelInboundRequest& r) {
  return CancelInbound{InboundId(r.inbound_id()), r.reason()};
}

Result<ReceiveInbound> ToCommand(const v1::ReceiveInboundRequest& r) {
  Result<std::vector<InboundQuantity>> lines = InboundLinesFromProto(r.lines());
  if (!lines.ok()) return lines.status();
  return ReceiveInbound{InboundId(r.inbound_id()), std::move(lines).value()};
}

}  // namespace oms::services

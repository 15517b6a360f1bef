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

}  // namespace

Result<Command> ToCommand(const v1::UpsertLocationRequest& r) {
  if (!r.has_location()) return Status::InvalidArgument("location", "is required");
  Result<Location> location = FromProto(r.location());
  if (!location.ok()) return location.status();
  return Command(UpsertLocation{*location});
}

Result<Command> ToCommand(const v1::UpsertLocationGroupRequest& r) {
  UpsertGroup c{GroupId(r.group_id()), {}};
  for (const auto& id : r.location_ids()) c.members.emplace_back(id);
  return Command(std::move(c));
}

Result<Command> ToCommand(const v1::AdjustStockRequest& r) {
  Result<MovementReason> reason = ReasonFromProto(r.reason(), "reason");
  if (!reason.ok()) return reason.status();
  return Command(AdjustStock{{Sku(r.sku()), LocationId(r.location_id())},
                             r.delta(),
                             *reason,
                             r.reference(),
                             Expected(r.has_expected_on_hand(), r.expected_on_hand())});
}

Result<Command> ToCommand(const v1::SetStockRequest& r) {
  return Command(SetStock{{Sku(r.sku()), LocationId(r.location_id())},
                          r.on_hand(),
                          r.reference(),
                          Expected(r.has_expected_on_hand(), r.expected_on_hand())});
}

Result<Command> ToCommand(const v1::TransferStockRequest& r) {
  return Command(TransferStock{Sku(r.sku()), LocationId(r.from_location_id()),
                               LocationId(r.to_location_id()), r.quantity(), r.reference()});
}

Result<Command> ToCommand(const v1::SetSafetyStockRequest& r) {
  return Command(SetSafetyStock{{Sku(r.sku()), LocationId(r.location_id())}, r.safety_stock()});
}

Result<Command> ToCommand(const v1::ImportStockRequest& r) {
  ImportStock c;
  c.reference = r.reference();
  c.rows.reserve(static_cast<size_t>(std::min(r.rows_size(), limits::kMaxImportRows + 1)));
  for (const auto& row : r.rows()) {
    c.rows.push_back({{Sku(row.sku()), LocationId(row.location_id())}, row.on_hand()});
    if (c.rows.size() > static_cast<size_t>(limits::kMaxImportRows)) break;  // rejected later
  }
  return Command(std::move(c));
}

Result<Command> ToCommand(const v1::CreateReservationRequest& r) {
  Result<Channel> channel = ChannelFromProto(r.channel(), "channel", std::nullopt);
  if (!channel.ok()) return channel.status();
  Result<Duration> ttl =
      DurationFromProto(r.has_ttl() ? &r.ttl() : nullptr, "ttl", limits::kDefaultTtl);
  if (!ttl.ok()) return ttl.status();
  if (r.lines_size() > limits::kMaxLines) {
    return Status::InvalidArgument("lines",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  return Command(CreateReservation{*channel, LinesFromProto(r.lines()), GroupId(r.group_id()), *ttl,
                                   r.reference(), r.allow_partial()});
}

Result<Command> ToCommand(const v1::ExtendReservationRequest& r) {
  Result<Duration> ttl =
      DurationFromProto(r.has_ttl() ? &r.ttl() : nullptr, "ttl", limits::kDefaultTtl);
  if (!ttl.ok()) return ttl.status();
  return Command(ExtendReservation{ReservationId(r.reservation_id()), *ttl});
}

Result<Command> ToCommand(const v1::ReleaseReservationRequest& r) {
  return Command(ReleaseReservation{ReservationId(r.reservation_id()), r.reason()});
}

Result<Command> ToCommand(const v1::CommitReservationRequest& r) {
  if (r.lines_size() > limits::kMaxLines) {
    return Status::InvalidArgument("lines",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  return Command(CommitReservation{ReservationId(r.reservation_id()), LinesFromProto(r.lines())});
}

Result<Command> ToCommand(const v1::PlaceOrderRequest& r) {
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
  return Command(std::move(c));
}

Result<Command> ToCommand(const v1::StartPickingRequest& r) {
  return Command(StartPicking{OrderId(r.order_id())});
}

Result<Command> ToCommand(const v1::MarkReadyRequest& r) {
  MarkReady c{OrderId(r.order_id()), {}};
  if (r.picked_size() > limits::kMaxLines) {
    return Status::InvalidArgument("picked",
                                   "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  for (const auto& p : r.picked()) c.picked.push_back({Sku(p.sku()), {}, p.quantity()});
  return Command(std::move(c));
}

Result<Command> ToCommand(const v1::ConfirmPickupRequest& r) {
  return Command(ConfirmPickup{OrderId(r.order_id()), r.pickup_code(), r.staff_override()});
}

Result<Command> ToCommand(const v1::CancelOrderRequest& r) {
  return Command(CancelOrder{OrderId(r.order_id()), r.reason()});
}

}  // namespace oms::services

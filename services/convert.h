// Proto <-> domain conversions for the oms.v1 messages. Enum values a client sends that
// this build does not know are INVALID_ARGUMENT, never a crash.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include "domain/availability.h"
#include "domain/commands.h"
#include "domain/inbound.h"
#include "domain/location.h"
#include "domain/reservation.h"
#include "domain/stock.h"
#include "oms/v1/common.pb.h"
#include "oms/v1/inbound_service.pb.h"
#include "oms/v1/inventory_service.pb.h"
#include "oms/v1/order_service.pb.h"
#include "oms/v1/reservation_service.pb.h"
#include "oms/v1/return_service.pb.h"

namespace oms::services {

google::protobuf::Timestamp ToProto(Timestamp t);
Timestamp FromProto(const google::protobuf::Timestamp& t);

void ToProto(const Location& in, v1::Location* out);
Result<Location> FromProto(const v1::Location& in);
void ToProto(const LocationGroup& in, v1::LocationGroup* out);
void ToProto(const StockKey& key, const StockLevel& level, v1::StockLevel* out);
void ToProto(const Movement& in, v1::Movement* out);
void ToProto(const SkuAvailability& in, v1::SkuAvailability* out);

// `now` decides whether an ACTIVE reservation past its expiry is shown as EXPIRED.
void ToProto(const Reservation& in, Timestamp now, v1::Reservation* out);
v1::ReservationState ToProto(ReservationState state);
// A TTL: unset means `fallback`; out-of-range values are rejected by validation.
Result<Duration> DurationFromProto(const google::protobuf::Duration* d, std::string_view field,
                                   Duration fallback);
std::vector<RequestedLine> LinesFromProto(
    const google::protobuf::RepeatedPtrField<v1::ReservationLine>& lines);

// `now` decides whether a ready order past its deadline is shown as EXPIRED.
void ToProto(const Order& in, Timestamp now, v1::Order* out);
v1::OrderState ToProto(OrderState state);
google::protobuf::Duration DurationToProto(Duration d);

// UNSPECIFIED becomes `fallback`; with no fallback it is rejected.
Result<Channel> ChannelFromProto(int value, std::string_view field,
                                 std::optional<Channel> fallback);
v1::Channel ToProto(Channel channel);
Result<MovementReason> ReasonFromProto(int value, std::string_view field);

void ToProto(const Return& in, v1::Return* out);
v1::ReturnState ToProto(ReturnState state);
v1::Disposition ToProto(Disposition disposition);
// UNSPECIFIED and unknown values become a Disposition that Validate rejects (INVALID_ARGUMENT
// on the line's disposition field), so the error names the line.
Disposition DispositionFromProto(int value);
std::vector<ReturnedLine> ReturnedLinesFromProto(
    const google::protobuf::RepeatedPtrField<v1::ReturnRequestLine>& lines);

void ToProto(const Inbound& in, v1::Inbound* out);
v1::InboundState ToProto(InboundState state);
void ToProto(const SkuFutureAvailability& in, v1::SkuFutureAvailability* out);

}  // namespace oms::services

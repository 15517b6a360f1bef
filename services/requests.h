// Requests -> commands: how every mutation of the API becomes a domain command. Handlers and
// the fuzzers share these, so what the fuzzers reach is exactly what clients reach.
#pragma once

#include "domain/commands.h"
#include "domain/status.h"
#include "oms/v1/inventory_service.pb.h"
#include "oms/v1/location_service.pb.h"
#include "oms/v1/order_service.pb.h"
#include "oms/v1/reservation_service.pb.h"

namespace oms::services {

Result<Command> ToCommand(const v1::UpsertLocationRequest& r);
Result<Command> ToCommand(const v1::UpsertLocationGroupRequest& r);
Result<Command> ToCommand(const v1::AdjustStockRequest& r);
Result<Command> ToCommand(const v1::SetStockRequest& r);
Result<Command> ToCommand(const v1::TransferStockRequest& r);
Result<Command> ToCommand(const v1::SetSafetyStockRequest& r);
Result<Command> ToCommand(const v1::ImportStockRequest& r);
Result<Command> ToCommand(const v1::CreateReservationRequest& r);
Result<Command> ToCommand(const v1::ExtendReservationRequest& r);
Result<Command> ToCommand(const v1::ReleaseReservationRequest& r);
Result<Command> ToCommand(const v1::CommitReservationRequest& r);
Result<Command> ToCommand(const v1::PlaceOrderRequest& r);
Result<Command> ToCommand(const v1::StartPickingRequest& r);
Result<Command> ToCommand(const v1::MarkReadyRequest& r);
Result<Command> ToCommand(const v1::ConfirmPickupRequest& r);
Result<Command> ToCommand(const v1::CancelOrderRequest& r);

}  // namespace oms::services

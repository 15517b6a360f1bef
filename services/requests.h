// Requests -> commands: how every mutation of the API becomes a domain command. Handlers and
// the fuzzers share these, so what the fuzzers reach is exactly what clients reach.
#pragma once

#include "domain/commands.h"
#include "domain/status.h"
#include "oms/v1/inbound_service.pb.h"
#include "oms/v1/inventory_service.pb.h"
#include "oms/v1/location_service.pb.h"
#include "oms/v1/order_service.pb.h"
#include "oms/v1/reservation_service.pb.h"
#include "oms/v1/return_service.pb.h"

namespace oms::services {

// Each request becomes the concrete command it asks for, so its handler's reply type follows
// (ReplyOf); AsCommand widens one to the Command variant.

Result<UpsertLocation> ToCommand(const v1::UpsertLocationRequest& r);
Result<UpsertGroup> ToCommand(const v1::UpsertLocationGroupRequest& r);
Result<AdjustStock> ToCommand(const v1::AdjustStockRequest& r);
Result<SetStock> ToCommand(const v1::SetStockRequest& r);
Result<TransferStock> ToCommand(const v1::TransferStockRequest& r);
Result<SetSafetyStock> ToCommand(const v1::SetSafetyStockRequest& r);
Result<ImportStock> ToCommand(const v1::ImportStockRequest& r);
Result<CreateReservation> ToCommand(const v1::CreateReservationRequest& r);
Result<ExtendReservation> ToCommand(const v1::ExtendReservationRequest& r);
Result<ReleaseReservation> ToCommand(const v1::ReleaseReservationRequest& r);
Result<CommitReservation> ToCommand(const v1::CommitReservationRequest& r);
Result<PlaceOrder> ToCommand(const v1::PlaceOrderRequest& r);
Result<StartPicking> ToCommand(const v1::StartPickingRequest& r);
Result<MarkReady> ToCommand(const v1::MarkReadyRequest& r);
Result<ConfirmPickup> ToCommand(const v1::ConfirmPickupRequest& r);
Result<CancelOrder> ToCommand(const v1::CancelOrderRequest& r);
Result<CreateReturn> ToCommand(const v1::CreateReturnRequest& r);
Result<ResolveReturn> ToCommand(const v1::ResolveReturnRequest& r);
Result<ExpectInbound> ToCommand(const v1::ExpectInboundRequest& r);
Result<RescheduleInbound> ToCommand(const v1::RescheduleInboundRequest& r);
Result<CancelInbound> ToCommand(const v1::CancelInboundRequest& r);
Result<ReceiveInbound> ToCommand(const v1::ReceiveInboundRequest& r);

template <CommandWithReply C>
Result<Command> AsCommand(Result<C> command) {
  if (!command.ok()) return command.status();
  return Command(std::move(command).value());
}

}  // namespace oms::services

// InventoryService (oms.v1): availability, stock levels, adjustments and the ledger.
#pragma once

#include "oms/v1/inventory_service.grpc.pb.h"
#include "services/backend.h"

namespace oms::services {

// WatchAvailability is registered raw: its stream writes the watch hub's encoded events as
// they are (services/watch_stream.h).
class InventoryService final : public v1::InventoryService::WithRawCallbackMethod_WatchAvailability<
                                   v1::InventoryService::CallbackService> {
 public:
  explicit InventoryService(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* GetAvailability(grpc::CallbackServerContext* context,
                                            const v1::GetAvailabilityRequest* request,
                                            v1::GetAvailabilityResponse* response) override;
  grpc::ServerUnaryReactor* GetFutureAvailability(
      grpc::CallbackServerContext* context, const v1::GetFutureAvailabilityRequest* request,
      v1::GetFutureAvailabilityResponse* response) override;
  grpc::ServerUnaryReactor* ListStock(grpc::CallbackServerContext* context,
                                      const v1::ListStockRequest* request,
                                      v1::ListStockResponse* response) override;
  grpc::ServerUnaryReactor* AdjustStock(grpc::CallbackServerContext* context,
                                        const v1::AdjustStockRequest* request,
                                        v1::AdjustStockResponse* response) override;
  grpc::ServerUnaryReactor* SetStock(grpc::CallbackServerContext* context,
                                     const v1::SetStockRequest* request,
                                     v1::SetStockResponse* response) override;
  grpc::ServerUnaryReactor* TransferStock(grpc::CallbackServerContext* context,
                                          const v1::TransferStockRequest* request,
                                          v1::TransferStockResponse* response) override;
  grpc::ServerUnaryReactor* SetSafetyStock(grpc::CallbackServerContext* context,
                                           const v1::SetSafetyStockRequest* request,
                                           v1::SetSafetyStockResponse* response) override;
  grpc::ServerUnaryReactor* ListMovements(grpc::CallbackServerContext* context,
                                          const v1::ListMovementsRequest* request,
                                          v1::ListMovementsResponse* response) override;
  // The request is a serialized WatchAvailabilityRequest; the stream sends AvailabilityChanged.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchAvailability(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* ImportStock(grpc::CallbackServerContext* context,
                                        const v1::ImportStockRequest* request,
                                        v1::ImportStockResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace oms::services

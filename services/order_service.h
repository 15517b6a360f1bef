// OrderService (oms.v1): buy online, pick up in store.
#pragma once

#include "oms/v1/order_service.grpc.pb.h"
#include "services/backend.h"

namespace oms::services {

// WatchOrders is registered raw: its stream writes the watch hub's encoded events as they are
// (services/watch_stream.h).
class OrderService final : public v1::OrderService::WithRawCallbackMethod_WatchOrders<
                               v1::OrderService::CallbackService> {
 public:
  explicit OrderService(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* PlaceOrder(grpc::CallbackServerContext* context,
                                       const v1::PlaceOrderRequest* request,
                                       v1::PlaceOrderResponse* response) override;
  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* context,
                                     const v1::GetOrderRequest* request,
                                     v1::GetOrderResponse* response) override;
  grpc::ServerUnaryReactor* ListOrders(grpc::CallbackServerContext* context,
                                       const v1::ListOrdersRequest* request,
                                       v1::ListOrdersResponse* response) override;
  grpc::ServerUnaryReactor* StartPicking(grpc::CallbackServerContext* context,
                                         const v1::StartPickingRequest* request,
                                         v1::StartPickingResponse* response) override;
  grpc::ServerUnaryReactor* MarkReady(grpc::CallbackServerContext* context,
                                      const v1::MarkReadyRequest* request,
                                      v1::MarkReadyResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmPickup(grpc::CallbackServerContext* context,
                                          const v1::ConfirmPickupRequest* request,
                                          v1::ConfirmPickupResponse* response) override;
  // The request is a serialized WatchOrdersRequest; the stream sends OrderEvent.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchOrders(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* CancelOrder(grpc::CallbackServerContext* context,
                                        const v1::CancelOrderRequest* request,
                                        v1::CancelOrderResponse* response) override;

 private:
  // Submits an order command whose reply fills `order`.
  template <typename C>
  grpc::ServerUnaryReactor* MutateOrder(grpc::CallbackServerContext* context,
                                        const Result<Principal>& who, const char* method,
                                        const google::protobuf::Message& request,
                                        const std::string& request_id, Result<C> command,
                                        google::protobuf::Message* response, v1::Order* order);

  Backend& backend_;
};

}  // namespace oms::services

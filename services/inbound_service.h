// InboundService (oms.v1): inbound supply — purchase orders and transfers in transit that are
// future availability until received, and serve preorders first when they are.
#pragma once

#include "oms/v1/inbound_service.grpc.pb.h"
#include "services/backend.h"

namespace oms::services {

class InboundService final : public v1::InboundService::CallbackService {
 public:
  explicit InboundService(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* ExpectInbound(grpc::CallbackServerContext* context,
                                          const v1::ExpectInboundRequest* request,
                                          v1::ExpectInboundResponse* response) override;
  grpc::ServerUnaryReactor* RescheduleInbound(grpc::CallbackServerContext* context,
                                              const v1::RescheduleInboundRequest* request,
                                              v1::RescheduleInboundResponse* response) override;
  grpc::ServerUnaryReactor* CancelInbound(grpc::CallbackServerContext* context,
                                          const v1::CancelInboundRequest* request,
                                          v1::CancelInboundResponse* response) override;
  grpc::ServerUnaryReactor* ReceiveInbound(grpc::CallbackServerContext* context,
                                           const v1::ReceiveInboundRequest* request,
                                           v1::ReceiveInboundResponse* response) override;
  grpc::ServerUnaryReactor* GetInbound(grpc::CallbackServerContext* context,
                                       const v1::GetInboundRequest* request,
                                       v1::GetInboundResponse* response) override;
  grpc::ServerUnaryReactor* ListInbound(grpc::CallbackServerContext* context,
                                        const v1::ListInboundRequest* request,
                                        v1::ListInboundResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace oms::services

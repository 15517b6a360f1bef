// ReturnService (oms.v1): return anywhere — units of a sale on any channel come back at any
// active location.
#pragma once

#include "oms/v1/return_service.grpc.pb.h"
#include "services/backend.h"

namespace oms::services {

class ReturnService final : public v1::ReturnService::CallbackService {
 public:
  explicit ReturnService(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* CreateReturn(grpc::CallbackServerContext* context,
                                         const v1::CreateReturnRequest* request,
                                         v1::CreateReturnResponse* response) override;
  grpc::ServerUnaryReactor* ResolveReturn(grpc::CallbackServerContext* context,
                                          const v1::ResolveReturnRequest* request,
                                          v1::ResolveReturnResponse* response) override;
  grpc::ServerUnaryReactor* GetReturn(grpc::CallbackServerContext* context,
                                      const v1::GetReturnRequest* request,
                                      v1::GetReturnResponse* response) override;
  grpc::ServerUnaryReactor* ListReturns(grpc::CallbackServerContext* context,
                                        const v1::ListReturnsRequest* request,
                                        v1::ListReturnsResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace oms::services

// AdminService (oms.v1): online backup and online verify, off the gRPC threads.
#pragma once

#include "oms/v1/admin_service.grpc.pb.h"
#include "services/backend.h"

namespace oms::services {

class AdminService final : public v1::AdminService::CallbackService {
 public:
  AdminService(Backend& backend, std::string db_path)
      : backend_(backend), db_path_(std::move(db_path)) {}

  grpc::ServerWriteReactor<v1::BackupChunk>* Backup(grpc::CallbackServerContext* context,
                                                    const v1::BackupRequest* request) override;
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const v1::VerifyRequest* request,
                                   v1::VerifyResponse* response) override;

 private:
  Backend& backend_;
  std::string db_path_;
};

}  // namespace oms::services

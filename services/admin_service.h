// AdminService (oms.v1): online backup and online verify, off the gRPC threads, one at a time.
#pragma once

#include "oms/v1/admin_service.grpc.pb.h"
#include "services/admin_worker.h"
#include "services/backend.h"
#include "storage/reader.h"

namespace oms::services {

class AdminService final : public v1::AdminService::CallbackService {
 public:
  // On the SQLite file at `db_path`.
  AdminService(Backend& backend, std::string db_path)
      : backend_(backend), db_path_(std::move(db_path)) {}
  // On PostgreSQL: verify on a connection `open` makes; no backup (PostgreSQL's own tools
  // back it up), FAILED_PRECONDITION.
  AdminService(Backend& backend, storage::ConnectionFactory open)
      : backend_(backend), open_(std::move(open)) {}

  // A backup or verify while another one runs: RESOURCE_EXHAUSTED, reason ADMIN_BUSY.
  grpc::ServerWriteReactor<v1::BackupChunk>* Backup(grpc::CallbackServerContext* context,
                                                    const v1::BackupRequest* request) override;
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const v1::VerifyRequest* request,
                                   v1::VerifyResponse* response) override;

  // Waits for the backup or verify in progress, then stops the worker. After the gRPC
  // server's shutdown, which ends every call.
  void Stop() { worker_.Stop(); }

 private:
  Backend& backend_;
  std::string db_path_;
  storage::ConnectionFactory open_;  // set: PostgreSQL
  AdminWorker worker_;
};

}  // namespace oms::services

// AdminService: the slow work (backup, verify) runs on a thread of its own, never on a gRPC
// callback thread; the reactors finish from there.
#include "services/admin_service.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "services/error_mapping.h"
#include "storage/verify.h"

namespace oms::services {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

// Takes the backup into a temp file beside the database, then streams it chunk by chunk.
class BackupStream final : public grpc::ServerWriteReactor<v1::BackupChunk> {
 public:
  BackupStream(std::string db_path) : db_path_(std::move(db_path)) {
    copy_path_ = db_path_ + ".backup-" + std::to_string(getpid()) + "-" +
                 std::to_string(reinterpret_cast<uintptr_t>(this));
    worker_ = std::thread([this] { Produce(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
    WriteNext();
  }

  void OnDone() override {
    worker_.join();
    std::error_code ec;
    std::filesystem::remove(copy_path_, ec);
    delete this;
  }

 private:
  void Produce() {
    Result<int64_t> size = storage::Backup(db_path_, copy_path_);
    if (!size.ok()) return Finish(ToGrpcStatus(size.status()));
    file_.open(copy_path_, std::ios::binary);
    chunk_.set_total_bytes(*size);
    WriteNext();
  }

  void WriteNext() {
    std::string data(kChunkBytes, '\0');
    file_.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<size_t>(file_.gcount()));
    if (data.empty()) return Finish(grpc::Status::OK);
    chunk_.set_data(std::move(data));
    StartWrite(&chunk_);
    chunk_.clear_total_bytes();
  }

  std::string db_path_;
  std::string copy_path_;
  std::ifstream file_;
  v1::BackupChunk chunk_;
  std::thread worker_;
};

}  // namespace

grpc::ServerWriteReactor<v1::BackupChunk>* AdminService::Backup(
    grpc::CallbackServerContext* context, const v1::BackupRequest* /*request*/) {
  Result<Principal> who = Admit(backend_, context, Action::kOperate);
  if (!who.ok()) {
    class Refused final : public grpc::ServerWriteReactor<v1::BackupChunk> {
     public:
      explicit Refused(const Status& s) { Finish(ToGrpcStatus(s)); }
      void OnDone() override { delete this; }
    };
    return new Refused(who.status());
  }
  return new BackupStream(db_path_);
}

grpc::ServerUnaryReactor* AdminService::Verify(grpc::CallbackServerContext* context,
                                               const v1::VerifyRequest* /*request*/,
                                               v1::VerifyResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kOperate);
  if (!who.ok()) return FinishWith(context, who.status());
  auto* reactor = context->DefaultReactor();
  std::thread([reactor, response, path = db_path_] {
    auto db = storage::Database::Open(path, {.read_only = true});
    Result<storage::VerifyReport> report =
        db.ok() ? storage::Verify(**db) : Result<storage::VerifyReport>(db.status());
    if (!report.ok()) return reactor->Finish(ToGrpcStatus(report.status()));
    response->set_ok(report->ok());
    for (const auto& p : report->problems) response->add_problems(p);
    response->set_stock_levels(report->stock_levels);
    response->set_movements(report->movements);
    response->set_reservations(report->reservations);
    response->set_orders(report->orders);
    response->set_events(report->events);
    reactor->Finish(grpc::Status::OK);
  }).detach();
  return reactor;
}

}  // namespace oms::services

// AdminService: the slow work (backup, verify, reading the copy) runs on the AdminWorker's
// thread, never on a gRPC callback thread; the reactors start writes and finish from there.
#include "services/admin_service.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "services/error_mapping.h"
#include "storage/verify.h"
#include "storage/sqlite.h"

namespace oms::services {
namespace {

constexpr size_t kChunkBytes = 1 << 20;

Status Busy() {
  Status s(Code::kResourceExhausted,
           "another backup or verify is in progress; retry when it has finished");
  s.WithReason(reason::kAdminBusy);
  return s;
}

// One read-only connection, closed again before the slot frees.
Result<storage::VerifyReport> VerifyFile(const std::string& path) {
  auto db = storage::SqliteDatabase::Open(path, {.read_only = true});
  if (!db.ok()) return db.status();
  return storage::Verify(**db);
}

// Takes the backup into a temp file beside the database, then streams it chunk by chunk.
// One write in flight: the worker fills `chunk_` and calls StartWrite; gRPC owns `chunk_`
// until OnWriteDone, which only hands the next read back to the worker.
class BackupStream final : public grpc::ServerWriteReactor<v1::BackupChunk> {
 public:
  // Holds `worker`'s slot (acquired by the caller) until it finishes the stream, so a client
  // that has read the stream's end may start the next backup or verify at once.
  BackupStream(AdminWorker& worker, std::string db_path)
      : worker_(worker), db_path_(std::move(db_path)) {
    copy_path_ = db_path_ + ".backup-" + std::to_string(getpid()) + "-" +
                 std::to_string(reinterpret_cast<uintptr_t>(this));
    worker_.Post([this] { Produce(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return End(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
    worker_.Post([this] { WriteNext(); });
  }

  void OnDone() override {
    worker_.Post([this] {
      file_.close();
      std::error_code ec;
      std::filesystem::remove(copy_path_, ec);
      delete this;
    });
  }

 private:
  // Called once, by whichever step ends the stream; nothing runs for it afterwards but OnDone.
  void End(const grpc::Status& status) {
    worker_.Release();
    Finish(status);
  }

  // On the worker: the consistent copy, then the first chunk.
  void Produce() {
    Result<int64_t> size = storage::Backup(db_path_, copy_path_);
    if (!size.ok()) return End(ToGrpcStatus(size.status()));
    file_.open(copy_path_, std::ios::binary);
    if (!file_) return End(grpc::Status(grpc::StatusCode::INTERNAL, "cannot read the copy"));
    total_bytes_ = *size;
    WriteNext();
  }

  // On the worker, with no write in flight: the next chunk, or the end of the stream.
  void WriteNext() {
    std::string* data = chunk_.mutable_data();
    data->resize(kChunkBytes);
    file_.read(data->data(), static_cast<std::streamsize>(data->size()));
    data->resize(static_cast<size_t>(file_.gcount()));
    if (file_.bad()) return End(grpc::Status(grpc::StatusCode::INTERNAL, "reading the copy"));
    if (data->empty()) {
      if (sent_bytes_ != total_bytes_) {
        return End(grpc::Status(grpc::StatusCode::INTERNAL, "the copy changed size"));
      }
      return End(grpc::Status::OK);
    }
    // total_bytes only on the first chunk.
    if (sent_bytes_ == 0) {
      chunk_.set_total_bytes(total_bytes_);
    } else {
      chunk_.clear_total_bytes();
    }
    sent_bytes_ += static_cast<int64_t>(data->size());
    StartWrite(&chunk_);  // `chunk_` is gRPC's until OnWriteDone
  }

  AdminWorker& worker_;
  std::string db_path_;
  std::string copy_path_;
  std::ifstream file_;
  int64_t total_bytes_ = 0;
  int64_t sent_bytes_ = 0;
  v1::BackupChunk chunk_;
};

class Refused final : public grpc::ServerWriteReactor<v1::BackupChunk> {
 public:
  explicit Refused(const Status& s) { Finish(ToGrpcStatus(s)); }
  void OnDone() override { delete this; }
};

}  // namespace

grpc::ServerWriteReactor<v1::BackupChunk>* AdminService::Backup(
    grpc::CallbackServerContext* context, const v1::BackupRequest* /*request*/) {
  Result<Principal> who = Admit(backend_, context, Action::kOperate);
  if (!who.ok()) return new Refused(who.status());
  if (open_) {
    return new Refused(Status(Code::kFailedPrecondition,
                              "this server runs on PostgreSQL: back it up with PostgreSQL's "
                              "tools (pg_dump, pg_basebackup), not with omsctl backup"));
  }
  if (!worker_.TryAcquire()) return new Refused(Busy());
  return new BackupStream(worker_, db_path_);
}

grpc::ServerUnaryReactor* AdminService::Verify(grpc::CallbackServerContext* context,
                                               const v1::VerifyRequest* /*request*/,
                                               v1::VerifyResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kOperate);
  if (!who.ok()) return FinishWith(context, who.status());
  if (!worker_.TryAcquire()) return FinishWith(context, Busy());
  auto* reactor = context->DefaultReactor();
  worker_.Post([this, reactor, response] {
    Result<storage::VerifyReport> report = [&]() -> Result<storage::VerifyReport> {
      if (!open_) return VerifyFile(db_path_);
      auto db = open_();
      if (!db.ok()) return db.status();
      return storage::Verify(**db);
    }();
    if (report.ok()) {
      response->set_ok(report->ok());
      for (const auto& p : report->problems) response->add_problems(p);
      response->set_stock_levels(report->stock_levels);
      response->set_movements(report->movements);
      response->set_reservations(report->reservations);
      response->set_orders(report->orders);
      response->set_events(report->events);
    }
    // Free before the reply, so a client that has its answer may start the next operation.
    worker_.Release();
    reactor->Finish(report.ok() ? grpc::Status::OK : ToGrpcStatus(report.status()));
  });
  return reactor;
}

}  // namespace oms::services

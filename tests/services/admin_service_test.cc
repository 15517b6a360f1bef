// AdminService against the real server: a backup of a database many chunks long arrives byte
// for byte, one backup or verify runs at a time (the next is RESOURCE_EXHAUSTED ADMIN_BUSY),
// and shutdown with a backup stream open ends it and removes the temp copy.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "oms/v1/admin_service.grpc.pb.h"
#include "storage/verify.h"
#include "tests/support/db_check.h"
#include "tests/support/live_server.h"

namespace oms::testing {
namespace {

constexpr int64_t kChunkBytes = 1 << 20;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class AdminTest : public ::testing::Test {
 protected:
  AdminTest() {
    server_.AddLocation("s1");
    admin_ = v1::AdminService::NewStub(server_.NewChannel());
  }

  // Imports `rows` stock rows with long SKUs: about 7 MiB of database for 12,000.
  void Fill(int rows) {
    for (int first = 0; first < rows; first += 1000) {
      v1::ImportStockRequest req;
      req.set_request_id(LiveServer::NextId("import"));
      for (int i = first; i < std::min(rows, first + 1000); ++i) {
        auto* row = req.add_rows();
        row->set_sku(fmt::format("sku-{:06}-{}", i, std::string(100, 'x')));
        row->set_location_id("s1");
        row->set_on_hand(1 + i % 50);
      }
      v1::ImportStockResponse resp;
      grpc::Status s = server_.inventory().ImportStock(Ctx(60).get(), req, &resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  // A channel whose receive window stays at HTTP/2's default (no BDP growth): a stream the
  // test stops reading cannot be flushed to it, so the server's backup stays in progress.
  std::unique_ptr<v1::AdminService::Stub> SlowReader() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    return v1::AdminService::NewStub(
        grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server_.server().port()),
                                  grpc::InsecureChannelCredentials(), args));
  }

  // Temp copies the backups left beside the database.
  int LeftoverCopies() {
    int n = 0;
    auto dir = std::filesystem::path(server_.db_path()).parent_path();
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().filename().string().find(".backup-") != std::string::npos) ++n;
    }
    return n;
  }

  LiveServer server_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(AdminTest, Backup_OfADatabaseOfManyChunks_StreamsTheConsistentCopyByteForByte) {
  Fill(12000);
  auto ctx = Ctx(60);
  auto reader = admin_->Backup(ctx.get(), {});
  std::string streamed;
  int64_t total = -1;
  int chunks = 0;
  v1::BackupChunk chunk;
  while (reader->Read(&chunk)) {
    if (chunks == 0) {
      total = chunk.total_bytes();
    } else {
      EXPECT_EQ(chunk.total_bytes(), 0) << "total_bytes only on the first chunk";
    }
    EXPECT_LE(static_cast<int64_t>(chunk.data().size()), kChunkBytes);
    streamed += chunk.data();
    ++chunks;
  }
  grpc::Status s = reader->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GT(total, 5 * kChunkBytes) << "the database must span several chunks";
  EXPECT_EQ(static_cast<int64_t>(streamed.size()), total);
  EXPECT_EQ(chunks, (total + kChunkBytes - 1) / kChunkBytes);

  // The same quiescent database, copied directly: the stream must equal it exactly.
  std::string direct_path = server_.db_path() + ".direct";
  ASSERT_TRUE(storage::Backup(server_.db_path(), direct_path).ok());
  std::string direct = ReadAll(direct_path);
  ASSERT_EQ(streamed.size(), direct.size());
  EXPECT_TRUE(streamed == direct) << "the streamed copy differs from a direct backup";
  std::string streamed_path = server_.db_path() + ".streamed";
  std::ofstream(streamed_path, std::ios::binary) << streamed;
  EXPECT_TRUE(DatabaseIsConsistent(streamed_path));
  EXPECT_EQ(LeftoverCopies(), 0);
}

TEST_F(AdminTest, BackupOrVerify_WhileABackupStreams_IsResourceExhaustedAdminBusy) {
  Fill(8000);
  auto slow = SlowReader();
  auto held_ctx = Ctx(60);
  auto held = slow->Backup(held_ctx.get(), {});
  v1::BackupChunk first;
  ASSERT_TRUE(held->Read(&first));  // the backup is running; the test stops reading here
  ASSERT_GT(first.total_bytes(), 4 * kChunkBytes);

  v1::VerifyResponse verify;
  grpc::Status s = admin_->Verify(Ctx().get(), {}, &verify);
  EXPECT_EQ(s.error_code(), grpc::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(ReasonOf(s), "ADMIN_BUSY");
  auto second_ctx = Ctx();
  auto second = admin_->Backup(second_ctx.get(), {});
  v1::BackupChunk chunk;
  EXPECT_FALSE(second->Read(&chunk));
  s = second->Finish();
  EXPECT_EQ(s.error_code(), grpc::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(ReasonOf(s), "ADMIN_BUSY");

  // Once the first backup has been read to its end, the next operation runs.
  int64_t received = static_cast<int64_t>(first.data().size());
  while (held->Read(&chunk)) received += static_cast<int64_t>(chunk.data().size());
  ASSERT_TRUE(held->Finish().ok());
  EXPECT_EQ(received, first.total_bytes());
  s = admin_->Verify(Ctx().get(), {}, &verify);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(verify.ok());
  EXPECT_EQ(verify.stock_levels(), 8000);
}

TEST_F(AdminTest, Shutdown_WithABackupStreamOpen_EndsItAndRemovesTheTempCopy) {
  Fill(6000);
  auto slow = SlowReader();
  auto ctx = Ctx(60);
  auto held = slow->Backup(ctx.get(), {});
  v1::BackupChunk first;
  ASSERT_TRUE(held->Read(&first));
  EXPECT_EQ(LeftoverCopies(), 1);
  server_.Stop();  // waits for the stream to end and its cleanup to run
  EXPECT_EQ(LeftoverCopies(), 0);
  v1::BackupChunk chunk;
  while (held->Read(&chunk)) {
  }
  EXPECT_FALSE(held->Finish().ok()) << "the stream ended early, so it cannot report success";
}

}  // namespace
}  // namespace oms::testing

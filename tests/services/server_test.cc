// services::Server as omsd runs it: start-up on a temp database, the schema it reports,
// clean failures for unusable databases and addresses, and an idempotent Shutdown.
#include "services/server.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>
#include <regex>

#include "services/log.h"
#include "storage/schema.h"
#include "tests/support/temp_dir.h"

namespace oms::testing {
namespace {

services::ServerOptions Options(const TempDir& dir, const std::string& listen = "127.0.0.1:0") {
  services::ServerOptions options;
  options.listen = listen;
  options.db_path = dir.File("oms.db");
  return options;
}

TEST(ServerTest, Start_OnANewDatabase_ListensOnAnEphemeralPortAtTheLatestSchema) {
  TempDir dir;
  auto server = services::Server::Start(Options(dir));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_GT((*server)->port(), 0);
  EXPECT_EQ((*server)->schema_version(), storage::LatestSchemaVersion());
}

TEST(ServerTest, Start_WithTheDatabaseInAMissingDirectory_FailsWithAStatus) {
  TempDir dir;
  services::ServerOptions options = Options(dir);
  options.db_path = dir.File("missing/oms.db");
  auto server = services::Server::Start(options);
  EXPECT_FALSE(server.ok());
}

TEST(ServerTest, Start_OnAnUnparsableAddress_FailsWithAStatus) {
  TempDir dir;
  auto server = services::Server::Start(Options(dir, "127.0.0.1:notaport"));
  EXPECT_FALSE(server.ok());
}

TEST(ServerTest, Shutdown_TwiceIsHarmless) {
  TempDir dir;
  auto server = services::Server::Start(Options(dir));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  (*server)->Shutdown(std::chrono::seconds(1));
  (*server)->Shutdown(std::chrono::seconds(1));
}

// Regression: gRPC enables SO_REUSEPORT by default; a second omsd on a port in use used to
// start "successfully" and share connections with the first. The server now turns it off.
TEST(ServerTest, Start_OnAPortAnotherServerListensOn_FailsWithAStatus) {
  TempDir first_dir, second_dir;
  auto first = services::Server::Start(Options(first_dir));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second =
      services::Server::Start(Options(second_dir, "127.0.0.1:" + std::to_string((*first)->port())));
  EXPECT_FALSE(second.ok());
}

// Regression: a second omsd used to open a database another omsd was serving, each with its
// own authoritative memory (colliding sequences, stale answers). The store now holds an
// exclusive lock on "<db>-lock" for its lifetime.
TEST(ServerTest, Start_OnADatabaseAnotherServerServes_FailsWithAStatus) {
  TempDir dir;
  auto first = services::Server::Start(Options(dir));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = services::Server::Start(Options(dir));
  EXPECT_FALSE(second.ok());
}

// A request that is not a valid message (here: invalid UTF-8 in a string field) is refused by
// gRPC before any handler runs. The client gets a status, the server keeps serving, and the
// library's complaint reaches the log as a structured line, rate-limited.
TEST(ServerTest, AnUnparsableRequest_IsRefused_AndLoggedAtABoundedRate) {
  TempDir dir;
  auto server = services::Server::Start(Options(dir));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  services::RouteProtobufLogs();
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  auto call = [&](std::string bytes) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/oms.v1.LocationService/GetLocation", {}, &request, &response,
                   [&](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  };
  ::testing::internal::CaptureStderr();
  constexpr int kBadCalls = 40;
  for (int i = 0; i < kBadCalls; ++i) {
    grpc::Status s = call(std::string("\x0a\x02\xff\xfe", 4));
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.error_code(), grpc::StatusCode::INTERNAL);
  }
  std::string log = ::testing::internal::GetCapturedStderr();
  // Still serving: a well-formed request for a missing location is an ordinary NOT_FOUND.
  EXPECT_EQ(call("\x0a\x03"
                 "abc")
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
  std::regex line("level=error event=protobuf source=\\S+ message=\".*UTF-8.*\"");
  int lines = 0;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), line); it != std::sregex_iterator();
       ++it) {
    ++lines;
  }
  EXPECT_GE(lines, 1) << log;
  // Five per second; the burst may straddle a second boundary or two on a slow machine.
  EXPECT_LT(lines, kBadCalls) << log;
}

}  // namespace
}  // namespace oms::testing

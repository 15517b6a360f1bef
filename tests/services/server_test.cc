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
// gRPC before any handler runs (the status is checked in inventory_rpc_test.cc). Protobuf's
// complaint reaches the log as a structured line, and a flood of such requests is cut to a
// few lines per second.
TEST(ServerTest, UnparsableRequests_AreLoggedStructured_AtABoundedRate) {
  TempDir dir;
  auto server = services::Server::Start(Options(dir));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  services::RouteProtobufLogs();
  grpc::GenericStub stub(grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                             grpc::InsecureChannelCredentials()));
  constexpr int kBadCalls = 40;
  ::testing::internal::CaptureStderr();
  for (int i = 0; i < kBadCalls; ++i) {
    grpc::Slice slice(std::string("\x0a\x02\xff\xfe", 4));  // GetLocation{location_id: bad}
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    std::promise<grpc::Status> done;
    stub.UnaryCall(&ctx, "/oms.v1.LocationService/GetLocation", {}, &request, &response,
                   [&](grpc::Status s) { done.set_value(std::move(s)); });
    EXPECT_FALSE(done.get_future().get().ok());
  }
  std::string log = ::testing::internal::GetCapturedStderr();
  std::regex line("level=error event=protobuf source=\\S+ message=\".*UTF-8.*\"");
  auto lines =
      std::distance(std::sregex_iterator(log.begin(), log.end(), line), std::sregex_iterator());
  EXPECT_GE(lines, 1) << log;
  // Five per second; the burst may straddle a second boundary or two on a slow machine.
  EXPECT_LE(lines, 15) << log;
}

}  // namespace
}  // namespace oms::testing

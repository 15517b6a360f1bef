// services::Server as omsd runs it: start-up on a temp database, the schema it reports,
// clean failures for unusable databases and addresses, and an idempotent Shutdown.
#include "services/server.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace oms::testing

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

// BUG (services/server.cc, Server::Start): gRPC enables SO_REUSEPORT by default, and the
// ServerBuilder does not turn it off (GRPC_ARG_ALLOW_REUSEPORT = 0). A second omsd on a port
// already in use therefore starts "successfully" and the kernel splits connections between
// two servers with different databases, contrary to server.h ("Fails with a clear status if
// ... the address cannot be bound").
TEST(ServerTest, Start_OnAPortAnotherServerListensOn_FailsWithAStatus) {
  GTEST_SKIP() << "bug: services/server.cc does not disable SO_REUSEPORT; a second server "
                  "binds the same port";
  TempDir first_dir, second_dir;
  auto first = services::Server::Start(Options(first_dir));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second =
      services::Server::Start(Options(second_dir, "127.0.0.1:" + std::to_string((*first)->port())));
  EXPECT_FALSE(second.ok());
}

// BUG (storage/sqlite_store.cc, SqliteStore::Open; services/server.cc): nothing stops a second
// omsd from opening a database another omsd is serving. Each keeps its own authoritative
// in-memory state and counters: the second one's writes collide on event sequences and
// movement ids (its clients get INTERNAL "UNIQUE constraint failed: events.sequence"), and it
// answers from stale memory (NOT_FOUND for a location the first one created). The
// single-writer design needs the file held exclusively (an flock'd lock file, or
// PRAGMA locking_mode=EXCLUSIVE on the writer connection).
TEST(ServerTest, Start_OnADatabaseAnotherServerServes_FailsWithAStatus) {
  GTEST_SKIP() << "bug: a second server opens a database that another server is serving";
  TempDir dir;
  auto first = services::Server::Start(Options(dir));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = services::Server::Start(Options(dir));
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace oms::testing

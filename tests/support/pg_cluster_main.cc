// pg_test_cluster start|stop STATE: the one PostgreSQL cluster of a ctest run (a fixture: see
// tests/CMakeLists.txt), in a temp dir that the file STATE names (with its conninfo). Without PostgreSQL installed, start succeeds and starts nothing, so
// the tests that need it skip (unless OMS_REQUIRE_POSTGRES=1).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/support/pg_cluster.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pg_test_cluster start|stop STATE\n");
    return 2;
  }
  const std::string verb = argv[1], state = argv[2];
  using oms::testing::PgCluster;
  // What a previous, interrupted run left is stopped first.
  PgCluster::StopFromState(state);
  if (verb == "stop") return 0;
  if (verb != "start") return 2;
  const char* required = std::getenv("OMS_REQUIRE_POSTGRES");
  if (PgCluster::BinDir().empty()) {
    std::printf("PostgreSQL is not installed: its tests will skip\n");
    return required && std::string(required) == "1" ? 1 : 0;
  }
  std::string dir = PgCluster::StartWithState(state);
  if (dir.empty()) return 1;
  std::printf("PostgreSQL test cluster in %s\n", dir.c_str());
  return 0;
}

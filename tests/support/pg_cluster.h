// A throwaway PostgreSQL cluster for tests: initdb and pg_ctl from the newest
// /usr/lib/postgresql/*/bin into a temp dir, on a unix socket only (listen_addresses=''),
// trust auth for user oms. PostgreSQL refuses to run as root: as root the server runs as the
// `postgres` user (runuser), and the dir is theirs.
//
// ctest starts one cluster for the whole run (the pg_cluster_start fixture, through
// pg_test_cluster), and OMS_TEST_POSTGRES names the file holding its conninfo and dir; a test
// binary run by hand starts its own, removed at exit. Each test takes a schema of its own
// (NewSchemaConninfo), so tests never see each other's rows.
#pragma once

#include <memory>
#include <string>

namespace oms::storage {
class PgStore;
}

namespace oms::testing {

class PgCluster {
 public:
  // The cluster for this process, or nullptr when PostgreSQL is not installed (with
  // OMS_REQUIRE_POSTGRES=1 that aborts instead, with a message: CI must not skip).
  static PgCluster* Shared();

  // Starts a cluster in `dir` (created if missing) and writes `dir`/conninfo; false, with
  // the server's log on stderr, when it cannot.
  static bool Start(const std::string& dir);
  // Stops the cluster in `dir` (immediate mode) and removes `dir`.
  static void Stop(const std::string& dir);
  // Start in a new temp dir and write "<conninfo>\n<dir>\n" to `state`; returns the dir, or
  // "" when it could not start. StopFromState stops what `state` names and removes both.
  static std::string StartWithState(const std::string& state);
  static void StopFromState(const std::string& state);
  // The newest installed PostgreSQL's bin dir, or "" when none is.
  static std::string BinDir();

  // libpq connection strings: the cluster's `postgres` database, and one whose search_path
  // is a new empty schema.
  const std::string& conninfo() const { return conninfo_; }
  std::string NewSchemaConninfo();

 private:
  explicit PgCluster(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  std::string conninfo_;
  int next_schema_ = 0;
};

// A PgStore on `conninfo` (tests: the default options, no event encoder); aborts the test
// binary with the reason when it cannot open, since nothing after it could run.
std::unique_ptr<storage::PgStore> OpenPgStoreOrAbort(const std::string& conninfo);

}  // namespace oms::testing

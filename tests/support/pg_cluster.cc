// PgCluster: the commands run through /bin/sh with quoted paths; every step's exit status is
// checked, and a failed start prints the server's log.
#include "tests/support/pg_cluster.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "storage/pg.h"
#include "storage/pg_store.h"

namespace oms::testing {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// As root, the server's commands run as `postgres`.
std::string As() { return ::geteuid() == 0 ? "runuser -u postgres -- " : ""; }

bool Run(const std::string& command) { return std::system(command.c_str()) == 0; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void StopOwn();
std::string own_dir;  // the cluster this process started, stopped at exit

void StopOwn() {
  if (!own_dir.empty()) PgCluster::Stop(own_dir);
}

}  // namespace

std::string PgCluster::BinDir() {
  std::string best;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string bin = entry.path().string() + "/bin";
    if (!std::filesystem::exists(bin + "/pg_ctl", ec)) continue;
    // Versions are numbers: the longer name, then the larger, is the newer.
    if (best.empty() || bin.size() > best.size() || (bin.size() == best.size() && bin > best)) {
      best = bin;
    }
  }
  return best;
}

bool PgCluster::Start(const std::string& dir) {
  const std::string bin = BinDir();
  if (bin.empty()) return false;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0755);
  if (::geteuid() == 0 && !Run("chown postgres " + Quote(dir))) return false;
  const std::string data = dir + "/data", log = dir + "/pg.log";
  if (!Run(As() + Quote(bin + "/initdb") + " -D " + Quote(data) +
           " -U oms --auth=trust -E UTF8 --locale=C >/dev/null")) {
    std::fprintf(stderr, "pg_cluster: initdb failed in %s\n", dir.c_str());
    return false;
  }
  // fsync stays on: the tests exercise the durable path.
  if (!Run(As() + Quote(bin + "/pg_ctl") + " -D " + Quote(data) + " -l " + Quote(log) +
           " -w -t 60 start -o " +
           Quote("-k " + dir + " -c listen_addresses='' -c max_connections=300") + " >/dev/null")) {
    std::fprintf(stderr, "pg_cluster: the server did not start; its log:\n%s\n",
                 ReadAll(log).c_str());
    return false;
  }
  std::ofstream(dir + "/conninfo") << "host=" << dir << " user=oms dbname=postgres";
  return true;
}

void PgCluster::Stop(const std::string& dir) {
  const std::string bin = BinDir();
  if (!bin.empty() && std::filesystem::exists(dir + "/data")) {
    (void)Run(As() + Quote(bin + "/pg_ctl") + " -D " + Quote(dir + "/data") +
              " -m immediate stop >/dev/null 2>&1");
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

namespace {

// A fresh dir under $TMPDIR (the server's user must reach it; a build tree may be private).
std::string NewTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/oms-pg-XXXXXX";
  return ::mkdtemp(pattern.data()) ? pattern : std::string();
}

std::string Line(const std::string& text, int n) {
  std::istringstream in(text);
  std::string line;
  for (int i = 0; i <= n; ++i) {
    if (!std::getline(in, line)) return "";
  }
  return line;
}

}  // namespace

std::string PgCluster::StartWithState(const std::string& state) {
  std::string dir = NewTempDir();
  if (dir.empty()) return "";
  if (!Start(dir)) {
    Stop(dir);
    return "";
  }
  std::ofstream(state) << ReadAll(dir + "/conninfo") << "\n" << dir << "\n";
  return dir;
}

void PgCluster::StopFromState(const std::string& state) {
  std::string dir = Line(ReadAll(state), 1);
  if (!dir.empty()) Stop(dir);
  std::error_code ec;
  std::filesystem::remove(state, ec);
}

PgCluster* PgCluster::Shared() {
  static PgCluster* shared = []() -> PgCluster* {
    const char* required = std::getenv("OMS_REQUIRE_POSTGRES");
    auto missing = [&](const char* why) -> PgCluster* {
      if (required && std::string(required) == "1") {
        std::fprintf(stderr, "OMS_REQUIRE_POSTGRES=1, but %s\n", why);
        std::abort();
      }
      return nullptr;
    };
    std::string conninfo;
    if (const char* state = std::getenv("OMS_TEST_POSTGRES"); state && *state) {
      conninfo = Line(ReadAll(state), 0);
      if (conninfo.empty()) return missing("the test cluster (OMS_TEST_POSTGRES) did not start");
    } else {
      if (BinDir().empty()) return missing("PostgreSQL is not installed");
      std::string pattern = NewTempDir();
      if (pattern.empty()) return missing("no temp dir for a cluster");
      if (!Start(pattern)) {
        Stop(pattern);
        return missing("a PostgreSQL cluster could not be started");
      }
      own_dir = pattern;
      std::atexit(StopOwn);
      conninfo = ReadAll(pattern + "/conninfo");
    }
    return new PgCluster(conninfo);
  }();
  return shared;
}

std::string PgCluster::NewSchemaConninfo() {
  static std::mutex mu;
  std::lock_guard lock(mu);
  const std::string schema =
      "t_" + std::to_string(::getpid()) + "_" + std::to_string(++next_schema_);
  auto db = storage::PgDatabase::Open(conninfo_);
  if (!db.ok() || !(*db)->Exec("CREATE SCHEMA " + schema).ok()) {
    std::fprintf(stderr, "pg_cluster: cannot create schema %s: %s\n", schema.c_str(),
                 db.ok() ? "CREATE SCHEMA failed" : db.status().ToString().c_str());
    std::abort();
  }
  return conninfo_ + " options='-c search_path=" + schema + "'";
}

std::unique_ptr<storage::PgStore> OpenPgStoreOrAbort(const std::string& conninfo) {
  auto opened = storage::PgStore::Open({.conninfo = conninfo}, nullptr);
  if (!opened.ok()) {
    std::fprintf(stderr, "cannot open a PgStore: %s\n", opened.status().ToString().c_str());
    std::abort();
  }
  return std::move(opened).value();
}

}  // namespace oms::testing

// omsd: the oms server. Flags -> options -> storage -> writer -> services -> serve until
// SIGINT/SIGTERM, then drain and exit 0.
#include <absl/synchronization/mutex.h>
#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "domain/limits.h"
#include "services/duration_flag.h"
#include "services/log.h"
#include "services/server.h"
#include "storage/schema.h"
#include "storage/pg.h"
#include "storage/sqlite.h"
#include "storage/verify.h"

namespace {

// The help footer: every row of limits::kAll.
std::string LimitsText() {
  std::string text = "Limits:\n";
  for (const auto& limit : oms::limits::kAll) {
    text += fmt::format("  {:<32} {}{}{}\n", limit.what, limit.value, limit.unit.empty() ? "" : " ",
                        limit.unit);
  }
  return text;
}

// `omsd verify`: every invariant on a (stopped or running) server's database: the SQLite
// file at `path`, or PostgreSQL at `conninfo` when it is set.
int RunVerify(const std::string& path, const std::string& conninfo) {
  std::unique_ptr<oms::storage::Database> db;
  const std::string where = conninfo.empty() ? path : oms::storage::RedactConninfo(conninfo);
  oms::Status opened = oms::Status::Ok();
  if (conninfo.empty()) {
    auto file = oms::storage::SqliteDatabase::Open(path, {.read_only = true});
    if (file.ok()) db = std::move(file).value(); else opened = file.status();
  } else {
    auto pg = oms::storage::PgDatabase::Open(conninfo);
    if (pg.ok()) db = std::move(pg).value(); else opened = pg.status();
  }
  if (!db) {
    fmt::print(stderr, "omsd verify: cannot open {}: {}\n", where, opened.ToString());
    return 2;
  }
  auto report = oms::storage::Verify(*db);
  if (!report.ok()) {
    fmt::print(stderr, "omsd verify: {}\n", report.status().ToString());
    return 2;
  }
  fmt::print("verified {}: {} stock levels, {} movements, {} reservations, {} orders, {} events\n",
             where, report->stock_levels, report->movements, report->reservations, report->orders,
             report->events);
  for (const auto& p : report->problems) fmt::print("VIOLATION {}\n", p);
  fmt::print("{}\n", report->ok() ? "ok: every invariant holds" : "FAILED");
  return report->ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"omsd: real-time inventory and order management server (oms.v1 over gRPC)"};
  oms::services::ServerOptions options;
  std::string durability = "full";
  app.add_option("--listen", options.listen, "address to serve gRPC on")->capture_default_str();
  app.add_option("--db", options.db_path, "SQLite database file (created if missing)")
      ->capture_default_str();
  app.add_option("--postgres", options.postgres,
                 "CONNINFO: keep the data in PostgreSQL instead of --db (a libpq connection "
                 "string or URI, e.g. 'host=/run/postgresql dbname=oms'); several omsd may "
                 "share one database, one of them writing at a time");
  app.add_option("--advertise", options.advertise,
                 "the address other replicas reach this one at (default: --listen)");
  std::string lease_ttl = "5s";
  app.add_option("--lease-ttl", lease_ttl,
                 "DURATION: with --postgres, how long the writer's lease lasts unless a batch "
                 "renews it; another replica may take over after it lapses")
      ->capture_default_str();
  app.add_option("--durability", durability,
                 "full: fsync every commit (default); normal: WAL without fsync per commit, "
                 "faster, may lose the last commits on power loss")
      ->check(CLI::IsMember({"full", "normal"}))
      ->capture_default_str();
  app.add_option("--pipeline", options.writer.pipelined,
                 "with full durability, overlap each batch's fsync with the next batch "
                 "(replies still wait for their own fsync); false: one batch at a time")
      ->capture_default_str();
  app.add_option(
         "--tokens", options.auth.tokens_path,
         "tokens file: 'TOKEN ROLE [STORE_ID,...] [name=NAME]' per line (roles: admin, "
         "checkout, store, viewer); re-read on SIGHUP. Without it omsd serves loopback only")
      ->check(CLI::ExistingFile);
  app.add_option("--rate-limit", options.auth.rate_per_token,
                 "requests per second per token (burst: twice that); 0 = unlimited")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--tls-cert", options.tls_cert, "TLS certificate chain (PEM)")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", options.tls_key, "TLS private key (PEM)")->check(CLI::ExistingFile);
  app.add_option("--tls-client-ca", options.tls_client_ca,
                 "require client certificates signed by this CA (mutual TLS)")
      ->check(CLI::ExistingFile);
  app.add_option("--metrics-listen", options.metrics_listen,
                 "serve Prometheus /metrics on host:port (off by default)");
  app.add_option("--max-streams", options.max_concurrent_streams,
                 "concurrent HTTP/2 streams per connection")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--http-listen", options.http_listen,
                 "also serve HTTP/1.1 on host:port: every unary RPC as POST "
                 "/oms.v1.<Service>/<Method> with JSON, Server-Sent Events at /v1/watch/..., "
                 "and the store console at / (off by default; same tokens and TLS flags)");
  int64_t pickup_hold_h = oms::limits::kDefaultPickupHold.count();
  app.add_option("--pickup-hold", pickup_hold_h,
                 "hours a ready pickup order waits for its customer before it expires")
      ->check(CLI::Range(int64_t{oms::limits::kMinPickupHold.count()},
                         int64_t{oms::limits::kMaxPickupHold.count()}))
      ->capture_default_str();
  std::string inbound_grace = "72h";
  app.add_option("--inbound-grace", inbound_grace,
                 "DURATION (e.g. 72h, 30m, 90s): an inbound not fully received this long after "
                 "its expected_at is overdue and no longer counts as future supply; preorders "
                 "pegged to it move to another inbound or are at risk")
      ->capture_default_str();
  app.footer(LimitsText());
  std::string verify_db = "oms.db";
  std::string verify_postgres;
  CLI::App* verify = app.add_subcommand(
      "verify", "check every invariant of a database and exit (non-zero on violations)");
  verify->add_option("--db", verify_db, "database file")->capture_default_str();
  verify->add_option("--postgres", verify_postgres, "CONNINFO: a PostgreSQL database instead");
  CLI11_PARSE(app, argc, argv);
  if (*verify) return RunVerify(verify_db, verify_postgres);
  oms::services::RouteProtobufLogs();
  options.durability_full = durability == "full";
  options.pickup_hold = std::chrono::hours(pickup_hold_h);
  auto grace = oms::services::ParseDurationFlag("--inbound-grace", inbound_grace);
  if (!grace.ok()) {
    fmt::print(stderr, "omsd: {}\n", grace.status().ToString());
    return 2;
  }
  options.inbound_grace = *grace;
  auto ttl = oms::services::ParseDurationFlag("--lease-ttl", lease_ttl);
  if (!ttl.ok() || *ttl < std::chrono::milliseconds(500) || *ttl > std::chrono::minutes(10)) {
    fmt::print(stderr, "omsd: --lease-ttl {}: {}\n", lease_ttl,
               ttl.ok() ? "must be between 500ms and 10m" : ttl.status().ToString());
    return 2;
  }
  options.lease_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(*ttl);

  // Every connection is a descriptor: raise the soft limit to the hard one (Debian's default
  // soft limit of 1,024 would refuse clients long before --max-streams or the HTTP limits).
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  // Block the stop signals in every thread; main waits for them synchronously.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Debian's Abseil records every nested absl::Mutex acquisition in a lock-order graph to
  // detect deadlocks (a debug aid): ~10 % of omsd's CPU on an empty gRPC call, measured with
  // perf. gRPC's locks are the only absl ones here and are tested upstream; omsd's own are
  // std::mutex.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  auto server = oms::services::Server::Start(options);
  if (!server.ok()) {
    fmt::print(stderr, "omsd: cannot start: {}\n", server.status().ToString());
    return 1;
  }
  if (options.postgres.empty()) {
    fmt::print(
        "omsd: serving oms.v1 on {} (port {}), db={} schema_version={} durability={}\n",
        options.listen, (*server)->port(), options.db_path, (*server)->schema_version(),
        durability == "full" && options.writer.pipelined ? "full (pipelined fsync)" : durability);
  } else {
    fmt::print("omsd: serving oms.v1 on {} (port {}), postgres=\"{}\" schema_version={}\n",
               options.listen, (*server)->port(), oms::storage::RedactConninfo(options.postgres),
               (*server)->schema_version());
  }
  if ((*server)->metrics_port() != 0) {
    fmt::print("omsd: serving Prometheus /metrics on {} (port {})\n", options.metrics_listen,
               (*server)->metrics_port());
  }
  if ((*server)->http_port() != 0) {
    fmt::print("omsd: serving HTTP/JSON and the store console on {} (port {})\n",
               options.http_listen, (*server)->http_port());
  }
  std::fflush(stdout);

  int signal = 0;
  for (;;) {
    sigwait(&stop_signals, &signal);
    if (signal != SIGHUP) break;
    oms::Status reloaded = (*server)->ReloadTokens();
    if (reloaded.ok()) {
      fmt::print("omsd: event=tokens_reloaded\n");
    } else {
      fmt::print(stderr, "omsd: event=tokens_reload_failed error=\"{}\" (old tokens kept)\n",
                 reloaded.message());
    }
    std::fflush(stdout);
  }
  fmt::print("omsd: {} received, draining\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stdout);
  (*server)->Shutdown();
  fmt::print("omsd: stopped cleanly\n");
  return 0;
}

// The failover driver's fencing mode: SIGSTOP the leader (inside a batch transaction when it
// can catch one) past its lease, let another replica take over and commit, SIGCONT the old
// one: it must commit nothing more and step down (see failover_loop.cc).
#include <fmt/core.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <thread>

#include "tests/e2e/failover_run.h"

namespace oms::e2e {
namespace {

// ---------------------------------------------------------------------------------------------
// Fencing.

// libpq, for looking at the writer's session.
class Pg {
 public:
  explicit Pg(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {}
  ~Pg() { PQfinish(conn_); }
  Pg(const Pg&) = delete;
  Pg& operator=(const Pg&) = delete;
  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  std::string error() const { return PQerrorMessage(conn_); }
  // The first column of the first row as a number; -1 on error.
  int64_t Number(const char* sql) {
    PGresult* r = PQexec(conn_, sql);
    int64_t n = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
      n = std::atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
  }

 private:
  PGconn* conn_;
};

// omsd's writer session idle inside a batch transaction. The lock on this schema's oms_lease
// (every batch renews the lease first) tells this test's writer from other tests' writers
// sharing the cluster under ctest.
constexpr char kMidBatch[] =
    "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
    "WHERE a.application_name = 'omsd-writer' AND a.state = 'idle in transaction' "
    "AND l.relation = 'oms_lease'::regclass";

struct Freeze {
  int attempts = 0;
  bool mid_transaction = false;
};

// SIGSTOPs `r`, and SIGCONTs and tries again (up to 50 times) until it froze inside a batch
// transaction; the last attempt stays frozen either way.
Freeze FreezeMidBatch(Replica& r, Pg& pg, std::mt19937_64& rng) {
  Freeze f;
  for (f.attempts = 1;; ++f.attempts) {
    r.Freeze();
    if (pg.Number(kMidBatch) > 0) return f.mid_transaction = true, f;
    std::this_thread::sleep_for(milliseconds(3));  // a statement may just be finishing
    if (pg.Number(kMidBatch) > 0) return f.mid_transaction = true, f;
    if (f.attempts == 50) return f;
    r.Thaw();
    std::this_thread::sleep_for(milliseconds(2 + rng() % 20));
  }
}

struct Window {
  int round, replica;
  Clock::time_point frozen, thawed;
};

// Mutations through the new leader while the old one is frozen; the first one's latency.
bool WriteThrough(Run& run, int leader, int round, Clock::time_point since, int64_t* first_ms) {
  Client client(run.cluster->addresses(), leader, run.ledger, seconds(2), seconds(15));
  for (int i = 0; i < 10; ++i) {
    std::string id = fmt::format("fence{}-{}", round, i);
    std::string bytes;
    if (!MustAck(client, run.ledger, kCreate, Reserve(id + "-r", "k0"), &bytes)) return false;
    if (i == 0) *first_ms = Ms(Clock::now() - since);
    v1::CreateReservationResponse created;
    created.ParseFromString(bytes);
    if (!MustAck(client, run.ledger, kRelease,
                 WithId<v1::ReleaseReservationRequest>(id + "-x",
                                                       created.reservation().reservation_id())) ||
        !MustAck(client, run.ledger, kAdjust,
                 Adjust(id + "-a", "k1", 1, v1::MOVEMENT_REASON_FOUND))) {
      return false;
    }
  }
  return true;
}

// After the SIGCONT: the old leader writes no more, and serves again as a follower.
bool CheckThawed(Run& run, int old, int leader, int round) {
  Cluster& cluster = *run.cluster;
  std::this_thread::sleep_for(seconds(2));
  if (cluster.Serving(old, kWriterService)) {
    return run.Fail(
        fmt::format("round {}: the thawed old leader {} still reports oms.v1.Writer "
                    "SERVING",
                    round, old));
  }
  if (int now = cluster.Leader(); now != leader) {
    return run.Fail(fmt::format("round {}: leader is {} after the thaw, expected {} alone", round,
                                now, leader));
  }
  if (!cluster.at(old).Alive()) {  // a replica may stop on losing its lease: bring it back
    fmt::print("round {}: the old leader exited after losing its lease; restarting it\n", round);
    std::string why;
    if (!cluster.at(old).Start(&why))
      return run.Fail(fmt::format("round {}: restart: {}", round, why));
  }
  if (!cluster.WaitServing(old, seconds(15))) {
    return run.Fail(
        fmt::format("round {}: the old leader {} is not SERVING (as a follower) "
                    "within 15 s of the thaw",
                    round, old));
  }
  return true;
}

// One fencing round; appends the freeze window and the takeover time.
bool FencingRound(Run& run, Load& load, Pg& pg, int round, std::vector<Window>& windows,
                  Figures& takeover) {
  Cluster& cluster = *run.cluster;
  run.ledger.cycle = round;
  int old = cluster.WaitLeader(-1, seconds(15));
  if (old < 0) return run.Fail(fmt::format("round {}: no single leader within 15 s", round));
  load.PreferAll(old);  // the load goes to the leader, so it is mid-batch often
  std::this_thread::sleep_for(milliseconds(500));
  Freeze f = FreezeMidBatch(cluster.at(old), pg, run.rng);
  const auto frozen = Clock::now();
  int leader = cluster.WaitLeader(old, run.lease + seconds(5));
  if (leader < 0) {
    cluster.at(old).Thaw();
    return run.Fail(
        fmt::format("round {}: no follower took over within {} s of freezing "
                    "leader {}",
                    round, run.lease.count() + 5, old));
  }
  const int64_t took = Ms(Clock::now() - frozen);
  takeover.ms.push_back(took);
  int64_t first_write = 0;
  bool wrote = WriteThrough(run, leader, round, frozen, &first_write);
  cluster.at(old).Thaw();
  windows.push_back({round, old, frozen, Clock::now()});
  if (!wrote) return false;
  fmt::print(
      "round {}: froze leader {} after {} attempt(s) ({}), replica {} took over in {} ms, "
      "first write acknowledged {} ms after the freeze\n",
      round, old, f.attempts,
      f.mid_transaction ? "inside a batch transaction" : "NOT inside a transaction", leader, took,
      first_write);
  std::fflush(stdout);
  if (!CheckThawed(run, old, leader, round) || !run.VerifyDb(round)) return false;
  std::string why;
  Replay(run.ledger.acked(), cluster.addresses(), run.ledger, run.rng(), &why);
  if (!why.empty()) return run.Fail(fmt::format("round {}: replay: {}", round, why));
  return !run.Failed();
}

// Calls in flight at a frozen leader must end UNAVAILABLE or acknowledged (acknowledged ones
// are in the ledger, so the replays covered them).
bool CheckInFlight(Run& run, const std::vector<Window>& windows) {
  const auto slow = run.ledger.slow();
  for (const auto& w : windows) {
    int acked = 0, refused = 0;
    for (const auto& a : slow) {
      if (a.replica != w.replica || a.start >= w.thawed || a.end <= w.frozen) continue;
      if (a.status.ok()) {
        ++acked;
      } else if (a.status.error_code() == grpc::StatusCode::UNAVAILABLE) {
        ++refused;
      } else {
        return run.Fail(fmt::format("round {}: {} {} in flight at the frozen leader ended {}",
                                    w.round, ShortName(a.method), a.request_id,
                                    Describe(a.status)));
      }
    }
    fmt::print("round {}: calls in flight at the frozen leader: {} acknowledged, {} UNAVAILABLE\n",
               w.round, acked, refused);
  }
  return true;
}

}  // namespace

int RunFencing(Run& run) {
  if (!run.Boot()) return 1;
  Pg pg(run.conninfo);
  if (!pg.ok()) {
    fmt::print(stderr, "failover_loop: cannot connect to PostgreSQL: {}\n", pg.error());
    return 1;
  }
  Figures takeover;
  std::vector<Window> windows;
  int64_t replayed = 0;
  {
    // A long attempt deadline: a call at the frozen leader waits for its answer after the thaw.
    Load load(run.cluster->addresses(), 3, run.ledger, run.rng(), seconds(30));
    for (int round = 1; round <= run.cycles && !run.Failed(); ++round) {
      FencingRound(run, load, pg, round, windows, takeover);
    }
    load.Stop();
  }
  if (!run.Failed()) CheckInFlight(run, windows);
  if (!run.Failed()) run.FinalChecks(&replayed);
  if (run.Failed()) return 1;
  fmt::print(
      "failover_loop fencing: {} rounds, {} acknowledged mutations, all {} replayed "
      "identically, verify passed; takeover p50 {} ms, max {} ms; seed {}\n",
      windows.size(), run.ledger.size(), replayed, takeover.p50(), takeover.max(), run.seed);
  return 0;
}

}  // namespace oms::e2e

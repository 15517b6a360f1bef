// Failover: three real omsd replicas share one PostgreSQL database (one writes, holding the
// lease; the others follow and forward mutations to it). Under a concurrent reserve / commit /
// release / adjust load spread over all three, this program takes the leader away and checks
// that nothing acknowledged is lost, changed or applied twice:
//   --mode loop (default): each cycle SIGKILLs the leader at a random moment, measures the
//     failover time (the kill until a fresh mutation is acknowledged by the new leader),
//     restarts the killed replica as a follower on its port, and runs `omsd verify`.
//   --mode fencing: each round SIGSTOPs the leader (inside a batch transaction if it can
//     catch one), checks that a follower takes over within the lease's time and commits,
//     then SIGCONTs the old leader, which must not write again: its in-flight calls end
//     UNAVAILABLE or acknowledged, it no longer reports oms.v1.Writer, verify passes.
// Every call carries a unique request_id and is retried with the same bytes on UNAVAILABLE or
// DEADLINE_EXCEEDED until acknowledged. At the end every acknowledged mutation is replayed
// against a random replica and must answer with the very same response bytes, and the hot
// SKU's units (quantity-1 reservations against on_hand H) must add up exactly: held plus sold
// never exceeds what is on hand, and equals what the acknowledged calls imply.
// Usage: failover_loop OMSD [--cycles N] [--seed S] [--mode loop|fencing] [--lease-ttl S]
// (the replicas' lease, default 1 s; omsd's own default is 5 s)
// (cycles: default $OMS_FAILOVER_CYCLES, else 20; in fencing mode the rounds, default 3).
// Without PostgreSQL installed it prints "skipped: no PostgreSQL" and exits 0 (unless
// OMS_REQUIRE_POSTGRES=1).
#include <fmt/core.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "tests/e2e/failover_run.h"
#include "tests/support/pg_cluster.h"

namespace oms::e2e {
namespace {

// The time from `since` until a fresh +1 of the probe SKU is acknowledged (any replica).
std::optional<Clock::duration> Probe(Run& run, int cycle, int start_at, Clock::time_point since) {
  Client client(run.cluster->addresses(), start_at, run.ledger, seconds(1));
  Outcome out = client.Mutate(
      kAdjust, Adjust(fmt::format("probe-{}", cycle), kProbe, 1, v1::MOVEMENT_REASON_FOUND));
  if (out.ack != Ack::kOk) {
    run.Fail(fmt::format("cycle {}: no mutation was acknowledged within 60 s of the kill: {}",
                         cycle, Describe(out.status)));
    return std::nullopt;
  }
  ++run.ledger.probes;
  return Clock::now() - since;
}

// One loop cycle: kill the leader, time the failover, restart it as a follower, verify.
bool LoopCycle(Run& run, Load& load, int cycle, Figures& failover) {
  run.ledger.cycle = cycle;
  std::this_thread::sleep_for(milliseconds(200 + run.rng() % 1300));
  Cluster& cluster = *run.cluster;
  int leader = cluster.WaitLeader(-1, seconds(15));
  if (leader < 0) return run.Fail(fmt::format("cycle {}: no single leader within 15 s", cycle));
  pid_t pid = cluster.at(leader).pid();
  const auto killed = Clock::now();
  cluster.at(leader).Kill();
  auto took = Probe(run, cycle, (leader + 1) % kReplicas, killed);
  if (!took) return false;
  failover.ms.push_back(Ms(*took));
  int next = cluster.WaitLeader(leader, run.lease + seconds(10));
  std::string why;
  if (!cluster.at(leader).Start(&why))
    return run.Fail(fmt::format("cycle {}: restart: {}", cycle, why));
  if (!cluster.WaitServing(leader, seconds(20))) {
    return run.Fail(
        fmt::format("cycle {}: restarted replica {} is not SERVING within 20 s", cycle, leader));
  }
  if (!run.VerifyDb(cycle)) return false;
  Client reader(cluster.addresses(), static_cast<int>(run.rng() % kReplicas), run.ledger,
                seconds(5));
  if (!CheckHotBound(reader, run.ledger, &why))
    return run.Fail(fmt::format("cycle {}: {}", cycle, why));
  Replay(Sample(run.ledger.acked(), 100, run.rng), cluster.addresses(), run.ledger, run.rng(),
         &why);
  if (!why.empty()) return run.Fail(fmt::format("cycle {}: replay: {}", cycle, why));
  load.Spread();
  fmt::print(
      "cycle {}: killed leader replica {} (pid {}), new leader {}, failover {} ms, {} "
      "acknowledged so far\n",
      cycle, leader, pid, next, Ms(*took), run.ledger.size());
  std::fflush(stdout);
  return !run.Failed();
}

}  // namespace

int RunLoop(Run& run) {
  if (!run.Boot()) return 1;
  Figures failover;
  int survived = 0;
  int64_t replayed = 0;
  {
    Load load(run.cluster->addresses(), 5, run.ledger, run.rng(), seconds(5));
    for (int cycle = 1; cycle <= run.cycles && !run.Failed(); ++cycle) {
      if (LoopCycle(run, load, cycle, failover)) ++survived;
    }
    load.Stop();
  }
  if (!run.Failed()) run.FinalChecks(&replayed);
  if (run.Failed()) return 1;
  fmt::print(
      "failover_loop: {} cycles, {} acknowledged mutations, all {} replayed identically, hot "
      "SKU exact ({} held, {} sold, {} sold-out refusals), verify passed after every kill; "
      "failover p50 {} ms, max {} ms; seed {}\n",
      survived, run.ledger.size(), replayed,
      run.ledger.hot.created - run.ledger.hot.released - run.ledger.hot.committed,
      run.ledger.hot.committed.load(), run.ledger.hot.sold_out.load(), failover.p50(),
      failover.max(), run.seed);
  return 0;
}

}  // namespace oms::e2e

using oms::e2e::Run;
using oms::e2e::RunFencing;
using oms::e2e::RunLoop;
using std::chrono::seconds;

int main(int argc, char** argv) {
  if (argc < 2 || (argc % 2) != 0) {
    fmt::print(stderr,
               "usage: failover_loop OMSD [--cycles N] [--seed S] [--mode loop|fencing] "
               "[--lease-ttl SECONDS]\n");
    return 2;
  }
  int cycles = -1;
  uint64_t seed = static_cast<uint64_t>(std::random_device{}());
  std::string mode = "loop";
  int lease_s = 1;
  for (int i = 2; i + 1 < argc; i += 2) {  // flags win over the environment
    std::string flag = argv[i];
    if (flag == "--cycles")
      cycles = std::atoi(argv[i + 1]);
    else if (flag == "--seed")
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--mode")
      mode = argv[i + 1];
    else if (flag == "--lease-ttl")
      lease_s = std::atoi(argv[i + 1]);
    else
      return fmt::print(stderr, "failover_loop: unknown flag {}\n", flag), 2;
  }
  if (lease_s < 1) {
    fmt::print(stderr, "failover_loop: --lease-ttl must be a whole number of seconds >= 1\n");
    return 2;
  }
  if (mode != "loop" && mode != "fencing") {
    fmt::print(stderr, "failover_loop: --mode must be loop or fencing\n");
    return 2;
  }
  if (cycles < 0) {
    const char* env = std::getenv("OMS_FAILOVER_CYCLES");
    cycles = mode == "fencing" ? 3 : env && *env ? std::atoi(env) : 20;
  }
  oms::testing::PgCluster* pg = oms::testing::PgCluster::Shared();
  if (!pg) {
    fmt::print("failover_loop: skipped: no PostgreSQL\n");
    return 0;
  }
  Run run{argv[1],
          pg->NewSchemaConninfo(),
          (std::filesystem::temp_directory_path() / ("oms-failover-" + std::to_string(getpid())))
              .string(),
          cycles,
          seed,
          seconds(lease_s),
          std::mt19937_64(seed),
          {},
          nullptr,
          ""};
  std::filesystem::create_directories(run.dir);
  fmt::print("failover_loop: mode {}, {} cycles, seed {}, logs in {}\n", mode, cycles, seed,
             run.dir);
  std::fflush(stdout);
  int rc = mode == "loop" ? RunLoop(run) : RunFencing(run);
  if (rc != 0) {
    fmt::print(stderr, "failover_loop: FAILED: {}\n", run.error);
    if (run.cluster) run.cluster->PrintTails();
    fmt::print(stderr, "failover_loop: replay with --mode {} --seed {}\n", mode, seed);
  }
  if (run.cluster) run.cluster->StopAll();
  std::error_code ec;
  std::filesystem::remove_all(run.dir, ec);
  return rc;
}

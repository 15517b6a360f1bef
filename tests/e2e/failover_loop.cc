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
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "oms/v1/inventory_service.grpc.pb.h"
#include "oms/v1/location_service.grpc.pb.h"
#include "oms/v1/reservation_service.grpc.pb.h"
#include "tests/e2e/failover_client.h"
#include "tests/e2e/omsd_process.h"
#include "tests/support/pg_cluster.h"

namespace {

namespace v1 = oms::v1;
using oms::e2e::Ack;
using oms::e2e::Acked;
using oms::e2e::Client;
using oms::e2e::Clock;
using oms::e2e::Cluster;
using oms::e2e::Describe;
using oms::e2e::HotCounts;
using oms::e2e::kWriterService;
using oms::e2e::Ledger;
using oms::e2e::Outcome;
using oms::e2e::Replica;
using oms::e2e::RequestId;
using oms::e2e::Verify;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kReplicas = 3;
constexpr int64_t kHotOnHand = 50;    // H: the hot SKU's stock
constexpr int kSpreadSkus = 20;       // k0..k19, plenty of stock
constexpr int kHotHeldPerThread = 3;  // hot reservations a load thread holds at once
constexpr char kLocation[] = "s1";
constexpr char kHot[] = "hot";
constexpr char kProbe[] = "probe";  // only the failover probes adjust it, +1 each

constexpr char kCreate[] = "/oms.v1.ReservationService/CreateReservation";
constexpr char kCommit[] = "/oms.v1.ReservationService/CommitReservation";
constexpr char kRelease[] = "/oms.v1.ReservationService/ReleaseReservation";
constexpr char kAdjust[] = "/oms.v1.InventoryService/AdjustStock";
constexpr char kSetStock[] = "/oms.v1.InventoryService/SetStock";
constexpr char kUpsertLocation[] = "/oms.v1.LocationService/UpsertLocation";

int64_t Ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

// "/oms.v1.X/Method" -> "Method".
std::string ShortName(const std::string& method) { return method.substr(method.rfind('/') + 1); }

// ---------------------------------------------------------------------------------------------
// Requests.

v1::CreateReservationRequest Reserve(const std::string& id, const std::string& sku) {
  v1::CreateReservationRequest r;
  r.set_request_id(id);
  r.set_channel(v1::CHANNEL_ONLINE);
  r.mutable_ttl()->set_seconds(3600);
  auto* line = r.add_lines();
  line->set_sku(sku);
  line->set_quantity(1);
  line->set_location_id(kLocation);
  return r;
}

v1::AdjustStockRequest Adjust(const std::string& id, const std::string& sku, int64_t delta,
                              v1::MovementReason reason) {
  v1::AdjustStockRequest a;
  a.set_request_id(id);
  a.set_sku(sku);
  a.set_location_id(kLocation);
  a.set_delta(delta);
  a.set_reason(reason);
  return a;
}

template <class Request>
Request WithId(const std::string& id, const std::string& reservation_id) {
  Request r;
  r.set_request_id(id);
  r.set_reservation_id(reservation_id);
  return r;
}

// Acknowledged, or the test fails naming the call.
bool MustAck(Client& client, Ledger& ledger, const std::string& method,
             const google::protobuf::Message& request, std::string* response = nullptr) {
  Outcome out = client.Mutate(method, request);
  if (out.ack == Ack::kOk) {
    if (response) *response = out.response;
    return true;
  }
  ledger.Fail(fmt::format(
      "cycle {}: {} {} {}: {}", ledger.cycle.load(), ShortName(method), RequestId(request),
      out.ack == Ack::kGaveUp ? "not acknowledged within the bound" : "rejected",
      Describe(out.status)));
  return false;
}

bool Setup(Client& client, Ledger& ledger) {
  v1::UpsertLocationRequest loc;
  loc.set_request_id("setup-s1");
  loc.mutable_location()->set_location_id(kLocation);
  loc.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
  loc.mutable_location()->set_ship_enabled(true);
  loc.mutable_location()->set_active(true);
  if (!MustAck(client, ledger, kUpsertLocation, loc)) return false;
  auto set = [&](const std::string& sku, int64_t on_hand) {
    v1::SetStockRequest s;
    s.set_request_id("setup-" + sku);
    s.set_sku(sku);
    s.set_location_id(kLocation);
    s.set_on_hand(on_hand);
    return MustAck(client, ledger, kSetStock, s);
  };
  if (!set(kHot, kHotOnHand) || !set(kProbe, 0)) return false;
  for (int k = 0; k < kSpreadSkus; ++k) {
    if (!set(fmt::format("k{}", k), 1'000'000)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The load.

// A spread SKU: reserve 1, then commit or release it; then receive 2.
bool SpreadStep(Client& client, Ledger& ledger, const std::string& id, std::mt19937_64& rng) {
  std::string sku = fmt::format("k{}", rng() % kSpreadSkus);
  std::string bytes;
  if (!MustAck(client, ledger, kCreate, Reserve(id + "-r", sku), &bytes)) return false;
  v1::CreateReservationResponse created;
  created.ParseFromString(bytes);
  const std::string& rid = created.reservation().reservation_id();
  bool ok = rng() % 2 ? MustAck(client, ledger, kCommit,
                                WithId<v1::CommitReservationRequest>(id + "-c", rid))
                      : MustAck(client, ledger, kRelease,
                                WithId<v1::ReleaseReservationRequest>(id + "-x", rid));
  return ok &&
         MustAck(client, ledger, kAdjust, Adjust(id + "-a", sku, 2, v1::MOVEMENT_REASON_RECEIVED));
}

// The hot SKU: hold up to kHotHeldPerThread quantity-1 reservations; end the oldest by a
// release (3 in 4) or a commit followed by a +1 return (so the stock lasts).
bool HotStep(Client& client, Ledger& ledger, const std::string& id, std::mt19937_64& rng,
             std::deque<std::string>& held) {
  HotCounts& hot = ledger.hot;
  if (held.size() < kHotHeldPerThread && (held.empty() || rng() % 2)) {
    v1::CreateReservationRequest r = Reserve(id + "-hr", kHot);
    Outcome out = client.Mutate(kCreate, r);
    if (out.ack == Ack::kRejected &&
        out.status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
      ++hot.sold_out;  // INSUFFICIENT_STOCK: every unit is held
      return true;
    }
    if (out.ack != Ack::kOk) {
      ledger.Fail(fmt::format("cycle {}: hot CreateReservation {}: {}", ledger.cycle.load(),
                              r.request_id(), Describe(out.status)));
      return false;
    }
    v1::CreateReservationResponse created;
    created.ParseFromString(out.response);
    held.push_back(created.reservation().reservation_id());
    ++hot.created;
    return true;
  }
  if (held.empty()) return true;
  std::string rid = held.front();
  held.pop_front();
  if (rng() % 4 != 0) {
    if (!MustAck(client, ledger, kRelease, WithId<v1::ReleaseReservationRequest>(id + "-hx", rid)))
      return false;
    ++hot.released;
    return true;
  }
  if (!MustAck(client, ledger, kCommit, WithId<v1::CommitReservationRequest>(id + "-hc", rid)))
    return false;
  ++hot.committed;
  if (!MustAck(client, ledger, kAdjust, Adjust(id + "-hb", kHot, 1, v1::MOVEMENT_REASON_RETURNED)))
    return false;
  ++hot.restocked;
  return true;
}

// One load thread until `stop`; an operation begun is always finished (acknowledged), so the
// counts are exact once every thread has returned.
void LoadThread(Client* client, int thread, uint64_t seed, const std::atomic<bool>* stop,
                Ledger* ledger) {
  std::mt19937_64 rng(seed);
  std::deque<std::string> held;
  for (int64_t i = 0; !*stop && !ledger->failed(); ++i) {
    std::string id = fmt::format("t{}-{}", thread, i);
    if (!SpreadStep(*client, *ledger, id, rng)) return;
    if (!HotStep(*client, *ledger, id, rng, held)) return;
  }
}

class Load {
 public:
  Load(const std::vector<std::string>& addresses, int threads, Ledger& ledger, uint64_t seed,
       Clock::duration attempt)
      : ledger_(ledger) {
    for (int t = 0; t < threads; ++t) {
      clients_.push_back(std::make_unique<Client>(addresses, t % kReplicas, ledger, attempt));
    }
    std::mt19937_64 rng(seed);
    for (int t = 0; t < threads; ++t) {
      threads_.emplace_back(LoadThread, clients_[t].get(), t, rng(), &stop_, &ledger_);
    }
  }
  ~Load() { Stop(); }
  // Every client back to its own replica (loop), or all to one (fencing: the leader).
  void Spread() {
    for (size_t t = 0; t < clients_.size(); ++t)
      clients_[t]->Prefer(static_cast<int>(t) % kReplicas);
  }
  void PreferAll(int replica) {
    for (auto& c : clients_) c->Prefer(replica);
  }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  Ledger& ledger_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------------------------
// Checks.

struct Row {
  int64_t on_hand = 0, reserved = 0;
};

std::optional<Row> Find(const v1::GetAvailabilityResponse& response, const std::string& sku) {
  for (const auto& a : response.availability()) {
    if (a.sku() != sku) continue;
    for (const auto& l : a.locations()) {
      if (l.location_id() == kLocation) return Row{l.on_hand(), l.reserved()};
    }
  }
  return std::nullopt;
}

// Read now, load running: the hot SKU's held units never exceed its on_hand (held + sold and
// not returned never exceeds H).
bool CheckHotBound(Client& reader, const Ledger& ledger, std::string* why) {
  v1::GetAvailabilityResponse got;
  if (!reader.Availability({kHot}, kLocation, ledger.max_sequence(), &got, why)) return false;
  auto hot = Find(got, kHot);
  if (!hot) return *why = "the hot SKU has no stock row", false;
  if (hot->reserved > hot->on_hand || hot->on_hand > kHotOnHand) {
    *why = fmt::format("hot SKU oversold: reserved {} on_hand {} (H {})", hot->reserved,
                       hot->on_hand, kHotOnHand);
    return false;
  }
  return true;
}

// Load stopped: every acknowledged hot call and probe is there exactly once.
bool CheckExact(Client& reader, Ledger& ledger, std::string* why) {
  v1::GetAvailabilityResponse got;
  if (!reader.Availability({kHot, kProbe}, kLocation, ledger.max_sequence(), &got, why))
    return false;
  auto hot = Find(got, kHot);
  Row probe = Find(got, kProbe).value_or(Row{});
  if (!hot) return *why = "the hot SKU has no stock row", false;
  const HotCounts& c = ledger.hot;
  const int64_t held = c.created - c.released - c.committed;
  const int64_t on_hand = kHotOnHand - c.committed + c.restocked;
  if (hot->reserved != held || hot->on_hand != on_hand) {
    *why = fmt::format(
        "hot SKU: reserved {} on_hand {}, but the acknowledged calls imply reserved {} on_hand "
        "{} ({} created, {} released, {} committed, {} returned)",
        hot->reserved, hot->on_hand, held, on_hand, c.created.load(), c.released.load(),
        c.committed.load(), c.restocked.load());
    return false;
  }
  if (probe.on_hand != ledger.probes) {
    *why = fmt::format("probe SKU: on_hand {}, but {} probe adjustments were acknowledged",
                       probe.on_hand, ledger.probes.load());
    return false;
  }
  return true;
}

// Replays `acked` over 6 threads, each call to a random replica: every answer must be the
// recorded bytes. Returns how many were checked; `why` set on the first mismatch.
int64_t Replay(const std::vector<Acked>& acked, const std::vector<std::string>& addresses,
               Ledger& ledger, uint64_t seed, std::string* why) {
  std::atomic<size_t> next{0};
  std::atomic<int64_t> checked{0};
  std::mutex mu;
  auto worker = [&](uint64_t s) {
    std::mt19937_64 rng(s);
    Client client(addresses, 0, ledger, seconds(5));
    for (size_t i = next++; i < acked.size(); i = next++) {
      const Acked& a = acked[i];
      client.Prefer(static_cast<int>(rng() % addresses.size()));
      int64_t sequence = 0;
      Outcome out = client.Resend(a.method, a.request_id, a.request, &sequence);
      if (out.ack == Ack::kOk && out.response == a.response) {
        ++checked;
        continue;
      }
      std::lock_guard lock(mu);
      if (why->empty()) {
        *why = fmt::format("{} {} (acknowledged in cycle {}) {}", ShortName(a.method), a.request_id,
                           a.cycle,
                           out.ack == Ack::kOk ? "replayed with different response bytes"
                                               : "failed on replay: " + Describe(out.status));
      }
      next = acked.size();
    }
  };
  std::vector<std::thread> threads;
  std::mt19937_64 rng(seed);
  for (int t = 0; t < 6; ++t) threads.emplace_back(worker, rng());
  for (auto& t : threads) t.join();
  return checked;
}

// A sample of up to `n` acknowledged calls.
std::vector<Acked> Sample(std::vector<Acked> all, size_t n, std::mt19937_64& rng) {
  std::shuffle(all.begin(), all.end(), rng);
  if (all.size() > n) all.resize(n);
  return all;
}

struct Figures {
  std::vector<int64_t> ms;
  int64_t p50() const {
    if (ms.empty()) return 0;
    auto v = ms;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  int64_t max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

// ---------------------------------------------------------------------------------------------
// The run.

struct Run {
  std::string binary, conninfo, dir;
  int cycles;
  uint64_t seed;
  seconds lease;  // the replicas' --lease-ttl
  std::mt19937_64 rng;
  Ledger ledger;
  std::unique_ptr<Cluster> cluster;
  std::string error;  // the failure, naming its cycle

  bool Fail(const std::string& why) {
    if (error.empty()) error = why;
    ledger.Fail(why);
    return false;
  }
  bool Failed() {
    if (error.empty() && ledger.failed()) error = ledger.failure();
    return !error.empty();
  }
  bool VerifyDb(int cycle) {
    std::string why;
    if (Verify(binary, conninfo, dir + "/verify.log", &why)) return true;
    return Fail(fmt::format("cycle {}: {}", cycle, why));
  }
  // Start the replicas, wait for exactly one leader, set up the data.
  bool Boot() {
    cluster = std::make_unique<Cluster>(binary, conninfo, dir, kReplicas,
                                        std::to_string(lease.count()) + "s");
    std::string why;
    if (!cluster->StartAll(&why)) return Fail("start: " + why);
    if (cluster->WaitLeader(-1, seconds(20)) < 0) {
      return Fail("start: no single replica reported oms.v1.Writer SERVING within 20 s");
    }
    Client client(cluster->addresses(), 0, ledger, seconds(5));
    return Setup(client, ledger) || Fail(ledger.failure());
  }
  // Replays everything acknowledged, then checks the totals again (replays change nothing).
  bool FinalChecks(int64_t* replayed) {
    Client reader(cluster->addresses(), static_cast<int>(rng() % kReplicas), ledger, seconds(5));
    std::string why;
    if (!CheckExact(reader, ledger, &why)) return Fail("end: " + why);
    *replayed = Replay(ledger.acked(), cluster->addresses(), ledger, rng(), &why);
    if (!why.empty()) return Fail("end: replay: " + why);
    if (!CheckExact(reader, ledger, &why)) return Fail("end, after the replays: " + why);
    return VerifyDb(cycles);
  }
};

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

}  // namespace

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

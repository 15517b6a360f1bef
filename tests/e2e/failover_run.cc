// The failover driver's shared parts: requests, load, checks, the run (failover_run.h).
#include "tests/e2e/failover_run.h"

#include <fmt/core.h>

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>

#include "oms/v1/location_service.pb.h"

namespace oms::e2e {

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

// Acknowledged, or the test fails naming the call.
bool MustAck(Client& client, Ledger& ledger, const std::string& method,
             const google::protobuf::Message& request, std::string* response) {
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

namespace {

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

}  // namespace

Load::Load(const std::vector<std::string>& addresses, int threads, Ledger& ledger, uint64_t seed,
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

Load::~Load() { Stop(); }

void Load::Spread() {
  for (size_t t = 0; t < clients_.size(); ++t) clients_[t]->Prefer(static_cast<int>(t) % kReplicas);
}

void Load::PreferAll(int replica) {
  for (auto& c : clients_) c->Prefer(replica);
}

void Load::Stop() {
  stop_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

// ---------------------------------------------------------------------------------------------
// Checks.

namespace {

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

}  // namespace

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

// ---------------------------------------------------------------------------------------------
// The run.

bool Run::Fail(const std::string& why) {
  if (error.empty()) error = why;
  ledger.Fail(why);
  return false;
}

bool Run::Failed() {
  if (error.empty() && ledger.failed()) error = ledger.failure();
  return !error.empty();
}

bool Run::VerifyDb(int cycle) {
  std::string why;
  if (Verify(binary, conninfo, dir + "/verify.log", &why)) return true;
  return Fail(fmt::format("cycle {}: {}", cycle, why));
}

bool Run::Boot() {
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

bool Run::FinalChecks(int64_t* replayed) {
  Client reader(cluster->addresses(), static_cast<int>(rng() % kReplicas), ledger, seconds(5));
  std::string why;
  if (!CheckExact(reader, ledger, &why)) return Fail("end: " + why);
  *replayed = Replay(ledger.acked(), cluster->addresses(), ledger, rng(), &why);
  if (!why.empty()) return Fail("end: replay: " + why);
  if (!CheckExact(reader, ledger, &why)) return Fail("end, after the replays: " + why);
  return VerifyDb(cycles);
}

}  // namespace oms::e2e

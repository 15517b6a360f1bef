// Deterministic simulation: a seeded random workload (adjust, transfer, count, safety stock,
// reserve, commit, release, returns of committed sales with their resolutions, time passing,
// restarts, failed commits) drives the engine; after
// every step its committed state must equal a simple reference model's. A failure prints the
// seed and step; replay one seed with OMS_SIM_SEED=<seed>.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>

#include "tests/domain/engine_harness.h"

namespace oms::testing {
namespace {

struct ModelLevel {
  int64_t on_hand = 0, reserved = 0, safety = 0, quarantined = 0;
};

struct ModelReservation {
  std::map<std::pair<std::string, std::string>, int64_t> lines;
  Timestamp expires_at;
  bool active = true;
  bool committed = false;
  std::map<std::string, int64_t> returned;  // by SKU, over all its returns

  int64_t Sold(const std::string& sku) const {
    int64_t n = 0;
    for (const auto& [key, q] : lines) n += key.first == sku ? q : 0;
    return committed ? n : 0;
  }
};

// An open return's quarantined units of one SKU at one location.
struct ModelQuarantine {
  std::string sku, location;
  int64_t quarantined = 0;
};

// The reference: the rules of API.md written as plainly as possible.
struct Model {
  std::map<std::pair<std::string, std::string>, ModelLevel> stock;
  std::map<std::string, ModelReservation> reservations;
  std::map<std::string, ModelQuarantine> open_returns;

  static int64_t Atp(const ModelLevel& l, Channel c) {
    int64_t v = l.on_hand - l.reserved - (c == Channel::kPos ? 0 : l.safety);
    return v > 0 ? v : 0;
  }
  void Expire(Timestamp now) {
    for (auto& [id, r] : reservations) {
      if (!r.active || r.expires_at > now) continue;
      for (const auto& [key, q] : r.lines) stock[key].reserved -= q;
      r.active = false;
    }
  }
};

template <typename Factory>
class Simulation : public EngineHarness<Factory> {
 public:
  explicit Simulation(uint64_t seed) : rng_(seed) {}

  void Run(int steps) {
    for (const char* loc : {"s1", "s2"}) this->AddLocation(loc);
    for (step_ = 0; step_ < steps && !::testing::Test::HasFailure(); ++step_) {
      model_.Expire(this->clock_.Now());
      Step();
      Compare();
    }
  }

 private:
  std::string Pick(std::initializer_list<const char*> from) {
    return *(from.begin() + rng_() % from.size());
  }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_() % (hi - lo + 1));
  }

  void Step() {
    switch (rng_() % 14) {
      case 0:
      case 1:
        return Adjust();
      case 2:
        return Transfer();
      case 3:
        return Count();
      case 4:
        return Safety();
      case 5:
      case 6:
      case 7:
        return Reserve();
      case 8:
        return EndReservation(/*commit=*/true);
      case 9:
        return EndReservation(/*commit=*/false);
      case 10:  // time passes; the writer's timer runs a sweep
        this->clock_.Advance(std::chrono::seconds(Between(0, 40)));
        model_.Expire(this->clock_.Now());
        this->RunBatch({});
        return;
      case 11:
        return ReturnSale();
      case 12:
        return rng_() % 2 ? Resolve() : ReturnSale();
      default:
        return Disturb();
    }
  }

  void Expect(const Completion& c, bool ok, const char* what) {
    if (std::getenv("OMS_SIM_TRACE")) {
      fprintf(stderr, "step %d %s expect=%d got=%s\n", step_, what, ok,
              c.status.ToString().c_str());
    }
    EXPECT_EQ(c.status.ok(), ok) << what << " step " << step_ << ": " << c.status.ToString();
  }

  void Adjust() {
    std::pair<std::string, std::string> key{Pick({"k1", "k2", "k3"}), Pick({"s1", "s2"})};
    MovementReason reason =
        rng_() % 3 == 0 ? MovementReason::kCorrection
                        : (rng_() % 2 ? MovementReason::kReceived : MovementReason::kDamaged);
    int64_t delta = Between(1, 6);
    if (reason == MovementReason::kDamaged ||
        (reason == MovementReason::kCorrection && rng_() % 2)) {
      delta = -delta;
    }
    ModelLevel& l = model_.stock[key];
    int64_t after = l.on_hand + delta;
    bool ok =
        after >= 0 && !(delta < 0 && reason != MovementReason::kCorrection && after < l.reserved);
    Completion c =
        this->Do(AdjustStock{{Sku(key.first), LocationId(key.second)}, delta, reason, "", {}});
    Expect(c, ok, "adjust");
    if (ok && c.status.ok()) l.on_hand = after;
  }

  void Transfer() {
    std::string sku = Pick({"k1", "k2", "k3"});
    bool forward = rng_() % 2;
    std::string from = forward ? "s1" : "s2", to = forward ? "s2" : "s1";
    int64_t q = Between(1, 5);
    ModelLevel& a = model_.stock[{sku, from}];
    bool ok = a.on_hand - a.reserved >= q;
    Completion c = this->Do(TransferStock{Sku(sku), LocationId(from), LocationId(to), q, ""});
    Expect(c, ok, "transfer");
    if (ok && c.status.ok()) {
      a.on_hand -= q;
      model_.stock[{sku, to}].on_hand += q;
    }
  }

  void Count() {
    std::pair<std::string, std::string> key{Pick({"k1", "k2", "k3"}), Pick({"s1", "s2"})};
    int64_t v = Between(0, 12);
    Completion c = this->Do(SetStock{{Sku(key.first), LocationId(key.second)}, v, "", {}});
    Expect(c, true, "count");
    if (c.status.ok()) model_.stock[key].on_hand = v;
  }

  void Safety() {
    std::pair<std::string, std::string> key{Pick({"k1", "k2", "k3"}), Pick({"s1", "s2"})};
    int64_t v = Between(0, 3);
    Completion c = this->Do(SetSafetyStock{{Sku(key.first), LocationId(key.second)}, v});
    Expect(c, true, "safety");
    if (c.status.ok()) model_.stock[key].safety = v;
  }

  void Reserve() {
    CreateReservation cmd;
    cmd.channel = rng_() % 3 == 0 ? Channel::kPos : Channel::kOnline;
    cmd.ttl = std::chrono::seconds(Between(1, 120));
    ModelReservation r;
    int lines = static_cast<int>(Between(1, 3));
    for (int i = 0; i < lines; ++i) {
      std::pair<std::string, std::string> key{Pick({"k1", "k2", "k3"}), Pick({"s1", "s2"})};
      int64_t q = Between(1, 4);
      cmd.lines.push_back({Sku(key.first), LocationId(key.second), q});
      r.lines[key] += q;
    }
    bool ok = true;
    for (const auto& [key, q] : r.lines) ok = ok && q <= Model::Atp(model_.stock[key], cmd.channel);
    r.expires_at = this->clock_.Now() + cmd.ttl;
    Completion c = this->Do(cmd);
    Expect(c, ok, "reserve");
    if (!ok || !c.status.ok()) return;
    for (const auto& [key, q] : r.lines) model_.stock[key].reserved += q;
    model_.reservations[c.response.substr(std::string("reservation ").size())] = r;
  }

  void EndReservation(bool commit) {
    if (model_.reservations.empty()) return;
    auto it = model_.reservations.begin();
    std::advance(it, rng_() % model_.reservations.size());
    ModelReservation& r = it->second;
    bool ok = r.active;
    if (commit) {
      for (const auto& [key, q] : r.lines) ok = ok && model_.stock[key].on_hand >= q;
    }
    ReservationId id(it->first);
    Completion c =
        commit ? this->Do(CommitReservation{id, {}}) : this->Do(ReleaseReservation{id, ""});
    Expect(c, ok, commit ? "commit" : "release");
    if (!ok || !c.status.ok()) return;
    for (const auto& [key, q] : r.lines) {
      model_.stock[key].reserved -= q;
      if (commit) model_.stock[key].on_hand -= q;
    }
    r.active = false;
    r.committed = commit;
  }

  // Brings back units of a sale (mostly) or of any reservation, at a random store.
  void ReturnSale() {
    std::vector<std::string> sold;
    for (const auto& [id, r] : model_.reservations) {
      if (r.committed) sold.push_back(id);
    }
    if (model_.reservations.empty()) return;
    auto it = model_.reservations.begin();
    if (!sold.empty() && rng_() % 4 != 0) {
      it = model_.reservations.find(sold[rng_() % sold.size()]);
    } else {
      std::advance(it, rng_() % model_.reservations.size());
    }
    ModelReservation& r = it->second;
    std::string sku = Pick({"k1", "k2", "k3"}), at = Pick({"s1", "s2"});
    if (rng_() % 4 != 0) {  // mostly a SKU it holds
      auto line = r.lines.begin();
      std::advance(line, rng_() % r.lines.size());
      sku = line->first.first;
    }
    int64_t q = Between(1, 3);
    Disposition d = static_cast<Disposition>(Between(1, 3));
    bool ok = r.committed && r.Sold(sku) - r.returned[sku] >= q;
    CreateReturn cmd;
    cmd.reservation_id = ReservationId(it->first);
    cmd.location = LocationId(at);
    cmd.lines = {{Sku(sku), q, d}};
    Completion c = this->Do(cmd);
    Expect(c, ok, "return");
    if (!ok || !c.status.ok()) return;
    r.returned[sku] += q;
    ModelLevel& l = model_.stock[{sku, at}];
    if (d == Disposition::kRestock) l.on_hand += q;
    if (d == Disposition::kInspect) {
      l.quarantined += q;
      std::string id = c.response.substr(std::string("return ").size());
      model_.open_returns[id.substr(0, id.find(' '))] = {sku, at, q};
    }
  }

  // Restocks or writes off some of an open return's quarantined units (sometimes too many).
  void Resolve() {
    if (model_.open_returns.empty()) return;
    auto it = model_.open_returns.begin();
    std::advance(it, rng_() % model_.open_returns.size());
    ModelQuarantine& open = it->second;
    int64_t q = Between(1, 3);
    bool restock = rng_() % 2;
    bool ok = q <= open.quarantined;
    Completion c = this->Do(ResolveReturn{
        ReturnId(it->first),
        {{Sku(open.sku), q, restock ? Disposition::kRestock : Disposition::kDamaged}}});
    Expect(c, ok, "resolve");
    if (!ok || !c.status.ok()) return;
    ModelLevel& l = model_.stock[{open.sku, open.location}];
    l.quarantined -= q;
    if (restock) l.on_hand += q;
    open.quarantined -= q;
    if (open.quarantined == 0) model_.open_returns.erase(it);
  }

  // A restart, or (where the store can) a commit that fails: nothing of it may stick.
  void Disturb() {
    if (rng_() % 2) {
      this->factory_.InjectCommitFailure();
      Completion c = this->Do(
          AdjustStock{{Sku("k1"), LocationId("s1")}, 1, MovementReason::kReceived, "", {}});
      this->factory_.ClearFaults();
      EXPECT_EQ(c.status.code(), Code::kUnavailable) << "step " << step_;
      return;
    }
    this->Reopen();
    model_.Expire(this->clock_.Now());
  }

  void Compare() {
    for (const auto& [key, m] : model_.stock) {
      StockLevel l = this->Level(key.first, key.second);
      ASSERT_EQ(l.on_hand, m.on_hand) << key.first << "@" << key.second << " step " << step_;
      ASSERT_EQ(l.reserved, m.reserved) << key.first << "@" << key.second << " step " << step_;
      ASSERT_EQ(l.safety_stock, m.safety) << key.first << "@" << key.second << " step " << step_;
      ASSERT_EQ(l.quarantined, m.quarantined)
          << key.first << "@" << key.second << " step " << step_;
      ASSERT_GE(l.on_hand, 0);
      ASSERT_GE(l.reserved, 0);
    }
    size_t active = 0;
    for (const auto& [id, r] : model_.reservations) active += r.active;
    ASSERT_EQ(this->engine_->state().active_reservations(), active) << "step " << step_;
  }

  std::mt19937_64 rng_;
  Model model_;
  int step_ = 0;
};

std::vector<uint64_t> Seeds(int count) {
  if (const char* s = std::getenv("OMS_SIM_SEED")) return {std::strtoull(s, nullptr, 10)};
  std::vector<uint64_t> seeds;
  for (int i = 1; i <= count; ++i) seeds.push_back(static_cast<uint64_t>(i) * 7919);
  return seeds;
}

TEST(SimulationTest, RandomWorkloads_MatchTheReferenceModel_InMemory) {
  for (uint64_t seed : Seeds(40)) {
    SCOPED_TRACE("replay with OMS_SIM_SEED=" + std::to_string(seed));
    Simulation<MemoryStoreFactory> sim(seed);
    sim.Run(400);
    if (HasFailure()) return;
  }
}

TEST(SimulationTest, RandomWorkloads_MatchTheReferenceModel_OnSqlite) {
  for (uint64_t seed : Seeds(2)) {
    SCOPED_TRACE("replay with OMS_SIM_SEED=" + std::to_string(seed));
    Simulation<SqliteStoreFactory> sim(seed);
    sim.Run(300);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace oms::testing

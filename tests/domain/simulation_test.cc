// Deterministic simulation: a seeded random workload (adjust, transfer, count, safety stock,
// reserve, preorders, commit, release, returns of committed sales with their resolutions,
// inbound supply expected, received, rescheduled, cancelled and overdue, time passing,
// restarts, failed commits) drives the engine; after every step its committed state must
// equal a simple reference model's (simulation_model.h). A failure prints the
// seed and step; replay one seed with OMS_SIM_SEED=<seed>.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>

#include "tests/domain/engine_harness.h"
#include "tests/domain/simulation_model.h"

namespace oms::testing {
namespace {

template <typename Factory>
class Simulation : public EngineHarness<Factory> {
 public:
  explicit Simulation(uint64_t seed) : rng_(seed) {}

  void Run(int steps) {
    this->inbound_grace_ = std::chrono::minutes(5);
    model_.grace = this->inbound_grace_;
    this->Reopen();
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
    switch (rng_() % 18) {
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
      case 13:
        return Disturb();
      case 14:
        return ExpectIn();
      case 15:
        return ReceiveIn();
      case 16:
        return ChangeIn();
      default:
        return Reserve(/*preorder=*/true);
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

  // A reservation; a preorder holds what current ATP lacks against inbound supply.
  void Reserve(bool preorder = false) {
    Timestamp now = this->clock_.Now();
    CreateReservation cmd;
    cmd.channel = rng_() % 3 == 0 ? Channel::kPos : Channel::kOnline;
    cmd.ttl = std::chrono::seconds(preorder ? Between(1, 900) : Between(1, 120));
    if (preorder) cmd.promise_by = now + std::chrono::seconds(Between(60, 1200));
    std::map<ModelKey, int64_t> wanted;
    int lines = static_cast<int>(Between(1, 3));
    for (int i = 0; i < lines; ++i) {
      ModelKey key{Pick({"k1", "k2", "k3"}), Pick({"s1", "s2"})};
      int64_t q = Between(1, 4);
      cmd.lines.push_back({Sku(key.first), LocationId(key.second), q});
      wanted[key] += q;
    }
    // All or nothing: tried on a copy of the model.
    Model trial = model_;
    ModelReservation r;
    r.channel = cmd.channel;
    r.promise_by = cmd.promise_by;
    r.created = now;
    r.expires_at = now + cmd.ttl;
    bool ok = true;
    for (const auto& [key, q] : wanted) {
      ModelLevel& level = trial.stock[key];
      int64_t present = std::min(q, Model::Atp(level, cmd.channel));
      if (present > 0) {
        level.reserved += present;
        r.lines[key] += present;
      }
      int64_t got = present;
      if (got < q && preorder) got += trial.Peg(r, key.first, key.second, q - got, now);
      ok = ok && got == q;
    }
    Completion c = this->Do(cmd);
    Expect(c, ok, preorder ? "preorder" : "reserve");
    if (!ok || !c.status.ok()) return;
    model_ = std::move(trial);
    model_.reservations[c.response.substr(std::string("reservation ").size())] = r;
  }

  std::string AnyInbound() {
    auto it = model_.inbounds.begin();
    std::advance(it, rng_() % model_.inbounds.size());
    return it->first;
  }

  void ExpectIn() {
    std::string id = "po-" + std::to_string(++next_inbound_);
    if (rng_() % 10 == 0 && !model_.inbounds.empty()) id = AnyInbound();  // ALREADY_EXISTS
    Timestamp now = this->clock_.Now();
    ModelInbound in;
    in.location = Pick({"s1", "s2"});
    in.at = now + std::chrono::seconds(Between(-200, 900));
    in.overdue = in.at + model_.grace <= now;
    ExpectInbound cmd{InboundId(id), LocationId(in.location), in.at, {}};
    for (int i = 0, n = static_cast<int>(Between(1, 2)); i < n; ++i) {
      std::string sku = Pick({"k1", "k2", "k3"});
      int64_t q = Between(1, 8);
      cmd.lines.push_back({Sku(sku), q});
      in.lines[sku].expected += q;
    }
    bool ok = !model_.inbounds.count(id);
    Completion c = this->Do(cmd);
    Expect(c, ok, "expect");
    if (!ok || !c.status.ok()) return;
    model_.inbounds[id] = in;
    model_.Repromise(id, now);
  }

  // Mostly what was expected, sometimes more or another SKU; also of closed inbounds.
  void ReceiveIn() {
    if (model_.inbounds.empty()) return;
    std::string id = AnyInbound();
    ModelInbound& in = model_.inbounds[id];
    ReceiveInbound cmd{InboundId(id), {}};
    std::vector<std::pair<std::string, int64_t>> got;
    for (int i = 0, n = static_cast<int>(Between(1, 2)); i < n; ++i) {
      std::string sku = Pick({"k1", "k2", "k3"});
      if (rng_() % 4 != 0) {
        auto line = in.lines.begin();
        std::advance(line, rng_() % in.lines.size());
        sku = line->first;
      }
      int64_t q = Between(1, 6);
      cmd.lines.push_back({Sku(sku), q});
      got.emplace_back(sku, q);
    }
    bool ok = in.open;
    Completion c = this->Do(cmd);
    Expect(c, ok, "receive");
    if (ok && c.status.ok()) model_.Receive(id, got);
  }

  // Cancels or reschedules (sometimes past its grace at once, or of a closed inbound).
  void ChangeIn() {
    if (model_.inbounds.empty()) return;
    std::string id = AnyInbound();
    ModelInbound& in = model_.inbounds[id];
    Timestamp now = this->clock_.Now();
    bool ok = in.open;
    if (rng_() % 3 == 0) {
      Completion c = this->Do(CancelInbound{InboundId(id), "sim"});
      Expect(c, ok, "cancel");
      if (!ok || !c.status.ok()) return;
      in.open = false;
      model_.MovePegs(
          id, [](const ModelReservation&) { return true; }, now);
      return;
    }
    Timestamp at = now + std::chrono::seconds(Between(-400, 900));
    Completion c = this->Do(RescheduleInbound{InboundId(id), at});
    Expect(c, ok, "reschedule");
    if (!ok || !c.status.ok()) return;
    in.at = at;
    in.overdue = at + model_.grace <= now;
    bool all = in.overdue;
    model_.MovePegs(
        id, [&](const ModelReservation& r) { return all || *r.promise_by < at; }, now);
    model_.Repromise(id, now);
  }

  void EndReservation(bool commit) {
    if (model_.reservations.empty()) return;
    auto it = model_.reservations.begin();
    std::advance(it, rng_() % model_.reservations.size());
    ModelReservation& r = it->second;
    bool ok = r.active;
    if (commit) {
      ok = ok && r.pegs.empty();  // units still to arrive cannot be sold
      for (const auto& [key, q] : r.lines) ok = ok && model_.stock[key].on_hand >= q;
    }
    ReservationId id(it->first);
    Completion c =
        commit ? this->Do(CommitReservation{id, {}}) : this->Do(ReleaseReservation{id, ""});
    Expect(c, ok, commit ? "commit" : "release");
    if (!ok || !c.status.ok()) return;
    if (commit) {
      for (const auto& [key, q] : r.lines) model_.stock[key].on_hand -= q;
    }
    model_.End(r);
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
    if (rng_() % 4 != 0 && !r.lines.empty()) {  // mostly a SKU it holds (a preorder may not yet)
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
    for (const auto& [id, r] : model_.reservations) {
      active += r.active;
      if (r.active) CompareHolds(id, r);
    }
    ASSERT_EQ(this->engine_->state().active_reservations(), active) << "step " << step_;
    for (const auto& [id, m] : model_.inbounds) {
      const Inbound* in = this->engine_->state().FindOpenInbound(InboundId(id));
      ASSERT_EQ(in != nullptr, m.open) << id << " step " << step_;
      if (!in) continue;
      ASSERT_EQ(in->overdue, m.overdue) << id << " step " << step_;
      ASSERT_EQ(in->expected_at, m.at) << id << " step " << step_;
      for (const auto& [sku, l] : m.lines) {
        const InboundLine* line = in->Line(Sku(sku));
        ASSERT_TRUE(line) << id << " " << sku << " step " << step_;
        ASSERT_EQ(line->expected, l.expected) << id << " " << sku << " step " << step_;
        ASSERT_EQ(line->received, l.received) << id << " " << sku << " step " << step_;
        ASSERT_EQ(line->promised, l.promised) << id << " " << sku << " step " << step_;
      }
    }
  }

  // Present holds per (sku, location), pegs per (sku, location, inbound), at-risk units.
  void CompareHolds(const std::string& id, const ModelReservation& m) {
    const Reservation* r = this->engine_->state().FindActiveReservation(ReservationId(id));
    ASSERT_TRUE(r) << id << " step " << step_;
    std::map<std::vector<std::string>, int64_t> got, want;
    for (const auto& l : r->lines) {
      std::string peg = l.at_risk ? "<at risk>" : l.inbound.str();
      got[{l.sku.str(), l.location.str(), l.future() ? peg : "<now>"}] += l.quantity;
    }
    for (const auto& [key, q] : m.lines) {
      if (q > 0) want[{key.first, key.second, "<now>"}] += q;
    }
    for (const auto& p : m.pegs) {
      want[{p.sku, p.location, p.inbound.empty() ? "<at risk>" : p.inbound}] += p.quantity;
    }
    ASSERT_EQ(got, want) << id << " step " << step_;
  }

  std::mt19937_64 rng_;
  Model model_;
  int step_ = 0;
  int next_inbound_ = 0;
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

TEST(SimulationTest, RandomWorkloads_MatchTheReferenceModel_OnPostgres) {
  OMS_SKIP_UNAVAILABLE_BACKEND(PgStoreFactory);
  for (uint64_t seed : Seeds(2)) {
    SCOPED_TRACE("replay with OMS_SIM_SEED=" + std::to_string(seed));
    Simulation<PgStoreFactory> sim(seed);
    sim.Run(300);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace oms::testing

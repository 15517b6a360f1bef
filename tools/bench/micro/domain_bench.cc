// Micro-benchmarks of the hot paths, so regressions show: ATP at one location and over a
// group, applying a CreateReservation to a draft (pure domain), and a whole writer batch of
// reservations through the engine into SQLite (synchronous=FULL and NORMAL).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "domain/apply.h"
#include "domain/availability.h"
#include "domain/engine.h"
#include "storage/random_ids.h"
#include "storage/sqlite_store.h"

namespace oms {
namespace {

class CountingIds final : public IdSource {
 public:
  std::string NewId(std::string_view prefix) override {
    return std::string(prefix) + "_" + std::to_string(++n_);
  }
  std::string NewPickupCode() override { return "CODE00"; }

 private:
  int64_t n_ = 0;
};

// A store that is never reached: a draft's new reservation needs none of it.
class NoStore final : public Store {
 public:
  Result<Snapshot> Load() override { return Snapshot{}; }
  Status Begin() override { return Status::Ok(); }
  Result<std::optional<RequestRecord>> FindRequest(const std::string&) override {
    return std::optional<RequestRecord>();
  }
  Status Write(const Changes&, const RequestRecord*) override { return Status::Ok(); }
  Status Commit() override { return Status::Ok(); }
  void Rollback() override {}
  Result<std::optional<Reservation>> FindReservation(const ReservationId&) override {
    return std::optional<Reservation>();
  }
  Result<std::optional<Order>> FindOrder(const OrderId&) override { return std::optional<Order>(); }
  Result<std::optional<Return>> FindReturn(const ReturnId&) override {
    return std::optional<Return>();
  }
  Result<std::vector<ReturnedUnits>> FindReturned(const std::string&) override {
    return std::vector<ReturnedUnits>();
  }
  Result<std::optional<Inbound>> FindInbound(const InboundId&) override {
    return std::optional<Inbound>();
  }
  Result<int64_t> PurgeRequests(Timestamp, int64_t) override { return int64_t{0}; }
  Result<int64_t> PurgeEvents(Timestamp, int64_t, int64_t) override { return int64_t{0}; }
};

Snapshot Stocked(int locations, int skus) {
  Snapshot s;
  for (int l = 0; l < locations; ++l) {
    LocationId id("b" + std::to_string(l));
    s.locations.push_back({id, "", LocationKind::kStore, true, true, true, {}});
    for (int k = 0; k < skus; ++k) {
      StockLevel level;
      level.on_hand = 1'000'000'000;
      level.version = 1;
      s.stock.emplace_back(StockKey{Sku("sku-" + std::to_string(k)), id}, level);
    }
  }
  LocationGroup g{GroupId("online"), {}, {}};
  for (const auto& l : s.locations) g.members.push_back(l.id);
  s.groups.push_back(g);
  return s;
}

void BM_AtpOneLocation(benchmark::State& state) {
  SharedView view;
  WriterState ws(view);
  ws.Reset(Stocked(1, 10000));
  std::vector<Sku> skus = {Sku("sku-42")};
  for (auto _ : state) {
    auto r = view.Read([&](const CommittedData& d) {
      return QueryAvailability(d, skus, {LocationId("b0"), GroupId()}, Channel::kOnline);
    });
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_AtpOneLocation);

void BM_AtpGroupOf20(benchmark::State& state) {
  SharedView view;
  WriterState ws(view);
  ws.Reset(Stocked(20, 1000));
  std::vector<Sku> skus = {Sku("sku-42")};
  for (auto _ : state) {
    auto r = view.Read([&](const CommittedData& d) {
      return QueryAvailability(d, skus, {LocationId(), GroupId("online")}, Channel::kOnline);
    });
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_AtpGroupOf20);

void BM_ApplyCreateReservation(benchmark::State& state) {
  SharedView view;
  WriterState ws(view);
  ws.Reset(Stocked(1, 10000));
  CountingIds ids;
  NoStore store;
  ApplyEnv env{ids, store};
  CommandContext ctx{"r", 1, "CreateReservation", "bench"};
  std::mt19937 rng(1);
  for (auto _ : state) {
    CreateReservation c;
    c.lines = {{Sku("sku-" + std::to_string(rng() % 10000)), LocationId("b0"), 1}};
    Draft draft(ws, Timestamp{}, ctx);
    Result<Reply> reply = ApplyCommand(draft, Command(std::move(c)), env);
    Changes changes = draft.Finish();
    benchmark::DoNotOptimize(changes);
  }
}
BENCHMARK(BM_ApplyCreateReservation);

// One writer batch of `range(0)` one-line reservations into a real SQLite file.
void WriterBatch(benchmark::State& state, bool full) {
  auto dir = std::filesystem::temp_directory_path() / ("oms-micro-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    auto store = storage::SqliteStore::Open({(dir / "b.db").string(), full},
                                            [](const Event&) { return std::string(100, 'x'); });
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      return;
    }
    SystemClock clock;
    storage::RandomIdSource ids;
    SharedView view;
    Engine engine(**store, clock, ids, view, nullptr);
    (void)engine.Open();
    std::vector<Submission> setup(1);
    Snapshot stocked = Stocked(1, 10000);
    setup[0].command = UpsertLocation{stocked.locations[0]};
    setup[0].context.request_id = "setup-loc";
    engine.Run(setup);
    ImportStock import;
    for (int k = 0; k < 10000; ++k) {
      import.rows.push_back({{Sku("sku-" + std::to_string(k)), LocationId("b0")}, 1'000'000'000});
      if (import.rows.size() == 1000) {
        std::vector<Submission> b(1);
        b[0].command = import;
        b[0].context.request_id = "setup-" + std::to_string(k);
        engine.Run(b);
        import.rows.clear();
      }
    }
    std::mt19937 rng(1);
    int64_t n = 0;
    for (auto _ : state) {
      std::vector<Submission> batch(static_cast<size_t>(state.range(0)));
      for (auto& s : batch) {
        CreateReservation c;
        c.lines = {{Sku("sku-" + std::to_string(rng() % 10000)), LocationId("b0"), 1}};
        c.ttl = std::chrono::hours(24);
        s.command = std::move(c);
        s.context = {"bench-" + std::to_string(++n), 7, "CreateReservation", "bench"};
        s.encode = [](const Reply&) { return std::string(120, 'r'); };
      }
      engine.Run(batch);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
  }
  std::filesystem::remove_all(dir);
}

void BM_WriterBatchFull(benchmark::State& state) { WriterBatch(state, true); }
void BM_WriterBatchNormal(benchmark::State& state) { WriterBatch(state, false); }
BENCHMARK(BM_WriterBatchFull)->Arg(1)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_WriterBatchNormal)->Arg(32)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace oms

BENCHMARK_MAIN();

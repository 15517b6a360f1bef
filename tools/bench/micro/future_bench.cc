// Future availability with 100,000 open inbound lines: GetFutureAvailability's query (the
// in-memory part of the RPC) against current ATP's in the same run, and the start-up cost of
// loading that many lines from a real SQLite file.
//
//   build/tools/bench/oms-micro-bench --benchmark_filter='Future|Atp|Open'
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <utility>

#include "domain/availability.h"
#include "domain/engine.h"
#include "domain/state.h"
#include "storage/random_ids.h"
#include "storage/sqlite_store.h"

namespace oms {
namespace {

constexpr int kLocations = 20;
constexpr int kSkus = 10000;
constexpr int kInbounds = 10000;
constexpr int kLinesPerInbound = 10;  // 100,000 lines: ten arrivals per SKU
const Timestamp kNow = FromMicros(1'800'000'000'000'000);

std::string SkuName(int k) { return "sku-" + std::to_string(k); }

// Inbound i arrives at location i % 20 on day i % 60, with SKUs spread so each SKU has ten.
Inbound MakeInbound(int i) {
  Inbound in;
  in.id = InboundId("po-" + std::to_string(i));
  in.location = LocationId("b" + std::to_string(i % kLocations));
  in.expected_at = kNow + std::chrono::hours(24 * (1 + i % 60));
  for (int j = 0; j < kLinesPerInbound; ++j) {
    in.lines.push_back({Sku(SkuName((i * kLinesPerInbound + j) % kSkus)), 50, 0, 0});
  }
  return in;
}

Snapshot Supplied(bool with_inbounds) {
  Snapshot s;
  for (int l = 0; l < kLocations; ++l) {
    LocationId id("b" + std::to_string(l));
    s.locations.push_back({id, "", LocationKind::kStore, true, true, true, {}});
    for (int k = 0; k < kSkus / kLocations; ++k) {
      StockLevel level;
      level.on_hand = 10;
      level.version = 1;
      s.stock.emplace_back(StockKey{Sku(SkuName(k * kLocations + l)), id}, level);
    }
  }
  LocationGroup g{GroupId("online"), {}, {}};
  for (const auto& l : s.locations) g.members.push_back(l.id);
  s.groups.push_back(g);
  if (with_inbounds) {
    for (int i = 0; i < kInbounds; ++i) s.open_inbounds.push_back(MakeInbound(i));
  }
  return s;
}

struct Loaded {
  SharedView view;
  WriterState state{view};
  Loaded() { state.Reset(Supplied(true)); }
};
Loaded& Shared() {
  static Loaded* loaded = new Loaded();
  return *loaded;
}

std::vector<Sku> Skus(int n) {
  std::vector<Sku> out;
  std::mt19937 rng(7);
  for (int i = 0; i < n; ++i) out.push_back(Sku(SkuName(static_cast<int>(rng() % kSkus))));
  return out;
}

// The baseline: current ATP of the same SKUs over the same state.
void BM_AtpNow(benchmark::State& state) {
  Loaded& l = Shared();
  std::vector<Sku> skus = Skus(static_cast<int>(state.range(0)));
  AvailabilityScope scope{{}, GroupId("online")};
  for (auto _ : state) {
    auto r = l.view.Read([&](const CommittedData& d) {
      return QueryAvailability(d, skus, scope, Channel::kOnline);
    });
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AtpNow)->Arg(1)->Arg(1000);

void BM_FutureAtpGroupOf20(benchmark::State& state) {
  Loaded& l = Shared();
  std::vector<Sku> skus = Skus(static_cast<int>(state.range(0)));
  AvailabilityScope scope{{}, GroupId("online")};
  for (auto _ : state) {
    auto r = l.view.Read([&](const CommittedData& d) {
      return QueryFutureAvailability(d, skus, scope, Channel::kOnline, kNow,
                                     limits::kDefaultFutureHorizon, 100);
    });
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_FutureAtpGroupOf20)->Arg(1)->Arg(1000);

void BM_FutureAtpOneLocation(benchmark::State& state) {
  Loaded& l = Shared();
  std::vector<Sku> skus = {Sku(SkuName(42))};
  AvailabilityScope scope{LocationId("b2"), {}};
  for (auto _ : state) {
    auto r = l.view.Read([&](const CommittedData& d) {
      return QueryFutureAvailability(d, skus, scope, Channel::kOnline, kNow,
                                     limits::kDefaultFutureHorizon, 1);
    });
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_FutureAtpOneLocation);

// Start-up: Engine::Open on a real SQLite file with the stock, with or without the 100,000
// open inbound lines (range(0) = 1 with them).
void BM_OpenSqlite(benchmark::State& state) {
  bool with = state.range(0) == 1;
  auto dir = std::filesystem::temp_directory_path() /
             ("oms-micro-open-" + std::to_string(getpid()) + (with ? "-in" : ""));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string file = (dir / "b.db").string();
  auto encode = [](const Event&) { return std::string(64, 'x'); };
  {
    auto store = storage::SqliteStore::Open({file, false}, encode);
    if (!store.ok()) {
      state.SkipWithError(store.status().ToString().c_str());
      return;
    }
    SystemClock clock;
    storage::RandomIdSource ids;
    SharedView view;
    Engine engine(**store, clock, ids, view, nullptr);
    (void)engine.Open();
    Snapshot s = Supplied(false);
    int n = 0;
    auto run = [&](Command c) {
      std::vector<Submission> b(1);
      b[0].command = std::move(c);
      b[0].context.request_id = "setup-" + std::to_string(++n);
      engine.Run(b);
    };
    for (const auto& l : s.locations) run(UpsertLocation{l});
    ImportStock import;
    for (const auto& [key, level] : s.stock) {
      import.rows.push_back({key, level.on_hand});
      if (import.rows.size() == 1000) run(std::exchange(import, {}));
    }
    if (with) {
      std::vector<Submission> batch;
      for (int i = 0; i < kInbounds; ++i) {
        Inbound in = MakeInbound(i);
        ExpectInbound c{
            in.id, in.location, clock.Now() + std::chrono::hours(24 * (1 + i % 60)), {}};
        for (const auto& line : in.lines) c.lines.push_back({line.sku, line.expected});
        Submission& sub = batch.emplace_back();
        sub.command = std::move(c);
        sub.context.request_id = "in-" + std::to_string(i);
        if (batch.size() == 500) engine.Run(batch), batch.clear();
      }
      engine.Run(batch);
    }
  }
  for (auto _ : state) {
    auto store = storage::SqliteStore::Open({file, false}, encode);
    SystemClock clock;
    storage::RandomIdSource ids;
    SharedView view;
    Engine engine(**store, clock, ids, view, nullptr);
    Status s = engine.Open();
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    state.counters["open_inbounds"] = static_cast<double>(engine.state().open_inbounds());
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_OpenSqlite)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace oms

// oms-bench: a closed-loop gRPC load generator for omsd. `seed` loads locations and stock;
// `run` drives one workload and prints throughput, latency percentiles and errors (a table,
// or one JSON object with --json).
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tools/bench/http_load.h"
#include "tools/bench/load.h"
#include "tools/bench/watchers.h"
#include "tools/bench/workloads.h"

namespace {

void Print(const bench::LoadResult& r, const bench::WorkloadOptions& w, bool json,
           const bench::WatchStats* watch) {
  if (json) {
    nlohmann::json j = {{"workload", r.name},         {"concurrency", r.concurrency},
                        {"lines", w.lines},           {"hot", w.hot},
                        {"seconds", r.seconds},       {"ops", r.ops},
                        {"ops_per_s", r.ops_per_s()}, {"units_per_s", r.units_per_s()},
                        {"p50_ms", r.p50_ms},         {"p90_ms", r.p90_ms},
                        {"p99_ms", r.p99_ms},         {"max_ms", r.max_ms},
                        {"errors", r.errors}};
    if (watch) {
      j["watch"] = {{"events", watch->events},
                    {"matched", watch->matched},
                    {"p50_ms", watch->p50_ms},
                    {"p99_ms", watch->p99_ms},
                    {"max_ms", watch->max_ms}};
    }
    fmt::print("{}\n", j.dump());
    return;
  }
  fmt::print("{:<12} {:>5} {:>12} {:>12} {:>8} {:>8} {:>8} {:>8}  errors\n", "workload", "N",
             "ops/s", "units/s", "p50 ms", "p90 ms", "p99 ms", "max ms");
  std::string errors;
  for (const auto& [code, n] : r.errors) errors += fmt::format("{}={} ", code, n);
  fmt::print("{:<12} {:>5} {:>12.0f} {:>12.0f} {:>8.2f} {:>8.2f} {:>8.2f} {:>8.2f}  {}\n", r.name,
             r.concurrency, r.ops_per_s(), r.units_per_s(), r.p50_ms, r.p90_ms, r.p99_ms, r.max_ms,
             errors.empty() ? "-" : errors);
  if (watch) {
    fmt::print(
        "watch: {} events at subscribers, reply->event p50 {:.2f} ms p99 {:.2f} ms max "
        "{:.2f} ms ({} paired)\n",
        watch->events, watch->p50_ms, watch->p99_ms, watch->max_ms, watch->matched);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"oms-bench: closed-loop load generator for omsd"};
  app.require_subcommand(1);
  bench::LoadOptions o;
  bench::WorkloadOptions w;
  app.add_option("--server", o.server, "host:port, or several comma-separated (replicas)")
      ->capture_default_str();
  app.add_option("--token", o.token, "bearer token");
  std::string http;
  app.add_option("--http", http, "omsd's --http-listen host:port (http-reserve, --sse-watchers)");

  CLI::App* seed = app.add_subcommand("seed", "create locations b0.., group online, stock");
  int64_t on_hand = 1'000'000'000;
  seed->add_option("--locations", w.locations)->capture_default_str();
  seed->add_option("--skus", w.skus)->capture_default_str();
  seed->add_option("--on-hand", on_hand)->capture_default_str();

  CLI::App* run = app.add_subcommand("run", "drive one workload");
  bool json = false;
  int watchers = 0;
  int watch_channels = 0;
  run->add_option("--workload", w.workload)
      ->check(CLI::IsMember({"ping", "reserve", "mixed", "read", "return", "http-reserve"}))
      ->capture_default_str();
  run->add_option("--concurrency,-n", o.concurrency, "calls in flight")->capture_default_str();
  run->add_option("--channels,-c", o.channels, "separate connections")->capture_default_str();
  run->add_option("--duration", o.duration_s, "seconds measured")->capture_default_str();
  run->add_option("--warmup", o.warmup_s, "seconds before measuring")->capture_default_str();
  run->add_option("--seed", o.seed, "random seed")->capture_default_str();
  run->add_option("--lines", w.lines, "lines per reservation")->capture_default_str();
  run->add_option("--skus", w.skus, "SKUs drawn from")->capture_default_str();
  run->add_option("--locations", w.locations, "locations drawn from")->capture_default_str();
  run->add_flag("--hot", w.hot, "every line on sku-0 at b0");
  run->add_option("--sales-per-client", w.sales_per_client,
                  "return: sales made per client before measuring")
      ->capture_default_str();
  run->add_option("--units-per-sale", w.units_per_sale,
                  "return: units each sale sells (returns per sale)")
      ->capture_default_str();
  run->add_option("--watchers", watchers, "WatchAvailability subscribers attached meanwhile");
  std::string watch_server;
  run->add_option("--watch-server", watch_server,
                  "where the watchers connect, if not --server (e.g. the followers)");
  run->add_option("--watch-channels", watch_channels,
                  "connections the watchers share (0: one each, like separate clients)")
      ->capture_default_str();
  int sse_watchers = 0;
  run->add_option("--sse-watchers", sse_watchers,
                  "Server-Sent Events subscribers of /v1/watch/availability meanwhile (--http)");
  run->add_flag("--json", json, "one JSON object");
  CLI11_PARSE(app, argc, argv);

  if (*seed) return bench::Seed(o, w.locations, w.skus, on_hand) ? 0 : 1;
  std::unique_ptr<bench::Watchers> watch;
  if (watchers > 0) {
    bench::LoadOptions wo = o;
    if (!watch_server.empty()) wo.server = watch_server;
    watch = std::make_unique<bench::Watchers>(wo, watchers, watch_channels, w.skus);
    w.on_reserved = [&watch](const std::string& sku) { watch->NoteReply(sku); };
  }
  std::unique_ptr<bench::SseWatchers> sse;
  if (sse_watchers > 0) {
    if (http.empty() || watch) {
      fmt::print(stderr, "oms-bench: --sse-watchers needs --http and no --watchers\n");
      return 1;
    }
    sse = std::make_unique<bench::SseWatchers>(o, http, sse_watchers, w.skus);
    w.on_reserved = [&sse](const std::string& sku) { sse->NoteReply(sku); };
  }
  auto channels = bench::MakeChannels(o);
  // http-reserve: the reserve workload's requests as JSON over HTTP/1.1 keep-alive connections.
  bench::Step step = w.workload == "http-reserve" ? bench::MakeHttpReserve(w, o, http)
                                                  : bench::MakeWorkload(w, o, channels);
  if (!step) {
    fmt::print(stderr, "oms-bench: workload {} could not be set up\n", w.workload);
    return 1;
  }
  bench::LoadResult r = bench::RunLoad(w.workload, o, step);
  std::optional<bench::WatchStats> stats;
  if (watch) stats = watch->Stop();
  if (sse) stats = sse->Stop();
  Print(r, w, json, stats ? &*stats : nullptr);
  return r.ops > 0 ? 0 : 1;
}

// A closed-loop load: N workers, each with exactly one call in flight, spread over C channels.
// A worker's step starts a call and reports its outcome; the loop measures throughput, latency
// percentiles and errors by code after the warm-up.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

struct LoadOptions {
  std::string server = "127.0.0.1:50051";  // or several, comma-separated (replicas)
  std::string token;
  int concurrency = 64;
  int channels = 4;
  double duration_s = 5;
  double warmup_s = 1;
  uint64_t seed = 1;
};

struct LoadResult {
  std::string name;
  int concurrency = 0;
  double seconds = 0;
  int64_t ops = 0;
  int64_t units = 0;  // reserved units (reserve workloads)
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  std::map<std::string, int64_t> errors;  // by gRPC code name
  double ops_per_s() const { return seconds > 0 ? ops / seconds : 0; }
  double units_per_s() const { return seconds > 0 ? units / seconds : 0; }
};

// One operation a worker performs: start it, and call `done(status, units)` exactly once when it
// completes (from any thread).
using Done = std::function<void(const grpc::Status&, int64_t units)>;
using Step = std::function<void(int worker, uint64_t n, Done done)>;

// o.channels connections of their own; with several servers, channel i goes to server
// (first + i) mod their number.
std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(const LoadOptions& o, int first = 0);
// Adds the token, if any, and a 10 s deadline.
void Prepare(grpc::ClientContext& ctx, const LoadOptions& o);
LoadResult RunLoad(const std::string& name, const LoadOptions& o, const Step& step);

}  // namespace bench

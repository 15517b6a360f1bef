// The closed loop and its statistics.
#include "tools/bench/load.h"

#include "services/code_name.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace bench {

std::vector<std::shared_ptr<grpc::Channel>> MakeChannels(const LoadOptions& o, int first) {
  std::vector<std::string> servers;
  for (size_t at = 0; at <= o.server.size();) {
    size_t comma = std::min(o.server.find(',', at), o.server.size());
    if (comma > at) servers.push_back(o.server.substr(at, comma - at));
    at = comma + 1;
  }
  if (servers.empty()) servers.push_back(o.server);
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < std::max(1, o.channels); ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    args.SetInt("oms.bench.channel", i);
    const std::string& server = servers[static_cast<size_t>(first + i) % servers.size()];
    out.push_back(grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args));
  }
  return out;
}

void Prepare(grpc::ClientContext& ctx, const LoadOptions& o) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.set_wait_for_ready(true);
  if (!o.token.empty()) ctx.AddMetadata("authorization", "Bearer " + o.token);
}

namespace {

struct Worker {
  std::vector<uint32_t> latency_us;
  std::map<std::string, int64_t> errors;
  int64_t ops = 0, units = 0;
  uint64_t n = 0;
};

double Percentile(std::vector<uint32_t>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return v[i] / 1000.0;
}

}  // namespace

LoadResult RunLoad(const std::string& name, const LoadOptions& o, const Step& step) {
  std::vector<Worker> workers(static_cast<size_t>(o.concurrency));
  const Clock::time_point start = Clock::now();
  const Clock::time_point measure_from = start + std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(o.warmup_s));
  const Clock::time_point end = measure_from + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(o.duration_s));
  std::mutex mu;
  std::condition_variable cv;
  int running = o.concurrency;
  std::function<void(int)> issue = [&](int w) {
    Clock::time_point began = Clock::now();
    if (began >= end) {
      std::lock_guard lock(mu);
      if (--running == 0) cv.notify_all();
      return;
    }
    Worker& worker = workers[static_cast<size_t>(w)];
    step(w, worker.n++, [&, w, began](const grpc::Status& s, int64_t units) {
      Clock::time_point now = Clock::now();
      Worker& me = workers[static_cast<size_t>(w)];
      if (began >= measure_from && now <= end) {
        ++me.ops;
        me.units += s.ok() ? units : 0;
        me.latency_us.push_back(static_cast<uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(now - began).count()));
        if (!s.ok()) ++me.errors[oms::services::CodeName(s.error_code())];
      }
      issue(w);
    });
  };
  for (int w = 0; w < o.concurrency; ++w) issue(w);
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return running == 0; });
  }
  LoadResult r;
  r.name = name;
  r.concurrency = o.concurrency;
  r.seconds = o.duration_s;
  std::vector<uint32_t> all;
  for (auto& w : workers) {
    r.ops += w.ops;
    r.units += w.units;
    all.insert(all.end(), w.latency_us.begin(), w.latency_us.end());
    for (const auto& [code, n] : w.errors) r.errors[code] += n;
  }
  r.p50_ms = Percentile(all, 0.50);
  r.p90_ms = Percentile(all, 0.90);
  r.p99_ms = Percentile(all, 0.99);
  r.max_ms = all.empty() ? 0 : *std::max_element(all.begin(), all.end()) / 1000.0;
  return r;
}

}  // namespace bench

// Watchers implementation: one blocking reader thread per stream (they sleep in Read).
#include "tools/bench/watchers.h"

#include <algorithm>

#include "oms/v1/inventory_service.grpc.pb.h"

namespace bench {

namespace {
int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}
int SkuIndex(const std::string& sku) { return std::atoi(sku.c_str() + 4); }  // "sku-N"
}  // namespace

Watchers::Watchers(const LoadOptions& o, int subscribers, int skus)
    : options_(o), skus_(skus), reply_ns_(new std::atomic<int64_t>[static_cast<size_t>(skus)]) {
  for (int i = 0; i < skus; ++i) reply_ns_[static_cast<size_t>(i)] = 0;
  latency_us_.resize(static_cast<size_t>(subscribers));
  events_.resize(static_cast<size_t>(subscribers));
  int per = std::max(1, skus / std::max(1, subscribers));
  for (int i = 0; i < subscribers; ++i) {
    contexts_.push_back(std::make_unique<grpc::ClientContext>());
    threads_.emplace_back([this, i, per, skus] {
      Follow(i, (i * per) % skus, std::min(skus, (i * per) % skus + per));
    });
  }
}

Watchers::~Watchers() { Stop(); }

void Watchers::NoteReply(const std::string& sku) {
  int i = SkuIndex(sku);
  if (i >= 0 && i < skus_)
    reply_ns_[static_cast<size_t>(i)].store(NowNs(), std::memory_order_relaxed);
}

void Watchers::Follow(int index, int first_sku, int last_sku) {
  auto channel = MakeChannels(options_)[0];
  auto stub = oms::v1::InventoryService::NewStub(channel);
  grpc::ClientContext& ctx = *contexts_[static_cast<size_t>(index)];
  if (!options_.token.empty()) ctx.AddMetadata("authorization", "Bearer " + options_.token);
  oms::v1::WatchAvailabilityRequest req;
  req.set_from_now(true);
  for (int k = first_sku; k < last_sku; ++k) req.add_skus("sku-" + std::to_string(k));
  auto reader = stub->WatchAvailability(&ctx, req);
  oms::v1::AvailabilityChanged e;
  auto& latency = latency_us_[static_cast<size_t>(index)];
  while (reader->Read(&e)) {
    ++events_[static_cast<size_t>(index)];
    int k = SkuIndex(e.sku());
    if (k < 0 || k >= skus_) continue;
    int64_t replied = reply_ns_[static_cast<size_t>(k)].load(std::memory_order_relaxed);
    if (replied == 0) continue;
    int64_t delta = NowNs() - replied;  // negative: the event beat the reply to the client
    latency.push_back(static_cast<uint32_t>(std::max<int64_t>(0, delta) / 1000));
  }
  reader->Finish();
}

WatchStats Watchers::Stop() {
  if (stopping_.exchange(true)) return {};
  for (auto& c : contexts_) c->TryCancel();
  for (auto& t : threads_) t.join();
  WatchStats s;
  std::vector<uint32_t> all;
  for (size_t i = 0; i < latency_us_.size(); ++i) {
    s.events += events_[i];
    all.insert(all.end(), latency_us_[i].begin(), latency_us_[i].end());
  }
  s.matched = static_cast<int64_t>(all.size());
  if (!all.empty()) {
    std::sort(all.begin(), all.end());
    s.p50_ms = all[all.size() / 2] / 1000.0;
    s.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)] / 1000.0;
    s.max_ms = all.back() / 1000.0;
  }
  return s;
}

}  // namespace bench

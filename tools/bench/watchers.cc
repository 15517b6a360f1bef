// Watchers implementation: each subscriber is a ClientReadReactor recording arrival times.
#include "tools/bench/watchers.h"

#include <fmt/core.h>

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

class Watchers::Subscriber final : public grpc::ClientReadReactor<oms::v1::AvailabilityChanged> {
 public:
  Subscriber(Watchers& owner, const LoadOptions& o, std::shared_ptr<grpc::Channel> channel,
             int first_sku, int last_sku)
      : owner_(owner), channel_(std::move(channel)) {
    if (!o.token.empty()) ctx_.AddMetadata("authorization", "Bearer " + o.token);
    req_.set_from_now(true);
    for (int k = first_sku; k < last_sku; ++k) req_.add_skus(fmt::format("sku-{}", k));
    stub_ = oms::v1::InventoryService::NewStub(channel_);
    stub_->async()->WatchAvailability(&ctx_, &req_, this);
    StartRead(&event_);
    StartCall();
  }

  // The server sends initial metadata once the stream is registered.
  void OnReadInitialMetadataDone(bool /*ok*/) override { owner_.Signal(&owner_.ready_); }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    seen_.push_back({SkuIndex(event_.sku()), NowNs()});
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& /*status*/) override { owner_.Signal(&owner_.done_); }

  void Cancel() { ctx_.TryCancel(); }
  const std::vector<Seen>& seen() const { return seen_; }

 private:
  Watchers& owner_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<oms::v1::InventoryService::Stub> stub_;
  grpc::ClientContext ctx_;
  oms::v1::WatchAvailabilityRequest req_;
  oms::v1::AvailabilityChanged event_;
  std::vector<Seen> seen_;  // touched only by this reactor's callbacks, which never overlap
};

void Watchers::Signal(int* counter) {
  {
    std::lock_guard lock(mu_);
    ++*counter;
  }
  cv_.notify_all();
}

Watchers::Watchers(const LoadOptions& o, int subscribers, int connections, int skus) : skus_(skus) {
  std::vector<std::shared_ptr<grpc::Channel>> shared;
  if (connections > 0) {
    LoadOptions opts = o;
    opts.channels = connections;
    shared = MakeChannels(opts);
  }
  int per = std::max(1, skus / std::max(1, subscribers));
  for (int i = 0; i < subscribers; ++i) {
    LoadOptions one = o;
    one.channels = 1;
    auto channel =
        shared.empty() ? MakeChannels(one, i)[0] : shared[static_cast<size_t>(i) % shared.size()];
    int first = (i * per) % skus;
    subscribers_.push_back(std::make_unique<Subscriber>(*this, o, std::move(channel), first,
                                                        std::min(skus, first + per)));
  }
  // Every stream registered before the first reservation, so none misses an event.
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, std::chrono::seconds(30), [&] { return ready_ == subscribers; });
}

Watchers::~Watchers() { Stop(); }

void Watchers::NoteReply(const std::string& sku) {
  int i = SkuIndex(sku);
  if (i < 0 || i >= skus_) return;
  int64_t now = NowNs();
  std::lock_guard lock(replies_mu_);
  replies_.push_back({i, now});
}

WatchStats Watchers::Stop() {
  if (stopping_.exchange(true)) return {};
  for (auto& s : subscribers_) s->Cancel();
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_ == static_cast<int>(subscribers_.size()); });
  }
  std::vector<const std::vector<Seen>*> seen;
  for (const auto& sub : subscribers_) seen.push_back(&sub->seen());
  return Pair(skus_, replies_, seen);
}

WatchStats Watchers::Pair(int skus, const std::vector<Seen>& replies_seen,
                          const std::vector<const std::vector<Seen>*>& seen) {
  WatchStats s;
  std::vector<std::vector<int64_t>> replies(static_cast<size_t>(skus));
  std::vector<std::vector<int64_t>> arrivals(static_cast<size_t>(skus));
  for (const Seen& r : replies_seen) replies[static_cast<size_t>(r.sku)].push_back(r.ns);
  for (const auto* sub : seen) {
    s.events += static_cast<int64_t>(sub->size());
    for (const Seen& e : *sub) {
      if (e.sku >= 0 && e.sku < skus) arrivals[static_cast<size_t>(e.sku)].push_back(e.ns);
    }
  }
  std::vector<uint32_t> all;
  for (size_t k = 0; k < replies.size(); ++k) {
    auto& r = replies[k];
    auto& a = arrivals[k];
    std::sort(r.begin(), r.end());
    std::sort(a.begin(), a.end());
    for (size_t i = 0; i < std::min(r.size(), a.size()); ++i) {
      all.push_back(static_cast<uint32_t>(std::max<int64_t>(0, a[i] - r[i]) / 1000));
    }
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

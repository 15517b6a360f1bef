// Watchers: N WatchAvailability subscribers attached during a load, each following its own
// slice of the SKUs (a storefront page's worth), measuring the time from a reservation's reply
// at the client to its availability event at a subscriber.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "tools/bench/load.h"

namespace bench {

struct WatchStats {
  int64_t events = 0;
  int64_t matched = 0;  // events paired with a reply
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

class Watchers {
 public:
  Watchers(const LoadOptions& o, int subscribers, int skus);
  ~Watchers();
  // Records that a reservation touching `sku` was just answered.
  void NoteReply(const std::string& sku);
  WatchStats Stop();

 private:
  void Follow(int index, int first_sku, int last_sku);

  LoadOptions options_;
  int skus_;
  std::unique_ptr<std::atomic<int64_t>[]> reply_ns_;  // per SKU: last reply time
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts_;
  std::vector<std::thread> threads_;
  std::vector<std::vector<uint32_t>> latency_us_;
  std::vector<int64_t> events_;
};

}  // namespace bench

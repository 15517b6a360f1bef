// Watchers: N WatchAvailability subscribers attached during a load, each following its own
// slice of the SKUs (a storefront page's worth), measuring the time from a reservation's reply
// at the client to its availability event at a subscriber. Replies and events are paired per
// SKU in order (the k-th reserve reply on a SKU with the k-th event on it); an event that beats
// its reply to the client counts as 0. Subscribers are gRPC callback reactors: no thread each.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
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
  // `connections` 0: one connection per subscriber; otherwise subscribers share that many.
  Watchers(const LoadOptions& o, int subscribers, int connections, int skus);
  ~Watchers();
  // Records that a reservation touching `sku` was just answered.
  void NoteReply(const std::string& sku);
  WatchStats Stop();

  struct Seen {
    int sku;
    int64_t ns;
  };
  // Pairs the k-th reply on a SKU with the k-th event on it at any subscriber (shared with the
  // SSE watchers, so both transports are measured alike).
  static WatchStats Pair(int skus, const std::vector<Seen>& replies,
                         const std::vector<const std::vector<Seen>*>& seen);

 private:
  class Subscriber;
  void Signal(int* counter);

  int skus_;
  std::mutex replies_mu_;
  std::vector<Seen> replies_;
  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<Subscriber>> subscribers_;
  // Subscribers registered at the server (the load starts once all are) and finished.
  std::mutex mu_;
  std::condition_variable cv_;
  int ready_ = 0;
  int done_ = 0;
};

}  // namespace bench

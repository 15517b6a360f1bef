// WatchHub: fans committed events out to Watch streams. The writer hands it each committed
// batch (cheap: a move under a mutex); the hub's own thread encodes the events into a
// bounded ring and wakes the streams. A stream reads by sequence — from the ring, or from the
// events table when it is further behind than the ring reaches — so a slow stream costs the
// writer and the other streams nothing, and no buffer grows without bound.
//
// Fan-out is cheap: each event is encoded once, into one reference-counted slice that every
// gRPC stream sends as is (a stream writes bytes, it neither parses nor serializes), and the
// ring hands streams shared, immutable entries rather than copies.
#pragma once

#include <grpcpp/support/slice.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "domain/ports.h"
#include "domain/read_store.h"

namespace oms::services {

struct WatchFilter {
  EventKind kind = EventKind::kAvailability;
  std::unordered_set<std::string> skus;       // availability: any if empty
  std::unordered_set<std::string> locations;  // availability: any if empty; orders: pickup store
  std::string customer;                       // orders: any if empty

  bool Matches(const StoredEvent& e) const;
  // The same, for an event whose SKU and location hashes are known (the ring keeps them, so
  // a hundred streams checking one event hash its strings once, not a hundred times).
  bool Matches(const StoredEvent& e, size_t sku_hash, size_t location_hash) const;
  // Builds the hash sets Matches uses; call once the sets above are final.
  void Prepare();

 private:
  struct Identity {
    size_t operator()(size_t h) const { return h; }
  };
  std::unordered_set<size_t, Identity> sku_hashes_;
  std::unordered_set<size_t, Identity> location_hashes_;
};

// One event as every stream shares it: the keys filters look at, and the API message encoded
// once. Immutable once built.
struct WatchEvent {
  StoredEvent keys;  // payload left empty: the bytes are in `wire`
  grpc::Slice wire;  // the encoded API message (AvailabilityChanged, OrderEvent)
  size_t sku_hash = 0;
  size_t location_hash = 0;
};
using WatchEventPtr = std::shared_ptr<const WatchEvent>;

// What fan-out has cost so far (for tests and metrics).
struct WatchCounters {
  uint64_t encoded = 0;   // events encoded by the hub for live streams (once per event)
  uint64_t replayed = 0;  // events read back from the log for a stream behind the ring
  uint64_t written = 0;   // messages the gRPC streams have sent
};

class WatchHub final : public EventSink {
 public:
  // A stream, woken (on the hub's thread) when new events may be available.
  class Subscriber {
   public:
    virtual ~Subscriber() = default;
    virtual void Wake() = 0;
    // Ends the stream with `status` (shutdown).
    virtual void Close(const Status& status) = 0;
    // The last sequence this stream has examined.
    virtual int64_t position() const = 0;
    // What the stream sends; fixed for its life (the hub indexes it).
    virtual const WatchFilter& filter() const = 0;
    // The hub found nothing for this stream in (from, to]: if it has examined everything up
    // to `from`, it moves on to `to` without looking and returns true; false if it is behind.
    virtual bool Skip(int64_t from, int64_t to) = 0;
  };

  // Called on the hub's thread after each fan-out: open streams and the largest lag.
  void set_lag_observer(std::function<void(size_t streams, int64_t max_lag)> observer) {
    lag_observer_ = std::move(observer);
  }

  WatchHub(ReadStore& reader, size_t capacity);
  ~WatchHub() override;

  // The last committed sequence at start-up.
  void Start(int64_t head);
  // Writer thread, after a commit: never blocks on streams.
  void Publish(std::vector<Event>&& events) override;
  // A follower replica: committed events it read back from the log, gap-free and in order
  // (each payload is the API message already, sent as is).
  void PublishStored(std::vector<StoredEvent>&& events);

  Status Subscribe(const std::shared_ptr<Subscriber>& subscriber);
  void Unsubscribe(const Subscriber* subscriber);
  // Stops accepting streams, closes every open one with UNAVAILABLE, stops the thread.
  void Shutdown();

  // The last committed sequence.
  int64_t head() const { return committed_head_.load(std::memory_order_acquire); }
  size_t subscribers() const;

  WatchCounters counters() const;
  // A stream sent `n` messages.
  void CountWritten(uint64_t n) { written_.fetch_add(n, std::memory_order_relaxed); }

  // Appends up to `max` events after *after that match `filter` to `out`, advancing *after
  // past everything examined. OUT_OF_RANGE if the log was pruned past *after.
  Status Next(int64_t* after, const WatchFilter& filter, size_t max,
              std::deque<WatchEventPtr>* out);
  // OUT_OF_RANGE if a stream cannot resume after `after` (pruned, or in the future).
  Status CheckResumable(int64_t after);

 private:
  void Run();
  void BumpHead(int64_t sequence);
  Status NextFromLog(int64_t* after, const WatchFilter& filter, size_t max,
                     std::deque<WatchEventPtr>* out);

  ReadStore& reader_;
  const size_t capacity_;
  std::atomic<int64_t> committed_head_{0};

  std::mutex pending_mu_;
  std::condition_variable pending_cv_;
  std::vector<Event> pending_;
  std::vector<StoredEvent> pending_stored_;
  bool stopping_ = false;

  mutable std::mutex ring_mu_;
  // Served kinds only, ascending. Every served event after ring_floor_ is in the ring.
  std::deque<WatchEventPtr> ring_;
  int64_t ring_floor_ = INT64_MAX;  // until Start(): everything comes from the log

  mutable std::mutex subs_mu_;
  std::vector<std::weak_ptr<Subscriber>> subs_;
  uint64_t subs_version_ = 0;  // bumped by every change of subs_
  bool closed_ = false;

  // The hub thread's index of the streams, rebuilt when subs_ changed: a batch wakes only
  // the streams it has an event for (found by SKU, or by a scan of the few without a SKU
  // filter), and lets every other stream skip past it.
  void FanOut(const std::vector<WatchEventPtr>& fresh, int64_t from, int64_t to);
  std::vector<std::shared_ptr<Subscriber>> fan_;
  std::unordered_map<size_t, std::vector<uint32_t>> fan_by_sku_;  // SKU hash -> fan_ index
  std::vector<uint32_t> fan_scan_;                                // every other stream
  uint64_t fan_version_ = UINT64_MAX;

  std::atomic<uint64_t> encoded_{0};
  std::atomic<uint64_t> replayed_{0};
  std::atomic<uint64_t> written_{0};

  std::function<void(size_t, int64_t)> lag_observer_;
  std::thread thread_;
};

}  // namespace oms::services

// Writer: the single writer thread. Handlers submit commands from any thread; the writer
// drains everything queued into one batch, runs it through the engine (one transaction,
// one fsync) and replies after the commit; pipelined, the fsync of one batch runs on a sync
// thread while the next batch is applied. A timer on the same thread expires reservations
// and purges old idempotency records. Asio stays inside writer.cc.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "domain/engine.h"
#include "domain/limits.h"

namespace oms::storage {

struct WriterOptions {
  int max_queue = limits::kMaxWriterQueue;
  int max_batch = limits::kMaxBatch;
  // How often the idempotency records and events past retention are purged, on the
  // engine's clock: due at the first sweep or batch after this much time has passed.
  std::chrono::milliseconds purge_interval{60000};
  Duration request_retention = limits::kDefaultRequestRetention;
  // Events kept for Watch replay: newer than this and among the newest `event_keep`.
  Duration event_retention = limits::kEventRetention;
  int64_t event_keep = limits::kMaxEventsKept;
  // The longest the expiry sweep sleeps, so a reservation's units return within this of its
  // expires_at even if the wake-up for it was missed.
  std::chrono::milliseconds max_sweep_delay{250};
  // Overlap each batch's fsync with the next batch (a sync thread; see Engine::Pipeline).
  // Replies still leave only after their own batch is durable.
  bool pipelined = true;
};

struct WriterStats {
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> commands{0};
  std::atomic<int64_t> failed_batches{0};
  std::atomic<int64_t> expired{0};
  std::atomic<int64_t> queue_depth{0};
  std::atomic<int64_t> last_batch_size{0};
  std::atomic<int64_t> last_batch_us{0};
};

// Observes each batch (metrics); called on the writer thread.
using BatchObserver = std::function<void(const BatchStats&, std::chrono::microseconds elapsed)>;

class Writer {
 public:
  Writer(Engine& engine, WriterOptions options);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Start();
  // Queues a command. Fails at once, without calling `done`, when the queue is full
  // (RESOURCE_EXHAUSTED) or the writer is stopping (UNAVAILABLE).
  Status Submit(Submission submission);
  // Stops accepting, finishes everything queued, then joins the thread.
  void Stop();

  const WriterStats& stats() const { return stats_; }
  void set_observer(BatchObserver observer);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  WriterStats stats_;
};

}  // namespace oms::storage

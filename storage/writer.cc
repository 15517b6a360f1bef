// Writer: an io_context on one thread; submissions go to a bounded queue under a mutex, and
// one posted drain per wake-up takes everything queued. Commands that arrive during an
// fsync form the next batch — group commit without timers or tuning knobs.
#include "storage/writer.h"

#include <pthread.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <mutex>
#include <thread>

namespace oms::storage {

namespace asio = boost::asio;

struct Writer::Impl {
  Impl(Engine& e, WriterOptions o, WriterStats& s)
      : engine(e), options(o), stats(s), work(asio::make_work_guard(io)), sweep_timer(io) {}

  void Drain();
  void RunBatch(std::vector<Submission>& batch);
  void ArmSweep();
  void PurgeIfDue();

  Engine& engine;
  WriterOptions options;
  WriterStats& stats;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::steady_timer sweep_timer;
  // Sends committed batches' replies, so the writer starts its next batch at once.
  asio::io_context replies;
  asio::executor_work_guard<asio::io_context::executor_type> replies_work =
      asio::make_work_guard(replies);
  std::thread replies_thread;
  // Runs the engine's fsyncs when pipelined.
  asio::io_context syncs;
  asio::executor_work_guard<asio::io_context::executor_type> syncs_work =
      asio::make_work_guard(syncs);
  std::thread sync_thread;
  std::thread thread;
  BatchObserver observer;

  std::mutex mu;
  std::deque<Submission> queue;
  bool drain_posted = false;
  bool stopping = false;
  // On the engine's clock (the server's, a fake one in tests), like every other schedule.
  Timestamp next_purge;
};

Writer::Writer(Engine& engine, WriterOptions options)
    : impl_(std::make_unique<Impl>(engine, options, stats_)) {}

Writer::~Writer() { Stop(); }

void Writer::set_observer(BatchObserver observer) { impl_->observer = std::move(observer); }

void Writer::Start() {
  impl_->replies_thread = std::thread([impl = impl_.get()] {
    pthread_setname_np(pthread_self(), "oms-replies");
    impl->replies.run();
  });
  impl_->engine.set_completion_executor([impl = impl_.get()](std::function<void()> reply) {
    asio::post(impl->replies, std::move(reply));
  });
  if (impl_->options.pipelined) {
    impl_->sync_thread = std::thread([impl = impl_.get()] {
      pthread_setname_np(pthread_self(), "oms-sync");
      impl->syncs.run();
    });
    impl_->engine.set_pipeline(Engine::Pipeline{
        .run_sync = [impl = impl_.get()](
                        std::function<void()> job) { asio::post(impl->syncs, std::move(job)); },
        .wake = [impl = impl_.get()] { asio::post(impl->io, [impl] { impl->engine.Poll(); }); }});
  }
  impl_->next_purge = impl_->engine.Now() + impl_->options.purge_interval;
  asio::post(impl_->io, [impl = impl_.get()] { impl->ArmSweep(); });
  impl_->thread = std::thread([impl = impl_.get()] {
    pthread_setname_np(pthread_self(), "oms-writer");
    impl->io.run();
  });
}

Status Writer::Submit(Submission submission) {
  std::lock_guard lock(impl_->mu);
  if (impl_->stopping) {
    return Status::Unavailable(reason::kShuttingDown, "the server is shutting down; retry");
  }
  if (impl_->queue.size() >= static_cast<size_t>(impl_->options.max_queue)) {
    Status s(Code::kResourceExhausted, "the writer queue is full; retry with backoff");
    s.WithReason(reason::kWriterOverloaded);
    return s;
  }
  impl_->queue.push_back(std::move(submission));
  stats_.queue_depth.store(static_cast<int64_t>(impl_->queue.size()), std::memory_order_relaxed);
  if (!impl_->drain_posted) {
    impl_->drain_posted = true;
    asio::post(impl_->io, [impl = impl_.get()] { impl->Drain(); });
  }
  return Status::Ok();
}

void Writer::Impl::Drain() {
  std::vector<Submission> batch;
  {
    std::lock_guard lock(mu);
    size_t n = std::min(queue.size(), static_cast<size_t>(options.max_batch));
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    stats.queue_depth.store(static_cast<int64_t>(queue.size()), std::memory_order_relaxed);
    // More than one batch queued: drain again right after this one.
    drain_posted = !queue.empty();
    if (drain_posted) asio::post(io, [this] { Drain(); });
  }
  // Checked per batch too, not only on the sweep timer: a purge that is due runs before the
  // batch whose reply follows it.
  PurgeIfDue();
  RunBatch(batch);
}

void Writer::Impl::RunBatch(std::vector<Submission>& batch) {
  auto start = std::chrono::steady_clock::now();
  BatchStats result = engine.Run(batch);
  auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  stats.batches.fetch_add(1, std::memory_order_relaxed);
  stats.commands.fetch_add(result.commands, std::memory_order_relaxed);
  stats.expired.fetch_add(result.expired, std::memory_order_relaxed);
  if (!result.committed) stats.failed_batches.fetch_add(1, std::memory_order_relaxed);
  stats.last_batch_size.store(result.commands, std::memory_order_relaxed);
  stats.last_batch_us.store(elapsed.count(), std::memory_order_relaxed);
  if (observer) observer(result, elapsed);
  if (result.expired > 0) ArmSweep();
}

void Writer::Impl::ArmSweep() {
  // Wake at the next expiry, but never sleep longer than max_sweep_delay: that bounds how
  // late units come back even if the clock jumps or a wake-up is missed.
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(options.max_sweep_delay);
  if (auto next = engine.NextExpiry()) {
    auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - engine.Now());
    if (until < delay) delay = std::max(until, std::chrono::milliseconds(0));
  }
  sweep_timer.expires_after(delay);
  sweep_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto next = engine.NextExpiry(); next && *next <= engine.Now()) {
      std::vector<Submission> none;
      RunBatch(none);
    }
    PurgeIfDue();
    bool stop;
    {
      std::lock_guard lock(mu);
      stop = stopping;
    }
    if (!stop) ArmSweep();
  });
}

void Writer::Impl::PurgeIfDue() {
  Timestamp now = engine.Now();
  if (now < next_purge) return;
  next_purge = now + options.purge_interval;
  (void)engine.PurgeRequests(options.request_retention);
  (void)engine.PurgeEvents(options.event_retention, options.event_keep);
}

void Writer::Stop() {
  if (!impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  // Drain what is queued, then let the io_context run out of work.
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->sweep_timer.cancel();
    for (;;) {
      std::vector<Submission> batch;
      {
        std::lock_guard lock(impl->mu);
        while (!impl->queue.empty()) {
          batch.push_back(std::move(impl->queue.front()));
          impl->queue.pop_front();
        }
      }
      if (batch.empty()) break;
      impl->RunBatch(batch);
    }
    impl->engine.Flush();
    impl->work.reset();
  });
  impl_->thread.join();
  if (impl_->sync_thread.joinable()) {
    impl_->syncs_work.reset();
    impl_->sync_thread.join();
  }
  // Every reply handed over has been sent before Stop returns.
  impl_->replies_work.reset();
  impl_->replies_thread.join();
  impl_->engine.set_completion_executor(nullptr);
  impl_->engine.set_pipeline(std::nullopt);
}

}  // namespace oms::storage

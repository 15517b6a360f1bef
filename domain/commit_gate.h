// CommitGate: how far commits are durable, for readers that query the database directly
// (storage's Reader). With a pipelined writer a commit is visible in the database a moment
// before its fsync returns; a read that may have seen such a commit waits until it is durable
// before it answers, so nothing is ever shown that a crash could take back.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace oms {

class CommitGate {
 public:
  // Writer: before a COMMIT that may be visible before it is durable. Returns its number.
  int64_t BeginCommit() { return begun_.fetch_add(1) + 1; }
  int64_t begun() const { return begun_.load(); }
  // Any thread: every commit numbered up to `n` is durable (or, after a failure and a reload,
  // is what the database durably holds).
  void Durable(int64_t n) {
    {
      std::lock_guard lock(mu_);
      if (n <= durable_.load()) return;
      durable_.store(n);
    }
    cv_.notify_all();
  }
  // Reader, after its read transaction ended: waits until every commit begun so far is
  // durable, at most `timeout`. False if that did not happen in time (storage is failing).
  bool AwaitDurable(std::chrono::milliseconds timeout) {
    int64_t target = begun_.load();
    if (durable_.load() >= target) return true;
    std::unique_lock lock(mu_);
    ++waiting_;
    bool ok = cv_.wait_for(lock, timeout, [&] { return durable_.load() >= target; });
    --waiting_;
    return ok;
  }
  // Readers waiting now (tests).
  int waiting() {
    std::lock_guard lock(mu_);
    return waiting_;
  }

 private:
  std::atomic<int64_t> begun_{0};
  std::atomic<int64_t> durable_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
};

}  // namespace oms

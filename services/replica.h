// Replica: one omsd of several on one PostgreSQL database. At any moment one replica leads —
// it holds the writer's lease and runs the engine and the writer exactly as a single omsd
// does — and the others follow: they keep the shared view (stock, locations, ATP) and their
// Watch hub current by reading the events table after the last sequence they applied, woken
// by the leader's NOTIFY or by a short poll. When the lease lapses (the leader died, froze or
// lost the database), a follower takes it, reloads the authoritative state from the database
// and starts writing; a leader that finds its lease taken steps down and follows.
//
// Threads: one of its own (the role loop: follow, try to lead, watch the lease), plus the
// writer's while it leads. Submit and the accessors are safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "domain/engine.h"
#include "domain/ports.h"
#include "domain/state.h"
#include "storage/writer.h"

namespace oms::storage {
class PgFollower;
class PgStore;
}  // namespace oms::storage

namespace oms::services {

class WatchHub;

// The highest event sequence this replica has applied (its view and hub show everything up
// to it), and a way to wait for one (the oms-min-sequence of a read).
class AppliedSequence {
 public:
  void Advance(int64_t sequence);
  int64_t value() const { return applied_.load(std::memory_order_acquire); }
  // True once value() >= sequence; false if `deadline` passed first.
  bool WaitFor(int64_t sequence, std::chrono::steady_clock::time_point deadline);

 private:
  std::atomic<int64_t> applied_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

// The writer's event sink: the hub gets each committed batch, then the applied sequence
// moves (the view was published before, so a read that waited for it sees the batch).
class SequencedSink final : public EventSink {
 public:
  SequencedSink(WatchHub& hub, AppliedSequence& applied) : hub_(hub), applied_(applied) {}
  void Publish(std::vector<Event>&& events) override;

 private:
  WatchHub& hub_;
  AppliedSequence& applied_;
};

struct ReplicaOptions {
  std::string conninfo;
  std::string advertise;  // how the other replicas reach this one (host:port)
  std::chrono::milliseconds lease_ttl{5000};
  // How long a follower waits for the leader's NOTIFY before it looks anyway.
  std::chrono::milliseconds poll_interval{100};
  Duration pickup_hold = limits::kDefaultPickupHold;
  Duration inbound_grace = limits::kDefaultInboundGrace;
  storage::WriterOptions writer;
};

class Replica {
 public:
  // Reported on the role loop's thread, also once at Start.
  struct Observer {
    std::function<void(bool leader)> role;
    // A follower applied events up to `applied`, `lag` after the newest was committed (or
    // lag < 0: not measured), and is `behind` events behind the log's head (-1: not measured).
    std::function<void(int64_t applied, int64_t behind, std::chrono::microseconds lag)> followed;
    storage::BatchObserver batch;  // the writer's, while leading
  };

  Replica(ReplicaOptions options, Clock& clock, IdSource& ids, SharedView& view, WatchHub& hub,
          AppliedSequence& applied);
  ~Replica();

  // Connects, creates or checks the schema and loads the snapshot: from then on reads are
  // served. Fails if the database cannot be reached.
  Status Start(Observer observer);
  // Starts the role loop, which takes the lease at once if it is free. `advertise` is how
  // the others reach this replica, unless the options named one.
  void Run(std::string advertise);
  // Steps down (the lease is given up at once, so another replica need not wait for it to
  // lapse) and stops the loop. Mutations still queued are answered first.
  void Stop();

  bool leader() const { return leader_.load(std::memory_order_acquire); }
  int64_t applied_sequence() const { return applied_.value(); }
  // The leader's --advertise address as the lease names it ("" when unknown or this one).
  std::string leader_address() const;
  // Calls `then` with the leader's address as soon as one other than `unreachable` is known
  // (at once if it is), or with "" at `until` or when the replica stops: a mutation waits
  // out a failover without holding a thread. An `unreachable` leader makes the role loop
  // read the lease again now. `then` runs on the caller's thread or the role loop's and must
  // not block.
  void OnLeader(std::chrono::steady_clock::time_point until, std::string unreachable,
                std::function<void(std::string leader)> then);
  // How long a mutation may wait for a leader: a lease's lapse and a takeover.
  std::chrono::milliseconds failover_wait() const { return options_.lease_ttl * 2; }
  int schema_version() const { return schema_version_; }
  // Queues a mutation on this replica's writer; UNAVAILABLE NOT_LEADER when it does not lead.
  Status Submit(Submission submission);
  // The leader's writer statistics (nullptr on a follower).
  const storage::WriterStats* writer_stats() const;
  // The leader's active reservations and live orders. Writer thread only (batch observers).
  std::pair<size_t, size_t> live_counts() const {
    if (!engine_) return {0, 0};
    return {engine_->state().active_reservations(), engine_->state().live_orders()};
  }

 private:
  void Loop();
  // One step of following: applies what the log holds after applied; false on a database
  // error. With `until_head`, repeats until nothing is left (a promotion's catch-up).
  bool Follow(bool until_head);
  // Starts over from the whole snapshot (start, a gap in the log, locations or future supply
  // changed, after stepping down).
  bool ReloadView();
  void TryLead();
  void StepDown(const char* why);

  ReplicaOptions options_;
  Clock& clock_;
  IdSource& ids_;
  SharedView& view_;
  WatchHub& hub_;
  AppliedSequence& applied_;
  Observer observer_;
  int schema_version_ = 0;

  std::unique_ptr<storage::PgFollower> follower_;  // the loop's connection
  WriterState follow_state_;                       // what the follower applies to the view
  int64_t followed_ = 0;                           // the last sequence the follower applied
  std::chrono::steady_clock::time_point next_lease_check_{};

  // The leader's parts, built on promotion and torn down when stepping down.
  std::unique_ptr<SequencedSink> sink_;
  std::unique_ptr<storage::PgStore> store_;
  std::unique_ptr<Engine> engine_;
  mutable std::shared_mutex writer_mu_;  // guards writer_ against Submit
  std::unique_ptr<storage::Writer> writer_;
  std::atomic<bool> leader_{false};

  void SetLeaderAddress(std::string address);
  // Answers the OnLeader waiters whose time is up (all of them with `all`) with "".
  void ExpireLeaderWaiters(bool all);
  struct LeaderWaiter {
    std::chrono::steady_clock::time_point until;
    std::string unreachable;
    std::function<void(std::string)> then;
  };
  mutable std::mutex lease_mu_;
  std::string leader_address_;
  std::vector<LeaderWaiter> leader_waiters_;
  bool waiters_closed_ = false;
  std::atomic<bool> recheck_lease_{false};

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace oms::services

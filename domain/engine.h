// The engine: applies batches of commands to the writer's state and to storage as one
// transaction, a savepoint per command, and completes each command only after the commit.
// Driven by one thread at a time (storage/writer); the engine itself has no threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "domain/commands.h"
#include "domain/commit_gate.h"
#include "domain/limits.h"
#include "domain/ports.h"
#include "domain/state.h"

namespace oms {

struct Completion {
  Status status;
  std::string response;   // the encoded response, when ok
  bool replayed = false;  // a retry: response holds what the first call returned
  // The last event sequence committed when the reply left (the consistency token a reply
  // carries as `oms-sequence`): a read that waits for it sees this command's effect.
  int64_t sequence = 0;
};

struct Submission {
  Command command;
  CommandContext context;
  // Encodes the reply as the API response; the bytes are stored for idempotent retries. A
  // failure (a reply the caller cannot encode: a bug) fails this command, which then has no
  // effect, and never the batch.
  std::function<Result<std::string>(const Reply&)> encode;
  // Called exactly once, after the batch is durable (or has failed).
  std::function<void(Completion)> done;
};

struct BatchStats {
  int commands = 0;
  int failed = 0;    // commands answered with an error
  int replayed = 0;  // idempotent retries answered from the stored response
  int expired = 0;   // reservations, orders and inbounds the sweep expired or marked overdue
  bool committed = false;
};

class Engine {
 public:
  Engine(Store& store, Clock& clock, IdSource& ids, SharedView& view, EventSink* sink,
         Duration pickup_hold = limits::kDefaultPickupHold);

  // How long after expected_at an open inbound turns overdue; set before Open().
  void set_inbound_grace(Duration grace) { state_.set_inbound_grace(grace); }

  // Loads the state and expires whatever fell due while the service was down.
  Status Open();
  // Applies `batch` in one transaction and completes every submission. The batch is
  // consumed.
  BatchStats Run(std::vector<Submission>& batch);
  // When the earliest active reservation, ready order or open inbound falls due, if any.
  std::optional<Timestamp> NextExpiry() const;
  // Where a committed batch's replies are sent from. By default the caller's thread; the
  // writer hands them to a thread of their own so its next batch starts at once. Replies are
  // only ever handed over after the commit and the publication of the new state.
  using Executor = std::function<void(std::function<void()>)>;
  void set_completion_executor(Executor executor) { completions_ = std::move(executor); }

  // Pipelined durability, set by the writer after Open(): a batch commits without waiting for
  // its fsync (Store::CommitNoSync), which `run_sync` runs on another thread while the next
  // batch is applied and written. The next batch commits only once that fsync returned. A
  // batch's replies, published state and events are released only after its own fsync, in
  // batch order. A failed fsync fails that batch and the one built on it, and memory is
  // reloaded from the database once a sync succeeds again.
  struct Pipeline {
    Executor run_sync;           // runs a job on the sync thread
    std::function<void()> wake;  // from the sync thread: the writer should call Poll() soon
  };
  void set_pipeline(std::optional<Pipeline> pipeline) { pipeline_ = std::move(pipeline); }
  // Commits numbered for readers of the database (see CommitGate); optional.
  void set_commit_gate(CommitGate* gate) { gate_ = gate; }
  // Releases the batch in flight if its fsync has returned. Never blocks. Writer thread.
  void Poll();
  // Waits for the batch in flight, if any, and releases (or fails) it. Writer thread.
  void Flush();

  // Deletes idempotency records older than `retention` (in its own transaction).
  Result<int64_t> PurgeRequests(Duration retention);
  // Deletes events older than `retention` or beyond the newest `keep`.
  Result<int64_t> PurgeEvents(Duration retention, int64_t keep);

  const WriterState& state() const { return state_; }
  Timestamp Now() { return clock_.Now(); }

 private:
  // One batch in one transaction; with `queue_writes`, the store may queue its writes for
  // the commit (Store::QueueWrites).
  BatchStats RunOnce(std::vector<Submission>& batch, bool queue_writes);
  Completion ApplyOne(Submission& s, Timestamp now);
  // Expires up to `max` overdue reservations and uncollected orders inside the open batch.
  int SweepExpired(Timestamp now, int max);
  // Applies one of the writer's own commands; false if storage failed.
  bool ApplyInternal(const Command& command, Timestamp now);
  // After a failed batch: the database is the truth; memory is rebuilt from it.
  // False if it failed (stale_ stays set).
  bool Reload();
  BatchStats RunPipelined(std::vector<Submission>& batch);
  // Hands a batch's replies to the completion executor (or sends them here).
  void Deliver(std::vector<Submission> batch, std::vector<Completion> completions);
  // Lets the store fetch the idempotency records the batch will look up, all at once.
  void PrefetchRequests(const std::vector<Submission>& batch);
  // Pipelined: once the batch in flight's fsync returned, releases or fails it; true unless it
  // failed. With `wait`, blocks until the fsync returned.
  bool SettleInFlight(bool wait);
  // Pipelined, after a failed fsync: syncs again and, once that succeeds, reloads memory
  // from the database (which may hold the failed batch: its callers retry by request_id).
  bool Recover();

  Store& store_;
  Clock& clock_;
  IdSource& ids_;
  WriterState state_;
  EventSink* sink_;
  Duration pickup_hold_;
  std::chrono::steady_clock::time_point steady_now_;  // read once per batch
  Executor completions_;
  std::vector<Event> pending_events_;  // of the open batch
  bool poisoned_ = false;              // a storage error in the open batch
  // A reload after a failure failed too: memory may disagree with the database, so every
  // batch fails until a reload succeeds.
  bool stale_ = false;

  // Pipelined durability.
  struct InFlight {
    int64_t number = 0;  // of the batch, counted by the engine
    std::vector<Submission> batch;
    std::vector<Completion> completions;
    std::vector<Event> events;
  };
  std::optional<Pipeline> pipeline_;
  CommitGate* gate_ = nullptr;
  std::optional<InFlight> in_flight_;  // committed, its fsync not yet seen to return
  int64_t batches_ = 0;
  bool prior_failed_ = false;  // the batch the open one builds on failed its fsync
  bool recovering_ = false;    // a failed fsync not yet followed by a successful one
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;
  std::atomic<int64_t> synced_{0};   // the newest batch whose fsync returned
  std::atomic<bool> sync_ok_{true};  // how it returned
};

}  // namespace oms

// The engine: applies batches of commands to the writer's state and to storage as one
// transaction, a savepoint per command, and completes each command only after the commit.
// Driven by one thread at a time (storage/writer); the engine itself has no threads.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "domain/commands.h"
#include "domain/limits.h"
#include "domain/ports.h"
#include "domain/state.h"

namespace oms {

struct Completion {
  Status status;
  std::string response;   // the encoded response, when ok
  bool replayed = false;  // a retry: response holds what the first call returned
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

  // Deletes idempotency records older than `retention` (in its own transaction).
  Result<int64_t> PurgeRequests(Duration retention);
  // Deletes events older than `retention` or beyond the newest `keep`.
  Result<int64_t> PurgeEvents(Duration retention, int64_t keep);

  const WriterState& state() const { return state_; }
  Timestamp Now() { return clock_.Now(); }

 private:
  Completion ApplyOne(Submission& s, Timestamp now);
  // Expires up to `max` overdue reservations and uncollected orders inside the open batch.
  int SweepExpired(Timestamp now, int max);
  // Applies one of the writer's own commands; false if storage failed.
  bool ApplyInternal(const Command& command, Timestamp now);
  // After a failed batch: the database is the truth; memory is rebuilt from it.
  void Reload();

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
};

}  // namespace oms

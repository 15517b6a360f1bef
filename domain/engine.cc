// Engine: group commit over the Store port.
#include "domain/engine.h"

#include "domain/apply.h"
#include "domain/assert.h"
#include "domain/draft.h"
#include "domain/limits.h"

namespace oms {
namespace {

Status BatchFailed() {
  return Status::Unavailable(reason::kStorageUnavailable,
                             "storage failed; the request had no effect, retry it");
}

// A pipelined batch whose fsync failed after its COMMIT: the database may still hold it, so
// the caller must not assume either outcome. A retry with the same request_id answers it.
Status SyncFailed() {
  return Status::Unavailable(
      reason::kStorageUnavailable,
      "storage failed to make the request durable; retry it with the same request_id");
}

}  // namespace

Engine::Engine(Store& store, Clock& clock, IdSource& ids, SharedView& view, EventSink* sink,
               Duration pickup_hold)
    : store_(store),
      clock_(clock),
      ids_(ids),
      state_(view),
      sink_(sink),
      pickup_hold_(pickup_hold) {}

Status Engine::Open() {
  Result<Snapshot> snapshot = store_.Load();
  if (!snapshot.ok()) return snapshot.status();
  state_.Reset(std::move(snapshot).value());
  std::vector<Submission> none;
  // Expire everything that fell due while down, before the first request is served.
  while (NextExpiry() && *NextExpiry() <= clock_.Now()) {
    BatchStats stats = Run(none);
    if (!stats.committed) return BatchFailed();
    if (stats.expired == 0) break;
  }
  return Status::Ok();
}

std::optional<Timestamp> Engine::NextExpiry() const {
  std::optional<Timestamp> next;
  if (!state_.expiry_index().empty()) next = state_.expiry_index().begin()->first;
  if (!state_.deadline_index().empty()) {
    Timestamp t = state_.deadline_index().begin()->first;
    if (!next || t < *next) next = t;
  }
  if (!state_.overdue_index().empty()) {
    Timestamp t = state_.overdue_index().begin()->first;
    if (!next || t < *next) next = t;
  }
  return next;
}

bool Engine::Reload() {
  Result<Snapshot> snapshot = store_.Load();
  // Memory may now disagree with the database: nothing is applied over it until it is rebuilt
  // (the next batch tries again); readers keep the last committed state meanwhile.
  stale_ = !snapshot.ok();
  if (!stale_) state_.Reset(std::move(snapshot).value());
  return !stale_;
}

BatchStats Engine::Run(std::vector<Submission>& batch) {
  if (pipeline_) return RunPipelined(batch);
  return RunOnce(batch, /*queue_writes=*/true);
}

BatchStats Engine::RunOnce(std::vector<Submission>& batch, bool queue_writes) {
  BatchStats stats;
  stats.commands = static_cast<int>(batch.size());
  std::vector<Completion> completions;
  completions.reserve(batch.size());
  pending_events_.clear();
  poisoned_ = stale_ && !Reload();
  const bool queued = store_.QueueWrites(queue_writes);
  bool began = false;
  if (!poisoned_) {
    began = store_.Begin().ok();
    poisoned_ = !began;
  }
  if (!poisoned_) PrefetchRequests(batch);

  Timestamp now = clock_.Now();
  steady_now_ = std::chrono::steady_clock::now();
  if (!poisoned_) stats.expired = SweepExpired(now, limits::kMaxBatch);
  for (auto& s : batch) completions.push_back(ApplyOne(s, now));

  Status committed = poisoned_ ? BatchFailed() : store_.Commit();
  store_.QueueWrites(false);
  if (committed.ok()) {
    stats.committed = true;
    state_.Publish();
    if (sink_ && !pending_events_.empty()) sink_->Publish(std::move(pending_events_));
    pending_events_.clear();
  } else {
    store_.Rollback();
    const bool reloaded = Reload();
    // Queued writes are refused only at the commit (or at a read after them), for the whole
    // batch (a constraint the domain should have upheld): the batch runs again with each
    // command's writes checked at once, so that only the command at fault fails. (If the
    // database is gone instead, the reload fails and so does the batch, at once.)
    if (queued && began && reloaded && (poisoned_ || committed.code() == Code::kInternal)) {
      return RunOnce(batch, /*queue_writes=*/false);
    }
    for (auto& c : completions) c = Completion{BatchFailed(), {}, false};
    stats.expired = 0;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!completions[i].status.ok()) ++stats.failed;
    if (completions[i].replayed) ++stats.replayed;
    completions[i].sequence = state_.last_sequence();
  }
  Deliver(std::move(batch), std::move(completions));
  batch.clear();
  return stats;
}

void Engine::PrefetchRequests(const std::vector<Submission>& batch) {
  std::vector<std::string> ids;
  ids.reserve(batch.size());
  for (const auto& s : batch) {
    if (!s.context.request_id.empty()) ids.push_back(s.context.request_id);
  }
  if (!ids.empty()) store_.PrefetchRequests(ids);
}

void Engine::Deliver(std::vector<Submission> batch, std::vector<Completion> completions) {
  if (batch.empty()) return;
  auto reply = [batch = std::move(batch), completions = std::move(completions)]() mutable {
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i].done) batch[i].done(std::move(completions[i]));
    }
  };
  if (completions_) {
    completions_(std::move(reply));
  } else {
    reply();
  }
}

BatchStats Engine::RunPipelined(std::vector<Submission>& batch) {
  BatchStats stats;
  stats.commands = static_cast<int>(batch.size());
  std::vector<Completion> completions;
  completions.reserve(batch.size());
  auto fail_all = [&](Status (*why)()) {
    completions.clear();
    for (size_t i = 0; i < batch.size(); ++i) completions.push_back({why(), {}, false});
    stats.failed = stats.commands;
    stats.expired = 0;
    Deliver(std::move(batch), std::move(completions));
    batch.clear();
    return stats;
  };
  // Nothing builds on memory that may disagree with the database.
  if (recovering_ && !Recover()) return fail_all(BatchFailed);
  if (stale_ && !Reload()) return fail_all(BatchFailed);

  pending_events_.clear();
  prior_failed_ = false;
  poisoned_ = !store_.Begin().ok();
  if (!poisoned_) PrefetchRequests(batch);
  Timestamp now = clock_.Now();
  steady_now_ = std::chrono::steady_clock::now();
  if (!poisoned_) stats.expired = SweepExpired(now, limits::kMaxBatch);
  for (auto& s : batch) {
    completions.push_back(ApplyOne(s, now));
    // Replies of the batch in flight leave as soon as its fsync returns, not after this batch.
    if (in_flight_ && !SettleInFlight(false)) poisoned_ = prior_failed_ = true;
  }
  // This batch builds on the one in flight: it may commit only once that one is durable.
  if (!SettleInFlight(true)) prior_failed_ = true;
  if (prior_failed_) {
    store_.Rollback();
    Recover();
    return fail_all(BatchFailed);
  }
  int64_t commit = gate_ ? gate_->BeginCommit() : 0;
  if (poisoned_ || !store_.CommitNoSync().ok()) {
    store_.Rollback();
    Reload();
    if (gate_) gate_->Durable(commit);
    return fail_all(BatchFailed);
  }
  stats.committed = true;
  for (auto& c : completions) {
    if (!c.status.ok()) ++stats.failed;
    if (c.replayed) ++stats.replayed;
    c.sequence = state_.last_sequence();
  }
  state_.Seal();
  int64_t number = ++batches_;
  in_flight_ =
      InFlight{number, std::move(batch), std::move(completions), std::move(pending_events_)};
  pending_events_.clear();
  batch.clear();
  pipeline_->run_sync([this, number, commit] {
    Status synced = store_.Sync();
    {
      std::lock_guard lock(sync_mu_);
      sync_ok_.store(synced.ok());
      synced_.store(number);
    }
    sync_cv_.notify_all();
    if (synced.ok() && gate_) gate_->Durable(commit);
    if (pipeline_->wake) pipeline_->wake();
  });
  return stats;
}

bool Engine::SettleInFlight(bool wait) {
  if (!in_flight_) return true;
  if (synced_.load() < in_flight_->number) {
    if (!wait) return true;
    std::unique_lock lock(sync_mu_);
    sync_cv_.wait(lock, [&] { return synced_.load() >= in_flight_->number; });
  }
  InFlight done = std::move(*in_flight_);
  in_flight_.reset();
  if (!sync_ok_.load()) {
    for (auto& c : done.completions) c = Completion{SyncFailed(), {}, false};
    Deliver(std::move(done.batch), std::move(done.completions));
    recovering_ = true;
    return false;
  }
  // Durable: readers see the new state before any caller hears of it.
  state_.PublishSealed();
  if (sink_ && !done.events.empty()) sink_->Publish(std::move(done.events));
  Deliver(std::move(done.batch), std::move(done.completions));
  return true;
}

void Engine::Poll() {
  if (in_flight_ && !SettleInFlight(false)) Recover();
}

void Engine::Flush() {
  if (in_flight_ && !SettleInFlight(true)) Recover();
}

bool Engine::Recover() {
  if (!store_.Sync().ok()) {
    recovering_ = true;
    return false;
  }
  recovering_ = false;
  Reload();
  if (gate_) gate_->Durable(gate_->begun());
  return true;
}

Completion Engine::ApplyOne(Submission& s, Timestamp now) {
  if (poisoned_) return {BatchFailed(), {}, false};
  const CommandContext& ctx = s.context;
  if (ctx.not_after < steady_now_) {
    Status late(Code::kDeadlineExceeded,
                "the call's deadline passed while it waited for the writer; it had no effect");
    late.WithReason(reason::kDeadlineExceeded);
    return {std::move(late), {}, false};
  }
  if (!ctx.request_id.empty()) {
    Result<std::optional<RequestRecord>> found = store_.FindRequest(ctx.request_id);
    if (!found.ok()) {
      poisoned_ = true;
      return {BatchFailed(), {}, false};
    }
    if (found->has_value()) {
      const RequestRecord& record = **found;
      if (record.payload_hash != ctx.payload_hash || record.method != ctx.method) {
        Status s = Status::InvalidArgument(
            "request_id", "was already used by a different request; use a new request_id");
        s.WithReason(reason::kRequestIdReused).With("request_id", ctx.request_id);
        return {std::move(s), {}, false};
      }
      if (record.error) return {*record.error, {}, true};
      return {Status::Ok(), record.response, true};
    }
  }

  Draft draft(state_, now, ctx);
  ApplyEnv env{ids_, store_, pickup_hold_};
  Result<Reply> reply = ApplyCommand(draft, s.command, env);
  if (!reply.ok()) return {reply.status(), {}, false};
  std::optional<Status> rejection = draft.rejection();
  Changes changes = draft.Finish();
  RequestRecord record;
  if (!ctx.request_id.empty()) {
    std::string response;
    if (s.encode && !rejection) {
      Result<std::string> encoded = s.encode(*reply);
      if (!encoded.ok()) return {encoded.status(), {}, false};
      response = std::move(encoded).value();
    }
    record = {ctx.request_id, ctx.payload_hash, ctx.method, std::move(response), rejection, now};
  }
  Status written = store_.Write(changes, ctx.request_id.empty() ? nullptr : &record);
  if (!written.ok()) {
    // A constraint the domain should have upheld is a bug; anything else is the disk.
    if (written.code() == Code::kInternal) return {written, {}, false};
    poisoned_ = true;
    return {BatchFailed(), {}, false};
  }
  state_.Apply(changes);
  for (auto& e : changes.events) pending_events_.push_back(std::move(e));
  if (rejection) return {*rejection, {}, false};
  return {Status::Ok(), std::move(record.response), false};
}

bool Engine::ApplyInternal(const Command& command, Timestamp now) {
  static const CommandContext kInternal{"", 0, "Expire", "oms"};
  Draft draft(state_, now, kInternal);
  ApplyEnv env{ids_, store_, pickup_hold_};
  Result<Reply> reply = ApplyCommand(draft, command, env);
  OMS_ASSERT(reply.ok());
  Changes changes = draft.Finish();
  if (!store_.Write(changes, nullptr).ok()) {
    poisoned_ = true;
    return false;
  }
  state_.Apply(changes);
  for (auto& e : changes.events) pending_events_.push_back(std::move(e));
  return true;
}

int Engine::SweepExpired(Timestamp now, int max) {
  int expired = 0;
  while (expired < max && !poisoned_) {
    const auto& index = state_.expiry_index();
    if (index.empty() || index.begin()->first > now) break;
    if (!ApplyInternal(ExpireReservation{index.begin()->second}, now)) break;
    ++expired;
  }
  while (expired < max && !poisoned_) {
    const auto& index = state_.deadline_index();
    if (index.empty() || index.begin()->first > now) break;
    if (!ApplyInternal(ExpireOrder{index.begin()->second}, now)) break;
    ++expired;
  }
  while (expired < max && !poisoned_) {
    const auto& index = state_.overdue_index();
    if (index.empty() || index.begin()->first > now) break;
    if (!ApplyInternal(MarkInboundOverdue{index.begin()->second}, now)) break;
    ++expired;
  }
  return expired;
}

Result<int64_t> Engine::PurgeEvents(Duration retention, int64_t keep) {
  Flush();
  if (recovering_) return BatchFailed();
  OMS_RETURN_IF_ERROR(store_.Begin());
  Result<int64_t> purged = store_.PurgeEvents(clock_.Now() - retention, keep, 10000);
  if (!purged.ok() || !store_.Commit().ok()) {
    store_.Rollback();
    return purged.ok() ? BatchFailed() : purged.status();
  }
  return purged;
}

Result<int64_t> Engine::PurgeRequests(Duration retention) {
  Flush();
  if (recovering_) return BatchFailed();
  OMS_RETURN_IF_ERROR(store_.Begin());
  Result<int64_t> purged = store_.PurgeRequests(clock_.Now() - retention, 10000);
  if (!purged.ok() || !store_.Commit().ok()) {
    store_.Rollback();
    return purged.ok() ? BatchFailed() : purged.status();
  }
  return purged;
}

}  // namespace oms

// Replica: the role loop — follow the log, take the lease when it lapses, step down when it
// is taken.
#include "services/replica.h"

#include <pthread.h>

#include <algorithm>
#include <unordered_set>

#include "oms/v1/inventory_service.pb.h"
#include "services/event_codec.h"
#include "services/log.h"
#include "services/watch_hub.h"
#include "storage/pg_follow.h"
#include "storage/pg_schema.h"
#include "storage/pg_store.h"

namespace oms::services {

namespace {

// Events a follower reads per step; a longer backlog takes several steps.
constexpr int kFollowBatch = 5000;

}  // namespace

void AppliedSequence::Advance(int64_t sequence) {
  {
    std::lock_guard lock(mu_);
    if (sequence <= applied_.load()) return;
    applied_.store(sequence, std::memory_order_release);
  }
  cv_.notify_all();
}

bool AppliedSequence::WaitFor(int64_t sequence, std::chrono::steady_clock::time_point deadline) {
  if (value() >= sequence) return true;
  std::unique_lock lock(mu_);
  return cv_.wait_until(lock, deadline, [&] { return applied_.load() >= sequence; });
}

void SequencedSink::Publish(std::vector<Event>&& events) {
  if (events.empty()) return;
  int64_t last = events.back().sequence;
  hub_.Publish(std::move(events));
  applied_.Advance(last);
}

Replica::Replica(ReplicaOptions options, Clock& clock, IdSource& ids, SharedView& view,
                 WatchHub& hub, AppliedSequence& applied)
    : options_(std::move(options)),
      clock_(clock),
      ids_(ids),
      view_(view),
      hub_(hub),
      applied_(applied),
      follow_state_(view) {
  follow_state_.set_inbound_grace(options_.inbound_grace);
  options_.writer.pipelined = false;  // PostgreSQL commits each batch itself
}

Replica::~Replica() { Stop(); }

Status Replica::Start(Observer observer) {
  observer_ = std::move(observer);
  auto follower = storage::PgFollower::Open(options_.conninfo);
  if (!follower.ok()) return follower.status();
  follower_ = std::move(follower).value();
  // Replicas started together agree on one schema: the migration locks its tables.
  Result<int> version = storage::MigratePostgres(follower_->db());
  if (!version.ok()) return version.status();
  schema_version_ = *version;
  if (!ReloadView()) {
    return Status::Unavailable(reason::kStorageUnavailable,
                               "cannot read the database's state from PostgreSQL");
  }
  hub_.Start(followed_);
  if (observer_.role) observer_.role(false);
  return Status::Ok();
}

void Replica::Run(std::string advertise) {
  if (options_.advertise.empty()) options_.advertise = std::move(advertise);
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "oms-replica");
    Loop();
  });
}

void Replica::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (leader()) StepDown("shutdown");
  ExpireLeaderWaiters(true);
  store_.reset();  // a lease taken at Start but never used is given up here
}

std::string Replica::leader_address() const {
  std::lock_guard lock(lease_mu_);
  return leader_address_;
}

void Replica::OnLeader(std::chrono::steady_clock::time_point until, std::string unreachable,
                       std::function<void(std::string)> then) {
  std::unique_lock lock(lease_mu_);
  if (waiters_closed_) {
    lock.unlock();
    then("");
    return;
  }
  if (!leader_address_.empty() && leader_address_ != unreachable) {
    std::string leader = leader_address_;
    lock.unlock();
    then(std::move(leader));
    return;
  }
  if (!unreachable.empty()) recheck_lease_.store(true, std::memory_order_release);
  leader_waiters_.push_back({until, std::move(unreachable), std::move(then)});
}

void Replica::SetLeaderAddress(std::string address) {
  std::vector<LeaderWaiter> ready;
  {
    std::lock_guard lock(lease_mu_);
    leader_address_ = address;
    if (address.empty()) return;
    auto moved =
        std::stable_partition(leader_waiters_.begin(), leader_waiters_.end(),
                              [&](const LeaderWaiter& w) { return w.unreachable == address; });
    ready.assign(std::make_move_iterator(moved), std::make_move_iterator(leader_waiters_.end()));
    leader_waiters_.erase(moved, leader_waiters_.end());
  }
  for (auto& w : ready) w.then(address);
}

void Replica::ExpireLeaderWaiters(bool all) {
  std::vector<LeaderWaiter> expired;
  {
    std::lock_guard lock(lease_mu_);
    if (all) waiters_closed_ = true;
    if (leader_waiters_.empty()) return;
    auto now = std::chrono::steady_clock::now();
    auto moved =
        std::stable_partition(leader_waiters_.begin(), leader_waiters_.end(),
                              [&](const LeaderWaiter& w) { return !all && w.until > now; });
    expired.assign(std::make_move_iterator(moved), std::make_move_iterator(leader_waiters_.end()));
    leader_waiters_.erase(moved, leader_waiters_.end());
  }
  for (auto& w : expired) w.then("");
}

Status Replica::Submit(Submission submission) {
  std::shared_lock lock(writer_mu_);
  if (!writer_) {
    return Status::Unavailable(reason::kNotLeader,
                               "this replica does not hold the writer's lease; retry with the "
                               "same request_id on the leader");
  }
  return writer_->Submit(std::move(submission));
}

const storage::WriterStats* Replica::writer_stats() const {
  std::shared_lock lock(writer_mu_);
  return writer_ ? &writer_->stats() : nullptr;
}

bool Replica::ReloadView() {
  Result<Snapshot> snapshot = follower_->Load();
  if (!snapshot.ok()) {
    LogEvent("warn", "replica_reload_failed", {{"error", snapshot.status().message()}});
    return false;
  }
  int64_t head = snapshot->last_sequence;
  follow_state_.Reset(std::move(snapshot).value());
  // The view now shows `head`; the hub learns of the events in between from the log (a
  // stream that is behind reads them there).
  if (head > followed_ && followed_ > 0) {
    int64_t created = 0;
    Result<std::vector<StoredEvent>> events = follower_->EventsAfter(
        followed_, static_cast<int>(std::min<int64_t>(head - followed_, kFollowBatch)), &created);
    if (events.ok() && !events->empty() && events->front().sequence == followed_ + 1 &&
        events->back().sequence == head) {
      hub_.PublishStored(std::move(events).value());
    }
  }
  followed_ = std::max(followed_, head);
  applied_.Advance(followed_);
  return true;
}

bool Replica::Follow(bool until_head) {
  for (;;) {
    int64_t created_at = 0;
    Result<std::vector<StoredEvent>> events =
        follower_->EventsAfter(followed_, kFollowBatch, &created_at);
    if (!events.ok()) return false;
    if (events->empty()) return true;
    bool reload = events->front().sequence != followed_ + 1;  // the log was pruned past us
    std::vector<StockKey> keys;
    std::unordered_set<StockKey, StockKeyHash> seen;
    for (const StoredEvent& e : *events) {
      if (e.kind == static_cast<int>(EventKind::kLocation)) reload = true;
      if (e.kind != static_cast<int>(EventKind::kAvailability)) continue;
      v1::AvailabilityChanged m;
      if (!m.ParseFromString(e.payload) || m.future_supply_changed()) reload = true;
      StockKey key{Sku(e.sku), LocationId(e.location_id)};
      if (seen.insert(key).second) keys.push_back(std::move(key));
    }
    int64_t last = events->back().sequence;
    if (reload) {
      // Locations, groups or future supply changed: rare; the snapshot is the simple truth.
      hub_.PublishStored(std::move(events).value());
      followed_ = last;
      if (!ReloadView()) return false;
    } else {
      // Stock rows as they are now: at least as new as these events.
      auto rows = follower_->Stock(keys);
      if (!rows.ok()) return false;
      Changes changes;
      changes.stock = std::move(rows).value();
      follow_state_.Apply(changes);
      follow_state_.Publish();
      hub_.PublishStored(std::move(events).value());
      followed_ = last;
      applied_.Advance(followed_);
    }
    if (observer_.followed) {
      auto lag = std::chrono::microseconds(ToMicros(clock_.Now()) - created_at);
      observer_.followed(followed_, -1, std::max(lag, std::chrono::microseconds(0)));
    }
    if (!until_head) return true;
  }
}

void Replica::TryLead() {
  if (!store_) {
    auto store = storage::PgStore::Open({.conninfo = options_.conninfo,
                                         .holder = options_.advertise,
                                         .lease_ttl = options_.lease_ttl,
                                         .acquire_timeout = std::chrono::milliseconds(0),
                                         .renew = true},
                                        EncodeEvent);
    if (!store.ok()) return;  // another replica won the lease, or the database is away
    store_ = std::move(store).value();
  }
  // No older leader can commit any more (the epoch moved; a batch of its that held the lease
  // row's lock has ended before the lease could be taken): catch up with everything it did.
  if (!Follow(true)) {
    store_.reset();
    return;
  }
  sink_ = std::make_unique<SequencedSink>(hub_, applied_);
  engine_ =
      std::make_unique<Engine>(*store_, clock_, ids_, view_, sink_.get(), options_.pickup_hold);
  engine_->set_inbound_grace(options_.inbound_grace);
  // The authoritative state, from the database (not only what this replica followed).
  Status opened = engine_->Open();
  if (!opened.ok()) {
    LogEvent("warn", "replica_promotion_failed", {{"error", opened.message()}});
    engine_.reset();
    sink_.reset();
    store_.reset();
    ReloadView();
    return;
  }
  followed_ = std::max(followed_, engine_->state().last_sequence());
  applied_.Advance(followed_);
  auto writer = std::make_unique<storage::Writer>(*engine_, options_.writer);
  if (observer_.batch) writer->set_observer(observer_.batch);
  writer->Start();
  {
    std::unique_lock lock(writer_mu_);
    writer_ = std::move(writer);
  }
  SetLeaderAddress(options_.advertise);
  leader_.store(true, std::memory_order_release);
  LogEvent("info", "replica_leading",
           {{"epoch", std::to_string(store_->epoch())},
            {"sequence", std::to_string(followed_)},
            {"advertise", options_.advertise}});
  if (observer_.role) observer_.role(true);
}

void Replica::StepDown(const char* why) {
  leader_.store(false, std::memory_order_release);
  std::unique_ptr<storage::Writer> writer;
  {
    std::unique_lock lock(writer_mu_);
    writer = std::move(writer_);
  }
  // What is still queued is answered: each batch fails NOT_LEADER once the lease is gone
  // (its callers retry with their request_id), or commits if this replica still holds it.
  SetLeaderAddress("");
  if (writer) writer->Stop();
  int64_t epoch = store_ ? store_->epoch() : 0;
  if (engine_) followed_ = std::max(followed_, engine_->state().last_sequence());
  writer.reset();
  engine_.reset();
  sink_.reset();
  store_.reset();  // gives the lease up if it still holds it
  LogEvent("info", "replica_following", {{"why", why}, {"epoch", std::to_string(epoch)}});
  if (observer_.role) observer_.role(false);
}

void Replica::Loop() {
  const auto lease_every =
      std::max(std::chrono::milliseconds(50),
               std::min(options_.lease_ttl / 5, std::chrono::milliseconds(1000)));
  for (;;) {
    {
      std::lock_guard lock(stop_mu_);
      if (stopping_) return;
    }
    ExpireLeaderWaiters(false);
    if (leader()) {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_for(lock, lease_every, [&] { return stopping_; });
      if (stopping_) return;
      lock.unlock();
      if (!store_->holds_lease()) {
        StepDown("lease_lost");
        ReloadView();
      }
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    // A mutation found the leader unreachable: it may have died, so look again now.
    if (now >= next_lease_check_ || recheck_lease_.exchange(false, std::memory_order_acq_rel)) {
      next_lease_check_ = now + lease_every;
      Result<storage::LeaseInfo> lease = follower_->Lease();
      Result<int64_t> head = follower_->Head();
      if (head.ok() && observer_.followed) {
        observer_.followed(followed_, std::max<int64_t>(0, *head - followed_),
                           std::chrono::microseconds(-1));
      }
      if (lease.ok()) {
        SetLeaderAddress(lease->lapsed ? "" : lease->holder);
        if (lease->lapsed) {
          TryLead();
          if (leader()) continue;
          // Another replica won it: learn who, so mutations are forwarded there at once.
          next_lease_check_ = now;
          continue;
        }
      }
    }
    if (!Follow(false)) {
      std::unique_lock lock(stop_mu_);
      stop_cv_.wait_for(lock, options_.poll_interval, [&] { return stopping_; });
      continue;
    }
    follower_->WaitForNotification(options_.poll_interval);
  }
}

}  // namespace oms::services

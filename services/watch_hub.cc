// WatchHub: ring of recent events, fan-out thread, replay from the log.
#include "services/watch_hub.h"

#include <pthread.h>
#include <algorithm>

#include "domain/limits.h"
#include "services/event_codec.h"

namespace oms::services {

bool WatchFilter::Matches(const StoredEvent& e) const {
  if (e.kind != static_cast<int>(kind)) return false;
  if (!locations.empty() && !locations.count(e.location_id)) return false;
  if (kind == EventKind::kAvailability) return skus.empty() || skus.count(e.sku);
  return customer.empty() || customer == e.customer_id;
}

bool WatchFilter::Matches(const StoredEvent& e, size_t sku_hash, size_t location_hash) const {
  if (e.kind != static_cast<int>(kind)) return false;
  // A hash miss is a sure "no"; a hit is confirmed on the strings.
  if (!locations.empty() && !location_hashes_.count(location_hash)) return false;
  if (kind == EventKind::kAvailability && !skus.empty() && !sku_hashes_.count(sku_hash)) {
    return false;
  }
  return Matches(e);
}

void WatchFilter::Prepare() {
  sku_hashes_.clear();
  location_hashes_.clear();
  for (const auto& s : skus) sku_hashes_.insert(std::hash<std::string>{}(s));
  for (const auto& l : locations) location_hashes_.insert(std::hash<std::string>{}(l));
}

WatchHub::WatchHub(ReadStore& reader, size_t capacity)
    : reader_(reader), capacity_(capacity), thread_([this] {
        pthread_setname_np(pthread_self(), "oms-watch-hub");
        Run();
      }) {}

WatchHub::~WatchHub() { Shutdown(); }

void WatchHub::Start(int64_t head) {
  BumpHead(head);
  std::lock_guard lock(ring_mu_);
  ring_floor_ = head;
}

void WatchHub::BumpHead(int64_t sequence) {
  int64_t current = committed_head_.load();
  while (sequence > current && !committed_head_.compare_exchange_weak(current, sequence)) {
  }
}

void WatchHub::Publish(std::vector<Event>&& events) {
  if (events.empty()) return;
  int64_t last = events.back().sequence;
  {
    std::lock_guard lock(pending_mu_);
    if (pending_.empty()) {
      pending_ = std::move(events);
    } else {
      std::move(events.begin(), events.end(), std::back_inserter(pending_));
    }
  }
  BumpHead(last);
  pending_cv_.notify_one();
}

void WatchHub::PublishStored(std::vector<StoredEvent>&& events) {
  if (events.empty()) return;
  int64_t last = events.back().sequence;
  {
    std::lock_guard lock(pending_mu_);
    std::move(events.begin(), events.end(), std::back_inserter(pending_stored_));
  }
  BumpHead(last);
  pending_cv_.notify_one();
}

namespace {

bool Served(int kind) {
  // Only what streams serve; reservation and location events stay in the log.
  return kind == static_cast<int>(EventKind::kAvailability) ||
         kind == static_cast<int>(EventKind::kOrder);
}

WatchEventPtr Entry(StoredEvent keys, grpc::Slice wire) {
  auto entry = std::make_shared<WatchEvent>();
  entry->keys = std::move(keys);
  entry->wire = std::move(wire);
  entry->sku_hash = std::hash<std::string>{}(entry->keys.sku);
  entry->location_hash = std::hash<std::string>{}(entry->keys.location_id);
  return entry;
}

}  // namespace

void WatchHub::Run() {
  std::vector<WatchEventPtr> fresh;
  for (;;) {
    std::vector<Event> batch;
    std::vector<StoredEvent> stored;
    {
      std::unique_lock lock(pending_mu_);
      pending_cv_.wait(
          lock, [this] { return stopping_ || !pending_.empty() || !pending_stored_.empty(); });
      if (stopping_) return;
      batch.swap(pending_);
      stored.swap(pending_stored_);
    }
    // Both kinds arrive only around a change of role (a follower promoted, a leader that
    // stepped down); each is gap-free, and together they cover (from, to].
    int64_t from = INT64_MAX, to = 0;
    if (!batch.empty()) {
      from = batch.front().sequence - 1;
      to = batch.back().sequence;
    }
    if (!stored.empty()) {
      from = std::min(from, stored.front().sequence - 1);
      to = std::max(to, stored.back().sequence);
    }
    {
      // Lock order: ring_mu_, then subs_mu_. A stream subscribing meanwhile reads the ring
      // only after this block, so it sees either these events or a floor past them.
      std::lock_guard lock(ring_mu_);
      bool anyone;
      {
        std::lock_guard subs_lock(subs_mu_);
        anyone = !subs_.empty();
      }
      if (!anyone) {
        // Nobody to serve: skip encoding. A stream that attaches later reads these from the log.
        ring_.clear();
        if (ring_floor_ != INT64_MAX) ring_floor_ = std::max(ring_floor_, to);
        fan_.clear();
        fan_version_ = UINT64_MAX;
        continue;
      }
      uint64_t encoded = 0;
      for (const Event& e : batch) {
        if (!Served(static_cast<int>(e.kind))) continue;
        // The one encoding of this event: every stream sends these bytes.
        StoredEvent keys{e.sequence,  static_cast<int>(e.kind),
                         e.sku.str(), e.location.str(),
                         e.subject,   e.customer,
                         {}};
        fresh.push_back(Entry(std::move(keys), grpc::Slice(EncodeEvent(e))));
        ++encoded;
      }
      for (StoredEvent& e : stored) {
        if (!Served(e.kind)) continue;
        grpc::Slice wire(e.payload);
        e.payload.clear();
        fresh.push_back(Entry(std::move(e), std::move(wire)));
        ++encoded;
      }
      if (!batch.empty() && !stored.empty()) {
        std::sort(fresh.begin(), fresh.end(), [](const WatchEventPtr& a, const WatchEventPtr& b) {
          return a->keys.sequence < b->keys.sequence;
        });
      }
      for (const auto& entry : fresh) ring_.push_back(entry);
      encoded_.fetch_add(encoded, std::memory_order_relaxed);
      while (ring_.size() > capacity_) {
        ring_floor_ =
            std::max(ring_floor_ == INT64_MAX ? 0 : ring_floor_, ring_.front()->keys.sequence);
        ring_.pop_front();
      }
    }
    FanOut(fresh, from, to);
    fresh.clear();
  }
}

void WatchHub::FanOut(const std::vector<WatchEventPtr>& fresh, int64_t from, int64_t to) {
  {
    std::lock_guard lock(subs_mu_);
    if (fan_version_ != subs_version_) {
      fan_version_ = subs_version_;
      fan_.clear();
      fan_by_sku_.clear();
      fan_scan_.clear();
      for (const auto& w : subs_) {
        auto s = w.lock();
        if (!s) continue;
        auto i = static_cast<uint32_t>(fan_.size());
        const WatchFilter& f = s->filter();
        if (f.kind == EventKind::kAvailability && !f.skus.empty()) {
          for (const auto& sku : f.skus) fan_by_sku_[std::hash<std::string>{}(sku)].push_back(i);
        } else {
          fan_scan_.push_back(i);
        }
        fan_.push_back(std::move(s));
      }
    }
  }
  std::vector<char> hit(fan_.size(), 0);
  for (const WatchEventPtr& p : fresh) {
    const WatchEvent& e = *p;
    if (e.keys.kind == static_cast<int>(EventKind::kAvailability)) {
      if (auto it = fan_by_sku_.find(e.sku_hash); it != fan_by_sku_.end()) {
        for (uint32_t i : it->second) {
          if (!hit[i]) hit[i] = fan_[i]->filter().Matches(e.keys, e.sku_hash, e.location_hash);
        }
      }
    }
    for (uint32_t i : fan_scan_) {
      if (!hit[i]) hit[i] = fan_[i]->filter().Matches(e.keys, e.sku_hash, e.location_hash);
    }
  }
  for (size_t i = 0; i < fan_.size(); ++i) {
    // A stream behind the batch is woken as well: it reads on from where it is.
    if (hit[i] || !fan_[i]->Skip(from, to)) fan_[i]->Wake();
  }
  if (lag_observer_) {
    int64_t max_lag = 0;
    for (const auto& s : fan_) max_lag = std::max(max_lag, head() - s->position());
    lag_observer_(fan_.size(), max_lag);
  }
}

Status WatchHub::Subscribe(const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard lock(subs_mu_);
  if (closed_) return Status::Unavailable(reason::kShuttingDown, "the server is shutting down");
  std::erase_if(subs_, [](const auto& w) { return w.expired(); });
  if (subs_.size() >= static_cast<size_t>(limits::kMaxWatchStreams)) {
    return Status(Code::kResourceExhausted, "too many watch streams; retry later");
  }
  subs_.push_back(subscriber);
  ++subs_version_;
  return Status::Ok();
}

void WatchHub::Unsubscribe(const Subscriber* subscriber) {
  std::lock_guard lock(subs_mu_);
  std::erase_if(subs_, [&](const auto& w) {
    auto s = w.lock();
    return !s || s.get() == subscriber;
  });
  ++subs_version_;
}

WatchCounters WatchHub::counters() const {
  return {encoded_.load(std::memory_order_relaxed), replayed_.load(std::memory_order_relaxed),
          written_.load(std::memory_order_relaxed)};
}

size_t WatchHub::subscribers() const {
  std::lock_guard lock(subs_mu_);
  return subs_.size();
}

void WatchHub::Shutdown() {
  std::vector<std::shared_ptr<Subscriber>> live;
  {
    std::lock_guard lock(subs_mu_);
    closed_ = true;
    for (const auto& w : subs_) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  Status bye = Status::Unavailable(
      reason::kShuttingDown, "the server is shutting down; reconnect with the last sequence seen");
  for (const auto& s : live) s->Close(bye);
  {
    std::lock_guard lock(pending_mu_);
    stopping_ = true;
  }
  pending_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Status WatchHub::CheckResumable(int64_t after) {
  int64_t head = this->head();
  if (after > head) {
    Status s(Code::kOutOfRange, "after_sequence " + std::to_string(after) +
                                    " is beyond the last event " + std::to_string(head));
    s.WithReason(reason::kSequenceAhead).With("head_sequence", std::to_string(head));
    return s;
  }
  if (after == head) return Status::Ok();
  Result<int64_t> oldest = reader_.OldestEvent();
  if (!oldest.ok()) return oldest.status();
  if (*oldest == 0 || after + 1 < *oldest) {
    int64_t first = *oldest == 0 ? head + 1 : *oldest;
    Status s(Code::kOutOfRange, "events after " + std::to_string(after) +
                                    " are no longer retained; the oldest is " +
                                    std::to_string(first) + ": resync and watch from_now");
    s.WithReason(reason::kEventsPruned).With("oldest_sequence", std::to_string(first));
    return s;
  }
  return Status::Ok();
}

Status WatchHub::Next(int64_t* after, const WatchFilter& filter, size_t max,
                      std::deque<WatchEventPtr>* out) {
  if (*after >= head()) return Status::Ok();
  {
    std::lock_guard lock(ring_mu_);
    if (*after >= ring_floor_) {
      auto it = std::upper_bound(
          ring_.begin(), ring_.end(), *after,
          [](int64_t seq, const WatchEventPtr& e) { return seq < e->keys.sequence; });
      for (; it != ring_.end() && out->size() < max; ++it) {
        const WatchEvent& e = **it;
        *after = e.keys.sequence;
        if (filter.Matches(e.keys, e.sku_hash, e.location_hash)) out->push_back(*it);
      }
      // Whatever is committed but not in the ring yet arrives with the next wake-up.
      return Status::Ok();
    }
  }
  return NextFromLog(after, filter, max, out);
}

Status WatchHub::NextFromLog(int64_t* after, const WatchFilter& filter, size_t max,
                             std::deque<WatchEventPtr>* out) {
  int64_t scanned = *after, first = 0;
  auto rows = reader_.ReadEvents(*after, static_cast<int>(filter.kind),
                                 static_cast<int>(std::max<size_t>(max, 64)), &scanned, &first);
  if (!rows.ok()) return rows.status();
  if (first == 0 || first > *after + 1) return CheckResumable(*after);
  for (auto& e : *rows) {
    if (out->size() >= max) {
      scanned = e.sequence - 1;
      break;
    }
    if (!filter.Matches(e)) continue;
    // Behind the ring: this stream's own copy of the stored bytes, as the live ones were.
    auto entry = std::make_shared<WatchEvent>();
    entry->wire = grpc::Slice(e.payload);
    e.payload.clear();
    entry->keys = std::move(e);
    out->push_back(std::move(entry));
    replayed_.fetch_add(1, std::memory_order_relaxed);
  }
  *after = scanned;
  return Status::Ok();
}

}  // namespace oms::services

// PgFollower: what a follower replica reads from PostgreSQL to keep its memory current — the
// writer's lease (who leads, and whether the lease lapsed), the events table after the last
// sequence it applied, the stock rows those events touched, and the whole snapshot when it
// must start over. It also LISTENs on the channel the leader NOTIFYs after every batch, so it
// wakes at once; where NOTIFY is missing (distributed PostgreSQL-compatible databases) it
// simply polls — correctness never depends on a notification arriving.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "domain/ports.h"
#include "domain/read_store.h"
#include "storage/pg.h"

namespace oms::storage {

// The channel the leader notifies after each committed batch.
inline constexpr const char* kEventsChannel = "oms_events";

struct LeaseInfo {
  std::string holder;  // the leader's --advertise address
  int64_t epoch = 0;
  bool lapsed = true;   // nobody holds it now: a replica may take it
  int64_t left_ms = 0;  // until it lapses, when held
};

class PgFollower {
 public:
  static Result<std::unique_ptr<PgFollower>> Open(const std::string& conninfo);

  Result<LeaseInfo> Lease();
  // Events after `after` in sequence order, at most `limit`; `*newest_created_at` (micros
  // since the epoch) is the last one's commit time, when any.
  Result<std::vector<StoredEvent>> EventsAfter(int64_t after, int limit,
                                               int64_t* newest_created_at);
  // The newest sequence in the events table (0 when empty).
  Result<int64_t> Head();
  // The stock rows of `keys` as they are now; keys without a row are absent.
  Result<std::vector<std::pair<StockKey, StockLevel>>> Stock(const std::vector<StockKey>& keys);
  // Everything the writer keeps in memory, read in one snapshot.
  Result<Snapshot> Load();
  // Waits up to `timeout` for the leader's notification (or returns at once if one is
  // pending); false on timeout. Without LISTEN support it just sleeps.
  bool WaitForNotification(std::chrono::milliseconds timeout);
  PgDatabase& db() { return *db_; }

 private:
  explicit PgFollower(std::unique_ptr<PgDatabase> db) : db_(std::move(db)) {}
  Status EnsureConnected();

  std::unique_ptr<PgDatabase> db_;
  bool listening_ = false;
};

}  // namespace oms::storage

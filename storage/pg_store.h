// PgStore: the Store port on PostgreSQL — one connection, owned by the writer thread, and
// the writer's lease: a row that names the one replica allowed to commit batches, with an
// epoch that fences every batch transaction (see Begin).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "storage/pg.h"
#include "storage/sql_store.h"

namespace oms::storage {

struct PgStoreOptions {
  std::string conninfo;
  // Who holds the lease, as other replicas and operators see it (its --advertise address).
  std::string holder = "omsd";
  // How long a lease lasts without a batch renewing it; another replica may take it after.
  std::chrono::milliseconds lease_ttl{5000};
  // How long Open waits for another holder's lease to lapse before it gives up.
  std::chrono::milliseconds acquire_timeout{0};
  // Renew the lease in the background, not only with each batch. Tests turn it off to play a
  // process that froze (SIGSTOP stops every thread of it).
  bool renew = true;
};

class PgStore final : public SqlStore {
 public:
  // Connects, creates or checks the schema, and takes the writer's lease: waits up to
  // acquire_timeout for a live one to lapse, else FAILED_PRECONDITION naming its holder.
  static Result<std::unique_ptr<PgStore>> Open(const PgStoreOptions& options, EventEncoder encoder);

  // The batch transaction. It first renews the lease `WHERE epoch = <ours>`, which must touch
  // the one row: a replica that took the lease over bumped the epoch, so a writer that was
  // paused or cut off commits nothing after that (UNAVAILABLE NOT_LEADER), and the row lock
  // it takes keeps a takeover waiting until this batch ends.
  Status Begin() override;
  Status Commit() override;
  bool QueueWrites(bool on) override { return queue_writes_ = on; }
  void Rollback() override;
  // The batch's idempotency records in one query (a round trip saved per command); lookups
  // of those ids, and of records the batch writes, are answered from it until the batch ends.
  void PrefetchRequests(const std::vector<std::string>& request_ids) override;
  Result<std::optional<RequestRecord>> FindRequest(const std::string& request_id) override;
  Status Write(const Changes& changes, const RequestRecord* record) override;
  // Connects again first if the connection was lost (the engine reloads after a failure).
  Result<Snapshot> Load() override;
  // Gives the lease up, so another replica can take over at once (not after it lapses).
  ~PgStore() override;

  int64_t epoch() const { return epoch_; }
  // False once a renewal found the epoch taken over (the next batch fails NOT_LEADER).
  bool holds_lease() const { return holds_lease_.load(); }
  int schema_version() const { return schema_version_; }
  PgDatabase& db() { return *db_; }

 private:
  PgStore(std::unique_ptr<PgDatabase> db, EventEncoder encoder, PgStoreOptions options)
      : SqlStore(std::move(encoder)), db_(std::move(db)), options_(std::move(options)) {}
  Database& sql() override { return *db_; }
  Statement& InsertRows(const char* insert_sql) override;
  Status AcquireLease();
  // Renews the lease every third of its time on a connection of its own, so an idle writer
  // keeps it; a process that is frozen or cut off stops renewing, and the lease lapses.
  void RenewLoop();

  std::unique_ptr<PgDatabase> db_;
  PgStoreOptions options_;
  int64_t epoch_ = 0;
  int schema_version_ = 0;
  std::atomic<bool> holds_lease_{false};
  bool notify_ = true;  // the database has pg_notify (followers LISTEN for it)
  bool queue_writes_ = false;
  bool writes_queued_ = false;  // the batch's writes wait in the pipeline for its COMMIT
  bool refused_ = false;        // a queued Write failed: the commit must fail
  // This batch's known records by request_id; nullopt: known to be absent.
  std::unordered_map<std::string, std::optional<RequestRecord>> requests_;
  std::unique_ptr<PgDatabase> renew_db_;
  std::mutex renew_mu_;
  std::condition_variable renew_cv_;
  bool stopping_ = false;
  std::thread renewer_;
};

}  // namespace oms::storage

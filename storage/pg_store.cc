// PgStore: opening, the lease, and the batch transaction on PostgreSQL.
#include "storage/pg_store.h"

#include <thread>

#include "storage/pg_schema.h"
#include "storage/rows.h"

namespace oms::storage {

Result<std::unique_ptr<PgStore>> PgStore::Open(const PgStoreOptions& options,
                                               EventEncoder encoder) {
  auto db = PgDatabase::Open(options.conninfo);
  if (!db.ok()) return db.status();
  Result<int> version = MigratePostgres(**db);
  if (!version.ok()) return version.status();
  // A writer frozen inside a transaction (SIGSTOP, a hung host) holds the lease row's lock;
  // the server ends its session after the lease's time, so a takeover never waits longer.
  // The writer's session is named, so an operator (and the fencing test) can find it in
  // pg_stat_activity. Both settings survive a reconnect.
  const std::string timeout = std::to_string(options.lease_ttl.count());
  OMS_RETURN_IF_ERROR(
      (*db)->AddSessionSetup("SET idle_in_transaction_session_timeout = " + timeout));
  OMS_RETURN_IF_ERROR((*db)->AddSessionSetup("SET application_name = 'omsd-writer'"));
  std::unique_ptr<PgStore> store(new PgStore(std::move(db).value(), std::move(encoder), options));
  store->schema_version_ = *version;
  OMS_RETURN_IF_ERROR(store->AcquireLease());
  store->notify_ = store->db_->Exec("SELECT pg_notify('oms_events', '')").ok();
  if (options.renew) {
    auto renew_db = PgDatabase::Open(options.conninfo);
    if (!renew_db.ok()) return renew_db.status();
    store->renew_db_ = std::move(renew_db).value();
    store->renewer_ = std::thread([s = store.get()] { s->RenewLoop(); });
  }
  return store;
}

Status PgStore::AcquireLease() {
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  for (;;) {
    // The clock is the database's, the same for every replica. Taking the lease bumps the
    // epoch: from now on only batches that name the new epoch can commit.
    Statement& take = db_->Prepare(
        "UPDATE oms_lease SET epoch = epoch + 1, holder = ?1, "
        "expires_at = (extract(epoch FROM clock_timestamp()) * 1000000)::bigint + ?2 "
        "WHERE id = 1 AND expires_at < (extract(epoch FROM clock_timestamp()) * 1000000)::bigint "
        "RETURNING epoch");
    take.Bind(1, options_.holder).Bind(2, int64_t{options_.lease_ttl.count()} * 1000);
    if (take.Step()) {
      epoch_ = take.Int(0);
      take.Reset();
      holds_lease_.store(true);
      return Status::Ok();
    }
    OMS_RETURN_IF_ERROR(take.status());
    take.Reset();
    if (std::chrono::steady_clock::now() >= deadline) {
      Statement& who = db_->Prepare(
          "SELECT holder, epoch, expires_at - (extract(epoch FROM clock_timestamp()) * "
          "1000000)::bigint FROM oms_lease WHERE id = 1");
      std::string holder = "another omsd";
      int64_t left_ms = 0;
      if (who.Step()) {
        holder = who.Text(0) + " (epoch " + std::to_string(who.Int(1)) + ")";
        left_ms = who.Int(2) / 1000;
      }
      who.Reset();
      return Status(Code::kFailedPrecondition, "the database's writer lease is held by " + holder +
                                                   " for another " + std::to_string(left_ms) +
                                                   " ms; stop it or wait for its lease to lapse");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void PgStore::RenewLoop() {
  const auto interval = options_.lease_ttl / 3;
  std::unique_lock lock(renew_mu_);
  while (!renew_cv_.wait_for(lock, interval, [&] { return stopping_; })) {
    if (renew_db_->broken() && !renew_db_->Reconnect().ok()) continue;
    Statement& renew = renew_db_->Prepare(
        "UPDATE oms_lease SET expires_at = (extract(epoch FROM clock_timestamp()) * "
        "1000000)::bigint + ?2 WHERE id = 1 AND epoch = ?1");
    Status s = renew.Bind(1, epoch_).Bind(2, int64_t{options_.lease_ttl.count()} * 1000).Run();
    if (s.ok() && renew_db_->changes() != 1) holds_lease_.store(false);
  }
}

PgStore::~PgStore() {
  if (renewer_.joinable()) {
    {
      std::lock_guard lock(renew_mu_);
      stopping_ = true;
    }
    renew_cv_.notify_all();
    renewer_.join();
  }
  if (epoch_ == 0 || db_->broken()) return;
  Rollback();
  Statement& release =
      db_->Prepare("UPDATE oms_lease SET expires_at = 0 WHERE id = 1 AND epoch = ?1");
  (void)release.Bind(1, epoch_).Run();
}

Result<Snapshot> PgStore::Load() {
  if (db_->broken()) OMS_RETURN_IF_ERROR(db_->Reconnect());
  return SqlStore::Load();
}

Status PgStore::Begin() {
  requests_.clear();
  writes_queued_ = false;
  refused_ = false;
  db_->DiscardRows();
  if (db_->broken()) OMS_RETURN_IF_ERROR(db_->Reconnect());
  // BEGIN and the lease's renewal go out together: one round trip.
  db_->BeginDeferred();
  Status s = db_->Prepare("BEGIN").Run();
  Statement& renew = db_->Prepare(
      "UPDATE oms_lease SET expires_at = (extract(epoch FROM clock_timestamp()) * "
      "1000000)::bigint + ?2 WHERE id = 1 AND epoch = ?1");
  if (s.ok()) s = renew.Bind(1, epoch_).Bind(2, int64_t{options_.lease_ttl.count()} * 1000).Run();
  Status queued = db_->EndDeferred();
  if (s.ok()) s = queued;
  if (s.ok() && db_->changes() != 1) {
    holds_lease_.store(false);
    s = Status::Unavailable(reason::kNotLeader, "this replica lost the writer's lease (epoch " +
                                                    std::to_string(epoch_) +
                                                    "); retry with the same request_id");
  }
  if (!s.ok()) Rollback();
  return s;
}

void PgStore::PrefetchRequests(const std::vector<std::string>& request_ids) {
  Statement& q = db_->Prepare(Select<kRequests, "WHERE request_id = ANY(CAST(? AS TEXT[]))">());
  q.Bind(1, PgTextArray(request_ids));
  std::unordered_map<std::string, std::optional<RequestRecord>> found;
  for (const auto& id : request_ids) found.emplace(id, std::nullopt);
  while (q.Step()) {
    RequestRecord r = RequestFromRow(q, 0);
    found[r.request_id] = std::move(r);
  }
  const bool ok = q.status().ok();
  q.Reset();
  if (!ok) return;  // FindRequest asks the database itself
  for (auto& [id, record] : found) requests_.emplace(id, std::move(record));
}

Result<std::optional<RequestRecord>> PgStore::FindRequest(const std::string& request_id) {
  if (auto it = requests_.find(request_id); it != requests_.end()) return it->second;
  return SqlStore::FindRequest(request_id);
}

Status PgStore::Write(const Changes& changes, const RequestRecord* record) {
  if (!queue_writes_) {
    Status s = SqlStore::Write(changes, record);
    if (s.ok() && record) requests_[record->request_id] = *record;
    return s;
  }
  // QueueWrites: the batch's statements go out with its COMMIT, one round trip for the
  // whole batch rather than one per command, and its events and idempotency records as one
  // multi-row INSERT each. No savepoint per command: anything refused — by the server, which
  // aborts the transaction, or here — fails the commit, and the engine runs the batch again
  // writing each command at once. A read in between (Step) first waits for what is queued.
  if (db_->autocommit()) {
    return Status::Unavailable(reason::kStorageUnavailable, "batch transaction was lost");
  }
  if (!writes_queued_) {
    db_->BeginDeferred();
    writes_queued_ = true;
  }
  Status s = WriteAll(changes, record);
  if (!s.ok()) {
    refused_ = true;
    return s;
  }
  if (record) requests_[record->request_id] = *record;
  return s;
}

Statement& PgStore::InsertRows(const char* insert_sql) {
  if (writes_queued_) return db_->Rows(insert_sql);
  return db_->Prepare(insert_sql);
}

Status PgStore::Commit() {
  requests_.clear();
  if (refused_) {
    Rollback();
    return Status::Internal(
        "a write of this batch was refused; the batch runs again, writing each command alone");
  }
  // The followers' wake-up goes out with the COMMIT (delivered only if it commits), after the
  // queued writes: one round trip. A database without NOTIFY fails the whole batch, so it is
  // sent only where it works.
  if (!writes_queued_) db_->BeginDeferred();
  writes_queued_ = false;
  Status s = db_->SendRows();
  if (s.ok() && notify_) s = db_->Prepare("SELECT pg_notify('oms_events', '')").Run();
  Status committed = db_->Prepare("COMMIT").Run();
  Status queued = db_->EndDeferred();
  if (s.ok()) s = committed;
  if (s.ok()) s = queued;
  return s;
}

void PgStore::Rollback() {
  requests_.clear();
  refused_ = false;
  db_->DiscardRows();
  if (writes_queued_) {
    writes_queued_ = false;
    (void)db_->EndDeferred();  // the queued writes' results; the ROLLBACK undoes them
  }
  if (db_->broken()) return;
  if (!db_->autocommit()) (void)db_->Exec("ROLLBACK");
}

}  // namespace oms::storage

// SqliteStore: the Store port on one SQLite connection owned by the writer thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "domain/ports.h"
#include "storage/checkpointer.h"
#include "storage/sqlite.h"

struct sqlite3_file;

namespace oms::storage {

// Turns an event into the bytes kept in events.payload (the API's message, encoded by
// services/). Storage only stores them.
using EventEncoder = std::function<std::string(const Event&)>;

struct StoreOptions {
  std::string path = "oms.db";
  bool synchronous_full = true;
  std::string vfs;  // empty: SQLite's default
  // With synchronous_full: COMMIT does not fsync (CommitNoSync); Sync() fsyncs the WAL on the
  // caller's thread, so a pipelined writer overlaps it with the next batch. Commit() stays
  // durable (COMMIT, then the fsync).
  bool pipelined = false;
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) and migrates the database.
  static Result<std::unique_ptr<SqliteStore>> Open(const StoreOptions& options,
                                                   EventEncoder encoder);

  Result<Snapshot> Load() override;
  Status Begin() override;
  Result<std::optional<RequestRecord>> FindRequest(const std::string& request_id) override;
  Status Write(const Changes& changes, const RequestRecord* record) override;
  Status Commit() override;
  Status CommitNoSync() override;
  Status Sync() override;
  void Rollback() override;
  Result<std::optional<Reservation>> FindReservation(const ReservationId& id) override;
  Result<std::optional<Order>> FindOrder(const OrderId& id) override;
  Result<std::optional<Return>> FindReturn(const ReturnId& id) override;
  Result<std::vector<ReturnedUnits>> FindReturned(const std::string& source) override;
  Result<std::optional<Inbound>> FindInbound(const InboundId& id) override;
  Result<int64_t> PurgeRequests(Timestamp before, int64_t max_rows) override;
  Result<int64_t> PurgeEvents(Timestamp before, int64_t keep, int64_t max_rows) override;
  ~SqliteStore() override;

  int schema_version() const { return schema_version_; }
  Database& db() { return *db_; }

  // What the writer's commits wrote to the WAL since Open: pages (frames, each page_size + 24
  // bytes) and committed transactions. Safe to read from any thread.
  struct WalTotals {
    int64_t commits = 0;
    int64_t frames = 0;
    int64_t bytes = 0;
  };
  WalTotals wal_totals() const;

 private:
  SqliteStore(std::unique_ptr<Database> db, EventEncoder encoder, int version)
      : db_(std::move(db)), encoder_(std::move(encoder)), schema_version_(version) {}
  Status WriteAll(const Changes& changes, const RequestRecord* record);
  // Writes what the batch deferred to its end (called by Commit and CommitNoSync first).
  Status FlushBatch();
  Status WriteReservation(const Reservation& r, const Changes& changes);
  Status WriteOrder(const Order& o, const Changes& changes);
  Status WriteReturn(const Return& r, const Changes& changes);
  Status WriteInbound(const Inbound& in, const Changes& changes);
  // After a COMMIT: adds the pages this connection wrote since the last call to the totals.
  void CountCommit();

  // An exclusive flock on "<db>-lock": the single writer is single across processes too.
  int lock_fd_ = -1;
  bool pipelined_ = false;
  // The WAL file as SQLite's VFS holds it (through any shim, so injected faults apply);
  // written by the writer thread after a commit, synced by the sync thread.
  std::atomic<sqlite3_file*> wal_{nullptr};
  int page_size_ = 4096;
  std::atomic<int64_t> wal_commits_{0};
  std::atomic<int64_t> wal_frames_{0};
  std::unique_ptr<Database> db_;
  std::unique_ptr<Checkpointer> checkpointer_;  // destroyed first: stops before db_ closes
  EventEncoder encoder_;
  int schema_version_;
};

}  // namespace oms::storage

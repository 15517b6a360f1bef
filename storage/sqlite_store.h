// SqliteStore: the Store port on one SQLite connection owned by the writer thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "domain/ports.h"
#include "storage/checkpointer.h"
#include "storage/sql_store.h"
#include "storage/sqlite.h"

struct sqlite3_file;

namespace oms::storage {

struct StoreOptions {
  std::string path = "oms.db";
  bool synchronous_full = true;
  std::string vfs;  // empty: SQLite's default
  // With synchronous_full: COMMIT does not fsync (CommitNoSync); Sync() fsyncs the WAL on the
  // caller's thread, so a pipelined writer overlaps it with the next batch. Commit() stays
  // durable (COMMIT, then the fsync).
  bool pipelined = false;
};

class SqliteStore final : public SqlStore {
 public:
  // Opens (creating if needed) and migrates the database.
  static Result<std::unique_ptr<SqliteStore>> Open(const StoreOptions& options,
                                                   EventEncoder encoder);

  Status Begin() override;
  Status Commit() override;
  Status CommitNoSync() override;
  Status Sync() override;
  ~SqliteStore() override;

  int schema_version() const { return schema_version_; }
  SqliteDatabase& db() { return *db_; }

  // What the writer's commits wrote to the WAL since Open: pages (frames, each page_size + 24
  // bytes) and committed transactions. Safe to read from any thread.
  struct WalTotals {
    int64_t commits = 0;
    int64_t frames = 0;
    int64_t bytes = 0;
  };
  WalTotals wal_totals() const;

 private:
  SqliteStore(std::unique_ptr<SqliteDatabase> db, EventEncoder encoder, int version)
      : SqlStore(std::move(encoder)), db_(std::move(db)), schema_version_(version) {}
  Database& sql() override { return *db_; }
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
  std::unique_ptr<SqliteDatabase> db_;
  std::unique_ptr<Checkpointer> checkpointer_;  // destroyed first: stops before db_ closes
  int schema_version_;
};

}  // namespace oms::storage

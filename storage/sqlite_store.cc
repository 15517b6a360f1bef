// SqliteStore: batch transactions with a savepoint per command.
#include "storage/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "storage/schema.h"

namespace oms::storage {
namespace {

// Takes the process-wide lock of a database, or says who holds it.
Result<int> LockDatabase(const std::string& path) {
  std::string lock_path = path + "-lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::Unavailable(reason::kStorageUnavailable,
                               "cannot open " + lock_path + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {};
    ssize_t n = ::pread(fd, holder, sizeof(holder) - 1, 0);
    ::close(fd);
    return Status(Code::kFailedPrecondition,
                  "database " + path + " is in use by another omsd" +
                      (n > 0 ? " (pid " + std::string(holder, static_cast<size_t>(n)) + ")" : ""));
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, pid.data(), pid.size(), 0);
  return fd;
}

}  // namespace

SqliteStore::~SqliteStore() {
  checkpointer_.reset();
  db_.reset();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const StoreOptions& options,
                                                       EventEncoder encoder) {
  Result<int> lock = LockDatabase(options.path);
  if (!lock.ok()) return lock.status();
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } unlock{*lock};
  auto db = SqliteDatabase::Open(
      options.path, {.read_only = false,
                     // Pipelined: the fsync is Sync()'s, not COMMIT's.
                     .synchronous_full = options.synchronous_full && !options.pipelined,
                     .writer = true,
                     .vfs = options.vfs});
  if (!db.ok()) return db.status();
  Result<int> version = Migrate(**db);
  if (!version.ok()) return version.status();
  std::unique_ptr<SqliteStore> store(
      new SqliteStore(std::move(db).value(), std::move(encoder), *version));
  store->lock_fd_ = std::exchange(unlock.fd, -1);
  store->pipelined_ = options.pipelined && options.synchronous_full;
  store->checkpointer_ = std::make_unique<Checkpointer>(options.path, options.vfs);
  Statement& page_size = store->db_->Prepare("PRAGMA page_size");
  if (page_size.Step()) store->page_size_ = static_cast<int>(page_size.Int(0));
  page_size.Reset();
  return store;
}

Status SqliteStore::Begin() { return db_->Prepare("BEGIN IMMEDIATE").Run(); }

Status SqliteStore::Commit() {
  if (pipelined_) {
    OMS_RETURN_IF_ERROR(CommitNoSync());
    return Sync();
  }
  OMS_RETURN_IF_ERROR(db_->Prepare("COMMIT").Run());
  CountCommit();
  return Status::Ok();
}

void SqliteStore::CountCommit() {
  // In WAL mode every page the pager writes is one WAL frame; reset=1 makes it a delta.
  int current = 0, highwater = 0;
  if (sqlite3_db_status(db_->handle(), SQLITE_DBSTATUS_CACHE_WRITE, &current, &highwater, 1) ==
      SQLITE_OK) {
    wal_frames_.fetch_add(current, std::memory_order_relaxed);
  }
  wal_commits_.fetch_add(1, std::memory_order_relaxed);
}

SqliteStore::WalTotals SqliteStore::wal_totals() const {
  WalTotals t;
  t.commits = wal_commits_.load(std::memory_order_relaxed);
  t.frames = wal_frames_.load(std::memory_order_relaxed);
  t.bytes = t.frames * (page_size_ + 24);
  return t;
}

Status SqliteStore::CommitNoSync() {
  if (!pipelined_) return Commit();
  // synchronous=NORMAL: the commit's WAL frames are written, not yet fsynced.
  OMS_RETURN_IF_ERROR(db_->Prepare("COMMIT").Run());
  CountCommit();
  if (!wal_.load()) {
    sqlite3_file* wal = nullptr;
    if (sqlite3_file_control(db_->handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) ==
            SQLITE_OK &&
        wal && wal->pMethods) {
      wal_.store(wal);
    } else {
      return Status::Unavailable(reason::kStorageUnavailable, "the WAL file is not open");
    }
  }
  return Status::Ok();
}

Status SqliteStore::Sync() {
  if (!pipelined_) return Status::Ok();
  sqlite3_file* wal = wal_.load();
  if (!wal) return Status::Ok();  // nothing committed through CommitNoSync yet
  // fsync works on the file, not the descriptor: every frame written so far is covered.
  int rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
  if (rc != SQLITE_OK) {
    return Status::Unavailable(reason::kStorageUnavailable,
                               std::string("fsync of the WAL failed: ") + sqlite3_errstr(rc));
  }
  return Status::Ok();
}

}  // namespace oms::storage

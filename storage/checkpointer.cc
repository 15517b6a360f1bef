// Checkpointer implementation.
#include "storage/checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include "storage/sqlite.h"

namespace oms::storage {
namespace {
constexpr int kRestartFrames = 4096;  // about 16 MiB of WAL
}  // namespace

Checkpointer::Checkpointer(std::string path, std::string vfs, std::chrono::milliseconds interval)
    : path_(std::move(path)), vfs_(std::move(vfs)), interval_(interval), thread_([this] {
        pthread_setname_np(pthread_self(), "oms-checkpoint");
        Run();
      }) {}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Checkpointer::Run() {
  auto db = SqliteDatabase::Open(path_, {.read_only = false, .synchronous_full = true, .vfs = vfs_});
  if (!db.ok()) return;  // checkpoints then happen when the writer closes the database
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    int log = 0, done = 0;
    int rc =
        sqlite3_wal_checkpoint_v2((*db)->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc == SQLITE_OK && log > 0) checkpoints_.fetch_add(1, std::memory_order_relaxed);
    // Under continuous writes a passive checkpoint never lets the WAL start over. Once it is
    // long, a RESTART checkpoint waits for the current batch, copies the few frames left and
    // makes the next batch rewind the WAL (writers wait only for that short copy).
    if (rc == SQLITE_OK && log > kRestartFrames) {
      sqlite3_wal_checkpoint_v2((*db)->handle(), nullptr, SQLITE_CHECKPOINT_RESTART, &log, &done);
    }
    lock.lock();
  }
}

}  // namespace oms::storage

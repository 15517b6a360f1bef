// FaultVfs: a SQLite VFS shim over the default one that fails I/O on demand — the next write,
// every sync, any write that would grow a file (a full disk), every n-th sync or write (a
// schedule counted in operations, not time, so a test hits the same faults on any machine), or
// every read of a read-only connection — so storage failures can be tested against the real
// SQLite adapter. Register once; open databases with vfs "oms-fault".
#pragma once

#include <atomic>

namespace oms::testing {

class FaultVfs {
 public:
  static constexpr const char* kName = "oms-fault";
  // Registers the VFS (idempotent). Not the default VFS: only databases opened with it.
  static void Register();

  // The next `n`-th write to any file fails with SQLITE_IOERR (n = 0: the very next one).
  static void FailWriteAfter(int n) { write_countdown_.store(n); }
  // Every sync fails with SQLITE_IOERR_FSYNC while set.
  static void FailSyncs(bool on) { fail_syncs_.store(on); }
  // Writes that would make a file larger fail with SQLITE_FULL while set.
  static void DiskFull(bool on) { disk_full_.store(on); }
  // Read transactions and reads of read-only connections (the server's Reader pool) fail with
  // SQLITE_IOERR while set; read-write connections (the writer's) are unaffected.
  static void FailReaders(bool on) { fail_readers_.store(on); }
  // Every `n`-th sync (counted over all files, from now) fails with SQLITE_IOERR_FSYNC;
  // n <= 0: off.
  static void FailEverySync(int n) { Every(sync_schedule_, n); }
  // Every `n`-th write (counted over all files, from now) fails with SQLITE_FULL; n <= 0: off.
  static void FailEveryWrite(int n) { Every(write_schedule_, n); }
  static void Clear() {
    FailWriteAfter(-1);
    FailSyncs(false);
    DiskFull(false);
    FailReaders(false);
    FailEverySync(0);
    FailEveryWrite(0);
  }
  // Faults injected so far by FailWriteAfter and the FailEvery* schedules.
  static int64_t injected() { return injected_.load(); }

  // Used by the shim's methods.
  static bool TakeWriteFault();
  static bool TakeScheduledSyncFault() { return Take(sync_schedule_); }
  static bool TakeScheduledWriteFault() { return Take(write_schedule_); }
  static bool sync_fails() { return fail_syncs_.load(); }
  static bool disk_full() { return disk_full_.load(); }
  static bool TakeReaderFault();

 private:
  struct Schedule {
    std::atomic<int> period{0};
    std::atomic<int64_t> count{0};
  };
  static void Every(Schedule& schedule, int n) {
    schedule.period.store(0);
    schedule.count.store(0);
    schedule.period.store(n);
  }
  static bool Take(Schedule& schedule) {
    int period = schedule.period.load();
    if (period <= 0 || (schedule.count.fetch_add(1) + 1) % period != 0) return false;
    ++injected_;
    return true;
  }

  static Schedule sync_schedule_;
  static Schedule write_schedule_;
  static std::atomic<int> write_countdown_;
  static std::atomic<bool> fail_syncs_;
  static std::atomic<bool> disk_full_;
  static std::atomic<bool> fail_readers_;
  static std::atomic<int64_t> injected_;
};

}  // namespace oms::testing

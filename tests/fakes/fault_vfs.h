// FaultVfs: a SQLite VFS shim over the default one that fails I/O on demand — the next write,
// every sync, any write that would grow a file (a full disk), or every read of a read-only
// connection — so storage failures can be tested against the real SQLite adapter. Register
// once; open databases with vfs "oms-fault".
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
  static void Clear() {
    FailWriteAfter(-1);
    FailSyncs(false);
    DiskFull(false);
    FailReaders(false);
  }
  static int64_t injected() { return injected_.load(); }

  // Used by the shim's methods.
  static bool TakeWriteFault();
  static bool sync_fails() { return fail_syncs_.load(); }
  static bool disk_full() { return disk_full_.load(); }
  static bool TakeReaderFault();

 private:
  static std::atomic<int> write_countdown_;
  static std::atomic<bool> fail_syncs_;
  static std::atomic<bool> disk_full_;
  static std::atomic<bool> fail_readers_;
  static std::atomic<int64_t> injected_;
};

}  // namespace oms::testing

// FaultVfs: every method forwards to the real file; the write, sync and (for read-only
// connections) read and shared-memory lock paths first consult the fault plan.
#include "tests/fakes/fault_vfs.h"

#include <sqlite3.h>

#include <mutex>

namespace oms::testing {

std::atomic<int> FaultVfs::write_countdown_{-1};
std::atomic<bool> FaultVfs::fail_syncs_{false};
std::atomic<bool> FaultVfs::disk_full_{false};
std::atomic<bool> FaultVfs::fail_readers_{false};
std::atomic<int64_t> FaultVfs::injected_{0};
FaultVfs::Schedule FaultVfs::sync_schedule_;
FaultVfs::Schedule FaultVfs::write_schedule_;

bool FaultVfs::TakeWriteFault() {
  int n = write_countdown_.load();
  while (n >= 0) {
    if (write_countdown_.compare_exchange_weak(n, n - 1)) {
      if (n == 0) {
        ++injected_;
        return true;
      }
      return false;
    }
  }
  return false;
}

bool FaultVfs::TakeReaderFault() {
  if (!fail_readers_.load()) return false;
  ++injected_;
  return true;
}

namespace {

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;  // lives right after this struct
  bool read_only;      // the main database file of a read-only connection
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }
bool ReaderFault(sqlite3_file* f) {
  return reinterpret_cast<FaultFile*>(f)->read_only && FaultVfs::TakeReaderFault();
}

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
  if (ReaderFault(f)) return SQLITE_IOERR_READ;
  return Real(f)->pMethods->xRead(Real(f), p, n, off);
}
int Write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  if (FaultVfs::TakeWriteFault()) return SQLITE_IOERR_WRITE;
  if (FaultVfs::TakeScheduledWriteFault()) return SQLITE_FULL;
  if (FaultVfs::disk_full()) {
    sqlite3_int64 size = 0;
    Real(f)->pMethods->xFileSize(Real(f), &size);
    if (off + n > size) return SQLITE_FULL;
  }
  return Real(f)->pMethods->xWrite(Real(f), p, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (FaultVfs::sync_fails() || FaultVfs::TakeScheduledSyncFault()) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int Unlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** p) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, p);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  // Every WAL read transaction starts by taking a shared read lock: failing it fails the read.
  if ((flags & SQLITE_SHM_LOCK) && ReaderFault(f)) return SQLITE_IOERR_SHMLOCK;
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** p) {
  if (ReaderFault(f)) {
    *p = nullptr;  // no mapping: SQLite falls back to Read, which fails
    return SQLITE_OK;
  }
  return Real(f)->pMethods->xFetch(Real(f), off, n, p);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

const sqlite3_io_methods kMethods = {3,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     Fetch,
                                     Unfetch};

sqlite3_vfs* Root() { return sqlite3_vfs_find(nullptr); }

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* f = reinterpret_cast<FaultFile*>(file);
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->read_only = (flags & SQLITE_OPEN_MAIN_DB) && (flags & SQLITE_OPEN_READONLY);
  int rc = Root()->xOpen(Root(), name, f->real, flags, out_flags);
  // A failed open leaves pMethods null so SQLite does not call xClose.
  f->base.pMethods = rc == SQLITE_OK && f->real->pMethods ? &kMethods : nullptr;
  return rc;
}
int Delete(sqlite3_vfs*, const char* name, int sync) { return Root()->xDelete(Root(), name, sync); }
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return Root()->xAccess(Root(), name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return Root()->xFullPathname(Root(), name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return Root()->xDlOpen(Root(), name); }
void DlError(sqlite3_vfs*, int n, char* out) { Root()->xDlError(Root(), n, out); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return Root()->xDlSym(Root(), h, sym);
}
void DlClose(sqlite3_vfs*, void* h) { Root()->xDlClose(Root(), h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return Root()->xRandomness(Root(), n, out); }
int Sleep(sqlite3_vfs*, int us) { return Root()->xSleep(Root(), us); }
int CurrentTime(sqlite3_vfs*, double* t) { return Root()->xCurrentTime(Root(), t); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return Root()->xGetLastError(Root(), n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* t) {
  return Root()->xCurrentTimeInt64(Root(), t);
}

}  // namespace

void FaultVfs::Register() {
  static std::once_flag once;
  std::call_once(once, [] {
    static sqlite3_vfs vfs = {2,
                              static_cast<int>(sizeof(FaultFile)) + Root()->szOsFile,
                              Root()->mxPathname,
                              nullptr,
                              kName,
                              nullptr,
                              Open,
                              Delete,
                              Access,
                              FullPathname,
                              DlOpen,
                              DlError,
                              DlSym,
                              DlClose,
                              Randomness,
                              Sleep,
                              CurrentTime,
                              GetLastError,
                              CurrentTimeInt64};
    sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  });
}

}  // namespace oms::testing

// SqliteStore: batch transactions with a savepoint per command.
#include "storage/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "storage/rows.h"
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
  Result<std::unique_ptr<Database>> db = Database::Open(
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

Result<Snapshot> SqliteStore::Load() {
  Snapshot s;
  Database& db = *db_;
  OMS_RETURN_IF_ERROR(db.Exec("BEGIN"));
  auto finish = [&](Status st) -> Status {
    (void)db.Exec("COMMIT");
    return st;
  };
  {
    Statement& q = db.Prepare(Select<kLocations>());
    while (q.Step()) s.locations.push_back(LocationFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
  }
  {
    Result<std::vector<LocationGroup>> groups = LoadGroups(db, "", 1 << 30);
    if (!groups.ok()) return finish(groups.status());
    s.groups = std::move(groups).value();
  }
  {
    Statement& q = db.Prepare(Select<kStockLevels>());
    while (q.Step()) s.stock.push_back(StockFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
  }
  {
    Statement& q = db.Prepare(Select<kReservations, "WHERE state = 1">());
    while (q.Step()) s.active_reservations.push_back(ReservationFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
    q.Reset();
    for (auto& r : s.active_reservations) {
      Status st = LoadReservationLines(db, r);
      if (!st.ok()) return finish(st);
    }
  }
  {
    Statement& q = db.Prepare(Select<kOrders, "WHERE state IN (1, 2, 3)">());
    while (q.Step()) s.live_orders.push_back(OrderFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
    q.Reset();
    for (auto& o : s.live_orders) {
      Status st = LoadOrderDetails(db, o);
      if (!st.ok()) return finish(st);
    }
  }
  {
    Statement& q = db.Prepare(Select<kInbounds, "WHERE state IN (1, 2) ORDER BY inbound_id">());
    while (q.Step()) s.open_inbounds.push_back(InboundFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
    q.Reset();
    for (auto& in : s.open_inbounds) {
      Status st = LoadInboundLines(db, in);
      if (!st.ok()) return finish(st);
    }
  }
  {
    Statement& q = db.Prepare(
        "SELECT (SELECT IFNULL(MAX(sequence), 0) FROM events), "
        "(SELECT IFNULL(MAX(movement_id), 0) FROM movements)");
    if (!q.Step()) return finish(q.status().ok() ? Status::Internal("no counters") : q.status());
    s.last_sequence = q.Int(0);
    s.last_movement_id = q.Int(1);
    q.Reset();
  }
  OMS_RETURN_IF_ERROR(finish(Status::Ok()));
  return s;
}

Status SqliteStore::Begin() { return db_->Prepare("BEGIN IMMEDIATE").Run(); }

Status SqliteStore::FlushBatch() { return Status::Ok(); }

Status SqliteStore::Commit() {
  if (pipelined_) {
    OMS_RETURN_IF_ERROR(CommitNoSync());
    return Sync();
  }
  OMS_RETURN_IF_ERROR(FlushBatch());
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
  OMS_RETURN_IF_ERROR(FlushBatch());
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

void SqliteStore::Rollback() {
  if (!db_->autocommit()) (void)db_->Prepare("ROLLBACK").Run();
}

Result<std::optional<RequestRecord>> SqliteStore::FindRequest(const std::string& request_id) {
  Statement& q = db_->Prepare(Select<kRequests, "WHERE request_id = ?">());
  q.Bind(1, request_id);
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<RequestRecord>();
  }
  RequestRecord r = RequestFromRow(q, 0);
  q.Reset();
  return std::optional<RequestRecord>(std::move(r));
}

Status SqliteStore::Write(const Changes& changes, const RequestRecord* record) {
  // SQLite rolls the whole transaction back by itself on some I/O errors; writing on
  // would then autocommit. Refuse instead: the engine fails the batch.
  if (db_->autocommit()) {
    return Status::Unavailable(reason::kStorageUnavailable, "batch transaction was lost");
  }
  OMS_RETURN_IF_ERROR(db_->Prepare("SAVEPOINT command").Run());
  Status s = WriteAll(changes, record);
  if (!s.ok()) {
    if (!db_->autocommit()) {
      (void)db_->Prepare("ROLLBACK TO command").Run();
      (void)db_->Prepare("RELEASE command").Run();
    }
    return s;
  }
  return db_->Prepare("RELEASE command").Run();
}

Status SqliteStore::WriteAll(const Changes& changes, const RequestRecord* record) {
  Database& db = *db_;
  for (const auto& l : changes.locations) {
    OMS_RETURN_IF_ERROR(BindLocation(db.Prepare(Upsert<kLocations>()), l).Run());
  }
  for (const auto& g : changes.groups) {
    OMS_RETURN_IF_ERROR(BindGroup(db.Prepare(Upsert<kLocationGroups>()), g).Run());
    OMS_RETURN_IF_ERROR(db.Prepare("DELETE FROM location_group_members WHERE group_id = ?")
                            .Bind(1, g.id.str())
                            .Run());
    for (size_t i = 0; i < g.members.size(); ++i) {
      OMS_RETURN_IF_ERROR(
          BindGroupMember(db.Prepare(Insert<kLocationGroupMembers>()), g.id, i, g.members[i])
              .Run());
    }
  }
  for (const auto& [key, level] : changes.stock) {
    OMS_RETURN_IF_ERROR(BindStock(db.Prepare(Upsert<kStockLevels>()), key, level).Run());
  }
  for (const auto& m : changes.movements) {
    OMS_RETURN_IF_ERROR(BindMovement(db.Prepare(Insert<kMovements>()), m).Run());
  }
  for (const auto& r : changes.reservations) OMS_RETURN_IF_ERROR(WriteReservation(r, changes));
  for (const auto& o : changes.orders) OMS_RETURN_IF_ERROR(WriteOrder(o, changes));
  for (const auto& r : changes.returns) OMS_RETURN_IF_ERROR(WriteReturn(r, changes));
  for (const auto& in : changes.inbounds) OMS_RETURN_IF_ERROR(WriteInbound(in, changes));
  for (const auto& e : changes.events) {
    std::string payload = encoder_ ? encoder_(e) : std::string();
    OMS_RETURN_IF_ERROR(BindEvent(db.Prepare(Insert<kEvents>()), e, payload).Run());
  }
  if (record) OMS_RETURN_IF_ERROR(BindRequest(db.Prepare(Insert<kRequests>()), *record).Run());
  return Status::Ok();
}

Status SqliteStore::WriteReservation(const Reservation& r, const Changes& changes) {
  Database& db = *db_;
  OMS_RETURN_IF_ERROR(BindReservation(db.Prepare(Upsert<kReservations>()), r).Run());
  if (!changes.IsNew(r) && !changes.LinesChanged(r)) return Status::Ok();
  if (!changes.IsNew(r)) {
    OMS_RETURN_IF_ERROR(db.Prepare("DELETE FROM reservation_lines WHERE reservation_id = ?")
                            .Bind(1, r.id.str())
                            .Run());
  }
  for (size_t i = 0; i < r.lines.size(); ++i) {
    OMS_RETURN_IF_ERROR(
        BindReservationLine(db.Prepare(Insert<kReservationLines>()), r.id, i, r.lines[i]).Run());
  }
  return Status::Ok();
}

Status SqliteStore::WriteOrder(const Order& o, const Changes& changes) {
  Database& db = *db_;
  OMS_RETURN_IF_ERROR(BindOrder(db.Prepare(Upsert<kOrders>()), o).Run());
  if (changes.WritesLines(o)) {
    OMS_RETURN_IF_ERROR(
        db.Prepare("DELETE FROM order_lines WHERE order_id = ?").Bind(1, o.id.str()).Run());
    for (size_t i = 0; i < o.lines.size(); ++i) {
      OMS_RETURN_IF_ERROR(
          BindOrderLine(db.Prepare(Insert<kOrderLines>()), o.id, i, o.lines[i]).Run());
    }
  }
  for (size_t i = changes.StoredHistory(o); i < o.history.size(); ++i) {
    OMS_RETURN_IF_ERROR(
        BindTransition(db.Prepare(Insert<kOrderHistory>()), o.id, i, o.history[i]).Run());
  }
  return Status::Ok();
}

Status SqliteStore::WriteReturn(const Return& r, const Changes& changes) {
  Database& db = *db_;
  OMS_RETURN_IF_ERROR(BindReturn(db.Prepare(Upsert<kReturns>()), r).Run());
  // Lines change with every resolution: a stored return's are replaced.
  if (!changes.IsNew(r)) {
    OMS_RETURN_IF_ERROR(
        db.Prepare("DELETE FROM return_lines WHERE return_id = ?").Bind(1, r.id.str()).Run());
  }
  for (size_t i = 0; i < r.lines.size(); ++i) {
    OMS_RETURN_IF_ERROR(
        BindReturnLine(db.Prepare(Insert<kReturnLines>()), r.id, i, r.lines[i]).Run());
  }
  // An entry stored already collides with its primary key: refused, never written twice.
  for (size_t i = changes.StoredHistory(r); i < r.history.size(); ++i) {
    OMS_RETURN_IF_ERROR(
        BindReturnTransition(db.Prepare(Insert<kReturnHistory>()), r.id, i, r.history[i]).Run());
  }
  return Status::Ok();
}

Status SqliteStore::WriteInbound(const Inbound& in, const Changes& changes) {
  Database& db = *db_;
  const bool is_new = changes.IsNew(in);
  if (!is_new) {
    Statement& stored = db.Prepare("SELECT 1 FROM inbounds WHERE inbound_id = ?");
    stored.Bind(1, in.id.str());
    const bool found = stored.Step();
    OMS_RETURN_IF_ERROR(stored.status());
    stored.Reset();
    if (!found) return Status::Internal("inbound lines skipped: " + in.id.str() + " is not stored");
  }
  // Lines first, then the row: the schema refuses any line change once the row says RECEIVED
  // or CANCELLED, and the command that closes an inbound writes its last line changes too
  // (the lines' reference to the row is checked at commit).
  for (size_t i : changes.LinesToWrite(in)) {
    if (i >= in.lines.size()) return Status::Internal("inbound line index out of range");
    OMS_RETURN_IF_ERROR(
        BindInboundLine(db.Prepare(Upsert<kInboundLines>()), in.id, i, in.lines[i]).Run());
  }
  OMS_RETURN_IF_ERROR(BindInbound(db.Prepare(Upsert<kInbounds>()), in).Run());
  // Lines are only ever appended, so the stored ones are exactly line_no 0..n-1: a line
  // written past the end, or a new inbound written without all of its lines, shows here (as
  // MemoryStore refuses them).
  Statement& q = db.Prepare(
      "SELECT COUNT(*), IFNULL(MAX(line_no), -1) FROM inbound_lines WHERE inbound_id = ?");
  q.Bind(1, in.id.str());
  if (!q.Step()) return q.status().ok() ? Status::Internal("no line count") : q.status();
  const int64_t count = q.Int(0);
  const int64_t last = q.Int(1);
  q.Reset();
  if (last != count - 1) return Status::Internal("inbound line written out of order");
  if (is_new && count != static_cast<int64_t>(in.lines.size())) {
    return Status::Internal("new inbound written without its lines");
  }
  return Status::Ok();
}

Result<std::optional<Order>> SqliteStore::FindOrder(const OrderId& id) {
  return LoadOrder(*db_, id);
}

Result<std::optional<Reservation>> SqliteStore::FindReservation(const ReservationId& id) {
  return LoadReservation(*db_, id);
}

Result<std::optional<Return>> SqliteStore::FindReturn(const ReturnId& id) {
  return LoadReturn(*db_, id);
}

Result<std::optional<Inbound>> SqliteStore::FindInbound(const InboundId& id) {
  return LoadInbound(*db_, id);
}

Result<std::vector<ReturnedUnits>> SqliteStore::FindReturned(const std::string& source) {
  return LoadReturned(*db_, source);
}

Result<int64_t> SqliteStore::PurgeEvents(Timestamp before, int64_t keep, int64_t max_rows) {
  Statement& q = db_->Prepare(
      "DELETE FROM events WHERE sequence IN (SELECT sequence FROM events WHERE sequence < "
      "(SELECT MAX(sequence) FROM events) AND (created_at < ?1 OR sequence <= "
      "(SELECT MAX(sequence) FROM events) - ?2) ORDER BY sequence LIMIT ?3)");
  OMS_RETURN_IF_ERROR(q.Bind(1, ToMicros(before)).Bind(2, keep).Bind(3, max_rows).Run());
  return db_->changes();
}

Result<int64_t> SqliteStore::PurgeRequests(Timestamp before, int64_t max_rows) {
  Statement& q = db_->Prepare(
      "DELETE FROM requests WHERE request_id IN (SELECT request_id FROM requests "
      "WHERE created_at < ? ORDER BY created_at LIMIT ?)");
  OMS_RETURN_IF_ERROR(q.Bind(1, ToMicros(before)).Bind(2, max_rows).Run());
  return static_cast<int64_t>(db_->changes());
}

}  // namespace oms::storage

// SqliteStore: batch transactions with a savepoint per command.
#include "storage/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "storage/rows.h"
#include "storage/schema.h"

namespace oms::storage {
namespace {

constexpr char kSep = '\x1f';

std::string EncodeError(const Status& s) {
  return std::to_string(static_cast<int>(s.code())) + kSep + s.reason() + kSep + s.message();
}

Status DecodeError(const std::string& text) {
  size_t a = text.find(kSep);
  size_t b = a == std::string::npos ? a : text.find(kSep, a + 1);
  if (b == std::string::npos) return Status::Internal("stored error is unreadable");
  Status s(static_cast<Code>(std::atoi(text.substr(0, a).c_str())), text.substr(b + 1));
  s.WithReason(text.substr(a + 1, b - a - 1));
  return s;
}

}  // namespace

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
  Result<std::unique_ptr<Database>> db =
      Database::Open(options.path, {.read_only = false,
                                    .synchronous_full = options.synchronous_full,
                                    .writer = true,
                                    .vfs = options.vfs});
  if (!db.ok()) return db.status();
  Result<int> version = Migrate(**db);
  if (!version.ok()) return version.status();
  std::unique_ptr<SqliteStore> store(
      new SqliteStore(std::move(db).value(), std::move(encoder), *version));
  store->lock_fd_ = std::exchange(unlock.fd, -1);
  store->checkpointer_ = std::make_unique<Checkpointer>(options.path, options.vfs);
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
    Statement& q = db.Prepare(
        "SELECT location_id, name, kind, ship_enabled, pickup_enabled, "
        "active, updated_at FROM locations");
    while (q.Step()) s.locations.push_back(LocationFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
  }
  {
    Result<std::vector<LocationGroup>> groups = LoadGroups(db, "", 1 << 30);
    if (!groups.ok()) return finish(groups.status());
    s.groups = std::move(groups).value();
  }
  {
    Statement& q = db.Prepare(
        "SELECT sku, location_id, on_hand, reserved, safety_stock, version, "
        "updated_at FROM stock_levels");
    while (q.Step()) s.stock.push_back(StockFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
  }
  {
    Statement& q = db.Prepare(
        "SELECT reservation_id, state, channel, reference, order_id, end_reason, created_at, "
        "updated_at, expires_at FROM reservations WHERE state = 1");
    while (q.Step()) s.active_reservations.push_back(ReservationFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
    q.Reset();
    for (auto& r : s.active_reservations) {
      Status st = LoadReservationLines(db, r);
      if (!st.ok()) return finish(st);
    }
  }
  {
    Statement& q = db.Prepare(
        "SELECT order_id, state, customer_id, pickup_location_id, reservation_id, pickup_code, "
        "hold_us, created_at, updated_at, ready_at, pickup_deadline, failed_pickup_attempts "
        "FROM orders WHERE state IN (1, 2, 3)");
    while (q.Step()) s.live_orders.push_back(OrderFromRow(q, 0));
    if (!q.status().ok()) return finish(q.status());
    q.Reset();
    for (auto& o : s.live_orders) {
      Status st = LoadOrderDetails(db, o);
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

Status SqliteStore::Commit() {
  Status s = db_->Prepare("COMMIT").Run();
  return s;
}

void SqliteStore::Rollback() {
  if (!db_->autocommit()) (void)db_->Prepare("ROLLBACK").Run();
}

Result<std::optional<RequestRecord>> SqliteStore::FindRequest(const std::string& request_id) {
  Statement& q = db_->Prepare(
      "SELECT method, payload_hash, response, created_at, error FROM requests "
      "WHERE request_id = ?");
  q.Bind(1, request_id);
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<RequestRecord>();
  }
  RequestRecord r;
  r.request_id = request_id;
  r.method = q.Text(0);
  r.payload_hash = static_cast<uint64_t>(q.Int(1));
  r.response = q.Text(2);
  r.created_at = FromMicros(q.Int(3));
  if (std::string error = q.Text(4); !error.empty()) r.error = DecodeError(error);
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
    OMS_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO locations(location_id, name, kind, ship_enabled, pickup_enabled, "
                   "active, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                   "ON CONFLICT(location_id) DO UPDATE SET name = ?2, kind = ?3, "
                   "ship_enabled = ?4, pickup_enabled = ?5, active = ?6, updated_at = ?7")
            .Bind(1, l.id.str())
            .Bind(2, l.name)
            .Bind(3, static_cast<int64_t>(l.kind))
            .Bind(4, int64_t{l.ship_enabled})
            .Bind(5, int64_t{l.pickup_enabled})
            .Bind(6, int64_t{l.active})
            .Bind(7, ToMicros(l.updated_at))
            .Run());
  }
  for (const auto& g : changes.groups) {
    OMS_RETURN_IF_ERROR(db.Prepare("INSERT INTO location_groups(group_id, updated_at) "
                                   "VALUES(?1, ?2) ON CONFLICT(group_id) DO UPDATE SET "
                                   "updated_at = ?2")
                            .Bind(1, g.id.str())
                            .Bind(2, ToMicros(g.updated_at))
                            .Run());
    OMS_RETURN_IF_ERROR(db.Prepare("DELETE FROM location_group_members WHERE group_id = ?")
                            .Bind(1, g.id.str())
                            .Run());
    for (size_t i = 0; i < g.members.size(); ++i) {
      OMS_RETURN_IF_ERROR(db.Prepare("INSERT INTO location_group_members(group_id, position, "
                                     "location_id) VALUES(?, ?, ?)")
                              .Bind(1, g.id.str())
                              .Bind(2, static_cast<int64_t>(i))
                              .Bind(3, g.members[i].str())
                              .Run());
    }
  }
  for (const auto& [key, level] : changes.stock) {
    OMS_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO stock_levels(sku, location_id, on_hand, reserved, safety_stock, "
                   "version, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                   "ON CONFLICT(sku, location_id) DO UPDATE SET on_hand = ?3, reserved = ?4, "
                   "safety_stock = ?5, version = ?6, updated_at = ?7")
            .Bind(1, key.sku.str())
            .Bind(2, key.location.str())
            .Bind(3, level.on_hand)
            .Bind(4, level.reserved)
            .Bind(5, level.safety_stock)
            .Bind(6, level.version)
            .Bind(7, ToMicros(level.updated_at))
            .Run());
  }
  for (const auto& m : changes.movements) {
    OMS_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO movements(movement_id, sku, location_id, delta, on_hand_after, "
                   "reason, reference, request_id, actor, created_at) "
                   "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .Bind(1, m.id)
            .Bind(2, m.sku.str())
            .Bind(3, m.location.str())
            .Bind(4, m.delta)
            .Bind(5, m.on_hand_after)
            .Bind(6, static_cast<int64_t>(m.reason))
            .Bind(7, m.reference)
            .Bind(8, m.request_id)
            .Bind(9, m.actor)
            .Bind(10, ToMicros(m.created_at))
            .Run());
  }
  for (const auto& r : changes.reservations) OMS_RETURN_IF_ERROR(WriteReservation(r, changes));
  for (const auto& o : changes.orders) OMS_RETURN_IF_ERROR(WriteOrder(o, changes));
  for (const auto& e : changes.events) {
    std::string payload = encoder_ ? encoder_(e) : std::string();
    OMS_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO events(sequence, kind, sku, location_id, subject, customer_id, "
                   "payload, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)")
            .Bind(1, e.sequence)
            .Bind(2, static_cast<int64_t>(e.kind))
            .Bind(3, e.sku.str())
            .Bind(4, e.location.str())
            .Bind(5, e.subject)
            .Bind(6, e.customer)
            .BindBlob(7, payload)
            .Bind(8, ToMicros(e.time))
            .Run());
  }
  if (record) {
    OMS_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO requests(request_id, method, payload_hash, response, error, "
                   "created_at) VALUES(?, ?, ?, ?, ?, ?)")
            .Bind(1, record->request_id)
            .Bind(2, record->method)
            .Bind(3, static_cast<int64_t>(record->payload_hash))
            .BindBlob(4, record->response)
            .Bind(5, record->error ? EncodeError(*record->error) : std::string())
            .Bind(6, ToMicros(record->created_at))
            .Run());
  }
  return Status::Ok();
}

Status SqliteStore::WriteReservation(const Reservation& r, const Changes& changes) {
  Database& db = *db_;
  OMS_RETURN_IF_ERROR(
      db.Prepare("INSERT INTO reservations(reservation_id, state, channel, reference, order_id, "
                 "end_reason, created_at, updated_at, expires_at) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                 "ON CONFLICT(reservation_id) DO UPDATE SET state = ?2, order_id = ?5, "
                 "end_reason = ?6, updated_at = ?8, expires_at = ?9")
          .Bind(1, r.id.str())
          .Bind(2, static_cast<int64_t>(r.state))
          .Bind(3, static_cast<int64_t>(r.channel))
          .Bind(4, r.reference)
          .Bind(5, r.order_id.str())
          .Bind(6, r.end_reason)
          .Bind(7, ToMicros(r.created_at))
          .Bind(8, ToMicros(r.updated_at))
          .Bind(9, ToMicros(r.expires_at))
          .Run());
  if (!changes.IsNew(r) && !changes.LinesChanged(r)) return Status::Ok();
  if (!changes.IsNew(r)) {
    OMS_RETURN_IF_ERROR(db.Prepare("DELETE FROM reservation_lines WHERE reservation_id = ?")
                            .Bind(1, r.id.str())
                            .Run());
  }
  for (size_t i = 0; i < r.lines.size(); ++i) {
    OMS_RETURN_IF_ERROR(db.Prepare("INSERT INTO reservation_lines(reservation_id, line_no, sku, "
                                   "location_id, quantity) VALUES(?, ?, ?, ?, ?)")
                            .Bind(1, r.id.str())
                            .Bind(2, static_cast<int64_t>(i))
                            .Bind(3, r.lines[i].sku.str())
                            .Bind(4, r.lines[i].location.str())
                            .Bind(5, r.lines[i].quantity)
                            .Run());
  }
  return Status::Ok();
}

Status SqliteStore::WriteOrder(const Order& o, const Changes& changes) {
  Database& db = *db_;
  Statement& upsert = db.Prepare(
      "INSERT INTO orders(order_id, state, customer_id, pickup_location_id, reservation_id, "
      "pickup_code, hold_us, created_at, updated_at, ready_at, pickup_deadline, "
      "failed_pickup_attempts) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT(order_id) DO UPDATE SET state = ?2, updated_at = ?9, ready_at = ?10, "
      "pickup_deadline = ?11, failed_pickup_attempts = ?12");
  upsert.Bind(1, o.id.str())
      .Bind(2, static_cast<int64_t>(o.state))
      .Bind(3, o.customer.str())
      .Bind(4, o.pickup_location.str())
      .Bind(5, o.reservation.str())
      .Bind(6, o.pickup_code)
      .Bind(7, static_cast<int64_t>(o.hold.count()))
      .Bind(8, ToMicros(o.created_at))
      .Bind(9, ToMicros(o.updated_at))
      .Bind(12, static_cast<int64_t>(o.failed_pickup_attempts));
  if (o.ready_at) upsert.Bind(10, ToMicros(*o.ready_at));
  if (o.pickup_deadline) upsert.Bind(11, ToMicros(*o.pickup_deadline));
  OMS_RETURN_IF_ERROR(upsert.Run());
  if (changes.WritesLines(o)) {
    OMS_RETURN_IF_ERROR(
        db.Prepare("DELETE FROM order_lines WHERE order_id = ?").Bind(1, o.id.str()).Run());
    for (size_t i = 0; i < o.lines.size(); ++i) {
      OMS_RETURN_IF_ERROR(db.Prepare("INSERT INTO order_lines(order_id, line_no, sku, quantity, "
                                     "ordered_quantity) VALUES(?, ?, ?, ?, ?)")
                              .Bind(1, o.id.str())
                              .Bind(2, static_cast<int64_t>(i))
                              .Bind(3, o.lines[i].sku.str())
                              .Bind(4, o.lines[i].quantity)
                              .Bind(5, o.lines[i].ordered_quantity)
                              .Run());
    }
  }
  for (size_t i = changes.StoredHistory(o); i < o.history.size(); ++i) {
    const OrderTransition& t = o.history[i];
    OMS_RETURN_IF_ERROR(db.Prepare("INSERT INTO order_history(order_id, seq, state, at, actor, "
                                   "reason) VALUES(?, ?, ?, ?, ?, ?)")
                            .Bind(1, o.id.str())
                            .Bind(2, static_cast<int64_t>(i))
                            .Bind(3, static_cast<int64_t>(t.state))
                            .Bind(4, ToMicros(t.at))
                            .Bind(5, t.actor)
                            .Bind(6, t.reason)
                            .Run());
  }
  return Status::Ok();
}

Result<std::optional<Order>> SqliteStore::FindOrder(const OrderId& id) {
  return LoadOrder(*db_, id);
}

Result<std::optional<Reservation>> SqliteStore::FindReservation(const ReservationId& id) {
  return LoadReservation(*db_, id);
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

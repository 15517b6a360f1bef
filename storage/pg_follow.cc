// PgFollower: the follower's queries, and waiting for the leader's NOTIFY.
#include "storage/pg_follow.h"

#include <libpq-fe.h>
#include <poll.h>

#include <thread>

#include "storage/rows.h"
#include "storage/sql_store.h"

namespace oms::storage {

Result<std::unique_ptr<PgFollower>> PgFollower::Open(const std::string& conninfo) {
  auto db = PgDatabase::Open(conninfo);
  if (!db.ok()) return db.status();
  std::unique_ptr<PgFollower> f(new PgFollower(std::move(db).value()));
  OMS_RETURN_IF_ERROR(f->EnsureConnected());
  return f;
}

Status PgFollower::EnsureConnected() {
  if (db_->broken()) {
    listening_ = false;
    OMS_RETURN_IF_ERROR(db_->Reconnect());
  }
  // Best effort: a database without LISTEN is polled instead.
  if (!listening_) listening_ = db_->Exec(std::string("LISTEN ") + kEventsChannel).ok();
  return Status::Ok();
}

Result<LeaseInfo> PgFollower::Lease() {
  OMS_RETURN_IF_ERROR(EnsureConnected());
  Statement& q = db_->Prepare(
      "SELECT holder, epoch, expires_at - (extract(epoch FROM clock_timestamp()) * "
      "1000000)::bigint FROM oms_lease WHERE id = 1");
  LeaseInfo info;
  if (q.Step()) {
    info.holder = q.Text(0);
    info.epoch = q.Int(1);
    int64_t left_us = q.Int(2);
    info.lapsed = left_us < 0;
    info.left_ms = left_us < 0 ? 0 : left_us / 1000;
  }
  Status s = q.status();
  q.Reset();
  if (!s.ok()) return s;
  return info;
}

Result<std::vector<StoredEvent>> PgFollower::EventsAfter(int64_t after, int limit,
                                                         int64_t* newest_created_at) {
  OMS_RETURN_IF_ERROR(EnsureConnected());
  Statement& q = db_->Prepare(Select<kEvents, "WHERE sequence > ?1 ORDER BY sequence LIMIT ?2">());
  q.Bind(1, after).Bind(2, int64_t{limit});
  std::vector<StoredEvent> out;
  constexpr auto& t = kEvents;
  while (q.Step()) {
    out.push_back({q.Int(t["sequence"]), static_cast<int>(q.Int(t["kind"])), q.Text(t["sku"]),
                   q.Text(t["location_id"]), q.Text(t["subject"]), q.Text(t["customer_id"]),
                   q.Text(t["payload"])});
    *newest_created_at = q.Int(t["created_at"]);
  }
  Status s = q.status();
  q.Reset();
  if (!s.ok()) return s;
  return out;
}

Result<int64_t> PgFollower::Head() {
  OMS_RETURN_IF_ERROR(EnsureConnected());
  Statement& q = db_->Prepare("SELECT COALESCE(max(sequence), 0) FROM events");
  int64_t head = q.Step() ? q.Int(0) : 0;
  Status s = q.status();
  q.Reset();
  if (!s.ok()) return s;
  return head;
}

Result<std::vector<std::pair<StockKey, StockLevel>>> PgFollower::Stock(
    const std::vector<StockKey>& keys) {
  OMS_RETURN_IF_ERROR(EnsureConnected());
  std::vector<std::pair<StockKey, StockLevel>> out;
  if (keys.empty()) return out;
  std::vector<std::string> skus, locations;
  for (const auto& k : keys) {
    skus.push_back(k.sku.str());
    locations.push_back(k.location.str());
  }
  // One query for every key: the pairs as two arrays, unnested side by side.
  Statement& q =
      db_->Prepare(Select<kStockLevels,
                          "WHERE (sku, location_id) IN (SELECT * FROM unnest(CAST(?1 AS TEXT[]), "
                          "CAST(?2 AS TEXT[])))">());
  q.Bind(1, PgTextArray(skus)).Bind(2, PgTextArray(locations));
  while (q.Step()) out.push_back(StockFromRow(q, 0));
  Status s = q.status();
  q.Reset();
  if (!s.ok()) return s;
  return out;
}

Result<Snapshot> PgFollower::Load() {
  OMS_RETURN_IF_ERROR(EnsureConnected());
  return LoadSnapshot(*db_);
}

bool PgFollower::WaitForNotification(std::chrono::milliseconds timeout) {
  PGconn* conn = db_->handle();
  auto drain = [&] {
    bool any = false;
    while (PGnotify* n = PQnotifies(conn)) {
      any = true;
      PQfreemem(n);
    }
    return any;
  };
  if (!listening_ || db_->broken()) {
    std::this_thread::sleep_for(timeout);
    return false;
  }
  if (PQconsumeInput(conn) && drain()) return true;
  pollfd fd{PQsocket(conn), POLLIN, 0};
  if (fd.fd < 0) {
    std::this_thread::sleep_for(timeout);
    return false;
  }
  if (poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return false;
  PQconsumeInput(conn);
  return drain();
}

}  // namespace oms::storage

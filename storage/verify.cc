// The invariant checks, each one SQL query whose rows are violations.
#include "storage/verify.h"

#include <sqlite3.h>

#include <filesystem>

#include "storage/sqlite.h"

namespace oms::storage {
namespace {

struct Check {
  const char* name;
  const char* sql;  // each row: one text column describing the offending row
};

// on_hand = Σ movements; reserved = Σ active present lines (future holds are counted in an
// inbound line's promised instead); nothing negative; ledger chain; states and histories
// consistent; returns within what was sold, quarantined units accounted for; inbound
// promises match their pegs and what is still to come, receipts match the ledger; a
// request_id has one effect; events gap-free.
const Check kChecks[] = {
    {"on_hand equals the sum of movements",
     "SELECT s.sku || '@' || s.location_id || ': on_hand ' || s.on_hand || ' but movements sum to '"
     " || COALESCE(m.total, 0) FROM stock_levels s LEFT JOIN (SELECT sku, location_id, SUM(delta) AS"
     " total FROM movements GROUP BY sku, location_id) m USING (sku, location_id)"
     " WHERE s.on_hand <> COALESCE(m.total, 0)"},
    {"every movement belongs to a stock level",
     "SELECT m.sku || '@' || m.location_id || ': movements without a stock level' FROM (SELECT"
     " DISTINCT sku, location_id FROM movements) m LEFT JOIN stock_levels s USING (sku,"
     " location_id) WHERE s.sku IS NULL"},
    {"reserved equals the sum of active present reservation lines",
     "SELECT s.sku || '@' || s.location_id || ': reserved ' || s.reserved || ' but active lines"
     " sum to ' || COALESCE(a.total, 0) FROM stock_levels s LEFT JOIN (SELECT l.sku, l.location_id,"
     " SUM(l.quantity) AS total FROM reservation_lines l JOIN reservations r USING"
     " (reservation_id) WHERE r.state = 1 AND l.inbound_id = '' AND l.at_risk = 0 GROUP BY"
     " l.sku, l.location_id) a USING (sku,"
     " location_id) WHERE s.reserved <> COALESCE(a.total, 0)"},
    {"active present lines have a stock level",
     "SELECT l.reservation_id || ': line ' || l.sku || '@' || l.location_id || ' has no stock"
     " level' FROM reservation_lines l JOIN reservations r USING (reservation_id) LEFT JOIN"
     " stock_levels s ON s.sku = l.sku AND s.location_id = l.location_id WHERE r.state = 1 AND"
     " l.inbound_id = '' AND l.at_risk = 0 AND s.sku IS NULL"},
    {"nothing negative",
     "SELECT sku || '@' || location_id || ': negative quantity' FROM stock_levels WHERE on_hand <"
     " 0 OR reserved < 0 OR safety_stock < 0 OR quarantined < 0"},
    {"each movement's on_hand_after continues the ledger",
     "SELECT 'movement ' || movement_id || ': on_hand_after ' || on_hand_after || ', running sum "
     "' || running FROM (SELECT movement_id, on_hand_after, SUM(delta) OVER (PARTITION BY sku,"
     " location_id ORDER BY movement_id) AS running FROM movements) AS chain WHERE on_hand_after <>"
     " running"},
    {"active and committed reservations have lines",
     "SELECT r.reservation_id || ': ' || CASE r.state WHEN 1 THEN 'ACTIVE' ELSE 'COMMITTED' END"
     " || ' without lines' FROM reservations r WHERE r.state IN (1, 2) AND NOT EXISTS (SELECT 1"
     " FROM reservation_lines l WHERE l.reservation_id = r.reservation_id)"},
    {"an order is live exactly while its reservation is active",
     "SELECT o.order_id || ': order state ' || o.state || ', reservation state ' || r.state FROM"
     " orders o JOIN reservations r USING (reservation_id) WHERE (o.state IN (1, 2, 3)) <>"
     " (r.state = 1) OR r.order_id <> o.order_id OR (o.state = 4 AND r.state <> 2)"},
    {"an order's history starts PLACED and ends in its state",
     "SELECT o.order_id || ': history ' || COALESCE(CAST(f.state AS TEXT), '-') || '..' || COALESCE(CAST(l.state AS TEXT), '-') ||"
     " ' but state ' || o.state FROM orders o LEFT JOIN order_history f ON f.order_id ="
     " o.order_id AND f.seq = 0 LEFT JOIN order_history l ON l.order_id = o.order_id AND l.seq ="
     " (SELECT MAX(seq) FROM order_history h WHERE h.order_id = o.order_id) WHERE COALESCE(f.state,"
     " 0) <> 1 OR COALESCE(l.state, 0) <> o.state"},
    {"order history moves only along allowed transitions",
     "SELECT a.order_id || ': ' || a.state || ' -> ' || b.state FROM order_history a JOIN"
     " order_history b ON b.order_id = a.order_id AND b.seq = a.seq + 1 WHERE NOT ((a.state = 1"
     " AND b.state IN (2, 5)) OR (a.state = 2 AND b.state IN (3, 5)) OR (a.state = 3 AND b.state"
     " IN (4, 5, 6)))"},
    {"units returned do not exceed units sold",
     "WITH returned AS (SELECT CASE WHEN r.order_id <> '' THEN 'order ' || r.order_id ELSE"
     " 'reservation ' || r.reservation_id END AS source, l.sku, SUM(l.quantity) AS n FROM returns"
     " r JOIN return_lines l USING (return_id) GROUP BY 1, 2), sold AS (SELECT 'order ' ||"
     " o.order_id AS source, ol.sku, SUM(ol.quantity) AS n FROM orders o JOIN order_lines ol"
     " USING (order_id) WHERE o.state = 4 GROUP BY 1, 2 UNION ALL SELECT 'reservation ' ||"
     " v.reservation_id, vl.sku, SUM(vl.quantity) FROM reservations v JOIN reservation_lines vl"
     " USING (reservation_id) WHERE v.state = 2 GROUP BY 1, 2) SELECT x.source || ', ' || x.sku"
     " || ': returned ' || x.n || ' but sold ' || COALESCE(s.n, 0) FROM returned x LEFT JOIN sold s"
     " ON s.source = x.source AND s.sku = x.sku WHERE x.n > COALESCE(s.n, 0)"},
    {"every return's sale exists and was sold",
     "SELECT r.return_id || ': order ' || r.order_id || CASE WHEN o.order_id IS NULL THEN ' does"
     " not exist' ELSE ' is in state ' || o.state || ', not PICKED_UP' END FROM returns r LEFT"
     " JOIN orders o ON o.order_id = r.order_id WHERE r.order_id <> '' AND COALESCE(o.state, 0) <> 4"
     " UNION ALL SELECT r.return_id || ': reservation ' || r.reservation_id || CASE WHEN"
     " v.reservation_id IS NULL THEN ' does not exist' ELSE ' is in state ' || v.state || ', not"
     " COMMITTED' END FROM returns r LEFT JOIN reservations v ON v.reservation_id ="
     " r.reservation_id WHERE r.reservation_id <> '' AND COALESCE(v.state, 0) <> 2"},
    {"quarantined equals the sum of quarantined return lines",
     "SELECT k.sku || '@' || k.location_id || ': quarantined ' || COALESCE(CAST(s.quarantined AS TEXT), '0 (no"
     " stock level)') || ' but return lines hold ' || COALESCE(q.n, 0) FROM (SELECT sku,"
     " location_id FROM stock_levels UNION SELECT l.sku, r.location_id FROM return_lines l JOIN"
     " returns r USING (return_id) WHERE l.quarantined > 0) k LEFT JOIN stock_levels s ON s.sku ="
     " k.sku AND s.location_id = k.location_id LEFT JOIN (SELECT l.sku, r.location_id,"
     " SUM(l.quarantined) AS n FROM return_lines l JOIN returns r USING (return_id) GROUP BY"
     " l.sku, r.location_id) q ON q.sku = k.sku AND q.location_id = k.location_id WHERE"
     " COALESCE(s.quarantined, 0) <> COALESCE(q.n, 0)"},
    {"a return is OPEN exactly while it holds quarantined units",
     "SELECT r.return_id || ': ' || CASE r.state WHEN 1 THEN 'OPEN' ELSE 'COMPLETED' END || ' with"
     " ' || COALESCE(q.n, 0) || ' units quarantined' FROM returns r LEFT JOIN (SELECT return_id,"
     " SUM(quarantined) AS n FROM return_lines GROUP BY return_id) q ON q.return_id ="
     " r.return_id WHERE (r.state = 1) <> (COALESCE(q.n, 0) > 0)"},
    {"an open inbound line's promised equals the future holds pegged to it",
     "SELECT 'inbound ' || i.inbound_id || ', ' || il.sku || ': promised ' || il.promised || ' but"
     " active lines pegged to it sum to ' || COALESCE(p.n, 0) FROM inbounds i JOIN inbound_lines il"
     " USING (inbound_id) LEFT JOIN (SELECT l.inbound_id, l.sku, l.location_id, SUM(l.quantity)"
     " AS n FROM reservation_lines l JOIN reservations r USING (reservation_id) WHERE r.state = 1"
     " AND l.inbound_id <> '' GROUP BY 1, 2, 3) p ON p.inbound_id = i.inbound_id AND p.sku ="
     " il.sku AND p.location_id = i.location_id WHERE i.state IN (1, 2) AND il.promised <>"
     " COALESCE(p.n, 0)"},
    {"an inbound line promises no more than is still to come",
     "SELECT 'inbound ' || inbound_id || ', ' || sku || ': promised ' || promised || ' of ' ||"
     " CASE WHEN expected > received THEN expected - received ELSE 0 END || ' remaining' FROM"
     " inbound_lines WHERE promised > CASE WHEN expected > received THEN expected - received ELSE"
     " 0 END OR promised < 0"},
    {"a closed inbound promises nothing",
     "SELECT 'inbound ' || i.inbound_id || ', ' || il.sku || ': ' || CASE i.state WHEN 3 THEN"
     " 'RECEIVED' ELSE 'CANCELLED' END || ' but promised ' || il.promised FROM inbounds i JOIN"
     " inbound_lines il USING (inbound_id) WHERE i.state IN (3, 4) AND il.promised <> 0"},
    {"active future holds are pegged to an open inbound line of their SKU and location",
     "SELECT l.reservation_id || ': line ' || l.sku || '@' || l.location_id || ' pegged to inbound "
     "'"
     " || l.inbound_id || CASE WHEN i.inbound_id IS NULL THEN ', which does not exist' WHEN"
     " i.state NOT IN (1, 2) THEN ', which is closed (state ' || i.state || ')' WHEN"
     " i.location_id <> l.location_id THEN ', which is at ' || i.location_id ELSE ', which has no"
     " line of its SKU' END FROM reservation_lines l JOIN reservations r USING (reservation_id)"
     " LEFT JOIN inbounds i ON i.inbound_id = l.inbound_id LEFT JOIN inbound_lines il ON"
     " il.inbound_id = l.inbound_id AND il.sku = l.sku WHERE r.state = 1 AND l.inbound_id <> ''"
     " AND (i.inbound_id IS NULL OR i.state NOT IN (1, 2) OR i.location_id <> l.location_id OR"
     " il.sku IS NULL)"},
    {"an inbound line's received units were moved into stock",
     "SELECT 'inbound ' || i.inbound_id || ', ' || il.sku || '@' || i.location_id || ': received '"
     " || il.received || ' but RECEIVED movements sum to ' || COALESCE(m.n, 0) FROM inbounds i JOIN"
     " inbound_lines il USING (inbound_id) LEFT JOIN (SELECT reference, sku, location_id,"
     " SUM(delta) AS n FROM movements WHERE reason = 1 GROUP BY 1, 2, 3) m ON m.reference ="
     " i.inbound_id AND m.sku = il.sku AND m.location_id = i.location_id WHERE il.received >"
     " COALESCE(m.n, 0)"},
    {"a request_id has one effect",
     "SELECT 'request ' || request_id || ': movements at ' || COUNT(DISTINCT created_at) || '"
     " different times' FROM movements WHERE request_id <> '' GROUP BY request_id HAVING"
     " COUNT(DISTINCT created_at) > 1"},
    {"event sequences are gap-free",
     "SELECT 'events: ' || COUNT(*) || ' rows between ' || MIN(sequence) || ' and ' ||"
     " MAX(sequence) FROM events HAVING COUNT(*) > 0 AND COUNT(*) <> MAX(sequence) -"
     " MIN(sequence) + 1"},
};

Status Count(Database& db, const char* sql, int64_t* out) {
  Statement& stmt = db.Prepare(sql);
  if (!stmt.Step()) return stmt.status().ok() ? Status::Internal("no count") : stmt.status();
  *out = stmt.Int(0);
  stmt.Reset();
  return Status::Ok();
}

}  // namespace

Result<VerifyReport> Verify(Database& db, int max_problems) {
  VerifyReport report;
  const bool sqlite = db.dialect() == Dialect::kSqlite;
  // One snapshot for every check.
  OMS_RETURN_IF_ERROR(
      db.Exec(sqlite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  auto body = [&]() -> Status {
    if (sqlite) {
      // The file itself (PostgreSQL checks its pages as it reads them).
      Statement& integrity = db.Prepare("PRAGMA integrity_check");
      while (integrity.Step()) {
        std::string line = integrity.Text(0);
        if (line != "ok") report.problems.push_back("integrity_check: " + line);
      }
      OMS_RETURN_IF_ERROR(integrity.status());
      integrity.Reset();
    }
    for (const Check& check : kChecks) {
      Statement& stmt = db.Prepare(check.sql);
      while (stmt.Step() && static_cast<int>(report.problems.size()) < max_problems) {
        report.problems.push_back(std::string(check.name) + ": " + stmt.Text(0));
      }
      OMS_RETURN_IF_ERROR(stmt.status());
      stmt.Reset();
    }
    OMS_RETURN_IF_ERROR(Count(db, "SELECT COUNT(*) FROM stock_levels", &report.stock_levels));
    OMS_RETURN_IF_ERROR(Count(db, "SELECT COUNT(*) FROM movements", &report.movements));
    OMS_RETURN_IF_ERROR(Count(db, "SELECT COUNT(*) FROM reservations", &report.reservations));
    OMS_RETURN_IF_ERROR(Count(db, "SELECT COUNT(*) FROM orders", &report.orders));
    return Count(db, "SELECT COUNT(*) FROM events", &report.events);
  };
  Status s = body();
  db.ResetAll();
  (void)db.Exec(s.ok() ? "COMMIT" : "ROLLBACK");
  if (!s.ok()) return s;
  return report;
}

Result<int64_t> Backup(const std::string& source, const std::string& dest) {
  auto from = SqliteDatabase::Open(source, {.read_only = true});
  if (!from.ok()) return from.status();
  std::error_code ec;
  std::filesystem::remove(dest, ec);
  auto to = SqliteDatabase::Open(dest, {.read_only = false, .synchronous_full = true});
  if (!to.ok()) return to.status();
  OMS_RETURN_IF_ERROR((*to)->Exec("PRAGMA journal_mode=DELETE"));
  sqlite3_backup* backup = sqlite3_backup_init((*to)->handle(), "main", (*from)->handle(), "main");
  if (!backup) return SqliteError((*to)->handle(), sqlite3_errcode((*to)->handle()), "backup");
  // All pages in one step: the copy is a single read snapshot of the source.
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return SqliteError((*to)->handle(), rc, "backup step");
  to->reset();
  return static_cast<int64_t>(std::filesystem::file_size(dest));
}

}  // namespace oms::storage

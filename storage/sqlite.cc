// SQLite behind storage/sql.h.
#include "storage/sqlite.h"

#include <sqlite3.h>

namespace oms::storage {

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string message = std::string(context) + ": " + sqlite3_errstr(rc);
  if (db && sqlite3_errmsg(db)) message += " (" + std::string(sqlite3_errmsg(db)) + ")";
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_ERROR:
    case SQLITE_CORRUPT:
    case SQLITE_MISUSE:
      return Status::Internal(std::move(message));
    default:
      return Status::Unavailable(reason::kStorageUnavailable, std::move(message));
  }
}

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db), sql_(sql) {
  int rc = sqlite3_prepare_v3(db, sql_.data(), static_cast<int>(sql_.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    status_ = SqliteError(db, rc, "prepare " + sql_);
    stmt_ = nullptr;
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

Statement& SqliteStatement::Bind(int index, int64_t value) {
  if (stmt_) sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& SqliteStatement::Bind(int index, std::string_view text) {
  if (stmt_)
    sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& SqliteStatement::BindBlob(int index, std::string_view bytes) {
  if (stmt_)
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& SqliteStatement::BindNull(int index) {
  if (stmt_) sqlite3_bind_null(stmt_, index);
  return *this;
}

bool SqliteStatement::Step() {
  if (!stmt_) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = SqliteError(db_, rc, sql_);
  return false;
}

Status SqliteStatement::Run() {
  if (!stmt_) return status_;
  while (Step()) {
  }
  Status result = status_;
  Reset();
  return result;
}

void SqliteStatement::Reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = Status::Ok();
}

int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string SqliteStatement::Text(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  return data ? std::string(static_cast<const char*>(data), size) : std::string();
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path,
                                                 const OpenOptions& options) {
  // Once per process, before the first connection: no global allocation statistics (they
  // take a mutex on every malloc).
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
  sqlite3* db = nullptr;
  int flags =
      SQLITE_OPEN_NOMUTEX |
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags,
                           options.vfs.empty() ? nullptr : options.vfs.c_str());
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "open " + path);
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<SqliteDatabase> database(new SqliteDatabase(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (!options.read_only) {
    pragmas += "PRAGMA journal_mode=WAL;";
    pragmas += options.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  }
  // Pages are read through the page cache and a memory map rather than read(2) each time.
  pragmas += options.writer ? "PRAGMA cache_size=-131072;" : "PRAGMA cache_size=-16384;";
  pragmas += "PRAGMA mmap_size=1073741824; PRAGMA temp_store=MEMORY;";
  if (options.writer) pragmas += "PRAGMA wal_autocheckpoint=0;";
  OMS_RETURN_IF_ERROR(database->Exec(pragmas));
  return database;
}

SqliteDatabase::~SqliteDatabase() {
  cache_.clear();
  sqlite3_close(db_);
}

Status SqliteDatabase::Exec(std::string_view sql) {
  std::string owned(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, owned.substr(0, 60));
  return Status::Ok();
}

Statement& SqliteDatabase::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<SqliteStatement>(db_, sql)).first;
  } else {
    it->second->Reset();
  }
  return *it->second;
}

void SqliteDatabase::ResetAll() {
  for (auto& [sql, stmt] : cache_) stmt->Reset();
}

int64_t SqliteDatabase::changes() const { return sqlite3_changes64(db_); }

bool SqliteDatabase::autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

}  // namespace oms::storage

// SQLite behind storage/sql.h: a connection with a cache of prepared statements, a statement
// with typed binds and columns, and errors mapped to Status (constraint violations are
// Internal — the domain should have prevented them — I/O and busy errors Unavailable).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/status.h"
#include "storage/sql.h"

struct sqlite3;
struct sqlite3_stmt;

namespace oms::storage {

Status SqliteError(sqlite3* db, int rc, std::string_view context);

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement() override;

  bool valid() const { return stmt_ != nullptr; }
  // Statement (documented there).
  Statement& Bind(int index, int64_t value) override;
  Statement& Bind(int index, std::string_view text) override;
  Statement& BindBlob(int index, std::string_view bytes) override;
  Statement& BindNull(int index) override;
  bool Step() override;
  Status Run() override;
  void Reset() override;
  const Status& status() const override { return status_; }
  int64_t Int(int column) const override;
  std::string Text(int column) const override;
  bool IsNull(int column) const override;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
  std::string sql_;
};

struct OpenOptions {
  bool read_only = false;
  bool synchronous_full = true;
  // The writer's connection: a large page cache, and no automatic checkpoints (a background
  // Checkpointer does them, so commits never pay for copying the WAL into the database).
  bool writer = false;
  // A registered SQLite VFS to use instead of the default (tests inject I/O faults this way).
  std::string vfs;
};

class SqliteDatabase final : public Database {
 public:
  static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path,
                                                      const OpenOptions& options);
  ~SqliteDatabase() override;

  // Database (documented there). autocommit() is also true after SQLite rolled a transaction
  // back by itself, as it does on some I/O errors.
  Status Exec(std::string_view sql) override;
  Statement& Prepare(const char* sql) override;
  bool autocommit() const override;
  void ResetAll() override;
  int64_t changes() const override;
  Dialect dialect() const override { return Dialect::kSqlite; }

  sqlite3* handle() { return db_; }

 private:
  explicit SqliteDatabase(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, std::unique_ptr<SqliteStatement>> cache_;
};

}  // namespace oms::storage

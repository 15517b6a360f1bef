// RAII wrappers for SQLite: a connection with a cache of prepared statements, a statement
// with typed binds and columns, and errors mapped to Status (constraint violations are
// Internal — the domain should have prevented them — I/O and busy errors Unavailable).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace oms::storage {

Status SqliteError(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool valid() const { return stmt_ != nullptr; }
  // Binds by 1-based index; chainable. Text and blobs are copied by SQLite.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Advances; true while a row is available. Errors are kept in status().
  bool Step();
  // Runs to completion (for writes), then resets.
  Status Run();
  // Clears the row cursor and bindings for reuse.
  void Reset();
  const Status& status() const { return status_; }

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

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

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const OpenOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // A cached prepared statement for `sql` (a string literal), reset and ready to bind.
  Statement& Prepare(const char* sql);
  sqlite3* handle() { return db_; }
  // True when no transaction is open (SQLite rolls one back by itself on some I/O errors).
  bool autocommit() const;
  // Resets every cached statement, so none holds a read snapshot open.
  void ResetAll();
  // Rows changed by the last statement.
  int64_t changes() const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
};

}  // namespace oms::storage

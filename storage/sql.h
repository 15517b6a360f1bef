// The SQL seam between storage's engine-neutral code (rows.h, the store's writes, the
// readers) and an engine: a connection with a cache of prepared statements, and statements
// with typed binds and columns. SQLite (storage/sqlite.h) and PostgreSQL (storage/pg.h)
// implement it. Statements are written once, in the dialect both accept: parameters as `?`
// or `?N` (1-based), COALESCE rather than IFNULL, row values, ON CONFLICT upserts.
// Errors map to Status: a constraint violation is Internal (the domain should have prevented
// it), an I/O, connection or busy error Unavailable STORAGE_UNAVAILABLE.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "domain/status.h"

namespace oms::storage {

class Statement {
 public:
  virtual ~Statement() = default;
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds by 1-based index; chainable. Text and blobs are copied.
  virtual Statement& Bind(int index, int64_t value) = 0;
  virtual Statement& Bind(int index, std::string_view text) = 0;
  virtual Statement& BindBlob(int index, std::string_view bytes) = 0;
  virtual Statement& BindNull(int index) = 0;

  // Advances; true while a row is available. Errors are kept in status().
  virtual bool Step() = 0;
  // Runs to completion (for writes), then resets. Inside Database::BeginDeferred the engine
  // may only queue it: its error then comes from a later Step or from EndDeferred.
  virtual Status Run() = 0;
  // Clears the row cursor and bindings for reuse.
  virtual void Reset() = 0;
  virtual const Status& status() const = 0;

  virtual int64_t Int(int column) const = 0;
  // Text and blobs alike, as bytes.
  virtual std::string Text(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
};

// Where the few statements that cannot be written once differ (transactions, integrity).
enum class Dialect { kSqlite, kPostgres };

class Database {
 public:
  virtual ~Database() = default;
  Database() = default;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results or parameters.
  virtual Status Exec(std::string_view sql) = 0;
  // A cached prepared statement for `sql` (a string literal: the cache keys on the pointer),
  // reset and ready to bind.
  virtual Statement& Prepare(const char* sql) = 0;
  // True when no transaction is open.
  virtual bool autocommit() const = 0;
  // Resets every cached statement, so none holds a read snapshot open.
  virtual void ResetAll() = 0;
  // Rows changed by the last statement.
  virtual int64_t changes() const = 0;
  virtual Dialect dialect() const = 0;

  // Between these two, Run() may queue its statement rather than wait for it (PostgreSQL's
  // pipeline mode: one round trip for many writes). Step() still returns rows, after every
  // queued statement has run. EndDeferred returns the first error of a queued statement.
  // Nests: only the outermost EndDeferred waits for what was queued.
  virtual void BeginDeferred() {}
  virtual Status EndDeferred() { return Status::Ok(); }
};

// Opens one more connection (a reader's pool, an online verify).
using ConnectionFactory = std::function<Result<std::unique_ptr<Database>>()>;

}  // namespace oms::storage

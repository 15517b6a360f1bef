// PostgreSQL behind storage/sql.h, on libpq (libpq 15: pipeline mode; libpqxx 6.4 has none,
// and a batch's writes are what must not cost a round trip each). One connection per
// PgDatabase, used by one thread at a time. Statements are prepared on the server the first
// time they run, with parameter types from their binds (int8, text, bytea), and again after
// a reconnect; results come back as text, blobs as bytea.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "domain/status.h"
#include "storage/pg_rows.h"
#include "storage/sql.h"

struct pg_conn;
struct pg_result;

namespace oms::storage {

class PgDatabase;

// `?N` → `$N`, and a bare `?` → the next number after the largest so far (SQLite's rule);
// quoted text is left alone. Returns the number of parameters.
int TranslateParameters(std::string_view sql, std::string* out);

class PgStatement final : public Statement {
 public:
  PgStatement(PgDatabase& db, std::string_view sql);
  ~PgStatement() override;

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
  friend class PgDatabase;
  using Param = PgParam;
  Param& At(int index);
  // Prepares on this connection (again after a reconnect); sends instead when pipelined.
  Status EnsurePrepared(bool send);
  // Sends it into the pipeline (queue) or runs it and keeps its rows.
  Status Execute(bool queue);

  PgDatabase& db_;
  std::string sql_;
  std::string name_;
  uint64_t prepared_in_ = 0;  // the connection generation it is prepared in; 0: none
  std::vector<Param> params_;
  pg_result* result_ = nullptr;
  int row_ = -1;
  bool executed_ = false;
  Status status_;
};

class PgDatabase final : public Database {
 public:
  // Connects with a libpq connection string or URI.
  static Result<std::unique_ptr<PgDatabase>> Open(const std::string& conninfo);
  ~PgDatabase() override;

  // Database (documented there).
  Status Exec(std::string_view sql) override;
  Statement& Prepare(const char* sql) override;
  bool autocommit() const override;
  void ResetAll() override;
  int64_t changes() const override { return changes_; }
  Dialect dialect() const override { return Dialect::kPostgres; }
  void BeginDeferred() override;
  Status EndDeferred() override;

  // True when the connection is gone (the server restarted, the network failed).
  bool broken() const;
  // Connects again after broken(); statements are prepared again as they are used.
  Status Reconnect();
  // The server's process id of this session (pg_terminate_backend, fencing tests).
  int backend_pid() const;
  pg_conn* handle() { return conn_; }
  // Runs `sql` (SET ...) now and again after every reconnect: the session's settings.
  Status AddSessionSetup(std::string sql);
  // Gathers the rows of `insert_sql` (a string literal, as for Prepare) until SendRows.
  PgRows& Rows(const char* insert_sql);
  // Queues every gathered row as multi-row INSERTs (in the pipeline: call inside
  // BeginDeferred; errors come from EndDeferred) and forgets them.
  Status SendRows();
  // Forgets the gathered rows (the transaction rolls back).
  void DiscardRows();

 private:
  friend class PgStatement;
  explicit PgDatabase(pg_conn* conn) : conn_(conn) {}
  Status Setup();
  // Sends the pipeline's sync and reads every queued result; returns the first error.
  Status Drain();
  Status Error(pg_result* result, std::string_view context) const;

  pg_conn* conn_;
  std::string conninfo_;
  std::string session_setup_;  // AddSessionSetup's statements
  uint64_t generation_ = 1;
  uint64_t next_name_ = 0;
  int64_t changes_ = 0;
  int deferred_ = 0;                 // BeginDeferred nesting
  bool pipelined_ = false;           // in libpq pipeline mode, results pending
  std::deque<std::string> pending_;  // what each queued result is for (errors)
  std::unordered_map<const char*, std::unique_ptr<PgStatement>> cache_;
  std::vector<std::pair<const char*, std::unique_ptr<PgRows>>> rows_;  // in first-use order
};

// Connections to `conninfo`, for a Reader's pool or an online verify.
ConnectionFactory PgConnections(std::string conninfo);

// A PostgreSQL array literal of text values (bound as text, cast to TEXT[] in SQL).
std::string PgTextArray(const std::vector<std::string>& values);

// `conninfo` without its password, for logs and messages.
std::string RedactConninfo(const std::string& conninfo);

// Maps a PostgreSQL error (SQLSTATE and message) to a Status: integrity, data and syntax
// errors are Internal, everything else (connection, serialization, shutdown, resources)
// Unavailable STORAGE_UNAVAILABLE.
Status PgError(std::string_view sqlstate, std::string message);

}  // namespace oms::storage

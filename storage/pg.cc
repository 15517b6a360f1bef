// PostgreSQL adapter: synchronous statements, and libpq's pipeline mode between
// BeginDeferred and EndDeferred (a batch's writes go out together and cost one round trip).
#include "storage/pg.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

namespace oms::storage {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A bytea in text output: "\x" and two hex digits per byte (bytea_output = hex, set on
// connect).
std::string DecodeBytea(const char* text, int length) {
  std::string out;
  if (length < 2 || text[0] != '\\' || text[1] != 'x') return std::string(text, length);
  out.reserve(static_cast<size_t>(length - 2) / 2);
  for (int i = 2; i + 1 < length; i += 2) {
    int hi = HexValue(text[i]), lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) break;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

int TranslateParameters(std::string_view sql, std::string* out) {
  out->clear();
  out->reserve(sql.size() + 8);
  int largest = 0;
  bool quoted = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'') quoted = !quoted;  // '' inside a literal toggles twice: still quoted
    if (quoted || c != '?') {
      out->push_back(c);
      continue;
    }
    size_t j = i + 1;
    int n = 0;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') n = n * 10 + (sql[j++] - '0');
    if (j == i + 1) n = largest + 1;
    largest = std::max(largest, n);
    *out += "$" + std::to_string(n);
    i = j - 1;
  }
  return largest;
}

Status PgError(std::string_view sqlstate, std::string message) {
  std::string_view cls = sqlstate.substr(0, std::min<size_t>(2, sqlstate.size()));
  // 21 cardinality, 22 data, 23 integrity, 2B dependent objects, 42 syntax or access,
  // 0A not supported, P0 raised by a trigger: the statement or the data is wrong, and
  // retrying cannot help.
  if (cls == "21" || cls == "22" || cls == "23" || cls == "2B" || cls == "42" || cls == "0A" ||
      cls == "P0") {
    return Status::Internal(std::move(message));
  }
  return Status::Unavailable(reason::kStorageUnavailable, std::move(message));
}

Status PgDatabase::Error(pg_result* result, std::string_view context) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* text = result ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  std::string message = std::string(context.substr(0, 80)) + ": " + (text ? text : "");
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (!state || PQstatus(conn_) == CONNECTION_BAD) {
    return Status::Unavailable(reason::kStorageUnavailable, std::move(message));
  }
  return PgError(state, std::move(message));
}

PgStatement::PgStatement(PgDatabase& db, std::string_view sql) : db_(db) {
  params_.resize(static_cast<size_t>(TranslateParameters(sql, &sql_)));
}

PgStatement::~PgStatement() { PQclear(result_); }

PgStatement::Param& PgStatement::At(int index) {
  if (index < 1) index = 1;
  if (static_cast<size_t>(index) > params_.size()) params_.resize(static_cast<size_t>(index));
  return params_[static_cast<size_t>(index - 1)];
}

Statement& PgStatement::Bind(int index, int64_t value) {
  At(index) = IntParam(value);
  return *this;
}

Statement& PgStatement::Bind(int index, std::string_view text) {
  At(index) = TextParam(text, &status_);
  return *this;
}

Statement& PgStatement::BindBlob(int index, std::string_view bytes) {
  At(index) = BlobParam(bytes);
  return *this;
}

Statement& PgStatement::BindNull(int index) {
  At(index) = {0, std::string(), true, false};
  return *this;
}

Status PgStatement::EnsurePrepared(bool send) {
  if (prepared_in_ == db_.generation_) return Status::Ok();
  // A fresh name each time: after a failed pipeline the old one may or may not exist.
  name_ = "oms_" + std::to_string(++db_.next_name_);
  std::vector<unsigned> types;
  types.reserve(params_.size());
  for (const Param& p : params_) types.push_back(p.type);
  if (send) {
    if (!PQsendPrepare(db_.conn_, name_.c_str(), sql_.c_str(), static_cast<int>(types.size()),
                       types.data())) {
      return db_.Error(nullptr, "prepare " + sql_);
    }
    db_.pending_.push_back("prepare " + sql_);
  } else {
    PGresult* r = PQprepare(db_.conn_, name_.c_str(), sql_.c_str(), static_cast<int>(types.size()),
                            types.data());
    Status s =
        PQresultStatus(r) == PGRES_COMMAND_OK ? Status::Ok() : db_.Error(r, "prepare " + sql_);
    PQclear(r);
    if (!s.ok()) return s;
  }
  prepared_in_ = db_.generation_;
  return Status::Ok();
}

Status PgStatement::Execute(bool queue) {
  if (!status_.ok()) return status_;
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const Param& p : params_) {
    values.push_back(p.null ? nullptr : p.value.c_str());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.binary ? 1 : 0);
  }
  const int n = static_cast<int>(params_.size());
  if (queue) {
    if (!db_.pipelined_) {
      if (!PQenterPipelineMode(db_.conn_)) return db_.Error(nullptr, "pipeline");
      db_.pipelined_ = true;
    }
    OMS_RETURN_IF_ERROR(EnsurePrepared(/*send=*/true));
    if (!PQsendQueryPrepared(db_.conn_, name_.c_str(), n, values.data(), lengths.data(),
                             formats.data(), 0)) {
      return db_.Error(nullptr, sql_);
    }
    db_.pending_.push_back(sql_);
    return Status::Ok();
  }
  OMS_RETURN_IF_ERROR(EnsurePrepared(/*send=*/false));
  PQclear(result_);
  result_ =
      PQexecPrepared(db_.conn_, name_.c_str(), n, values.data(), lengths.data(), formats.data(), 0);
  ExecStatusType st = PQresultStatus(result_);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Status s = db_.Error(result_, sql_);
    PQclear(result_);
    result_ = nullptr;
    // A statement that no longer exists on the server (a pooler or a DISCARD ALL dropped
    // it): prepare again next time.
    if (s.message().find("does not exist") != std::string::npos) prepared_in_ = 0;
    return s;
  }
  const char* tuples = PQcmdTuples(result_);
  db_.changes_ = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
  return Status::Ok();
}

bool PgStatement::Step() {
  if (!executed_) {
    executed_ = true;
    row_ = -1;
    if (db_.pipelined_) {
      // Rows are wanted now: everything queued before runs first, and its error is ours.
      Status drained = db_.Drain();
      if (!drained.ok()) {
        status_ = drained;
        return false;
      }
    }
    Status s = Execute(/*queue=*/false);
    if (!s.ok()) {
      status_ = s;
      return false;
    }
  }
  if (!result_) return false;
  ++row_;
  return row_ < PQntuples(result_);
}

Status PgStatement::Run() {
  Status s = status_;
  if (s.ok()) {
    if (db_.deferred_ > 0) {
      s = Execute(/*queue=*/true);
    } else {
      if (db_.pipelined_) s = db_.Drain();
      if (s.ok()) s = Execute(/*queue=*/false);
    }
  }
  Reset();
  return s;
}

void PgStatement::Reset() {
  PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  executed_ = false;
  for (Param& p : params_) p = Param{};
  status_ = Status::Ok();
}

int64_t PgStatement::Int(int column) const {
  if (!result_ || row_ < 0 || PQgetisnull(result_, row_, column)) return 0;
  const char* v = PQgetvalue(result_, row_, column);
  if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean
  if (v[0] == 'f' && v[1] == '\0') return 0;
  return std::strtoll(v, nullptr, 10);
}

std::string PgStatement::Text(int column) const {
  if (!result_ || row_ < 0 || PQgetisnull(result_, row_, column)) return std::string();
  const char* v = PQgetvalue(result_, row_, column);
  int length = PQgetlength(result_, row_, column);
  if (PQftype(result_, column) == kByteaOid) return DecodeBytea(v, length);
  return std::string(v, static_cast<size_t>(length));
}

bool PgStatement::IsNull(int column) const {
  return !result_ || row_ < 0 || PQgetisnull(result_, row_, column);
}

Result<std::unique_ptr<PgDatabase>> PgDatabase::Open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Status::Unavailable(reason::kStorageUnavailable,
                               "cannot connect to PostgreSQL: " + message);
  }
  std::unique_ptr<PgDatabase> db(new PgDatabase(conn));
  db->conninfo_ = conninfo;
  OMS_RETURN_IF_ERROR(db->Setup());
  return db;
}

std::string RedactConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (!options) {
    PQfreemem(error);
    return "(unparsable conninfo)";
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    if (std::strcmp(o->keyword, "password") == 0) continue;
    out += (out.empty() ? "" : " ") + std::string(o->keyword) + "=" + o->val;
  }
  PQconninfoFree(options);
  return out;
}

ConnectionFactory PgConnections(std::string conninfo) {
  return [conninfo = std::move(conninfo)]() -> Result<std::unique_ptr<Database>> {
    auto db = PgDatabase::Open(conninfo);
    if (!db.ok()) return db.status();
    return std::unique_ptr<Database>(std::move(db).value());
  };
}

Status PgDatabase::Setup() {
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  return Exec(
      "SET client_min_messages = warning; SET bytea_output = hex; "
      "SET standard_conforming_strings = on; SET TIME ZONE 'UTC'" +
      session_setup_);
}

Status PgDatabase::AddSessionSetup(std::string sql) {
  OMS_RETURN_IF_ERROR(Exec(sql));
  session_setup_ += "; " + sql;
  return Status::Ok();
}

std::string PgTextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : values[i]) {
      if (c == '\\' || c == '"') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

PgDatabase::~PgDatabase() {
  cache_.clear();
  PQfinish(conn_);
}

bool PgDatabase::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

int PgDatabase::backend_pid() const { return PQbackendPID(conn_); }

Status PgDatabase::Reconnect() {
  if (pipelined_) {
    (void)PQexitPipelineMode(conn_);
    pipelined_ = false;
  }
  pending_.clear();
  deferred_ = 0;
  DiscardRows();
  PQreset(conn_);
  ++generation_;  // every prepared statement is gone with the old session
  if (PQstatus(conn_) != CONNECTION_OK) return Error(nullptr, "reconnect");
  return Setup();
}

Status PgDatabase::Exec(std::string_view sql) {
  if (pipelined_) OMS_RETURN_IF_ERROR(Drain());
  std::string owned(sql);
  PGresult* r = PQexec(conn_, owned.c_str());
  ExecStatusType st = PQresultStatus(r);
  Status s = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? Status::Ok() : Error(r, owned);
  PQclear(r);
  return s;
}

Statement& PgDatabase::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<PgStatement>(*this, sql)).first;
  } else {
    it->second->Reset();
  }
  return *it->second;
}

PgRows& PgDatabase::Rows(const char* insert_sql) {
  for (auto& [sql, rows] : rows_) {
    if (sql == insert_sql) {
      rows->Reset();
      return *rows;
    }
  }
  rows_.emplace_back(insert_sql, std::make_unique<PgRows>(insert_sql));
  return *rows_.back().second;
}

Status PgDatabase::SendRows() {
  Status first = Status::Ok();
  for (auto& [sql, rows] : rows_) {
    if (rows->empty()) continue;
    for (auto& [text, params] : rows->Statements()) {
      if (!pipelined_) {
        if (!PQenterPipelineMode(conn_)) return Error(nullptr, "pipeline");
        pipelined_ = true;
      }
      std::vector<unsigned> types;
      std::vector<const char*> values;
      std::vector<int> lengths, formats;
      for (const PgParam& p : params) {
        types.push_back(p.type);
        values.push_back(p.null ? nullptr : p.value.c_str());
        lengths.push_back(static_cast<int>(p.value.size()));
        formats.push_back(p.binary ? 1 : 0);
      }
      if (!PQsendQueryParams(conn_, text.c_str(), static_cast<int>(params.size()), types.data(),
                             values.data(), lengths.data(), formats.data(), 0)) {
        if (first.ok()) first = Error(nullptr, text);
        break;
      }
      pending_.push_back(text.substr(0, text.find(')') + 1));
    }
    rows->Clear();
  }
  return first;
}

void PgDatabase::DiscardRows() {
  for (auto& [sql, rows] : rows_) rows->Clear();
}

bool PgDatabase::autocommit() const { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

void PgDatabase::ResetAll() {
  for (auto& [sql, stmt] : cache_) stmt->Reset();
}

void PgDatabase::BeginDeferred() { ++deferred_; }

Status PgDatabase::EndDeferred() {
  if (deferred_ > 0 && --deferred_ > 0) return Status::Ok();  // the outer one waits
  return pipelined_ ? Drain() : Status::Ok();
}

Status PgDatabase::Drain() {
  Status first = Status::Ok();
  if (!PQpipelineSync(conn_)) first = Error(nullptr, "pipeline sync");
  bool synced = !first.ok();
  while (!synced) {
    PGresult* r = PQgetResult(conn_);
    if (!r) {
      // The end of one queued statement's results; a dead connection ends them all.
      if (PQstatus(conn_) == CONNECTION_BAD) {
        if (first.ok()) first = Error(nullptr, "pipeline");
        break;
      }
      continue;
    }
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_SYNC) {
      synced = true;
    } else if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR || st == PGRES_BAD_RESPONSE) {
      if (first.ok()) first = Error(r, pending_.empty() ? "pipeline" : pending_.front());
    } else if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      const char* tuples = PQcmdTuples(r);
      changes_ = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
    } else if (st == PGRES_PIPELINE_ABORTED && first.ok()) {
      first = Status::Internal("pipeline aborted: " +
                               (pending_.empty() ? std::string() : pending_.front()));
    }
    if (st != PGRES_PIPELINE_SYNC && !pending_.empty()) pending_.pop_front();
    PQclear(r);
  }
  pending_.clear();
  if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF && !PQexitPipelineMode(conn_) && first.ok()) {
    first = Error(nullptr, "pipeline exit");
  }
  pipelined_ = false;
  if (!first.ok()) {
    // Statements prepared in this pipeline may not exist: a failed or skipped prepare.
    for (auto& [sql, stmt] : cache_) stmt->prepared_in_ = 0;
    ++generation_;
  }
  return first;
}

}  // namespace oms::storage

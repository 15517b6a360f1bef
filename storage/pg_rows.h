// Bound parameters as libpq sends them, and PgRows: the rows of one INSERT gathered to go to
// PostgreSQL as one multi-row statement (storage/pg.h sends them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/status.h"
#include "storage/sql.h"

namespace oms::storage {

// One bound parameter, as libpq sends it.
struct PgParam {
  unsigned type = 0;  // an OID; 0 (NULL): the server infers it
  std::string value;
  bool null = true;
  bool binary = false;
};

inline constexpr unsigned kInt8Oid = 20;
inline constexpr unsigned kTextOid = 25;
inline constexpr unsigned kByteaOid = 17;

// A bound value as libpq sends it; a text with a NUL byte sets *error (PostgreSQL refuses it).
PgParam IntParam(int64_t value);
PgParam TextParam(std::string_view text, Status* error);
PgParam BlobParam(std::string_view bytes);

// The rows of one Insert<> or Upsert<> of storage/tables.h (no tail) gathered rather than
// run: each Run() adds the bound row, and PgDatabase::SendRows sends them all as one
// multi-row INSERT (an upsert's rows of one key: only the last). Rows only: Step() fails.
class PgRows final : public Statement {
 public:
  explicit PgRows(std::string_view insert_sql);

  // Statement (documented there).
  Statement& Bind(int index, int64_t value) override;
  Statement& Bind(int index, std::string_view text) override;
  Statement& BindBlob(int index, std::string_view bytes) override;
  Statement& BindNull(int index) override;
  bool Step() override;
  Status Run() override;
  void Reset() override;
  const Status& status() const override { return status_; }
  int64_t Int(int) const override { return 0; }
  std::string Text(int) const override { return {}; }
  bool IsNull(int) const override { return true; }

  bool empty() const { return rows_.empty(); }
  void Clear() { rows_.clear(); }
  // Multi-row INSERTs of every row added, each within libpq's 65,535 parameters: the text
  // and the parameters in order.
  std::vector<std::pair<std::string, std::vector<PgParam>>> Statements() const;

 private:
  PgParam& At(int index);

  std::string table_;
  std::vector<std::string> columns_;
  std::vector<size_t> keys_;  // an upsert's conflict columns
  std::string conflict_;      // " ON CONFLICT(…) DO UPDATE SET c = EXCLUDED.c, …", or ""
  std::vector<PgParam> row_;
  std::vector<std::vector<PgParam>> rows_;
  Status status_;
};

}  // namespace oms::storage

// PgRows: an Insert<>/Upsert<> of storage/tables.h parsed into its table, columns and
// conflict keys; rows gathered, then written out as multi-row INSERT texts.
#include "storage/pg_rows.h"

#include <algorithm>
#include <unordered_map>

namespace oms::storage {

// A bound value as libpq sends it; a text with a NUL byte sets *error (PostgreSQL refuses it).
PgParam IntParam(int64_t value) { return {kInt8Oid, std::to_string(value), false, false}; }
PgParam TextParam(std::string_view text, Status* error) {
  if (text.find('\0') != std::string_view::npos && error->ok()) {
    *error = Status::Internal("a text value holds a NUL byte, which PostgreSQL cannot store");
  }
  return {kTextOid, std::string(text), false, false};
}
PgParam BlobParam(std::string_view bytes) { return {kByteaOid, std::string(bytes), false, true}; }

PgRows::PgRows(std::string_view insert_sql) {
  // "INSERT INTO <table>(<c1>, …, <cn>) VALUES(…)", as storage/tables.h writes it.
  constexpr std::string_view kInto = "INSERT INTO ";
  size_t open = insert_sql.find('(');
  size_t close = insert_sql.find(')', open);
  if (insert_sql.substr(0, kInto.size()) != kInto || open == std::string_view::npos ||
      close == std::string_view::npos) {
    status_ = Status::Internal("not an INSERT of storage/tables.h: " + std::string(insert_sql));
    return;
  }
  table_ = std::string(insert_sql.substr(kInto.size(), open - kInto.size()));
  std::string_view list = insert_sql.substr(open + 1, close - open - 1);
  for (size_t at = 0; at <= list.size();) {
    size_t comma = std::min(list.find(',', at), list.size());
    std::string_view name = list.substr(at, comma - at);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    columns_.emplace_back(name);
    at = comma + 1;
  }
  row_.resize(columns_.size());
  // An upsert: "… ON CONFLICT(<keys>) DO UPDATE SET <c> = ?<n>, …" sets each <c> from the
  // row that conflicted (EXCLUDED), and one statement may not touch a key twice.
  constexpr std::string_view kConflict = " ON CONFLICT(";
  if (size_t on = insert_sql.find(kConflict); on != std::string_view::npos) {
    size_t keys_end = insert_sql.find(')', on);
    std::string_view keys =
        insert_sql.substr(on + kConflict.size(), keys_end - on - kConflict.size());
    for (size_t c = 0; c < columns_.size(); ++c) {
      for (size_t at = 0; at <= keys.size();) {
        size_t comma = std::min(keys.find(',', at), keys.size());
        std::string_view key = keys.substr(at, comma - at);
        while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
        if (key == columns_[c]) keys_.push_back(c);
        at = comma + 1;
      }
    }
    conflict_ = " ON CONFLICT(" + std::string(keys) + ") DO UPDATE SET ";
    constexpr std::string_view kSet = "DO UPDATE SET ";
    std::string_view sets = insert_sql.substr(insert_sql.find(kSet, keys_end) + kSet.size());
    bool first = true;
    for (size_t at = 0; at < sets.size();) {
      size_t comma = std::min(sets.find(',', at), sets.size());
      std::string_view set = sets.substr(at, comma - at);
      while (!set.empty() && set.front() == ' ') set.remove_prefix(1);
      std::string_view column = set.substr(0, set.find(' '));
      conflict_ += (first ? "" : ", ") + std::string(column) + " = EXCLUDED." + std::string(column);
      first = false;
      at = comma + 1;
    }
  }
}

PgParam& PgRows::At(int index) {
  static PgParam ignored;
  if (index < 1 || static_cast<size_t>(index) > row_.size()) {
    if (status_.ok()) status_ = Status::Internal("parameter out of range for " + table_);
    return ignored;
  }
  return row_[static_cast<size_t>(index - 1)];
}

Statement& PgRows::Bind(int index, int64_t value) {
  At(index) = IntParam(value);
  return *this;
}

Statement& PgRows::Bind(int index, std::string_view text) {
  At(index) = TextParam(text, &status_);
  return *this;
}

Statement& PgRows::BindBlob(int index, std::string_view bytes) {
  At(index) = BlobParam(bytes);
  return *this;
}

Statement& PgRows::BindNull(int index) {
  At(index) = {};
  return *this;
}

bool PgRows::Step() {
  if (status_.ok()) status_ = Status::Internal("gathered rows are written, never read");
  return false;
}

Status PgRows::Run() {
  Status s = status_;
  if (s.ok()) rows_.push_back(std::move(row_));
  Reset();
  return s;
}

void PgRows::Reset() {
  row_.assign(columns_.size(), PgParam{});
  if (!columns_.empty()) status_ = Status::Ok();
}

std::vector<std::pair<std::string, std::vector<PgParam>>> PgRows::Statements() const {
  // An upsert's rows of one key: the last wins, as running them one after another would.
  std::vector<const std::vector<PgParam>*> rows;
  rows.reserve(rows_.size());
  if (keys_.empty()) {
    for (const auto& row : rows_) rows.push_back(&row);
  } else {
    std::unordered_map<std::string, size_t> last;
    for (size_t r = 0; r < rows_.size(); ++r) {
      std::string key;
      for (size_t c : keys_) key += rows_[r][c].value + '\0';
      last[key] = r;
    }
    for (size_t r = 0; r < rows_.size(); ++r) {
      std::string key;
      for (size_t c : keys_) key += rows_[r][c].value + '\0';
      if (last[key] == r) rows.push_back(&rows_[r]);
    }
  }
  std::vector<std::pair<std::string, std::vector<PgParam>>> out;
  const size_t per_statement = std::max<size_t>(1, 65535 / columns_.size());
  for (size_t first = 0; first < rows.size(); first += per_statement) {
    const size_t end = std::min(rows.size(), first + per_statement);
    std::string sql = "INSERT INTO " + table_ + "(";
    for (size_t c = 0; c < columns_.size(); ++c) sql += (c ? ", " : "") + columns_[c];
    sql += ") VALUES";
    std::vector<PgParam> params;
    params.reserve((end - first) * columns_.size());
    for (size_t r = first; r < end; ++r) {
      sql += r > first ? ", (" : " (";
      for (size_t c = 0; c < columns_.size(); ++c) {
        params.push_back((*rows[r])[c]);  // a NULL's type (0) comes from its column
        sql += (c ? ", $" : "$") + std::to_string(params.size());
      }
      sql += ")";
    }
    out.emplace_back(sql + conflict_, std::move(params));
  }
  return out;
}

}  // namespace oms::storage

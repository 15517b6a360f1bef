// Verify: checks every invariant of ARCHITECTURE.md against a database snapshot and names
// the offending rows. Used by `omsd verify` (offline), the online admin check, and tests.
#pragma once

#include <string>
#include <vector>

#include "domain/status.h"
#include "storage/sql.h"

namespace oms::storage {

struct VerifyReport {
  std::vector<std::string> problems;  // empty: every invariant holds
  int64_t stock_levels = 0;
  int64_t movements = 0;
  int64_t reservations = 0;
  int64_t orders = 0;
  int64_t events = 0;
  bool ok() const { return problems.empty(); }
};

// Runs all checks inside one read transaction on `db`. At most `max_problems` are listed.
Result<VerifyReport> Verify(Database& db, int max_problems = 100);

// Copies the database at `source` (live, WAL) to `dest` with SQLite's online backup API: one
// consistent snapshot, while writers carry on. Returns the size of the copy in bytes.
Result<int64_t> Backup(const std::string& source, const std::string& dest);

}  // namespace oms::storage

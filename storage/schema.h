// The database schema and its migrations, versioned with PRAGMA user_version.
#pragma once

#include "domain/status.h"
#include "storage/sqlite.h"

namespace oms::storage {

// The schema version this build writes.
int LatestSchemaVersion();

// Applies every migration above the file's user_version, each in its own transaction.
// Refuses a file written by a newer build. Stops at version `up_to` (tests build a file of
// an older version with it); returns the version the file is at.
Result<int> Migrate(Database& db, int up_to = LatestSchemaVersion());

}  // namespace oms::storage

// The PostgreSQL schema: the same tables, columns (in storage/tables.h's order), constraints,
// indexes and triggers as storage/schema.cc at its latest SQLite version, created in one
// step. Its version lives in the one row of oms_schema; version 1 is SQLite's version 6.
#pragma once

#include "domain/status.h"
#include "storage/sql.h"

namespace oms::storage {

// The schema version this build writes on PostgreSQL.
int LatestPostgresSchemaVersion();

// Creates the schema in an empty database (in one transaction), or checks the version the
// database is at; returns that version. Refuses a database written by a newer build. Safe
// when several omsd start at once on one empty database: one creates the schema, the others
// fail on the catalog, roll back, retry, and find it.
Result<int> MigratePostgres(Database& db);

}  // namespace oms::storage

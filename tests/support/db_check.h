// Runs storage::Verify on a database file (read-only) and returns its problems.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "storage/verify.h"
#include "storage/sqlite.h"

namespace oms::testing {

inline ::testing::AssertionResult DatabaseIsConsistent(const std::string& path) {
  auto db = storage::SqliteDatabase::Open(path, {.read_only = true});
  if (!db.ok()) return ::testing::AssertionFailure() << db.status().ToString();
  auto report = storage::Verify(**db);
  if (!report.ok()) return ::testing::AssertionFailure() << report.status().ToString();
  if (report->ok()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  for (const auto& p : report->problems) failure << "\n  " << p;
  return failure;
}

}  // namespace oms::testing

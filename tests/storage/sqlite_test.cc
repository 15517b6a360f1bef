// The RAII SQLite wrappers: typed binds and columns, the statement cache, transactions seen
// through autocommit(), and how SQLite errors become Status codes.
#include <gtest/gtest.h>

#include "storage/sqlite.h"
#include "tests/support/temp_dir.h"

namespace oms::testing {
namespace {

using storage::Database;
using storage::SqliteDatabase;
using storage::Statement;

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDatabase::Open(dir_.File("t.db"), {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->Exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT, b BLOB, "
                          "n INTEGER CHECK(n >= 0))")
                    .ok());
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(SqliteTest, Statement_RoundTripsIntegersTextAndBlobsWithNulBytes) {
  const std::string blob("a\0b\xff", 4);
  ASSERT_TRUE(db_->Prepare("INSERT INTO t(k, v, b, n) VALUES(?, ?, ?, ?)")
                  .Bind(1, int64_t{INT64_MAX})
                  .Bind(2, std::string_view("h\xc3\xa9llo"))
                  .BindBlob(3, blob)
                  .Bind(4, int64_t{0})
                  .Run()
                  .ok());
  Statement& q = db_->Prepare("SELECT k, v, b FROM t");
  ASSERT_TRUE(q.Step());
  EXPECT_EQ(q.Int(0), INT64_MAX);
  EXPECT_EQ(q.Text(1), "h\xc3\xa9llo");
  EXPECT_EQ(q.Text(2), blob);
  EXPECT_FALSE(q.Step());
  EXPECT_TRUE(q.status().ok());
}

TEST_F(SqliteTest, Statement_BindNull_IsReadBackAsNull) {
  ASSERT_TRUE(
      db_->Prepare("INSERT INTO t(k, v) VALUES(?, ?)").Bind(1, int64_t{1}).BindNull(2).Run().ok());
  Statement& q = db_->Prepare("SELECT v FROM t");
  ASSERT_TRUE(q.Step());
  EXPECT_TRUE(q.IsNull(0));
  EXPECT_EQ(q.Text(0), "");
}

TEST_F(SqliteTest, Prepare_ReturnsTheCachedStatement_ResetWithoutBindings) {
  static constexpr char kSql[] = "SELECT ?";
  Statement& first = db_->Prepare(kSql);
  first.Bind(1, int64_t{7});
  ASSERT_TRUE(first.Step());
  EXPECT_EQ(first.Int(0), 7);
  Statement& again = db_->Prepare(kSql);
  EXPECT_EQ(&again, &first);
  ASSERT_TRUE(again.Step());
  EXPECT_TRUE(again.IsNull(0));  // the old binding was cleared
}

TEST_F(SqliteTest, Prepare_OfInvalidSql_YieldsAnInvalidStatementWithAnInternalStatus) {
  Statement& bad = db_->Prepare("SELEC nonsense");
  EXPECT_FALSE(static_cast<storage::SqliteStatement&>(bad).valid());
  EXPECT_FALSE(bad.Step());
  EXPECT_EQ(bad.Run().code(), Code::kInternal);
}

TEST_F(SqliteTest, ConstraintViolation_IsInternal_AndChangesNothing) {
  Status s = db_->Prepare("INSERT INTO t(k, n) VALUES(?, ?)")
                 .Bind(1, int64_t{1})
                 .Bind(2, int64_t{-1})
                 .Run();
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  Statement& q = db_->Prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(q.Step());
  EXPECT_EQ(q.Int(0), 0);
}

TEST_F(SqliteTest, Run_AfterAFailure_LeavesTheCachedStatementReusable) {
  static constexpr char kInsert[] = "INSERT INTO t(k, n) VALUES(?, ?)";
  EXPECT_FALSE(db_->Prepare(kInsert).Bind(1, int64_t{1}).Bind(2, int64_t{-1}).Run().ok());
  EXPECT_TRUE(db_->Prepare(kInsert).Bind(1, int64_t{1}).Bind(2, int64_t{1}).Run().ok());
  EXPECT_EQ(db_->changes(), 1);
}

TEST_F(SqliteTest, Autocommit_IsFalseOnlyInsideATransaction) {
  EXPECT_TRUE(db_->autocommit());
  ASSERT_TRUE(db_->Exec("BEGIN IMMEDIATE").ok());
  EXPECT_FALSE(db_->autocommit());
  ASSERT_TRUE(db_->Exec("ROLLBACK").ok());
  EXPECT_TRUE(db_->autocommit());
}

TEST_F(SqliteTest, ReadOnlyConnection_CannotWrite) {
  auto reader = SqliteDatabase::Open(dir_.File("t.db"), {.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Status s = (*reader)->Exec("INSERT INTO t(k) VALUES(1)");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.code(), Code::kOk);
}

TEST_F(SqliteTest, BusyWriter_IsUnavailable_NotInternal) {
  auto other = SqliteDatabase::Open(dir_.File("t.db"), {});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(db_->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE((*other)->Exec("PRAGMA busy_timeout = 0").ok());
  Status s = (*other)->Exec("BEGIN IMMEDIATE");
  EXPECT_EQ(s.code(), Code::kUnavailable) << s.ToString();
  EXPECT_EQ(s.reason(), "STORAGE_UNAVAILABLE");
  ASSERT_TRUE(db_->Exec("ROLLBACK").ok());
}

}  // namespace
}  // namespace oms::testing

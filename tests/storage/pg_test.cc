// The PostgreSQL adapter on a real server (the test cluster, a schema per test): parameter
// translation, binds and columns, errors as Status, the pipelined writes of one command, a
// reconnect, and the writer's lease — taken, refused, fenced, released, and taken over from
// a writer frozen inside its batch transaction.
#include <gtest/gtest.h>

#include <chrono>

#include "storage/pg.h"
#include "storage/pg_store.h"
#include "storage/tables.h"
#include "storage/verify.h"
#include "tests/storage/store_fixtures.h"
#include "tests/support/pg_cluster.h"

namespace oms::testing {
namespace {

using storage::Insert;
using storage::kLocationGroups;
using storage::kStockLevels;
using storage::PgDatabase;
using storage::PgRows;
using storage::PgStore;
using storage::Statement;
using storage::Upsert;

TEST(PgTranslateTest, NumberedAndBareParameters_BecomeDollarNumbers) {
  std::string out;
  EXPECT_EQ(storage::TranslateParameters("a = ? AND b = ?", &out), 2);
  EXPECT_EQ(out, "a = $1 AND b = $2");
  EXPECT_EQ(storage::TranslateParameters("x > ?3 AND y <= ?1 + ?2", &out), 3);
  EXPECT_EQ(out, "x > $3 AND y <= $1 + $2");
  // SQLite's rule: a bare ? is one more than the largest number so far.
  EXPECT_EQ(storage::TranslateParameters("VALUES(?2, ?)", &out), 3);
  EXPECT_EQ(out, "VALUES($2, $3)");
  // Quoted text is not a parameter.
  EXPECT_EQ(storage::TranslateParameters("s = '?' || 'it''s ?' AND t = ?", &out), 1);
  EXPECT_EQ(out, "s = '?' || 'it''s ?' AND t = $1");
}

// Gathered rows become one multi-row INSERT; an upsert's rows of one key keep only the last
// (one statement may not update a row twice) and set each column from EXCLUDED.
TEST(PgRowsTest, AnUpsertsRows_BecomeOneStatement_TheLastOfEachKeyWinning) {
  PgRows rows(Upsert<kStockLevels>());
  for (int64_t on_hand : {1, 2, 3}) {
    rows.Bind(kStockLevels.Param("sku"), std::string_view(on_hand == 2 ? "b" : "a"));
    rows.Bind(kStockLevels.Param("location_id"), std::string_view("s1"));
    for (int c = 1; c <= static_cast<int>(kStockLevels.columns.size()); ++c) {
      if (c > kStockLevels.Param("location_id")) rows.Bind(c, int64_t{0});
    }
    rows.Bind(kStockLevels.Param("on_hand"), on_hand);
    ASSERT_TRUE(rows.Run().ok());
  }
  auto statements = rows.Statements();
  ASSERT_EQ(statements.size(), 1u);
  const auto& [sql, params] = statements[0];
  EXPECT_EQ(params.size(), 2 * kStockLevels.columns.size()) << sql;  // "a" once, "b" once
  EXPECT_NE(sql.find("ON CONFLICT(sku, location_id) DO UPDATE SET on_hand = EXCLUDED.on_hand"),
            std::string::npos)
      << sql;
  // The rows in first-seen order of their last version: b (2), then a (3).
  const size_t on_hand = static_cast<size_t>(kStockLevels["on_hand"]);
  EXPECT_EQ(params[on_hand].value, "2");
  EXPECT_EQ(params[kStockLevels.columns.size() + on_hand].value, "3");
  EXPECT_FALSE(rows.Step()) << "gathered rows are never read";
}

TEST(PgRowsTest, ARowWithAnUnstorableText_IsRefusedAtRun_AndNotKept) {
  PgRows rows(Insert<kLocationGroups>());
  rows.Bind(1, std::string_view("g\0x", 3));
  rows.Bind(2, int64_t{1});
  EXPECT_EQ(rows.Run().code(), Code::kInternal);
  EXPECT_TRUE(rows.empty());
}

TEST(PgTranslateTest, RedactedConninfo_HasNoPassword) {
  std::string shown = storage::RedactConninfo("host=/tmp dbname=oms user=u password=secret");
  EXPECT_EQ(shown.find("secret"), std::string::npos) << shown;
  EXPECT_NE(shown.find("dbname=oms"), std::string::npos) << shown;
  EXPECT_EQ(storage::RedactConninfo("postgresql://u:secret@localhost/oms").find("secret"),
            std::string::npos);
}

class PgDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OMS_SKIP_UNAVAILABLE_BACKEND(PgBackend);
    conninfo_ = PgCluster::Shared()->NewSchemaConninfo();
    auto db = PgDatabase::Open(conninfo_);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->Exec("CREATE TABLE t(k BIGINT PRIMARY KEY, v TEXT COLLATE \"C\", "
                          "b BYTEA, n BIGINT CHECK (n >= 0))")
                    .ok());
  }
  Status Insert(int64_t k, const std::string& v, int64_t n) {
    return db_->Prepare("INSERT INTO t(k, v, b, n) VALUES(?, ?, ?, ?)")
        .Bind(1, k)
        .Bind(2, v)
        .BindBlob(3, v)
        .Bind(4, n)
        .Run();
  }
  std::string conninfo_;
  std::unique_ptr<PgDatabase> db_;
};

TEST_F(PgDatabaseTest, Binds_AndColumns_RoundTrip_IncludingBytesAndNull) {
  const std::string bytes("\x00\x01\xff\x7f z", 6);
  ASSERT_TRUE(db_->Prepare("INSERT INTO t(k, v, b, n) VALUES(?1, ?2, ?3, ?4)")
                  .Bind(1, int64_t{-9007199254740993})
                  .Bind(2, "héllo")
                  .BindBlob(3, bytes)
                  .BindNull(4)
                  .Run()
                  .ok());
  EXPECT_EQ(db_->changes(), 1);
  Statement& q = db_->Prepare("SELECT k, v, b, n, SUM(k) OVER () FROM t WHERE k = ?");
  q.Bind(1, int64_t{-9007199254740993});
  ASSERT_TRUE(q.Step()) << q.status().ToString();
  EXPECT_EQ(q.Int(0), -9007199254740993);
  EXPECT_EQ(q.Text(1), "héllo");
  EXPECT_EQ(q.Text(2), bytes);
  EXPECT_TRUE(q.IsNull(3));
  EXPECT_FALSE(q.IsNull(2));
  EXPECT_EQ(q.Int(4), -9007199254740993);  // numeric, as SUM of BIGINT is
  EXPECT_FALSE(q.Step());
  EXPECT_TRUE(q.status().ok());
}

TEST_F(PgDatabaseTest, ConstraintViolations_AreInternal_NotRetryable) {
  ASSERT_TRUE(Insert(1, "a", 1).ok());
  Status duplicate = Insert(1, "b", 1);
  EXPECT_EQ(duplicate.code(), Code::kInternal) << duplicate.ToString();
  Status negative = Insert(2, "b", -1);
  EXPECT_EQ(negative.code(), Code::kInternal) << negative.ToString();
  EXPECT_NE(negative.message().find("t_n_check"), std::string::npos) << negative.ToString();
  Statement& bad = db_->Prepare("SELECT nonsense FROM t");
  EXPECT_FALSE(bad.Step());
  EXPECT_EQ(bad.status().code(), Code::kInternal);
  // A NUL byte in text is refused before it reaches the server.
  EXPECT_EQ(Insert(3, std::string("a\0b", 3), 1).code(), Code::kInternal);
}

TEST_F(PgDatabaseTest, DeferredWrites_GoOutTogether_AndTheFirstErrorIsReported) {
  ASSERT_TRUE(db_->Exec("BEGIN").ok());
  db_->BeginDeferred();
  EXPECT_TRUE(Insert(1, "a", 1).ok());
  EXPECT_TRUE(Insert(2, "b", 1).ok());
  // A read among deferred writes sees them.
  Statement& count = db_->Prepare("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(count.Step()) << count.status().ToString();
  EXPECT_EQ(count.Int(0), 2);
  count.Reset();
  EXPECT_TRUE(Insert(2, "again", 1).ok());  // queued: its error comes at the end
  EXPECT_TRUE(Insert(3, "c", 1).ok());      // skipped by the server after the error
  Status ended = db_->EndDeferred();
  EXPECT_EQ(ended.code(), Code::kInternal) << ended.ToString();
  EXPECT_NE(ended.message().find("t_pkey"), std::string::npos) << ended.ToString();
  ASSERT_TRUE(db_->Exec("ROLLBACK").ok());
  // The connection is usable again, and statements prepared in the failed pipeline work.
  EXPECT_TRUE(Insert(3, "c", 1).ok());
  ASSERT_TRUE(count.Step());
  EXPECT_EQ(count.Int(0), 1);
}

TEST_F(PgDatabaseTest, LostConnection_IsUnavailable_AndReconnectPreparesAgain) {
  ASSERT_TRUE(Insert(1, "a", 1).ok());
  auto killer = PgDatabase::Open(conninfo_);
  ASSERT_TRUE(killer.ok());
  Statement& kill = (*killer)->Prepare("SELECT pg_terminate_backend(CAST(? AS INTEGER))");
  kill.Bind(1, int64_t{db_->backend_pid()});
  ASSERT_TRUE(kill.Step()) << kill.status().ToString();
  kill.Reset();
  Status lost = Insert(2, "b", 1);
  EXPECT_EQ(lost.code(), Code::kUnavailable) << lost.ToString();
  EXPECT_EQ(lost.reason(), "STORAGE_UNAVAILABLE");
  EXPECT_TRUE(db_->broken());
  ASSERT_TRUE(db_->Reconnect().ok());
  EXPECT_TRUE(Insert(2, "b", 1).ok());
  Statement& q = db_->Prepare("SELECT COUNT(*) FROM t");
  ASSERT_TRUE(q.Step());
  EXPECT_EQ(q.Int(0), 2);
}

class PgLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OMS_SKIP_UNAVAILABLE_BACKEND(PgBackend);
    conninfo_ = PgCluster::Shared()->NewSchemaConninfo();
  }
  std::unique_ptr<PgStore> OpenStore(const std::string& holder,
                                     std::chrono::milliseconds ttl = std::chrono::seconds(30),
                                     std::chrono::milliseconds wait = {}, bool renew = true) {
    auto store = PgStore::Open({.conninfo = conninfo_,
                                .holder = holder,
                                .lease_ttl = ttl,
                                .acquire_timeout = wait,
                                .renew = renew},
                               nullptr);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::string conninfo_;
};

TEST_F(PgLeaseTest, SecondWriter_IsRefused_NamingTheHolder_UntilTheFirstLetsGo) {
  std::unique_ptr<PgStore> first = OpenStore("replica-a:50051");
  ASSERT_TRUE(first);
  auto second = PgStore::Open({.conninfo = conninfo_, .holder = "replica-b:50051"}, nullptr);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("replica-a:50051"), std::string::npos)
      << second.status().ToString();
  const int64_t epoch = first->epoch();
  first.reset();  // gives the lease up
  std::unique_ptr<PgStore> taken = OpenStore("replica-b:50051");
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->epoch(), epoch + 1);
}

TEST_F(PgLeaseTest, WriterWhoseEpochWasTakenOver_CommitsNothing_NotLeader) {
  std::unique_ptr<PgStore> writer = OpenStore("replica-a");
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->Begin().ok());
  Changes c;
  c.locations.push_back(MakeLocation("s1"));
  ASSERT_TRUE(writer->Write(c, nullptr).ok());
  ASSERT_TRUE(writer->Commit().ok());
  // Another replica takes over (as after the lease lapsed): the epoch moves on.
  auto other = PgDatabase::Open(conninfo_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("UPDATE oms_lease SET epoch = epoch + 1, holder = 'replica-b'").ok());
  Status begun = writer->Begin();
  EXPECT_EQ(begun.code(), Code::kUnavailable) << begun.ToString();
  EXPECT_EQ(begun.reason(), "NOT_LEADER");
  Result<Snapshot> s = writer->Load();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->locations.size(), 1u);
}

// SIGSTOP in the middle of a batch, as the database sees it: a session idle inside its
// transaction, holding the lease row's lock. The server ends that session after the lease's
// time, so the takeover waits about that long, not forever; the frozen writer's commit fails.
TEST_F(PgLeaseTest, FrozenWriterInsideItsBatch_IsCutOff_AndTheTakeoverProceeds) {
  const auto ttl = std::chrono::milliseconds(800);
  std::unique_ptr<PgStore> frozen = OpenStore("replica-a", ttl, {}, /*renew=*/false);
  ASSERT_TRUE(frozen);
  ASSERT_TRUE(frozen->Begin().ok());
  Changes c;
  c.locations.push_back(MakeLocation("s1"));
  ASSERT_TRUE(frozen->Write(c, nullptr).ok());
  // ... and now it stops talking. Another replica waits for the lease.
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<PgStore> next = OpenStore("replica-b", ttl, std::chrono::seconds(20));
  ASSERT_TRUE(next);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  EXPECT_GT(next->epoch(), frozen->epoch());
  Status late = frozen->Commit();
  EXPECT_FALSE(late.ok());
  EXPECT_EQ(late.code(), Code::kUnavailable) << late.ToString();
  Result<Snapshot> s = next->Load();
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->locations.empty());  // one history: the frozen batch never happened
}

// An idle writer keeps its lease (it renews in the background); one that is frozen does not,
// and a waiting replica takes over once it lapsed.
TEST_F(PgLeaseTest, IdleWriter_KeepsItsLease_AFrozenOneLosesIt) {
  const auto ttl = std::chrono::milliseconds(600);
  std::unique_ptr<PgStore> idle = OpenStore("replica-a", ttl);
  ASSERT_TRUE(idle);
  auto refused = PgStore::Open(
      {.conninfo = conninfo_, .holder = "replica-b", .lease_ttl = ttl, .acquire_timeout = ttl * 4},
      nullptr);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Code::kFailedPrecondition);
  EXPECT_TRUE(idle->holds_lease());
  idle.reset();
  std::unique_ptr<PgStore> frozen = OpenStore("replica-c", ttl, {}, /*renew=*/false);
  ASSERT_TRUE(frozen);
  std::unique_ptr<PgStore> next = OpenStore("replica-d", ttl, ttl * 10);
  ASSERT_TRUE(next);
  EXPECT_EQ(frozen->Begin().reason(), "NOT_LEADER");
  EXPECT_FALSE(frozen->holds_lease());
}

TEST_F(PgLeaseTest, Verify_RunsEveryInvariantOnPostgres_AndNamesAViolation) {
  std::unique_ptr<PgStore> writer = OpenStore("replica-a");
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->Begin().ok());
  Changes c;
  c.locations.push_back(MakeLocation("s1"));
  c.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, MakeLevel(5));
  c.movements.push_back(MakeMovement(1, "a", "s1", 5, 5));
  ASSERT_TRUE(writer->Write(c, nullptr).ok());
  ASSERT_TRUE(writer->Commit().ok());
  auto db = PgDatabase::Open(conninfo_);
  ASSERT_TRUE(db.ok());
  Result<storage::VerifyReport> report = storage::Verify(**db);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->stock_levels, 1);
  EXPECT_EQ(report->movements, 1);
  ASSERT_TRUE((*db)->Exec("UPDATE stock_levels SET on_hand = 6").ok());
  report = storage::Verify(**db);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_FALSE(report->ok());
  EXPECT_NE(report->problems.front().find("on_hand 6 but movements sum to 5"), std::string::npos)
      << report->problems.front();
}

}  // namespace
}  // namespace oms::testing

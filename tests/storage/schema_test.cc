// The SQLite schema on a temp file: migrations by PRAGMA user_version, refusal of a newer
// file, the pragmas every writer connection runs with, and the CHECK constraints and
// triggers that make impossible states unstorable even by raw SQL.
#include <gtest/gtest.h>

#include <fstream>

#include "storage/schema.h"
#include "storage/sqlite.h"
#include "storage/sqlite_store.h"
#include "tests/storage/store_fixtures.h"
#include "tests/support/temp_dir.h"

namespace oms::testing {
namespace {

using storage::Database;
using storage::SqliteDatabase;
using storage::SqliteStore;

class SchemaTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.File("oms.db"); }

  std::unique_ptr<SqliteStore> OpenStore(bool synchronous_full = true) {
    auto store = SqliteStore::Open({.path = Path(), .synchronous_full = synchronous_full}, nullptr);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // A plain connection, as an operator's sqlite3 shell would have.
  std::unique_ptr<Database> OpenRaw() {
    auto db = SqliteDatabase::Open(Path(), {});
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  static int64_t QueryInt(Database& db, const char* sql) {
    storage::Statement& q = db.Prepare(sql);
    EXPECT_TRUE(q.Step()) << sql << ": " << q.status().ToString();
    int64_t v = q.Int(0);
    q.Reset();
    return v;
  }

  static std::string QueryText(Database& db, const char* sql) {
    storage::Statement& q = db.Prepare(sql);
    EXPECT_TRUE(q.Step()) << sql << ": " << q.status().ToString();
    std::string v = q.Text(0);
    q.Reset();
    return v;
  }

  static bool TableExists(Database& db, const std::string& table) {
    storage::Statement& q =
        db.Prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?");
    q.Bind(1, table);
    bool exists = q.Step() && q.Int(0) == 1;
    q.Reset();
    return exists;
  }

  // A store with location s1 and stock a@s1 = 5 (one movement), for the constraint tests.
  std::unique_ptr<SqliteStore> StoreWithStock() {
    auto store = OpenStore();
    EXPECT_TRUE(store->db()
                    .Exec("INSERT INTO locations VALUES('s1', 'one', 1, 1, 1, 1, 0);"
                          "INSERT INTO stock_levels VALUES('a', 's1', 5, 0, 0, 1, 0, 0);"
                          "INSERT INTO movements VALUES(1, 'a', 's1', 5, 5, 1, '', 'r', 'x', 0);")
                    .ok());
    return store;
  }

  TempDir dir_;
};

TEST_F(SchemaTest, Open_OfANewFile_MigratesToTheLatestUserVersion) {
  auto store = OpenStore();
  EXPECT_EQ(store->schema_version(), storage::LatestSchemaVersion());
  EXPECT_EQ(QueryInt(store->db(), "PRAGMA user_version"), storage::LatestSchemaVersion());
  for (const char* table :
       {"locations", "location_groups", "location_group_members", "stock_levels", "movements",
        "requests", "events", "reservations", "reservation_lines", "orders", "order_lines",
        "order_history", "returns", "return_lines", "return_history", "inbounds",
        "inbound_lines"}) {
    EXPECT_TRUE(TableExists(store->db(), table)) << table;
  }
}

TEST_F(SchemaTest, Migrate_OfAnUpToDateFile_ChangesNothing) {
  auto store = StoreWithStock();
  Result<int> version = storage::Migrate(store->db());
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, storage::LatestSchemaVersion());
  EXPECT_EQ(QueryInt(store->db(), "SELECT on_hand FROM stock_levels"), 5);
}

TEST_F(SchemaTest, Reopen_KeepsTheData_AndTheVersion) {
  StoreWithStock().reset();
  auto store = OpenStore();
  EXPECT_EQ(store->schema_version(), storage::LatestSchemaVersion());
  EXPECT_EQ(QueryInt(store->db(), "SELECT on_hand FROM stock_levels WHERE sku = 'a'"), 5);
  EXPECT_EQ(QueryInt(store->db(), "SELECT count(*) FROM movements"), 1);
}

TEST_F(SchemaTest, Open_RefusesAFileWrittenByANewerBuild) {
  OpenStore().reset();
  {
    auto raw = OpenRaw();
    std::string bump =
        "PRAGMA user_version = " + std::to_string(storage::LatestSchemaVersion() + 1);
    ASSERT_TRUE(raw->Exec(bump).ok());
  }
  auto store = SqliteStore::Open({.path = Path()}, nullptr);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kFailedPrecondition) << store.status().ToString();
  auto raw = OpenRaw();
  EXPECT_EQ(QueryInt(*raw, "PRAGMA user_version"), storage::LatestSchemaVersion() + 1);
}

TEST_F(SchemaTest, Migrate_FromAnOlderVersion_AppliesOnlyTheMissingMigrations) {
  {
    // A file of version 1, by version 1's own migration.
    auto raw = OpenRaw();
    Result<int> version = storage::Migrate(*raw, 1);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    EXPECT_EQ(*version, 1);
    EXPECT_FALSE(TableExists(*raw, "reservations"));
    ASSERT_TRUE(raw->Exec("INSERT INTO locations VALUES('s1', 'one', 1, 1, 1, 1, 0);"
                          "INSERT INTO stock_levels VALUES('a', 's1', 5, 0, 0, 1, 0);")
                    .ok());
  }
  auto store = OpenStore();
  EXPECT_EQ(QueryInt(store->db(), "PRAGMA user_version"), storage::LatestSchemaVersion());
  EXPECT_TRUE(TableExists(store->db(), "reservations"));
  EXPECT_TRUE(TableExists(store->db(), "order_history"));
  EXPECT_TRUE(TableExists(store->db(), "return_history"));
  EXPECT_EQ(QueryInt(store->db(), "SELECT on_hand FROM stock_levels"), 5);  // v1 data kept
}

// Version 3 stored a failure as "<code>\x1f<reason>\x1f<message>"; after the migration it
// still replays with its code, reason and message (it never had metadata).
TEST_F(SchemaTest, Migrate_KeepsAnErrorStoredByVersion3_Replayable) {
  {
    auto raw = OpenRaw();
    Result<int> version = storage::Migrate(*raw, 3);
    ASSERT_TRUE(version.ok() && *version == 3) << version.status().ToString();
    ASSERT_TRUE(raw->Exec("INSERT INTO requests VALUES('r1', 'ConfirmPickup', 1, '', "
                          "'9' || char(31) || 'PICKUP_CODE_MISMATCH' || char(31) || 'wrong' || "
                          "char(31) || 'code', 0);"
                          "INSERT INTO requests VALUES('r2', 'AdjustStock', 2, 'ok', '', 0);")
                    .ok());
  }
  auto store = OpenStore();
  ASSERT_TRUE(store->Begin().ok());
  auto failed = store->FindRequest("r1");
  auto succeeded = store->FindRequest("r2");
  store->Rollback();
  ASSERT_TRUE(failed.ok() && failed->has_value()) << failed.status().ToString();
  ASSERT_TRUE((*failed)->error.has_value());
  EXPECT_EQ((*failed)->error->code(), Code::kFailedPrecondition);
  EXPECT_EQ((*failed)->error->reason(), "PICKUP_CODE_MISMATCH");
  EXPECT_EQ((*failed)->error->message(),
            "wrong\x1f"
            "code");
  EXPECT_TRUE((*failed)->error->metadata().empty());
  ASSERT_TRUE(succeeded.ok() && succeeded->has_value());
  EXPECT_FALSE((*succeeded)->error.has_value());
  EXPECT_EQ((*succeeded)->response, "ok");
}

TEST_F(SchemaTest, Migrate_ThatFails_LeavesTheFileAtItsPreviousVersion) {
  OpenStore().reset();
  {
    // Claims version 2 while version 3's tables exist: migration 3 cannot create them.
    auto raw = OpenRaw();
    ASSERT_TRUE(raw->Exec("PRAGMA user_version = 2").ok());
  }
  auto store = SqliteStore::Open({.path = Path()}, nullptr);
  EXPECT_FALSE(store.ok());
  auto raw = OpenRaw();
  EXPECT_EQ(QueryInt(*raw, "PRAGMA user_version"), 2);
}

TEST_F(SchemaTest, Open_OfAFileThatIsNotADatabase_FailsWithAStatus) {
  {
    std::ofstream garbage(Path());
    garbage << std::string(8192, 'x');
  }
  auto store = SqliteStore::Open({.path = Path()}, nullptr);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().code(), Code::kOk);
}

TEST_F(SchemaTest, Open_InAMissingDirectory_FailsUnavailable) {
  auto store = SqliteStore::Open({.path = dir_.File("missing/oms.db")}, nullptr);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable) << store.status().ToString();
}

TEST_F(SchemaTest, WriterConnection_UsesTheWriteAheadLog) {
  auto store = OpenStore();
  EXPECT_EQ(QueryText(store->db(), "PRAGMA journal_mode"), "wal");
}

TEST_F(SchemaTest, WriterConnection_IsSynchronousFull_ByDefault) {
  auto store = OpenStore();
  EXPECT_EQ(QueryInt(store->db(), "PRAGMA synchronous"), 2);  // FULL
}

TEST_F(SchemaTest, WriterConnection_IsSynchronousNormal_WhenDurabilityIsRelaxed) {
  auto store = OpenStore(/*synchronous_full=*/false);
  EXPECT_EQ(QueryInt(store->db(), "PRAGMA synchronous"), 1);  // NORMAL
}

TEST_F(SchemaTest, WriterConnection_EnforcesForeignKeys) {
  auto store = OpenStore();
  EXPECT_EQ(QueryInt(store->db(), "PRAGMA foreign_keys"), 1);
  Status s = store->db().Exec("INSERT INTO stock_levels VALUES('a', 'nowhere', 1, 0, 0, 1, 0, 0)");
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
}

TEST_F(SchemaTest, Check_RejectsNegativeOnHand) {
  auto store = StoreWithStock();
  Status s = store->db().Exec("UPDATE stock_levels SET on_hand = -1");
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_EQ(QueryInt(store->db(), "SELECT on_hand FROM stock_levels"), 5);
}

TEST_F(SchemaTest, Check_RejectsNegativeReserved) {
  auto store = StoreWithStock();
  EXPECT_EQ(store->db().Exec("UPDATE stock_levels SET reserved = -1").code(), Code::kInternal);
}

TEST_F(SchemaTest, Check_RejectsNegativeSafetyStock) {
  auto store = StoreWithStock();
  EXPECT_EQ(store->db().Exec("UPDATE stock_levels SET safety_stock = -1").code(), Code::kInternal);
}

TEST_F(SchemaTest, Check_RejectsAStockLevelWithoutAVersion) {
  auto store = StoreWithStock();
  EXPECT_EQ(store->db().Exec("UPDATE stock_levels SET version = 0").code(), Code::kInternal);
}

TEST_F(SchemaTest, Check_RejectsAZeroDeltaMovement) {
  auto store = StoreWithStock();
  Status s =
      store->db().Exec("INSERT INTO movements VALUES(2, 'a', 's1', 0, 5, 1, '', 'r2', 'x', 0)");
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
}

TEST_F(SchemaTest, Check_RejectsAMovementLeavingNegativeOnHand) {
  auto store = StoreWithStock();
  EXPECT_EQ(store->db()
                .Exec("INSERT INTO movements VALUES(2, 'a', 's1', -6, -1, 2, '', 'r2', 'x', 0)")
                .code(),
            Code::kInternal);
}

TEST_F(SchemaTest, Check_RejectsAnUnknownMovementReason) {
  auto store = StoreWithStock();
  EXPECT_EQ(store->db()
                .Exec("INSERT INTO movements VALUES(2, 'a', 's1', 1, 6, 11, '', 'r2', 'x', 0)")
                .code(),
            Code::kInternal);
}

TEST_F(SchemaTest, Movements_CannotBeUpdated) {
  auto store = StoreWithStock();
  Status s = store->db().Exec("UPDATE movements SET delta = 6");
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_NE(s.message().find("append-only"), std::string::npos) << s.message();
  EXPECT_EQ(QueryInt(store->db(), "SELECT delta FROM movements"), 5);
}

TEST_F(SchemaTest, Movements_CannotBeDeleted) {
  auto store = StoreWithStock();
  EXPECT_EQ(store->db().Exec("DELETE FROM movements").code(), Code::kInternal);
  EXPECT_EQ(QueryInt(store->db(), "SELECT count(*) FROM movements"), 1);
}

TEST_F(SchemaTest, Reservations_InAnEndState_CannotChangeStateAgain) {
  auto store = StoreWithStock();
  ASSERT_TRUE(store->db()
                  .Exec("INSERT INTO reservations VALUES('res_1', 3, 1, '', '', 'released', 0, "
                        "0, 0, NULL)")
                  .ok());
  Status s = store->db().Exec("UPDATE reservations SET state = 2");
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_EQ(QueryInt(store->db(), "SELECT state FROM reservations"), 3);
}

TEST_F(SchemaTest, ReservationLines_MustHoldAPositiveQuantity) {
  auto store = StoreWithStock();
  ASSERT_TRUE(store->db()
                  .Exec("INSERT INTO reservations VALUES('res_1', 1, 1, '', '', '', 0, 0, 0, NULL)")
                  .ok());
  EXPECT_EQ(store->db()
                .Exec("INSERT INTO reservation_lines VALUES('res_1', 0, 'a', 's1', 0, '', 0, 0)")
                .code(),
            Code::kInternal);
}

TEST_F(SchemaTest, Locations_MustHaveAKnownKind) {
  auto store = OpenStore();
  EXPECT_EQ(store->db().Exec("INSERT INTO locations VALUES('s9', '', 3, 1, 1, 1, 0)").code(),
            Code::kInternal);
}

// A file written by version 4 (its own migrations, its own rows) opens: stock and orders
// survive, every stock level has 0 quarantined, and returns can then be stored against it.
TEST_F(SchemaTest, Open_OfAVersion4File_KeepsItsRows_AndStoresReturns) {
  {
    auto raw = OpenRaw();
    Result<int> version = storage::Migrate(*raw, 4);
    ASSERT_TRUE(version.ok()) << version.status().ToString();
    ASSERT_EQ(*version, 4);
    EXPECT_FALSE(TableExists(*raw, "returns"));
    ASSERT_TRUE(
        raw->Exec("INSERT INTO locations VALUES('s1', 'one', 1, 1, 1, 1, 0);"
                  "INSERT INTO stock_levels VALUES('a', 's1', 5, 0, 1, 3, 7);"
                  "INSERT INTO movements VALUES(1, 'a', 's1', 5, 5, 1, '', 'r', 'x', 0);"
                  "INSERT INTO reservations VALUES('res_1', 2, 2, 'ref', 'ord_1', '', 1, 4, 9);"
                  "INSERT INTO reservation_lines VALUES('res_1', 0, 'a', 's1', 2);"
                  "INSERT INTO orders VALUES('ord_1', 4, 'cust', 's1', 'res_1', 'CODE01', 60, 1,"
                  " 4, 2, 3, 0);"
                  "INSERT INTO order_lines VALUES('ord_1', 0, 'a', 2, 3);"
                  "INSERT INTO order_history VALUES('ord_1', 0, 1, 1, 'tester', '');")
            .ok());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->schema_version(), storage::LatestSchemaVersion());
  Result<Snapshot> snapshot = store->Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ(snapshot->stock.size(), 1u);
  const StockLevel& level = snapshot->stock[0].second;
  EXPECT_EQ(level.on_hand, 5);
  EXPECT_EQ(level.safety_stock, 1);
  EXPECT_EQ(level.version, 3);
  EXPECT_EQ(level.quarantined, 0);

  ASSERT_TRUE(store->Begin().ok());
  auto order = store->FindOrder(OrderId("ord_1"));
  ASSERT_TRUE(order.ok() && order->has_value()) << order.status().ToString();
  EXPECT_EQ((*order)->state, OrderState::kPickedUp);
  EXPECT_EQ((*order)->customer, CustomerId("cust"));
  ASSERT_EQ((*order)->lines.size(), 1u);
  EXPECT_EQ((*order)->lines[0], (OrderLine{Sku("a"), 2, 3, 0}));
  EXPECT_EQ((*order)->history.size(), 1u);

  Return r = MakeReturn("ret_1", "ord_1", "s1");
  r.lines = {{Sku("a"), 1, Disposition::kInspect, 1, 0, 0}};
  Changes c = ReturnsWritten({r});
  StockLevel quarantined = level;
  quarantined.quarantined = 1;
  quarantined.version = 4;
  c.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, quarantined);
  Status written = store->Write(c, nullptr);
  ASSERT_TRUE(written.ok()) << written.ToString();
  ASSERT_TRUE(store->Commit().ok());
  ASSERT_TRUE(store->Begin().ok());
  auto found = store->FindReturn(r.id);
  order = store->FindOrder(OrderId("ord_1"));
  store->Rollback();
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
  EXPECT_EQ((*found)->lines, r.lines);
  ASSERT_TRUE(order.ok() && order->has_value());
  EXPECT_EQ((*order)->lines[0].returned, 1);
  EXPECT_EQ(QueryInt(store->db(), "SELECT quarantined FROM stock_levels"), 1);
}

// A store with location s1 and stock, and return ret_1 of order o1 (no lines yet).
class ReturnSchemaTest : public SchemaTest {
 protected:
  void SetUp() override {
    store_ = StoreWithStock();
    ASSERT_TRUE(
        Exec("INSERT INTO returns VALUES('ret_1', 'o1', '', '', 's1', 1, '', '', 0, 0)").ok());
  }
  Status Exec(const std::string& sql) { return store_->db().Exec(sql); }
  // Inserts line 0 of ret_1: (quantity, disposition, quarantined, restocked, written_off).
  Status InsertLine(int quantity, int disposition, int quarantined, int restocked,
                    int written_off) {
    return Exec("INSERT INTO return_lines VALUES('ret_1', 0, 'a', " + std::to_string(quantity) +
                ", " + std::to_string(disposition) + ", " + std::to_string(quarantined) + ", " +
                std::to_string(restocked) + ", " + std::to_string(written_off) + ")");
  }
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ReturnSchemaTest, ReturnLines_WhosePartsDoNotAddUp_AreRefused) {
  EXPECT_EQ(InsertLine(2, 3, 1, 0, 0).code(), Code::kInternal);  // 1 of 2 accounted for
  EXPECT_EQ(InsertLine(2, 3, 2, 1, 0).code(), Code::kInternal);  // 3 of 2
  EXPECT_EQ(InsertLine(2, 3, -1, 3, 0).code(), Code::kInternal);
  EXPECT_EQ(InsertLine(0, 3, 0, 0, 0).code(), Code::kInternal);
  EXPECT_EQ(QueryInt(store_->db(), "SELECT count(*) FROM return_lines"), 0);
  EXPECT_TRUE(InsertLine(3, 3, 1, 1, 1).ok());
}

TEST_F(ReturnSchemaTest, ReturnLines_MustMatchTheirDisposition) {
  EXPECT_EQ(InsertLine(2, 1, 0, 1, 1).code(), Code::kInternal);  // RESTOCK not all restocked
  EXPECT_EQ(InsertLine(2, 2, 0, 1, 1).code(), Code::kInternal);  // DAMAGED not all written off
  EXPECT_EQ(InsertLine(2, 1, 1, 1, 0).code(), Code::kInternal);  // only INSPECT quarantines
  EXPECT_EQ(InsertLine(2, 4, 0, 2, 0).code(), Code::kInternal);  // no such disposition
  EXPECT_TRUE(InsertLine(2, 1, 0, 2, 0).ok());
  EXPECT_EQ(Exec("UPDATE return_lines SET restocked = 1, written_off = 1").code(), Code::kInternal);
}

TEST_F(ReturnSchemaTest, Returns_NameExactlyOneSale_AtAKnownLocation) {
  EXPECT_EQ(
      Exec("INSERT INTO returns VALUES('ret_2', 'o1', 'r1', '', 's1', 1, '', '', 0, 0)").code(),
      Code::kInternal);
  EXPECT_EQ(Exec("INSERT INTO returns VALUES('ret_2', '', '', '', 's1', 1, '', '', 0, 0)").code(),
            Code::kInternal);
  EXPECT_EQ(
      Exec("INSERT INTO returns VALUES('ret_2', '', 'r1', '', 'nowhere', 1, '', '', 0, 0)").code(),
      Code::kInternal);
  EXPECT_EQ(Exec("INSERT INTO returns VALUES('ret_2', '', 'r1', '', 's1', 3, '', '', 0, 0)").code(),
            Code::kInternal);
  EXPECT_TRUE(
      Exec("INSERT INTO returns VALUES('ret_2', '', 'r1', '', 's1', 2, '', '', 0, 0)").ok());
}

TEST_F(ReturnSchemaTest, Returns_Completed_CannotOpenAgain) {
  ASSERT_TRUE(Exec("UPDATE returns SET state = 2").ok());
  Status s = Exec("UPDATE returns SET state = 1");
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_NE(s.message().find("already completed"), std::string::npos) << s.message();
  EXPECT_EQ(QueryInt(store_->db(), "SELECT state FROM returns"), 2);
  EXPECT_TRUE(Exec("UPDATE returns SET updated_at = 5").ok());
}

TEST_F(ReturnSchemaTest, ReturnHistory_IsAppendOnly) {
  ASSERT_TRUE(Exec("INSERT INTO return_history VALUES('ret_1', 0, 1, 0, 'x', 'received')").ok());
  Status s = Exec("UPDATE return_history SET note = 'changed'");
  EXPECT_EQ(s.code(), Code::kInternal) << s.ToString();
  EXPECT_NE(s.message().find("append-only"), std::string::npos) << s.message();
  EXPECT_EQ(Exec("DELETE FROM return_history").code(), Code::kInternal);
  EXPECT_EQ(Exec("INSERT INTO return_history VALUES('ret_1', 0, 2, 1, 'x', 'twice')").code(),
            Code::kInternal);
  EXPECT_EQ(QueryText(store_->db(), "SELECT note FROM return_history"), "received");
}

TEST_F(ReturnSchemaTest, StockLevels_RefuseNegativeQuarantined) {
  EXPECT_EQ(Exec("UPDATE stock_levels SET quarantined = -1").code(), Code::kInternal);
  EXPECT_EQ(QueryInt(store_->db(), "SELECT quarantined FROM stock_levels"), 0);
}

}  // namespace
}  // namespace oms::testing

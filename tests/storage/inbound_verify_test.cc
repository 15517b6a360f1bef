// Schema version 6 and verify (omsd verify) on inbound supply and preorders: a real version 5
// file with data migrates and then stores inbounds and preorders; raw SQL cannot store a line
// promising more than remains nor change a closed inbound; a consistent database with a
// pegged preorder passes verify, and each corruption a raw SQL edit can make is reported by
// its invariant.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/schema.h"
#include "storage/sqlite.h"
#include "storage/verify.h"
#include "tests/storage/store_fixtures.h"

namespace oms::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Problems(storage::Database& db) {
  auto report = storage::Verify(db);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  return report.ok() ? report->problems : std::vector<std::string>{"Verify failed"};
}

int64_t QueryInt(storage::Database& db, const char* sql) {
  storage::Statement& q = db.Prepare(sql);
  EXPECT_TRUE(q.Step()) << sql << ": " << q.status().ToString();
  int64_t v = q.Int(0);
  q.Reset();
  return v;
}

TEST(InboundSchemaTest, Open_OfAVersion5FileWithData_MigratesIt_AndStoresPreorders) {
  TempDir dir;
  {
    auto raw = storage::SqliteDatabase::Open(dir.File("oms.db"), {});
    ASSERT_TRUE(raw.ok()) << raw.status().ToString();
    Result<int> version = storage::Migrate(**raw, 5);
    ASSERT_TRUE(version.ok() && *version == 5) << version.status().ToString();
    ASSERT_TRUE((*raw)
                    ->Exec("INSERT INTO locations VALUES('s1', 'one', 1, 1, 1, 1, 0);"
                           "INSERT INTO stock_levels VALUES('a', 's1', 5, 2, 0, 3, 7, 0);"
                           "INSERT INTO movements VALUES(1, 'a', 's1', 5, 5, 1, '', 'r', 'x', 0);"
                           "INSERT INTO reservations VALUES('res_1', 1, 1, 'ref', '', '', 1, 4,"
                           " 900);"
                           "INSERT INTO reservation_lines VALUES('res_1', 0, 'a', 's1', 2);")
                    .ok());
  }
  auto opened = storage::SqliteStore::Open({.path = dir.File("oms.db")}, nullptr);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  storage::SqliteStore& store = **opened;
  EXPECT_EQ(store.schema_version(), 6);
  Result<Snapshot> s = store.Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->active_reservations.size(), 1u);
  const Reservation& old = s->active_reservations[0];
  EXPECT_FALSE(old.promise_by.has_value());  // stored before preorders: not one
  ASSERT_EQ(old.lines.size(), 1u);
  EXPECT_EQ(old.lines[0], (ReservationLine{Sku("a"), LocationId("s1"), 2}));  // a present hold
  EXPECT_FALSE(old.lines[0].future());
  EXPECT_TRUE(s->open_inbounds.empty());
  EXPECT_THAT(Problems(store.db()), IsEmpty());

  Inbound in = MakeInbound("po-1", "s1");
  in.lines[0].promised = 3;
  Reservation pre = MakeReservation("res_2", "s1", 3);
  pre.promise_by = At(60);
  pre.lines[0].inbound = in.id;
  pre.lines[0].promised_at = in.expected_at;
  Changes c = Created({pre});
  c.inbounds = {in};
  ASSERT_TRUE(store.Begin().ok());
  Status written = store.Write(c, nullptr);
  ASSERT_TRUE(written.ok()) << written.ToString();
  ASSERT_TRUE(store.Commit().ok());
  s = store.Load();
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->open_inbounds.size(), 1u);
  EXPECT_EQ(s->open_inbounds[0], in);
  EXPECT_EQ(QueryInt(store.db(), "SELECT reserved FROM stock_levels"), 2);  // future: not counted
  EXPECT_THAT(Problems(store.db()), IsEmpty());
}

// po-1 at s1 (PARTIALLY_RECEIVED: 3 of 10 a received, 2 of the rest promised; 4 b expected),
// with its receipt in the ledger; po-2 at s1 CANCELLED. Preorder res_1 holds 1 a now, 2 a
// pegged to po-1, and 1 b at risk.
class VerifyInboundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Store& store = backend_.Open();
    Changes c;
    c.locations = {MakeLocation("s1"), MakeLocation("s2")};
    c.stock = {{{Sku("a"), LocationId("s1")}, MakeLevel(3, 1)}};
    Movement receipt = MakeMovement(1, "a", "s1", 3, 3);
    receipt.reference = "po-1";
    c.movements = {receipt};
    Inbound po1 = MakeInbound("po-1", "s1");
    po1.state = InboundState::kPartiallyReceived;
    po1.lines[0].received = 3;
    po1.lines[0].promised = 2;
    Inbound po2 = MakeInbound("po-2", "s1");
    po2.state = InboundState::kCancelled;
    c.inbounds = {po1, po2};
    Reservation r = MakeReservation("res_1", "s1", 1);
    r.promise_by = At(60);
    r.lines.push_back({Sku("a"), LocationId("s1"), 2, po1.id, po1.expected_at, false});
    r.lines.push_back({Sku("b"), LocationId("s1"), 1, InboundId(), At(40), true});
    c.reservations = {r};
    c.new_reservations = {r.id};
    ASSERT_TRUE(store.Begin().ok());
    Status written = store.Write(c, nullptr);
    ASSERT_TRUE(written.ok()) << written.ToString();
    ASSERT_TRUE(store.Commit().ok());
  }

  // Edits the database as an operator's sqlite3 shell would.
  void Corrupt(const std::string& sql) {
    Status s = backend_.store->db().Exec(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.ToString();
  }

  std::vector<std::string> Problems() { return oms::testing::Problems(backend_.store->db()); }

  SqliteBackend backend_;
};

TEST_F(VerifyInboundsTest, ADatabaseWithAPeggedPreorder_IsConsistent) {
  // reserved (1) counts the present hold only, not the 2 pegged nor the 1 at risk.
  EXPECT_THAT(Problems(), IsEmpty());
}

TEST_F(VerifyInboundsTest, AFutureHoldCountedAsPresent_IsReported) {
  Corrupt("UPDATE reservation_lines SET inbound_id = '' WHERE inbound_id = 'po-1'");
  std::vector<std::string> problems = Problems();
  EXPECT_THAT(problems, Contains("reserved equals the sum of active present reservation lines: "
                                 "a@s1: reserved 1 but active lines sum to 3"));
  EXPECT_THAT(problems,
              Contains("an open inbound line's promised equals the future holds pegged to it: "
                       "inbound po-1, a: promised 2 but active lines pegged to it sum to 0"));
}

TEST_F(VerifyInboundsTest, PromisedAboveItsPegs_IsReported) {
  Corrupt("UPDATE inbound_lines SET promised = 3 WHERE inbound_id = 'po-1' AND sku = 'a'");
  EXPECT_THAT(Problems(),
              Contains("an open inbound line's promised equals the future holds pegged to it: "
                       "inbound po-1, a: promised 3 but active lines pegged to it sum to 2"));
}

TEST_F(VerifyInboundsTest, APegOfAReleasedReservation_DoesNotCount) {
  Corrupt("UPDATE reservations SET state = 3");
  EXPECT_THAT(Problems(),
              Contains("an open inbound line's promised equals the future holds pegged to it: "
                       "inbound po-1, a: promised 2 but active lines pegged to it sum to 0"));
}

TEST_F(VerifyInboundsTest, PromisedBeyondWhatRemains_IsReported) {
  // The CHECK refuses that; the check finds it if it was bypassed.
  Corrupt(
      "PRAGMA ignore_check_constraints = ON;"
      "UPDATE inbound_lines SET expected = 4 WHERE inbound_id = 'po-1' AND sku = 'a';"
      "PRAGMA ignore_check_constraints = OFF");
  EXPECT_THAT(Problems(), Contains("an inbound line promises no more than is still to come: "
                                   "inbound po-1, a: promised 2 of 1 remaining"));
}

TEST_F(VerifyInboundsTest, AClosedInboundStillPromising_AndItsPegs_AreReported) {
  Corrupt("UPDATE inbounds SET state = 3 WHERE inbound_id = 'po-1'");
  std::vector<std::string> problems = Problems();
  EXPECT_THAT(problems, Contains("a closed inbound promises nothing: "
                                 "inbound po-1, a: RECEIVED but promised 2"));
  EXPECT_THAT(problems,
              Contains("active future holds are pegged to an open inbound line of their SKU and "
                       "location: res_1: line a@s1 pegged to inbound po-1, which is closed "
                       "(state 3)"));
}

TEST_F(VerifyInboundsTest, APegToAnUnknownInbound_IsReported) {
  Corrupt("UPDATE reservation_lines SET inbound_id = 'po-9' WHERE inbound_id = 'po-1'");
  EXPECT_THAT(Problems(),
              Contains("active future holds are pegged to an open inbound line of their SKU and "
                       "location: res_1: line a@s1 pegged to inbound po-9, which does not exist"));
}

TEST_F(VerifyInboundsTest, APegToAnInboundWithoutItsSkuOrElsewhere_IsReported) {
  Corrupt("UPDATE reservation_lines SET inbound_id = 'po-1' WHERE sku = 'b'");
  Corrupt("UPDATE inbounds SET location_id = 's2' WHERE inbound_id = 'po-1'");
  std::vector<std::string> problems = Problems();
  EXPECT_THAT(problems, Contains(HasSubstr("res_1: line a@s1 pegged to inbound po-1, which is "
                                           "at s2")));
  EXPECT_THAT(problems, Contains(HasSubstr("res_1: line b@s1 pegged to inbound po-1, which is "
                                           "at s2")));
  Corrupt("UPDATE inbounds SET location_id = 's1' WHERE inbound_id = 'po-1'");
  Corrupt("DELETE FROM inbound_lines WHERE inbound_id = 'po-1' AND sku = 'b'");
  EXPECT_THAT(Problems(), Contains(HasSubstr("res_1: line b@s1 pegged to inbound po-1, which has "
                                             "no line of its SKU")));
}

TEST_F(VerifyInboundsTest, ReceivedBeyondTheLedgersReceipts_IsReported) {
  Corrupt("UPDATE inbound_lines SET received = 4 WHERE inbound_id = 'po-1' AND sku = 'a'");
  Corrupt("UPDATE inbound_lines SET received = 1 WHERE inbound_id = 'po-1' AND sku = 'b'");
  std::vector<std::string> problems = Problems();
  EXPECT_THAT(problems, Contains("an inbound line's received units were moved into stock: "
                                 "inbound po-1, a@s1: received 4 but RECEIVED movements sum to 3"));
  EXPECT_THAT(problems, Contains("an inbound line's received units were moved into stock: "
                                 "inbound po-1, b@s1: received 1 but RECEIVED movements sum to 0"));
}

TEST_F(VerifyInboundsTest, AReceiptOfAnotherReference_DoesNotCount) {
  Corrupt(
      "DROP TRIGGER movements_append_only_update;"
      "UPDATE movements SET reference = 'po-2'");
  EXPECT_THAT(Problems(),
              Contains("an inbound line's received units were moved into stock: "
                       "inbound po-1, a@s1: received 3 but RECEIVED movements sum to 0"));
}

TEST_F(VerifyInboundsTest, AClosedInbound_CannotChange_NorItsLines) {
  storage::Database& db = backend_.store->db();
  EXPECT_EQ(db.Exec("UPDATE inbounds SET state = 1 WHERE inbound_id = 'po-2'").code(),
            Code::kInternal);
  EXPECT_EQ(db.Exec("UPDATE inbound_lines SET expected = 9 WHERE inbound_id = 'po-2'").code(),
            Code::kInternal);
  EXPECT_EQ(db.Exec("INSERT INTO inbound_lines VALUES('po-2', 2, 'c', 1, 0, 0)").code(),
            Code::kInternal);
  EXPECT_EQ(db.Exec("DELETE FROM inbound_lines WHERE inbound_id = 'po-2'").code(), Code::kInternal);
  EXPECT_EQ(db.Exec("DELETE FROM inbounds WHERE inbound_id = 'po-2'").code(), Code::kInternal);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM inbound_lines WHERE inbound_id = 'po-2'"), 2);
  // An open one may change.
  EXPECT_TRUE(db.Exec("UPDATE inbound_lines SET expected = 9 WHERE inbound_id = 'po-1' AND "
                      "sku = 'b'")
                  .ok());
}

TEST_F(VerifyInboundsTest, SchemaRefuses_BadPromises_States_AndFlags) {
  storage::Database& db = backend_.store->db();
  // 7 remain of a at po-1.
  EXPECT_EQ(db.Exec("UPDATE inbound_lines SET promised = 8 WHERE inbound_id = 'po-1' AND "
                    "sku = 'a'")
                .code(),
            Code::kInternal);
  EXPECT_EQ(db.Exec("UPDATE inbound_lines SET received = 11 WHERE inbound_id = 'po-1' AND "
                    "sku = 'a'")
                .code(),
            Code::kInternal);  // over-received: nothing left to promise
  EXPECT_EQ(db.Exec("INSERT INTO inbound_lines VALUES('po-1', 2, 'a', 1, 0, 0)").code(),
            Code::kInternal);  // one line per SKU
  EXPECT_EQ(db.Exec("UPDATE inbounds SET state = 5 WHERE inbound_id = 'po-1'").code(),
            Code::kInternal);
  EXPECT_EQ(db.Exec("UPDATE inbounds SET overdue = 2 WHERE inbound_id = 'po-1'").code(),
            Code::kInternal);
  EXPECT_EQ(db.Exec("UPDATE reservation_lines SET at_risk = 2").code(), Code::kInternal);
  EXPECT_EQ(QueryInt(db,
                     "SELECT promised FROM inbound_lines WHERE inbound_id = 'po-1' AND "
                     "sku = 'a'"),
            2);
  EXPECT_THAT(Problems(), IsEmpty());
}

}  // namespace
}  // namespace oms::testing

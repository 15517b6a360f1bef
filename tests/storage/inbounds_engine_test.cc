// Inbound supply and preorders through the real engine onto the SQLite store: what the
// domain's inbound commands write (inbound rows and only their changed lines, future holds on
// reservation lines, promise_by) is stored, survives a restart, reads back through the
// Reader, and leaves a database that verify finds consistent at every step.
#include <gtest/gtest.h>

#include "storage/reader.h"
#include "tests/domain/engine_harness.h"
#include "tests/support/db_check.h"

namespace oms::testing {
namespace {

using std::chrono::hours;

class InboundsEngineTest : public ::testing::Test, public EngineHarness<SqliteStoreFactory> {
 protected:
  InboundsEngineTest() : reader_(factory_.dir.File("oms.db")) {}

  void SetUp() override {
    AddLocation("s1");
    Receive("a", "s1", 2);
  }

  std::string Path() { return factory_.dir.File("oms.db"); }

  std::string Ok(Command command) {
    Completion c = Do(std::move(command));
    EXPECT_TRUE(c.status.ok()) << c.status.ToString();
    return c.response;
  }

  // po-1: 10 a and 3 b at s1, due in a day.
  void ExpectPo1() {
    Ok(ExpectInbound{InboundId("po-1"),
                     LocationId("s1"),
                     clock_.Now() + hours(24),
                     {{Sku("a"), 10}, {Sku("b"), 3}}});
  }

  // A preorder of `quantity` a at s1, promised within two days.
  ReservationId Preorder(int64_t quantity) {
    CreateReservation c;
    c.lines = {{Sku("a"), LocationId("s1"), quantity}};
    c.promise_by = clock_.Now() + hours(48);
    std::string reply = Ok(c);
    return ReservationId(reply.substr(std::string("reservation ").size()));
  }

  Inbound Stored(const std::string& id) {
    auto got = reader_.GetInbound(InboundId(id));
    EXPECT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
    return got.ok() && got->has_value() ? **got : Inbound{};
  }

  Reservation StoredReservation(const ReservationId& id) {
    auto got = reader_.GetReservation(id);
    EXPECT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
    return got.ok() && got->has_value() ? **got : Reservation{};
  }

  storage::Reader reader_;
};

TEST_F(InboundsEngineTest, APreorderPeggedToAnInbound_IsServedByItsReceipt) {
  ExpectPo1();
  ReservationId id = Preorder(5);  // 2 on hand now, 3 against po-1
  Reservation r = StoredReservation(id);
  ASSERT_TRUE(r.promise_by.has_value());
  EXPECT_TRUE(r.HasFutureLines());
  int64_t pegged = 0;
  for (const auto& l : r.lines) {
    if (l.inbound == InboundId("po-1")) pegged += l.quantity;
  }
  EXPECT_EQ(pegged, 3);
  EXPECT_EQ(Stored("po-1").lines[0].promised, 3);
  EXPECT_EQ(Level("a", "s1").reserved, 2);
  EXPECT_TRUE(DatabaseIsConsistent(Path()));

  // A restart loads the open inbound and the future holds as they were.
  Reopen();
  Ok(ReceiveInbound{InboundId("po-1"), {{Sku("a"), 4}}});
  Inbound po = Stored("po-1");
  EXPECT_EQ(po.state, InboundState::kPartiallyReceived);
  EXPECT_EQ(po.lines[0], (InboundLine{Sku("a"), 10, 4, 0}));
  EXPECT_EQ(po.lines[1], (InboundLine{Sku("b"), 3, 0, 0}));
  r = StoredReservation(id);
  EXPECT_FALSE(r.HasFutureLines());
  EXPECT_EQ(Level("a", "s1").reserved, 5);
  EXPECT_TRUE(DatabaseIsConsistent(Path()));

  // The rest arrives, with an unexpected SKU: RECEIVED, and closed for good.
  Ok(ReceiveInbound{InboundId("po-1"), {{Sku("a"), 6}, {Sku("b"), 3}, {Sku("c"), 1}}});
  po = Stored("po-1");
  EXPECT_EQ(po.state, InboundState::kReceived);
  ASSERT_EQ(po.lines.size(), 3u);
  EXPECT_EQ(po.lines[2], (InboundLine{Sku("c"), 0, 1, 0}));
  EXPECT_TRUE(DatabaseIsConsistent(Path()));
  Reopen();
  EXPECT_EQ(Do(CancelInbound{InboundId("po-1"), "late"}).status.reason(),
            reason::kInvalidInboundState);
  EXPECT_EQ(Stored("po-1").state, InboundState::kReceived);
}

TEST_F(InboundsEngineTest, ACancelledInbound_LeavesItsPreordersAtRisk) {
  ExpectPo1();
  ReservationId id = Preorder(4);
  Ok(CancelInbound{InboundId("po-1"), "supplier gone"});
  Inbound po = Stored("po-1");
  EXPECT_EQ(po.state, InboundState::kCancelled);
  EXPECT_EQ(po.end_reason, "supplier gone");
  EXPECT_EQ(po.lines[0].promised, 0);
  Reservation r = StoredReservation(id);
  EXPECT_TRUE(r.AtRisk());
  auto risky = reader_.ListReservations(ReservationState::kActive, FromMicros(0), "", 10, true);
  ASSERT_TRUE(risky.ok()) << risky.status().ToString();
  ASSERT_EQ(risky->size(), 1u);
  EXPECT_EQ((*risky)[0].id, id);
  EXPECT_TRUE(DatabaseIsConsistent(Path()));

  Reopen();
  auto listed = reader_.ListInbound({.location_id = "s1", .sku = "b"}, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], po);
  Ok(ReleaseReservation{id, "gave up"});
  EXPECT_TRUE(DatabaseIsConsistent(Path()));
}

}  // namespace
}  // namespace oms::testing

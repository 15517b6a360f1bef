// Verify (omsd verify) on returns: a consistent database with returns of an order and of a
// reservation passes; each corruption a raw SQL edit can make is reported by its invariant.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/verify.h"
#include "tests/storage/store_fixtures.h"

namespace oms::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Order ord_1 picked up (3 of sku a) and POS reservation res_2 committed (2 of sku b), both
// at s1; ret_1 (OPEN) brought 1 a of the order back to s2 for inspection, ret_2 (COMPLETED)
// restocked 2 b of the reservation at s1.
class VerifyReturnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = &backend_.Open();
    Changes c;
    c.locations = {MakeLocation("s1"), MakeLocation("s2")};
    StockLevel a = MakeLevel(5);
    StockLevel a_quarantined = MakeLevel(0);
    a_quarantined.quarantined = 1;
    StockLevel b = MakeLevel(4);
    c.stock = {{{Sku("a"), LocationId("s1")}, a},
               {{Sku("a"), LocationId("s2")}, a_quarantined},
               {{Sku("b"), LocationId("s1")}, b}};
    c.movements = {MakeMovement(1, "a", "s1", 5, 5), MakeMovement(2, "b", "s1", 2, 2),
                   MakeMovement(3, "b", "s1", 2, 4)};

    Reservation held = MakeReservation("res_1", "s1", 3);
    held.state = ReservationState::kCommitted;
    held.order_id = OrderId("ord_1");
    Reservation pos = MakeReservation("res_2", "s1", 2);
    pos.lines[0].sku = Sku("b");
    pos.state = ReservationState::kCommitted;
    c.reservations = {held, pos};
    c.new_reservations = {held.id, pos.id};

    Order o = MakeOrder("ord_1", "s1", "res_1");
    o.lines = {{Sku("a"), 3, 3}};
    o.state = OrderState::kPickedUp;
    o.pickup_deadline = At(50);
    o.history = {{OrderState::kPlaced, At(1), "t", ""},
                 {OrderState::kPicking, At(2), "t", ""},
                 {OrderState::kReadyForPickup, At(3), "t", ""},
                 {OrderState::kPickedUp, At(4), "t", ""}};
    c.orders = {o};
    c.relined_orders = {o.id};

    Return inspected = MakeReturn("ret_1", "ord_1", "s2", At(5));
    inspected.lines = {{Sku("a"), 1, Disposition::kInspect, 1, 0, 0}};
    Return restocked = MakeReturn("ret_2", "", "s1", At(6));
    restocked.reservation_id = ReservationId("res_2");
    restocked.lines = {{Sku("b"), 2, Disposition::kRestock, 0, 2, 0}};
    restocked.state = ReturnState::kCompleted;
    restocked.history.push_back({ReturnState::kCompleted, At(6), "t", "restocked 2 of b"});
    c.returns = {inspected, restocked};

    ASSERT_TRUE(store_->Begin().ok());
    Status written = store_->Write(c, nullptr);
    ASSERT_TRUE(written.ok()) << written.ToString();
    ASSERT_TRUE(store_->Commit().ok());
  }

  // Edits the database as an operator's sqlite3 shell would.
  void Corrupt(const std::string& sql) {
    Status s = backend_.store->db().Exec(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.ToString();
  }

  std::vector<std::string> Problems() {
    auto report = storage::Verify(backend_.store->db());
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? report->problems : std::vector<std::string>{"Verify failed"};
  }

  SqliteBackend backend_;
  Store* store_ = nullptr;
};

TEST_F(VerifyReturnsTest, ADatabaseWithReturns_IsConsistent) { EXPECT_THAT(Problems(), IsEmpty()); }

TEST_F(VerifyReturnsTest, QuarantinedBelowItsReturnLines_IsReported) {
  Corrupt("UPDATE stock_levels SET quarantined = 0 WHERE sku = 'a' AND location_id = 's2'");
  EXPECT_THAT(Problems(), Contains("quarantined equals the sum of quarantined return lines: "
                                   "a@s2: quarantined 0 but return lines hold 1"));
}

TEST_F(VerifyReturnsTest, QuarantinedWithoutAReturnLine_IsReported) {
  Corrupt("UPDATE stock_levels SET quarantined = 2 WHERE sku = 'b' AND location_id = 's1'");
  EXPECT_THAT(Problems(), Contains("quarantined equals the sum of quarantined return lines: "
                                   "b@s1: quarantined 2 but return lines hold 0"));
}

TEST_F(VerifyReturnsTest, AQuarantinedLineWithoutAStockLevel_IsReported) {
  Corrupt("DELETE FROM stock_levels WHERE sku = 'a' AND location_id = 's2'");
  EXPECT_THAT(Problems(), Contains("quarantined equals the sum of quarantined return lines: "
                                   "a@s2: quarantined 0 (no stock level) but return lines hold 1"));
}

TEST_F(VerifyReturnsTest, MoreReturnedThanTheOrderSold_IsReported) {
  Corrupt("UPDATE order_lines SET quantity = 0 WHERE order_id = 'ord_1'");
  EXPECT_THAT(Problems(), Contains("units returned do not exceed units sold: "
                                   "order ord_1, a: returned 1 but sold 0"));
}

TEST_F(VerifyReturnsTest, MoreReturnedThanTheReservationSold_IsReported) {
  Corrupt("UPDATE reservation_lines SET quantity = 1 WHERE reservation_id = 'res_2'");
  EXPECT_THAT(Problems(), Contains("units returned do not exceed units sold: "
                                   "reservation res_2, b: returned 2 but sold 1"));
}

TEST_F(VerifyReturnsTest, AReturnOfAnUnsoldOrUnknownSale_IsReported) {
  Corrupt("UPDATE returns SET order_id = 'ord_9' WHERE return_id = 'ret_1'");
  std::vector<std::string> problems = Problems();
  EXPECT_THAT(problems, Contains("every return's sale exists and was sold: "
                                 "ret_1: order ord_9 does not exist"));
  EXPECT_THAT(problems, Contains(HasSubstr("order ord_9, a: returned 1 but sold 0")));
}

TEST_F(VerifyReturnsTest, AReturnOfAReservationNotCommitted_IsReported) {
  // The trigger keeps a COMMITTED reservation committed; the check finds it if it is gone.
  Corrupt(
      "DROP TRIGGER reservations_end_is_final;"
      "UPDATE reservations SET state = 3 WHERE reservation_id = 'res_2'");
  EXPECT_THAT(Problems(), Contains("every return's sale exists and was sold: "
                                   "ret_2: reservation res_2 is in state 3, not COMMITTED"));
}

TEST_F(VerifyReturnsTest, ACompletedReturnHoldingQuarantinedUnits_IsReported) {
  Corrupt("UPDATE returns SET state = 2 WHERE return_id = 'ret_1'");
  EXPECT_THAT(Problems(), Contains("a return is OPEN exactly while it holds quarantined units: "
                                   "ret_1: COMPLETED with 1 units quarantined"));
}

TEST_F(VerifyReturnsTest, AnOpenReturnWithNothingQuarantined_IsReported) {
  // The trigger refuses that; the check finds it if the trigger is gone.
  Corrupt(
      "DROP TRIGGER returns_completed_is_final;"
      "UPDATE returns SET state = 1 WHERE return_id = 'ret_2'");
  EXPECT_THAT(Problems(), Contains("a return is OPEN exactly while it holds quarantined units: "
                                   "ret_2: OPEN with 0 units quarantined"));
}

}  // namespace
}  // namespace oms::testing

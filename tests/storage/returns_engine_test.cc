// Returns through the real engine onto the SQLite store: what the domain's return commands
// write (rows, child-row bookkeeping, quarantined stock) is stored, survives a restart, reads
// back through the Reader, and leaves a database that verify finds consistent.
#include <gtest/gtest.h>

#include "storage/reader.h"
#include "tests/domain/engine_harness.h"
#include "tests/support/db_check.h"

namespace oms::testing {
namespace {

class ReturnsEngineTest : public ::testing::Test, public EngineHarness<SqliteStoreFactory> {
 protected:
  ReturnsEngineTest() : reader_(factory_.dir.File("oms.db")) {}

  void SetUp() override {
    AddLocation("s1");
    AddLocation("s2");
    Receive("a", "s1", 5);
    Receive("b", "s1", 5);
  }

  std::string Path() { return factory_.dir.File("oms.db"); }

  // Runs `command`, which must succeed; returns its encoded response.
  std::string Ok(Command command) {
    Completion c = Do(std::move(command));
    EXPECT_TRUE(c.status.ok()) << c.status.ToString();
    return c.response;
  }

  // The newest return, as the Reader lists it.
  Return Newest() {
    auto listed = reader_.ListReturns({}, 1);
    EXPECT_TRUE(listed.ok() && listed->size() == 1u) << listed.status().ToString();
    return listed.ok() && !listed->empty() ? (*listed)[0] : Return{};
  }

  // An order of 3 a and 2 b at s1, picked up.
  OrderId PickedUpOrder() {
    std::string placed = Ok(PlaceOrder{
        CustomerId("cust-1"), LocationId("s1"), {{Sku("a"), {}, 3}, {Sku("b"), {}, 2}}, {}, {}});
    OrderId id(placed.substr(std::string("order ").size()));
    Ok(StartPicking{id});
    Ok(MarkReady{id, {}});
    Ok(ConfirmPickup{id, "", true});
    return id;
  }

  storage::Reader reader_;
};

TEST_F(ReturnsEngineTest, AReturnOfAnOrder_IsStoredWhole_AndResolvedConsistently) {
  OrderId order = PickedUpOrder();
  CreateReturn create;
  create.order_id = order;
  create.location = LocationId("s2");
  create.lines = {{Sku("a"), 1, Disposition::kRestock},
                  {Sku("a"), 2, Disposition::kInspect},
                  {Sku("b"), 1, Disposition::kDamaged}};
  create.reason = "wrong size";
  Ok(create);
  Return r = Newest();
  EXPECT_EQ(r.order_id, order);
  EXPECT_EQ(r.state, ReturnState::kOpen);
  EXPECT_EQ(r.location, LocationId("s2"));
  EXPECT_EQ(r.Quarantined(), 2);
  EXPECT_EQ(r.history.size(), 1u);
  EXPECT_EQ(Level("a", "s2").quarantined, 2);
  EXPECT_TRUE(DatabaseIsConsistent(Path()));

  auto got = reader_.GetOrder(order);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  ASSERT_EQ((*got)->lines.size(), 2u);
  EXPECT_EQ((*got)->lines[0].returned, 3);
  EXPECT_EQ((*got)->lines[1].returned, 1);

  // A restart keeps the quarantined units; resolving them completes the return.
  Reopen();
  EXPECT_EQ(Level("a", "s2").quarantined, 2);
  Ok(ResolveReturn{r.id, {{Sku("a"), 1, Disposition::kRestock}}});
  Ok(ResolveReturn{r.id, {{Sku("a"), 1, Disposition::kDamaged}}});
  auto resolved = reader_.GetReturn(r.id);
  ASSERT_TRUE(resolved.ok() && resolved->has_value()) << resolved.status().ToString();
  EXPECT_EQ((*resolved)->state, ReturnState::kCompleted);
  EXPECT_EQ((*resolved)->Quarantined(), 0);
  EXPECT_EQ((*resolved)->history.size(), 3u);
  EXPECT_EQ((*resolved)->lines.size(), r.lines.size());
  EXPECT_EQ(Level("a", "s2").quarantined, 0);
  EXPECT_TRUE(DatabaseIsConsistent(Path()));

  // Everything sold of b but one is still returnable; more is refused, nothing stored.
  CreateReturn too_many;
  too_many.order_id = order;
  too_many.location = LocationId("s1");
  too_many.lines = {{Sku("b"), 2, Disposition::kRestock}};
  EXPECT_EQ(Do(too_many).status.reason(), "RETURN_QUANTITY_EXCEEDED");
  EXPECT_EQ(Newest().id, r.id);
}

TEST_F(ReturnsEngineTest, AReturnOfACommittedReservation_CountsAgainstIt) {
  CreateReservation pos;
  pos.channel = Channel::kPos;
  pos.lines = {{Sku("b"), LocationId("s1"), 2}};
  std::string reserved = Ok(pos);
  ReservationId id(reserved.substr(std::string("reservation ").size()));
  Ok(CommitReservation{id, {}});

  CreateReturn create;
  create.reservation_id = id;
  create.location = LocationId("s1");
  create.customer = CustomerId("walk-in");
  create.lines = {{Sku("b"), 2, Disposition::kRestock}};
  Ok(create);
  Return r = Newest();
  EXPECT_EQ(r.reservation_id, id);
  EXPECT_EQ(r.state, ReturnState::kCompleted);
  EXPECT_EQ(Level("b", "s1").on_hand, 5);
  EXPECT_TRUE(DatabaseIsConsistent(Path()));
  auto by_customer = reader_.ListReturns({.customer_id = "walk-in"}, 10);
  ASSERT_TRUE(by_customer.ok()) << by_customer.status().ToString();
  ASSERT_EQ(by_customer->size(), 1u);
  EXPECT_EQ((*by_customer)[0].id, r.id);

  create.lines = {{Sku("b"), 1, Disposition::kRestock}};
  EXPECT_EQ(Do(create).status.reason(), "RETURN_QUANTITY_EXCEEDED");
}

}  // namespace
}  // namespace oms::testing

// Returns through the engine, on BOTH the in-memory fake store and the real SQLite adapter:
// the receiving location's stock changes, quarantine stays out of ATP, and a sale's returns
// never add up to more than it sold.
#include <gtest/gtest.h>

#include "tests/domain/engine_harness.h"

namespace oms::testing {
namespace {

template <typename Factory>
class ReturnEngineTest : public ::testing::Test, public EngineHarness<Factory> {
 protected:
  void SetUp() override {
    OMS_SKIP_UNAVAILABLE_BACKEND(Factory);
    this->AddLocation("s1");
    this->AddLocation("s2");
    this->Receive("a", "s1", 10);
    this->Receive("b", "s1", 10);
  }

  // A picked-up order at s1 of `a` x qa and `b` x qb; returns its id.
  std::string SoldOrder(int64_t qa, int64_t qb = 0) {
    PlaceOrder place;
    place.customer = CustomerId("cust-1");
    place.pickup_location = LocationId("s1");
    place.lines = {{Sku("a"), {}, qa}};
    if (qb > 0) place.lines.push_back({Sku("b"), {}, qb});
    Completion placed = this->Do(place);
    EXPECT_TRUE(placed.status.ok()) << placed.status.ToString();
    OrderId id(placed.response.substr(std::string("order ").size()));
    EXPECT_TRUE(this->Do(StartPicking{id}).status.ok());
    EXPECT_TRUE(this->Do(MarkReady{id, {}}).status.ok());
    Completion picked = this->Do(ConfirmPickup{id, "", /*staff_override=*/true});
    EXPECT_TRUE(picked.status.ok()) << picked.status.ToString();
    return id.str();
  }

  // A checkout reservation of `a` x q at s1, committed (the sale) for `commit` units.
  std::string SoldReservation(int64_t q, int64_t commit) {
    CreateReservation c;
    c.lines = {{Sku("a"), LocationId("s1"), q}};
    Completion made = this->Do(c);
    EXPECT_TRUE(made.status.ok()) << made.status.ToString();
    ReservationId id(made.response.substr(std::string("reservation ").size()));
    CommitReservation sell{id, {{Sku("a"), {}, commit}}};
    EXPECT_TRUE(this->Do(sell).status.ok());
    return id.str();
  }

  static CreateReturn FromOrder(const std::string& order, const std::string& at,
                                std::vector<ReturnedLine> lines) {
    CreateReturn c;
    c.order_id = OrderId(order);
    c.location = LocationId(at);
    c.lines = std::move(lines);
    return c;
  }

  // The return a completion's response names ("return <id> <state>").
  Return Stored(const Completion& c) {
    EXPECT_TRUE(c.status.ok()) << c.status.ToString();
    std::string id = c.response.substr(std::string("return ").size());
    id = id.substr(0, id.find(' '));
    EXPECT_TRUE(this->store_->Begin().ok());
    Result<std::optional<Return>> found = this->store_->FindReturn(ReturnId(id));
    this->store_->Rollback();
    EXPECT_TRUE(found.ok() && found->has_value()) << id;
    return found.ok() && found->has_value() ? **found : Return{};
  }
};

using Stores = ::testing::Types<MemoryStoreFactory, SqliteStoreFactory, PgStoreFactory>;
TYPED_TEST_SUITE(ReturnEngineTest, Stores);

constexpr Disposition kRestock = Disposition::kRestock;
constexpr Disposition kDamaged = Disposition::kDamaged;
constexpr Disposition kInspect = Disposition::kInspect;

TYPED_TEST(ReturnEngineTest, Restock_AtAnotherStore_RaisesThatStoresOnHand_NotTheSellers) {
  std::string order = this->SoldOrder(3);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 7);
  Completion c = this->Do(this->FromOrder(order, "s2", {{Sku("a"), 2, kRestock}}));
  Return r = this->Stored(c);
  EXPECT_EQ(r.state, ReturnState::kCompleted);
  EXPECT_EQ(r.customer, CustomerId("cust-1"));
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].restocked, 2);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 7);
  StockLevel s2 = this->Level("a", "s2");
  EXPECT_EQ(s2.on_hand, 2);
  EXPECT_EQ(Atp(s2, Channel::kOnline), 2);
  EXPECT_EQ(Atp(s2, Channel::kPos), 2);
}

TYPED_TEST(ReturnEngineTest, Restock_RecordsAReturnedMovementReferencingTheReturn) {
  std::string order = this->SoldOrder(3);
  Return r = this->Stored(this->Do(this->FromOrder(order, "s2", {{Sku("a"), 1, kRestock}})));
  // The SQLite store and the fake both keep the ledger; the fake exposes it.
  if constexpr (std::is_same_v<TypeParam, MemoryStoreFactory>) {
    const auto& movements = this->factory_.kept->committed().movements;
    ASSERT_FALSE(movements.empty());
    const Movement& m = movements.back();
    EXPECT_EQ(m.reason, MovementReason::kReturned);
    EXPECT_EQ(m.reference, r.id.str());
    EXPECT_EQ(m.location, LocationId("s2"));
    EXPECT_EQ(m.delta, 1);
    EXPECT_EQ(m.on_hand_after, 1);
    EXPECT_EQ(m.actor, "tester");
  }
}

TYPED_TEST(ReturnEngineTest, Inspect_QuarantinesOutsideAtp_UntilResolved) {
  std::string order = this->SoldOrder(4);
  Return r = this->Stored(this->Do(this->FromOrder(order, "s2", {{Sku("a"), 3, kInspect}})));
  EXPECT_EQ(r.state, ReturnState::kOpen);
  StockLevel quarantined = this->Level("a", "s2");
  EXPECT_EQ(quarantined.quarantined, 3);
  EXPECT_EQ(quarantined.on_hand, 0);
  for (Channel ch : {Channel::kOnline, Channel::kBopis, Channel::kPos}) {
    EXPECT_EQ(Atp(quarantined, ch), 0);
  }

  Completion restock = this->Do(ResolveReturn{r.id, {{Sku("a"), 2, kRestock}}});
  r = this->Stored(restock);
  EXPECT_EQ(r.state, ReturnState::kOpen);
  EXPECT_EQ(this->Level("a", "s2").quarantined, 1);
  EXPECT_EQ(this->Level("a", "s2").on_hand, 2);

  r = this->Stored(this->Do(ResolveReturn{r.id, {{Sku("a"), 1, kDamaged}}}));
  EXPECT_EQ(r.state, ReturnState::kCompleted);
  EXPECT_EQ(this->Level("a", "s2").quarantined, 0);
  EXPECT_EQ(this->Level("a", "s2").on_hand, 2);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].restocked, 2);
  EXPECT_EQ(r.lines[0].written_off, 1);
  EXPECT_EQ(r.lines[0].quarantined, 0);
  ASSERT_EQ(r.history.size(), 3u);
  EXPECT_EQ(r.history[0].state, ReturnState::kOpen);
  EXPECT_EQ(r.history[2].state, ReturnState::kCompleted);
}

TYPED_TEST(ReturnEngineTest, Damaged_ChangesNoStock) {
  std::string order = this->SoldOrder(2);
  Return r = this->Stored(this->Do(this->FromOrder(order, "s2", {{Sku("a"), 2, kDamaged}})));
  EXPECT_EQ(r.state, ReturnState::kCompleted);
  EXPECT_EQ(r.lines[0].written_off, 2);
  StockLevel s2 = this->Level("a", "s2");
  EXPECT_EQ(s2.on_hand, 0);
  EXPECT_EQ(s2.quarantined, 0);
}

TYPED_TEST(ReturnEngineTest, PartialReturns_UpToWhatWasSold_ThenExceeded) {
  std::string order = this->SoldOrder(5, 1);
  ASSERT_TRUE(this->Do(this->FromOrder(order, "s1", {{Sku("a"), 2, kRestock}})).status.ok());
  ASSERT_TRUE(
      this->Do(this->FromOrder(
                   order, "s2",
                   {{Sku("a"), 1, kRestock}, {Sku("a"), 1, kInspect}, {Sku("b"), 1, kDamaged}}))
          .status.ok());
  ASSERT_TRUE(this->Do(this->FromOrder(order, "s2", {{Sku("a"), 1, kDamaged}})).status.ok());
  Completion over = this->Do(this->FromOrder(order, "s1", {{Sku("a"), 1, kRestock}}));
  EXPECT_EQ(over.status.code(), Code::kFailedPrecondition);
  EXPECT_EQ(over.status.reason(), "RETURN_QUANTITY_EXCEEDED");
  std::vector<std::pair<std::string, std::string>> want = {
      {"sku", "a"}, {"sold", "5"}, {"returned", "5"}, {"requested", "1"}};
  EXPECT_EQ(over.status.metadata(), want);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 7);  // 10 - 5 sold + 2 back
}

TYPED_TEST(ReturnEngineTest, TwoReturnsInOneBatch_StillRespectTheCap) {
  std::string order = this->SoldOrder(3);
  std::vector<Completion> out =
      this->RunBatch({{this->FromOrder(order, "s1", {{Sku("a"), 2, kRestock}}), "x1"},
                      {this->FromOrder(order, "s2", {{Sku("a"), 2, kRestock}}), "x2"},
                      {this->FromOrder(order, "s2", {{Sku("a"), 1, kRestock}}), "x3"}});
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_EQ(out[1].status.reason(), "RETURN_QUANTITY_EXCEEDED");
  EXPECT_TRUE(out[2].status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 9);
  EXPECT_EQ(this->Level("a", "s2").on_hand, 1);
}

TYPED_TEST(ReturnEngineTest, LinesOfOneSku_AreSummedAgainstTheCap) {
  std::string order = this->SoldOrder(3);
  Completion c =
      this->Do(this->FromOrder(order, "s2", {{Sku("a"), 2, kRestock}, {Sku("a"), 2, kInspect}}));
  EXPECT_EQ(c.status.reason(), "RETURN_QUANTITY_EXCEEDED");
  EXPECT_EQ(this->Level("a", "s2").on_hand, 0);
  EXPECT_EQ(this->Level("a", "s2").quarantined, 0);
}

TYPED_TEST(ReturnEngineTest, ASkuTheSaleNeverSold_IsExceededWithSoldZero) {
  std::string order = this->SoldOrder(3);
  Completion c = this->Do(this->FromOrder(order, "s1", {{Sku("b"), 1, kRestock}}));
  EXPECT_EQ(c.status.reason(), "RETURN_QUANTITY_EXCEEDED");
  EXPECT_EQ(c.status.metadata()[1], (std::pair<std::string, std::string>{"sold", "0"}));
}

TYPED_TEST(ReturnEngineTest, CheckoutSale_ReturnsUpToTheCommittedUnits_WithTheGivenCustomer) {
  std::string reservation = this->SoldReservation(4, 3);
  CreateReturn c;
  c.reservation_id = ReservationId(reservation);
  c.location = LocationId("s2");
  c.customer = CustomerId("web-7");
  c.lines = {{Sku("a"), 4, kRestock}};
  Completion over = this->Do(c);
  EXPECT_EQ(over.status.reason(), "RETURN_QUANTITY_EXCEEDED");
  c.lines = {{Sku("a"), 3, kRestock}};
  Return r = this->Stored(this->Do(c));
  EXPECT_EQ(r.customer, CustomerId("web-7"));
  EXPECT_EQ(r.reservation_id, ReservationId(reservation));
  EXPECT_EQ(this->Level("a", "s2").on_hand, 3);
}

TYPED_TEST(ReturnEngineTest, ASaleNotCompleted_CannotBeReturned) {
  CreateReservation hold;
  hold.lines = {{Sku("a"), LocationId("s1"), 1}};
  Completion held = this->Do(hold);
  CreateReturn c;
  c.reservation_id = ReservationId(held.response.substr(std::string("reservation ").size()));
  c.location = LocationId("s1");
  c.lines = {{Sku("a"), 1, kRestock}};
  Completion active = this->Do(c);
  EXPECT_EQ(active.status.code(), Code::kFailedPrecondition);
  EXPECT_EQ(active.status.reason(), "RESERVATION_NOT_COMMITTED");

  PlaceOrder place;
  place.customer = CustomerId("cust-1");
  place.pickup_location = LocationId("s1");
  place.lines = {{Sku("a"), {}, 1}};
  Completion placed = this->Do(place);
  std::string order = placed.response.substr(std::string("order ").size());
  Completion not_picked = this->Do(this->FromOrder(order, "s1", {{Sku("a"), 1, kRestock}}));
  EXPECT_EQ(not_picked.status.reason(), "INVALID_ORDER_STATE");

  ASSERT_TRUE(this->store_->Begin().ok());
  auto stored = this->store_->FindOrder(OrderId(order));
  this->store_->Rollback();
  ASSERT_TRUE(stored.ok() && stored->has_value());
  CreateReturn via_reservation;
  via_reservation.reservation_id = (*stored)->reservation;
  via_reservation.location = LocationId("s1");
  via_reservation.lines = {{Sku("a"), 1, kRestock}};
  Completion held_by_order = this->Do(via_reservation);
  EXPECT_EQ(held_by_order.status.code(), Code::kInvalidArgument);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 10);
}

TYPED_TEST(ReturnEngineTest, UnknownsAndInactiveLocations_AreRefused) {
  std::string order = this->SoldOrder(1);
  EXPECT_EQ(this->Do(this->FromOrder("ord_none", "s1", {{Sku("a"), 1, kRestock}})).status.code(),
            Code::kNotFound);
  EXPECT_EQ(this->Do(this->FromOrder(order, "nowhere", {{Sku("a"), 1, kRestock}})).status.code(),
            Code::kNotFound);
  Location closed{LocationId("s3"), "s3", LocationKind::kStore, true, true, false, {}};
  ASSERT_TRUE(this->Do(UpsertLocation{closed}).status.ok());
  EXPECT_EQ(this->Do(this->FromOrder(order, "s3", {{Sku("a"), 1, kRestock}})).status.reason(),
            "LOCATION_INACTIVE");
  EXPECT_EQ(this->Do(ResolveReturn{ReturnId("ret_none"), {{Sku("a"), 1, kRestock}}}).status.code(),
            Code::kNotFound);
  CreateReturn stranger = this->FromOrder(order, "s1", {{Sku("a"), 1, kRestock}});
  stranger.customer = CustomerId("someone-else");
  EXPECT_EQ(this->Do(stranger).status.code(), Code::kInvalidArgument);
}

TYPED_TEST(ReturnEngineTest, Resolve_MoreThanQuarantined_OrACompletedReturn_IsExceeded) {
  std::string order = this->SoldOrder(3);
  Return r = this->Stored(
      this->Do(this->FromOrder(order, "s2", {{Sku("a"), 2, kInspect}, {Sku("a"), 1, kRestock}})));
  Completion over = this->Do(ResolveReturn{r.id, {{Sku("a"), 3, kRestock}}});
  EXPECT_EQ(over.status.reason(), "RETURN_QUANTITY_EXCEEDED");
  std::vector<std::pair<std::string, std::string>> want = {
      {"sku", "a"}, {"quarantined", "2"}, {"requested", "3"}};
  EXPECT_EQ(over.status.metadata(), want);
  EXPECT_EQ(this->Do(ResolveReturn{r.id, {{Sku("b"), 1, kRestock}}}).status.reason(),
            "RETURN_QUANTITY_EXCEEDED");
  ASSERT_TRUE(this->Do(ResolveReturn{r.id, {{Sku("a"), 2, kRestock}}}).status.ok());
  EXPECT_EQ(this->Do(ResolveReturn{r.id, {{Sku("a"), 1, kRestock}}}).status.reason(),
            "RETURN_QUANTITY_EXCEEDED");
  EXPECT_EQ(this->Level("a", "s2").on_hand, 3);
}

TYPED_TEST(ReturnEngineTest, StoreScope_CoversTheReceivingLocation_ForCreateAndResolve) {
  std::string order = this->SoldOrder(3);
  Completion elsewhere =
      this->DoAt({"s1"}, this->FromOrder(order, "s2", {{Sku("a"), 1, kInspect}}));
  EXPECT_EQ(elsewhere.status.code(), Code::kPermissionDenied);
  // A return anywhere: a store may take back what another store sold.
  Return r =
      this->Stored(this->DoAt({"s2"}, this->FromOrder(order, "s2", {{Sku("a"), 1, kInspect}})));
  Completion other = this->DoAt({"s1"}, ResolveReturn{r.id, {{Sku("a"), 1, kRestock}}});
  EXPECT_EQ(other.status.code(), Code::kPermissionDenied);
  EXPECT_EQ(this->Level("a", "s2").quarantined, 1);
  EXPECT_TRUE(this->DoAt({"s2"}, ResolveReturn{r.id, {{Sku("a"), 1, kRestock}}}).status.ok());
  EXPECT_EQ(this->Level("a", "s2").on_hand, 1);
}

TYPED_TEST(ReturnEngineTest, Retry_ReplaysTheReturn_AndRestocksOnce) {
  std::string order = this->SoldOrder(3);
  CreateReturn c = this->FromOrder(order, "s2", {{Sku("a"), 1, kInspect}});
  Completion first = this->Do(c, "ret-once");
  Completion again = this->Do(c, "ret-once");
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.response, first.response);
  EXPECT_EQ(this->Level("a", "s2").quarantined, 1);
  Return r = this->Stored(first);
  ResolveReturn resolve{r.id, {{Sku("a"), 1, kRestock}}};
  Completion resolved = this->Do(resolve, "resolve-once");
  Completion replayed = this->Do(resolve, "resolve-once");
  EXPECT_TRUE(replayed.replayed);
  EXPECT_EQ(replayed.response, resolved.response);
  EXPECT_EQ(this->Level("a", "s2").on_hand, 1);
  EXPECT_EQ(this->Level("a", "s2").quarantined, 0);
}

TYPED_TEST(ReturnEngineTest, OneRequestIdManyTimesInOneBatch_ReturnsOnce) {
  std::string order = this->SoldOrder(3);
  std::vector<std::pair<Command, std::string>> storm;
  for (int i = 0; i < 8; ++i) {
    storm.emplace_back(this->FromOrder(order, "s2", {{Sku("a"), 2, kRestock}}), "storm");
  }
  std::vector<Completion> out = this->RunBatch(std::move(storm));
  for (const auto& c : out) {
    ASSERT_TRUE(c.status.ok()) << c.status.ToString();
    EXPECT_EQ(c.response, out[0].response);
  }
  EXPECT_FALSE(out[0].replayed);
  EXPECT_TRUE(out[7].replayed);
  EXPECT_EQ(this->Level("a", "s2").on_hand, 2);
}

TYPED_TEST(ReturnEngineTest, Restart_KeepsAnOpenReturnAndItsQuarantine) {
  std::string order = this->SoldOrder(2);
  Return r = this->Stored(this->Do(this->FromOrder(order, "s2", {{Sku("a"), 2, kInspect}})));
  this->Reopen();
  EXPECT_EQ(this->Level("a", "s2").quarantined, 2);
  ASSERT_TRUE(this->Do(ResolveReturn{r.id, {{Sku("a"), 2, kRestock}}}).status.ok());
  EXPECT_EQ(this->Level("a", "s2").on_hand, 2);
  EXPECT_EQ(this->Level("a", "s2").quarantined, 0);
  // And the cap survives the restart.
  EXPECT_EQ(this->Do(this->FromOrder(order, "s1", {{Sku("a"), 1, kRestock}})).status.reason(),
            "RETURN_QUANTITY_EXCEEDED");
}

TYPED_TEST(ReturnEngineTest, AnOrdersReturn_IsAnOrderEventWithItsReturnedUnits) {
  std::string order = this->SoldOrder(3, 2);
  Return r = this->Stored(
      this->Do(this->FromOrder(order, "s2", {{Sku("a"), 1, kRestock}, {Sku("a"), 1, kInspect}})));
  ASSERT_TRUE(this->store_->Begin().ok());
  auto stored = this->store_->FindOrder(OrderId(order));
  this->store_->Rollback();
  ASSERT_TRUE(stored.ok() && stored->has_value());
  ASSERT_EQ((*stored)->lines.size(), 2u);
  EXPECT_EQ((*stored)->lines[0].returned, 2);
  EXPECT_EQ((*stored)->lines[1].returned, 0);
  if constexpr (std::is_same_v<TypeParam, MemoryStoreFactory>) {
    const auto& events = this->factory_.kept->committed().events;
    auto it = std::find_if(events.begin(), events.end(),
                           [&](const Event& e) { return e.return_id == r.id; });
    ASSERT_NE(it, events.end());
    EXPECT_EQ(it->kind, EventKind::kOrder);
    EXPECT_EQ(it->subject, order);
    EXPECT_EQ(it->order.state, OrderState::kPickedUp);
    EXPECT_EQ(it->previous_order_state, OrderState::kPickedUp);
    EXPECT_EQ(it->order.lines[0].returned, 2);
  }
}

}  // namespace
}  // namespace oms::testing

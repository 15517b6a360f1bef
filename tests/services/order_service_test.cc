// OrderService against the real server: the pickup lifecycle with stock checked at each
// step, illegal transitions, short picks, cancels, uncollected expiry, codes, queues, races.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/support/db_check.h"
#include "tests/support/live_server.h"
#include "tests/support/manual_clock.h"

namespace oms::testing {
namespace {

class OrderTest : public ::testing::Test {
 protected:
  OrderTest() : server_(Options()) {
    server_.AddLocation("store");
    server_.AddLocation("noshop", /*ship=*/true, /*pickup=*/false);
    server_.Receive("shoe", "store", 5);
    server_.Receive("sock", "store", 10);
  }
  ~OrderTest() override {
    server_.Stop();
    EXPECT_TRUE(DatabaseIsConsistent(server_.db_path()));
  }

  services::ServerOptions Options() {
    services::ServerOptions o;
    o.clock = &clock_;
    o.pickup_hold = std::chrono::hours(72);
    return o;
  }

  grpc::Status Place(const std::string& customer,
                     const std::vector<std::pair<std::string, int64_t>>& lines, v1::Order* order,
                     const std::string& location = "store") {
    v1::PlaceOrderRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_customer_id(customer);
    req.set_pickup_location_id(location);
    for (const auto& [sku, q] : lines) {
      auto* l = req.add_lines();
      l->set_sku(sku);
      l->set_quantity(q);
    }
    v1::PlaceOrderResponse resp;
    grpc::Status s = server_.orders().PlaceOrder(Ctx().get(), req, &resp);
    *order = resp.order();
    return s;
  }

  v1::Order PlaceOk(const std::string& customer,
                    const std::vector<std::pair<std::string, int64_t>>& lines) {
    v1::Order order;
    grpc::Status s = Place(customer, lines, &order);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return order;
  }

  grpc::Status Pick(const std::string& id, v1::Order* out = nullptr) {
    v1::StartPickingRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_order_id(id);
    v1::StartPickingResponse resp;
    grpc::Status s = server_.orders().StartPicking(Ctx().get(), req, &resp);
    if (out) *out = resp.order();
    return s;
  }

  grpc::Status Ready(const std::string& id,
                     const std::vector<std::pair<std::string, int64_t>>& picked = {},
                     v1::Order* out = nullptr) {
    v1::MarkReadyRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_order_id(id);
    for (const auto& [sku, q] : picked) {
      auto* p = req.add_picked();
      p->set_sku(sku);
      p->set_quantity(q);
    }
    v1::MarkReadyResponse resp;
    grpc::Status s = server_.orders().MarkReady(Ctx().get(), req, &resp);
    if (out) *out = resp.order();
    return s;
  }

  grpc::Status Pickup(const std::string& id, const std::string& code, v1::Order* out = nullptr,
                      const std::string& request_id = LiveServer::NextId(),
                      bool staff_override = false) {
    v1::ConfirmPickupRequest req;
    req.set_request_id(request_id);
    req.set_order_id(id);
    req.set_pickup_code(code);
    req.set_staff_override(staff_override);
    v1::ConfirmPickupResponse resp;
    grpc::Status s = server_.orders().ConfirmPickup(Ctx().get(), req, &resp);
    if (out) *out = resp.order();
    return s;
  }

  grpc::Status Cancel(const std::string& id) {
    v1::CancelOrderRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_order_id(id);
    req.set_reason("customer called");
    v1::CancelOrderResponse resp;
    return server_.orders().CancelOrder(Ctx().get(), req, &resp);
  }

  v1::Order Get(const std::string& id) {
    v1::GetOrderRequest req;
    req.set_order_id(id);
    v1::GetOrderResponse resp;
    grpc::Status s = server_.orders().GetOrder(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.order();
  }

  void ExpectStock(const std::string& sku, int64_t on_hand, int64_t reserved) {
    v1::StockLevel level = server_.Level(sku, "store");
    EXPECT_EQ(level.on_hand(), on_hand) << sku;
    EXPECT_EQ(level.reserved(), reserved) << sku;
  }

  ManualClock clock_;
  LiveServer server_;
};

TEST_F(OrderTest, FullLifecycle_MovesStockCorrectlyAtEveryStep) {
  v1::Order o = PlaceOk("cust-1", {{"shoe", 2}, {"sock", 3}});
  EXPECT_EQ(o.state(), v1::ORDER_STATE_PLACED);
  EXPECT_EQ(o.pickup_code().size(), 6u);
  EXPECT_FALSE(o.reservation_id().empty());
  ExpectStock("shoe", 5, 2);
  ExpectStock("sock", 10, 3);
  ASSERT_TRUE(Pick(o.order_id()).ok());
  ExpectStock("shoe", 5, 2);
  v1::Order ready;
  ASSERT_TRUE(Ready(o.order_id(), {}, &ready).ok());
  EXPECT_EQ(ready.state(), v1::ORDER_STATE_READY_FOR_PICKUP);
  EXPECT_EQ(ready.pickup_deadline().seconds() - ready.ready_time().seconds(), 72 * 3600);
  ExpectStock("shoe", 5, 2);
  v1::Order done;
  ASSERT_TRUE(Pickup(o.order_id(), o.pickup_code(), &done).ok());
  EXPECT_EQ(done.state(), v1::ORDER_STATE_PICKED_UP);
  ExpectStock("shoe", 3, 0);
  ExpectStock("sock", 7, 0);
  ASSERT_EQ(done.history_size(), 4);
  EXPECT_EQ(done.history(0).state(), v1::ORDER_STATE_PLACED);
  EXPECT_EQ(done.history(3).state(), v1::ORDER_STATE_PICKED_UP);
}

TEST_F(OrderTest, ShortLine_FailsWholeOrder_AndHoldsNothing) {
  v1::Order o;
  grpc::Status s = Place("cust-1", {{"shoe", 1}, {"sock", 11}}, &o);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "INSUFFICIENT_STOCK");
  ExpectStock("shoe", 5, 0);
}

TEST_F(OrderTest, PickupStoreMustAllowPickup) {
  server_.Receive("shoe", "noshop", 5);
  v1::Order o;
  grpc::Status s = Place("cust-1", {{"shoe", 1}}, &o, "noshop");
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "FULFILMENT_NOT_ALLOWED");
  EXPECT_EQ(Place("cust-1", {{"shoe", 1}}, &o, "nowhere").error_code(), grpc::NOT_FOUND);
}

TEST_F(OrderTest, IllegalTransitions_AreInvalidOrderState_AndChangeNothing) {
  v1::Order placed = PlaceOk("c", {{"shoe", 1}});
  EXPECT_EQ(ReasonOf(Ready(placed.order_id())), "INVALID_ORDER_STATE");
  EXPECT_EQ(ReasonOf(Pickup(placed.order_id(), placed.pickup_code())), "INVALID_ORDER_STATE");
  ASSERT_TRUE(Pick(placed.order_id()).ok());
  EXPECT_EQ(ReasonOf(Pick(placed.order_id())), "INVALID_ORDER_STATE");
  EXPECT_EQ(ReasonOf(Pickup(placed.order_id(), placed.pickup_code())), "INVALID_ORDER_STATE");
  ASSERT_TRUE(Ready(placed.order_id()).ok());
  EXPECT_EQ(ReasonOf(Pick(placed.order_id())), "INVALID_ORDER_STATE");
  EXPECT_EQ(ReasonOf(Ready(placed.order_id())), "INVALID_ORDER_STATE");
  ASSERT_TRUE(Pickup(placed.order_id(), placed.pickup_code()).ok());
  for (auto s : {Pick(placed.order_id()), Ready(placed.order_id()), Cancel(placed.order_id()),
                 Pickup(placed.order_id(), placed.pickup_code())}) {
    EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
    EXPECT_EQ(ReasonOf(s), "INVALID_ORDER_STATE");
  }
  EXPECT_EQ(Get(placed.order_id()).history_size(), 4);
  ExpectStock("shoe", 4, 0);
}

TEST_F(OrderTest, ShortPick_LowersTheLine_AndReleasesMissingUnits) {
  v1::Order o = PlaceOk("c", {{"shoe", 3}, {"sock", 2}});
  ASSERT_TRUE(Pick(o.order_id()).ok());
  v1::Order ready;
  ASSERT_TRUE(Ready(o.order_id(), {{"shoe", 1}}, &ready).ok());
  EXPECT_EQ(ready.lines(0).quantity(), 1);
  EXPECT_EQ(ready.lines(0).ordered_quantity(), 3);
  EXPECT_EQ(ready.lines(1).quantity(), 2);
  EXPECT_EQ(ready.history(2).reason(), "short pick");
  ExpectStock("shoe", 5, 1);
  ASSERT_TRUE(Pickup(o.order_id(), o.pickup_code()).ok());
  ExpectStock("shoe", 4, 0);
  ExpectStock("sock", 8, 0);
}

TEST_F(OrderTest, ShortPick_OfEverything_IsRejected) {
  v1::Order o = PlaceOk("c", {{"shoe", 1}});
  ASSERT_TRUE(Pick(o.order_id()).ok());
  EXPECT_EQ(Ready(o.order_id(), {{"shoe", 0}}).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(Ready(o.order_id(), {{"shoe", 2}})), "picked[0].quantity");
  EXPECT_EQ(FieldOf(Ready(o.order_id(), {{"boot", 1}})), "picked[0].sku");
}

TEST_F(OrderTest, Cancel_FromEachCancellableState_ReleasesStock) {
  v1::Order a = PlaceOk("c", {{"shoe", 1}});
  v1::Order b = PlaceOk("c", {{"shoe", 1}});
  v1::Order c = PlaceOk("c", {{"shoe", 1}});
  ASSERT_TRUE(Pick(b.order_id()).ok());
  ASSERT_TRUE(Pick(c.order_id()).ok());
  ASSERT_TRUE(Ready(c.order_id()).ok());
  ExpectStock("shoe", 5, 3);
  for (const auto& o : {a, b, c}) {
    ASSERT_TRUE(Cancel(o.order_id()).ok());
    v1::Order now = Get(o.order_id());
    EXPECT_EQ(now.state(), v1::ORDER_STATE_CANCELLED);
    EXPECT_EQ(now.history(now.history_size() - 1).reason(), "customer called");
  }
  ExpectStock("shoe", 5, 0);
}

TEST_F(OrderTest, Uncollected_ExpiresAtPickupDeadline_AndReleasesStock) {
  v1::Order o = PlaceOk("c", {{"shoe", 2}});
  ASSERT_TRUE(Pick(o.order_id()).ok());
  ASSERT_TRUE(Ready(o.order_id()).ok());
  clock_.Advance(std::chrono::hours(72) - std::chrono::seconds(1));
  server_.Receive("nudge", "store", 1);
  ExpectStock("shoe", 5, 2);
  clock_.Advance(std::chrono::seconds(1));
  // Shown as expired on read even before the sweep ran; units back after it.
  EXPECT_EQ(Get(o.order_id()).state(), v1::ORDER_STATE_EXPIRED);
  EXPECT_EQ(ReasonOf(Pickup(o.order_id(), o.pickup_code())), "INVALID_ORDER_STATE");
  server_.Receive("nudge", "store", 1);
  ExpectStock("shoe", 5, 0);
  v1::Order expired = Get(o.order_id());
  EXPECT_EQ(expired.history(expired.history_size() - 1).state(), v1::ORDER_STATE_EXPIRED);
  EXPECT_EQ(expired.history(expired.history_size() - 1).actor(), "oms");
}

TEST_F(OrderTest, OrderReservation_NeverExpiresByTtl) {
  v1::Order o = PlaceOk("c", {{"shoe", 1}});
  clock_.Advance(std::chrono::hours(24 * 10));
  server_.Receive("nudge", "store", 1);
  EXPECT_EQ(Get(o.order_id()).state(), v1::ORDER_STATE_PLACED);
  ExpectStock("shoe", 5, 1);
}

TEST_F(OrderTest, WrongPickupCode_IsMismatch_AndFiveWrongCodesLockTheOrder) {
  v1::Order o = PlaceOk("c", {{"shoe", 1}});
  ASSERT_TRUE(Pick(o.order_id()).ok());
  ASSERT_TRUE(Ready(o.order_id()).ok());
  for (int i = 0; i < 5; ++i) {
    grpc::Status s = Pickup(o.order_id(), "WRONG" + std::to_string(i));
    EXPECT_EQ(ReasonOf(s), "PICKUP_CODE_MISMATCH");
    EXPECT_EQ(MetadataOf(s, "attempts_left"), std::to_string(4 - i));
  }
  EXPECT_EQ(Get(o.order_id()).failed_pickup_attempts(), 5);
  EXPECT_EQ(ReasonOf(Pickup(o.order_id(), o.pickup_code())), "PICKUP_ATTEMPTS_EXCEEDED");
  ExpectStock("shoe", 5, 1);
  ASSERT_TRUE(
      Pickup(o.order_id(), "", nullptr, LiveServer::NextId(), /*staff_override=*/true).ok());
  ExpectStock("shoe", 4, 0);
}

TEST_F(OrderTest, WrongCodeRetriedWithSameRequestId_CountsOneAttempt) {
  v1::Order o = PlaceOk("c", {{"shoe", 1}});
  ASSERT_TRUE(Pick(o.order_id()).ok());
  ASSERT_TRUE(Ready(o.order_id()).ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ReasonOf(Pickup(o.order_id(), "NOPE", nullptr, "same-id")), "PICKUP_CODE_MISMATCH");
  }
  EXPECT_EQ(Get(o.order_id()).failed_pickup_attempts(), 1);
}

// The retry replays the stored error whole, ErrorInfo metadata included, even after a
// later wrong code changed the count.
TEST_F(OrderTest, WrongCodeRetriedWithSameRequestId_RepliesWithTheFirstAttemptsLeft) {
  v1::Order o = PlaceOk("c", {{"shoe", 1}});
  ASSERT_TRUE(Pick(o.order_id()).ok());
  ASSERT_TRUE(Ready(o.order_id()).ok());
  grpc::Status first = Pickup(o.order_id(), "NOPE", nullptr, "same-id");
  ASSERT_EQ(MetadataOf(first, "attempts_left"), "4");
  EXPECT_EQ(MetadataOf(Pickup(o.order_id(), "NOPE"), "attempts_left"), "3");
  grpc::Status retried = Pickup(o.order_id(), "NOPE", nullptr, "same-id");
  EXPECT_EQ(ReasonOf(retried), "PICKUP_CODE_MISMATCH");
  EXPECT_EQ(retried.error_message(), first.error_message());
  EXPECT_EQ(MetadataOf(retried, "attempts_left"), "4");
  EXPECT_EQ(MetadataOf(retried, "order_id"), o.order_id());
}

TEST_F(OrderTest, PickupCodes_AreRandomPerOrder_FromAnUnambiguousAlphabet) {
  server_.Receive("sock", "store", 100);
  std::set<std::string> codes;
  for (int i = 0; i < 20; ++i) {
    std::string code = PlaceOk("c", {{"sock", 1}}).pickup_code();
    EXPECT_EQ(code.find_first_of("01IOL"), std::string::npos) << code;
    codes.insert(code);
  }
  EXPECT_GE(codes.size(), 19u);  // 31^6 codes: a collision among 20 is ~2e-7 likely
}

TEST_F(OrderTest, TakeOverReservation_KeepsItsUnits_AndStopsItsTtl) {
  v1::CreateReservationRequest req;
  req.set_request_id(LiveServer::NextId());
  req.set_channel(v1::CHANNEL_BOPIS);
  req.mutable_ttl()->set_seconds(60);
  auto* line = req.add_lines();
  line->set_sku("shoe");
  line->set_quantity(2);
  line->set_location_id("store");
  v1::CreateReservationResponse res;
  ASSERT_TRUE(server_.Reserve(req, &res).ok());
  v1::PlaceOrderRequest place;
  place.set_request_id(LiveServer::NextId());
  place.set_customer_id("c");
  place.set_pickup_location_id("store");
  place.set_reservation_id(res.reservation().reservation_id());
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(server_.orders().PlaceOrder(Ctx().get(), place, &placed).ok());
  EXPECT_EQ(placed.order().lines(0).quantity(), 2);
  clock_.Advance(std::chrono::minutes(5));
  server_.Receive("nudge", "store", 1);
  ExpectStock("shoe", 5, 2);
  v1::ReleaseReservationRequest rel;
  rel.set_request_id(LiveServer::NextId());
  rel.set_reservation_id(res.reservation().reservation_id());
  v1::ReleaseReservationResponse released;
  EXPECT_EQ(server_.reservations().ReleaseReservation(Ctx().get(), rel, &released).error_code(),
            grpc::FAILED_PRECONDITION);
}

TEST_F(OrderTest, CustomerHistory_ListsOrdersNewestFirst) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(PlaceOk("alice", {{"sock", 1}}).order_id());
    clock_.Advance(std::chrono::seconds(1));
  }
  PlaceOk("bob", {{"sock", 1}});
  v1::ListOrdersRequest req;
  req.set_customer_id("alice");
  v1::ListOrdersResponse resp;
  ASSERT_TRUE(server_.orders().ListOrders(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.orders_size(), 3);
  EXPECT_EQ(resp.orders(0).order_id(), ids[2]);
  EXPECT_EQ(resp.orders(2).order_id(), ids[0]);
}

TEST_F(OrderTest, StoreQueue_PagesByState) {
  std::set<std::string> placed;
  for (int i = 0; i < 7; ++i) {
    placed.insert(PlaceOk(fmt::format("c{}", i), {{"sock", 1}}).order_id());
    clock_.Advance(std::chrono::seconds(1));
  }
  std::string picking = *placed.begin();
  ASSERT_TRUE(Pick(picking).ok());
  placed.erase(picking);
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::ListOrdersRequest req;
    req.set_pickup_location_id("store");
    req.add_states(v1::ORDER_STATE_PLACED);
    req.set_page_size(2);
    req.set_page_token(token);
    v1::ListOrdersResponse resp;
    ASSERT_TRUE(server_.orders().ListOrders(Ctx().get(), req, &resp).ok());
    for (const auto& o : resp.orders()) {
      EXPECT_EQ(o.state(), v1::ORDER_STATE_PLACED);
      EXPECT_TRUE(seen.insert(o.order_id()).second);
    }
    token = resp.next_page_token();
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen, placed);
  EXPECT_EQ(pages, 3);
}

TEST_F(OrderTest, ListOrders_NeedsExactlyOneOwner) {
  v1::ListOrdersRequest req;
  v1::ListOrdersResponse resp;
  EXPECT_EQ(server_.orders().ListOrders(Ctx().get(), req, &resp).error_code(),
            grpc::INVALID_ARGUMENT);
}

TEST_F(OrderTest, LastUnit_PosSaleAndOnlinePickupOrderRace_ExactlyOneWins) {
  server_.Receive("last", "store", 1);
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> wins{0};
    std::thread pos([&] {
      auto stub = v1::ReservationService::NewStub(server_.NewChannel());
      v1::CreateReservationRequest req;
      req.set_request_id(LiveServer::NextId());
      req.set_channel(v1::CHANNEL_POS);
      auto* l = req.add_lines();
      l->set_sku("last");
      l->set_quantity(1);
      l->set_location_id("store");
      v1::CreateReservationResponse resp;
      if (!stub->CreateReservation(Ctx().get(), req, &resp).ok()) return;
      v1::CommitReservationRequest commit;
      commit.set_request_id(LiveServer::NextId());
      commit.set_reservation_id(resp.reservation().reservation_id());
      v1::CommitReservationResponse done;
      if (stub->CommitReservation(Ctx().get(), commit, &done).ok()) ++wins;
    });
    std::thread online([&] {
      v1::Order o;
      if (Place("web", {{"last", 1}}, &o).ok()) ++wins;
    });
    pos.join();
    online.join();
    EXPECT_EQ(wins.load(), 1) << "round " << round;
    // Reset: one unit free again.
    v1::ListOrdersRequest q;
    q.set_customer_id("web");
    q.add_states(v1::ORDER_STATE_PLACED);
    v1::ListOrdersResponse open;
    ASSERT_TRUE(server_.orders().ListOrders(Ctx().get(), q, &open).ok());
    for (const auto& o : open.orders()) ASSERT_TRUE(Cancel(o.order_id()).ok());
    v1::StockLevel level = server_.Level("last", "store");
    if (level.on_hand() == 0) server_.Receive("last", "store", 1);
  }
}

TEST_F(OrderTest, Restart_KeepsOrdersAndTheirDeadlines) {
  v1::Order o = PlaceOk("c", {{"shoe", 2}});
  ASSERT_TRUE(Pick(o.order_id()).ok());
  v1::Order ready;
  ASSERT_TRUE(Ready(o.order_id(), {}, &ready).ok());
  server_.Restart();
  v1::Order after = Get(o.order_id());
  EXPECT_EQ(after.state(), v1::ORDER_STATE_READY_FOR_PICKUP);
  EXPECT_EQ(after.pickup_deadline().seconds(), ready.pickup_deadline().seconds());
  EXPECT_EQ(after.history_size(), 3);
  ExpectStock("shoe", 5, 2);
  server_.Stop();
  clock_.Advance(std::chrono::hours(73));
  server_.Restart();
  EXPECT_EQ(Get(o.order_id()).state(), v1::ORDER_STATE_EXPIRED);
  ExpectStock("shoe", 5, 0);
}

}  // namespace
}  // namespace oms::testing

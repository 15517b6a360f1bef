// ReturnService against the real server: every error with its code, reason and metadata or
// field; restock, inspect and write-off at the receiving location; the order's returned units
// and its WatchOrders event; listing; idempotent retries.
#include <gtest/gtest.h>

#include <set>

#include "tests/services/return_fixture.h"

namespace oms::testing {
namespace {

using grpc::StatusCode;

TEST_F(ReturnTest, Restock_RaisesOnHandAtTheReceivingStore_WithAReturnedMovement) {
  std::string order = SellOrder("alice", {{"shoe", 3}});
  ASSERT_EQ(OnHand("shoe", "sell"), 97);
  auto stub = v1::InventoryService::NewStub(server_.NewChannel());
  auto watch_ctx = Ctx();
  v1::WatchAvailabilityRequest watch;
  watch.add_skus("shoe");
  watch.add_location_ids("s2");
  watch.set_from_now(true);
  auto watcher = stub->WatchAvailability(watch_ctx.get(), watch);

  v1::CreateReturnResponse resp;
  ASSERT_TRUE(Create(ReturnOf(order, "s2", {{"shoe", 2, kRestock}}), &resp).ok());
  const v1::Return& r = resp.return_();
  EXPECT_EQ(r.return_id().rfind("ret_", 0), 0u) << r.return_id();
  EXPECT_EQ(r.order_id(), order);
  EXPECT_EQ(r.customer_id(), "alice");
  EXPECT_EQ(r.location_id(), "s2");
  EXPECT_EQ(r.state(), v1::RETURN_STATE_COMPLETED);
  ASSERT_EQ(r.lines_size(), 1);
  EXPECT_EQ(r.lines(0).restocked(), 2);
  EXPECT_EQ(r.lines(0).quarantined(), 0);
  ASSERT_EQ(r.history_size(), 1);
  EXPECT_EQ(r.history(0).actor(), "local");
  ASSERT_EQ(resp.movements_size(), 1);
  EXPECT_EQ(resp.movements(0).reason(), v1::MOVEMENT_REASON_RETURNED);
  EXPECT_EQ(resp.movements(0).reference(), r.return_id());
  EXPECT_EQ(resp.movements(0).location_id(), "s2");
  EXPECT_EQ(resp.movements(0).delta(), 2);
  EXPECT_EQ(resp.movements(0).actor(), "local");  // the token's name (no tokens file: local)

  EXPECT_EQ(OnHand("shoe", "s2"), 2);
  EXPECT_EQ(OnHand("shoe", "sell"), 97);  // the selling store's stock does not change
  for (auto channel : {v1::CHANNEL_ONLINE, v1::CHANNEL_BOPIS, v1::CHANNEL_POS}) {
    EXPECT_EQ(server_.Atp("shoe", "s2", channel), 2) << channel;
  }
  std::vector<v1::Movement> ledger = Movements("shoe", "s2");
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].SerializeAsString(), resp.movements(0).SerializeAsString());
  v1::AvailabilityChanged e;
  ASSERT_TRUE(watcher->Read(&e));
  EXPECT_EQ(e.location_id(), "s2");
  EXPECT_EQ(e.on_hand(), 2);
  EXPECT_EQ(e.atp(), 2);
  watch_ctx->TryCancel();
  watcher->Finish();
}

TEST_F(ReturnTest, Inspect_IsQuarantined_NeverInAtp_UntilResolved) {
  std::string sale = SellAtTill("shoe", 5);
  server_.Receive("shoe", "s2", 4);
  auto stub = v1::InventoryService::NewStub(server_.NewChannel());
  auto watch_ctx = Ctx();
  v1::WatchAvailabilityRequest watch;
  watch.add_location_ids("s2");
  watch.set_from_now(true);
  auto watcher = stub->WatchAvailability(watch_ctx.get(), watch);

  v1::Return r = CreateOk(ReturnOf(sale, "s2", {{"shoe", 3, kInspect}}));
  EXPECT_EQ(r.state(), v1::RETURN_STATE_OPEN);
  EXPECT_EQ(r.lines(0).quarantined(), 3);
  v1::LocationAvailability d = Detail("shoe", "s2");
  EXPECT_EQ(d.on_hand(), 4);
  EXPECT_EQ(d.quarantined(), 3);
  for (auto channel : {v1::CHANNEL_ONLINE, v1::CHANNEL_BOPIS, v1::CHANNEL_POS}) {
    EXPECT_EQ(server_.Atp("shoe", "s2", channel), 4) << channel;
  }
  v1::ListStockRequest list;
  list.set_location_id("s2");
  v1::ListStockResponse stock;
  ASSERT_TRUE(server_.inventory().ListStock(Ctx().get(), list, &stock).ok());
  ASSERT_EQ(stock.stock_levels_size(), 1);
  EXPECT_EQ(stock.stock_levels(0).quarantined(), 3);
  EXPECT_EQ(stock.stock_levels(0).atp(), 4);
  EXPECT_EQ(stock.stock_levels(0).atp_pos(), 4);
  EXPECT_EQ(Movements("shoe", "s2").size(), 1u);  // the receipt only
  v1::AvailabilityChanged e;
  ASSERT_TRUE(watcher->Read(&e));
  EXPECT_EQ(e.quarantined(), 3);
  EXPECT_EQ(e.atp(), 4);

  // Resolve: one back on the shelf, then one written off, then the last one restocked.
  v1::ResolveReturnResponse resolved;
  ASSERT_TRUE(Resolve(ResolveOf(r.return_id(), {{"shoe", 1, kRestock}}), &resolved).ok());
  EXPECT_EQ(resolved.return_().state(), v1::RETURN_STATE_OPEN);
  ASSERT_EQ(resolved.movements_size(), 1);
  EXPECT_EQ(resolved.movements(0).reason(), v1::MOVEMENT_REASON_RETURNED);
  EXPECT_EQ(resolved.movements(0).reference(), r.return_id());
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 2);
  EXPECT_EQ(OnHand("shoe", "s2"), 5);
  ASSERT_TRUE(Resolve(ResolveOf(r.return_id(), {{"shoe", 1, kDamaged}}), &resolved).ok());
  EXPECT_EQ(resolved.movements_size(), 0);
  EXPECT_EQ(OnHand("shoe", "s2"), 5);
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 1);

  grpc::Status s = Resolve(ResolveOf(r.return_id(), {{"shoe", 2, kRestock}}), &resolved);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "RETURN_QUANTITY_EXCEEDED"));
  EXPECT_EQ(MetadataOf(s, "sku"), "shoe");
  EXPECT_EQ(MetadataOf(s, "quarantined"), "1");
  EXPECT_EQ(MetadataOf(s, "requested"), "2");
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 1);

  ASSERT_TRUE(Resolve(ResolveOf(r.return_id(), {{"shoe", 1, kRestock}}), &resolved).ok());
  const v1::Return& done = resolved.return_();
  EXPECT_EQ(done.state(), v1::RETURN_STATE_COMPLETED);
  EXPECT_EQ(done.lines(0).restocked(), 2);
  EXPECT_EQ(done.lines(0).written_off(), 1);
  EXPECT_EQ(done.lines(0).quarantined(), 0);
  EXPECT_EQ(done.history_size(), 4);
  EXPECT_EQ(Get(r.return_id()).SerializeAsString(), done.SerializeAsString());
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 0);
  EXPECT_EQ(OnHand("shoe", "s2"), 6);
  EXPECT_EQ(server_.Atp("shoe", "s2"), 6);
  // Nothing left to resolve.
  s = Resolve(ResolveOf(r.return_id(), {{"shoe", 1, kRestock}}), &resolved);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "RETURN_QUANTITY_EXCEEDED"));
  EXPECT_EQ(MetadataOf(s, "quarantined"), "0");
  watch_ctx->TryCancel();
  watcher->Finish();
}

TEST_F(ReturnTest, Damaged_ChangesNoStock_AndCompletesAtOnce) {
  std::string sale = SellAtTill("sock", 2);
  v1::CreateReturnResponse resp;
  ASSERT_TRUE(Create(ReturnOf(sale, "s3", {{"sock", 2, kDamaged}}), &resp).ok());
  EXPECT_EQ(resp.return_().state(), v1::RETURN_STATE_COMPLETED);
  EXPECT_EQ(resp.return_().lines(0).written_off(), 2);
  EXPECT_EQ(resp.movements_size(), 0);
  v1::LocationAvailability d = Detail("sock", "s3");
  EXPECT_EQ(d.on_hand(), 0);
  EXPECT_EQ(d.quarantined(), 0);
  EXPECT_EQ(OnHand("sock", "sell"), 98);
  EXPECT_TRUE(Movements("sock", "s3").empty());
}

TEST_F(ReturnTest, GetOrder_ShowsEachLinesReturned_AndWatchOrdersGetsTheReturnEvent) {
  std::string order = SellOrder("alice", {{"shoe", 3}, {"sock", 2}});
  auto ctx = Ctx();
  v1::WatchOrdersRequest watch;
  watch.set_customer_id("alice");
  watch.set_from_now(true);
  auto watcher = server_.orders().WatchOrders(ctx.get(), watch);
  v1::Return r = CreateOk(ReturnOf(order, "s2", {{"shoe", 1, kRestock}, {"shoe", 1, kInspect}}));
  CreateOk(ReturnOf(order, "s3", {{"sock", 1, kDamaged}}));

  v1::GetOrderRequest get;
  get.set_order_id(order);
  v1::GetOrderResponse got;
  ASSERT_TRUE(server_.orders().GetOrder(Ctx().get(), get, &got).ok());
  ASSERT_EQ(got.order().lines_size(), 2);
  EXPECT_EQ(got.order().lines(0).sku(), "shoe");
  EXPECT_EQ(got.order().lines(0).returned(), 2);
  EXPECT_EQ(got.order().lines(1).returned(), 1);
  EXPECT_EQ(got.order().state(), v1::ORDER_STATE_PICKED_UP);

  v1::OrderEvent e;
  ASSERT_TRUE(watcher->Read(&e));
  EXPECT_EQ(e.return_id(), r.return_id());
  EXPECT_EQ(e.order().order_id(), order);
  EXPECT_EQ(e.order().lines(0).returned(), 2);
  EXPECT_EQ(e.order().lines(1).returned(), 0);
  EXPECT_EQ(e.previous_state(), v1::ORDER_STATE_PICKED_UP);
  ASSERT_TRUE(watcher->Read(&e));
  EXPECT_NE(e.return_id(), r.return_id());
  EXPECT_EQ(e.order().lines(1).returned(), 1);
  ctx->TryCancel();
  watcher->Finish();
}

TEST_F(ReturnTest, PartialReturns_UpToWhatWasSold_ThenOneMoreIsExceeded) {
  std::string order = SellOrder("bob", {{"shoe", 4}});
  CreateOk(ReturnOf(order, "s2", {{"shoe", 1, kRestock}}));
  CreateOk(ReturnOf(order, "s3", {{"shoe", 2, kInspect}}));
  CreateOk(ReturnOf(order, "sell", {{"shoe", 1, kDamaged}}));
  v1::CreateReturnResponse resp;
  grpc::Status s = Create(ReturnOf(order, "s2", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "RETURN_QUANTITY_EXCEEDED"));
  EXPECT_EQ(MetadataOf(s, "sku"), "shoe");
  EXPECT_EQ(MetadataOf(s, "sold"), "4");
  EXPECT_EQ(MetadataOf(s, "returned"), "4");
  EXPECT_EQ(MetadataOf(s, "requested"), "1");
  EXPECT_EQ(OnHand("shoe", "s2"), 1);
  // Lines of one SKU count together, and a SKU the sale did not sell is "sold 0".
  std::string other = SellAtTill("sock", 2);
  s = Create(ReturnOf(other, "s2", {{"sock", 2, kRestock}, {"sock", 1, kDamaged}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "RETURN_QUANTITY_EXCEEDED"));
  EXPECT_EQ(MetadataOf(s, "requested"), "3");
  s = Create(ReturnOf(other, "s2", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "RETURN_QUANTITY_EXCEEDED"));
  EXPECT_EQ(MetadataOf(s, "sold"), "0");
  EXPECT_EQ(OnHand("sock", "s2"), 0);
  // A partly committed reservation sold what was committed, not what was held.
  std::string held = SellAtTill("sock", 5, "sell", /*commit=*/false);
  v1::CommitReservationRequest commit;
  commit.set_request_id(LiveServer::NextId());
  commit.set_reservation_id(held);
  auto* line = commit.add_lines();
  line->set_sku("sock");
  line->set_quantity(3);
  line->set_location_id("sell");
  v1::CommitReservationResponse committed;
  ASSERT_TRUE(server_.reservations().CommitReservation(Ctx().get(), commit, &committed).ok());
  s = Create(ReturnOf(held, "s2", {{"sock", 4, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "RETURN_QUANTITY_EXCEEDED"));
  EXPECT_EQ(MetadataOf(s, "sold"), "3");
  EXPECT_TRUE(Create(ReturnOf(held, "s2", {{"sock", 3, kRestock}}), &resp).ok());
}

TEST_F(ReturnTest, UnsoldSources_AndUnknownIds_AreRefusedWithTheirReasons) {
  v1::CreateReturnResponse resp;
  grpc::Status s = Create(ReturnOf("ord_nope", "s2", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::NOT_FOUND));
  s = Create(ReturnOf("res_nope", "s2", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::NOT_FOUND));
  std::string sold = SellAtTill("shoe", 1);
  s = Create(ReturnOf(sold, "nowhere", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::NOT_FOUND));

  // An order not picked up yet.
  v1::PlaceOrderRequest place;
  place.set_request_id(LiveServer::NextId());
  place.set_customer_id("carol");
  place.set_pickup_location_id("sell");
  auto* l = place.add_lines();
  l->set_sku("shoe");
  l->set_quantity(1);
  v1::PlaceOrderResponse placed;
  ASSERT_TRUE(server_.orders().PlaceOrder(Ctx().get(), place, &placed).ok());
  s = Create(ReturnOf(placed.order().order_id(), "s2", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "INVALID_ORDER_STATE"));
  EXPECT_EQ(MetadataOf(s, "order_id"), placed.order().order_id());
  EXPECT_EQ(MetadataOf(s, "state"), "PLACED");
  // Its reservation belongs to the order: return against the order.
  s = Create(ReturnOf(placed.order().reservation_id(), "s2", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::INVALID_ARGUMENT, "", "reservation_id"));

  // A reservation not committed.
  std::string active = SellAtTill("shoe", 1, "sell", /*commit=*/false);
  s = Create(ReturnOf(active, "s2", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "RESERVATION_NOT_COMMITTED"));
  EXPECT_EQ(MetadataOf(s, "reservation_id"), active);
  EXPECT_EQ(MetadataOf(s, "state"), "ACTIVE");

  // An inactive location takes no returns.
  v1::UpsertLocationRequest off;
  off.set_request_id(LiveServer::NextId());
  off.mutable_location()->set_location_id("s3");
  off.mutable_location()->set_name("closed");
  off.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
  off.mutable_location()->set_active(false);
  v1::UpsertLocationResponse upserted;
  ASSERT_TRUE(server_.locations().UpsertLocation(Ctx().get(), off, &upserted).ok());
  s = Create(ReturnOf(sold, "s3", {{"shoe", 1, kRestock}}), &resp);
  EXPECT_TRUE(IsError(s, StatusCode::FAILED_PRECONDITION, "LOCATION_INACTIVE"));
  EXPECT_EQ(MetadataOf(s, "location"), "s3");

  v1::ResolveReturnResponse resolved;
  s = Resolve(ResolveOf("ret_nope", {{"shoe", 1, kRestock}}), &resolved);
  EXPECT_TRUE(IsError(s, StatusCode::NOT_FOUND));
  v1::GetReturnRequest get;
  get.set_return_id("ret_nope");
  v1::GetReturnResponse got;
  EXPECT_TRUE(IsError(server_.returns().GetReturn(Ctx().get(), get, &got), StatusCode::NOT_FOUND));
  EXPECT_EQ(OnHand("shoe", "s2"), 0);
}

TEST_F(ReturnTest, CustomerOfAnOrder_IsTheOrders_AndAnotherOneIsRefused) {
  std::string order = SellOrder("alice", {{"shoe", 2}});
  v1::CreateReturnRequest req = ReturnOf(order, "s2", {{"shoe", 1, kRestock}});
  req.set_customer_id("mallory");
  v1::CreateReturnResponse resp;
  EXPECT_TRUE(IsError(Create(req, &resp), StatusCode::INVALID_ARGUMENT, "", "customer_id"));
  req.set_request_id(LiveServer::NextId());
  req.set_customer_id("alice");
  ASSERT_TRUE(Create(req, &resp).ok());
  EXPECT_EQ(resp.return_().customer_id(), "alice");
}

TEST_F(ReturnTest, MalformedRequests_NameTheirField) {
  std::string sale = SellAtTill("shoe", 2);
  struct Case {
    std::string field;
    std::function<void(v1::CreateReturnRequest&)> change;
  };
  std::vector<Case> cases = {
      {"request_id", [](auto& r) { r.clear_request_id(); }},
      {"order_id", [](auto& r) { r.clear_reservation_id(); }},
      {"reservation_id", [](auto& r) { r.set_order_id("ord_x"); }},
      {"location_id", [](auto& r) { r.clear_location_id(); }},
      {"customer_id", [](auto& r) { r.set_customer_id("has space"); }},
      {"lines", [](auto& r) { r.clear_lines(); }},
      {"lines[0].sku", [](auto& r) { r.mutable_lines(0)->clear_sku(); }},
      {"lines[0].quantity", [](auto& r) { r.mutable_lines(0)->set_quantity(0); }},
      {"lines[0].quantity", [](auto& r) { r.mutable_lines(0)->set_quantity(-1); }},
      {"lines[0].disposition",
       [](auto& r) { r.mutable_lines(0)->set_disposition(v1::DISPOSITION_UNSPECIFIED); }},
      {"lines[1].disposition",
       [](auto& r) {
         auto* l = r.add_lines();
         l->set_sku("shoe");
         l->set_quantity(1);
         l->set_disposition(static_cast<v1::Disposition>(99));
       }},
      {"reason", [](auto& r) { r.set_reason(std::string(300, 'x')); }},
      {"reference", [](auto& r) { r.set_reference("a\nb"); }},
  };
  for (const auto& c : cases) {
    v1::CreateReturnRequest req = ReturnOf(sale, "s2", {{"shoe", 1, kRestock}});
    c.change(req);
    v1::CreateReturnResponse resp;
    EXPECT_TRUE(IsError(Create(req, &resp), StatusCode::INVALID_ARGUMENT, "", c.field)) << c.field;
  }
  v1::Return open = CreateOk(ReturnOf(sale, "s2", {{"shoe", 1, kInspect}}));
  v1::ResolveReturnResponse resolved;
  for (auto [field, req] : std::vector<std::pair<std::string, v1::ResolveReturnRequest>>{
           {"return_id", ResolveOf("", {{"shoe", 1, kRestock}})},
           {"lines", ResolveOf(open.return_id(), {})},
           {"lines[0].disposition", ResolveOf(open.return_id(), {{"shoe", 1, kInspect}})},
           {"lines[0].disposition",
            ResolveOf(open.return_id(), {{"shoe", 1, v1::DISPOSITION_UNSPECIFIED}})},
           {"lines[0].quantity", ResolveOf(open.return_id(), {{"shoe", 0, kRestock}})}}) {
    EXPECT_TRUE(IsError(Resolve(req, &resolved), StatusCode::INVALID_ARGUMENT, "", field)) << field;
  }
  v1::ListReturnsRequest both;
  both.set_customer_id("a");
  both.set_location_id("s2");
  v1::ListReturnsResponse listed;
  EXPECT_TRUE(IsError(server_.returns().ListReturns(Ctx().get(), both, &listed),
                      StatusCode::INVALID_ARGUMENT, "", "customer_id"));
  v1::ListReturnsRequest token;
  token.set_page_token("zz");
  EXPECT_TRUE(IsError(server_.returns().ListReturns(Ctx().get(), token, &listed),
                      StatusCode::INVALID_ARGUMENT, "", "page_token"));
  v1::GetReturnRequest get;
  v1::GetReturnResponse got;
  EXPECT_TRUE(IsError(server_.returns().GetReturn(Ctx().get(), get, &got),
                      StatusCode::INVALID_ARGUMENT, "", "return_id"));
  EXPECT_EQ(Get(open.return_id()).lines(0).quarantined(), 1);
}

TEST_F(ReturnTest, ListReturns_ByCustomerAndByLocation_NewestFirst_PagedWithoutGaps) {
  std::vector<std::string> alice, at_s2;
  for (int i = 0; i < 5; ++i) {
    std::string order = SellOrder("alice", {{"shoe", 1}});
    const char* where = i % 2 ? "s3" : "s2";
    alice.push_back(CreateOk(ReturnOf(order, where, {{"shoe", 1, kRestock}})).return_id());
    if (i % 2 == 0) at_s2.push_back(alice.back());
    clock_.Advance(std::chrono::seconds(1));
  }
  // A till sale takes the customer_id given.
  v1::CreateReturnRequest till = ReturnOf(SellAtTill("sock", 1), "s2", {{"sock", 1, kRestock}});
  till.set_customer_id("alice");
  alice.push_back(CreateOk(till).return_id());
  at_s2.push_back(alice.back());
  CreateOk(ReturnOf(SellOrder("bob", {{"sock", 1}}), "s3", {{"sock", 1, kRestock}}));

  auto list = [&](v1::ListReturnsRequest req) {
    std::vector<std::string> ids;
    int pages = 0;
    req.set_page_size(2);
    do {
      v1::ListReturnsResponse resp;
      grpc::Status s = server_.returns().ListReturns(Ctx().get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& r : resp.returns()) ids.push_back(r.return_id());
      req.set_page_token(resp.next_page_token());
      ++pages;
    } while (!req.page_token().empty());
    return std::make_pair(ids, pages);
  };
  v1::ListReturnsRequest by_customer;
  by_customer.set_customer_id("alice");
  auto [mine, pages] = list(by_customer);
  EXPECT_EQ(mine, std::vector<std::string>(alice.rbegin(), alice.rend()));
  EXPECT_EQ(pages, 3);
  v1::ListReturnsRequest by_location;
  by_location.set_location_id("s2");
  EXPECT_EQ(list(by_location).first, std::vector<std::string>(at_s2.rbegin(), at_s2.rend()));
  EXPECT_EQ(list(v1::ListReturnsRequest()).first.size(), alice.size() + 1);
}

TEST_F(ReturnTest, RetriedCreateAndResolve_AnswerByteIdentically_AndChangeNothing) {
  std::string sale = SellAtTill("shoe", 4);
  v1::CreateReturnRequest req =
      ReturnOf(sale, "s2", {{"shoe", 2, kRestock}, {"shoe", 2, kInspect}});
  v1::CreateReturnResponse first, again;
  ASSERT_TRUE(Create(req, &first).ok());
  clock_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(Create(req, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(OnHand("shoe", "s2"), 2);
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 2);
  EXPECT_EQ(Movements("shoe", "s2").size(), 1u);

  v1::ResolveReturnRequest resolve =
      ResolveOf(first.return_().return_id(), {{"shoe", 1, kRestock}});
  v1::ResolveReturnResponse r1, r2;
  ASSERT_TRUE(Resolve(resolve, &r1).ok());
  ASSERT_TRUE(Resolve(resolve, &r2).ok());
  EXPECT_EQ(r2.SerializeAsString(), r1.SerializeAsString());
  EXPECT_EQ(OnHand("shoe", "s2"), 3);
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 1);
  EXPECT_EQ(Movements("shoe", "s2").size(), 2u);

  // The same ids with another payload.
  req.mutable_lines(0)->set_quantity(1);
  EXPECT_TRUE(IsError(Create(req, &again), StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
  resolve.mutable_lines(0)->set_disposition(kDamaged);
  EXPECT_TRUE(IsError(Resolve(resolve, &r2), StatusCode::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
  EXPECT_EQ(OnHand("shoe", "s2"), 3);
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 1);
  EXPECT_EQ(Movements("shoe", "s2").size(), 2u);
}

}  // namespace
}  // namespace oms::testing

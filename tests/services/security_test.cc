// Security against the real server: the authorization matrix (every RPC x every role x
// own/other store), store scope checked by the writer, tokens files and rate limits. TLS,
// health, metrics and the message size limit are in server_ops_test.cc.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/services/auth_fixture.h"

namespace oms::testing {
namespace {

using grpc::StatusCode;
constexpr StatusCode OK = StatusCode::OK;
constexpr StatusCode DENIED = StatusCode::PERMISSION_DENIED;

// One RPC, called at a store ("s1" is the store token's own, "s2" another).
struct Row {
  std::string name;
  std::function<StatusCode(AuthTest*, const Client&, const std::string& store)> call;
  StatusCode admin, checkout, store_own, store_other, viewer;
};

class AuthMatrixTest : public AuthTest {
 public:
  std::vector<Row> Rows();
};

template <typename Req, typename Resp, typename Stub, typename Method>
StatusCode Call(const Client& c, Stub& stub, Method method, const Req& req) {
  Resp resp;
  return ((*stub).*method)(c.Ctx().get(), req, &resp).error_code();
}

std::vector<Row> AuthMatrixTest::Rows() {
  std::vector<Row> rows;
  auto read = [&](std::string name, auto fn) {
    rows.push_back({std::move(name), fn, OK, OK, OK, OK, OK});
  };
  read("GetLocation", [](AuthTest*, const Client& c, const std::string& s) {
    v1::GetLocationRequest r;
    r.set_location_id(s);
    return Call<v1::GetLocationRequest, v1::GetLocationResponse>(
        c, c.loc, &v1::LocationService::Stub::GetLocation, r);
  });
  read("ListLocations", [](AuthTest*, const Client& c, const std::string&) {
    return Call<v1::ListLocationsRequest, v1::ListLocationsResponse>(
        c, c.loc, &v1::LocationService::Stub::ListLocations, v1::ListLocationsRequest());
  });
  read("ListLocationGroups", [](AuthTest*, const Client& c, const std::string&) {
    return Call<v1::ListLocationGroupsRequest, v1::ListLocationGroupsResponse>(
        c, c.loc, &v1::LocationService::Stub::ListLocationGroups, v1::ListLocationGroupsRequest());
  });
  read("GetAvailability", [](AuthTest*, const Client& c, const std::string& s) {
    v1::GetAvailabilityRequest r;
    r.add_skus("a");
    r.set_location_id(s);
    return Call<v1::GetAvailabilityRequest, v1::GetAvailabilityResponse>(
        c, c.inv, &v1::InventoryService::Stub::GetAvailability, r);
  });
  read("ListStock", [](AuthTest*, const Client& c, const std::string& s) {
    v1::ListStockRequest r;
    r.set_location_id(s);
    return Call<v1::ListStockRequest, v1::ListStockResponse>(
        c, c.inv, &v1::InventoryService::Stub::ListStock, r);
  });
  read("ListMovements", [](AuthTest*, const Client& c, const std::string& s) {
    v1::ListMovementsRequest r;
    r.set_location_id(s);
    return Call<v1::ListMovementsRequest, v1::ListMovementsResponse>(
        c, c.inv, &v1::InventoryService::Stub::ListMovements, r);
  });
  read("GetReservation", [](AuthTest* t, const Client& c, const std::string& s) {
    v1::GetReservationRequest r;
    r.set_reservation_id(t->ReserveAs(t->admin_, s, v1::CHANNEL_POS));
    return Call<v1::GetReservationRequest, v1::GetReservationResponse>(
        c, c.res, &v1::ReservationService::Stub::GetReservation, r);
  });
  read("ListReservations", [](AuthTest*, const Client& c, const std::string&) {
    return Call<v1::ListReservationsRequest, v1::ListReservationsResponse>(
        c, c.res, &v1::ReservationService::Stub::ListReservations, v1::ListReservationsRequest());
  });
  read("GetOrder", [](AuthTest* t, const Client& c, const std::string& s) {
    v1::GetOrderRequest r;
    r.set_order_id(t->OrderAt(s));
    return Call<v1::GetOrderRequest, v1::GetOrderResponse>(c, c.ord,
                                                           &v1::OrderService::Stub::GetOrder, r);
  });
  read("ListOrders", [](AuthTest*, const Client& c, const std::string& s) {
    v1::ListOrdersRequest r;
    r.set_pickup_location_id(s);
    return Call<v1::ListOrdersRequest, v1::ListOrdersResponse>(
        c, c.ord, &v1::OrderService::Stub::ListOrders, r);
  });
  read("GetReturn", [](AuthTest* t, const Client& c, const std::string& s) {
    v1::GetReturnRequest r;
    r.set_return_id(t->OpenReturnAt(s));
    return Call<v1::GetReturnRequest, v1::GetReturnResponse>(
        c, c.ret, &v1::ReturnService::Stub::GetReturn, r);
  });
  read("ListReturns", [](AuthTest*, const Client& c, const std::string& s) {
    v1::ListReturnsRequest r;
    r.set_location_id(s);
    return Call<v1::ListReturnsRequest, v1::ListReturnsResponse>(
        c, c.ret, &v1::ReturnService::Stub::ListReturns, r);
  });
  read("GetFutureAvailability", [](AuthTest*, const Client& c, const std::string& s) {
    v1::GetFutureAvailabilityRequest r;
    r.add_skus("a");
    r.set_location_id(s);
    return Call<v1::GetFutureAvailabilityRequest, v1::GetFutureAvailabilityResponse>(
        c, c.inv, &v1::InventoryService::Stub::GetFutureAvailability, r);
  });
  read("GetInbound", [](AuthTest* t, const Client& c, const std::string& s) {
    v1::GetInboundRequest r;
    r.set_inbound_id(t->InboundAt(s));
    return Call<v1::GetInboundRequest, v1::GetInboundResponse>(
        c, c.inb, &v1::InboundService::Stub::GetInbound, r);
  });
  read("ListInbound", [](AuthTest*, const Client& c, const std::string& s) {
    v1::ListInboundRequest r;
    r.set_location_id(s);
    return Call<v1::ListInboundRequest, v1::ListInboundResponse>(
        c, c.inb, &v1::InboundService::Stub::ListInbound, r);
  });
  auto admin_only = [&](std::string name, auto fn) {
    rows.push_back({std::move(name), fn, OK, DENIED, DENIED, DENIED, DENIED});
  };
  admin_only("UpsertLocation", [](AuthTest*, const Client& c, const std::string& s) {
    v1::UpsertLocationRequest r;
    r.set_request_id(LiveServer::NextId());
    r.mutable_location()->set_location_id(s);
    r.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
    r.mutable_location()->set_ship_enabled(true);
    r.mutable_location()->set_pickup_enabled(true);
    r.mutable_location()->set_active(true);
    return Call<v1::UpsertLocationRequest, v1::UpsertLocationResponse>(
        c, c.loc, &v1::LocationService::Stub::UpsertLocation, r);
  });
  admin_only("UpsertLocationGroup", [](AuthTest*, const Client& c, const std::string& s) {
    v1::UpsertLocationGroupRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_group_id("online");
    r.add_location_ids(s);
    return Call<v1::UpsertLocationGroupRequest, v1::UpsertLocationGroupResponse>(
        c, c.loc, &v1::LocationService::Stub::UpsertLocationGroup, r);
  });
  admin_only("SetSafetyStock", [](AuthTest*, const Client& c, const std::string& s) {
    v1::SetSafetyStockRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_sku("a");
    r.set_location_id(s);
    r.set_safety_stock(1);
    return Call<v1::SetSafetyStockRequest, v1::SetSafetyStockResponse>(
        c, c.inv, &v1::InventoryService::Stub::SetSafetyStock, r);
  });
  admin_only("ImportStock", [](AuthTest*, const Client& c, const std::string& s) {
    v1::ImportStockRequest r;
    r.set_request_id(LiveServer::NextId());
    auto* row = r.add_rows();
    row->set_sku("b");
    row->set_location_id(s);
    row->set_on_hand(5);
    return Call<v1::ImportStockRequest, v1::ImportStockResponse>(
        c, c.inv, &v1::InventoryService::Stub::ImportStock, r);
  });
  auto store_scoped = [&](std::string name, StatusCode checkout, auto fn) {
    rows.push_back({std::move(name), fn, OK, checkout, OK, DENIED, DENIED});
  };
  store_scoped("AdjustStock", DENIED, [](AuthTest*, const Client& c, const std::string& s) {
    v1::AdjustStockRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_sku("a");
    r.set_location_id(s);
    r.set_delta(-1);
    r.set_reason(v1::MOVEMENT_REASON_DAMAGED);
    return Call<v1::AdjustStockRequest, v1::AdjustStockResponse>(
        c, c.inv, &v1::InventoryService::Stub::AdjustStock, r);
  });
  store_scoped("SetStock", DENIED, [](AuthTest*, const Client& c, const std::string& s) {
    v1::SetStockRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_sku("a");
    r.set_location_id(s);
    r.set_on_hand(900);
    return Call<v1::SetStockRequest, v1::SetStockResponse>(
        c, c.inv, &v1::InventoryService::Stub::SetStock, r);
  });
  store_scoped("TransferStock", DENIED, [](AuthTest*, const Client& c, const std::string& s) {
    v1::TransferStockRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_sku("a");
    r.set_from_location_id(s);
    r.set_to_location_id(s == "s1" ? "s2" : "s1");
    r.set_quantity(1);
    return Call<v1::TransferStockRequest, v1::TransferStockResponse>(
        c, c.inv, &v1::InventoryService::Stub::TransferStock, r);
  });
  store_scoped("CreateReservation(POS)", OK,
               [](AuthTest* t, const Client& c, const std::string& s) {
                 grpc::Status status;
                 t->ReserveAs(c, s, v1::CHANNEL_POS, &status);
                 return status.error_code();
               });
  store_scoped("CommitReservation", OK, [](AuthTest* t, const Client& c, const std::string& s) {
    v1::CommitReservationRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_reservation_id(t->ReserveAs(t->admin_, s, v1::CHANNEL_POS));
    return Call<v1::CommitReservationRequest, v1::CommitReservationResponse>(
        c, c.res, &v1::ReservationService::Stub::CommitReservation, r);
  });
  store_scoped("ReleaseReservation", OK, [](AuthTest* t, const Client& c, const std::string& s) {
    v1::ReleaseReservationRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_reservation_id(t->ReserveAs(t->admin_, s, v1::CHANNEL_POS));
    return Call<v1::ReleaseReservationRequest, v1::ReleaseReservationResponse>(
        c, c.res, &v1::ReservationService::Stub::ReleaseReservation, r);
  });
  store_scoped("ExtendReservation", OK, [](AuthTest* t, const Client& c, const std::string& s) {
    v1::ExtendReservationRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_reservation_id(t->ReserveAs(t->admin_, s, v1::CHANNEL_POS));
    r.mutable_ttl()->set_seconds(60);
    return Call<v1::ExtendReservationRequest, v1::ExtendReservationResponse>(
        c, c.res, &v1::ReservationService::Stub::ExtendReservation, r);
  });
  store_scoped("CancelOrder", OK, [](AuthTest* t, const Client& c, const std::string& s) {
    v1::CancelOrderRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_order_id(t->OrderAt(s));
    return Call<v1::CancelOrderRequest, v1::CancelOrderResponse>(
        c, c.ord, &v1::OrderService::Stub::CancelOrder, r);
  });
  store_scoped("StartPicking", DENIED, [](AuthTest* t, const Client& c, const std::string& s) {
    v1::StartPickingRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_order_id(t->OrderAt(s));
    return Call<v1::StartPickingRequest, v1::StartPickingResponse>(
        c, c.ord, &v1::OrderService::Stub::StartPicking, r);
  });
  // Returns: a store token takes them at its own stores and resolves its stores' returns;
  // checkout takes them (a web sale's return) but does not inspect.
  store_scoped("CreateReturn", OK, [](AuthTest* t, const Client& c, const std::string& s) {
    return Call<v1::CreateReturnRequest, v1::CreateReturnResponse>(
        c, c.ret, &v1::ReturnService::Stub::CreateReturn,
        ReturnRequest(t->SoldAt(s), s, v1::DISPOSITION_RESTOCK));
  });
  store_scoped("ResolveReturn", DENIED, [](AuthTest* t, const Client& c, const std::string& s) {
    return Call<v1::ResolveReturnRequest, v1::ResolveReturnResponse>(
        c, c.ret, &v1::ReturnService::Stub::ResolveReturn, ResolveRequest(t->OpenReturnAt(s)));
  });
  // Inbound supply: announced, moved, cancelled and received by a store token at its own
  // stores only (the writer checks the inbound's store), never by checkout.
  store_scoped("ExpectInbound", DENIED, [](AuthTest*, const Client& c, const std::string& s) {
    return Call<v1::ExpectInboundRequest, v1::ExpectInboundResponse>(
        c, c.inb, &v1::InboundService::Stub::ExpectInbound, InboundRequest(s));
  });
  store_scoped("RescheduleInbound", DENIED, [](AuthTest* t, const Client& c, const std::string& s) {
    v1::RescheduleInboundRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_inbound_id(t->InboundAt(s));
    *r.mutable_expected_at() = InboundRequest(s).expected_at();
    r.mutable_expected_at()->set_seconds(r.expected_at().seconds() + 3600);
    return Call<v1::RescheduleInboundRequest, v1::RescheduleInboundResponse>(
        c, c.inb, &v1::InboundService::Stub::RescheduleInbound, r);
  });
  store_scoped("CancelInbound", DENIED, [](AuthTest* t, const Client& c, const std::string& s) {
    v1::CancelInboundRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_inbound_id(t->InboundAt(s));
    return Call<v1::CancelInboundRequest, v1::CancelInboundResponse>(
        c, c.inb, &v1::InboundService::Stub::CancelInbound, r);
  });
  store_scoped("ReceiveInbound", DENIED, [](AuthTest* t, const Client& c, const std::string& s) {
    v1::ReceiveInboundRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_inbound_id(t->InboundAt(s));
    auto* line = r.add_lines();
    line->set_sku("a");
    line->set_quantity(2);
    return Call<v1::ReceiveInboundRequest, v1::ReceiveInboundResponse>(
        c, c.inb, &v1::InboundService::Stub::ReceiveInbound, r);
  });
  rows.push_back({"PlaceOrder",
                  [](AuthTest*, const Client& c, const std::string& s) {
                    v1::PlaceOrderRequest r;
                    r.set_request_id(LiveServer::NextId());
                    r.set_customer_id("cust");
                    r.set_pickup_location_id(s);
                    auto* line = r.add_lines();
                    line->set_sku("a");
                    line->set_quantity(1);
                    return Call<v1::PlaceOrderRequest, v1::PlaceOrderResponse>(
                        c, c.ord, &v1::OrderService::Stub::PlaceOrder, r);
                  },
                  OK, OK, DENIED, DENIED, DENIED});
  rows.push_back({"CreateReservation(ONLINE)",
                  [](AuthTest* t, const Client& c, const std::string& s) {
                    grpc::Status status;
                    t->ReserveAs(c, s, v1::CHANNEL_ONLINE, &status);
                    return status.error_code();
                  },
                  OK, OK, DENIED, DENIED, DENIED});
  return rows;
}

TEST_F(AuthMatrixTest, EveryRpc_ForEveryRoleAndStore_GetsExactlyTheExpectedStatus) {
  Client checkout(server_, kCheckout), store(server_, kStore), viewer(server_, kViewer),
      nobody(server_, ""), stranger(server_, "not-a-known-token-123");
  for (const Row& row : Rows()) {
    EXPECT_EQ(row.call(this, admin_, "s1"), row.admin) << row.name << " as admin";
    EXPECT_EQ(row.call(this, checkout, "s1"), row.checkout) << row.name << " as checkout";
    EXPECT_EQ(row.call(this, store, "s1"), row.store_own) << row.name << " as store at s1";
    EXPECT_EQ(row.call(this, store, "s2"), row.store_other) << row.name << " as store at s2";
    EXPECT_EQ(row.call(this, viewer, "s1"), row.viewer) << row.name << " as viewer";
    EXPECT_EQ(row.call(this, nobody, "s1"), StatusCode::UNAUTHENTICATED) << row.name;
    EXPECT_EQ(row.call(this, stranger, "s1"), StatusCode::UNAUTHENTICATED) << row.name;
  }
}

// Store-scoped calls on reservations and orders: the writer checks the scope against the
// reservation's lines or the order's pickup store, from its own state, atomically with the
// effect. No read on the gRPC thread decides it, so a failing read can never allow a call.
class StoreScopeTest : public AuthTest {
 protected:
  StoreScopeTest() : store_(server_, kStore) {}

  grpc::Status Commit(const Client& c, const std::string& id) {
    v1::CommitReservationRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_reservation_id(id);
    v1::CommitReservationResponse resp;
    return c.res->CommitReservation(c.Ctx().get(), r, &resp);
  }
  grpc::Status Release(const Client& c, const std::string& id) {
    v1::ReleaseReservationRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_reservation_id(id);
    v1::ReleaseReservationResponse resp;
    return c.res->ReleaseReservation(c.Ctx().get(), r, &resp);
  }
  grpc::Status Extend(const Client& c, const std::string& id) {
    v1::ExtendReservationRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_reservation_id(id);
    r.mutable_ttl()->set_seconds(60);
    v1::ExtendReservationResponse resp;
    return c.res->ExtendReservation(c.Ctx().get(), r, &resp);
  }
  grpc::Status Cancel(const Client& c, const std::string& id) {
    v1::CancelOrderRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_order_id(id);
    v1::CancelOrderResponse resp;
    return c.ord->CancelOrder(c.Ctx().get(), r, &resp);
  }
  grpc::Status StartPicking(const Client& c, const std::string& id) {
    v1::StartPickingRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_order_id(id);
    v1::StartPickingResponse resp;
    return c.ord->StartPicking(c.Ctx().get(), r, &resp);
  }
  v1::Reservation GetReservation(const std::string& id) {
    v1::GetReservationRequest r;
    r.set_reservation_id(id);
    v1::GetReservationResponse resp;
    EXPECT_TRUE(admin_.res->GetReservation(admin_.Ctx().get(), r, &resp).ok());
    return resp.reservation();
  }
  v1::Order GetOrder(const std::string& id) {
    v1::GetOrderRequest r;
    r.set_order_id(id);
    v1::GetOrderResponse resp;
    EXPECT_TRUE(admin_.ord->GetOrder(admin_.Ctx().get(), r, &resp).ok());
    return resp.order();
  }
  // {on_hand, reserved} of "a" at `store`.
  std::pair<int64_t, int64_t> Level(const std::string& store) {
    v1::GetAvailabilityRequest r;
    r.add_skus("a");
    r.set_location_id(store);
    v1::GetAvailabilityResponse resp;
    EXPECT_TRUE(admin_.inv->GetAvailability(admin_.Ctx().get(), r, &resp).ok());
    if (resp.availability_size() != 1 || resp.availability(0).locations_size() != 1) return {};
    const auto& l = resp.availability(0).locations(0);
    return {l.on_hand(), l.reserved()};
  }

  Client store_;
};

TEST_F(StoreScopeTest, StoreToken_AtAnotherStore_IsDenied_AndNothingChanges) {
  std::string active = ReserveAs(admin_, "s2", v1::CHANNEL_POS);
  std::string released = ReserveAs(admin_, "s2", v1::CHANNEL_POS);
  ASSERT_TRUE(Release(admin_, released).ok());
  std::string order = OrderAt("s2");
  std::pair<int64_t, int64_t> before = Level("s2");

  for (const std::string& id : {active, released}) {
    grpc::Status s = Commit(store_, id);
    EXPECT_EQ(s.error_code(), DENIED) << id;
    // Another store's reservation state is not revealed, not even that it ended.
    EXPECT_EQ(s.error_message().find("RELEASED"), std::string::npos) << s.error_message();
    EXPECT_EQ(Release(store_, id).error_code(), DENIED) << id;
    EXPECT_EQ(Extend(store_, id).error_code(), DENIED) << id;
  }
  EXPECT_EQ(Cancel(store_, order).error_code(), DENIED);
  EXPECT_EQ(StartPicking(store_, order).error_code(), DENIED);

  EXPECT_EQ(GetReservation(active).state(), v1::RESERVATION_STATE_ACTIVE);
  EXPECT_EQ(GetReservation(released).state(), v1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(GetOrder(order).state(), v1::ORDER_STATE_PLACED);
  EXPECT_EQ(Level("s2"), before);
}

TEST_F(StoreScopeTest, StoreToken_WhileReadsFail_IsNeverAllowedAtAnotherStore) {
  std::string reservation = ReserveAs(admin_, "s2", v1::CHANNEL_POS);
  std::string held = ReserveAs(admin_, "s2", v1::CHANNEL_POS);
  std::string order = OrderAt("s2");
  std::pair<int64_t, int64_t> before = Level("s2");

  FaultVfs::FailReaders(true);
  v1::GetReservationRequest get;
  get.set_reservation_id(reservation);
  v1::GetReservationResponse got;
  ASSERT_FALSE(admin_.res->GetReservation(admin_.Ctx().get(), get, &got).ok()) << "reads work";
  EXPECT_NE(Commit(store_, reservation).error_code(), OK);
  EXPECT_NE(Release(store_, held).error_code(), OK);
  EXPECT_NE(Extend(store_, held).error_code(), OK);
  EXPECT_NE(Cancel(store_, order).error_code(), OK);
  EXPECT_NE(StartPicking(store_, order).error_code(), OK);
  FaultVfs::FailReaders(false);

  EXPECT_EQ(GetReservation(reservation).state(), v1::RESERVATION_STATE_ACTIVE);
  EXPECT_EQ(GetReservation(held).state(), v1::RESERVATION_STATE_ACTIVE);
  EXPECT_EQ(GetOrder(order).state(), v1::ORDER_STATE_PLACED);
  EXPECT_EQ(Level("s2"), before);
}

TEST_F(StoreScopeTest, StoreToken_AtItsOwnStore_NeedsNoRead) {
  std::string reservation = ReserveAs(admin_, "s1", v1::CHANNEL_POS);
  std::string order = OrderAt("s1");
  FaultVfs::FailReaders(true);
  EXPECT_TRUE(Commit(store_, reservation).ok());
  EXPECT_TRUE(StartPicking(store_, order).ok());
  FaultVfs::FailReaders(false);
  EXPECT_EQ(GetReservation(reservation).state(), v1::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(GetOrder(order).state(), v1::ORDER_STATE_PICKING);
}

TEST_F(StoreScopeTest, StoreToken_ReturnsAtAnotherStore_AreDenied_AndNothingChanges) {
  std::string open = OpenReturnAt("s2");
  std::string sale = SoldAt("s2");
  std::pair<int64_t, int64_t> before = Level("s2");
  v1::GetReturnRequest get;
  get.set_return_id(open);
  v1::GetReturnResponse was;
  ASSERT_TRUE(admin_.ret->GetReturn(admin_.Ctx().get(), get, &was).ok());

  v1::ResolveReturnResponse resolved;
  grpc::Status s = store_.ret->ResolveReturn(store_.Ctx().get(), ResolveRequest(open), &resolved);
  EXPECT_EQ(s.error_code(), DENIED);
  v1::CreateReturnResponse created;
  s = store_.ret->CreateReturn(store_.Ctx().get(),
                               ReturnRequest(sale, "s2", v1::DISPOSITION_RESTOCK), &created);
  EXPECT_EQ(s.error_code(), DENIED);
  v1::GetReturnResponse is;
  ASSERT_TRUE(admin_.ret->GetReturn(admin_.Ctx().get(), get, &is).ok());
  EXPECT_EQ(is.SerializeAsString(), was.SerializeAsString());
  EXPECT_EQ(Level("s2"), before);

  // Its own store takes the other store's sale back (return anywhere), as its own token.
  std::pair<int64_t, int64_t> own = Level("s1");
  s = store_.ret->CreateReturn(store_.Ctx().get(),
                               ReturnRequest(sale, "s1", v1::DISPOSITION_RESTOCK), &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(created.movements_size(), 1);
  EXPECT_EQ(created.movements(0).actor(), "till-s1");
  EXPECT_EQ(created.movements(0).reference(), created.return_().return_id());
  EXPECT_EQ(Level("s1").first, own.first + 1);
  EXPECT_EQ(Level("s2"), before);
}

TEST_F(AuthTest, Mutations_RecordTheTokenNameAsActor) {
  Client store(server_, kStore);
  v1::AdjustStockRequest r;
  r.set_request_id(LiveServer::NextId());
  r.set_sku("a");
  r.set_location_id("s1");
  r.set_delta(-1);
  r.set_reason(v1::MOVEMENT_REASON_LOST);
  v1::AdjustStockResponse resp;
  ASSERT_TRUE(store.inv->AdjustStock(store.Ctx().get(), r, &resp).ok());
  EXPECT_EQ(resp.movement().actor(), "till-s1");
}

TEST_F(AuthTest, WatchStreams_NeedAToken) {
  Client nobody(server_, "");
  auto ctx = nobody.Ctx();
  auto reader = nobody.inv->WatchAvailability(ctx.get(), v1::WatchAvailabilityRequest());
  v1::AvailabilityChanged e;
  EXPECT_FALSE(reader->Read(&e));
  EXPECT_EQ(reader->Finish().error_code(), StatusCode::UNAUTHENTICATED);
}

TEST(AuthStartTest, WithoutTokens_RefusesANonLoopbackAddress) {
  TempDir dir;
  services::ServerOptions o;
  o.listen = "0.0.0.0:0";
  o.db_path = dir.File("oms.db");
  auto started = services::Server::Start(o);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(started.status().message().find("--tokens"), std::string::npos);
}

TEST(AuthStartTest, TokensFile_Errors_NameTheLine) {
  EXPECT_FALSE(services::TokenTable::Parse("short admin\n").ok());
  auto bad_role = services::TokenTable::Parse("# c\nabcdefghijklmnopqrstu wizard\n");
  ASSERT_FALSE(bad_role.ok());
  EXPECT_NE(bad_role.status().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(services::TokenTable::Parse("abcdefghijklmnopqrstu store\n").ok());
  auto good = services::TokenTable::Parse("abcdefghijklmnopqrstu store s1,s2 name=till\n");
  ASSERT_TRUE(good.ok());
  const services::Principal* p = (*good)->Find("abcdefghijklmnopqrstu");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "till");
  EXPECT_EQ(p->stores, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ((*good)->Find("abcdefghijklmnopqrst"), nullptr);
}

TEST(RateLimitTest, OverTheTokenRate_IsResourceExhaustedWithRetryInfo) {
  TempDir dir;
  services::ServerOptions o;
  o.auth.tokens_path = WriteTokens(dir);
  o.auth.rate_per_token = 5;  // burst 10
  LiveServer server(o);
  Client admin(server, kAdmin);
  int limited = 0, ok = 0;
  for (int i = 0; i < 30; ++i) {
    v1::ListLocationsResponse resp;
    grpc::Status s = admin.loc->ListLocations(admin.Ctx().get(), {}, &resp);
    if (s.ok()) ++ok;
    if (s.error_code() == StatusCode::RESOURCE_EXHAUSTED) {
      ++limited;
      EXPECT_EQ(ReasonOf(s), "RATE_LIMITED");
    }
  }
  EXPECT_GE(ok, 10);
  EXPECT_LT(ok, 20);
  EXPECT_EQ(ok + limited, 30);
}

}  // namespace
}  // namespace oms::testing

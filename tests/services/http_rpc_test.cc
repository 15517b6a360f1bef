// Every unary oms.v1 RPC over HTTP/JSON, found in the generated descriptor pool so a new RPC is
// covered without editing this file; then the main flows as real JSON round trips, each read
// back over gRPC, and idempotency across the two transports.
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "oms/v1/admin_service.grpc.pb.h"
#include "tests/services/http_fixture.h"

namespace oms::testing {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::ServiceDescriptor;

// Every service of package oms.v1 the binary links: one proto file per service under
// protos/oms/v1/, so a new file's services join too.
std::vector<const ServiceDescriptor*> OmsServices() {
  std::vector<const ServiceDescriptor*> services;
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OMS_SOURCE_DIR) + "/protos/oms/v1")) {
    if (entry.path().extension() == ".proto") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  for (const auto& name : files) {
    const auto* file = DescriptorPool::generated_pool()->FindFileByName("oms/v1/" + name);
    EXPECT_NE(file, nullptr) << name << " is not linked into the test";
    if (file == nullptr) continue;
    for (int i = 0; i < file->service_count(); ++i) {
      if (file->service(i)->file()->package() == "oms.v1") services.push_back(file->service(i));
    }
  }
  return services;
}

class HttpRpcTest : public HttpServerTest {};

TEST_F(HttpRpcTest, EveryUnaryRpc_AnswersJson_NeverUnimplementedOrInternal) {
  server_.AddLocation("s1");
  server_.Receive("a", "s1", 5);
  int methods = 0;
  for (const ServiceDescriptor* service : OmsServices()) {
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* method = service->method(i);
      if (method->client_streaming() || method->server_streaming()) continue;
      ++methods;
      SCOPED_TRACE(method->full_name());
      // An empty request: most answer invalid_argument, reads answer a (possibly empty) page.
      HttpResponse r = HttpPost(port(), "/" + service->full_name() + "/" + method->name(), "{}");
      ASSERT_NE(r.status, 0);
      EXPECT_EQ(r.header("content-type").find("application/json"), 0u) << r.header("content-type");
      if (r.status == 200) {
        const auto* type = method->output_type();
        std::unique_ptr<google::protobuf::Message> out(
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
        EXPECT_TRUE(FromJson(r.body, out.get()));
        continue;
      }
      ConnectError e = ConnectErrorOf(r.body);
      ASSERT_TRUE(e.parsed) << r.status << " " << r.body;
      EXPECT_EQ(r.status, HttpStatusOfCode(e.code)) << r.body;
      EXPECT_NE(e.code, "unimplemented") << r.body;
      EXPECT_NE(e.code, "unknown") << r.body;
      EXPECT_NE(e.code, "internal") << r.body;
      // A 404 must be the service's not_found (with its reason), never "no such route".
      if (r.status == 404) {
        EXPECT_TRUE(e.has_error_info && e.domain == "oms.v1" && !e.reason.empty()) << r.body;
        EXPECT_NE(e.reason, "UNKNOWN_METHOD") << r.body;
        EXPECT_NE(e.reason, "UNKNOWN_PATH") << r.body;
      }
    }
  }
  // Location, inventory, reservation, order, return, inbound and admin: well over 30.
  EXPECT_GE(methods, 30);
}

TEST_F(HttpRpcTest, Responses_PrintPrimitiveFields_InLowerCamelCase) {
  server_.AddLocation("s1");
  v1::AdjustStockRequest req;
  req.set_request_id(LiveServer::NextId());
  req.set_sku("a");
  req.set_location_id("s1");
  req.set_delta(3);
  req.set_reason(v1::MOVEMENT_REASON_RECEIVED);
  HttpResponse r = CallJson(port(), "InventoryService", "AdjustStock", req);
  ASSERT_EQ(r.status, 200) << r.body;
  // Zero values are printed, names are lowerCamelCase.
  EXPECT_NE(r.body.find("\"shortfall\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"safetyStock\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"onHand\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("\"on_hand\""), std::string::npos) << r.body;
}

TEST_F(HttpRpcTest, LocationAndStock_RoundTrip_MatchGrpcReads) {
  v1::UpsertLocationRequest up;
  up.set_request_id(LiveServer::NextId());
  up.mutable_location()->set_location_id("s9");
  up.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
  up.mutable_location()->set_pickup_enabled(true);
  up.mutable_location()->set_active(true);
  v1::UpsertLocationResponse upped;
  ASSERT_TRUE(Call("LocationService", "UpsertLocation", up, &upped));
  v1::GetLocationRequest get;
  get.set_location_id("s9");
  v1::GetLocationResponse got;
  ASSERT_TRUE(server_.locations().GetLocation(Ctx().get(), get, &got).ok());
  EXPECT_TRUE(got.location().pickup_enabled());
  EXPECT_FALSE(got.location().ship_enabled());

  v1::AdjustStockRequest adj;
  adj.set_request_id(LiveServer::NextId());
  adj.set_sku("boot");
  adj.set_location_id("s9");
  adj.set_delta(7);
  adj.set_reason(v1::MOVEMENT_REASON_RECEIVED);
  v1::AdjustStockResponse adjusted;
  ASSERT_TRUE(Call("InventoryService", "AdjustStock", adj, &adjusted));
  EXPECT_EQ(adjusted.stock_level().on_hand(), 7);
  EXPECT_EQ(server_.Level("boot", "s9").on_hand(), 7);

  v1::GetAvailabilityRequest avail;
  avail.add_skus("boot");
  avail.set_location_id("s9");
  avail.set_channel(v1::CHANNEL_POS);
  v1::GetAvailabilityResponse shown;
  ASSERT_TRUE(Call("InventoryService", "GetAvailability", avail, &shown));
  ASSERT_EQ(shown.availability_size(), 1);
  EXPECT_EQ(shown.availability(0).sku(), "boot");

  v1::GetLocationRequest missing;
  missing.set_location_id("nowhere");
  EXPECT_TRUE(
      IsHttpError(CallJson(port(), "LocationService", "GetLocation", missing), "not_found"));
}

class HttpFlowTest : public HttpServerTest {
 public:
  HttpFlowTest() {
    server_.AddLocation("s1");
    server_.Receive("shoe", "s1", 10);
  }

  v1::Reservation Reserve(int64_t quantity) {
    v1::CreateReservationRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_channel(v1::CHANNEL_POS);
    auto* line = req.add_lines();
    line->set_sku("shoe");
    line->set_quantity(quantity);
    line->set_location_id("s1");
    v1::CreateReservationResponse resp;
    EXPECT_TRUE(Call("ReservationService", "CreateReservation", req, &resp));
    return resp.reservation();
  }

  v1::Order GrpcOrder(const std::string& id) {
    v1::GetOrderRequest req;
    req.set_order_id(id);
    v1::GetOrderResponse resp;
    EXPECT_TRUE(server_.orders().GetOrder(Ctx().get(), req, &resp).ok());
    return resp.order();
  }

  v1::Order PlaceOrder(int64_t quantity) {
    v1::PlaceOrderRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_customer_id("cust");
    req.set_pickup_location_id("s1");
    auto* line = req.add_lines();
    line->set_sku("shoe");
    line->set_quantity(quantity);
    v1::PlaceOrderResponse resp;
    EXPECT_TRUE(Call("OrderService", "PlaceOrder", req, &resp));
    return resp.order();
  }
};

TEST_F(HttpFlowTest, Reservation_CreateCommitRelease_OverJson) {
  v1::Reservation held = Reserve(3);
  ASSERT_FALSE(held.reservation_id().empty());
  EXPECT_EQ(held.state(), v1::RESERVATION_STATE_ACTIVE);
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 3);

  v1::CommitReservationRequest commit;
  commit.set_request_id(LiveServer::NextId());
  commit.set_reservation_id(held.reservation_id());
  v1::CommitReservationResponse committed;
  ASSERT_TRUE(Call("ReservationService", "CommitReservation", commit, &committed));
  EXPECT_EQ(committed.reservation().state(), v1::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 7);
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 0);

  v1::Reservation other = Reserve(2);
  v1::ReleaseReservationRequest release;
  release.set_request_id(LiveServer::NextId());
  release.set_reservation_id(other.reservation_id());
  v1::ReleaseReservationResponse released;
  ASSERT_TRUE(Call("ReservationService", "ReleaseReservation", release, &released));
  v1::GetReservationRequest get;
  get.set_reservation_id(other.reservation_id());
  v1::GetReservationResponse read;
  ASSERT_TRUE(server_.reservations().GetReservation(Ctx().get(), get, &read).ok());
  EXPECT_EQ(read.reservation().state(), v1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 0);
  // A second release of an ended reservation: a failed_precondition with its reason.
  release.set_request_id(LiveServer::NextId());
  HttpResponse again = CallJson(port(), "ReservationService", "ReleaseReservation", release);
  ConnectError e = ConnectErrorOf(again.body);
  EXPECT_TRUE(e.parsed && e.has_error_info && !e.reason.empty()) << again.body;
  EXPECT_EQ(again.status, HttpStatusOfCode(e.code));
}

TEST_F(HttpFlowTest, Order_ShortPick_WrongThenRightCode_OverJson) {
  v1::Order placed = PlaceOrder(3);
  ASSERT_EQ(placed.state(), v1::ORDER_STATE_PLACED);
  v1::StartPickingRequest pick;
  pick.set_request_id(LiveServer::NextId());
  pick.set_order_id(placed.order_id());
  v1::StartPickingResponse picking;
  ASSERT_TRUE(Call("OrderService", "StartPicking", pick, &picking));
  EXPECT_EQ(GrpcOrder(placed.order_id()).state(), v1::ORDER_STATE_PICKING);

  v1::MarkReadyRequest ready;
  ready.set_request_id(LiveServer::NextId());
  ready.set_order_id(placed.order_id());
  auto* picked = ready.add_picked();
  picked->set_sku("shoe");
  picked->set_quantity(2);  // one short
  v1::MarkReadyResponse marked;
  ASSERT_TRUE(Call("OrderService", "MarkReady", ready, &marked));
  v1::Order read = GrpcOrder(placed.order_id());
  EXPECT_EQ(read.state(), v1::ORDER_STATE_READY_FOR_PICKUP);
  ASSERT_EQ(read.lines_size(), 1);
  EXPECT_EQ(read.lines(0).quantity(), 2);
  EXPECT_EQ(read.lines(0).ordered_quantity(), 3);

  v1::ConfirmPickupRequest wrong;
  wrong.set_request_id(LiveServer::NextId());
  wrong.set_order_id(placed.order_id());
  wrong.set_pickup_code("NOPE00");
  HttpResponse refused = CallJson(port(), "OrderService", "ConfirmPickup", wrong);
  ConnectError e = ConnectErrorOf(refused.body);
  ASSERT_TRUE(e.parsed && e.has_error_info) << refused.body;
  EXPECT_EQ(refused.status, HttpStatusOfCode(e.code));
  EXPECT_EQ(e.domain, "oms.v1");
  EXPECT_EQ(e.metadata["attempts_left"], "4") << refused.body;
  EXPECT_EQ(GrpcOrder(placed.order_id()).failed_pickup_attempts(), 1);

  v1::ConfirmPickupRequest right;
  right.set_request_id(LiveServer::NextId());
  right.set_order_id(placed.order_id());
  right.set_pickup_code(placed.pickup_code());
  v1::ConfirmPickupResponse done;
  ASSERT_TRUE(Call("OrderService", "ConfirmPickup", right, &done));
  EXPECT_EQ(GrpcOrder(placed.order_id()).state(), v1::ORDER_STATE_PICKED_UP);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 8);
}

TEST_F(HttpFlowTest, OrderCancel_OverJson_FreesTheStock) {
  v1::Order placed = PlaceOrder(4);
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 4);
  v1::CancelOrderRequest cancel;
  cancel.set_request_id(LiveServer::NextId());
  cancel.set_order_id(placed.order_id());
  cancel.set_reason("customer asked");
  v1::CancelOrderResponse cancelled;
  ASSERT_TRUE(Call("OrderService", "CancelOrder", cancel, &cancelled));
  EXPECT_EQ(GrpcOrder(placed.order_id()).state(), v1::ORDER_STATE_CANCELLED);
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 0);
}

TEST_F(HttpFlowTest, Return_CreateAndResolve_OverJson) {
  v1::Reservation sale = Reserve(2);
  v1::CommitReservationRequest commit;
  commit.set_request_id(LiveServer::NextId());
  commit.set_reservation_id(sale.reservation_id());
  v1::CommitReservationResponse committed;
  ASSERT_TRUE(Call("ReservationService", "CommitReservation", commit, &committed));

  v1::CreateReturnRequest ret;
  ret.set_request_id(LiveServer::NextId());
  ret.set_reservation_id(sale.reservation_id());
  ret.set_location_id("s1");
  auto* line = ret.add_lines();
  line->set_sku("shoe");
  line->set_quantity(1);
  line->set_disposition(v1::DISPOSITION_INSPECT);
  v1::CreateReturnResponse created;
  ASSERT_TRUE(Call("ReturnService", "CreateReturn", ret, &created));
  EXPECT_EQ(created.return_().state(), v1::RETURN_STATE_OPEN);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 8);  // quarantined units are not on hand

  v1::ResolveReturnRequest resolve;
  resolve.set_request_id(LiveServer::NextId());
  resolve.set_return_id(created.return_().return_id());
  auto* r = resolve.add_lines();
  r->set_sku("shoe");
  r->set_quantity(1);
  r->set_disposition(v1::DISPOSITION_RESTOCK);
  v1::ResolveReturnResponse resolved;
  ASSERT_TRUE(Call("ReturnService", "ResolveReturn", resolve, &resolved));
  v1::GetReturnRequest get;
  get.set_return_id(created.return_().return_id());
  v1::GetReturnResponse read;
  ASSERT_TRUE(server_.returns().GetReturn(Ctx().get(), get, &read).ok());
  EXPECT_EQ(read.return_().state(), v1::RETURN_STATE_COMPLETED);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 9);
}

TEST_F(HttpFlowTest, Inbound_ExpectAndReceive_OverJson) {
  v1::ExpectInboundRequest expect;
  expect.set_request_id(LiveServer::NextId());
  expect.set_inbound_id("po-http-1");
  expect.set_location_id("s1");
  expect.mutable_expected_at()->set_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count() +
                                            48 * 3600);
  auto* line = expect.add_lines();
  line->set_sku("shoe");
  line->set_quantity(5);
  v1::ExpectInboundResponse expected;
  ASSERT_TRUE(Call("InboundService", "ExpectInbound", expect, &expected));
  EXPECT_EQ(expected.inbound().state(), v1::INBOUND_STATE_EXPECTED);

  v1::ReceiveInboundRequest receive;
  receive.set_request_id(LiveServer::NextId());
  receive.set_inbound_id("po-http-1");
  auto* got = receive.add_lines();
  got->set_sku("shoe");
  got->set_quantity(5);
  v1::ReceiveInboundResponse received;
  ASSERT_TRUE(Call("InboundService", "ReceiveInbound", receive, &received));
  v1::GetInboundRequest get;
  get.set_inbound_id("po-http-1");
  v1::GetInboundResponse read;
  ASSERT_TRUE(server_.inbound().GetInbound(Ctx().get(), get, &read).ok());
  EXPECT_EQ(read.inbound().state(), v1::INBOUND_STATE_RECEIVED);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 15);
}

TEST_F(HttpFlowTest, SameRequestIdTwiceOverJson_AnswersTheSame) {
  v1::CreateReservationRequest req;
  req.set_request_id(LiveServer::NextId());
  req.set_channel(v1::CHANNEL_POS);
  auto* line = req.add_lines();
  line->set_sku("shoe");
  line->set_quantity(2);
  line->set_location_id("s1");
  v1::CreateReservationResponse first, second;
  ASSERT_TRUE(Call("ReservationService", "CreateReservation", req, &first));
  ASSERT_TRUE(Call("ReservationService", "CreateReservation", req, &second));
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 2);
}

TEST_F(HttpFlowTest, SameRequestIdOverJsonThenGrpc_AnswersTheSame) {
  v1::AdjustStockRequest req;
  req.set_request_id(LiveServer::NextId());
  req.set_sku("shoe");
  req.set_location_id("s1");
  req.set_delta(-1);
  req.set_reason(v1::MOVEMENT_REASON_DAMAGED);
  v1::AdjustStockResponse over_json, over_grpc;
  ASSERT_TRUE(Call("InventoryService", "AdjustStock", req, &over_json));
  ASSERT_TRUE(server_.inventory().AdjustStock(Ctx().get(), req, &over_grpc).ok());
  EXPECT_EQ(over_json.SerializeAsString(), over_grpc.SerializeAsString());
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 9);

  // And the other way round: first over gRPC, then the same id over JSON.
  v1::CreateReservationRequest hold;
  hold.set_request_id(LiveServer::NextId());
  hold.set_channel(v1::CHANNEL_POS);
  auto* line = hold.add_lines();
  line->set_sku("shoe");
  line->set_quantity(1);
  line->set_location_id("s1");
  v1::CreateReservationResponse by_grpc, by_json;
  ASSERT_TRUE(server_.Reserve(hold, &by_grpc).ok());
  ASSERT_TRUE(Call("ReservationService", "CreateReservation", hold, &by_json));
  EXPECT_EQ(by_grpc.SerializeAsString(), by_json.SerializeAsString());
}

}  // namespace
}  // namespace oms::testing

// The authorization matrix over HTTP with a tokens file: the gateway forwards the caller's
// token, so the answers must be the gRPC service's (401 without a known token, 403 outside a
// role or a store), for unary calls, /v1/session and Server-Sent Events alike.
#include <gtest/gtest.h>

#include "tests/services/auth_fixture.h"
#include "tests/services/http_fixture.h"

namespace oms::testing {
namespace {

class HttpAuthMatrixTest : public ::testing::Test {
 public:
  HttpAuthMatrixTest() : server_(WithHttp(AuthTest::Options(dir_))), admin_(server_, kAdmin) {
    for (const char* id : {"s1", "s2"}) {
      v1::UpsertLocationRequest req;
      req.set_request_id(LiveServer::NextId());
      req.mutable_location()->set_location_id(id);
      req.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
      req.mutable_location()->set_ship_enabled(true);
      req.mutable_location()->set_pickup_enabled(true);
      req.mutable_location()->set_active(true);
      v1::UpsertLocationResponse resp;
      EXPECT_TRUE(admin_.loc->UpsertLocation(admin_.Ctx().get(), req, &resp).ok());
      v1::AdjustStockResponse adjusted;
      EXPECT_TRUE(JsonOk(
          CallJson(port(), "InventoryService", "AdjustStock", Adjust(id, 100), kAdmin), &adjusted));
    }
  }
  ~HttpAuthMatrixTest() override { FaultVfs::Clear(); }

  int port() { return server_.server().http_port(); }

  // Stock at `store` as admin reads it over gRPC (the LiveServer helpers carry no token).
  v1::LocationAvailability Level(const std::string& store) {
    v1::GetAvailabilityRequest req = Availability(store);
    req.set_channel(v1::CHANNEL_POS);
    v1::GetAvailabilityResponse resp;
    grpc::Status s = admin_.inv->GetAvailability(admin_.Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (resp.availability_size() != 1 || resp.availability(0).locations_size() != 1) return {};
    return resp.availability(0).locations(0);
  }

  // Why an event stream was refused: the error answer before it started, or (when the server
  // answered 200 first) its error event. Either way no event of the stream may come before.
  static ConnectError Refusal(SseStream& stream) {
    if (stream.head().status == 0) return {};
    if (stream.head().status != 200) return ConnectErrorOf(stream.head().body);
    auto e = stream.Next(std::chrono::seconds(5));
    if (!e || e->event != "error") return {};
    return ConnectErrorOf(e->data);
  }

  static v1::AdjustStockRequest Adjust(const std::string& store, int64_t delta) {
    v1::AdjustStockRequest adj;
    adj.set_request_id(LiveServer::NextId());
    adj.set_sku("a");
    adj.set_location_id(store);
    adj.set_delta(delta);
    adj.set_reason(v1::MOVEMENT_REASON_RECEIVED);
    return adj;
  }

  static v1::CreateReservationRequest Reserve(const std::string& store, v1::Channel channel) {
    v1::CreateReservationRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_channel(channel);
    auto* line = req.add_lines();
    line->set_sku("a");
    line->set_quantity(1);
    line->set_location_id(store);
    return req;
  }

  static v1::GetAvailabilityRequest Availability(const std::string& store) {
    v1::GetAvailabilityRequest req;
    req.add_skus("a");
    req.set_location_id(store);
    return req;
  }

  int Status(const std::string& service, const std::string& method,
             const google::protobuf::Message& request, const std::string& token) {
    HttpResponse r = CallJson(port(), service, method, request, token);
    EXPECT_NE(r.status, 0);
    if (r.status != 200) {
      // Every refusal is Connect-shaped with a status that matches its code.
      ConnectError e = ConnectErrorOf(r.body);
      EXPECT_TRUE(e.parsed) << r.body;
      EXPECT_EQ(r.status, HttpStatusOfCode(e.code)) << r.body;
    }
    return r.status;
  }

  TempDir dir_;
  LiveServer server_;
  Client admin_;
};

TEST_F(HttpAuthMatrixTest, NoTokenOrUnknownToken_Is401) {
  EXPECT_TRUE(
      IsHttpError(CallJson(port(), "InventoryService", "GetAvailability", Availability("s1")),
                  "unauthenticated"));
  EXPECT_TRUE(IsHttpError(CallJson(port(), "InventoryService", "GetAvailability",
                                   Availability("s1"), "no-such-token-000000"),
                          "unauthenticated"));
  // A malformed Authorization header is the same refusal, not a crash.
  HttpConnection conn(port());
  HttpResponse r =
      conn.Request("POST", "/oms.v1.InventoryService/GetAvailability", ToJson(Availability("s1")),
                   {{"Content-Type", "application/json"}, {"Authorization", "Basic Zm9vOmJhcg=="}});
  EXPECT_TRUE(IsHttpError(r, "unauthenticated"));
  EXPECT_TRUE(IsHttpError(HttpGet(port(), "/v1/session"), "unauthenticated"));
}

TEST_F(HttpAuthMatrixTest, Viewer_MayRead_ButNotAdjust) {
  EXPECT_EQ(Status("InventoryService", "GetAvailability", Availability("s1"), kViewer), 200);
  EXPECT_EQ(Status("LocationService", "ListLocations", v1::ListLocationsRequest(), kViewer), 200);
  EXPECT_TRUE(
      IsHttpError(CallJson(port(), "InventoryService", "AdjustStock", Adjust("s1", 1), kViewer),
                  "permission_denied"));
  EXPECT_EQ(Level("s1").on_hand(), 100);
}

TEST_F(HttpAuthMatrixTest, StoreToken_OnlyAtItsStores) {
  EXPECT_EQ(Status("InventoryService", "AdjustStock", Adjust("s1", 1), kStore), 200);
  EXPECT_EQ(Status("InventoryService", "AdjustStock", Adjust("s2", 1), kStore), 403);
  EXPECT_EQ(
      Status("ReservationService", "CreateReservation", Reserve("s1", v1::CHANNEL_POS), kStore),
      200);
  EXPECT_EQ(
      Status("ReservationService", "CreateReservation", Reserve("s2", v1::CHANNEL_POS), kStore),
      403);
  EXPECT_EQ(Level("s1").on_hand(), 101);
  EXPECT_EQ(Level("s2").on_hand(), 100);
}

TEST_F(HttpAuthMatrixTest, Checkout_MayReserve_ButNotAdjust) {
  EXPECT_EQ(Status("ReservationService", "CreateReservation", Reserve("s1", v1::CHANNEL_ONLINE),
                   kCheckout),
            200);
  EXPECT_EQ(Status("InventoryService", "AdjustStock", Adjust("s1", 1), kCheckout), 403);
  EXPECT_EQ(Level("s1").reserved(), 1);
}

TEST_F(HttpAuthMatrixTest, Session_SaysWhoTheTokenIs) {
  HttpResponse r = HttpGet(port(), "/v1/session", kStore);
  ASSERT_EQ(r.status, 200) << r.body;
  bool ok = false;
  auto value = ParseJsonValue(r.body, &ok);
  ASSERT_TRUE(ok && value.has_struct_value()) << r.body;
  const auto& fields = value.struct_value().fields();
  ASSERT_TRUE(fields.count("name") && fields.count("role") && fields.count("stores")) << r.body;
  EXPECT_EQ(fields.at("name").string_value(), "till-s1");
  EXPECT_EQ(fields.at("role").string_value(), "store");
  ASSERT_EQ(fields.at("stores").list_value().values_size(), 1) << r.body;
  EXPECT_EQ(fields.at("stores").list_value().values(0).string_value(), "s1");

  HttpResponse admin = HttpGet(port(), "/v1/session", kAdmin);
  ASSERT_EQ(admin.status, 200);
  EXPECT_NE(admin.body.find("\"ops\""), std::string::npos) << admin.body;
  EXPECT_NE(admin.body.find("\"admin\""), std::string::npos) << admin.body;
}

TEST_F(HttpAuthMatrixTest, Sse_TakesTheTokenFromTheQueryOrTheHeader) {
  const std::string path = "/v1/watch/availability?sku=a&location_id=s1";
  SseStream none(port(), path, {{"Last-Event-ID", "0"}});
  ASSERT_NE(none.head().status, 0);
  int none_status = none.head().status;
  EXPECT_EQ(Refusal(none).code, "unauthenticated");
  SseStream unknown(port(), path + "&access_token=no-such-token-000000", {{"Last-Event-ID", "0"}});
  ASSERT_NE(unknown.head().status, 0);
  int unknown_status = unknown.head().status;
  EXPECT_EQ(Refusal(unknown).code, "unauthenticated");
  // The contract: a refused stream is an HTTP 401, so a browser's EventSource gives up instead
  // of reconnecting every `retry` forever.
  EXPECT_EQ(none_status, 401);
  EXPECT_EQ(unknown_status, 401);

  SseStream by_query(port(), path + "&access_token=" + kViewer, {{"Last-Event-ID", "0"}});
  ASSERT_TRUE(Streaming(by_query)) << by_query.head().status << " " << by_query.head().body;
  auto e = by_query.Next();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->event, "availability");

  SseStream by_header(
      port(), path, {{"Authorization", std::string("Bearer ") + kViewer}, {"Last-Event-ID", "0"}});
  ASSERT_TRUE(Streaming(by_header)) << by_header.head().status;
  EXPECT_TRUE(by_header.Next().has_value());

  // The store token's pickup screen may watch its own store's orders.
  SseStream orders(port(),
                   std::string("/v1/watch/orders?pickup_location_id=s1&access_token=") + kStore);
  EXPECT_TRUE(Streaming(orders)) << orders.head().status << " " << orders.head().body;
}

TEST(HttpAuthStartTest, NonLoopbackHttpWithoutTokens_RefusesToStart) {
  TempDir dir;
  services::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.db_path = dir.File("oms.db");
  options.http_listen = "0.0.0.0:0";
  auto started = services::Server::Start(options);
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.status().message().find("HTTP on 0.0.0.0"), std::string::npos)
      << started.status().ToString();

  EXPECT_EQ(started.status().code(), Code::kFailedPrecondition);
  // (Not started with a tokens file here: that would listen beyond loopback.)
}

}  // namespace
}  // namespace oms::testing

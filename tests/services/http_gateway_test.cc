// The HTTP/JSON gateway against the real in-process server: unary JSON calls, the Connect
// error shape, Server-Sent Events with resume, /v1/session and the console's path.
#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <optional>

#include "services/console_assets.h"
#include "tests/support/http_client.h"
#include "tests/support/live_server.h"
#include "tests/support/test_certs.h"

namespace oms::testing {
namespace {

const Headers kJson = {{"Content-Type", "application/json"}};

services::ServerOptions HttpOn() {
  services::ServerOptions options;
  options.http_listen = "127.0.0.1:0";
  options.http.heartbeat = std::chrono::milliseconds(200);
  return options;
}

class HttpGatewayTest : public ::testing::Test {
 protected:
  HttpGatewayTest() : server_(HttpOn()) {}

  int port() { return server_.server().http_port(); }

  HttpResponse Post(const std::string& method, const std::string& json,
                    const Headers& headers = kJson) {
    HttpConnection c(port());
    return c.Request("POST", "/oms.v1." + method, json, headers);
  }

  LiveServer server_;
};

TEST_F(HttpGatewayTest, UpsertThenGetLocationOverJson) {
  ASSERT_GT(port(), 0);
  HttpResponse up = Post("LocationService/UpsertLocation",
                         R"({"requestId":"r-up-1","location":{"locationId":"s9","name":"Store 9",)"
                         R"("kind":"LOCATION_KIND_STORE","shipEnabled":true,"pickupEnabled":true,)"
                         R"("active":true}})");
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.header("content-type"), "application/json");
  EXPECT_EQ(JsonField(up.body, "created"), "true") << up.body;

  HttpResponse get = Post("LocationService/GetLocation", R"({"locationId":"s9"})");
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(JsonField(get.body, "name"), "Store 9");
  EXPECT_EQ(JsonField(get.body, "kind"), "LOCATION_KIND_STORE");  // enums by name
  EXPECT_EQ(JsonField(get.body, "shipEnabled"), "true");          // lowerCamelCase
}

TEST_F(HttpGatewayTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  server_.AddLocation("s1");
  HttpConnection c(port());
  for (int i = 0; i < 3; ++i) {
    HttpResponse r =
        c.Request("POST", "/oms.v1.LocationService/GetLocation", R"({"locationId":"s1"})", kJson);
    ASSERT_EQ(r.status, 200) << "request " << i << ": " << r.body;
  }
}

TEST_F(HttpGatewayTest, ReservationOverJsonIsVisibleOverGrpc) {
  server_.AddLocation("s1");
  server_.Receive("sku-1", "s1", 10);
  HttpResponse r = Post("ReservationService/CreateReservation",
                        R"({"requestId":"r-json-1","channel":"CHANNEL_POS",)"
                        R"("lines":[{"sku":"sku-1","quantity":"3","locationId":"s1"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  v1::CreateReservationResponse created;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &created).ok()) << r.body;
  ASSERT_FALSE(created.reservation().reservation_id().empty());

  v1::GetReservationRequest get;
  get.set_reservation_id(created.reservation().reservation_id());
  v1::GetReservationResponse got;
  grpc::Status s = server_.reservations().GetReservation(Ctx().get(), get, &got);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(got.reservation().lines_size(), 1);
  EXPECT_EQ(got.reservation().lines(0).quantity(), 3);
  EXPECT_EQ(server_.Level("sku-1", "s1").reserved(), 3);
}

TEST_F(HttpGatewayTest, DomainErrorHasConnectShapeAndHttpStatus) {
  server_.AddLocation("s1");
  server_.Receive("sku-1", "s1", 1);
  HttpResponse r = Post("ReservationService/CreateReservation",
                        R"({"requestId":"r-json-2","channel":"CHANNEL_POS",)"
                        R"("lines":[{"sku":"sku-1","quantity":"5","locationId":"s1"}]})");
  EXPECT_EQ(r.status, 400) << r.body;  // failed_precondition
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(JsonField(r.body, "code"), "failed_precondition") << r.body;
  EXPECT_EQ(JsonField(r.body, "type"), "google.rpc.ErrorInfo") << r.body;
  EXPECT_EQ(JsonField(r.body, "reason"), "INSUFFICIENT_STOCK") << r.body;
  EXPECT_EQ(JsonField(r.body, "domain"), "oms.v1") << r.body;
  EXPECT_FALSE(JsonField(r.body, "value").empty());

  HttpResponse missing = Post("LocationService/GetLocation", R"({"locationId":"nowhere"})");
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_EQ(JsonField(missing.body, "code"), "not_found");
}

TEST_F(HttpGatewayTest, WrongContentTypeIs415) {
  HttpResponse r = Post("LocationService/GetLocation", R"({"locationId":"s1"})",
                        {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415) << r.body;
  EXPECT_EQ(JsonField(r.body, "code"), "invalid_argument");
  EXPECT_EQ(JsonField(r.body, "reason"), "UNSUPPORTED_MEDIA_TYPE");
  // A charset suffix is fine.
  HttpResponse ok = Post("LocationService/ListLocations", "{}",
                         {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(HttpGatewayTest, MalformedJsonAndUnknownFieldsAre400) {
  HttpResponse bad = Post("LocationService/GetLocation", R"({"locationId":)");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(JsonField(bad.body, "code"), "invalid_argument");
  EXPECT_EQ(JsonField(bad.body, "reason"), "MALFORMED_JSON");
  HttpResponse unknown = Post("LocationService/GetLocation", R"({"noSuchField":1})");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(JsonField(unknown.body, "reason"), "MALFORMED_JSON");
  // An empty body is the empty message.
  HttpResponse empty = Post("LocationService/ListLocations", "");
  EXPECT_EQ(empty.status, 200) << empty.body;
}

TEST_F(HttpGatewayTest, UnknownAndStreamingMethodsAre404AndOtherVerbs405) {
  HttpResponse unknown = Post("LocationService/NoSuchMethod", "{}");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(JsonField(unknown.body, "reason"), "UNKNOWN_METHOD");
  HttpResponse streaming = Post("InventoryService/WatchAvailability", "{}");
  EXPECT_EQ(streaming.status, 404) << streaming.body;
  EXPECT_NE(streaming.body.find("/v1/watch/availability"), std::string::npos) << streaming.body;
  HttpConnection c(port());
  HttpResponse get = c.Request("GET", "/oms.v1.LocationService/GetLocation");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.header("allow"), "POST");
  HttpResponse del = c.Request("DELETE", "/v1/session");
  EXPECT_EQ(del.status, 405);
  EXPECT_EQ(del.header("allow"), "GET");
}

TEST_F(HttpGatewayTest, BadConnectTimeoutIs400) {
  Headers headers = kJson;
  headers.emplace_back("Connect-Timeout-Ms", "soon");
  HttpResponse r = Post("LocationService/ListLocations", "{}", headers);
  EXPECT_EQ(r.status, 400) << r.body;
  headers.back().second = "5000";
  EXPECT_EQ(Post("LocationService/ListLocations", "{}", headers).status, 200);
}

TEST_F(HttpGatewayTest, AvailabilityEventsCarrySequencesAndResumeExactly) {
  server_.AddLocation("s1");
  SseStream live(port(), "/v1/watch/availability?sku=sku-a&location_id=s1");
  ASSERT_EQ(live.head().status, 200) << live.head().body;
  EXPECT_EQ(live.head().header("content-type"), "text/event-stream");
  EXPECT_EQ(live.head().header("cache-control"), "no-cache");
  server_.Receive("sku-a", "s1", 5);
  server_.Receive("sku-other", "s1", 5);  // filtered out
  server_.Receive("sku-a", "s1", 2);
  server_.Receive("sku-a", "s1", 1);

  std::vector<SseEvent> events;
  for (int i = 0; i < 3; ++i) {
    auto e = live.Next();
    ASSERT_TRUE(e.has_value()) << "event " << i;
    events.push_back(*e);
  }
  int64_t previous = 0;
  for (const auto& e : events) {
    EXPECT_EQ(e.event, "availability");
    v1::AvailabilityChanged changed;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(e.data, &changed).ok()) << e.data;
    EXPECT_EQ(e.id, std::to_string(changed.sequence()));
    EXPECT_EQ(changed.sku(), "sku-a");
    EXPECT_GT(changed.sequence(), previous);
    previous = changed.sequence();
  }
  EXPECT_EQ(JsonField(events[2].data, "onHand"), "8") << events[2].data;

  // Resume after the first: exactly the second and the third, in order.
  SseStream resumed(port(), "/v1/watch/availability?sku=sku-a,sku-b&location_id=s1",
                    {{"Last-Event-ID", events[0].id}});
  ASSERT_EQ(resumed.head().status, 200) << resumed.head().body;
  for (int i = 1; i < 3; ++i) {
    auto e = resumed.Next();
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->id, events[i].id);
  }
  // The query fallback resumes too.
  SseStream by_query(port(), "/v1/watch/availability?sku=sku-a&last_event_id=" + events[1].id);
  ASSERT_EQ(by_query.head().status, 200);
  auto e = by_query.Next();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->id, events[2].id);
  // Idle streams get heartbeats (200 ms in this test).
  EXPECT_FALSE(resumed.Next(std::chrono::milliseconds(700)).has_value());
  EXPECT_GT(resumed.comments(), 0);
}

TEST_F(HttpGatewayTest, RefusedStreamAnswersJsonErrorWithStatus) {
  SseStream bad(port(), "/v1/watch/availability?sku=a", {{"Last-Event-ID", "x"}});
  EXPECT_EQ(bad.head().status, 400);
  EXPECT_EQ(JsonField(bad.head().body, "code"), "invalid_argument");
  // A location that does not exist is refused by the server before the stream starts.
  SseStream missing(port(), "/v1/watch/availability?location_id=no-such-store");
  EXPECT_NE(missing.head().status, 200) << missing.head().body;
  EXPECT_FALSE(JsonField(missing.head().body, "code").empty()) << missing.head().body;
}

TEST_F(HttpGatewayTest, ResumePastTheHeadIsRefusedWithItsReason) {
  SseStream ahead(port(), "/v1/watch/availability", {{"Last-Event-ID", "999999"}});
  EXPECT_EQ(ahead.head().status, 400) << ahead.head().body;  // out_of_range
  EXPECT_EQ(JsonField(ahead.head().body, "code"), "out_of_range") << ahead.head().body;
  EXPECT_EQ(JsonField(ahead.head().body, "reason"), "SEQUENCE_AHEAD");
}

TEST_F(HttpGatewayTest, PipelinedRequestsAreAnsweredInOrder) {
  server_.AddLocation("s1");
  HttpConnection c(port());
  const std::string get = R"({"locationId":"s1"})";
  std::string request =
      "POST /oms.v1.LocationService/GetLocation HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(get.size()) + "\r\n\r\n" + get;
  ASSERT_TRUE(c.Send(request + request + "GET /v1/session HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(JsonField(c.ReadResponse().body, "locationId"), "s1");
  EXPECT_EQ(JsonField(c.ReadResponse().body, "locationId"), "s1");
  EXPECT_EQ(JsonField(c.ReadResponse().body, "role"), "admin");
}

TEST_F(HttpGatewayTest, OrderEventsStream) {
  server_.AddLocation("s1");
  SseStream orders(port(), "/v1/watch/orders?pickup_location_id=s1");
  ASSERT_EQ(orders.head().status, 200) << orders.head().body;
  EXPECT_FALSE(orders.Next(std::chrono::milliseconds(300)).has_value());
}

TEST_F(HttpGatewayTest, SessionWithoutTokensFileIsLocalAdmin) {
  HttpConnection c(port());
  HttpResponse r = c.Request("GET", "/v1/session");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonField(r.body, "name"), "local");
  EXPECT_EQ(JsonField(r.body, "role"), "admin");
}

TEST_F(HttpGatewayTest, RootIsTheConsoleOr404) {
  HttpConnection c(port());
  HttpResponse r = c.Request("GET", "/");
  if (services::FindConsoleAsset("/") != nullptr) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.header("x-frame-options"), "DENY");
    EXPECT_EQ(r.header("cache-control"), "no-cache");
  } else {
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(JsonField(r.body, "code"), "not_found");
  }
  HttpResponse none = c.Request("GET", "/no/such/file.js");
  EXPECT_EQ(none.status, 404);
}

TEST_F(HttpGatewayTest, LimitsAnswerAndKeepServing) {
  {
    HttpConnection c(port());
    std::string big(services::HttpOptions().max_header_bytes + 100, 'a');
    HttpResponse r = c.Request("GET", "/v1/session", "", {{"X-Big", big}});
    EXPECT_EQ(r.status, 431);
  }
  {
    HttpConnection c(port());
    ASSERT_TRUE(
        c.Send("POST /oms.v1.LocationService/ListLocations HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n"));
    HttpResponse r = c.ReadResponse();
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(JsonField(r.body, "code"), "resource_exhausted");
  }
  {
    HttpConnection c(port());
    ASSERT_TRUE(c.Send("NOT HTTP AT ALL\r\n\r\n"));
    EXPECT_EQ(c.ReadResponse().status, 400);
    EXPECT_TRUE(c.ClosedWithin(std::chrono::seconds(5)));
  }
  HttpConnection c(port());
  EXPECT_EQ(c.Request("GET", "/v1/session").status, 200);
}

TEST(HttpGatewayLimits, SlowHeadIsTimedOutAndIdleConnectionsClosed) {
  services::ServerOptions options = HttpOn();
  options.http.header_timeout = std::chrono::milliseconds(300);
  options.http.idle_timeout = std::chrono::milliseconds(300);
  LiveServer server(options);
  int port = server.server().http_port();
  {
    HttpConnection slow(port);
    ASSERT_TRUE(slow.Send("GET /v1/session HTTP/1.1\r\nHost: x\r\n"));  // never finished
    HttpResponse r = slow.ReadResponse(std::chrono::seconds(5));
    EXPECT_EQ(r.status, 408);
  }
  {
    HttpConnection idle(port);
    EXPECT_EQ(idle.Request("GET", "/v1/session").status, 200);
    EXPECT_TRUE(idle.ClosedWithin(std::chrono::seconds(5)));
  }
}

TEST(HttpGatewayLimits, OneConnectionOverTheLimitIs503) {
  services::ServerOptions options = HttpOn();
  options.http.max_connections = 2;
  LiveServer server(options);
  int port = server.server().http_port();
  {
    HttpConnection a(port);
    HttpConnection b(port);
    ASSERT_EQ(a.Request("GET", "/v1/session").status, 200);
    ASSERT_EQ(b.Request("GET", "/v1/session").status, 200);
    HttpConnection third(port);
    HttpResponse r = third.Request("GET", "/v1/session");
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(JsonField(r.body, "code"), "unavailable");
    EXPECT_TRUE(third.ClosedWithin(std::chrono::seconds(5)));
    EXPECT_EQ(a.Request("GET", "/v1/session").status, 200);  // the others are still served
  }
}

TEST(HttpGatewayStart, AddressInUseAndBadTlsFilesFailClearly) {
  LiveServer first(HttpOn());
  services::ServerOptions taken = HttpOn();
  taken.http_listen = "127.0.0.1:" + std::to_string(first.server().http_port());
  taken.listen = "127.0.0.1:0";
  TempDir dir;
  taken.db_path = dir.File("other.db");
  auto started = services::Server::Start(taken);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), Code::kUnavailable) << started.status().ToString();

  services::HttpOptions tls;
  tls.listen = "127.0.0.1:0";
  tls.tls_cert = dir.File("missing.pem");
  tls.tls_key = dir.File("missing.key");
  auto auth = services::Authenticator::Create({});
  ASSERT_TRUE(auth.ok());
  auto gateway = services::HttpGateway::Start(tls, first.NewChannel(), **auth);
  ASSERT_FALSE(gateway.ok());
  EXPECT_EQ(gateway.status().code(), Code::kInvalidArgument);
  EXPECT_NE(gateway.status().message().find("missing.pem"), std::string::npos);
}

}  // namespace
}  // namespace oms::testing

namespace oms::testing {
namespace {

TEST(HttpGatewayStreams, ShutdownEndsStreamsWithAnErrorEvent) {
  LiveServer server(HttpOn());
  server.AddLocation("s1");
  SseStream stream(server.server().http_port(), "/v1/watch/availability?location_id=s1");
  ASSERT_EQ(stream.head().status, 200) << stream.head().body;
  server.Stop();
  std::optional<SseEvent> last;
  while (auto e = stream.Next(std::chrono::seconds(5))) last = e;
  ASSERT_TRUE(last.has_value()) << "the stream closed without an error event";
  EXPECT_EQ(last->event, "error");
  EXPECT_EQ(JsonField(last->data, "code"), "unavailable") << last->data;
}

TEST(HttpGatewayStreams, ClientDisconnectEndsTheCallAndFreesTheConnection) {
  services::ServerOptions options = HttpOn();
  options.http.max_connections = 1;
  LiveServer server(options);
  int port = server.server().http_port();
  {
    SseStream stream(port, "/v1/watch/availability?sku=a");
    ASSERT_EQ(stream.head().status, 200) << stream.head().body;
    HttpConnection other(port);
    EXPECT_EQ(other.Request("GET", "/v1/session").status, 503);
  }
  // The connection counts until its call has ended, so a new one is served once it has.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    HttpConnection c(port);
    status = c.Request("GET", "/v1/session").status;
    if (status == 200) break;
  }
  EXPECT_EQ(status, 200);
}

// A tokens file: the gateway forwards the caller's token and answers /v1/session from it.
class HttpAuthTest : public ::testing::Test {
 protected:
  static services::ServerOptions WithTokens(const TempDir& dir) {
    std::string path = dir.File("tokens");
    std::ofstream(path) << "admin-token-0000000001 admin name=ops\n"
                        << "store-token-s1-000003 store s1 name=till-s1\n"
                        << "viewer-token-00000004 viewer\n";
    services::ServerOptions options = HttpOn();
    options.auth.tokens_path = path;
    return options;
  }
  HttpAuthTest() : server_(WithTokens(dir_)) {}
  int port() { return server_.server().http_port(); }

  TempDir dir_;
  LiveServer server_;
};

TEST_F(HttpAuthTest, SessionNamesTheTokensPrincipal) {
  HttpConnection c(port());
  HttpResponse store =
      c.Request("GET", "/v1/session", "", {{"Authorization", "Bearer store-token-s1-000003"}});
  ASSERT_EQ(store.status, 200) << store.body;
  EXPECT_EQ(store.body, R"({"name":"till-s1","role":"store","stores":["s1"]})");
  HttpResponse by_query = c.Request("GET", "/v1/session?access_token=admin-token-0000000001");
  ASSERT_EQ(by_query.status, 200) << by_query.body;
  EXPECT_EQ(JsonField(by_query.body, "role"), "admin");
  HttpResponse none = c.Request("GET", "/v1/session");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(JsonField(none.body, "code"), "unauthenticated");
  HttpResponse wrong = c.Request("GET", "/v1/session", "", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401);
}

TEST_F(HttpAuthTest, UnaryCallsAndStreamsUseTheCallersToken) {
  HttpConnection c(port());
  const std::string body = R"({"requestId":"r-auth-1","location":{"locationId":"s7","name":"S7",)"
                           R"("kind":"LOCATION_KIND_STORE","active":true}})";
  HttpResponse anonymous = c.Request("POST", "/oms.v1.LocationService/UpsertLocation", body, kJson);
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  Headers viewer = kJson;
  viewer.emplace_back("Authorization", "Bearer viewer-token-00000004");
  HttpResponse denied = c.Request("POST", "/oms.v1.LocationService/UpsertLocation", body, viewer);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(JsonField(denied.body, "code"), "permission_denied");
  Headers admin = kJson;
  admin.emplace_back("Authorization", "Bearer admin-token-0000000001");
  HttpResponse ok = c.Request("POST", "/oms.v1.LocationService/UpsertLocation", body, admin);
  EXPECT_EQ(ok.status, 200) << ok.body;

  SseStream refused(port(), "/v1/watch/orders");
  EXPECT_EQ(refused.head().status, 401) << refused.head().body;
  SseStream allowed(port(), "/v1/watch/orders?access_token=viewer-token-00000004");
  EXPECT_EQ(allowed.head().status, 200) << allowed.head().body;
}

}  // namespace
}  // namespace oms::testing

namespace oms::testing {
namespace {

// Throwaway certificates made with openssl at test time, as the gRPC TLS tests do.
class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(MakeTestCertificates(dir_.File(""))) << "openssl failed"; }

  services::ServerOptions Tls(bool mutual) {
    services::ServerOptions o = HttpOn();
    o.tls_cert = dir_.File("server.pem");
    o.tls_key = dir_.File("server.key");
    if (mutual) o.tls_client_ca = dir_.File("ca.pem");
    return o;
  }

  TempDir dir_;
};

TEST_F(HttpsTest, ServesHttpsOnlyWithTheCertificate) {
  LiveServer server(Tls(false));
  int port = server.server().http_port();
  HttpResponse r = HttpsGet(port, "/v1/session", dir_.File("ca.pem"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonField(r.body, "role"), "admin");
  // Plain HTTP on the HTTPS port gets no HTTP answer.
  HttpConnection plain(port);
  EXPECT_EQ(plain.Request("GET", "/v1/session", "", {}, std::chrono::seconds(5)).status, 0);
  EXPECT_EQ(HttpsGet(port, "/v1/session", dir_.File("ca.pem")).status, 200);
}

TEST_F(HttpsTest, MutualTlsRequiresAClientCertificate) {
  LiveServer server(Tls(true));
  int port = server.server().http_port();
  EXPECT_EQ(HttpsGet(port, "/v1/session", dir_.File("ca.pem")).status, 0);
  HttpResponse r = HttpsGet(port, "/v1/session", dir_.File("ca.pem"), dir_.File("client.pem"),
                            dir_.File("client.key"));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(HttpsTest, UnreadableKeyFailsToStart) {
  services::HttpOptions o;
  o.listen = "127.0.0.1:0";
  o.tls_cert = dir_.File("server.pem");
  o.tls_key = dir_.File("ca.pem");  // a certificate is no key
  auto auth = services::Authenticator::Create({});
  ASSERT_TRUE(auth.ok());
  // The channel is never used: Start fails before any call.
  auto channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
  auto started = services::HttpGateway::Start(o, channel, **auth);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), Code::kInvalidArgument) << started.status().ToString();
  EXPECT_NE(started.status().message().find("key"), std::string::npos);
  o.tls_key.clear();
  EXPECT_EQ(services::HttpGateway::Start(o, channel, **auth).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace oms::testing

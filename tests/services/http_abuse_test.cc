// What a hostile or broken HTTP client gets: bad JSON, the wrong content type, oversized bodies
// and heads, slow heads, idle and surplus connections, bad syntax, unknown paths and methods.
// Each answer is a clear status, and after each the server still serves a normal request.
// Limits and timeouts are small so the tests are quick.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <thread>

#include "tests/services/http_fixture.h"

namespace oms::testing {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

services::HttpOptions SmallLimits() {
  services::HttpOptions http;
  http.max_body_bytes = 4096;
  http.max_header_bytes = 2048;
  http.header_timeout = milliseconds(300);
  http.idle_timeout = milliseconds(500);
  http.max_connections = 64;
  return http;
}

class HttpAbuseTest : public HttpServerTest {
 public:
  explicit HttpAbuseTest(services::HttpOptions http = SmallLimits())
      : HttpServerTest(WithHttp({}, http)) {
    server_.AddLocation("s1");
    server_.Receive("a", "s1", 5);
  }

  // A normal read on a fresh connection answers 200.
  ::testing::AssertionResult StillServes() {
    v1::GetAvailabilityRequest req;
    req.add_skus("a");
    req.set_location_id("s1");
    v1::GetAvailabilityResponse resp;
    auto ok = JsonOk(CallJson(port(), "InventoryService", "GetAvailability", req), &resp);
    if (!ok) return ok;
    if (resp.availability_size() != 1) return ::testing::AssertionFailure() << "no availability";
    return ::testing::AssertionSuccess();
  }

  HttpResponse Raw(const std::string& bytes) {
    HttpConnection conn(port());
    EXPECT_TRUE(conn.Send(bytes));
    return conn.ReadResponse();
  }
};

TEST_F(HttpAbuseTest, MalformedJson_IsInvalidArgument) {
  for (const char* body :
       {"{not json", "[1,2,3]", "{\"skus\": 7}", "{\"skus\": [\"a\"", "{\"skus\": [\"a\"]} x"}) {
    SCOPED_TRACE(body);
    HttpResponse r = HttpPost(port(), "/oms.v1.InventoryService/GetAvailability", body);
    EXPECT_TRUE(IsHttpError(r, "invalid_argument", "MALFORMED_JSON"));
  }
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpAbuseTest, InvalidUtf8InJson_IsInvalidArgument_AnsweredInValidJson) {
  // The error must not echo the offending bytes: the answer itself has to stay valid UTF-8
  // JSON, with its ErrorInfo detail.
  for (const char* body : {"{\"skus\": [\"\xff\xfe\"]}", "\"\xc3\x28\""}) {
    HttpResponse r = HttpPost(port(), "/oms.v1.InventoryService/GetAvailability", body);
    EXPECT_TRUE(IsHttpError(r, "invalid_argument", "MALFORMED_JSON"));
  }
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpAbuseTest, WrongContentType_Is415) {
  HttpConnection conn(port());
  HttpResponse r = conn.Request("POST", "/oms.v1.LocationService/ListLocations", "{}",
                                {{"Content-Type", "text/plain"}});
  ASSERT_NE(r.status, 0);
  EXPECT_EQ(r.status, 415);
  HttpConnection proto(port());
  r = proto.Request("POST", "/oms.v1.LocationService/ListLocations", "",
                    {{"Content-Type", "application/proto"}});
  EXPECT_EQ(r.status, 415);
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpAbuseTest, OversizedBody_Is413) {
  std::string big = "{\"skus\": [\"" + std::string(8000, 'x') + "\"]}";
  HttpResponse r = HttpPost(port(), "/oms.v1.InventoryService/GetAvailability", big);
  ASSERT_NE(r.status, 0);
  EXPECT_EQ(r.status, 413);
  // A Content-Length over the limit is refused before the body is sent.
  HttpResponse declared =
      Raw("POST /oms.v1.InventoryService/GetAvailability HTTP/1.1\r\nHost: x\r\n"
          "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{");
  ASSERT_NE(declared.status, 0);
  EXPECT_EQ(declared.status, 413);
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpAbuseTest, OversizedHeaders_Are431) {
  HttpConnection conn(port());
  HttpResponse r =
      conn.Request("POST", "/oms.v1.LocationService/ListLocations", "{}",
                   {{"Content-Type", "application/json"}, {"X-Filler", std::string(4000, 'y')}});
  ASSERT_NE(r.status, 0);
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpAbuseTest, SlowHead_IsDroppedAfterTheHeaderTimeout) {
  HttpConnection slow(port());
  ASSERT_TRUE(slow.Send("POST /oms.v1.LocationService/ListLocations HTTP/1.1\r\nHost: x\r\n"));
  // A normal request on another connection meanwhile is served.
  EXPECT_TRUE(StillServes());
  auto start = Steady::now();
  EXPECT_TRUE(slow.ClosedWithin(std::chrono::seconds(5)));
  EXPECT_LT(Steady::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpAbuseTest, SlowHeadDrippingBytes_IsStillDropped) {
  // A byte every 50 ms resets no timer: the whole head must arrive within the timeout.
  HttpConnection slow(port());
  ASSERT_TRUE(slow.Send("GET /v1/session HTTP/1.1\r\n"));
  auto start = Steady::now();
  bool closed = false;
  while (!closed && Steady::now() - start < std::chrono::seconds(5)) {
    if (!slow.Send("X")) break;
    closed = slow.ClosedWithin(milliseconds(50));
  }
  EXPECT_TRUE(closed || !slow.Send("X"));
  EXPECT_LT(Steady::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpAbuseTest, IdleKeepAliveConnection_IsClosedAfterTheIdleTimeout) {
  HttpConnection conn(port());
  HttpResponse r = conn.Request("POST", "/oms.v1.LocationService/ListLocations", "{}", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  // Keep-alive: a second request on the same connection works.
  r = conn.Request("POST", "/oms.v1.LocationService/ListLocations", "{}", kJson);
  ASSERT_EQ(r.status, 200) << r.body;
  auto start = Steady::now();
  EXPECT_TRUE(conn.ClosedWithin(std::chrono::seconds(5)));
  EXPECT_LT(Steady::now() - start, std::chrono::seconds(3));
}

TEST_F(HttpAbuseTest, OverTheConnectionLimit_Is503_ThenServesAgain) {
  std::vector<std::unique_ptr<HttpConnection>> held;
  for (int i = 0; i < 64; ++i) {
    held.push_back(std::make_unique<HttpConnection>(port()));
    // A request each, so every connection is surely accepted and counted.
    ASSERT_EQ(
        held.back()->Request("POST", "/oms.v1.LocationService/ListLocations", "{}", kJson).status,
        200)
        << i;
  }
  HttpConnection extra(port());
  ASSERT_TRUE(extra.connected());
  extra.Send(
      "POST /oms.v1.LocationService/ListLocations HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  HttpResponse refused = extra.ReadResponse();
  ASSERT_NE(refused.status, 0);
  EXPECT_EQ(refused.status, 503);
  held.clear();
  // The freed slots are counted back as the server sees the closes: poll with a deadline.
  auto deadline = Steady::now() + std::chrono::seconds(5);
  bool served = false;
  while (!served && Steady::now() < deadline) served = StillServes();
  EXPECT_TRUE(served);
}

TEST_F(HttpAbuseTest, BadHttpSyntax_Is400) {
  for (const char* bytes : {"GARBAGE\r\n\r\n", "POST /x HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                            "POST /x HTTP/1.1\r\nHost x\r\n\r\n",
                            "POST /oms.v1.LocationService/ListLocations HTTP/1.1\r\nHost: x\r\n"
                            "Content-Type: application/json\r\nTransfer-Encoding: "
                            "chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n"}) {
    SCOPED_TRACE(bytes);
    HttpConnection conn(port());
    ASSERT_TRUE(conn.Send(bytes));
    HttpResponse r = conn.ReadResponse();
    if (r.status != 0) {
      EXPECT_EQ(r.status / 100, 4) << r.status;  // 400 or 505: a client error, never a 5xx
    } else {
      EXPECT_TRUE(conn.ClosedWithin(std::chrono::seconds(3)));  // or hung up on
    }
  }
  HttpResponse r = Raw("GARBAGE\r\n\r\n");
  ASSERT_NE(r.status, 0);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(StillServes());
}

TEST_F(HttpAbuseTest, UnknownPath_Is404_WrongMethod_Is405) {
  EXPECT_EQ(HttpPost(port(), "/oms.v1.NoSuchService/Get", "{}").status, 404);
  EXPECT_EQ(HttpPost(port(), "/oms.v1.InventoryService/NoSuchMethod", "{}").status, 404);
  EXPECT_EQ(HttpGet(port(), "/no/such/page").status, 404);
  // Streaming RPCs are not unary endpoints.
  EXPECT_NE(HttpPost(port(), "/oms.v1.InventoryService/WatchAvailability", "{}").status, 200);
  EXPECT_EQ(HttpGet(port(), "/oms.v1.InventoryService/GetAvailability").status, 405);
  EXPECT_EQ(HttpPost(port(), "/v1/session", "{}").status, 405);
  HttpConnection conn(port());
  EXPECT_EQ(conn.Request("DELETE", "/oms.v1.LocationService/ListLocations").status, 405);
  EXPECT_TRUE(StillServes());
}

services::HttpOptions ManyConnections() {
  services::HttpOptions http;
  http.max_connections = 1200;
  http.header_timeout = std::chrono::seconds(30);
  http.idle_timeout = std::chrono::seconds(30);
  return http;
}

class HttpManyConnectionsTest : public HttpAbuseTest {
 public:
  HttpManyConnectionsTest() : HttpAbuseTest(ManyConnections()) {}
};

TEST_F(HttpManyConnectionsTest, ThousandIdleConnections_NewRequestsStillSucceed) {
  // Each idle connection costs a descriptor on both ends, in this one process.
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_cur < 2500 && limit.rlim_max > limit.rlim_cur) {
    limit.rlim_cur = limit.rlim_max;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  }
  ASSERT_GE(limit.rlim_cur, 2500u) << "RLIMIT_NOFILE too low for this test";
  std::vector<std::unique_ptr<HttpConnection>> idle;
  for (int i = 0; i < 1000; ++i) {
    idle.push_back(std::make_unique<HttpConnection>(port()));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  auto start = Steady::now();
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(StillServes()) << i;
  EXPECT_LT(Steady::now() - start, std::chrono::seconds(5));
  // The idle ones were held, not dropped: one of them can still make a request.
  HttpResponse r = idle[500]->Request("POST", "/oms.v1.LocationService/ListLocations", "{}", kJson);
  EXPECT_EQ(r.status, 200);
}

}  // namespace
}  // namespace oms::testing

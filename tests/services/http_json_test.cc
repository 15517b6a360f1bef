// The gateway's pure translations: status codes, Connect error bodies, base64, query strings,
// Watch requests and Server-Sent Event formatting.
#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "oms/v1/inventory_service.pb.h"
#include "oms/v1/order_service.pb.h"
#include "services/http_json.h"

namespace oms::services::http {
namespace {

TEST(HttpJson, StatusForEveryCode) {
  const int expected[] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
                          400, 409, 400, 501, 500, 503, 500, 401};
  for (int code = 0; code <= 16; ++code) EXPECT_EQ(HttpStatusForCode(code), expected[code]);
  EXPECT_EQ(HttpStatusForCode(99), 500);
  EXPECT_EQ(HttpStatusForCode(-1), 500);
  EXPECT_STREQ(ConnectCodeName(9), "failed_precondition");
  EXPECT_STREQ(ConnectCodeName(1), "canceled");
  EXPECT_STREQ(ConnectCodeName(16), "unauthenticated");
  EXPECT_STREQ(ConnectCodeName(42), "unknown");
}

TEST(HttpJson, Base64WithoutPadding) {
  EXPECT_EQ(Base64NoPad(""), "");
  EXPECT_EQ(Base64NoPad("f"), "Zg");
  EXPECT_EQ(Base64NoPad("fo"), "Zm8");
  EXPECT_EQ(Base64NoPad("foo"), "Zm9v");
  EXPECT_EQ(Base64NoPad("foob"), "Zm9vYg");
  EXPECT_EQ(Base64NoPad(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST(HttpJson, QuoteEscapesControlCharacters) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
}

TEST(HttpJson, ConnectErrorCarriesErrorInfo) {
  google::rpc::Status rpc;
  google::rpc::ErrorInfo info;
  info.set_reason("INSUFFICIENT_STOCK");
  info.set_domain("oms.v1");
  (*info.mutable_metadata())["sku"] = "a";
  rpc.add_details()->PackFrom(info);
  std::string json = ConnectErrorJson(9, "not enough", rpc.SerializeAsString());
  EXPECT_EQ(json, R"({"code":"failed_precondition","message":"not enough","details":[)"
                  R"({"type":"google.rpc.ErrorInfo","value":")" +
                      Base64NoPad(info.SerializeAsString()) +
                      R"(","debug":{"reason":"INSUFFICIENT_STOCK","domain":"oms.v1",)"
                      R"("metadata":{"sku":"a"}}}]})");
  EXPECT_EQ(ConnectErrorJson(5, "gone", ""),
            R"({"code":"not_found","message":"gone","details":[]})");
  // Details that do not parse are left out, never a crash.
  EXPECT_EQ(ConnectErrorJson(13, "x", "\xff\xff"),
            R"({"code":"internal","message":"x","details":[]})");
  EXPECT_NE(GatewayErrorJson(3, "MALFORMED_JSON", "bad").find(R"("reason":"MALFORMED_JSON")"),
            std::string::npos);
}

TEST(HttpJson, QueryValuesRepeatAndSplit) {
  Query q = ParseQuery("sku=A&sku=B%2CC&location_id=s+1&empty=&flag&bad=%zz");
  EXPECT_EQ(QueryValues(q, "sku"), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_EQ(QueryValue(q, "location_id"), "s 1");
  EXPECT_EQ(QueryValue(q, "empty"), "");
  EXPECT_EQ(QueryValue(q, "bad"), "%zz");
  EXPECT_EQ(QueryValue(q, "missing"), "");
  std::string out;
  EXPECT_FALSE(PercentDecode("%4", false, &out));
  EXPECT_TRUE(PercentDecode("a%20b+c", false, &out));
  EXPECT_EQ(out, "a b+c");
}

TEST(HttpJson, WatchCallsFromQueries) {
  auto a = BuildWatchCall("/v1/watch/availability", ParseQuery("sku=A,B&location_id=s1"), "17");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->method, "/oms.v1.InventoryService/WatchAvailability");
  v1::WatchAvailabilityRequest ar;
  ASSERT_TRUE(ar.ParseFromString(a->request));
  EXPECT_EQ(ar.skus_size(), 2);
  EXPECT_EQ(ar.location_ids(0), "s1");
  EXPECT_EQ(ar.after_sequence(), 17);
  EXPECT_FALSE(ar.from_now());

  auto o = BuildWatchCall("/v1/watch/orders", ParseQuery("pickup_location_id=s2"), "");
  ASSERT_TRUE(o.ok());
  v1::WatchOrdersRequest orq;
  ASSERT_TRUE(orq.ParseFromString(o->request));
  EXPECT_EQ(orq.pickup_location_id(), "s2");
  EXPECT_TRUE(orq.from_now());

  auto by_query = BuildWatchCall("/v1/watch/orders", ParseQuery("last_event_id=5"), "");
  ASSERT_TRUE(by_query.ok());
  ASSERT_TRUE(orq.ParseFromString(by_query->request));
  EXPECT_EQ(orq.after_sequence(), 5);

  EXPECT_EQ(BuildWatchCall("/v1/watch/orders", {}, "-1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(BuildWatchCall("/v1/watch/orders", {}, "12x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(BuildWatchCall("/v1/watch/nothing", {}, "").status().code(), Code::kNotFound);
}

TEST(HttpJson, SseEventLines) {
  v1::AvailabilityChanged changed;
  changed.set_sequence(42);
  changed.set_sku("A");
  auto event = FormatSseEvent(WatchKind::kAvailability, changed.SerializeAsString());
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->rfind("id: 42\nevent: availability\ndata: {", 0), 0u) << *event;
  EXPECT_EQ(event->find('\n', event->find("data: ")), event->size() - 2);  // one data line
  EXPECT_FALSE(FormatSseEvent(WatchKind::kOrders, "\xff\xff\xff").ok());
  EXPECT_EQ(FormatSseError(14, "bye", "").rfind("event: error\ndata: {\"code\":\"unavailable\"", 0),
            0u);
}

TEST(HttpJson, MethodsOfOmsOnlyAndUnaryOnly) {
  auto m = FindUnaryMethod("/oms.v1.LocationService/GetLocation");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->grpc_path, "/oms.v1.LocationService/GetLocation");
  EXPECT_EQ(FindUnaryMethod("/oms.v1.InventoryService/WatchAvailability").status().code(),
            Code::kNotFound);
  EXPECT_FALSE(FindUnaryMethod("/grpc.health.v1.Health/Check").ok());
  EXPECT_FALSE(FindUnaryMethod("/oms.v1.LocationService/GetLocation/x").ok());
  EXPECT_FALSE(FindUnaryMethod("").ok());
  auto request = JsonToRequest(*m, R"({"locationId":"s1"})");
  ASSERT_TRUE(request.ok());
  auto json = ResponseToJson(*m, "");
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json, "{}");  // an empty GetLocationResponse: no primitive fields at the top
  EXPECT_EQ(JsonToRequest(*m, "[1,2]").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace oms::services::http

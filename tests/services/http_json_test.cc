// The gateway's pure translations: status codes, Connect error bodies, base64, query strings,
// Watch requests and Server-Sent Event formatting.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <random>

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

// The availability event's JSON is printed directly: it must be byte for byte what
// protobuf's printer gives, for every value, or the general printer must take over.
TEST(HttpJson, AvailabilityJson_IsExactlyProtobufsJson) {
  auto protobuf_json = [](const v1::AvailabilityChanged& m) {
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    std::string out;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out, options).ok());
    return out;
  };
  std::mt19937_64 rng(18);
  const int64_t seconds[] = {0,           1,          59,
                             86399,       86400,      951782400 /* 2000-02-29 */,
                             1709164800,  1798848000, 4102444800 /* 2100-01-01 */,
                             253402300799};
  const int32_t nanos[] = {0, 1, 999, 1000, 1000000, 123000000, 123456000, 123456789, 999999999};
  const char* ids[] = {"", "a", "sku-42", "S1.b_c:d", "0123456789"};
  int direct = 0;
  for (int i = 0; i < 2000; ++i) {
    v1::AvailabilityChanged m;
    auto pick = [&](int64_t range) { return static_cast<int64_t>(rng() % range) - range / 4; };
    m.set_sequence(i % 7 == 0 ? 0 : static_cast<int64_t>(rng() >> (rng() % 63)));
    m.set_sku(ids[rng() % 5]);
    m.set_location_id(ids[rng() % 5]);
    m.set_on_hand(pick(1000000));
    m.set_reserved(pick(100));
    m.set_safety_stock(i % 3 == 0 ? 0 : pick(10));
    m.set_atp(i % 11 == 0 ? INT64_MIN : pick(1000000));
    m.set_quarantined(i % 13 == 0 ? INT64_MAX : pick(5));
    m.set_future_supply_changed(rng() % 2 == 0);
    if (i % 5 != 0) {
      m.mutable_time()->set_seconds(i % 4 == 0 ? seconds[rng() % 10]
                                               : static_cast<int64_t>(rng() % 253402300800));
      m.mutable_time()->set_nanos(nanos[rng() % 9]);
    }
    std::string json;
    if (AvailabilityJson(m, &json)) {
      ++direct;
      EXPECT_EQ(json, protobuf_json(m));
    }
  }
  EXPECT_EQ(direct, 2000);
  // What needs escaping, or a time the direct printer does not handle, is left to protobuf.
  for (const char* sku : {"a\"b", "<x>", "caf\xc3\xa9", "a b", "back\\slash"}) {
    v1::AvailabilityChanged m;
    m.set_sku(sku);
    std::string json;
    EXPECT_FALSE(AvailabilityJson(m, &json)) << sku;
    auto event = FormatSseEvent(WatchKind::kAvailability, m.SerializeAsString());
    ASSERT_TRUE(event.ok());
    EXPECT_NE(event->find("data: " + protobuf_json(m) + "\n\n"), std::string::npos);
  }
  v1::AvailabilityChanged before_1970;
  before_1970.mutable_time()->set_seconds(-1);
  std::string json;
  EXPECT_FALSE(AvailabilityJson(before_1970, &json));
}

// One formatting per distinct message, shared; other bytes are formatted anew.
TEST(HttpJson, SseEventCache_FormatsEachEventOnce) {
  SseEventCache cache;
  v1::AvailabilityChanged a;
  a.set_sequence(7);
  a.set_sku("x");
  v1::AvailabilityChanged b = a;
  b.set_on_hand(3);
  auto first = cache.Format(WatchKind::kAvailability, a.SerializeAsString());
  auto again = cache.Format(WatchKind::kAvailability, a.SerializeAsString());
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(first->get(), again->get());
  EXPECT_EQ(**first, *FormatSseEvent(WatchKind::kAvailability, a.SerializeAsString()));
  EXPECT_EQ(cache.formatted(), 1u);
  auto other = cache.Format(WatchKind::kAvailability, b.SerializeAsString());
  ASSERT_TRUE(other.ok());
  EXPECT_NE(**other, **first);
  EXPECT_EQ(cache.formatted(), 2u);
  EXPECT_FALSE(cache.Format(WatchKind::kOrders, "\xff\xff\xff").ok());
  EXPECT_EQ(cache.formatted(), 2u);
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

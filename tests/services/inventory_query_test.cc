// InventoryService reads against the real in-process server: GetAvailability's channel and
// group rules, ListStock and ListMovements paging and filters, movement times on a fake clock,
// and WatchAvailability's input errors — each down to the ErrorInfo reason and BadRequest field.
#include <gtest/gtest.h>

#include "tests/fakes/fake_clock.h"
#include "tests/services/inventory_rpc_fixture.h"

namespace oms::testing {
namespace {

// --- GetAvailability -------------------------------------------------------------------------

TEST_F(InventoryRpcTest, GetAvailability_AtALocation_ReturnsItsLevelAndRemoteAtp) {
  server_.Receive("a", "s1", 10);
  server_.SetSafety("a", "s1", 2);
  Hold("a", "s1", 3);
  v1::GetAvailabilityResponse resp;
  ASSERT_TRUE(Availability(AtLocation("s1", v1::CHANNEL_ONLINE), &resp).ok());
  EXPECT_EQ(resp.channel(), v1::CHANNEL_ONLINE);
  ASSERT_EQ(resp.availability_size(), 1);
  const auto& a = resp.availability(0);
  EXPECT_EQ(a.atp(), 5);
  ASSERT_EQ(a.locations_size(), 1);
  EXPECT_EQ(a.locations(0).on_hand(), 10);
  EXPECT_EQ(a.locations(0).reserved(), 3);
  EXPECT_EQ(a.locations(0).safety_stock(), 2);
  EXPECT_EQ(a.locations(0).atp(), 5);
}

TEST_F(InventoryRpcTest, GetAvailability_ForThePos_IgnoresSafetyStock) {
  server_.Receive("a", "s1", 10);
  server_.SetSafety("a", "s1", 2);
  EXPECT_EQ(server_.Atp("a", "s1", v1::CHANNEL_POS), 10);
  EXPECT_EQ(server_.Atp("a", "s1", v1::CHANNEL_BOPIS), 8);
}

TEST_F(InventoryRpcTest, GetAvailability_WithUnspecifiedChannel_AnswersForOnline) {
  server_.Receive("a", "s1", 10);
  server_.SetSafety("a", "s1", 4);
  v1::GetAvailabilityResponse resp;
  ASSERT_TRUE(Availability(AtLocation("s1", v1::CHANNEL_UNSPECIFIED), &resp).ok());
  EXPECT_EQ(resp.channel(), v1::CHANNEL_ONLINE);
  EXPECT_EQ(resp.availability(0).atp(), 6);
}

TEST_F(InventoryRpcTest, GetAvailability_IsNeverNegative_WhenSafetyStockExceedsStock) {
  server_.Receive("a", "s1", 1);
  server_.SetSafety("a", "s1", 5);
  EXPECT_EQ(server_.Atp("a", "s1", v1::CHANNEL_ONLINE), 0);
}

TEST_F(InventoryRpcTest, GetAvailability_OfANeverStockedSku_IsZeroWithNoLocations) {
  v1::GetAvailabilityResponse resp;
  ASSERT_TRUE(Availability(AtLocation("s1", v1::CHANNEL_ONLINE, {"ghost"}), &resp).ok());
  ASSERT_EQ(resp.availability_size(), 1);
  EXPECT_EQ(resp.availability(0).sku(), "ghost");
  EXPECT_EQ(resp.availability(0).atp(), 0);
  EXPECT_EQ(resp.availability(0).locations_size(), 0);
}

TEST_F(InventoryRpcTest, GetAvailability_AnswersDuplicateSkusOnce_InFirstMentionOrder) {
  v1::GetAvailabilityResponse resp;
  ASSERT_TRUE(Availability(AtLocation("s1", v1::CHANNEL_ONLINE, {"b", "a", "b"}), &resp).ok());
  ASSERT_EQ(resp.availability_size(), 2);
  EXPECT_EQ(resp.availability(0).sku(), "b");
  EXPECT_EQ(resp.availability(1).sku(), "a");
}

TEST_F(InventoryRpcTest, GetAvailability_ForAGroupOnline_SumsOnlyShippingMembers) {
  for (const char* l : {"s1", "s2", "s3"}) server_.Receive("a", l, 10);
  server_.SetGroup("online", {"s1", "s2", "s3"});
  v1::GetAvailabilityResponse resp;
  ASSERT_TRUE(Availability(InGroup("online", v1::CHANNEL_ONLINE), &resp).ok());
  EXPECT_EQ(resp.availability(0).atp(), 20);
  EXPECT_EQ(resp.availability(0).locations_size(), 2);
}

TEST_F(InventoryRpcTest, GetAvailability_ForAGroupBopis_SumsOnlyPickupMembers) {
  for (const char* l : {"s1", "s2", "s3"}) server_.Receive("a", l, 10);
  server_.SetGroup("stores", {"s1", "s2", "s3"});
  v1::GetAvailabilityResponse resp;
  ASSERT_TRUE(Availability(InGroup("stores", v1::CHANNEL_BOPIS), &resp).ok());
  EXPECT_EQ(resp.availability(0).atp(), 20);
  for (const auto& l : resp.availability(0).locations()) EXPECT_NE(l.location_id(), "s2");
}

TEST_F(InventoryRpcTest, GetAvailability_ForAGroup_SkipsInactiveMembers) {
  for (const char* l : {"s1", "s2"}) server_.Receive("a", l, 10);
  server_.SetGroup("online", {"s1", "s2"});
  v1::UpsertLocationRequest off;
  off.set_request_id(LiveServer::NextId());
  off.mutable_location()->set_location_id("s2");
  off.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
  off.mutable_location()->set_ship_enabled(true);
  off.mutable_location()->set_active(false);
  v1::UpsertLocationResponse done;
  ASSERT_TRUE(server_.locations().UpsertLocation(Ctx().get(), off, &done).ok());
  v1::GetAvailabilityResponse resp;
  ASSERT_TRUE(Availability(InGroup("online", v1::CHANNEL_ONLINE), &resp).ok());
  EXPECT_EQ(resp.availability(0).atp(), 10);
}

TEST_F(InventoryRpcTest, GetAvailability_AtAnInactiveLocation_PromisesNothingToAnyChannel) {
  server_.Receive("a", "s2", 10);
  v1::UpsertLocationRequest off;
  off.set_request_id(LiveServer::NextId());
  off.mutable_location()->set_location_id("s2");
  off.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
  off.mutable_location()->set_active(false);
  v1::UpsertLocationResponse done;
  ASSERT_TRUE(server_.locations().UpsertLocation(Ctx().get(), off, &done).ok());
  EXPECT_EQ(server_.Atp("a", "s2", v1::CHANNEL_ONLINE), 0);
  EXPECT_EQ(server_.Atp("a", "s2", v1::CHANNEL_POS), 0);
  EXPECT_EQ(server_.Level("a", "s2").on_hand(), 10);  // it keeps its stock
}

TEST_F(InventoryRpcTest, GetAvailability_AtAnUnknownLocation_IsNotFound) {
  EXPECT_TRUE(IsError(Availability(AtLocation("ghost", v1::CHANNEL_ONLINE)), grpc::NOT_FOUND));
}

TEST_F(InventoryRpcTest, GetAvailability_InAnUnknownGroup_IsNotFound) {
  EXPECT_TRUE(IsError(Availability(InGroup("ghost", v1::CHANNEL_ONLINE)), grpc::NOT_FOUND));
}

TEST_F(InventoryRpcTest, GetAvailability_WithoutSkus_NamesSkus) {
  EXPECT_TRUE(IsError(Availability(AtLocation("s1", v1::CHANNEL_ONLINE, {})),
                      grpc::INVALID_ARGUMENT, "", "skus"));
}

TEST_F(InventoryRpcTest, GetAvailability_WithMoreThan1000Skus_NamesSkus) {
  std::vector<std::string> skus;
  for (int i = 0; i < 1001; ++i) skus.push_back("sku" + std::to_string(i));
  EXPECT_TRUE(IsError(Availability(AtLocation("s1", v1::CHANNEL_ONLINE, skus)),
                      grpc::INVALID_ARGUMENT, "", "skus"));
}

TEST_F(InventoryRpcTest, GetAvailability_WithABadSku_NamesItsIndex) {
  EXPECT_TRUE(IsError(Availability(AtLocation("s1", v1::CHANNEL_ONLINE, {"ok", "not ok"})),
                      grpc::INVALID_ARGUMENT, "", "skus[1]"));
}

TEST_F(InventoryRpcTest, GetAvailability_WithoutAScope_NamesScope) {
  v1::GetAvailabilityRequest req;
  req.add_skus("a");
  EXPECT_TRUE(IsError(Availability(req), grpc::INVALID_ARGUMENT, "", "scope"));
}

TEST_F(InventoryRpcTest, GetAvailability_WithAnUnknownChannel_NamesChannel) {
  EXPECT_TRUE(IsError(Availability(AtLocation("s1", static_cast<v1::Channel>(99))),
                      grpc::INVALID_ARGUMENT, "", "channel"));
}

// --- ListStock -------------------------------------------------------------------------------

TEST_F(InventoryRpcTest, ListStock_PagesVisitEveryLevelOfTheLocationOnceInSkuOrder) {
  for (int i = 0; i < 7; ++i) {
    server_.Receive("sku" + std::to_string(i), "s1", i + 1);
    server_.Receive("sku" + std::to_string(i), "s2", 100);
  }
  std::vector<std::string> skus;
  v1::ListStockRequest req;
  req.set_location_id("s1");
  req.set_page_size(3);
  for (int page = 0; page < 10; ++page) {
    v1::ListStockResponse resp;
    ASSERT_TRUE(server_.inventory().ListStock(Ctx().get(), req, &resp).ok());
    for (const auto& l : resp.stock_levels()) {
      EXPECT_EQ(l.location_id(), "s1");
      skus.push_back(l.sku());
    }
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(skus,
            (std::vector<std::string>{"sku0", "sku1", "sku2", "sku3", "sku4", "sku5", "sku6"}));
}

TEST_F(InventoryRpcTest, ListStock_WithPageSizeZero_ReturnsTheDefaultHundred) {
  v1::ImportStockRequest import;
  import.set_request_id(LiveServer::NextId());
  for (int i = 0; i < 101; ++i) {
    auto* row = import.add_rows();
    row->set_sku("sku" + std::to_string(1000 + i));
    row->set_location_id("s1");
    row->set_on_hand(1);
  }
  v1::ImportStockResponse imported;
  ASSERT_TRUE(server_.inventory().ImportStock(Ctx().get(), import, &imported).ok());
  v1::ListStockRequest req;
  req.set_location_id("s1");
  v1::ListStockResponse first;
  ASSERT_TRUE(server_.inventory().ListStock(Ctx().get(), req, &first).ok());
  EXPECT_EQ(first.stock_levels_size(), 100);
  req.set_page_token(first.next_page_token());
  v1::ListStockResponse second;
  ASSERT_TRUE(server_.inventory().ListStock(Ctx().get(), req, &second).ok());
  ASSERT_EQ(second.stock_levels_size(), 1);
  EXPECT_EQ(second.stock_levels(0).sku(), "sku1100");
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(InventoryRpcTest, ListStock_AtAnUnknownLocation_IsNotFound) {
  v1::ListStockRequest req;
  req.set_location_id("ghost");
  v1::ListStockResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListStock(Ctx().get(), req, &resp), grpc::NOT_FOUND));
}

TEST_F(InventoryRpcTest, ListStock_WithoutALocation_NamesLocationId) {
  v1::ListStockResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListStock(Ctx().get(), {}, &resp), grpc::INVALID_ARGUMENT,
                      "", "location_id"));
}

TEST_F(InventoryRpcTest, ListStock_WithATokenOfAnotherList_NamesPageToken) {
  for (int i = 0; i < 3; ++i) server_.AddLocation("extra" + std::to_string(i));
  v1::ListLocationsRequest locations;
  locations.set_page_size(1);
  v1::ListLocationsResponse page;
  ASSERT_TRUE(server_.locations().ListLocations(Ctx().get(), locations, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  v1::ListStockRequest req;
  req.set_location_id("s1");
  req.set_page_token(page.next_page_token());
  v1::ListStockResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListStock(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_token"));
}

TEST_F(InventoryRpcTest, ListStock_WithAPageSizeAboveTheMaximum_NamesPageSize) {
  v1::ListStockRequest req;
  req.set_location_id("s1");
  req.set_page_size(1001);
  v1::ListStockResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListStock(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_size"));
}

// --- ListMovements ---------------------------------------------------------------------------

TEST_F(InventoryRpcTest, ListMovements_PagesThroughTheLedgerOldestFirst) {
  for (int i = 1; i <= 11; ++i) server_.Receive("a", "s1", i);
  std::vector<v1::Movement> all = AllMovements({}, 4);
  ASSERT_EQ(all.size(), 11u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].delta(), static_cast<int64_t>(i + 1));
    if (i > 0) {
      EXPECT_GT(all[i].movement_id(), all[i - 1].movement_id());
    }
  }
}

TEST_F(InventoryRpcTest, ListMovements_SumOfDeltas_EqualsOnHand) {
  server_.Receive("a", "s1", 10);
  ASSERT_TRUE(Adjust(AdjustRequest("a", "s1", -3, v1::MOVEMENT_REASON_SOLD)).ok());
  ASSERT_TRUE(Transfer(TransferRequest("s1", "s2", 2)).ok());
  ASSERT_TRUE(Set(SetRequest("a", "s1", 4)).ok());
  v1::ListMovementsRequest req;
  req.set_sku("a");
  req.set_location_id("s1");
  int64_t sum = 0;
  for (const auto& m : AllMovements(req, 2)) sum += m.delta();
  EXPECT_EQ(sum, server_.Level("a", "s1").on_hand());
  EXPECT_EQ(sum, 4);
}

TEST_F(InventoryRpcTest, ListMovements_WithAMalformedCursor_NamesPageToken) {
  v1::ListMovementsRequest req;
  req.set_page_token("6d6f76656d656e74733a6162");  // hex of "movements:ab"
  v1::ListMovementsResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListMovements(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_token"));
}

TEST_F(InventoryRpcTest, ListMovements_AtAnUnknownLocation_IsNotFound) {
  v1::ListMovementsRequest req;
  req.set_location_id("ghost");
  v1::ListMovementsResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListMovements(Ctx().get(), req, &resp), grpc::NOT_FOUND));
}

TEST_F(InventoryRpcTest, ListMovements_WithANegativeCursor_NamesPageToken) {
  v1::ListMovementsRequest req;
  req.set_page_token("6d6f76656d656e74733a2d35");  // hex of "movements:-5"
  v1::ListMovementsResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListMovements(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_token"));
}

TEST_F(InventoryRpcTest, ListMovements_WithABadSkuFilter_NamesSku) {
  v1::ListMovementsRequest req;
  req.set_sku("bad sku");
  v1::ListMovementsResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListMovements(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "sku"));
}

TEST_F(InventoryRpcTest, ListMovements_WithANegativePageSize_NamesPageSize) {
  v1::ListMovementsRequest req;
  req.set_page_size(-1);
  v1::ListMovementsResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ListMovements(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_size"));
}

// Regression: FromProto(Timestamp) once overflowed past +-9,223,372,036,854 s, so a far-future
// `since` was read as the far past. It now clamps to the Timestamp range.
TEST_F(InventoryRpcTest, ListMovements_SinceAFarFutureInstant_ReturnsNothing) {
  server_.Receive("a", "s1", 1);
  v1::ListMovementsRequest req;
  // Past the largest google.protobuf.Timestamp (year 9999): either refused as malformed or
  // answered with no movements, but never read as some time in the past.
  req.mutable_since()->set_seconds(9'223'372'036'855);
  v1::ListMovementsResponse resp;
  grpc::Status s = server_.inventory().ListMovements(Ctx().get(), req, &resp);
  if (s.ok()) {
    EXPECT_EQ(resp.movements_size(), 0);
  } else {
    EXPECT_TRUE(IsError(s, grpc::INVALID_ARGUMENT, "", "since"));
  }
}

// Regression: the far past must not wrap around to the far future either.
TEST_F(InventoryRpcTest, ListMovements_SinceAFarPastInstant_ReturnsEverything) {
  server_.Receive("a", "s1", 1);
  v1::ListMovementsRequest req;
  req.mutable_since()->set_seconds(-9'223'372'036'855);
  v1::ListMovementsResponse resp;
  grpc::Status s = server_.inventory().ListMovements(Ctx().get(), req, &resp);
  if (s.ok()) {
    EXPECT_EQ(resp.movements_size(), 1);
  } else {
    EXPECT_TRUE(IsError(s, grpc::INVALID_ARGUMENT, "", "since"));
  }
}

TEST_F(InventoryRpcTest, ListMovements_WithPageSizeZero_ReturnsTheDefaultHundred) {
  v1::ImportStockRequest import;
  import.set_request_id(LiveServer::NextId());
  for (int i = 0; i < 101; ++i) {
    auto* row = import.add_rows();
    row->set_sku("sku" + std::to_string(i));
    row->set_location_id("s1");
    row->set_on_hand(1);
  }
  v1::ImportStockResponse imported;
  ASSERT_TRUE(server_.inventory().ImportStock(Ctx().get(), import, &imported).ok());
  v1::ListMovementsResponse resp;
  ASSERT_TRUE(server_.inventory().ListMovements(Ctx().get(), {}, &resp).ok());
  EXPECT_EQ(resp.movements_size(), 100);
  EXPECT_FALSE(resp.next_page_token().empty());
}

// The server's clock is a fake here, so movement times are exact.
class InventoryClockTest : public ::testing::Test {
 protected:
  InventoryClockTest() : server_(WithClock(&clock_)) { server_.AddLocation("s1"); }
  static services::ServerOptions WithClock(Clock* clock) {
    services::ServerOptions options;
    options.clock = clock;
    return options;
  }
  FakeClock clock_;
  LiveServer server_;
};

TEST_F(InventoryClockTest, Movements_CarryTheServerClocksTime) {
  clock_.Set(FromMicros(1'800'000'000'123'456));
  server_.Receive("a", "s1", 1);
  v1::ListMovementsResponse resp;
  ASSERT_TRUE(server_.inventory().ListMovements(Ctx().get(), {}, &resp).ok());
  ASSERT_EQ(resp.movements_size(), 1);
  EXPECT_EQ(resp.movements(0).create_time().seconds(), 1'800'000'000);
  EXPECT_EQ(resp.movements(0).create_time().nanos(), 123'456'000);
}

TEST_F(InventoryClockTest, ListMovements_Since_SelectsMovementsAtOrAfterThatInstant) {
  server_.Receive("a", "s1", 1);
  clock_.Advance(std::chrono::hours(1));
  int64_t later_s = ToMicros(clock_.Now()) / 1'000'000;
  server_.Receive("a", "s1", 2);
  clock_.Advance(std::chrono::hours(1));
  server_.Receive("a", "s1", 4);
  v1::ListMovementsRequest req;
  req.mutable_since()->set_seconds(later_s);
  v1::ListMovementsResponse resp;
  ASSERT_TRUE(server_.inventory().ListMovements(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.movements_size(), 2);
  EXPECT_EQ(resp.movements(0).delta(), 2);
  EXPECT_EQ(resp.movements(1).delta(), 4);
}

// --- WatchAvailability (input errors; streaming behaviour is in watch_test.cc) --------------

class WatchInputTest : public InventoryRpcTest {
 protected:
  grpc::Status Watch(const v1::WatchAvailabilityRequest& req) {
    auto ctx = Ctx(5);
    auto reader = server_.inventory().WatchAvailability(ctx.get(), req);
    v1::AvailabilityChanged change;
    while (reader->Read(&change)) {
    }
    return reader->Finish();
  }
};

TEST_F(WatchInputTest, NegativeAfterSequence_NamesAfterSequence) {
  v1::WatchAvailabilityRequest req;
  req.set_after_sequence(-1);
  EXPECT_TRUE(IsError(Watch(req), grpc::INVALID_ARGUMENT, "", "after_sequence"));
}

TEST_F(WatchInputTest, ABadSkuFilter_NamesItsIndex) {
  v1::WatchAvailabilityRequest req;
  req.add_skus("ok");
  req.add_skus(std::string(129, 's'));
  EXPECT_TRUE(IsError(Watch(req), grpc::INVALID_ARGUMENT, "", "skus[1]"));
}

TEST_F(WatchInputTest, AnUnknownLocationFilter_IsNotFound) {
  v1::WatchAvailabilityRequest req;
  req.add_location_ids("ghost");
  EXPECT_TRUE(IsError(Watch(req), grpc::NOT_FOUND));
}

TEST_F(WatchInputTest, MoreThan1000Skus_NamesSkus) {
  v1::WatchAvailabilityRequest req;
  for (int i = 0; i < 1001; ++i) req.add_skus("sku" + std::to_string(i));
  EXPECT_TRUE(IsError(Watch(req), grpc::INVALID_ARGUMENT, "", "skus"));
}

}  // namespace
}  // namespace oms::testing

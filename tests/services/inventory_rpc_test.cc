// InventoryService against the real in-process server, one behaviour per test: each RPC's
// happy path and every error of API.md's table that applies to it, checked down to the
// ErrorInfo reason (domain oms.v1), its metadata and the BadRequest field name.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/fakes/fake_clock.h"
#include "tests/support/error_details.h"
#include "tests/support/live_server.h"

namespace oms::testing {
namespace {

class InventoryRpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.AddLocation("s1", /*ship=*/true, /*pickup=*/true);
    server_.AddLocation("s2", /*ship=*/true, /*pickup=*/false);
    server_.AddLocation("s3", /*ship=*/false, /*pickup=*/true);
  }

  static v1::AdjustStockRequest AdjustRequest(const std::string& sku, const std::string& location,
                                              int64_t delta, v1::MovementReason reason) {
    v1::AdjustStockRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_sku(sku);
    req.set_location_id(location);
    req.set_delta(delta);
    req.set_reason(reason);
    req.set_reference("delivery 42");
    return req;
  }
  grpc::Status Adjust(const v1::AdjustStockRequest& req, v1::AdjustStockResponse* resp = nullptr) {
    v1::AdjustStockResponse local;
    return server_.inventory().AdjustStock(Ctx().get(), req, resp ? resp : &local);
  }

  static v1::SetStockRequest SetRequest(const std::string& sku, const std::string& location,
                                        int64_t on_hand) {
    v1::SetStockRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_sku(sku);
    req.set_location_id(location);
    req.set_on_hand(on_hand);
    return req;
  }
  grpc::Status Set(const v1::SetStockRequest& req, v1::SetStockResponse* resp = nullptr) {
    v1::SetStockResponse local;
    return server_.inventory().SetStock(Ctx().get(), req, resp ? resp : &local);
  }

  static v1::TransferStockRequest TransferRequest(const std::string& from, const std::string& to,
                                                  int64_t quantity) {
    v1::TransferStockRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_sku("a");
    req.set_from_location_id(from);
    req.set_to_location_id(to);
    req.set_quantity(quantity);
    return req;
  }
  grpc::Status Transfer(const v1::TransferStockRequest& req,
                        v1::TransferStockResponse* resp = nullptr) {
    v1::TransferStockResponse local;
    return server_.inventory().TransferStock(Ctx().get(), req, resp ? resp : &local);
  }

  grpc::Status Safety(const std::string& sku, const std::string& location, int64_t safety,
                      v1::SetSafetyStockResponse* resp = nullptr) {
    v1::SetSafetyStockRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_sku(sku);
    req.set_location_id(location);
    req.set_safety_stock(safety);
    v1::SetSafetyStockResponse local;
    return server_.inventory().SetSafetyStock(Ctx().get(), req, resp ? resp : &local);
  }

  grpc::Status Availability(const v1::GetAvailabilityRequest& req,
                            v1::GetAvailabilityResponse* resp = nullptr) {
    v1::GetAvailabilityResponse local;
    return server_.inventory().GetAvailability(Ctx().get(), req, resp ? resp : &local);
  }
  static v1::GetAvailabilityRequest AtLocation(const std::string& location, v1::Channel channel,
                                               const std::vector<std::string>& skus = {"a"}) {
    v1::GetAvailabilityRequest req;
    for (const auto& s : skus) req.add_skus(s);
    req.set_location_id(location);
    req.set_channel(channel);
    return req;
  }
  static v1::GetAvailabilityRequest InGroup(const std::string& group, v1::Channel channel) {
    v1::GetAvailabilityRequest req;
    req.add_skus("a");
    req.set_group_id(group);
    req.set_channel(channel);
    return req;
  }

  void Hold(const std::string& sku, const std::string& location, int64_t quantity) {
    v1::CreateReservationRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_channel(v1::CHANNEL_POS);
    auto* line = req.add_lines();
    line->set_sku(sku);
    line->set_location_id(location);
    line->set_quantity(quantity);
    v1::CreateReservationResponse resp;
    grpc::Status s = server_.Reserve(req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  std::vector<v1::Movement> AllMovements(v1::ListMovementsRequest req, int page_size) {
    std::vector<v1::Movement> out;
    req.set_page_size(page_size);
    for (int page = 0; page < 1000; ++page) {
      v1::ListMovementsResponse resp;
      grpc::Status s = server_.inventory().ListMovements(Ctx().get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      EXPECT_LE(resp.movements_size(), page_size);
      out.insert(out.end(), resp.movements().begin(), resp.movements().end());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  }

  LiveServer server_;
};

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

// --- AdjustStock -----------------------------------------------------------------------------

TEST_F(InventoryRpcTest, AdjustStock_ReturnsTheNewLevelAndItsMovement) {
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", 7, v1::MOVEMENT_REASON_RECEIVED);
  v1::AdjustStockResponse resp;
  ASSERT_TRUE(Adjust(req, &resp).ok());
  EXPECT_EQ(resp.stock_level().on_hand(), 7);
  EXPECT_EQ(resp.stock_level().atp(), 7);
  EXPECT_EQ(resp.stock_level().version(), 1);
  EXPECT_EQ(resp.movement().delta(), 7);
  EXPECT_EQ(resp.movement().on_hand_after(), 7);
  EXPECT_EQ(resp.movement().reason(), v1::MOVEMENT_REASON_RECEIVED);
  EXPECT_EQ(resp.movement().reference(), "delivery 42");
  EXPECT_EQ(resp.movement().request_id(), req.request_id());
  EXPECT_GT(resp.movement().movement_id(), 0);
  EXPECT_EQ(resp.shortfall(), 0);
}

TEST_F(InventoryRpcTest, AdjustStock_Retry_ReturnsTheByteIdenticalResponse_AndAppliesOnce) {
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", 7, v1::MOVEMENT_REASON_RECEIVED);
  v1::AdjustStockResponse first, second;
  ASSERT_TRUE(Adjust(req, &first).ok());
  ASSERT_TRUE(Adjust(req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 7);
}

TEST_F(InventoryRpcTest, AdjustStock_RetryAfterARestart_ReturnsTheByteIdenticalResponse) {
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", 7, v1::MOVEMENT_REASON_RECEIVED);
  v1::AdjustStockResponse first, second;
  ASSERT_TRUE(Adjust(req, &first).ok());
  server_.Restart();
  ASSERT_TRUE(Adjust(req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 7);
}

TEST_F(InventoryRpcTest, AdjustStock_ReusedRequestIdWithAnotherDelta_IsRequestIdReused) {
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", 7, v1::MOVEMENT_REASON_RECEIVED);
  ASSERT_TRUE(Adjust(req).ok());
  req.set_delta(8);
  grpc::Status s = Adjust(req);
  EXPECT_TRUE(IsError(s, grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED", "request_id"));
  EXPECT_EQ(DetailsOf(s).metadata["request_id"], req.request_id());
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 7);
}

TEST_F(InventoryRpcTest, AdjustStock_ReusedRequestIdFromAnotherMethod_IsRequestIdReused) {
  v1::SetStockRequest set = SetRequest("a", "s1", 3);
  ASSERT_TRUE(Set(set).ok());
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", 7, v1::MOVEMENT_REASON_RECEIVED);
  req.set_request_id(set.request_id());
  EXPECT_TRUE(IsError(Adjust(req), grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

TEST_F(InventoryRpcTest, AdjustStock_BeyondAvailable_IsInsufficientStock_WithMetadata) {
  server_.Receive("a", "s1", 2);
  grpc::Status s = Adjust(AdjustRequest("a", "s1", -3, v1::MOVEMENT_REASON_SOLD));
  ASSERT_TRUE(IsError(s, grpc::FAILED_PRECONDITION, "INSUFFICIENT_STOCK"));
  ErrorDetails d = DetailsOf(s);
  EXPECT_EQ(d.metadata["sku"], "a");
  EXPECT_EQ(d.metadata["location"], "s1");
  EXPECT_EQ(d.metadata["requested"], "3");
  EXPECT_EQ(d.metadata["available"], "2");
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 2);
}

TEST_F(InventoryRpcTest, AdjustStock_IntoReservedUnits_IsInsufficientStock) {
  server_.Receive("a", "s1", 5);
  Hold("a", "s1", 4);
  EXPECT_TRUE(IsError(Adjust(AdjustRequest("a", "s1", -2, v1::MOVEMENT_REASON_DAMAGED)),
                      grpc::FAILED_PRECONDITION, "INSUFFICIENT_STOCK"));
}

TEST_F(InventoryRpcTest, AdjustStock_CorrectionIntoReservedUnits_ReportsTheShortfall) {
  server_.Receive("a", "s1", 5);
  Hold("a", "s1", 4);
  v1::AdjustStockResponse resp;
  ASSERT_TRUE(Adjust(AdjustRequest("a", "s1", -3, v1::MOVEMENT_REASON_CORRECTION), &resp).ok());
  EXPECT_EQ(resp.stock_level().on_hand(), 2);
  EXPECT_EQ(resp.stock_level().reserved(), 4);
  EXPECT_EQ(resp.shortfall(), 2);
  EXPECT_EQ(resp.stock_level().atp(), 0);
  EXPECT_EQ(resp.stock_level().atp_pos(), 0);
}

TEST_F(InventoryRpcTest, AdjustStock_WithAMatchingExpectedOnHand_Applies) {
  server_.Receive("a", "s1", 5);
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", -1, v1::MOVEMENT_REASON_LOST);
  req.set_expected_on_hand(5);
  EXPECT_TRUE(Adjust(req).ok());
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 4);
}

TEST_F(InventoryRpcTest, AdjustStock_WithADifferentExpectedOnHand_IsAbortedVersionMismatch) {
  server_.Receive("a", "s1", 5);
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", -1, v1::MOVEMENT_REASON_LOST);
  req.set_expected_on_hand(4);
  grpc::Status s = Adjust(req);
  EXPECT_TRUE(IsError(s, grpc::ABORTED, "VERSION_MISMATCH"));
  EXPECT_EQ(DetailsOf(s).metadata["on_hand"], "5");
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 5);
}

TEST_F(InventoryRpcTest, AdjustStock_AtAnUnknownLocation_IsNotFound) {
  EXPECT_TRUE(IsError(Adjust(AdjustRequest("a", "ghost", 1, v1::MOVEMENT_REASON_RECEIVED)),
                      grpc::NOT_FOUND));
}

TEST_F(InventoryRpcTest, AdjustStock_PastTheLargestOnHand_NamesDelta) {
  ASSERT_TRUE(Set(SetRequest("a", "s1", 1'000'000'000'000'000)).ok());
  EXPECT_TRUE(IsError(Adjust(AdjustRequest("a", "s1", 1, v1::MOVEMENT_REASON_RECEIVED)),
                      grpc::INVALID_ARGUMENT, "", "delta"));
}

// Malformed AdjustStock requests: each names its field, and none reaches the ledger.
struct BadAdjust {
  std::string name;
  std::function<void(v1::AdjustStockRequest&)> spoil;
  std::string field;
};

class BadAdjustTest : public InventoryRpcTest, public ::testing::WithParamInterface<BadAdjust> {};

TEST_P(BadAdjustTest, IsInvalidArgument_NamingTheField_AndWritesNothing) {
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", 5, v1::MOVEMENT_REASON_RECEIVED);
  GetParam().spoil(req);
  grpc::Status s = Adjust(req);
  EXPECT_TRUE(IsError(s, grpc::INVALID_ARGUMENT, "", GetParam().field));
  EXPECT_TRUE(AllMovements({}, 100).empty());
}

INSTANTIATE_TEST_SUITE_P(
    Requests, BadAdjustTest,
    ::testing::Values(
        BadAdjust{"NoRequestId", [](auto& r) { r.clear_request_id(); }, "request_id"},
        BadAdjust{"LongRequestId", [](auto& r) { r.set_request_id(std::string(129, 'r')); },
                  "request_id"},
        BadAdjust{"EmptySku", [](auto& r) { r.clear_sku(); }, "sku"},
        BadAdjust{"LongSku", [](auto& r) { r.set_sku(std::string(129, 's')); }, "sku"},
        BadAdjust{"SkuWithSpace", [](auto& r) { r.set_sku("a b"); }, "sku"},
        BadAdjust{"SkuWithControl", [](auto& r) { r.set_sku("a\x1b"); }, "sku"},
        BadAdjust{"SkuWithNul", [](auto& r) { r.set_sku(std::string("a\0b", 3)); }, "sku"},
        BadAdjust{"EmptyLocation", [](auto& r) { r.clear_location_id(); }, "location_id"},
        BadAdjust{"ZeroDelta", [](auto& r) { r.set_delta(0); }, "delta"},
        BadAdjust{"NegativeReceipt", [](auto& r) { r.set_delta(-5); }, "delta"},
        BadAdjust{"PositiveSale", [](auto& r) { r.set_reason(v1::MOVEMENT_REASON_SOLD); }, "delta"},
        BadAdjust{"HugeDelta", [](auto& r) { r.set_delta(INT64_MAX); }, "delta"},
        BadAdjust{"HugeNegativeDelta",
                  [](auto& r) {
                    r.set_reason(v1::MOVEMENT_REASON_CORRECTION);
                    r.set_delta(INT64_MIN);
                  },
                  "delta"},
        BadAdjust{"UnspecifiedReason",
                  [](auto& r) { r.set_reason(v1::MOVEMENT_REASON_UNSPECIFIED); }, "reason"},
        BadAdjust{"UnknownReason",
                  [](auto& r) { r.set_reason(static_cast<v1::MovementReason>(99)); }, "reason"},
        BadAdjust{"NegativeReason",
                  [](auto& r) { r.set_reason(static_cast<v1::MovementReason>(-1)); }, "reason"},
        BadAdjust{"CountReason", [](auto& r) { r.set_reason(v1::MOVEMENT_REASON_COUNT); },
                  "reason"},
        BadAdjust{"TransferReason", [](auto& r) { r.set_reason(v1::MOVEMENT_REASON_TRANSFER_IN); },
                  "reason"},
        BadAdjust{"LongReference", [](auto& r) { r.set_reference(std::string(257, 'x')); },
                  "reference"},
        BadAdjust{"ReferenceWithNewline", [](auto& r) { r.set_reference("a\nb"); }, "reference"},
        BadAdjust{"NegativeExpected", [](auto& r) { r.set_expected_on_hand(-1); },
                  "expected_on_hand"}),
    [](const auto& info) { return info.param.name; });

// --- SetStock --------------------------------------------------------------------------------

TEST_F(InventoryRpcTest, SetStock_SetsOnHand_WithACountMovement) {
  server_.Receive("a", "s1", 5);
  v1::SetStockResponse resp;
  ASSERT_TRUE(Set(SetRequest("a", "s1", 9), &resp).ok());
  EXPECT_EQ(resp.stock_level().on_hand(), 9);
  ASSERT_TRUE(resp.has_movement());
  EXPECT_EQ(resp.movement().delta(), 4);
  EXPECT_EQ(resp.movement().reason(), v1::MOVEMENT_REASON_COUNT);
}

TEST_F(InventoryRpcTest, SetStock_ToTheCurrentCount_HasNoMovement) {
  server_.Receive("a", "s1", 5);
  v1::SetStockResponse resp;
  ASSERT_TRUE(Set(SetRequest("a", "s1", 5), &resp).ok());
  EXPECT_FALSE(resp.has_movement());
  EXPECT_EQ(resp.stock_level().version(), 1);
}

TEST_F(InventoryRpcTest, SetStock_BelowReserved_ReportsTheShortfall) {
  server_.Receive("a", "s1", 5);
  Hold("a", "s1", 4);
  v1::SetStockResponse resp;
  ASSERT_TRUE(Set(SetRequest("a", "s1", 1), &resp).ok());
  EXPECT_EQ(resp.shortfall(), 3);
}

TEST_F(InventoryRpcTest, SetStock_WithADifferentExpectedOnHand_IsAbortedVersionMismatch) {
  server_.Receive("a", "s1", 5);
  v1::SetStockRequest req = SetRequest("a", "s1", 9);
  req.set_expected_on_hand(0);
  EXPECT_TRUE(IsError(Set(req), grpc::ABORTED, "VERSION_MISMATCH"));
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 5);
}

TEST_F(InventoryRpcTest, SetStock_Negative_NamesOnHand) {
  EXPECT_TRUE(IsError(Set(SetRequest("a", "s1", -1)), grpc::INVALID_ARGUMENT, "", "on_hand"));
}

TEST_F(InventoryRpcTest, SetStock_Huge_NamesOnHand) {
  EXPECT_TRUE(
      IsError(Set(SetRequest("a", "s1", INT64_MAX)), grpc::INVALID_ARGUMENT, "", "on_hand"));
}

TEST_F(InventoryRpcTest, SetStock_AtAnUnknownLocation_IsNotFound) {
  EXPECT_TRUE(IsError(Set(SetRequest("a", "ghost", 1)), grpc::NOT_FOUND));
}

TEST_F(InventoryRpcTest, SetStock_Retry_ReturnsTheByteIdenticalResponse) {
  v1::SetStockRequest req = SetRequest("a", "s1", 3);
  v1::SetStockResponse first, second;
  ASSERT_TRUE(Set(req, &first).ok());
  ASSERT_TRUE(Set(SetRequest("a", "s1", 8)).ok());  // changes on_hand in between
  ASSERT_TRUE(Set(req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 8);
}

// --- TransferStock ---------------------------------------------------------------------------

TEST_F(InventoryRpcTest, TransferStock_MovesUnits_ConservingTheTotal) {
  server_.Receive("a", "s1", 5);
  v1::TransferStockResponse resp;
  ASSERT_TRUE(Transfer(TransferRequest("s1", "s2", 2), &resp).ok());
  EXPECT_EQ(resp.from().on_hand(), 3);
  EXPECT_EQ(resp.to().on_hand(), 2);
  EXPECT_EQ(resp.out_movement().delta(), -2);
  EXPECT_EQ(resp.in_movement().delta(), 2);
  EXPECT_EQ(server_.Level("a", "s1").on_hand() + server_.Level("a", "s2").on_hand(), 5);
}

TEST_F(InventoryRpcTest, TransferStock_OfMoreThanIsUnreserved_MovesNothing) {
  server_.Receive("a", "s1", 5);
  Hold("a", "s1", 2);
  grpc::Status s = Transfer(TransferRequest("s1", "s2", 4));
  EXPECT_TRUE(IsError(s, grpc::FAILED_PRECONDITION, "INSUFFICIENT_STOCK"));
  EXPECT_EQ(DetailsOf(s).metadata["available"], "3");
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 5);
  EXPECT_EQ(server_.Level("a", "s2").on_hand(), 0);
}

TEST_F(InventoryRpcTest, TransferStock_ToAnUnknownLocation_IsNotFound_AndMovesNothing) {
  server_.Receive("a", "s1", 5);
  EXPECT_TRUE(IsError(Transfer(TransferRequest("s1", "ghost", 1)), grpc::NOT_FOUND));
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 5);
}

TEST_F(InventoryRpcTest, TransferStock_FromAnUnknownLocation_IsNotFound) {
  EXPECT_TRUE(IsError(Transfer(TransferRequest("ghost", "s1", 1)), grpc::NOT_FOUND));
}

TEST_F(InventoryRpcTest, TransferStock_ToTheSameLocation_NamesToLocationId) {
  EXPECT_TRUE(IsError(Transfer(TransferRequest("s1", "s1", 1)), grpc::INVALID_ARGUMENT, "",
                      "to_location_id"));
}

TEST_F(InventoryRpcTest, TransferStock_OfZero_NamesQuantity) {
  EXPECT_TRUE(
      IsError(Transfer(TransferRequest("s1", "s2", 0)), grpc::INVALID_ARGUMENT, "", "quantity"));
}

TEST_F(InventoryRpcTest, TransferStock_OfANegativeQuantity_NamesQuantity) {
  EXPECT_TRUE(
      IsError(Transfer(TransferRequest("s1", "s2", -3)), grpc::INVALID_ARGUMENT, "", "quantity"));
}

TEST_F(InventoryRpcTest, TransferStock_Retry_ReturnsTheByteIdenticalResponse_AndMovesOnce) {
  server_.Receive("a", "s1", 5);
  v1::TransferStockRequest req = TransferRequest("s1", "s2", 2);
  v1::TransferStockResponse first, second;
  ASSERT_TRUE(Transfer(req, &first).ok());
  ASSERT_TRUE(Transfer(req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(server_.Level("a", "s2").on_hand(), 2);
}

// --- SetSafetyStock --------------------------------------------------------------------------

TEST_F(InventoryRpcTest, SetSafetyStock_LowersRemoteAtp) {
  server_.Receive("a", "s1", 5);
  v1::SetSafetyStockResponse resp;
  ASSERT_TRUE(Safety("a", "s1", 2, &resp).ok());
  EXPECT_EQ(resp.stock_level().safety_stock(), 2);
  EXPECT_EQ(resp.stock_level().atp(), 3);
  EXPECT_EQ(resp.stock_level().atp_pos(), 5);
}

TEST_F(InventoryRpcTest, SetSafetyStock_Negative_NamesSafetyStock) {
  EXPECT_TRUE(IsError(Safety("a", "s1", -1), grpc::INVALID_ARGUMENT, "", "safety_stock"));
}

TEST_F(InventoryRpcTest, SetSafetyStock_AtAnUnknownLocation_IsNotFound) {
  EXPECT_TRUE(IsError(Safety("a", "ghost", 1), grpc::NOT_FOUND));
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

// --- ImportStock -----------------------------------------------------------------------------

TEST_F(InventoryRpcTest, ImportStock_SetsEveryRow) {
  v1::ImportStockRequest req;
  req.set_request_id(LiveServer::NextId());
  for (const char* l : {"s1", "s2"}) {
    auto* row = req.add_rows();
    row->set_sku("a");
    row->set_location_id(l);
    row->set_on_hand(6);
  }
  v1::ImportStockResponse resp;
  ASSERT_TRUE(server_.inventory().ImportStock(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.rows(), 2);
  EXPECT_EQ(resp.changed(), 2);
  EXPECT_EQ(server_.Level("a", "s2").on_hand(), 6);
}

TEST_F(InventoryRpcTest, ImportStock_WithADuplicateRow_NamesIt_AndImportsNothing) {
  v1::ImportStockRequest req;
  req.set_request_id(LiveServer::NextId());
  for (int i = 0; i < 2; ++i) {
    auto* row = req.add_rows();
    row->set_sku("a");
    row->set_location_id("s1");
    row->set_on_hand(6 + i);
  }
  v1::ImportStockResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ImportStock(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "rows[1].sku"));
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 0);
}

TEST_F(InventoryRpcTest, ImportStock_WithARowAtAnUnknownLocation_ImportsNothing) {
  v1::ImportStockRequest req;
  req.set_request_id(LiveServer::NextId());
  for (const char* l : {"s1", "ghost"}) {
    auto* row = req.add_rows();
    row->set_sku("a");
    row->set_location_id(l);
    row->set_on_hand(6);
  }
  v1::ImportStockResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ImportStock(Ctx().get(), req, &resp), grpc::NOT_FOUND, "",
                      "rows[1].location_id"));
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 0);
}

TEST_F(InventoryRpcTest, ImportStock_WithoutRows_NamesRows) {
  v1::ImportStockRequest req;
  req.set_request_id(LiveServer::NextId());
  v1::ImportStockResponse resp;
  EXPECT_TRUE(IsError(server_.inventory().ImportStock(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "rows"));
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

// --- concurrency -----------------------------------------------------------------------------

// 32 clients sell, receive and reserve one hot SKU at once while a reader polls. Without
// CORRECTIONs or counts, no committed state may ever hold on_hand below reserved, versions
// seen by a reader never go backwards, and at the end the ledger explains on_hand exactly.
TEST_F(InventoryRpcTest, ConcurrentSalesReceiptsAndHolds_KeepEveryInvariant) {
  server_.Receive("hot", "s1", 200);
  constexpr int kThreads = 32, kCalls = 20;
  std::atomic<int64_t> acknowledged_delta{0}, acknowledged_held{0};
  std::atomic<bool> stop{false}, broken{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    auto stub = v1::InventoryService::NewStub(server_.NewChannel());
    int64_t last_version = 0;
    while (!stop) {
      v1::ListStockRequest req;
      req.set_location_id("s1");
      v1::ListStockResponse resp;
      if (!stub->ListStock(Ctx().get(), req, &resp).ok() || resp.stock_levels_size() != 1) {
        continue;
      }
      const v1::StockLevel& l = resp.stock_levels(0);
      if (l.on_hand() < l.reserved() || l.atp_pos() != l.on_hand() - l.reserved() ||
          l.version() < last_version) {
        broken = true;
      }
      last_version = l.version();
      ++reads;
    }
  });
  std::vector<std::thread> clients;
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      auto inventory = v1::InventoryService::NewStub(server_.NewChannel());
      auto reservations = v1::ReservationService::NewStub(server_.NewChannel());
      for (int i = 0; i < kCalls; ++i) {
        int kind = (t * kCalls + i) % 4;
        if (kind == 3) {
          v1::CreateReservationRequest req;
          req.set_request_id(LiveServer::NextId());
          req.set_channel(v1::CHANNEL_POS);
          auto* line = req.add_lines();
          line->set_sku("hot");
          line->set_location_id("s1");
          line->set_quantity(1);
          v1::CreateReservationResponse resp;
          if (reservations->CreateReservation(Ctx(30).get(), req, &resp).ok()) ++acknowledged_held;
          continue;
        }
        bool receive = kind == 0;
        v1::AdjustStockRequest req =
            AdjustRequest("hot", "s1", receive ? 2 : -1,
                          receive ? v1::MOVEMENT_REASON_RECEIVED : v1::MOVEMENT_REASON_SOLD);
        v1::AdjustStockResponse resp;
        if (inventory->AdjustStock(Ctx(30).get(), req, &resp).ok()) {
          acknowledged_delta += req.delta();
        }
      }
    });
  }
  for (auto& c : clients) c.join();
  stop = true;
  reader.join();
  EXPECT_FALSE(broken);
  EXPECT_GT(reads.load(), 0);
  v1::StockLevel level = server_.Level("hot", "s1");
  EXPECT_EQ(level.on_hand(), 200 + acknowledged_delta.load());
  EXPECT_EQ(level.reserved(), acknowledged_held.load());
  v1::ListMovementsRequest req;
  req.set_sku("hot");
  int64_t ledger = 0;
  for (const auto& m : AllMovements(req, 1000)) ledger += m.delta();
  EXPECT_EQ(ledger, level.on_hand());
}

// --- malformed wire data ---------------------------------------------------------------------

// proto3 strings must be UTF-8; the protobuf runtime refuses the request before any handler
// runs. Whatever code gRPC picks for that, it is an error, not UNKNOWN/INTERNAL, and the
// server keeps serving.
TEST_F(InventoryRpcTest, InvalidUtf8InAStringField_IsRefused_AndTheServerKeepsServing) {
  v1::AdjustStockRequest req = AdjustRequest("a\xff", "s1", 1, v1::MOVEMENT_REASON_RECEIVED);
  grpc::Status s = Adjust(req);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(IsNotUnknownOrInternal(s));
  EXPECT_TRUE(AllMovements({}, 100).empty());
  server_.Receive("a", "s1", 1);
}

// --- transport limits ------------------------------------------------------------------------

TEST_F(InventoryRpcTest, RequestOver4MiB_IsRefusedByGrpcWithResourceExhausted) {
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", 1, v1::MOVEMENT_REASON_RECEIVED);
  req.set_reference(std::string(4 * 1024 * 1024 + 1, 'x'));
  grpc::Status s = Adjust(req);
  EXPECT_EQ(s.error_code(), grpc::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 0);
  server_.Receive("a", "s1", 1);  // and the server still serves
}

TEST_F(InventoryRpcTest, RequestJustUnder4MiB_IsDecodedAndValidated) {
  v1::AdjustStockRequest req = AdjustRequest("a", "s1", 1, v1::MOVEMENT_REASON_RECEIVED);
  req.set_reference(std::string(4 * 1024 * 1024 - 1024, 'x'));
  EXPECT_TRUE(IsError(Adjust(req), grpc::INVALID_ARGUMENT, "", "reference"));
}

}  // namespace
}  // namespace oms::testing

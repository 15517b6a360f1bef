// InventoryService mutations against the real in-process server, one behaviour per test:
// AdjustStock, SetStock, TransferStock, SetSafetyStock and ImportStock — happy paths, every
// error of API.md's table that applies, idempotent retries — then 32 concurrent clients, and
// malformed or oversized requests on the wire.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/services/inventory_rpc_fixture.h"

namespace oms::testing {
namespace {

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

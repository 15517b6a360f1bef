// LocationService and InventoryService against the real server: every RPC, the error codes
// of API.md that apply, bad input (never UNKNOWN/INTERNAL, never a crash), pagination, and
// many clients adjusting one SKU at once.
#include <gtest/gtest.h>

#include <google/protobuf/util/message_differencer.h>

#include <thread>

#include "tests/support/db_check.h"
#include "tests/support/live_server.h"

namespace oms::testing {
namespace {

class InventoryTest : public ::testing::Test {
 protected:
  InventoryTest() {
    server_.AddLocation("s1");
    server_.AddLocation("s2");
  }
  ~InventoryTest() override {
    server_.Stop();
    EXPECT_TRUE(DatabaseIsConsistent(server_.db_path()));
  }

  grpc::Status Adjust(const std::string& sku, const std::string& loc, int64_t delta,
                      v1::MovementReason reason, v1::AdjustStockResponse* resp = nullptr,
                      const std::string& request_id = LiveServer::NextId()) {
    v1::AdjustStockRequest req;
    req.set_request_id(request_id);
    req.set_sku(sku);
    req.set_location_id(loc);
    req.set_delta(delta);
    req.set_reason(reason);
    v1::AdjustStockResponse local;
    return server_.inventory().AdjustStock(Ctx().get(), req, resp ? resp : &local);
  }

  LiveServer server_;
};

TEST_F(InventoryTest, Locations_UpsertGetListAndGroups) {
  v1::GetLocationRequest get;
  get.set_location_id("s1");
  v1::GetLocationResponse got;
  ASSERT_TRUE(server_.locations().GetLocation(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.location().name(), "Location s1");
  EXPECT_TRUE(got.location().pickup_enabled());
  get.set_location_id("nope");
  EXPECT_EQ(server_.locations().GetLocation(Ctx().get(), get, &got).error_code(), grpc::NOT_FOUND);

  v1::UpsertLocationGroupRequest group;
  group.set_request_id(LiveServer::NextId());
  group.set_group_id("online");
  group.add_location_ids("s2");
  group.add_location_ids("s1");
  v1::UpsertLocationGroupResponse made;
  ASSERT_TRUE(server_.locations().UpsertLocationGroup(Ctx().get(), group, &made).ok());
  EXPECT_TRUE(made.created());
  group.set_request_id(LiveServer::NextId());
  group.add_location_ids("missing");
  EXPECT_EQ(server_.locations().UpsertLocationGroup(Ctx().get(), group, &made).error_code(),
            grpc::NOT_FOUND);
  v1::ListLocationGroupsResponse groups;
  ASSERT_TRUE(server_.locations().ListLocationGroups(Ctx().get(), {}, &groups).ok());
  ASSERT_EQ(groups.groups_size(), 1);
  EXPECT_EQ(groups.groups(0).location_ids(0), "s2");  // member order kept
}

TEST_F(InventoryTest, UpsertLocation_ReplacesFields_AndReportsCreated) {
  v1::UpsertLocationRequest req;
  req.set_request_id(LiveServer::NextId());
  auto* l = req.mutable_location();
  l->set_location_id("s1");
  l->set_name("Renamed");
  l->set_kind(v1::LOCATION_KIND_WAREHOUSE);
  l->set_active(false);
  v1::UpsertLocationResponse resp;
  ASSERT_TRUE(server_.locations().UpsertLocation(Ctx().get(), req, &resp).ok());
  EXPECT_FALSE(resp.created());
  EXPECT_EQ(resp.location().name(), "Renamed");
  req.set_request_id(LiveServer::NextId());
  l->set_kind(v1::LOCATION_KIND_UNSPECIFIED);
  grpc::Status s = server_.locations().UpsertLocation(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(s), "location.kind");
}

TEST_F(InventoryTest, Pagination_WalksEveryLocationAndStockLevelOnce) {
  for (int i = 0; i < 25; ++i) server_.AddLocation("p" + std::to_string(100 + i));
  std::vector<std::string> ids;
  std::string token;
  do {
    v1::ListLocationsRequest req;
    req.set_page_size(7);
    req.set_page_token(token);
    v1::ListLocationsResponse resp;
    ASSERT_TRUE(server_.locations().ListLocations(Ctx().get(), req, &resp).ok());
    EXPECT_LE(resp.locations_size(), 7);
    for (const auto& l : resp.locations()) ids.push_back(l.location_id());
    token = resp.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(ids.size(), 27u);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));

  v1::ImportStockRequest import;
  import.set_request_id(LiveServer::NextId());
  for (int i = 0; i < 250; ++i) {
    auto* row = import.add_rows();
    row->set_sku("sku-" + std::to_string(1000 + i));
    row->set_location_id("s1");
    row->set_on_hand(i);
  }
  v1::ImportStockResponse imported;
  ASSERT_TRUE(server_.inventory().ImportStock(Ctx().get(), import, &imported).ok());
  EXPECT_EQ(imported.rows(), 250);
  EXPECT_EQ(imported.changed(), 249);  // sku-1000 was set to 0: no change, no movement
  int levels = 0;
  token.clear();
  do {
    v1::ListStockRequest req;
    req.set_location_id("s1");
    req.set_page_size(100);
    req.set_page_token(token);
    v1::ListStockResponse resp;
    ASSERT_TRUE(server_.inventory().ListStock(Ctx().get(), req, &resp).ok());
    levels += resp.stock_levels_size();
    token = resp.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(levels, 249);
  int movements = 0;
  token.clear();
  do {
    v1::ListMovementsRequest req;
    req.set_location_id("s1");
    req.set_page_size(100);
    req.set_page_token(token);
    v1::ListMovementsResponse resp;
    ASSERT_TRUE(server_.inventory().ListMovements(Ctx().get(), req, &resp).ok());
    for (const auto& m : resp.movements()) EXPECT_EQ(m.reason(), v1::MOVEMENT_REASON_COUNT);
    movements += resp.movements_size();
    token = resp.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(movements, 249);
}

TEST_F(InventoryTest, ListMovements_FiltersBySkuLocationAndTime) {
  server_.Receive("a", "s1", 1);
  server_.Receive("a", "s2", 2);
  server_.Receive("b", "s1", 3);
  v1::ListMovementsRequest req;
  req.set_sku("a");
  req.set_location_id("s2");
  v1::ListMovementsResponse resp;
  ASSERT_TRUE(server_.inventory().ListMovements(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.movements_size(), 1);
  EXPECT_EQ(resp.movements(0).delta(), 2);
  EXPECT_EQ(resp.movements(0).actor(), "local");
  req.clear_location_id();
  req.mutable_since()->set_seconds(4'000'000'000);  // year 2096
  ASSERT_TRUE(server_.inventory().ListMovements(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.movements_size(), 0);
}

TEST_F(InventoryTest, AdjustRetry_ReturnsTheIdenticalResponse) {
  v1::AdjustStockResponse first, second;
  ASSERT_TRUE(Adjust("a", "s1", 4, v1::MOVEMENT_REASON_RECEIVED, &first, "same").ok());
  ASSERT_TRUE(Adjust("a", "s1", 4, v1::MOVEMENT_REASON_RECEIVED, &second, "same").ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 4);
  grpc::Status s = Adjust("a", "s1", 5, v1::MOVEMENT_REASON_RECEIVED, nullptr, "same");
  EXPECT_EQ(ReasonOf(s), "REQUEST_ID_REUSED");
}

TEST_F(InventoryTest, CompareAndSet_MismatchIsAborted) {
  server_.Receive("a", "s1", 4);
  v1::SetStockRequest req;
  req.set_request_id(LiveServer::NextId());
  req.set_sku("a");
  req.set_location_id("s1");
  req.set_on_hand(10);
  req.set_expected_on_hand(3);
  v1::SetStockResponse resp;
  grpc::Status s = server_.inventory().SetStock(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::ABORTED);
  EXPECT_EQ(ReasonOf(s), "VERSION_MISMATCH");
  EXPECT_EQ(MetadataOf(s, "on_hand"), "4");
}

TEST_F(InventoryTest, Transfer_BetweenLocations_WritesBothMovements) {
  server_.Receive("a", "s1", 4);
  v1::TransferStockRequest req;
  req.set_request_id(LiveServer::NextId());
  req.set_sku("a");
  req.set_from_location_id("s1");
  req.set_to_location_id("s2");
  req.set_quantity(3);
  v1::TransferStockResponse resp;
  ASSERT_TRUE(server_.inventory().TransferStock(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.from().on_hand(), 1);
  EXPECT_EQ(resp.to().on_hand(), 3);
  EXPECT_EQ(resp.out_movement().reason(), v1::MOVEMENT_REASON_TRANSFER_OUT);
  EXPECT_EQ(resp.in_movement().reason(), v1::MOVEMENT_REASON_TRANSFER_IN);
  req.set_request_id(LiveServer::NextId());
  grpc::Status s = server_.inventory().TransferStock(Ctx().get(), req, &resp);
  EXPECT_EQ(ReasonOf(s), "INSUFFICIENT_STOCK");
}

// Every kind of bad input answers INVALID_ARGUMENT / NOT_FOUND / ..., never UNKNOWN or
// INTERNAL, and the server keeps serving.
TEST_F(InventoryTest, BadInput_NeverUnknownOrInternal_AndNeverCrashes) {
  const std::vector<std::string> ids = {"",     std::string(129, 'x'), "a b", "tab\t", "nul\0x",
                                        "\x01", "caf\xc3\xa9",         "ok"};
  const std::vector<int64_t> quantities = {0, -1, 1, INT64_MIN, INT64_MAX, 1'000'000'001};
  // The sweep must hit both sides of validation, or it shows nothing about either.
  int accepted = 0, invalid = 0;
  for (const auto& id : ids) {
    for (int64_t q : quantities) {
      for (int reason : {0, 1, 4, 7, 8, 99, -5}) {
        v1::AdjustStockRequest adj;
        adj.set_request_id(LiveServer::NextId());
        adj.set_sku(id);
        adj.set_location_id(id == "ok" ? "s1" : id);
        adj.set_delta(q);
        adj.set_reason(static_cast<v1::MovementReason>(reason));
        v1::AdjustStockResponse r1;
        grpc::Status s = server_.inventory().AdjustStock(Ctx().get(), adj, &r1);
        EXPECT_NE(s.error_code(), grpc::UNKNOWN) << s.error_message();
        EXPECT_NE(s.error_code(), grpc::INTERNAL) << s.error_message();
        if (s.ok()) ++accepted;
        if (s.error_code() == grpc::INVALID_ARGUMENT) ++invalid;
      }
      v1::TransferStockRequest tr;
      tr.set_request_id(id);
      tr.set_sku(id);
      tr.set_from_location_id("s1");
      tr.set_to_location_id(id);
      tr.set_quantity(q);
      v1::TransferStockResponse r2;
      grpc::Status s = server_.inventory().TransferStock(Ctx().get(), tr, &r2);
      EXPECT_NE(s.error_code(), grpc::UNKNOWN);
      EXPECT_NE(s.error_code(), grpc::INTERNAL) << s.error_message();
      v1::SetStockRequest set;
      set.set_request_id(LiveServer::NextId());
      set.set_sku("a");
      set.set_location_id("s1");
      set.set_on_hand(q);
      set.set_expected_on_hand(q);
      v1::SetStockResponse r3;
      s = server_.inventory().SetStock(Ctx().get(), set, &r3);
      EXPECT_NE(s.error_code(), grpc::INTERNAL) << s.error_message();
    }
    v1::GetAvailabilityRequest ga;
    ga.add_skus(id);
    ga.set_group_id(id);
    ga.set_channel(static_cast<v1::Channel>(77));
    v1::GetAvailabilityResponse r4;
    grpc::Status s = server_.inventory().GetAvailability(Ctx().get(), ga, &r4);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
    v1::ListStockRequest ls;
    ls.set_location_id(id);
    ls.set_page_token(id);
    ls.set_page_size(id.size() % 2 ? -7 : 100000);
    v1::ListStockResponse r5;
    s = server_.inventory().ListStock(Ctx().get(), ls, &r5);
    EXPECT_NE(s.error_code(), grpc::INTERNAL) << s.error_message();
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(invalid, 0);
  server_.Receive("still", "s1", 1);  // still serving
}

TEST_F(InventoryTest, GetAvailability_LimitsAndScopes) {
  v1::GetAvailabilityRequest req;
  req.set_location_id("s1");
  v1::GetAvailabilityResponse resp;
  EXPECT_EQ(FieldOf(server_.inventory().GetAvailability(Ctx().get(), req, &resp)), "skus");
  for (int i = 0; i < 1001; ++i) req.add_skus("sku" + std::to_string(i));
  EXPECT_EQ(FieldOf(server_.inventory().GetAvailability(Ctx().get(), req, &resp)), "skus");
  req.mutable_skus()->RemoveLast();
  ASSERT_TRUE(server_.inventory().GetAvailability(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.availability_size(), 1000);
  req.clear_location_id();
  EXPECT_EQ(FieldOf(server_.inventory().GetAvailability(Ctx().get(), req, &resp)), "scope");
  req.set_group_id("missing");
  EXPECT_EQ(server_.inventory().GetAvailability(Ctx().get(), req, &resp).error_code(),
            grpc::NOT_FOUND);
}

TEST_F(InventoryTest, ManyClientsAdjustingOneSku_OnHandEqualsTheSumOfMovements) {
  server_.Receive("hot", "s1", 1000);
  constexpr int kThreads = 32, kCalls = 40;
  std::atomic<int64_t> acknowledged{0}, acknowledged_calls{0};
  std::atomic<bool> negative_seen{false};
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    auto stub = v1::InventoryService::NewStub(server_.NewChannel());
    while (!stop) {
      v1::GetAvailabilityRequest req;
      req.add_skus("hot");
      req.set_location_id("s1");
      v1::GetAvailabilityResponse resp;
      if (stub->GetAvailability(Ctx().get(), req, &resp).ok() &&
          (resp.availability(0).atp() < 0 || resp.availability(0).locations(0).on_hand() < 0)) {
        negative_seen = true;
      }
      ++reads;
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::InventoryService::NewStub(server_.NewChannel());
      for (int i = 0; i < kCalls; ++i) {
        bool add = (t + i) % 3 == 0;
        v1::AdjustStockRequest req;
        req.set_request_id(LiveServer::NextId());
        req.set_sku("hot");
        req.set_location_id("s1");
        req.set_delta(add ? 5 : -3);
        req.set_reason(add ? v1::MOVEMENT_REASON_RECEIVED : v1::MOVEMENT_REASON_SOLD);
        v1::AdjustStockResponse resp;
        if (stub->AdjustStock(Ctx(30).get(), req, &resp).ok()) {
          acknowledged += req.delta();
          ++acknowledged_calls;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  reader.join();
  EXPECT_GT(acknowledged_calls.load(), 0);
  EXPECT_FALSE(negative_seen);
  EXPECT_GT(reads.load(), 0) << "the reader saw no state: negative_seen proves nothing";
  int64_t on_hand = server_.Level("hot", "s1").on_hand();
  EXPECT_EQ(on_hand, 1000 + acknowledged.load());
  int64_t sum = 0;
  v1::ListMovementsRequest req;
  req.set_sku("hot");
  req.set_page_size(1000);
  do {
    v1::ListMovementsResponse resp;
    ASSERT_TRUE(server_.inventory().ListMovements(Ctx().get(), req, &resp).ok());
    for (const auto& m : resp.movements()) sum += m.delta();
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
  EXPECT_EQ(sum, on_hand);
}

TEST_F(InventoryTest, Restart_KeepsLocationsStockAndTheLedger) {
  server_.Receive("a", "s1", 7);
  server_.SetSafety("a", "s1", 2);
  server_.Restart();
  v1::StockLevel level = server_.Level("a", "s1");
  EXPECT_EQ(level.on_hand(), 7);
  EXPECT_EQ(level.safety_stock(), 2);
  EXPECT_EQ(server_.Atp("a", "s1", v1::CHANNEL_ONLINE), 5);
  server_.Receive("a", "s1", 1);
  v1::ListMovementsRequest req;
  req.set_sku("a");
  v1::ListMovementsResponse resp;
  ASSERT_TRUE(server_.inventory().ListMovements(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.movements_size(), 2);
  EXPECT_EQ(resp.movements(1).movement_id(), resp.movements(0).movement_id() + 1);
}

}  // namespace
}  // namespace oms::testing

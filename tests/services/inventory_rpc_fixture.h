// The fixture of the InventoryService tests: a real in-process server with stores s1 (ship,
// pickup), s2 (ship) and s3 (pickup), and request builders for every inventory RPC.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/error_details.h"
#include "tests/support/live_server.h"

namespace oms::testing {

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

}  // namespace oms::testing

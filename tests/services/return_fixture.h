// ReturnTest: the real server over SQLite with a fake clock, stores to sell at and to take
// returns at, and helpers that make sales (a picked up order, a committed POS reservation) and
// return units of them.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/support/db_check.h"
#include "tests/support/error_details.h"
#include "tests/support/live_server.h"
#include "tests/support/manual_clock.h"

namespace oms::testing {

// (sku, quantity, disposition)
using RLine = std::tuple<std::string, int64_t, v1::Disposition>;

inline constexpr v1::Disposition kRestock = v1::DISPOSITION_RESTOCK;
inline constexpr v1::Disposition kDamaged = v1::DISPOSITION_DAMAGED;
inline constexpr v1::Disposition kInspect = v1::DISPOSITION_INSPECT;

class ReturnTest : public ::testing::Test {
 protected:
  ReturnTest() : server_(Options()) {
    // "sell" sells; "s2" and "s3" take returns of its sales.
    for (const char* store : {"sell", "s2", "s3"}) server_.AddLocation(store);
    server_.Receive("shoe", "sell", 100);
    server_.Receive("sock", "sell", 100);
  }
  ~ReturnTest() override {
    server_.Stop();
    EXPECT_TRUE(DatabaseIsConsistent(server_.db_path()));
  }

  services::ServerOptions Options() {
    services::ServerOptions o;
    o.clock = &clock_;
    return o;
  }

  // A pickup order at "sell" for `customer`, placed, picked, ready and picked up.
  std::string SellOrder(const std::string& customer,
                        const std::vector<std::pair<std::string, int64_t>>& lines) {
    v1::PlaceOrderRequest place;
    place.set_request_id(LiveServer::NextId());
    place.set_customer_id(customer);
    place.set_pickup_location_id("sell");
    for (const auto& [sku, q] : lines) {
      auto* l = place.add_lines();
      l->set_sku(sku);
      l->set_quantity(q);
    }
    v1::PlaceOrderResponse placed;
    EXPECT_TRUE(server_.orders().PlaceOrder(Ctx().get(), place, &placed).ok());
    const std::string id = placed.order().order_id();
    v1::StartPickingRequest pick;
    pick.set_request_id(LiveServer::NextId());
    pick.set_order_id(id);
    v1::StartPickingResponse picking;
    EXPECT_TRUE(server_.orders().StartPicking(Ctx().get(), pick, &picking).ok());
    v1::MarkReadyRequest ready;
    ready.set_request_id(LiveServer::NextId());
    ready.set_order_id(id);
    v1::MarkReadyResponse readied;
    EXPECT_TRUE(server_.orders().MarkReady(Ctx().get(), ready, &readied).ok());
    v1::ConfirmPickupRequest up;
    up.set_request_id(LiveServer::NextId());
    up.set_order_id(id);
    up.set_pickup_code(placed.order().pickup_code());
    v1::ConfirmPickupResponse done;
    grpc::Status s = server_.orders().ConfirmPickup(Ctx().get(), up, &done);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return id;
  }

  // A POS reservation at `store`, committed unless `commit` is false.
  std::string SellAtTill(const std::string& sku, int64_t quantity,
                         const std::string& store = "sell", bool commit = true) {
    v1::CreateReservationRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_channel(v1::CHANNEL_POS);
    auto* l = req.add_lines();
    l->set_sku(sku);
    l->set_quantity(quantity);
    l->set_location_id(store);
    v1::CreateReservationResponse res;
    grpc::Status s = server_.Reserve(req, &res);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (commit) {
      v1::CommitReservationRequest c;
      c.set_request_id(LiveServer::NextId());
      c.set_reservation_id(res.reservation().reservation_id());
      v1::CommitReservationResponse committed;
      s = server_.reservations().CommitReservation(Ctx().get(), c, &committed);
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return res.reservation().reservation_id();
  }

  static void AddLines(const std::vector<RLine>& lines,
                       google::protobuf::RepeatedPtrField<v1::ReturnRequestLine>* out) {
    for (const auto& [sku, q, d] : lines) {
      auto* l = out->Add();
      l->set_sku(sku);
      l->set_quantity(q);
      l->set_disposition(d);
    }
  }

  // A CreateReturn of an order's units ("ord_…") or a reservation's ("res_…").
  static v1::CreateReturnRequest ReturnOf(const std::string& source, const std::string& location,
                                          const std::vector<RLine>& lines) {
    v1::CreateReturnRequest req;
    req.set_request_id(LiveServer::NextId());
    if (source.rfind("ord", 0) == 0) {
      req.set_order_id(source);
    } else {
      req.set_reservation_id(source);
    }
    req.set_location_id(location);
    AddLines(lines, req.mutable_lines());
    req.set_reason("does not fit");
    return req;
  }

  grpc::Status Create(const v1::CreateReturnRequest& req, v1::CreateReturnResponse* resp) {
    return server_.returns().CreateReturn(Ctx().get(), req, resp);
  }

  v1::Return CreateOk(const v1::CreateReturnRequest& req) {
    v1::CreateReturnResponse resp;
    grpc::Status s = Create(req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.return_();
  }

  static v1::ResolveReturnRequest ResolveOf(const std::string& id,
                                            const std::vector<RLine>& lines) {
    v1::ResolveReturnRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_return_id(id);
    AddLines(lines, req.mutable_lines());
    return req;
  }

  grpc::Status Resolve(const v1::ResolveReturnRequest& req, v1::ResolveReturnResponse* resp) {
    return server_.returns().ResolveReturn(Ctx().get(), req, resp);
  }

  v1::Return Get(const std::string& id) {
    v1::GetReturnRequest req;
    req.set_return_id(id);
    v1::GetReturnResponse resp;
    grpc::Status s = server_.returns().GetReturn(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.return_();
  }

  // The location's row in GetAvailability (channel POS), with quarantined.
  v1::LocationAvailability Detail(const std::string& sku, const std::string& location) {
    v1::GetAvailabilityRequest req;
    req.add_skus(sku);
    req.set_location_id(location);
    req.set_channel(v1::CHANNEL_POS);
    v1::GetAvailabilityResponse resp;
    grpc::Status s = server_.inventory().GetAvailability(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (resp.availability_size() != 1 || resp.availability(0).locations_size() != 1) return {};
    return resp.availability(0).locations(0);
  }

  int64_t OnHand(const std::string& sku, const std::string& location) {
    return Detail(sku, location).on_hand();
  }

  // Every movement of `sku` at `location`, oldest first.
  std::vector<v1::Movement> Movements(const std::string& sku, const std::string& location) {
    std::vector<v1::Movement> out;
    v1::ListMovementsRequest req;
    req.set_sku(sku);
    req.set_location_id(location);
    req.set_page_size(1000);
    do {
      v1::ListMovementsResponse resp;
      grpc::Status s = server_.inventory().ListMovements(Ctx().get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& m : resp.movements()) out.push_back(m);
      req.set_page_token(resp.next_page_token());
    } while (!req.page_token().empty());
    return out;
  }

  ManualClock clock_;
  LiveServer server_;
};

}  // namespace oms::testing

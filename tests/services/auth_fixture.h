// AuthTest: the real server with a tokens file of every role (a store token for store s1),
// stores s1 and s2 with stock, one client per token, and helpers that make reservations,
// orders, sales and returns as admin.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <utility>

#include "oms/v1/inbound_service.grpc.pb.h"
#include "oms/v1/return_service.grpc.pb.h"
#include "tests/fakes/fault_vfs.h"
#include "tests/support/live_server.h"

namespace oms::testing {

inline constexpr char kAdmin[] = "admin-token-0000000001";
inline constexpr char kCheckout[] = "checkout-token-000002";
inline constexpr char kStore[] = "store-token-s1-000003";
inline constexpr char kViewer[] = "viewer-token-00000004";

inline std::string WriteTokens(const TempDir& dir) {
  std::string path = dir.File("tokens");
  std::ofstream(path) << "# role tokens for the tests\n"
                      << kAdmin << " admin name=ops\n"
                      << kCheckout << " checkout\n"
                      << kStore << " store s1 name=till-s1\n"
                      << kViewer << " viewer\n";
  return path;
}

// A client that presents one token (or none).
struct Client {
  Client(const LiveServer& server, std::string token) : token(std::move(token)) {
    auto channel = server.NewChannel();
    loc = v1::LocationService::NewStub(channel);
    inv = v1::InventoryService::NewStub(channel);
    res = v1::ReservationService::NewStub(channel);
    ord = v1::OrderService::NewStub(channel);
    ret = v1::ReturnService::NewStub(channel);
    inb = v1::InboundService::NewStub(channel);
  }
  std::unique_ptr<grpc::ClientContext> Ctx() const {
    auto ctx = oms::testing::Ctx();
    if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
    return ctx;
  }
  std::string token;
  std::unique_ptr<v1::LocationService::Stub> loc;
  std::unique_ptr<v1::InventoryService::Stub> inv;
  std::unique_ptr<v1::ReservationService::Stub> res;
  std::unique_ptr<v1::OrderService::Stub> ord;
  std::unique_ptr<v1::ReturnService::Stub> ret;
  std::unique_ptr<v1::InboundService::Stub> inb;
};

class AuthTest : public ::testing::Test {
 public:
  AuthTest() : server_(Options(dir_)), admin_(server_, kAdmin) {
    for (const char* id : {"s1", "s2"}) {
      v1::UpsertLocationRequest req;
      req.set_request_id(LiveServer::NextId());
      req.mutable_location()->set_location_id(id);
      req.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
      req.mutable_location()->set_ship_enabled(true);
      req.mutable_location()->set_pickup_enabled(true);
      req.mutable_location()->set_active(true);
      v1::UpsertLocationResponse resp;
      EXPECT_TRUE(admin_.loc->UpsertLocation(admin_.Ctx().get(), req, &resp).ok());
      v1::AdjustStockRequest adj;
      adj.set_request_id(LiveServer::NextId());
      adj.set_sku("a");
      adj.set_location_id(id);
      adj.set_delta(1000);
      adj.set_reason(v1::MOVEMENT_REASON_RECEIVED);
      v1::AdjustStockResponse adjusted;
      EXPECT_TRUE(admin_.inv->AdjustStock(admin_.Ctx().get(), adj, &adjusted).ok());
    }
  }

  ~AuthTest() override { FaultVfs::Clear(); }

  // On the fault VFS (idle unless a test arms it), so a test can make the server's reads fail.
  static services::ServerOptions Options(const TempDir& dir) {
    FaultVfs::Register();
    services::ServerOptions o;
    o.auth.tokens_path = WriteTokens(dir);
    o.vfs = FaultVfs::kName;
    return o;
  }

  std::string ReserveAs(const Client& c, const std::string& store, v1::Channel channel,
                        grpc::Status* status = nullptr) {
    v1::CreateReservationRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_channel(channel);
    auto* line = req.add_lines();
    line->set_sku("a");
    line->set_quantity(1);
    line->set_location_id(store);
    v1::CreateReservationResponse resp;
    grpc::Status s = c.res->CreateReservation(c.Ctx().get(), req, &resp);
    if (status) *status = s;
    return resp.reservation().reservation_id();
  }

  std::string OrderAt(const std::string& store) {
    v1::PlaceOrderRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_customer_id("cust");
    req.set_pickup_location_id(store);
    auto* line = req.add_lines();
    line->set_sku("a");
    line->set_quantity(1);
    v1::PlaceOrderResponse resp;
    EXPECT_TRUE(admin_.ord->PlaceOrder(admin_.Ctx().get(), req, &resp).ok());
    return resp.order().order_id();
  }

  // A till sale of one "a" at `store` (committed by admin): something to return.
  std::string SoldAt(const std::string& store) {
    std::string id = ReserveAs(admin_, store, v1::CHANNEL_POS);
    v1::CommitReservationRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_reservation_id(id);
    v1::CommitReservationResponse resp;
    EXPECT_TRUE(admin_.res->CommitReservation(admin_.Ctx().get(), r, &resp).ok());
    return id;
  }

  static v1::CreateReturnRequest ReturnRequest(const std::string& sale, const std::string& store,
                                               v1::Disposition disposition) {
    v1::CreateReturnRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_reservation_id(sale);
    r.set_location_id(store);
    auto* line = r.add_lines();
    line->set_sku("a");
    line->set_quantity(1);
    line->set_disposition(disposition);
    return r;
  }

  // An OPEN return (one "a" in quarantine) taken by admin at `store`.
  // An ExpectInbound of 5 "a" at `store`, two days out (new id each call).
  static v1::ExpectInboundRequest InboundRequest(const std::string& store) {
    v1::ExpectInboundRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_inbound_id(LiveServer::NextId("po"));
    r.set_location_id(store);
    r.mutable_expected_at()->set_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count() +
                                         48 * 3600);
    auto* line = r.add_lines();
    line->set_sku("a");
    line->set_quantity(5);
    return r;
  }

  // An open inbound at `store`, expected by admin.
  std::string InboundAt(const std::string& store) {
    v1::ExpectInboundResponse resp;
    EXPECT_TRUE(admin_.inb->ExpectInbound(admin_.Ctx().get(), InboundRequest(store), &resp).ok());
    return resp.inbound().inbound_id();
  }

  std::string OpenReturnAt(const std::string& store) {
    v1::CreateReturnResponse resp;
    EXPECT_TRUE(admin_.ret
                    ->CreateReturn(admin_.Ctx().get(),
                                   ReturnRequest(SoldAt(store), store, v1::DISPOSITION_INSPECT),
                                   &resp)
                    .ok());
    return resp.return_().return_id();
  }

  static v1::ResolveReturnRequest ResolveRequest(const std::string& id) {
    v1::ResolveReturnRequest r;
    r.set_request_id(LiveServer::NextId());
    r.set_return_id(id);
    auto* line = r.add_lines();
    line->set_sku("a");
    line->set_quantity(1);
    line->set_disposition(v1::DISPOSITION_RESTOCK);
    return r;
  }

  TempDir dir_;
  LiveServer server_;
  Client admin_;
};

}  // namespace oms::testing

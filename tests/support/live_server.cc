// LiveServer implementation.
#include "tests/support/live_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <random>

namespace oms::testing {

namespace {

google::rpc::Status DetailsOf(const grpc::Status& status) {
  google::rpc::Status details;
  details.ParseFromString(status.error_details());
  return details;
}

}  // namespace

std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details = DetailsOf(status);
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::string FieldOf(const grpc::Status& status) {
  google::rpc::Status details = DetailsOf(status);
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&bad) && bad.field_violations_size() > 0) {
      return bad.field_violations(0).field();
    }
  }
  return "";
}

std::string MetadataOf(const grpc::Status& status, const std::string& key) {
  google::rpc::Status details = DetailsOf(status);
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) {
      auto it = info.metadata().find(key);
      if (it != info.metadata().end()) return it->second;
    }
  }
  return "";
}

std::unique_ptr<grpc::ClientContext> Ctx(int seconds) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  ctx->set_wait_for_ready(true);  // ride out a connection still being set up, within the deadline
  return ctx;
}

LiveServer::LiveServer(services::ServerOptions options) : options_(std::move(options)) {
  options_.listen = "127.0.0.1:0";
  options_.db_path = dir_.File("oms.db");
  auto started = services::Server::Start(options_);
  if (!started.ok()) {
    ADD_FAILURE() << "server did not start: " << started.status().ToString();
    std::abort();
  }
  server_ = std::move(started).value();
  Connect();
}

LiveServer::~LiveServer() { Stop(); }

void LiveServer::Stop() {
  if (server_) server_->Shutdown(std::chrono::seconds(5));
  server_.reset();
}

void LiveServer::Restart() {
  Stop();
  auto started = services::Server::Start(options_);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  server_ = std::move(started).value();
  Connect();
}

std::shared_ptr<grpc::Channel> LiveServer::NewChannel() const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials(), args);
}

void LiveServer::Connect() {
  auto channel = NewChannel();
  locations_ = v1::LocationService::NewStub(channel);
  inventory_ = v1::InventoryService::NewStub(channel);
  reservations_ = v1::ReservationService::NewStub(channel);
  orders_ = v1::OrderService::NewStub(channel);
  returns_ = v1::ReturnService::NewStub(channel);
  inbound_ = v1::InboundService::NewStub(channel);
}

std::string LiveServer::NextId(const std::string& prefix) {
  static std::atomic<int64_t> next{1};
  return prefix + "-" + std::to_string(getpid()) + "-" + std::to_string(next++);
}

v1::ImportStockRequest LiveServer::BurstImport(const std::string& prefix, int rows,
                                               int64_t on_hand) {
  v1::ImportStockRequest req;
  req.set_request_id(NextId());
  for (int i = 0; i < rows; ++i) {
    auto* row = req.add_rows();
    row->set_sku(prefix + std::to_string(i));
    row->set_location_id("s1");
    row->set_on_hand(on_hand);
  }
  return req;
}

void LiveServer::AddLocation(const std::string& id, bool ship, bool pickup, v1::LocationKind kind) {
  v1::UpsertLocationRequest req;
  req.set_request_id(NextId());
  auto* l = req.mutable_location();
  l->set_location_id(id);
  l->set_name("Location " + id);
  l->set_kind(kind);
  l->set_ship_enabled(ship);
  l->set_pickup_enabled(pickup);
  l->set_active(true);
  v1::UpsertLocationResponse resp;
  grpc::Status s = locations_->UpsertLocation(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

void LiveServer::SetGroup(const std::string& group, const std::vector<std::string>& members) {
  v1::UpsertLocationGroupRequest req;
  req.set_request_id(NextId());
  req.set_group_id(group);
  for (const auto& m : members) req.add_location_ids(m);
  v1::UpsertLocationGroupResponse resp;
  grpc::Status s = locations_->UpsertLocationGroup(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

void LiveServer::Receive(const std::string& sku, const std::string& location, int64_t quantity) {
  v1::AdjustStockRequest req;
  req.set_request_id(NextId());
  req.set_sku(sku);
  req.set_location_id(location);
  req.set_delta(quantity);
  req.set_reason(v1::MOVEMENT_REASON_RECEIVED);
  v1::AdjustStockResponse resp;
  grpc::Status s = inventory_->AdjustStock(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

void LiveServer::SetSafety(const std::string& sku, const std::string& location, int64_t safety) {
  v1::SetSafetyStockRequest req;
  req.set_request_id(NextId());
  req.set_sku(sku);
  req.set_location_id(location);
  req.set_safety_stock(safety);
  v1::SetSafetyStockResponse resp;
  grpc::Status s = inventory_->SetSafetyStock(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

v1::StockLevel LiveServer::Level(const std::string& sku, const std::string& location) {
  v1::GetAvailabilityRequest req;
  req.add_skus(sku);
  req.set_location_id(location);
  req.set_channel(v1::CHANNEL_POS);
  v1::GetAvailabilityResponse resp;
  grpc::Status s = inventory_->GetAvailability(Ctx().get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  v1::StockLevel level;
  level.set_sku(sku);
  level.set_location_id(location);
  if (s.ok() && resp.availability_size() == 1 && resp.availability(0).locations_size() == 1) {
    const auto& l = resp.availability(0).locations(0);
    level.set_on_hand(l.on_hand());
    level.set_reserved(l.reserved());
    level.set_safety_stock(l.safety_stock());
  }
  return level;
}

int64_t LiveServer::Atp(const std::string& sku, const std::string& location, v1::Channel channel) {
  v1::GetAvailabilityRequest req;
  req.add_skus(sku);
  req.set_location_id(location);
  req.set_channel(channel);
  v1::GetAvailabilityResponse resp;
  grpc::Status s = inventory_->GetAvailability(Ctx().get(), req, &resp);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return s.ok() && resp.availability_size() == 1 ? resp.availability(0).atp() : -1;
}

grpc::Status LiveServer::Reserve(const v1::CreateReservationRequest& request,
                                 v1::CreateReservationResponse* response) {
  return reservations_->CreateReservation(Ctx().get(), request, response);
}

}  // namespace oms::testing

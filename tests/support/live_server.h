// LiveServer: the real in-process omsd (services::Server) on 127.0.0.1:0 over a temp SQLite
// file, with stubs for every service and small helpers for the common calls.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "oms/v1/inbound_service.grpc.pb.h"
#include "oms/v1/inventory_service.grpc.pb.h"
#include "oms/v1/location_service.grpc.pb.h"
#include "oms/v1/order_service.grpc.pb.h"
#include "oms/v1/reservation_service.grpc.pb.h"
#include "oms/v1/return_service.grpc.pb.h"
#include "services/server.h"
#include "tests/support/temp_dir.h"

namespace oms::testing {

// The ErrorInfo reason in a failed status's details ("" if none).
std::string ReasonOf(const grpc::Status& status);
// The first BadRequest field violation's field ("" if none).
std::string FieldOf(const grpc::Status& status);
// ErrorInfo metadata value for `key` ("" if absent).
std::string MetadataOf(const grpc::Status& status, const std::string& key);

class LiveServer {
 public:
  explicit LiveServer(services::ServerOptions options = {});
  ~LiveServer();

  // Stops the server (as SIGTERM would) and starts a new one on the same file.
  void Restart();
  void Stop();

  std::shared_ptr<grpc::Channel> NewChannel() const;
  std::string db_path() const { return options_.db_path; }
  services::Server& server() { return *server_; }

  v1::LocationService::Stub& locations() { return *locations_; }
  v1::InventoryService::Stub& inventory() { return *inventory_; }
  v1::ReservationService::Stub& reservations() { return *reservations_; }
  v1::OrderService::Stub& orders() { return *orders_; }
  v1::ReturnService::Stub& returns() { return *returns_; }
  v1::InboundService::Stub& inbound() { return *inbound_; }

  // A unique request id for this process.
  static std::string NextId(const std::string& prefix = "req");
  // ImportStock of `rows` SKUs `prefix`0, `prefix`1, … at s1 with `on_hand` each: one commit,
  // `rows` availability events at once.
  static v1::ImportStockRequest BurstImport(const std::string& prefix, int rows, int64_t on_hand);

  // Setup helpers: they assert success.
  void AddLocation(const std::string& id, bool ship = true, bool pickup = true,
                   v1::LocationKind kind = v1::LOCATION_KIND_STORE);
  void SetGroup(const std::string& group, const std::vector<std::string>& members);
  void Receive(const std::string& sku, const std::string& location, int64_t quantity);
  void SetSafety(const std::string& sku, const std::string& location, int64_t safety);
  v1::StockLevel Level(const std::string& sku, const std::string& location);
  int64_t Atp(const std::string& sku, const std::string& location,
              v1::Channel channel = v1::CHANNEL_ONLINE);

  grpc::Status Reserve(const v1::CreateReservationRequest& request,
                       v1::CreateReservationResponse* response);

 private:
  void Connect();

  TempDir dir_;
  services::ServerOptions options_;
  std::unique_ptr<services::Server> server_;
  std::unique_ptr<v1::LocationService::Stub> locations_;
  std::unique_ptr<v1::InventoryService::Stub> inventory_;
  std::unique_ptr<v1::ReservationService::Stub> reservations_;
  std::unique_ptr<v1::OrderService::Stub> orders_;
  std::unique_ptr<v1::ReturnService::Stub> returns_;
  std::unique_ptr<v1::InboundService::Stub> inbound_;
};

// A client context with a deadline, so a hung server fails the test instead of hanging it.
std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 10);

}  // namespace oms::testing

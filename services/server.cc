// Server wiring: storage -> engine -> writer -> services -> gRPC.
#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <mutex>

#include "domain/engine.h"
#include "domain/limits.h"
#include "services/event_codec.h"
#include "services/inventory_service.h"
#include "services/location_service.h"
#include "services/order_service.h"
#include "services/reservation_service.h"
#include "services/watch_hub.h"
#include "storage/random_ids.h"
#include "storage/reader.h"
#include "storage/sqlite_store.h"

namespace oms::services {

struct Server::Parts {
  SystemClock system_clock;
  storage::RandomIdSource random_ids;
  std::unique_ptr<storage::SqliteStore> store;
  SharedView view;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<storage::Writer> writer;
  std::unique_ptr<storage::Reader> reader;
  std::unique_ptr<WatchHub> hub;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<LocationService> locations;
  std::unique_ptr<InventoryService> inventory;
  std::unique_ptr<ReservationService> reservations;
  std::unique_ptr<OrderService> orders;
  std::unique_ptr<grpc::Server> grpc_server;
  int port = 0;
  std::once_flag shutdown_once;
};

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Server::~Server() { Shutdown(std::chrono::seconds(1)); }

int Server::port() const { return parts_->port; }

int Server::schema_version() const { return parts_->store->schema_version(); }

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  auto p = std::make_unique<Parts>();
  Clock& clock = options.clock ? *options.clock : p->system_clock;
  IdSource& ids = options.ids ? *options.ids : p->random_ids;

  auto store = storage::SqliteStore::Open({options.db_path, options.durability_full}, EncodeEvent);
  if (!store.ok()) return store.status();
  p->store = std::move(store).value();
  p->reader = std::make_unique<storage::Reader>(options.db_path);
  p->hub = std::make_unique<WatchHub>(*p->reader, limits::kWatchBufferEvents);
  p->engine = std::make_unique<Engine>(*p->store, clock, ids, p->view, p->hub.get(),
                                       options.pickup_hold);
  OMS_RETURN_IF_ERROR(p->engine->Open());
  p->hub->Start(p->engine->state().last_sequence());
  p->writer = std::make_unique<storage::Writer>(*p->engine, options.writer);
  p->writer->Start();
  p->backend = std::make_unique<Backend>(Backend{*p->writer, *p->reader, p->view, clock, *p->hub});
  p->locations = std::make_unique<LocationService>(*p->backend);
  p->inventory = std::make_unique<InventoryService>(*p->backend);
  p->reservations = std::make_unique<ReservationService>(*p->backend);
  p->orders = std::make_unique<OrderService>(*p->backend);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &p->port);
  builder.SetMaxReceiveMessageSize(limits::kMaxRequestBytes);
  builder.RegisterService(p->locations.get());
  builder.RegisterService(p->inventory.get());
  builder.RegisterService(p->reservations.get());
  builder.RegisterService(p->orders.get());
  p->grpc_server = builder.BuildAndStart();
  if (!p->grpc_server || p->port == 0) {
    p->writer->Stop();
    return Status::Unavailable(reason::kShuttingDown,
                               "cannot listen on " + options.listen +
                                   " (address in use or invalid)");
  }
  p->grpc_server->GetHealthCheckService()->SetServingStatus(true);
  return std::unique_ptr<Server>(new Server(std::move(p)));
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  std::call_once(parts_->shutdown_once, [&] {
    Parts& p = *parts_;
    p.grpc_server->GetHealthCheckService()->SetServingStatus(false);
    // Streams never end by themselves: end them (UNAVAILABLE, resume elsewhere) first.
    p.hub->Shutdown();
    // In-flight mutations still need the writer, so it stops after the server.
    p.grpc_server->Shutdown(std::chrono::system_clock::now() + grace);
    p.writer->Stop();
    p.grpc_server->Wait();
  });
}

}  // namespace oms::services

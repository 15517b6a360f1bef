// Server wiring: storage -> engine -> writer -> services -> gRPC.
#include "services/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "domain/engine.h"
#include "domain/limits.h"
#include "services/admin_service.h"
#include "services/event_codec.h"
#include "services/forward.h"
#include "services/inbound_service.h"
#include "services/inventory_service.h"
#include "services/location_service.h"
#include "services/log.h"
#include "services/metrics.h"
#include "services/order_service.h"
#include "services/replica.h"
#include "services/reservation_service.h"
#include "services/return_service.h"
#include "services/watch_hub.h"
#include "storage/pg.h"
#include "storage/pg_store.h"
#include "storage/random_ids.h"
#include "storage/reader.h"
#include "storage/sqlite_store.h"

namespace oms::services {

struct Server::Parts {
  SystemClock system_clock;
  storage::RandomIdSource random_ids;
  std::unique_ptr<Store> store;
  storage::SqliteStore* sqlite = nullptr;  // the store, when it is SQLite's
  int schema_version = 0;
  SharedView view;
  AppliedSequence applied;
  std::unique_ptr<SequencedSink> sink;
  std::unique_ptr<Replica> replica;  // PostgreSQL: this replica of several
  std::unique_ptr<Forwarder> forwarder;
  // Health of "oms.v1.Writer": SERVING on the replica that writes (set once gRPC runs).
  std::mutex health_mu;
  grpc::HealthCheckServiceInterface* health = nullptr;
  bool writing = false;
  void StopWriting() {
    if (writer) writer->Stop();
    if (replica) replica->Stop();  // steps down: the lease is free for another at once
  }
  void SetWriting(bool writing_now) {
    std::lock_guard lock(health_mu);
    writing = writing_now;
    if (health) health->SetServingStatus(kWriterHealthService, writing);
  }
  CommitGate gate;  // how far the pipelined writer's commits are durable, for the reader
  std::unique_ptr<Engine> engine;
  std::unique_ptr<storage::Writer> writer;
  std::unique_ptr<storage::Reader> reader;
  std::unique_ptr<WatchHub> hub;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<Backend> backend;
  std::unique_ptr<LocationService> locations;
  std::unique_ptr<InventoryService> inventory;
  std::unique_ptr<ReservationService> reservations;
  std::unique_ptr<OrderService> orders;
  std::unique_ptr<ReturnService> returns;
  std::unique_ptr<InboundService> inbound;
  std::unique_ptr<AdminService> admin;
  std::unique_ptr<grpc::Server> grpc_server;
  std::unique_ptr<HttpGateway> http;
  int port = 0;
  std::once_flag shutdown_once;
};

Server::Server(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Server::~Server() { Shutdown(std::chrono::seconds(1)); }

int Server::port() const { return parts_->port; }

int Server::metrics_port() const { return parts_->metrics ? parts_->metrics->port() : 0; }

int Server::http_port() const { return parts_->http ? parts_->http->port() : 0; }

int Server::schema_version() const { return parts_->schema_version; }

bool Server::writing() const {
  std::lock_guard lock(parts_->health_mu);
  return parts_->writing;
}

FanoutCounters Server::fanout_counters() const {
  WatchCounters w = parts_->hub->counters();
  return {w.encoded, w.replayed, w.written, parts_->http ? parts_->http->sse_events_formatted() : 0,
          parts_->http ? parts_->http->sse_writes() : 0};
}

bool IsLoopback(const std::string& address) {
  if (address.rfind("unix:", 0) == 0) return true;
  std::string host = address.substr(0, address.rfind(':'));
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

namespace {

Result<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return Status(Code::kInvalidArgument, std::string("cannot read ") + what + " " + path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& o) {
  if (o.tls_cert.empty() && o.tls_key.empty()) {
    if (!o.tls_client_ca.empty()) {
      return Status(Code::kInvalidArgument, "--tls-client-ca needs --tls-cert and --tls-key");
    }
    return grpc::InsecureServerCredentials();
  }
  if (o.tls_cert.empty() || o.tls_key.empty()) {
    return Status(Code::kInvalidArgument, "--tls-cert and --tls-key go together");
  }
  Result<std::string> cert = ReadFile(o.tls_cert, "TLS certificate");
  if (!cert.ok()) return cert.status();
  Result<std::string> key = ReadFile(o.tls_key, "TLS key");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl(
      o.tls_client_ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                              : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!o.tls_client_ca.empty()) {
    Result<std::string> ca = ReadFile(o.tls_client_ca, "client CA");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
  }
  return grpc::SslServerCredentials(ssl);
}

void LogBatch(const BatchStats& stats, std::chrono::microseconds elapsed) {
  if (!stats.committed) {
    LogEvent("error", "batch_failed",
             {{"commands", std::to_string(stats.commands)},
              {"elapsed_us", std::to_string(elapsed.count())}});
  } else if (elapsed > std::chrono::seconds(1)) {
    LogEvent("warn", "slow_batch",
             {{"commands", std::to_string(stats.commands)},
              {"elapsed_us", std::to_string(elapsed.count())}});
  }
}

// How a follower reaches the leader: TLS when this server uses it, trusting the certificate
// chain replicas share (and presenting it, for mutual TLS).
Result<std::shared_ptr<grpc::ChannelCredentials>> PeerCredentials(const ServerOptions& o) {
  if (o.tls_cert.empty()) return grpc::InsecureChannelCredentials();
  Result<std::string> cert = ReadFile(o.tls_cert, "TLS certificate");
  if (!cert.ok()) return cert.status();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = *cert;
  if (!o.tls_client_ca.empty()) {
    Result<std::string> key = ReadFile(o.tls_key, "TLS key");
    if (!key.ok()) return key.status();
    ssl.pem_cert_chain = *cert;
    ssl.pem_private_key = *key;
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

Status Server::ReloadTokens() { return parts_->auth->Reload(); }

Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  if (options.auth.tokens_path.empty() && !IsLoopback(options.listen)) {
    return Status(Code::kFailedPrecondition,
                  "refusing to listen on " + options.listen +
                      " without --tokens: anyone who can reach it could change stock. Pass "
                      "--tokens FILE, or listen on a loopback address");
  }
  if (options.auth.tokens_path.empty() && !options.http_listen.empty() &&
      !IsLoopback(options.http_listen)) {
    return Status(Code::kFailedPrecondition,
                  "refusing to serve HTTP on " + options.http_listen +
                      " without --tokens: anyone who can reach it could change stock. Pass "
                      "--tokens FILE, or listen on a loopback address");
  }
  Result<std::shared_ptr<grpc::ServerCredentials>> credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();
  auto p = std::make_unique<Parts>();
  auto auth = Authenticator::Create(options.auth);
  if (!auth.ok()) return auth.status();
  p->auth = std::move(auth).value();
  if (!options.metrics_listen.empty()) {
    auto metrics = Metrics::Start(options.metrics_listen);
    if (!metrics.ok()) return metrics.status();
    p->metrics = std::move(metrics).value();
  }
  Clock& clock = options.clock ? *options.clock : p->system_clock;
  IdSource& ids = options.ids ? *options.ids : p->random_ids;

  // Pipelined durability is SQLite's (an fsync of the WAL); PostgreSQL commits each batch.
  const bool pipelined =
      options.postgres.empty() && options.durability_full && options.writer.pipelined;
  std::function<Status(Submission)> submit;
  if (!options.postgres.empty()) {
    p->reader = std::make_unique<storage::Reader>(storage::PgConnections(options.postgres));
    p->hub = std::make_unique<WatchHub>(*p->reader, limits::kWatchBufferEvents);
    ReplicaOptions replica_options{.conninfo = options.postgres,
                                   .advertise = options.advertise,
                                   .lease_ttl = options.lease_ttl,
                                   .pickup_hold = options.pickup_hold,
                                   .inbound_grace = options.inbound_grace,
                                   .writer = options.writer};
    p->replica = std::make_unique<Replica>(std::move(replica_options), clock, ids, p->view, *p->hub,
                                           p->applied);
    Metrics* metrics = p->metrics.get();
    Replica* replica = p->replica.get();
    Parts* parts = p.get();
    Replica::Observer observer;
    observer.role = [parts, metrics, replica](bool leading) {
      parts->SetWriting(leading);
      if (metrics) metrics->ObserveReplica(replica->applied_sequence(), 0, leading);
    };
    observer.followed = [metrics, replica](int64_t applied, int64_t behind,
                                           std::chrono::microseconds lag) {
      if (!metrics) return;
      if (lag.count() >= 0) metrics->ObserveFollowLag(static_cast<double>(lag.count()) / 1e6);
      if (behind >= 0) metrics->ObserveReplica(applied, behind, replica->leader());
    };
    observer.batch = [metrics, replica](const BatchStats& stats,
                                        std::chrono::microseconds elapsed) {
      LogBatch(stats, elapsed);
      if (!metrics) return;
      const storage::WriterStats* writer = replica->writer_stats();
      auto [active, live] = replica->live_counts();
      metrics->ObserveBatch(stats, elapsed, writer ? writer->queue_depth.load() : 0, active, live);
    };
    OMS_RETURN_IF_ERROR(p->replica->Start(std::move(observer)));
    p->schema_version = p->replica->schema_version();
    auto peers = PeerCredentials(options);
    if (!peers.ok()) return peers.status();
    p->forwarder = std::make_unique<Forwarder>(std::move(peers).value());
    submit = [replica](Submission s) { return replica->Submit(std::move(s)); };
  } else {
    auto store = storage::SqliteStore::Open({.path = options.db_path,
                                             .synchronous_full = options.durability_full,
                                             .vfs = options.vfs,
                                             .pipelined = pipelined},
                                            EncodeEvent);
    if (!store.ok()) return store.status();
    p->schema_version = (*store)->schema_version();
    p->sqlite = store->get();
    p->store = std::move(store).value();
    p->reader = std::make_unique<storage::Reader>(options.db_path, options.vfs,
                                                  pipelined ? &p->gate : nullptr);
    p->hub = std::make_unique<WatchHub>(*p->reader, limits::kWatchBufferEvents);
    p->sink = std::make_unique<SequencedSink>(*p->hub, p->applied);
    p->engine = std::make_unique<Engine>(*p->store, clock, ids, p->view, p->sink.get(),
                                         options.pickup_hold);
    // Before Open: loading decides which inbounds are overdue, and the sweep's schedule.
    p->engine->set_inbound_grace(options.inbound_grace);
    p->engine->set_commit_gate(&p->gate);
    OMS_RETURN_IF_ERROR(p->engine->Open());
    p->hub->Start(p->engine->state().last_sequence());
    p->applied.Advance(p->engine->state().last_sequence());
    storage::WriterOptions writer_options = options.writer;
    writer_options.pipelined = pipelined;
    p->writer = std::make_unique<storage::Writer>(*p->engine, writer_options);
    {
      Metrics* metrics = p->metrics.get();
      Engine* engine = p->engine.get();
      storage::Writer* writer = p->writer.get();
      storage::SqliteStore* sqlite = p->sqlite;
      p->writer->set_observer([=](const BatchStats& stats, std::chrono::microseconds elapsed) {
        LogBatch(stats, elapsed);
        if (metrics) {
          metrics->ObserveBatch(stats, elapsed, writer->stats().queue_depth.load(),
                                engine->state().active_reservations(),
                                engine->state().live_orders());
          if (sqlite) {
            storage::SqliteStore::WalTotals wal = sqlite->wal_totals();
            metrics->ObserveWal(wal.commits, wal.frames, wal.bytes);
          }
        }
      });
    }
    p->writer->Start();
    p->SetWriting(true);
    storage::Writer* writer = p->writer.get();
    submit = [writer](Submission s) { return writer->Submit(std::move(s)); };
  }
  if (p->metrics) {
    Metrics* metrics = p->metrics.get();
    p->hub->set_lag_observer(
        [metrics](size_t streams, int64_t lag) { metrics->SetWatchStreams(streams, lag); });
  }
  p->backend = std::make_unique<Backend>(Backend{.submit = std::move(submit),
                                                 .reader = *p->reader,
                                                 .view = p->view,
                                                 .clock = clock,
                                                 .hub = *p->hub,
                                                 .auth = *p->auth,
                                                 .applied = &p->applied,
                                                 .replica = p->replica.get(),
                                                 .forwarder = p->forwarder.get()});
  p->locations = std::make_unique<LocationService>(*p->backend);
  p->inventory = std::make_unique<InventoryService>(*p->backend);
  p->reservations = std::make_unique<ReservationService>(*p->backend);
  p->orders = std::make_unique<OrderService>(*p->backend);
  p->returns = std::make_unique<ReturnService>(*p->backend);
  p->inbound = std::make_unique<InboundService>(*p->backend);
  if (options.postgres.empty()) {
    p->admin = std::make_unique<AdminService>(*p->backend, options.db_path);
  } else {
    p->admin =
        std::make_unique<AdminService>(*p->backend, storage::PgConnections(options.postgres));
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, *credentials, &p->port);
  builder.SetMaxReceiveMessageSize(limits::kMaxRequestBytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  // A port another process listens on must fail to bind, not be shared with it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Keepalive: accept client pings every 10 s (even idle, for long Watch streams); ping idle
  // clients every 60 s and drop those that do not answer in 20 s.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  if (p->metrics) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> hooks;
    hooks.push_back(p->metrics->Interceptor());
    builder.experimental().SetInterceptorCreators(std::move(hooks));
  }
  builder.RegisterService(p->locations.get());
  builder.RegisterService(p->inventory.get());
  builder.RegisterService(p->reservations.get());
  builder.RegisterService(p->orders.get());
  builder.RegisterService(p->returns.get());
  builder.RegisterService(p->inbound.get());
  builder.RegisterService(p->admin.get());
  p->grpc_server = builder.BuildAndStart();
  if (!p->grpc_server || p->port == 0) {
    p->StopWriting();
    return Status::Unavailable(reason::kShuttingDown, "cannot listen on " + options.listen +
                                                          " (address in use or invalid)");
  }
  if (!options.http_listen.empty()) {
    HttpOptions http = options.http;
    http.listen = options.http_listen;
    http.tls_cert = options.tls_cert;
    http.tls_key = options.tls_key;
    http.tls_client_ca = options.tls_client_ca;
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    auto gateway = HttpGateway::Start(http, p->grpc_server->InProcessChannel(args), *p->auth);
    if (!gateway.ok()) {
      p->grpc_server->Shutdown();
      p->StopWriting();
      return gateway.status();
    }
    p->http = std::move(gateway).value();
  }
  p->grpc_server->GetHealthCheckService()->SetServingStatus(true);
  {
    std::lock_guard lock(p->health_mu);
    p->health = p->grpc_server->GetHealthCheckService();
    p->health->SetServingStatus(kWriterHealthService, p->writing);
  }
  if (p->replica) {
    // Only now that it listens may it lead: the lease names where the others reach it.
    std::string host = options.listen.substr(0, options.listen.rfind(':'));
    p->replica->Run(host + ":" + std::to_string(p->port));
  }
  return std::unique_ptr<Server>(new Server(std::move(p)));
}

void Server::Shutdown(std::chrono::milliseconds grace) {
  std::call_once(parts_->shutdown_once, [&] {
    Parts& p = *parts_;
    {
      std::lock_guard lock(p.health_mu);
      p.health = nullptr;
    }
    p.grpc_server->GetHealthCheckService()->SetServingStatus(false);
    // Streams never end by themselves: end them (UNAVAILABLE, resume elsewhere) first.
    p.hub->Shutdown();
    // HTTP next: its streams have just ended; its unary calls are cancelled, not waited for.
    if (p.http) p.http->Shutdown();
    // In-flight mutations still need the writer, so it stops after the server.
    p.grpc_server->Shutdown(std::chrono::system_clock::now() + grace);
    p.StopWriting();
    p.grpc_server->Wait();
    // Every call has ended; the backup or verify they started finishes its cleanup.
    p.admin->Stop();
  });
}

}  // namespace oms::services

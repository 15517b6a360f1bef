// Server: opens the database, starts the writer and the gRPC server with every service,
// health and reflection; shuts down in order. Used by omsd's main and by in-process tests.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "domain/limits.h"
#include "domain/ports.h"
#include "services/auth.h"
#include "services/http_gateway.h"
#include "storage/writer.h"

namespace oms::services {

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";  // port 0 picks a free port
  std::string db_path = "oms.db";
  // PostgreSQL instead of the SQLite file: a libpq connection string or URI. Several omsd
  // may share one database; one writes at a time, holding the lease.
  std::string postgres;
  // Who this replica is to the others (its --advertise address), and how long its lease
  // lasts unless a batch renews it.
  std::string advertise;
  std::chrono::milliseconds lease_ttl{5000};
  bool durability_full = true;
  // How long a ready pickup order waits for its customer unless the order says otherwise.
  Duration pickup_hold = limits::kDefaultPickupHold;
  // How long after expected_at an open inbound turns overdue (no longer future supply).
  Duration inbound_grace = limits::kDefaultInboundGrace;
  Clock* clock = nullptr;   // default: the system clock
  IdSource* ids = nullptr;  // default: kernel randomness
  storage::WriterOptions writer;
  // A registered SQLite VFS (tests inject I/O faults); empty: the default.
  std::string vfs;
  // Without a tokens file the server refuses any address but loopback.
  AuthOptions auth;
  // TLS: certificate chain and key (PEM); with a client CA, clients must present a
  // certificate it signed (mutual TLS).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Prometheus /metrics on host:port; empty: off.
  std::string metrics_listen;
  // HTTP/2 streams per connection.
  int max_concurrent_streams = 1000;
  // HTTP/1.1 with JSON, Server-Sent Events and the store console on host:port (the same
  // tokens, loopback rule and TLS files as gRPC); empty: off. `http` holds its limits.
  std::string http_listen;
  HttpOptions http;
};

// The health service name SERVING only on the replica that writes (with SQLite: always).
inline constexpr char kWriterHealthService[] = "oms.v1.Writer";

// True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost, unix:).
bool IsLoopback(const std::string& address);

// What watch fan-out has cost since start-up (tests; see services/watch_hub.h).
struct FanoutCounters {
  uint64_t encoded = 0;        // events the watch hub encoded for live streams
  uint64_t replayed = 0;       // events read back from the log for streams behind the ring
  uint64_t written = 0;        // messages gRPC Watch streams sent
  uint64_t sse_formatted = 0;  // events the HTTP gateway rendered as Server-Sent Events
  uint64_t sse_writes = 0;     // writes of the gateway's event streams
};

class Server {
 public:
  // Opens and migrates the database, loads the state, then listens. Fails with a clear
  // status if the database cannot be opened or the address cannot be bound.
  static Result<std::unique_ptr<Server>> Start(const ServerOptions& options);
  ~Server();

  int port() const;
  // The /metrics port, 0 when metrics are off.
  int metrics_port() const;
  // The HTTP/JSON port, 0 when HTTP is off.
  int http_port() const;
  int schema_version() const;
  // True while this process writes: always with SQLite; on PostgreSQL, while this replica
  // holds the writer's lease (health "oms.v1.Writer" says the same).
  bool writing() const;
  FanoutCounters fanout_counters() const;
  // Health NOT_SERVING, stop accepting, let in-flight calls finish (up to `grace`), drain the
  // writer's queue, close the database. Safe to call more than once.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Re-reads the tokens file (SIGHUP); the old tokens stay in force if it is invalid.
  Status ReloadTokens();

  struct Parts;

 private:
  explicit Server(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace oms::services

// HttpGateway: the oms.v1 API over HTTP/1.1 (Boost.Beast on Asio) for browsers and clients
// without gRPC, and the store console. shared/API.md "HTTP and JSON" is the contract.
//
// One path, not a second implementation: every request becomes a call on this process's own
// gRPC server through an in-process channel, with the caller's `Authorization` forwarded as
// metadata. Authorization, validation, idempotency, metrics and error mapping are the gRPC
// service's; the gateway only translates JSON <-> protobuf and status -> the Connect error shape.
// Its threads never block: gRPC answers through callbacks that post back to the connection.
//
//   POST /oms.v1.<Service>/<Method>   a unary RPC, JSON in and out (protobuf's JSON mapping)
//   GET  /v1/watch/availability       Server-Sent Events of WatchAvailability (?sku=&location_id=)
//   GET  /v1/watch/orders             Server-Sent Events of WatchOrders (?pickup_location_id=
//                                     &customer_id=); `id:` is the sequence, Last-Event-ID resumes
//   GET  /v1/session                  who the bearer token is: {name, role, stores}
//   GET  / and its assets             the store console (services/console/, built in)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "domain/limits.h"
#include "domain/status.h"

namespace grpc {
class Channel;
}

namespace oms::services {

class Authenticator;

struct HttpOptions {
  std::string listen;  // host:port; port 0 picks a free port
  // PEM files, as for gRPC: with a certificate and key the gateway speaks HTTPS only; with a
  // client CA it requires client certificates that CA signed.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  int threads = 2;
  int max_connections = limits::kMaxHttpConnections;
  size_t max_header_bytes = limits::kMaxHttpHeaderBytes;
  size_t max_body_bytes = limits::kMaxRequestBytes;
  std::chrono::milliseconds header_timeout = limits::kHttpHeaderTimeout;
  std::chrono::milliseconds idle_timeout = limits::kHttpIdleTimeout;
  std::chrono::milliseconds heartbeat = limits::kSseHeartbeat;
};

class HttpGateway {
 public:
  // Binds and starts serving. `channel` reaches this process's gRPC server (in-process);
  // `auth` answers /v1/session. Fails with a clear status when the address cannot be bound or
  // the TLS files cannot be read.
  static Result<std::unique_ptr<HttpGateway>> Start(const HttpOptions& options,
                                                    std::shared_ptr<grpc::Channel> channel,
                                                    Authenticator& auth);
  ~HttpGateway();

  int port() const;
  // Events rendered as Server-Sent Events so far: once per event, whatever the connections.
  uint64_t sse_events_formatted() const;
  // Writes of Server-Sent Events streams so far (a burst of events leaves in few).
  uint64_t sse_writes() const;
  // Stops accepting, ends every Server-Sent Events stream and connection, and joins the
  // gateway's threads. Safe to call more than once.
  void Shutdown();

  struct Impl;

 private:
  explicit HttpGateway(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace oms::services

// Metrics: a Prometheus /metrics endpoint (prometheus-cpp) with requests by method and code,
// latency histograms, writer batch size and commit time, queue depth, active reservations,
// live orders, watch streams and each stream's lag behind the event log.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/support/server_interceptor.h>

#include "domain/engine.h"
#include "domain/status.h"

namespace oms::services {

class Metrics {
 public:
  // Serves /metrics on `listen` (host:port).
  static Result<std::unique_ptr<Metrics>> Start(const std::string& listen);
  ~Metrics();

  // Counts every RPC with its method, code and latency.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> Interceptor();
  // Writer thread, after each batch.
  void ObserveBatch(const BatchStats& stats, std::chrono::microseconds elapsed, int64_t queue_depth,
                    size_t active_reservations, size_t live_orders);
  // Writer thread, after each batch: the store's running WAL totals (frames, bytes, commits).
  void ObserveWal(int64_t commits, int64_t frames, int64_t bytes);
  void SetWatchStreams(size_t streams, int64_t max_lag_events);
  // A replica on PostgreSQL: its applied sequence, how many events it is behind the log's
  // head, and whether it leads; and, on a follower, each applied batch's lag.
  void ObserveReplica(int64_t applied, int64_t lag_events, bool leader);
  void ObserveFollowLag(double seconds);
  // The port /metrics is served on.
  int port() const;

  struct Impl;

 private:
  explicit Metrics(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace oms::services

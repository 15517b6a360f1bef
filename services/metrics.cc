// Metrics with prometheus-cpp.
#include "services/metrics.h"

#include "services/code_name.h"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <mutex>
#include <unordered_map>

namespace oms::services {

using prometheus::Histogram;

struct Metrics::Impl {
  std::unique_ptr<prometheus::Exposer> exposer;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("oms_requests_total")
          .Help("gRPC requests by method and status code")
          .Register(*registry);
  prometheus::Family<Histogram>& latency = prometheus::BuildHistogram()
                                               .Name("oms_request_duration_seconds")
                                               .Help("gRPC request latency by method")
                                               .Register(*registry);
  Histogram& batch_size =
      prometheus::BuildHistogram()
          .Name("oms_writer_batch_commands")
          .Help("Commands per writer batch (one transaction)")
          .Register(*registry)
          .Add({}, Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096});
  Histogram& commit_time =
      prometheus::BuildHistogram()
          .Name("oms_writer_batch_seconds")
          .Help(
              "Time to apply and commit one batch: fsync included, unless pipelined (then it "
              "overlaps the next batch)")
          .Register(*registry)
          .Add({}, Histogram::BucketBoundaries{0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02,
                                               0.05, 0.1, 0.5, 1});
  prometheus::Counter& failed_batches = prometheus::BuildCounter()
                                            .Name("oms_writer_failed_batches_total")
                                            .Help("Batches whose commit failed (UNAVAILABLE)")
                                            .Register(*registry)
                                            .Add({});
  prometheus::Counter& wal_commits = prometheus::BuildCounter()
                                         .Name("oms_writer_wal_commits_total")
                                         .Help("Transactions the writer committed to the WAL")
                                         .Register(*registry)
                                         .Add({});
  prometheus::Counter& wal_frames = prometheus::BuildCounter()
                                        .Name("oms_writer_wal_frames_total")
                                        .Help("Pages (WAL frames) the writer's commits wrote")
                                        .Register(*registry)
                                        .Add({});
  prometheus::Counter& wal_bytes = prometheus::BuildCounter()
                                       .Name("oms_writer_wal_bytes_total")
                                       .Help("Bytes the writer's commits wrote to the WAL")
                                       .Register(*registry)
                                       .Add({});
  int64_t wal_last[3] = {0, 0, 0};  // the totals last observed (writer thread only)
  prometheus::Counter& expired = prometheus::BuildCounter()
                                     .Name("oms_expired_total")
                                     .Help("Reservations and orders expired by the server")
                                     .Register(*registry)
                                     .Add({});
  prometheus::Family<prometheus::Gauge>& gauges =
      prometheus::BuildGauge().Name("oms_state").Help("Current sizes, by what").Register(*registry);
  prometheus::Gauge& queue_depth = gauges.Add({{"what", "writer_queue"}});
  prometheus::Gauge& active_reservations = gauges.Add({{"what", "active_reservations"}});
  prometheus::Gauge& live_orders = gauges.Add({{"what", "live_orders"}});
  prometheus::Gauge& watch_streams = gauges.Add({{"what", "watch_streams"}});
  prometheus::Gauge& watch_lag = gauges.Add({{"what", "watch_max_lag_events"}});
  // Replicas (PostgreSQL): what this one has applied, how far behind the log it is, its role.
  prometheus::Family<prometheus::Gauge>& replica =
      prometheus::BuildGauge()
          .Name("oms_replica")
          .Help(
              "Replica state: applied_sequence, lag_events (behind the log's head), leader "
              "(1 when this replica holds the writer's lease)")
          .Register(*registry);
  prometheus::Gauge& applied_sequence = replica.Add({{"what", "applied_sequence"}});
  prometheus::Gauge& lag_events = replica.Add({{"what", "lag_events"}});
  prometheus::Gauge& leader = replica.Add({{"what", "leader"}});
  Histogram& follow_lag =
      prometheus::BuildHistogram()
          .Name("oms_replica_follow_lag_seconds")
          .Help("A follower: from an event's commit on the leader to its application here")
          .Register(*registry)
          .Add({}, Histogram::BucketBoundaries{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5, 1, 2.5, 5});

  // Metric objects per method, created once (Family::Add hashes labels on every call).
  std::mutex mu;
  std::unordered_map<std::string, Histogram*> latency_by_method;
  std::unordered_map<std::string, prometheus::Counter*> requests_by_key;

  void Record(const std::string& method, grpc::StatusCode code, double seconds) {
    std::string key = method + '\n' + std::to_string(code);
    std::lock_guard lock(mu);
    auto [c, new_counter] = requests_by_key.try_emplace(key, nullptr);
    if (new_counter) c->second = &requests.Add({{"method", method}, {"code", CodeName(code)}});
    c->second->Increment();
    auto [h, new_histogram] = latency_by_method.try_emplace(method, nullptr);
    if (new_histogram) {
      h->second = &latency.Add({{"method", method}},
                               Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                                                           0.005, 0.01, 0.025, 0.05, 0.1, 0.5});
    }
    h->second->Observe(seconds);
  }
};

namespace {

class RequestInterceptor final : public grpc::experimental::Interceptor {
 public:
  RequestInterceptor(Metrics::Impl& m, std::string method)
      : metrics_(m), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      metrics_.Record(method_, methods->GetSendStatus().error_code(), seconds);
    }
    methods->Proceed();
  }

 private:
  Metrics::Impl& metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
};

class RequestInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit RequestInterceptorFactory(Metrics::Impl& m) : metrics_(m) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RequestInterceptor(metrics_, info->method());
  }

 private:
  Metrics::Impl& metrics_;
};

}  // namespace

Metrics::Metrics(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Metrics::~Metrics() = default;

Result<std::unique_ptr<Metrics>> Metrics::Start(const std::string& listen) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->exposer = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    return Status(Code::kUnavailable, "cannot serve metrics on " + listen + ": " + e.what());
  }
  impl->exposer->RegisterCollectable(impl->registry);
  return std::unique_ptr<Metrics>(new Metrics(std::move(impl)));
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> Metrics::Interceptor() {
  return std::make_unique<RequestInterceptorFactory>(*impl_);
}

void Metrics::ObserveBatch(const BatchStats& stats, std::chrono::microseconds elapsed,
                           int64_t queue_depth, size_t active_reservations, size_t live_orders) {
  impl_->batch_size.Observe(stats.commands);
  impl_->commit_time.Observe(std::chrono::duration<double>(elapsed).count());
  if (!stats.committed) impl_->failed_batches.Increment();
  if (stats.expired > 0) impl_->expired.Increment(stats.expired);
  impl_->queue_depth.Set(static_cast<double>(queue_depth));
  impl_->active_reservations.Set(static_cast<double>(active_reservations));
  impl_->live_orders.Set(static_cast<double>(live_orders));
}

void Metrics::ObserveWal(int64_t commits, int64_t frames, int64_t bytes) {
  int64_t* last = impl_->wal_last;
  impl_->wal_commits.Increment(static_cast<double>(commits - last[0]));
  impl_->wal_frames.Increment(static_cast<double>(frames - last[1]));
  impl_->wal_bytes.Increment(static_cast<double>(bytes - last[2]));
  last[0] = commits;
  last[1] = frames;
  last[2] = bytes;
}

int Metrics::port() const {
  auto ports = impl_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void Metrics::SetWatchStreams(size_t streams, int64_t max_lag_events) {
  impl_->watch_streams.Set(static_cast<double>(streams));
  impl_->watch_lag.Set(static_cast<double>(max_lag_events));
}

void Metrics::ObserveReplica(int64_t applied, int64_t lag_events, bool leader) {
  impl_->applied_sequence.Set(static_cast<double>(applied));
  impl_->lag_events.Set(static_cast<double>(lag_events));
  impl_->leader.Set(leader ? 1 : 0);
}

void Metrics::ObserveFollowLag(double seconds) { impl_->follow_lag.Observe(seconds); }

}  // namespace oms::services

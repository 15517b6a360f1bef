// oms-ping-server: the smallest gRPC server this machine's gRPC can make that answers
// grpc.health.v1.Health/Check — callback API, no interceptors, no metrics, no auth, no
// logging, always SERVING. run.sh drives it with oms-bench's `ping` workload in the same run as
// omsd's ping, so "omsd ping / minimal health server ping" is omsd's own per-call overhead.
// Prints `serving grpc.health.v1 on ADDR (port N)` like omsd, then serves until SIGINT/SIGTERM.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace {

namespace health = grpc::health::v1;

class MinimalHealth final : public health::Health::CallbackService {
 public:
  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx,
                                  const health::HealthCheckRequest*,
                                  health::HealthCheckResponse* resp) override {
    resp->set_status(health::HealthCheckResponse::SERVING);
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"oms-ping-server: a minimal callback-API grpc.health.v1 server (benchmark peer)"};
  std::string listen = "127.0.0.1:0";
  app.add_option("--listen", listen, "address to serve on")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // Block the stop signals before gRPC starts its threads, then wait for one on this thread.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  MinimalHealth service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "oms-ping-server: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  std::printf("oms-ping-server: serving grpc.health.v1 on %s (port %d)\n", listen.c_str(), port);
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  server->Shutdown();
  return 0;
}

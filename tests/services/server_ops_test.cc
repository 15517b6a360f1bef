// Operations against the real server: message size limit, health transitions, the Prometheus
// endpoint, TLS and mutual TLS handshakes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/live_server.h"
#include "tests/support/test_certs.h"

namespace oms::testing {
namespace {

using grpc::StatusCode;
TEST(LimitsTest, RequestOverFourMiB_IsResourceExhausted) {
  LiveServer server;
  v1::GetAvailabilityRequest req;
  req.add_skus(std::string(5 * 1024 * 1024, 'x'));
  req.set_location_id("s1");
  v1::GetAvailabilityResponse resp;
  grpc::Status s = server.inventory().GetAvailability(Ctx().get(), req, &resp);
  EXPECT_EQ(s.error_code(), StatusCode::RESOURCE_EXHAUSTED);
}

TEST(HealthTest, ServingWhileUp_NotServingWhenDraining) {
  LiveServer server;
  auto health = grpc::health::v1::Health::NewStub(server.NewChannel());
  grpc::health::v1::HealthCheckResponse resp;
  ASSERT_TRUE(health->Check(Ctx().get(), {}, &resp).ok());
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  auto ctx = Ctx();
  auto watch = health->Watch(ctx.get(), {});
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  std::thread stop([&] { server.Stop(); });
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  ctx->TryCancel();
  watch->Finish();
  stop.join();
}

// Fetches http://127.0.0.1:port/metrics with a plain socket.
std::string Scrape(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET /metrics HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) out.append(buf, n);
  close(fd);
  return out;
}

// The value of the first sample whose line starts with `prefix` and contains `needle`.
double Sample(const std::string& text, const std::string& prefix, const std::string& needle) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0 && line.find(needle) != std::string::npos) {
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return -1;
}

TEST(MetricsTest, Endpoint_CountsRequestsByMethodAndCode_AndReportsTheWriter) {
  services::ServerOptions o;
  o.metrics_listen = "127.0.0.1:0";
  LiveServer server(o);
  ASSERT_GT(server.server().metrics_port(), 0);
  server.AddLocation("s1");
  for (int i = 0; i < 3; ++i) server.Receive("a", "s1", 1);
  v1::AdjustStockRequest bad;
  bad.set_request_id(LiveServer::NextId());
  bad.set_sku("a");
  bad.set_location_id("nowhere");
  bad.set_delta(1);
  bad.set_reason(v1::MOVEMENT_REASON_RECEIVED);
  v1::AdjustStockResponse resp;
  EXPECT_EQ(server.inventory().AdjustStock(Ctx().get(), bad, &resp).error_code(),
            StatusCode::NOT_FOUND);
  std::string text = Scrape(server.server().metrics_port());
  ASSERT_NE(text.find("200 OK"), std::string::npos) << text.substr(0, 200);
  const std::string method = "method=\"/oms.v1.InventoryService/AdjustStock\"";
  EXPECT_EQ(Sample(text, "oms_requests_total{code=\"OK\"," + method, ""), 3);
  EXPECT_EQ(Sample(text, "oms_requests_total{code=\"NOT_FOUND\"," + method, ""), 1);
  EXPECT_GE(Sample(text, "oms_writer_batch_commands_count", ""), 4);
  EXPECT_GE(Sample(text, "oms_request_duration_seconds_count{" + method, ""), 4);
  EXPECT_EQ(Sample(text, "oms_state{what=\"active_reservations\"}", ""), 0);
  // Four batches committed (a location, three receipts); each wrote frames of 4096 + 24 bytes.
  const double commits = Sample(text, "oms_writer_wal_commits_total", "");
  const double frames = Sample(text, "oms_writer_wal_frames_total", "");
  EXPECT_GE(commits, 4);
  EXPECT_GE(frames, commits);
  EXPECT_EQ(Sample(text, "oms_writer_wal_bytes_total", ""), frames * (4096 + 24));
}

// Throwaway certificates made with openssl at test time: a CA, a server certificate for
// 127.0.0.1/localhost, and a client certificate.
class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string d = dir_.File("");
    ASSERT_TRUE(MakeTestCertificates(d)) << "openssl failed";
  }

  std::string Read(const std::string& name) {
    std::ifstream in(dir_.File(name));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::unique_ptr<services::Server> Start(bool mutual) {
    services::ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.db_path = dir_.File("oms.db");
    o.tls_cert = dir_.File("server.pem");
    o.tls_key = dir_.File("server.key");
    if (mutual) o.tls_client_ca = dir_.File("ca.pem");
    auto started = services::Server::Start(o);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return started.ok() ? std::move(started).value() : nullptr;
  }

  grpc::StatusCode Ping(int port, std::shared_ptr<grpc::ChannelCredentials> creds) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), creds, args);
    auto stub = v1::LocationService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ListLocationsResponse resp;
    return stub->ListLocations(&ctx, {}, &resp).error_code();
  }

  std::shared_ptr<grpc::ChannelCredentials> Tls(bool with_client_cert) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = Read("ca.pem");
    if (with_client_cert) {
      o.pem_private_key = Read("client.key");
      o.pem_cert_chain = Read("client.pem");
    }
    return grpc::SslCredentials(o);
  }

  TempDir dir_;
};

TEST_F(TlsTest, Tls_AcceptsTrustingClients_RefusesPlaintext) {
  auto server = Start(/*mutual=*/false);
  ASSERT_TRUE(server);
  EXPECT_EQ(Ping(server->port(), Tls(false)), StatusCode::OK);
  EXPECT_EQ(Ping(server->port(), grpc::InsecureChannelCredentials()), StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, MutualTls_RequiresAClientCertificateFromTheCa) {
  auto server = Start(/*mutual=*/true);
  ASSERT_TRUE(server);
  EXPECT_EQ(Ping(server->port(), Tls(true)), StatusCode::OK);
  EXPECT_EQ(Ping(server->port(), Tls(false)), StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace oms::testing

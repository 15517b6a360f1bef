// The HTTP gateway's server: the listening socket, the io_context and its threads, TLS, and
// shutdown. Each connection is served by services/http_session.
#include "services/http_gateway.h"

#include <grpcpp/channel.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <optional>
#include <thread>
#include <vector>

#include "services/http_session.h"
#include "services/http_tls.h"

namespace oms::services {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

}  // namespace

struct HttpGateway::Impl {
  Impl(HttpOptions o, Authenticator& a) : core(std::move(o), a) {}

  void Accept();

  http::GatewayCore core;
  std::unique_ptr<net::io_context> io;
  std::shared_ptr<ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_backoff;
  std::vector<std::thread> threads;
  int port = 0;
  std::once_flag shutdown_once;
};

void HttpGateway::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*io), [this](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors or similar: retry shortly instead of spinning on the error.
      accept_backoff->expires_after(std::chrono::milliseconds(50));
      accept_backoff->async_wait([this](error_code wait) {
        if (!wait) Accept();
      });
      return;
    }
    http::StartSession(core, std::move(socket), tls.get());
    Accept();
  });
}

HttpGateway::HttpGateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpGateway::~HttpGateway() { Shutdown(); }

Result<std::unique_ptr<HttpGateway>> HttpGateway::Start(const HttpOptions& options,
                                                        std::shared_ptr<grpc::Channel> channel,
                                                        Authenticator& auth) {
  auto impl = std::make_unique<Impl>(options, auth);
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    auto tls = http::MakeTlsContext(options);
    if (!tls.ok()) return tls.status();
    impl->tls = std::move(tls).value();
  }
  impl->io = std::make_unique<net::io_context>(std::max(1, options.threads));
  auto colon = options.listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : options.listen.substr(0, colon);
  std::string port = colon == std::string::npos ? options.listen : options.listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto fail = [&](const std::string& why) {
    return Status::Unavailable(reason::kShuttingDown,
                               "cannot serve HTTP on " + options.listen + " (" + why + ")");
  };
  error_code ec;
  tcp::resolver resolver(*impl->io);
  auto endpoints = resolver.resolve(host, port, tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) return fail(ec ? ec.message() : "no such address");
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  impl->acceptor.emplace(*impl->io);
  auto& acceptor = *impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail(ec == net::error::address_in_use ? "address in use" : ec.message());
  impl->port = acceptor.local_endpoint().port();
  impl->accept_backoff.emplace(*impl->io);
  impl->core.calls = std::make_unique<http::GrpcCalls>(std::move(channel));
  impl->Accept();
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    impl->threads.emplace_back([io = impl->io.get()] { io->run(); });
  }
  return std::unique_ptr<HttpGateway>(new HttpGateway(std::move(impl)));
}

int HttpGateway::port() const { return impl_->port; }

uint64_t HttpGateway::sse_events_formatted() const { return impl_->core.sse_events.formatted(); }

uint64_t HttpGateway::sse_writes() const { return impl_->core.sse_writes.load(); }

void HttpGateway::Shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    Impl& g = *impl_;
    net::post(*g.io, [&g] {
      error_code ec;
      g.acceptor->close(ec);
      g.accept_backoff->cancel();
    });
    {
      std::lock_guard lock(g.core.sessions_mu);
      g.core.stopping = true;
    }
    for (auto& s : g.core.Open()) s->Close();
    // The threads keep running meanwhile: cancelled calls report back through the strands,
    // and event streams write their last event.
    g.core.calls->CancelAllAndWait();
    {
      // A stream's client that does not read cannot hold shutdown up for long.
      std::unique_lock lock(g.core.sessions_mu);
      g.core.drained.wait_for(lock, std::chrono::seconds(2),
                              [&] { return g.core.sessions.empty(); });
    }
    for (auto& s : g.core.Open()) s->Abort();
    g.io->stop();
    for (auto& t : g.threads) t.join();
    g.threads.clear();
    // Handlers never run still hold sessions; free them while the rest of Impl is alive.
    g.acceptor.reset();
    g.accept_backoff.reset();
    g.io.reset();
  });
}

}  // namespace oms::services

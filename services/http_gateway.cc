// The HTTP/1.1 gateway on Boost.Beast: one strand per connection, async only. Requests become
// calls on the in-process gRPC channel (services/http_calls), JSON and errors are translated
// by services/http_json; this file is the HTTP server: limits, timeouts, keep-alive, TLS,
// routing and the Server-Sent Events write loop.
#include "services/http_gateway.h"

#include <grpcpp/channel.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "services/auth.h"
#include "services/console_assets.h"
#include "services/error_mapping.h"
#include "services/http_calls.h"
#include "services/http_json.h"

namespace oms::services {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr int kCodeInvalidArgument = 3;
constexpr int kCodeResourceExhausted = 8;
constexpr int kCodeUnavailable = 14;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Ends the connection and its call from any thread (posts to the connection's strand). An
  // event stream is only cancelled: it writes its `event: error` and then closes.
  virtual void Close() = 0;
  // Closes at once, written or not.
  virtual void Abort() = 0;
};

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Std(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view Beast(std::string_view s) { return {s.data(), s.size()}; }

bool IsJsonContentType(std::string_view value) {
  std::string type = ToLower(value.substr(0, value.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  while (!type.empty() && type.front() == ' ') type.erase(type.begin());
  return type == "application/json";
}

}  // namespace

struct HttpGateway::Impl {
  HttpOptions options;
  Authenticator& auth;
  std::unique_ptr<net::io_context> io;
  std::optional<ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_backoff;
  std::unique_ptr<http::GrpcCalls> calls;
  std::vector<std::thread> threads;
  int port = 0;
  std::atomic<int> connections{0};
  std::mutex sessions_mu;
  bool stopping = false;
  std::condition_variable drained;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  std::once_flag shutdown_once;

  Impl(HttpOptions o, Authenticator& a) : options(std::move(o)), auth(a) {}

  void Accept();
  void StartSession(tcp::socket socket);

  bool Register(SessionBase* session, std::weak_ptr<SessionBase> weak) {
    std::lock_guard lock(sessions_mu);
    if (stopping) return false;
    sessions.emplace(session, std::move(weak));
    return true;
  }
  void Unregister(SessionBase* session) {
    std::lock_guard lock(sessions_mu);
    sessions.erase(session);
    if (sessions.empty()) drained.notify_all();
  }
  std::vector<std::shared_ptr<SessionBase>> Open() {
    std::vector<std::shared_ptr<SessionBase>> open;
    std::lock_guard lock(sessions_mu);
    for (auto& [_, weak] : sessions) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
    return open;
  }
};

namespace {

// One connection. `Stream` is beast::tcp_stream or an SSL stream over one; the code differs
// only in the handshake and in whether a 408 can still be written after a cancelled read.
template <typename Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <typename... Args>
  Session(HttpGateway::Impl& gateway, tcp::socket socket, Args&... tls)
      : gateway_(gateway),
        stream_(std::move(socket), tls...),
        head_timer_(stream_.get_executor()),
        heartbeat_(stream_.get_executor()) {
    gateway_.connections.fetch_add(1);
  }
  ~Session() override {
    gateway_.Unregister(this);
    gateway_.connections.fetch_sub(1);
  }

  void Begin() {
    if (!gateway_.Register(this, this->weak_from_this())) return;
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(gateway_.options.header_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->CloseNow();
                                self->Serve();
                              });
    } else {
      Serve();
    }
  }

  void Close() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->streaming_) return self->CloseNow();
      if (self->sse_) self->sse_->Cancel();
    });
  }
  void Abort() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->CloseNow(); });
  }

 private:
  auto Self() { return this->shared_from_this(); }

  void Serve() {
    if (gateway_.connections.load() > gateway_.options.max_connections) {
      // One over the limit: say so and close, so the client backs off instead of hanging.
      close_after_write_ = true;
      return SendError(kCodeUnavailable, "TOO_MANY_CONNECTIONS", "too many open HTTP connections");
    }
    ReadHead();
  }

  void CloseNow() {
    if (closed_) return;
    closed_ = true;
    head_timer_.cancel();
    heartbeat_.cancel();
    if (sse_) {
      sse_->Cancel();
      sse_->Finish();
    }
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

  // Between requests: wait for the first byte of the next one at most idle_timeout.
  void WaitIdle() {
    if (buffer_.size() > 0) return ReadHead();
    beast::get_lowest_layer(stream_).expires_after(gateway_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = Self()](beast::error_code ec, size_t n) {
      if (ec || self->closed_) return self->CloseNow();
      self->buffer_.commit(n);
      self->ReadHead();
    });
  }

  void ReadHead() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(gateway_.options.max_header_bytes));
    parser_->body_limit(gateway_.options.max_body_bytes);
    // The head's deadline is our own timer rather than the stream's, so that on expiry the
    // read is cancelled but the socket stays open for a 408.
    beast::get_lowest_layer(stream_).expires_never();
    head_timed_out_ = false;
    reading_head_ = true;
    head_timer_.expires_after(gateway_.options.header_timeout);
    head_timer_.async_wait([self = Self()](beast::error_code ec) {
      // A late tick after the head arrived must not cancel the body's read.
      if (ec || self->closed_ || !self->reading_head_) return;
      self->head_timed_out_ = true;
      beast::get_lowest_layer(self->stream_).cancel();
    });
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](beast::error_code ec, size_t) {
                               self->reading_head_ = false;
                               self->head_timer_.cancel();
                               if (ec) return self->ReadFailed(ec);
                               self->ReadBody();
                             });
  }

  void ReadBody() {
    beast::get_lowest_layer(stream_).expires_after(gateway_.options.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->ReadFailed(ec);
      beast::get_lowest_layer(self->stream_).expires_never();
      self->request_ = self->parser_->release();
      self->Handle();
    });
  }

  void ReadFailed(beast::error_code ec) {
    if (closed_) return;
    close_after_write_ = true;
    if (head_timed_out_) {
      // A plain connection can still be told; a cancelled TLS read leaves no usable stream.
      if constexpr (!kTls) return SendStatus(bhttp::status::request_timeout, "");
      return CloseNow();
    }
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted ||
        ec == beast::error::timeout) {
      return CloseNow();
    }
    if (ec == bhttp::error::header_limit) {
      return SendStatus(
          bhttp::status::request_header_fields_too_large,
          http::GatewayErrorJson(kCodeResourceExhausted, "HEADERS_TOO_LARGE",
                                 "the request line and headers exceed " +
                                     std::to_string(gateway_.options.max_header_bytes) + " bytes"));
    }
    if (ec == bhttp::error::body_limit) {
      return SendStatus(
          bhttp::status::payload_too_large,
          http::GatewayErrorJson(kCodeResourceExhausted, "REQUEST_TOO_LARGE",
                                 "the request body exceeds " +
                                     std::to_string(gateway_.options.max_body_bytes) + " bytes"));
    }
    SendStatus(bhttp::status::bad_request,
               http::GatewayErrorJson(kCodeInvalidArgument, "MALFORMED_HTTP",
                                      "malformed HTTP request: " + ec.message()));
  }

  void Handle() {
    keep_alive_ = request_.keep_alive();
    std::string_view target(request_.target().data(), request_.target().size());
    auto q = target.find('?');
    std::string path;
    if (!http::PercentDecode(target.substr(0, q), false, &path)) path = target.substr(0, q);
    query_ = http::ParseQuery(q == std::string_view::npos ? "" : target.substr(q + 1));
    bool rpc_path = path.rfind("/oms.", 0) == 0;
    auto method = request_.method();
    if (rpc_path) {
      if (method != bhttp::verb::post) return MethodNotAllowed("POST");
      return Unary(path);
    }
    if (method != bhttp::verb::get) return MethodNotAllowed("GET");
    if (path.rfind("/v1/watch/", 0) == 0) return OpenStream(path);
    if (path == "/v1/session") return SessionInfo();
    if (const ConsoleAsset* asset = FindConsoleAsset(path)) {
      auto res = NewResponse(bhttp::status::ok);
      res->set(bhttp::field::content_type, Beast(asset->content_type));
      res->set(bhttp::field::cache_control, "no-cache");
      res->set("X-Content-Type-Options", "nosniff");
      res->set("Content-Security-Policy", "default-src 'self'; connect-src 'self'");
      res->set("X-Frame-Options", "DENY");
      res->body() = asset->body;
      return Send(std::move(res));
    }
    SendError(5, "UNKNOWN_PATH", "nothing at " + path);
  }

  std::string Authorization() const {
    auto it = request_.find(bhttp::field::authorization);
    if (it != request_.end()) return std::string(it->value());
    std::string token = http::QueryValue(query_, "access_token");
    return token.empty() ? std::string() : "Bearer " + token;
  }

  void Unary(const std::string& path) {
    auto method = http::FindUnaryMethod(path);
    if (!method.ok()) return SendDomainError(method.status());
    auto content_type = request_.find(bhttp::field::content_type);
    if (content_type == request_.end() || !IsJsonContentType(Std(content_type->value()))) {
      return SendStatus(bhttp::status::unsupported_media_type,
                        http::GatewayErrorJson(kCodeInvalidArgument, "UNSUPPORTED_MEDIA_TYPE",
                                               "Content-Type must be application/json"));
    }
    int64_t timeout_ms = -1;
    if (auto it = request_.find("Connect-Timeout-Ms"); it != request_.end()) {
      std::string_view v(it->value().data(), it->value().size());
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), timeout_ms);
      if (ec != std::errc() || ptr != v.data() + v.size() || timeout_ms < 0 || v.size() > 10) {
        return SendError(kCodeInvalidArgument, "INVALID_TIMEOUT",
                         "Connect-Timeout-Ms must be a number of milliseconds");
      }
    }
    auto request = http::JsonToRequest(*method, request_.body());
    if (!request.ok()) return SendDomainError(request.status());
    unary_ = *method;
    gateway_.calls->Unary(method->grpc_path, std::move(request).value(), Authorization(),
                          timeout_ms, [self = Self()](http::CallResult result) {
                            // A gRPC thread: only hand the result to the connection's strand.
                            net::post(self->stream_.get_executor(),
                                      [self, result = std::move(result)]() mutable {
                                        self->UnaryDone(std::move(result));
                                      });
                          });
  }

  void UnaryDone(http::CallResult result) {
    if (closed_) return;
    if (result.code != 0) return SendCallError(result);
    auto json = http::ResponseToJson(unary_, result.response);
    if (!json.ok()) return SendDomainError(json.status());
    auto res = NewResponse(bhttp::status::ok);
    res->set(bhttp::field::content_type, "application/json");
    res->body() = std::move(json).value();
    Send(std::move(res));
  }

  void SessionInfo() {
    auto who = gateway_.auth.AuthenticateHeader(Authorization());
    if (!who.ok()) return SendDomainError(who.status());
    auto res = NewResponse(bhttp::status::ok);
    res->set(bhttp::field::content_type, "application/json");
    res->set(bhttp::field::cache_control, "no-cache");
    res->body() = http::SessionJson(who->name, RoleName(who->role), who->stores);
    Send(std::move(res));
  }

  // --- Server-Sent Events -------------------------------------------------------------------

  void OpenStream(const std::string& path) {
    std::string last_event_id;
    if (auto it = request_.find("Last-Event-ID"); it != request_.end()) {
      last_event_id = std::string(it->value());
    }
    auto call = http::BuildWatchCall(path, query_, last_event_id);
    if (!call.ok()) return SendDomainError(call.status());
    watch_kind_ = call->kind;
    auto post = [self = Self()](auto fn) {
      net::post(self->stream_.get_executor(), [self, fn = std::move(fn)]() mutable { fn(*self); });
    };
    http::GrpcCalls::StreamCallbacks callbacks;
    callbacks.on_ready = [post] { post([](Session& s) { s.StreamReady(); }); };
    callbacks.on_message = [post](std::string bytes) {
      post([bytes = std::move(bytes)](Session& s) { s.StreamMessage(bytes); });
    };
    callbacks.on_read_end = [post] { post([](Session& s) { s.StreamReadEnd(); }); };
    callbacks.on_done = [post](http::CallResult result) {
      post([result = std::move(result)](Session& s) { s.StreamDone(result); });
    };
    sse_ = gateway_.calls->Stream(call->method, std::move(call->request), Authorization(),
                                  std::move(callbacks));
    if (!sse_) {
      close_after_write_ = true;
      return SendError(kCodeUnavailable, reason::kShuttingDown, "the server is shutting down");
    }
  }

  void StreamReady() {
    if (closed_ || !sse_) return;
    streaming_ = true;
    // The subscription is registered: from here the body is the event stream until close.
    Queue(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "X-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 2000\n\n",
        true);
    ArmHeartbeat();
    WatchPeer();
  }

  void StreamMessage(const std::string& bytes) {
    if (closed_ || !sse_) return;
    auto event = http::FormatSseEvent(watch_kind_, bytes);
    if (!event.ok()) {
      sse_->Cancel();
      sse_->Finish();
      return;
    }
    // The next message is read only after this one is on the wire (see WriteDone).
    Queue(std::move(event).value(), true);
  }

  void StreamReadEnd() {
    if (sse_) sse_->Finish();
  }

  void StreamDone(const http::CallResult& result) {
    sse_.reset();
    if (closed_) return;
    if (!streaming_) {
      close_after_write_ = true;
      return SendCallError(result);
    }
    heartbeat_.cancel();
    if (result.code != 0) {
      Queue(http::FormatSseError(result.code, result.message, result.details), false);
    }
    close_when_drained_ = true;
    if (!writing_) CloseNow();
  }

  void ArmHeartbeat() {
    heartbeat_.expires_after(gateway_.options.heartbeat);
    heartbeat_.async_wait([self = Self()](beast::error_code ec) {
      if (ec || self->closed_ || self->close_when_drained_) return;
      // Only while idle: any write in flight already tells proxies the stream is alive.
      if (!self->writing_) self->Queue(": keep-alive\n\n", false);
      self->ArmHeartbeat();
    });
  }

  // The client sends nothing on an event stream; a read ends only when it goes away.
  void WatchPeer() {
    stream_.async_read_some(net::buffer(peer_scratch_),
                            [self = Self()](beast::error_code ec, size_t) {
                              if (self->closed_) return;
                              if (ec) return self->CloseNow();
                              self->WatchPeer();
                            });
  }

  void Queue(std::string text, bool read_after) {
    out_.push_back({std::move(text), read_after});
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    writing_ = true;
    net::async_write(stream_, net::buffer(out_.front().text),
                     [self = Self()](beast::error_code ec, size_t) { self->WriteDone(ec); });
  }

  void WriteDone(beast::error_code ec) {
    writing_ = false;
    if (closed_) return;
    if (ec) return CloseNow();
    bool read_after = out_.front().read_after;
    out_.pop_front();
    if (read_after && sse_ && !close_when_drained_) sse_->ReadNext();
    if (!out_.empty()) return WriteNext();
    if (close_when_drained_) CloseNow();
  }

  // --- Plain responses ----------------------------------------------------------------------

  std::shared_ptr<Response> NewResponse(bhttp::status status) {
    auto res = std::make_shared<Response>(status, request_.version() ? request_.version() : 11);
    res->set(bhttp::field::server, "omsd");
    return res;
  }

  void SendStatus(bhttp::status status, std::string json) {
    auto res = NewResponse(status);
    if (!json.empty()) res->set(bhttp::field::content_type, "application/json");
    res->body() = std::move(json);
    Send(std::move(res));
  }

  void SendError(int code, std::string_view reason, const std::string& message) {
    SendStatus(static_cast<bhttp::status>(http::HttpStatusForCode(code)),
               http::GatewayErrorJson(code, reason, message));
  }

  void SendDomainError(const Status& status) {
    grpc::Status g = ToGrpcStatus(status);
    int code = static_cast<int>(g.error_code());
    SendStatus(static_cast<bhttp::status>(http::HttpStatusForCode(code)),
               http::ConnectErrorJson(code, g.error_message(), g.error_details()));
  }

  void SendCallError(const http::CallResult& result) {
    SendStatus(static_cast<bhttp::status>(http::HttpStatusForCode(result.code)),
               http::ConnectErrorJson(result.code, result.message, result.details));
  }

  void MethodNotAllowed(const char* allow) {
    auto res = NewResponse(bhttp::status::method_not_allowed);
    res->set(bhttp::field::allow, allow);
    res->set(bhttp::field::content_type, "application/json");
    res->body() = http::GatewayErrorJson(kCodeInvalidArgument, "METHOD_NOT_ALLOWED",
                                         std::string("use ") + allow);
    Send(std::move(res));
  }

  void Send(std::shared_ptr<Response> res) {
    if (closed_) return;
    bool close = close_after_write_ || !keep_alive_;
    res->keep_alive(!close);
    res->prepare_payload();
    response_ = std::move(res);
    beast::get_lowest_layer(stream_).expires_after(gateway_.options.idle_timeout);
    bhttp::async_write(stream_, *response_, [self = Self(), close](beast::error_code ec, size_t) {
      self->response_.reset();
      if (ec || close) return self->CloseNow();
      self->request_ = {};
      self->WaitIdle();
    });
  }

  HttpGateway::Impl& gateway_;
  Stream stream_;
  net::steady_timer head_timer_;
  net::steady_timer heartbeat_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  http::Query query_;
  std::shared_ptr<Response> response_;
  http::UnaryMethod unary_;
  bool closed_ = false;
  bool keep_alive_ = true;
  bool close_after_write_ = false;
  bool head_timed_out_ = false;
  bool reading_head_ = false;
  // Server-Sent Events.
  std::shared_ptr<http::StreamCall> sse_;
  http::WatchKind watch_kind_ = http::WatchKind::kAvailability;
  bool streaming_ = false;
  bool writing_ = false;
  bool close_when_drained_ = false;
  struct Out {
    std::string text;
    bool read_after;
  };
  std::deque<Out> out_;
  char peer_scratch_[512];
};

}  // namespace

void HttpGateway::Impl::StartSession(tcp::socket socket) {
  if (tls) {
    auto session = std::make_shared<Session<TlsStream>>(*this, std::move(socket), *tls);
    session->Begin();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket));
    session->Begin();
  }
}

void HttpGateway::Impl::Accept() {
  acceptor->async_accept(net::make_strand(*io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
    if (ec) {
      // Out of descriptors or similar: retry shortly instead of spinning on the error.
      accept_backoff->expires_after(std::chrono::milliseconds(50));
      accept_backoff->async_wait([this](beast::error_code wait) {
        if (!wait) Accept();
      });
      return;
    }
    StartSession(std::move(socket));
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
    if (options.tls_cert.empty() || options.tls_key.empty()) {
      return Status(Code::kInvalidArgument, "HTTPS needs both a certificate and a key");
    }
    impl->tls.emplace(ssl::context::tls_server);
    auto& ctx = *impl->tls;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    beast::error_code ec;
    ctx.use_certificate_chain_file(options.tls_cert, ec);
    if (ec) {
      return Status(Code::kInvalidArgument,
                    "cannot use TLS certificate " + options.tls_cert + ": " + ec.message());
    }
    ctx.use_private_key_file(options.tls_key, ssl::context::pem, ec);
    if (ec) {
      return Status(Code::kInvalidArgument,
                    "cannot use TLS key " + options.tls_key + ": " + ec.message());
    }
    if (!options.tls_client_ca.empty()) {
      ctx.load_verify_file(options.tls_client_ca, ec);
      if (ec) {
        return Status(Code::kInvalidArgument,
                      "cannot use TLS client CA " + options.tls_client_ca + ": " + ec.message());
      }
      ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
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
  beast::error_code ec;
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
  impl->calls = std::make_unique<http::GrpcCalls>(std::move(channel));
  impl->Accept();
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    impl->threads.emplace_back([io = impl->io.get()] { io->run(); });
  }
  return std::unique_ptr<HttpGateway>(new HttpGateway(std::move(impl)));
}

int HttpGateway::port() const { return impl_->port; }

void HttpGateway::Shutdown() {
  std::call_once(impl_->shutdown_once, [this] {
    Impl& g = *impl_;
    net::post(*g.io, [&g] {
      beast::error_code ec;
      g.acceptor->close(ec);
      g.accept_backoff->cancel();
    });
    {
      std::lock_guard lock(g.sessions_mu);
      g.stopping = true;
    }
    for (auto& s : g.Open()) s->Close();
    // The threads keep running meanwhile: cancelled calls report back through the strands,
    // and event streams write their last event.
    g.calls->CancelAllAndWait();
    {
      // A stream's client that does not read cannot hold shutdown up for long.
      std::unique_lock lock(g.sessions_mu);
      g.drained.wait_for(lock, std::chrono::seconds(2), [&] { return g.sessions.empty(); });
    }
    for (auto& s : g.Open()) s->Abort();
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

// One HTTP/1.1 connection of the gateway on Boost.Beast, on its own strand, async only: limits,
// timeouts, keep-alive, routing, unary calls and the Server-Sent Events write loop. Requests
// become calls on the in-process gRPC channel (services/http_calls); JSON and errors are
// translated by services/http_json.
#include "services/http_session.h"

#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <charconv>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "services/auth.h"
#include "services/console_assets.h"
#include "services/error_mapping.h"
#include "services/http_json.h"

namespace oms::services::http {
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
// Server-Sent Events a connection holds unwritten before it stops reading its stream, and the
// most one write sends: a burst leaves in few writes, and a reader that stalls holds little.
constexpr size_t kSseBatch = 64;

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

// One connection. `Stream` is beast::tcp_stream or an SSL stream over one; the code differs
// only in the handshake and in whether a 408 can still be written after a cancelled read.
template <typename Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <typename... Args>
  Session(GatewayCore& gateway, tcp::socket socket, Args&... tls)
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
      // Finish at once rather than after the next read: a client that does not read could
      // otherwise hold the call, and shutdown, until its write completes.
      if (self->sse_) {
        self->sse_->Cancel();
        self->sse_->Finish();
      }
    });
  }
  void Abort() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->CloseNow(); });
  }

 private:
  // What an event stream queues for the wire, in order; the first in_flight_ are being
  // written.
  struct Out {
    std::shared_ptr<const std::string> shared;  // an event's text, shared (sse_events)
    std::string own;
    bool starts_events = false;  // once written, events are read
    static Out Own(std::string text, bool starts_events = false) {
      return {nullptr, std::move(text), starts_events};
    }
    static Out Shared(std::shared_ptr<const std::string> text) { return {std::move(text), {}}; }
    const std::string& text() const { return shared ? *shared : own; }
  };

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
      if constexpr (!kTls) {
        return SendStatus(
            bhttp::status::request_timeout,
            GatewayErrorJson(4, "HEADER_TIMEOUT", "the request head did not arrive in time"));
      }
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
          GatewayErrorJson(kCodeResourceExhausted, "HEADERS_TOO_LARGE",
                           "the request line and headers exceed " +
                               std::to_string(gateway_.options.max_header_bytes) + " bytes"));
    }
    if (ec == bhttp::error::body_limit) {
      return SendStatus(
          bhttp::status::payload_too_large,
          GatewayErrorJson(kCodeResourceExhausted, "REQUEST_TOO_LARGE",
                           "the request body exceeds " +
                               std::to_string(gateway_.options.max_body_bytes) + " bytes"));
    }
    SendStatus(bhttp::status::bad_request,
               GatewayErrorJson(kCodeInvalidArgument, "MALFORMED_HTTP",
                                "malformed HTTP request: " + ec.message()));
  }

  void Handle() {
    keep_alive_ = request_.keep_alive();
    std::string_view target(request_.target().data(), request_.target().size());
    auto q = target.find('?');
    std::string path;
    if (!PercentDecode(target.substr(0, q), false, &path)) path = target.substr(0, q);
    query_ = ParseQuery(q == std::string_view::npos ? "" : target.substr(q + 1));
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
    std::string token = QueryValue(query_, "access_token");
    return token.empty() ? std::string() : "Bearer " + token;
  }

  void Unary(const std::string& path) {
    auto method = FindUnaryMethod(path);
    if (!method.ok()) return SendDomainError(method.status());
    auto content_type = request_.find(bhttp::field::content_type);
    if (content_type == request_.end() || !IsJsonContentType(Std(content_type->value()))) {
      return SendStatus(bhttp::status::unsupported_media_type,
                        GatewayErrorJson(kCodeInvalidArgument, "UNSUPPORTED_MEDIA_TYPE",
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
    auto request = JsonToRequest(*method, request_.body());
    if (!request.ok()) return SendDomainError(request.status());
    unary_ = *method;
    gateway_.calls->Unary(method->grpc_path, std::move(request).value(), Authorization(),
                          timeout_ms, [self = Self()](CallResult result) {
                            // A gRPC thread: only hand the result to the connection's strand.
                            net::post(self->stream_.get_executor(),
                                      [self, result = std::move(result)]() mutable {
                                        self->UnaryDone(std::move(result));
                                      });
                          });
  }

  void UnaryDone(CallResult result) {
    if (closed_) return;
    if (result.code != 0) return SendCallError(result);
    auto json = ResponseToJson(unary_, result.response);
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
    res->body() = SessionJson(who->name, RoleName(who->role), who->stores);
    Send(std::move(res));
  }

  // --- Server-Sent Events -------------------------------------------------------------------

  void OpenStream(const std::string& path) {
    std::string last_event_id;
    if (auto it = request_.find("Last-Event-ID"); it != request_.end()) {
      last_event_id = std::string(it->value());
    }
    auto call = BuildWatchCall(path, query_, last_event_id);
    if (!call.ok()) return SendDomainError(call.status());
    watch_kind_ = call->kind;
    auto post = [self = Self()](auto fn) {
      net::post(self->stream_.get_executor(), [self, fn = std::move(fn)]() mutable { fn(*self); });
    };
    GrpcCalls::StreamCallbacks callbacks;
    callbacks.on_ready = [post] { post([](Session& s) { s.StreamReady(); }); };
    callbacks.on_message = [post](std::string bytes) {
      post([bytes = std::move(bytes)](Session& s) { s.StreamMessage(bytes); });
    };
    callbacks.on_read_end = [post] { post([](Session& s) { s.StreamReadEnd(); }); };
    callbacks.on_done = [post](CallResult result) {
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
    // Events are read once this head is on the wire.
    Queue(
        Out::Own("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                 "X-Accel-Buffering: no\r\nConnection: close\r\n\r\nretry: 2000\n\n",
                 true));
    ArmHeartbeat();
    WatchPeer();
  }

  void StreamMessage(const std::string& bytes) {
    if (closed_ || !sse_) return;
    // Formatted once per event for every connection (GatewayCore::sse_events).
    auto event = gateway_.sse_events.Format(watch_kind_, bytes);
    if (!event.ok()) {
      sse_->Cancel();
      sse_->Finish();
      return;
    }
    // The stream has credit for kSseBatch events beyond what is written (see WriteDone):
    // what arrives while a write is in flight leaves together in the next write.
    Queue(Out::Shared(std::move(event).value()));
  }

  void StreamReadEnd() {
    if (sse_) sse_->Finish();
  }

  void StreamDone(const CallResult& result) {
    sse_.reset();
    if (closed_) return;
    if (!streaming_) {
      close_after_write_ = true;
      return SendCallError(result);
    }
    heartbeat_.cancel();
    if (result.code != 0) {
      Queue(Out::Own(FormatSseError(result.code, result.message, result.details)));
    }
    close_when_drained_ = true;
    if (!writing_ && !flush_posted_) CloseNow();
  }

  void ArmHeartbeat() {
    heartbeat_.expires_after(gateway_.options.heartbeat);
    heartbeat_.async_wait([self = Self()](beast::error_code ec) {
      if (ec || self->closed_ || self->close_when_drained_) return;
      // Only while idle: any write in flight already tells proxies the stream is alive.
      if (!self->writing_) self->Queue(Out::Own(": keep-alive\n\n"));
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

  // Queues `out`; the write starts once the handlers already waiting on this strand (more
  // events of a burst) have run, so that they leave in the same write.
  void Queue(Out out) {
    out_.push_back(std::move(out));
    if (writing_ || flush_posted_) return;
    flush_posted_ = true;
    net::post(stream_.get_executor(), [self = Self()] {
      self->flush_posted_ = false;
      if (self->closed_ || self->writing_) return;
      if (!self->out_.empty()) return self->WriteNext();
      if (self->close_when_drained_) self->CloseNow();
    });
  }

  // Writes what is queued, up to kSseBatch entries, in one write: each event stays whole
  // and in order, as the entries are its complete texts.
  void WriteNext() {
    writing_ = true;
    // A client that stops reading is dropped after idle_timeout, so that neither its call
    // nor its connection is held for ever (the head timer is free while streaming).
    uint64_t seq = ++write_seq_;
    head_timer_.expires_after(gateway_.options.idle_timeout);
    head_timer_.async_wait([self = Self(), seq](beast::error_code ec) {
      if (!ec && self->writing_ && self->write_seq_ == seq) self->CloseNow();
    });
    in_flight_ = std::min(out_.size(), kSseBatch);
    gateway_.sse_writes.fetch_add(1, std::memory_order_relaxed);
    gather_.clear();
    for (size_t i = 0; i < in_flight_; ++i) {
      const std::string& text = out_[i].text();
      gather_.push_back(net::buffer(text));
    }
    net::async_write(stream_, gather_,
                     [self = Self()](beast::error_code ec, size_t) { self->WriteDone(ec); });
  }

  void WriteDone(beast::error_code ec) {
    writing_ = false;
    head_timer_.cancel();
    if (closed_) return;
    if (ec) return CloseNow();
    int credit = 0;
    for (size_t i = 0; i < in_flight_; ++i) {
      // The head lets the first kSseBatch events come; each event written, one more.
      if (out_.front().starts_events) credit += static_cast<int>(kSseBatch);
      if (out_.front().shared) ++credit;
      out_.pop_front();
    }
    in_flight_ = 0;
    if (credit > 0 && sse_ && !close_when_drained_) sse_->ReadNext(credit);
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
    SendStatus(static_cast<bhttp::status>(HttpStatusForCode(code)),
               GatewayErrorJson(code, reason, message));
  }

  void SendDomainError(const Status& status) {
    grpc::Status g = ToGrpcStatus(status);
    int code = static_cast<int>(g.error_code());
    SendStatus(static_cast<bhttp::status>(HttpStatusForCode(code)),
               ConnectErrorJson(code, g.error_message(), g.error_details()));
  }

  void SendCallError(const CallResult& result) {
    SendStatus(static_cast<bhttp::status>(HttpStatusForCode(result.code)),
               ConnectErrorJson(result.code, result.message, result.details));
  }

  void MethodNotAllowed(const char* allow) {
    auto res = NewResponse(bhttp::status::method_not_allowed);
    res->set(bhttp::field::allow, allow);
    res->set(bhttp::field::content_type, "application/json");
    res->body() =
        GatewayErrorJson(kCodeInvalidArgument, "METHOD_NOT_ALLOWED", std::string("use ") + allow);
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

  GatewayCore& gateway_;
  Stream stream_;
  net::steady_timer head_timer_;
  net::steady_timer heartbeat_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Request request_;
  Query query_;
  std::shared_ptr<Response> response_;
  UnaryMethod unary_;
  bool closed_ = false;
  bool keep_alive_ = true;
  bool close_after_write_ = false;
  bool head_timed_out_ = false;
  bool reading_head_ = false;
  // Server-Sent Events.
  std::shared_ptr<StreamCall> sse_;
  WatchKind watch_kind_ = WatchKind::kAvailability;
  bool streaming_ = false;
  bool writing_ = false;
  uint64_t write_seq_ = 0;
  bool close_when_drained_ = false;
  bool flush_posted_ = false;  // a write is posted to start after the waiting handlers
  std::deque<Out> out_;
  size_t in_flight_ = 0;
  std::vector<net::const_buffer> gather_;

  char peer_scratch_[512];
};

}  // namespace

void StartSession(GatewayCore& core, tcp::socket socket, ssl::context* tls) {
  if (tls) {
    auto session = std::make_shared<Session<TlsStream>>(core, std::move(socket), *tls);
    session->Begin();
  } else {
    auto session = std::make_shared<Session<beast::tcp_stream>>(core, std::move(socket));
    session->Begin();
  }
}

}  // namespace oms::services::http

// A tiny blocking HTTP/1.1 client for tests of the HTTP gateway: POSIX sockets on loopback,
// every read bounded by a deadline so that a hung server fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oms::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;  // 0: no (complete) response before the deadline or the connection closed
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One connection to 127.0.0.1:port.
class HttpConnection {
 public:
  explicit HttpConnection(int port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends raw bytes; false if the connection is gone.
  bool Send(const std::string& bytes);
  // Sends a request (Host and Content-Length added) and reads its response.
  HttpResponse Request(const std::string& method, const std::string& target,
                       const std::string& body = "", const Headers& headers = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads one response: status line, headers and a Content-Length body (or the body up to the
  // close when there is none).
  HttpResponse ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads only the status line and headers (for an event stream).
  HttpResponse ReadHead(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // True if the server closes the connection within `timeout` (bytes sent first are dropped).
  bool ClosedWithin(std::chrono::milliseconds timeout);
  // Reads at least one more byte into the buffer; false on close or at the deadline.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  std::string& buffer() { return buffer_; }

 private:
  int fd_ = -1;
  int port_;
  std::string buffer_;
};

// One Server-Sent Event.
struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
};

// An event stream opened with GET; `head` says how the server answered.
class SseStream {
 public:
  SseStream(int port, const std::string& target, const Headers& headers = {});

  const HttpResponse& head() const { return head_; }
  // The next event (comments and `retry:` skipped), or nullopt at the deadline or the close.
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Comment lines (": keep-alive") seen so far.
  int comments() const { return comments_; }
  HttpConnection& connection() { return connection_; }

 private:
  HttpConnection connection_;
  HttpResponse head_;
  int comments_ = 0;
};

// GET over HTTPS on a fresh connection, trusting `ca_file`; with a client certificate and key
// for mutual TLS. Status 0 when the handshake or the exchange fails.
HttpResponse HttpsGet(int port, const std::string& target, const std::string& ca_file,
                      const std::string& cert_file = "", const std::string& key_file = "");

// The connect error body's fields, picked out of the JSON by a regex: enough for tests.
std::string JsonField(const std::string& json, const std::string& name);

}  // namespace oms::testing

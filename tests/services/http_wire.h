// HttpWire: a small blocking HTTP/1.1 client over plain sockets for the HTTP/JSON tests, with
// the raw access abuse tests need (send half a head, hold connections open, see when the server
// hangs up), a Server-Sent Events reader, and JSON helpers built on protobuf's JSON mapping.
// Every read has a deadline, so a silent server fails a test instead of hanging it.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace oms::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  bool received = false;  // a whole response arrived before the deadline
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& name) const;
};

// One TCP connection to 127.0.0.1:port; keep-alive by default.
class HttpConnection {
 public:
  explicit HttpConnection(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;
  HttpConnection(HttpConnection&& other) noexcept;

  bool connected() const { return fd_ >= 0; }
  bool SendRaw(const std::string& bytes);
  HttpResponse Request(const std::string& method, const std::string& target,
                       const std::string& body = "", const Headers& headers = {});
  // Reads one response (status line, headers, a Content-Length or chunked body).
  HttpResponse ReadResponse();
  // Reads only the status line and headers (a stream's head); received is false on deadline.
  HttpResponse ReadHead();
  // True when the server closes (or resets) the connection within `within`; bytes that arrive
  // meanwhile (e.g. an error response) are kept in `received_before_close`.
  bool WaitClosed(std::chrono::milliseconds within);
  std::string received_before_close;

  // Reads up to the end of the next "\n\n" (an SSE block), "" on deadline or close.
  std::string ReadUntil(const std::string& delimiter, std::chrono::milliseconds within);
  // Reads exactly `n` bytes more (body), false on deadline or close.
  bool ReadExactly(size_t n, std::string* out, std::chrono::milliseconds within);

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
};

// One request on a fresh connection.
HttpResponse HttpPost(int port, const std::string& target, const std::string& json,
                      const std::string& token = "");
HttpResponse HttpGet(int port, const std::string& target, const std::string& token = "");

// POST /oms.v1.<Service>/<Method> with a protobuf message as JSON.
HttpResponse CallJson(int port, const std::string& service, const std::string& method,
                      const google::protobuf::Message& request, const std::string& token = "");

// protobuf's JSON mapping, both ways. FromJson fails the test on a body that does not parse.
std::string ToJson(const google::protobuf::Message& message);
bool FromJson(const std::string& json, google::protobuf::Message* message);
google::protobuf::Value ParseJsonValue(const std::string& json, bool* ok = nullptr);

// The Connect error body, read back.
struct ConnectError {
  bool parsed = false;  // the body is a JSON object with a string "code"
  std::string code;
  std::string message;
  bool has_error_info = false;  // details[] held a google.rpc.ErrorInfo with a debug object
  std::string reason;
  std::string domain;
  std::map<std::string, std::string> metadata;
};
ConnectError ConnectErrorOf(const std::string& body);
// The HTTP status the Connect protocol gives a code name ("not_found" -> 404), 0 if unknown.
int HttpStatusOfCode(const std::string& code);

struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
  int comments = 0;  // ": ..." lines seen before this event (heartbeats)
};

// A Server-Sent Events stream: opens with GET and reads events one at a time.
class SseStream {
 public:
  SseStream(int port, const std::string& target, const Headers& headers = {});
  const HttpResponse& head() const { return head_; }
  bool ok() const { return head_.received && head_.status == 200; }
  // The next event (skipping comment-only blocks, counted in comments()), or nothing on
  // deadline or close.
  std::optional<SseEvent> Next(std::chrono::milliseconds within = std::chrono::seconds(10));
  int comments() const { return comments_; }
  bool closed() const { return closed_; }

 private:
  // Next raw block of the event stream with chunked framing removed.
  bool ReadBlock(std::chrono::steady_clock::time_point deadline, std::string* block);
  bool ReadChunk(std::chrono::steady_clock::time_point deadline);

  HttpConnection conn_;
  HttpResponse head_;
  bool chunked_ = false;
  bool closed_ = false;
  std::string decoded_;
  int comments_ = 0;
};

}  // namespace oms::testing

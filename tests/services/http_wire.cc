// HttpWire implementation: poll() with a deadline before every read, nothing else clever.
#include "tests/services/http_wire.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace oms::testing {

namespace {

using Clock = std::chrono::steady_clock;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

HttpConnection::HttpConnection(int port, std::chrono::milliseconds timeout) : timeout_(timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

HttpConnection::HttpConnection(HttpConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      timeout_(other.timeout_),
      buffer_(std::move(other.buffer_)) {}

bool HttpConnection::SendRaw(const std::string& bytes) {
  size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return fd_ >= 0;
}

bool HttpConnection::Fill(Clock::time_point deadline) {
  if (fd_ < 0) return false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // closed or reset
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

std::string HttpConnection::ReadUntil(const std::string& delimiter,
                                      std::chrono::milliseconds within) {
  auto deadline = Clock::now() + within;
  for (;;) {
    size_t at = buffer_.find(delimiter);
    if (at != std::string::npos) {
      std::string out = buffer_.substr(0, at + delimiter.size());
      buffer_.erase(0, at + delimiter.size());
      return out;
    }
    if (!Fill(deadline)) return "";
  }
}

bool HttpConnection::ReadExactly(size_t n, std::string* out, std::chrono::milliseconds within) {
  auto deadline = Clock::now() + within;
  while (buffer_.size() < n) {
    if (!Fill(deadline)) return false;
  }
  out->append(buffer_, 0, n);
  buffer_.erase(0, n);
  return true;
}

bool HttpConnection::WaitClosed(std::chrono::milliseconds within) {
  auto deadline = Clock::now() + within;
  if (fd_ < 0) return true;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return false;
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    received_before_close.append(chunk, static_cast<size_t>(n));
  }
}

HttpResponse HttpConnection::ReadHead() {
  HttpResponse response;
  std::string head = ReadUntil("\r\n\r\n", timeout_);
  if (head.empty()) return response;
  size_t eol = head.find("\r\n");
  std::string status_line = head.substr(0, eol);
  // "HTTP/1.1 200 OK"
  size_t sp = status_line.find(' ');
  if (sp == std::string::npos) return response;
  response.status = std::atoi(status_line.c_str() + sp + 1);
  size_t pos = eol + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos || end == pos) break;
    std::string line = head.substr(pos, end - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      response.headers[Lower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
    }
    pos = end + 2;
  }
  response.received = true;
  return response;
}

HttpResponse HttpConnection::ReadResponse() {
  HttpResponse response = ReadHead();
  if (!response.received) return response;
  response.received = false;
  if (Lower(response.Header("transfer-encoding")).find("chunked") != std::string::npos) {
    for (;;) {
      std::string size_line = ReadUntil("\r\n", timeout_);
      if (size_line.empty()) return response;
      size_t size = std::strtoul(size_line.c_str(), nullptr, 16);
      if (!ReadExactly(size + 2, &response.body, timeout_)) return response;
      response.body.resize(response.body.size() - 2);
      if (size == 0) break;
    }
  } else if (!response.Header("content-length").empty()) {
    size_t length = std::strtoul(response.Header("content-length").c_str(), nullptr, 10);
    if (!ReadExactly(length, &response.body, timeout_)) return response;
  } else if (response.status != 204 && response.status != 304) {
    // No length: the body runs to the close.
    WaitClosed(timeout_);
    response.body = buffer_ + received_before_close;
    buffer_.clear();
  }
  response.received = true;
  return response;
}

HttpResponse HttpConnection::Request(const std::string& method, const std::string& target,
                                     const std::string& body, const Headers& headers) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    if (Lower(name) == "content-type") has_type = true;
    out += name + ": " + value + "\r\n";
  }
  if (method == "POST" || !body.empty()) {
    if (!has_type) out += "Content-Type: application/json\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  out += "\r\n" + body;
  if (!SendRaw(out)) return {};
  return ReadResponse();
}

HttpResponse HttpPost(int port, const std::string& target, const std::string& json,
                      const std::string& token) {
  HttpConnection conn(port);
  Headers headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return conn.Request("POST", target, json, headers);
}

HttpResponse HttpGet(int port, const std::string& target, const std::string& token) {
  HttpConnection conn(port);
  Headers headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return conn.Request("GET", target, "", headers);
}

HttpResponse CallJson(int port, const std::string& service, const std::string& method,
                      const google::protobuf::Message& request, const std::string& token) {
  return HttpPost(port, "/oms.v1." + service + "/" + method, ToJson(request), token);
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

bool FromJson(const std::string& json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // the gateway must print only the message's fields
  auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in " << json;
  return status.ok();
}

google::protobuf::Value ParseJsonValue(const std::string& json, bool* ok) {
  google::protobuf::Value value;
  auto status = google::protobuf::util::JsonStringToMessage(json, &value);
  if (ok) *ok = status.ok();
  return value;
}

ConnectError ConnectErrorOf(const std::string& body) {
  ConnectError error;
  bool ok = false;
  google::protobuf::Value value = ParseJsonValue(body, &ok);
  if (!ok || !value.has_struct_value()) return error;
  const auto& fields = value.struct_value().fields();
  auto code = fields.find("code");
  if (code == fields.end() || !code->second.has_string_value()) return error;
  error.parsed = true;
  error.code = code->second.string_value();
  if (auto m = fields.find("message"); m != fields.end()) error.message = m->second.string_value();
  auto details = fields.find("details");
  if (details == fields.end() || !details->second.has_list_value()) return error;
  for (const auto& detail : details->second.list_value().values()) {
    const auto& d = detail.struct_value().fields();
    auto type = d.find("type");
    auto debug = d.find("debug");
    if (type == d.end() || type->second.string_value() != "google.rpc.ErrorInfo") continue;
    if (debug == d.end() || !debug->second.has_struct_value()) continue;
    const auto& info = debug->second.struct_value().fields();
    error.has_error_info = true;
    if (auto r = info.find("reason"); r != info.end()) error.reason = r->second.string_value();
    if (auto r = info.find("domain"); r != info.end()) error.domain = r->second.string_value();
    if (auto md = info.find("metadata"); md != info.end() && md->second.has_struct_value()) {
      for (const auto& [k, v] : md->second.struct_value().fields()) {
        error.metadata[k] = v.string_value();
      }
    }
    break;
  }
  return error;
}

int HttpStatusOfCode(const std::string& code) {
  static const std::map<std::string, int> kStatus = {{"canceled", 499},
                                                     {"unknown", 500},
                                                     {"invalid_argument", 400},
                                                     {"deadline_exceeded", 504},
                                                     {"not_found", 404},
                                                     {"already_exists", 409},
                                                     {"permission_denied", 403},
                                                     {"resource_exhausted", 429},
                                                     {"failed_precondition", 400},
                                                     {"aborted", 409},
                                                     {"out_of_range", 400},
                                                     {"unimplemented", 501},
                                                     {"internal", 500},
                                                     {"unavailable", 503},
                                                     {"data_loss", 500},
                                                     {"unauthenticated", 401}};
  auto it = kStatus.find(code);
  return it == kStatus.end() ? 0 : it->second;
}

SseStream::SseStream(int port, const std::string& target, const Headers& headers) : conn_(port) {
  std::string out =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!conn_.SendRaw(out)) return;
  head_ = conn_.ReadHead();
  chunked_ = Lower(head_.Header("transfer-encoding")).find("chunked") != std::string::npos;
  if (head_.received && head_.status != 200) {
    // An error answer before the stream starts: read its body for the test to inspect.
    if (chunked_) {
      while (ReadChunk(Clock::now() + std::chrono::seconds(5))) {
      }
      head_.body = decoded_;
    } else if (!head_.Header("content-length").empty()) {
      conn_.ReadExactly(std::strtoul(head_.Header("content-length").c_str(), nullptr, 10),
                        &head_.body, std::chrono::seconds(5));
    }
  }
}

bool SseStream::ReadChunk(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  std::string size_line = conn_.ReadUntil("\r\n", left);
  if (size_line.empty()) return false;
  size_t size = std::strtoul(size_line.c_str(), nullptr, 16);
  if (size == 0) {
    closed_ = true;
    return false;
  }
  left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  std::string data;
  if (!conn_.ReadExactly(size + 2, &data, std::max(left, std::chrono::milliseconds(1)))) {
    return false;
  }
  decoded_.append(data, 0, size);
  // Lines may end in CRLF; events are found by their blank line, so keep bare LFs only.
  std::erase(decoded_, '\r');
  return true;
}

bool SseStream::ReadBlock(Clock::time_point deadline, std::string* block) {
  for (;;) {
    size_t at = decoded_.find("\n\n");
    if (at != std::string::npos) {
      *block = decoded_.substr(0, at + 1);
      decoded_.erase(0, at + 2);
      return true;
    }
    if (closed_) return false;
    if (chunked_) {
      if (!ReadChunk(deadline)) return false;
      continue;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    // Unframed stream: take whatever the connection has, a byte at least.
    std::string some;
    if (!conn_.ReadExactly(1, &some, left)) {
      closed_ = !conn_.connected();
      return false;
    }
    if (some != "\r") decoded_ += some;
  }
}

std::optional<SseEvent> SseStream::Next(std::chrono::milliseconds within) {
  if (!ok()) return std::nullopt;
  auto deadline = Clock::now() + within;
  int comments = 0;
  std::string block;
  while (ReadBlock(deadline, &block)) {
    SseEvent event;
    bool has_field = false;
    size_t pos = 0;
    while (pos < block.size()) {
      size_t end = block.find('\n', pos);
      std::string line = block.substr(pos, end - pos);
      pos = end + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      if (line[0] == ':') {
        ++comments;
        ++comments_;
        continue;
      }
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      // "retry:" alone (the stream's opening) is no event.
      if (name == "id" || name == "event" || name == "data") has_field = true;
      if (name == "id") event.id = value;
      if (name == "event") event.event = value;
      if (name == "data") event.data += event.data.empty() ? value : "\n" + value;
    }
    if (has_field) {
      event.comments = comments;
      return event;
    }
  }
  return std::nullopt;
}

}  // namespace oms::testing

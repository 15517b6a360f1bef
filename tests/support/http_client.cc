// Blocking loopback HTTP/1.1 for tests: poll() with a deadline before every read.
#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/time.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <regex>

namespace oms::testing {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int Remaining(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

}  // namespace

HttpConnection::HttpConnection(int port) : port_(port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

HttpConnection::~HttpConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool HttpConnection::Send(const std::string& bytes) {
  size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return fd_ >= 0;
}

bool HttpConnection::Fill(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, Remaining(deadline)) <= 0) return false;
  char chunk[16384];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

HttpResponse HttpConnection::ReadHead(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpResponse r;
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline)) return r;
  }
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12) return r;
  r.status = std::atoi(status_line.substr(9, 3).c_str());
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    if (next == std::string::npos) next = head.size();
    std::string line = head.substr(pos, next - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[Lower(line.substr(0, colon))] = value;
    }
    pos = next + 2;
  }
  return r;
}

HttpResponse HttpConnection::ReadResponse(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  HttpResponse r = ReadHead(timeout);
  if (r.status == 0) return r;
  std::string length = r.header("content-length");
  if (!length.empty()) {
    size_t want = std::stoul(length);
    while (buffer_.size() < want) {
      if (!Fill(deadline)) {
        r.status = 0;
        return r;
      }
    }
    r.body = buffer_.substr(0, want);
    buffer_.erase(0, want);
  } else {
    while (Fill(deadline)) {
    }
    r.body = std::move(buffer_);
    buffer_.clear();
  }
  return r;
}

HttpResponse HttpConnection::Request(const std::string& method, const std::string& target,
                                     const std::string& body, const Headers& headers,
                                     std::chrono::milliseconds timeout) {
  std::string out =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST") {
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  out += "\r\n" + body;
  if (!Send(out)) return {};
  return ReadResponse(timeout);
}

bool HttpConnection::ClosedWithin(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fd_ < 0) return true;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, Remaining(deadline)) <= 0) return false;
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return true;
  }
  return false;
}

SseStream::SseStream(int port, const std::string& target, const Headers& headers)
    : connection_(port) {
  std::string out =
      "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!connection_.Send(out)) return;
  head_ = connection_.ReadHead();
  if (head_.status != 200) {
    // An error answer is JSON with a length: read it as the body.
    std::string length = head_.header("content-length");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    size_t want = length.empty() ? 0 : std::stoul(length);
    while (connection_.buffer().size() < want && connection_.Fill(deadline)) {
    }
    head_.body = connection_.buffer();
  }
}

std::optional<SseEvent> SseStream::Next(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string& buf = connection_.buffer();
  for (;;) {
    size_t end;
    while ((end = buf.find("\n\n")) != std::string::npos) {
      std::string block = buf.substr(0, end);
      buf.erase(0, end + 2);
      SseEvent event;
      bool any = false;
      size_t pos = 0;
      while (pos <= block.size()) {
        size_t next = block.find('\n', pos);
        if (next == std::string::npos) next = block.size();
        std::string line = block.substr(pos, next - pos);
        pos = next + 1;
        if (line.empty()) continue;
        if (line[0] == ':') {
          ++comments_;
          continue;
        }
        auto colon = line.find(':');
        std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "id") event.id = value, any = true;
        if (field == "event") event.event = value, any = true;
        if (field == "data") event.data += value, any = true;
      }
      if (any) return event;
    }
    if (!connection_.Fill(deadline)) return std::nullopt;
  }
}

HttpResponse HttpsGet(int port, const std::string& target, const std::string& ca_file,
                      const std::string& cert_file, const std::string& key_file) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  namespace http = boost::beast::http;
  HttpResponse r;
  try {
    net::io_context io;
    net::ssl::context ctx(net::ssl::context::tls_client);
    ctx.load_verify_file(ca_file);
    ctx.set_verify_mode(net::ssl::verify_peer);
    if (!cert_file.empty()) {
      ctx.use_certificate_chain_file(cert_file);
      ctx.use_private_key_file(key_file, net::ssl::context::pem);
    }
    beast::ssl_stream<net::ip::tcp::socket> stream(io, ctx);
    stream.next_layer().connect(
        {net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    // Blocking calls with a bound: a server that never answers fails the read, not the test run.
    timeval tv{5, 0};
    ::setsockopt(stream.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(stream.next_layer().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    stream.handshake(net::ssl::stream_base::client);
    http::request<http::empty_body> req(http::verb::get, target, 11);
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(false);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    r.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      r.headers[Lower(std::string(field.name_string()))] = std::string(field.value());
    }
    r.body = res.body();
  } catch (const std::exception&) {
    r.status = 0;
  }
  return r;
}

std::string JsonField(const std::string& json, const std::string& name) {
  std::smatch m;
  std::regex string_field("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"");
  if (std::regex_search(json, m, string_field)) return m[1];
  std::regex other_field("\"" + name + "\":([^,}\\]]*)");
  if (std::regex_search(json, m, other_field)) return m[1];
  return "";
}

}  // namespace oms::testing

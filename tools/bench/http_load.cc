// http-reserve and the SSE watchers: blocking sockets, one thread per client, as a simple HTTP
// client would run; RunLoad's statistics are shared with the gRPC workloads.
#include "tools/bench/http_load.h"

#include <arpa/inet.h>
#include <fmt/core.h>
#include <google/protobuf/util/json_util.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <random>

#include "oms/v1/reservation_service.pb.h"

namespace bench {
namespace v1 = oms::v1;
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// host:port -> a connected TCP socket, -1 on failure.
int Dial(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return -1;
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{10, 0};  // as the gRPC workloads' 10 s deadline
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  return fd;
}

// A keep-alive connection that sends a request and reads a Content-Length response.
class Connection {
 public:
  explicit Connection(std::string address) : address_(std::move(address)) {}
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }

  // The HTTP status (0 when the connection failed) and the body.
  int Post(const std::string& target, const std::string& body, const std::string& token,
           std::string* reply) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0) fd_ = Dial(address_);
      if (fd_ < 0) return 0;
      std::string out = fmt::format(
          "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n"
          "Content-Length: {}\r\n{}\r\n{}",
          target, address_, body.size(),
          token.empty() ? "" : "Authorization: Bearer " + token + "\r\n", body);
      int status = 0;
      if (Send(out) && (status = Read(reply)) != 0) return status;
      // The server closed an idle keep-alive connection: one fresh try.
      close(fd_);
      fd_ = -1;
    }
    return 0;
  }

 private:
  bool Send(const std::string& out) {
    size_t sent = 0;
    while (sent < out.size()) {
      ssize_t n = send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  bool Fill() {
    char chunk[16384];
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int Read(std::string* reply) {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return 0;
    }
    int status = std::atoi(buffer_.c_str() + buffer_.find(' ') + 1);
    std::string head = buffer_.substr(0, head_end);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t at = head.find("content-length:");
    size_t length = at == std::string::npos ? 0 : std::strtoul(head.c_str() + at + 15, nullptr, 10);
    bool closing = head.find("connection: close") != std::string::npos;
    while (buffer_.size() < head_end + 4 + length) {
      if (!Fill()) return 0;
    }
    reply->assign(buffer_, head_end + 4, length);
    buffer_.erase(0, head_end + 4 + length);
    if (closing) {
      close(fd_);
      fd_ = -1;
    }
    return status;
  }

  std::string address_;
  int fd_ = -1;
  std::string buffer_;
};

// Connect's code names, back to gRPC codes for RunLoad's error table.
grpc::StatusCode CodeOf(const std::string& body, int http_status) {
  static const std::pair<const char*, grpc::StatusCode> kCodes[] = {
      {"\"canceled\"", grpc::StatusCode::CANCELLED},
      {"\"invalid_argument\"", grpc::StatusCode::INVALID_ARGUMENT},
      {"\"deadline_exceeded\"", grpc::StatusCode::DEADLINE_EXCEEDED},
      {"\"not_found\"", grpc::StatusCode::NOT_FOUND},
      {"\"already_exists\"", grpc::StatusCode::ALREADY_EXISTS},
      {"\"permission_denied\"", grpc::StatusCode::PERMISSION_DENIED},
      {"\"resource_exhausted\"", grpc::StatusCode::RESOURCE_EXHAUSTED},
      {"\"failed_precondition\"", grpc::StatusCode::FAILED_PRECONDITION},
      {"\"aborted\"", grpc::StatusCode::ABORTED},
      {"\"out_of_range\"", grpc::StatusCode::OUT_OF_RANGE},
      {"\"unimplemented\"", grpc::StatusCode::UNIMPLEMENTED},
      {"\"internal\"", grpc::StatusCode::INTERNAL},
      {"\"unavailable\"", grpc::StatusCode::UNAVAILABLE},
      {"\"data_loss\"", grpc::StatusCode::DATA_LOSS},
      {"\"unauthenticated\"", grpc::StatusCode::UNAUTHENTICATED}};
  if (http_status == 0) return grpc::StatusCode::UNAVAILABLE;
  for (const auto& [name, code] : kCodes) {
    if (body.find(name) != std::string::npos) return code;
  }
  return grpc::StatusCode::UNKNOWN;
}

// Worker w's thread and connection; Step hands it one request at a time. The next step is
// queued from inside `done`, on this same thread, so the mailbox is a single slot.
struct Lane {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<std::pair<uint64_t, Done>> job;
  bool stop = false;
  std::thread thread;
};

struct HttpReserve {
  LoadOptions load;
  WorkloadOptions work;
  std::string http;
  std::string run_id;
  std::vector<std::unique_ptr<Lane>> lanes;

  ~HttpReserve() {
    for (auto& lane : lanes) {
      {
        std::lock_guard lock(lane->mu);
        lane->stop = true;
      }
      lane->cv.notify_one();
    }
    for (auto& lane : lanes) lane->thread.join();
  }

  void Serve(int worker, Lane& lane) {
    Connection conn(http);
    for (;;) {
      std::pair<uint64_t, Done> job;
      {
        std::unique_lock lock(lane.mu);
        lane.cv.wait(lock, [&] { return lane.stop || lane.job.has_value(); });
        if (lane.stop) return;
        job = std::move(*lane.job);
        lane.job.reset();
      }
      Reserve(worker, job.first, conn, job.second);
    }
  }

  // The same request as the gRPC `reserve` workload builds, as JSON.
  void Reserve(int worker, uint64_t n, Connection& conn, const Done& done) {
    std::mt19937_64 rng(load.seed * 1000003 + worker * 7919 + n);
    v1::CreateReservationRequest req;
    req.set_request_id(fmt::format("bench-http-{}-{}-{}", run_id, worker, n));
    req.set_channel(v1::CHANNEL_ONLINE);
    req.mutable_ttl()->set_seconds(7 * 24 * 3600);
    for (int i = 0; i < work.lines; ++i) {
      auto* line = req.add_lines();
      line->set_sku(work.hot ? "sku-0" : fmt::format("sku-{}", rng() % work.skus));
      line->set_quantity(1);
      line->set_location_id(work.hot ? "b0" : fmt::format("b{}", rng() % work.locations));
    }
    std::string body;
    (void)google::protobuf::util::MessageToJsonString(req, &body);
    std::string reply;
    int status =
        conn.Post("/oms.v1.ReservationService/CreateReservation", body, load.token, &reply);
    if (status == 200) {
      if (work.on_reserved) {
        for (const auto& line : req.lines()) work.on_reserved(line.sku());
      }
      done(grpc::Status::OK, work.lines);
    } else {
      done(grpc::Status(CodeOf(reply, status), reply), 0);
    }
  }
};

}  // namespace

Step MakeHttpReserve(const WorkloadOptions& w, const LoadOptions& o, const std::string& http) {
  if (http.empty()) return nullptr;
  auto s = std::make_shared<HttpReserve>();
  s->load = o;
  s->work = w;
  s->http = http;
  s->run_id = fmt::format("{:x}", std::random_device{}());
  for (int i = 0; i < o.concurrency; ++i) s->lanes.push_back(std::make_unique<Lane>());
  for (int i = 0; i < o.concurrency; ++i) {
    Lane* lane = s->lanes[static_cast<size_t>(i)].get();
    lane->thread = std::thread([raw = s.get(), i, lane] { raw->Serve(i, *lane); });
  }
  return [s](int worker, uint64_t n, Done done) {
    Lane& lane = *s->lanes[static_cast<size_t>(worker)];
    {
      std::lock_guard lock(lane.mu);
      lane.job.emplace(n, std::move(done));
    }
    lane.cv.notify_one();
  };
}

struct SseWatchers::Subscriber {
  int fd = -1;
  std::thread thread;
  std::vector<Watchers::Seen> seen;  // this subscriber's thread only, until joined
};

SseWatchers::SseWatchers(const LoadOptions& o, const std::string& http, int subscribers, int skus)
    : skus_(skus) {
  int per = std::max(1, skus / std::max(1, subscribers));
  for (int i = 0; i < subscribers; ++i) {
    auto sub = std::make_unique<Subscriber>();
    int first = (i * per) % skus;
    std::string target = "/v1/watch/availability?";
    for (int k = first; k < std::min(skus, first + per); ++k) {
      target += fmt::format("{}sku=sku-{}", k == first ? "" : "&", k);
    }
    if (!o.token.empty()) target += "&access_token=" + o.token;
    sub->fd = Dial(http);
    if (sub->fd >= 0) {
      timeval none{0, 0};  // a stream waits as long as it must; Stop shuts the socket down
      setsockopt(sub->fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
      std::string request = fmt::format(
          "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n", target, http);
      (void)send(sub->fd, request.data(), request.size(), MSG_NOSIGNAL);
    }
    Subscriber* raw = sub.get();
    sub->thread = std::thread([this, raw] {
      std::string buffer;
      bool head = false;
      char chunk[16384];
      auto signal = [this] {
        std::lock_guard lock(ready_mu_);
        ++ready_;
        ready_cv_.notify_all();
      };
      for (;;) {
        ssize_t n = raw->fd < 0 ? 0 : recv(raw->fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        int64_t now = NowNs();
        buffer.append(chunk, static_cast<size_t>(n));
        if (!head) {
          size_t end = buffer.find("\r\n\r\n");
          if (end == std::string::npos) continue;
          head = true;
          buffer.erase(0, end + 4);
          signal();
        }
        // Events only need their SKU: find each `"sku":"sku-N"` and drop what was read.
        size_t at;
        while ((at = buffer.find("\"sku\":\"sku-")) != std::string::npos) {
          size_t end = buffer.find('"', at + 11);
          if (end == std::string::npos) break;
          raw->seen.push_back({std::atoi(buffer.c_str() + at + 11), now});
          buffer.erase(0, end);
        }
        if (buffer.size() > 65536) buffer.erase(0, buffer.size() - 64);
      }
      if (!head) signal();
    });
    subscribers_.push_back(std::move(sub));
  }
  // Every stream answered before the first reservation (the server sends the head once the
  // stream is registered), so none misses an event.
  std::unique_lock lock(ready_mu_);
  ready_cv_.wait_for(lock, std::chrono::seconds(30), [&] { return ready_ == subscribers; });
}

SseWatchers::~SseWatchers() { Stop(); }

void SseWatchers::NoteReply(const std::string& sku) {
  int i = std::atoi(sku.c_str() + 4);  // "sku-N"
  if (i < 0 || i >= skus_) return;
  int64_t now = NowNs();
  std::lock_guard lock(replies_mu_);
  replies_.push_back({i, now});
}

WatchStats SseWatchers::Stop() {
  if (stopped_) return {};
  stopped_ = true;
  for (auto& sub : subscribers_) {
    if (sub->fd >= 0) shutdown(sub->fd, SHUT_RDWR);
  }
  std::vector<const std::vector<Watchers::Seen>*> seen;
  for (auto& sub : subscribers_) {
    sub->thread.join();
    if (sub->fd >= 0) close(sub->fd);
    seen.push_back(&sub->seen);
  }
  return Watchers::Pair(skus_, replies_, seen);
}

}  // namespace bench

// Internal to the HTTP gateway (http_gateway.cc and http_session.cc only): what connections
// share with the server that accepted them, and how a connection starts. Asio's socket type
// appears here, which is why no other file includes this header.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "services/http_calls.h"
#include "services/http_gateway.h"
#include "services/http_json.h"

namespace boost::asio::ssl {
class context;
}

namespace oms::services {
class Authenticator;
}

namespace oms::services::http {

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Ends the connection and its call from any thread (posts to the connection's strand). An
  // event stream is only cancelled: it writes its `event: error` and then closes.
  virtual void Close() = 0;
  // Closes at once, written or not.
  virtual void Abort() = 0;
};

// The gateway's state that every connection uses: limits, the authenticator for /v1/session,
// the gRPC calls, and the registry of open connections that shutdown closes.
struct GatewayCore {
  GatewayCore(HttpOptions o, Authenticator& a) : options(std::move(o)), auth(a) {}

  HttpOptions options;
  Authenticator& auth;
  std::unique_ptr<GrpcCalls> calls;
  // Each watch event's Server-Sent Events text, shared by every connection that sends it.
  SseEventCache sse_events;
  // Writes of event streams (each carries up to a batch of events).
  std::atomic<uint64_t> sse_writes{0};
  std::atomic<int> connections{0};
  std::mutex sessions_mu;
  bool stopping = false;
  std::condition_variable drained;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;

  // False once shutdown has begun: the connection is dropped unanswered.
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

// Serves one accepted connection (HTTPS when `tls` is set) until it closes.
void StartSession(GatewayCore& core, boost::asio::ip::tcp::socket socket,
                  boost::asio::ssl::context* tls);

}  // namespace oms::services::http

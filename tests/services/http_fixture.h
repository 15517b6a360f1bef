// HttpServerTest: the real in-process server with the HTTP/JSON gateway on 127.0.0.1:0, and
// assertions for JSON answers and Connect-shaped errors.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/services/http_connect.h"
#include "tests/support/live_server.h"

namespace oms::testing {

inline services::ServerOptions WithHttp(services::ServerOptions options = {},
                                        services::HttpOptions http = {}) {
  options.http_listen = "127.0.0.1:0";
  options.http = http;
  return options;
}

// A 200 with a JSON body that parses as `Resp` (unknown fields refused).
template <typename Resp>
::testing::AssertionResult JsonOk(const HttpResponse& r, Resp* out) {
  if (r.status == 0) return ::testing::AssertionFailure() << "no response";
  if (r.status != 200) {
    return ::testing::AssertionFailure() << "HTTP " << r.status << ": " << r.body;
  }
  if (r.header("content-type").find("application/json") != 0) {
    return ::testing::AssertionFailure() << "content-type " << r.header("content-type");
  }
  if (!FromJson(r.body, out)) return ::testing::AssertionFailure() << "bad JSON: " << r.body;
  return ::testing::AssertionSuccess();
}

// A Connect error with `code` (its HTTP status to match) and, when given, the ErrorInfo
// reason in domain oms.v1.
inline ::testing::AssertionResult IsHttpError(const HttpResponse& r, const std::string& code,
                                              const std::string& reason = "") {
  if (r.status == 0) return ::testing::AssertionFailure() << "no response";
  ConnectError e = ConnectErrorOf(r.body);
  if (!e.parsed) {
    return ::testing::AssertionFailure() << "HTTP " << r.status << " not Connect JSON: " << r.body;
  }
  if (e.code != code || r.status != HttpStatusOfCode(code)) {
    return ::testing::AssertionFailure()
           << "HTTP " << r.status << " code " << e.code << ", wanted " << code << ": " << r.body;
  }
  if (!reason.empty() && (!e.has_error_info || e.reason != reason || e.domain != "oms.v1")) {
    return ::testing::AssertionFailure() << "reason " << e.reason << " domain " << e.domain
                                         << ", wanted " << reason << ": " << r.body;
  }
  if (!reason.empty() && !e.value_matches_debug) {
    return ::testing::AssertionFailure()
           << "details[].value is not the ErrorInfo in debug: " << r.body;
  }
  return ::testing::AssertionSuccess();
}

class HttpServerTest : public ::testing::Test {
 protected:
  explicit HttpServerTest(services::ServerOptions options = WithHttp())
      : server_(std::move(options)) {}

  int port() { return server_.server().http_port(); }

  template <typename Resp>
  ::testing::AssertionResult Call(const std::string& service, const std::string& method,
                                  const google::protobuf::Message& request, Resp* out,
                                  const std::string& token = "") {
    return JsonOk(CallJson(port(), service, method, request, token), out);
  }

  LiveServer server_;
};

}  // namespace oms::testing

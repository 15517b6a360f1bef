// Connect-protocol helpers for the HTTP/JSON tests, over tests/support/http_client: one call
// per fresh connection, protobuf's JSON mapping both ways, and the Connect error body read back.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/struct.pb.h>

#include <map>
#include <string>

#include "tests/support/http_client.h"

namespace oms::testing {

// The content type of every JSON request.
inline const Headers kJson = {{"Content-Type", "application/json"}};

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
  // The detail's base64 "value" decodes to an ErrorInfo that says what "debug" says.
  bool value_matches_debug = false;
};
ConnectError ConnectErrorOf(const std::string& body);
// The HTTP status the Connect protocol gives a code name ("not_found" -> 404), 0 if unknown.
int HttpStatusOfCode(const std::string& code);

// The stream answered 200 and is sending events.
inline bool Streaming(const SseStream& stream) { return stream.head().status == 200; }

}  // namespace oms::testing

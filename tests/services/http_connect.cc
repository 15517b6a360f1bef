// Connect-protocol helpers: protobuf's JSON utilities and google.protobuf.Value for reading.
#include "tests/services/http_connect.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"

namespace oms::testing {

namespace {

// Standard or URL-safe base64, padded or not (Connect sends it unpadded).
bool Base64Decode(const std::string& in, std::string* out) {
  uint32_t bits = 0;
  int count = 0;
  static const std::string kStandard =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (char c : in) {
    if (c == '=') break;
    size_t v = kStandard.find(c == '-' ? '+' : c == '_' ? '/' : c);
    if (v == std::string::npos) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out->push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return true;
}

}  // namespace

HttpResponse HttpPost(int port, const std::string& target, const std::string& json,
                      const std::string& token) {
  HttpConnection conn(port);
  Headers headers = kJson;
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
    std::string bytes;
    google::rpc::ErrorInfo info_value;
    auto value = d.find("value");
    if (value != d.end() && Base64Decode(value->second.string_value(), &bytes) &&
        info_value.ParseFromString(bytes)) {
      std::map<std::string, std::string> metadata(info_value.metadata().begin(),
                                                  info_value.metadata().end());
      error.value_matches_debug = info_value.reason() == error.reason &&
                                  info_value.domain() == error.domain && metadata == error.metadata;
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

}  // namespace oms::testing

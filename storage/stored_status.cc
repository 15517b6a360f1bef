// Stored statuses as JSON: readable in the sqlite3 shell, and rewritable by migrations.
#include "storage/stored_status.h"

#include <nlohmann/json.hpp>

namespace oms::storage {
namespace {

using Json = nlohmann::json;

Status Unreadable() { return Status::Internal("stored error is unreadable"); }

}  // namespace

std::string EncodeStoredStatus(const Status& status) {
  Json j = {{"code", static_cast<int>(status.code())},
            {"reason", status.reason()},
            {"message", status.message()}};
  if (!status.metadata().empty()) {
    Json& metadata = j["metadata"] = Json::array();
    for (const auto& [key, value] : status.metadata()) metadata.push_back({key, value});
  }
  if (!status.violations().empty()) {
    Json& violations = j["violations"] = Json::array();
    for (const auto& v : status.violations()) violations.push_back({v.field, v.description});
  }
  // Invalid UTF-8 is replaced rather than thrown on: the write must not fail over a message.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Status DecodeStoredStatus(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Unreadable();
  auto text_at = [&](const char* key, std::string* out) {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_string()) return false;
    *out = it->get<std::string>();
    return true;
  };
  // Each list entry is a [first, second] pair of strings.
  auto pairs_at = [&](const char* key, auto&& add) {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_array()) return false;
    for (const Json& entry : *it) {
      if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
          !entry[1].is_string()) {
        return false;
      }
      add(entry[0].get<std::string>(), entry[1].get<std::string>());
    }
    return true;
  };
  auto code = j.find("code");
  if (code == j.end() || !code->is_number_integer() || code->get<int>() == 0) return Unreadable();
  std::string reason;
  std::string message;
  if (!text_at("reason", &reason) || !text_at("message", &message)) return Unreadable();
  Status s(static_cast<Code>(code->get<int>()), std::move(message));
  s.WithReason(std::move(reason));
  bool ok = pairs_at("metadata",
                     [&](std::string k, std::string v) { s.With(std::move(k), std::move(v)); }) &&
            pairs_at("violations", [&](std::string f, std::string d) {
              s.WithViolation(std::move(f), std::move(d));
            });
  return ok ? s : Unreadable();
}

}  // namespace oms::storage

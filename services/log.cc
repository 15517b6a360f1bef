// Structured log lines.
#include "services/log.h"

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <mutex>

namespace oms::services {
namespace {

std::string Quote(const std::string& v) {
  if (!v.empty() && v.find_first_of(" \"=\t\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

}  // namespace

void LogEvent(std::string_view level, std::string_view event,
              std::initializer_list<LogField> fields) {
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now());
  std::string line = fmt::format("ts={:%Y-%m-%dT%H:%M:%S}Z level={} event={}", now, level, event);
  for (const auto& [key, value] : fields) line += fmt::format(" {}={}", key, Quote(value));
  line += '\n';
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fputs(line.c_str(), stderr);
}

}  // namespace oms::services

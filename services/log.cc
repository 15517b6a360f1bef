// Structured log lines.
#include "services/log.h"

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <google/protobuf/stubs/logging.h>

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
  auto now =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::string line = fmt::format("ts={:%Y-%m-%dT%H:%M:%S}Z level={} event={}", now, level, event);
  for (const auto& [key, value] : fields) line += fmt::format(" {}={}", key, Quote(value));
  line += '\n';
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fputs(line.c_str(), stderr);
}

namespace {

// A small budget per second for library messages; the rest are counted, not printed.
constexpr int kProtobufLinesPerSecond = 5;

void ProtobufLogHandler(google::protobuf::LogLevel level, const char* filename, int line,
                        const std::string& message) {
  static std::mutex mu;
  static int64_t window = 0;
  static int printed = 0;
  static int64_t dropped = 0;
  int64_t second = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  int64_t report_dropped = 0;
  {
    std::lock_guard lock(mu);
    if (second != window) {
      window = second;
      printed = 0;
      report_dropped = dropped;
      dropped = 0;
    }
    if (printed >= kProtobufLinesPerSecond) {
      ++dropped;
      return;
    }
    ++printed;
  }
  if (report_dropped > 0) {
    LogEvent("warn", "protobuf_log_dropped", {{"lines", std::to_string(report_dropped)}});
  }
  const char* name = level >= google::protobuf::LOGLEVEL_ERROR     ? "error"
                     : level == google::protobuf::LOGLEVEL_WARNING ? "warn"
                                                                   : "info";
  LogEvent(name, "protobuf",
           {{"source", fmt::format("{}:{}", filename, line)}, {"message", message}});
}

}  // namespace

void RouteProtobufLogs() { google::protobuf::SetLogHandler(&ProtobufLogHandler); }

}  // namespace oms::services

// One structured line per notable event on stderr: `ts=… level=… event=… key=value …`,
// values quoted when they contain spaces. Never given a token or a pickup code.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace oms::services {

using LogField = std::pair<std::string_view, std::string>;

void LogEvent(std::string_view level, std::string_view event,
              std::initializer_list<LogField> fields = {});

// Routes protobuf's own messages (e.g. a request with invalid UTF-8 in a string field, which
// gRPC refuses before oms sees it) into LogEvent, at most a few lines per second so that a
// misbehaving client cannot flood the log; the number of dropped lines is reported.
void RouteProtobufLogs();

}  // namespace oms::services

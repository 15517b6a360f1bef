// Durations as operators type them on omsd's command line: "72h", "30m", "90s".
#pragma once

#include <string_view>

#include "domain/status.h"
#include "domain/types.h"

namespace oms::services {

// A positive whole number followed by one unit, h, m or s; anything else is INVALID_ARGUMENT
// naming `flag`, with the accepted forms in the message.
Result<Duration> ParseDurationFlag(std::string_view flag, std::string_view text);

}  // namespace oms::services

// The text a failed request's Status is kept as in requests.error, so a retry replays the
// whole error: code, reason, message, ErrorInfo metadata and field violations.
#pragma once

#include <string>
#include <string_view>

#include "domain/status.h"

namespace oms::storage {

// A JSON object: {"code":9,"reason":"…","message":"…","metadata":[["key","value"],…],
// "violations":[["field","description"],…]}; empty lists are left out.
std::string EncodeStoredStatus(const Status& status);

// The Status `text` encodes (keys it lacks are empty), or Internal when it is not one.
Status DecodeStoredStatus(std::string_view text);

}  // namespace oms::storage

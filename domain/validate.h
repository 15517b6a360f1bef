// Input rules shared by every entry point (gRPC, import, fuzzers): ids, text, quantities and
// per-command checks. Field names are the API's, so a BadRequest points at the right field.
#pragma once

#include <string_view>

#include "domain/commands.h"
#include "domain/status.h"

namespace oms {

// 1-128 printable ASCII characters without spaces.
Status ValidateId(std::string_view field, std::string_view value);
// At most 256 bytes, no control characters.
Status ValidateText(std::string_view field, std::string_view value);
Status ValidateRequestId(std::string_view value);
// A page size of 0 means the default; negative or above the maximum is rejected.
Result<int> ValidatePageSize(int page_size);

// Checks a command's own fields; existence of what it names is checked when it is applied.
Status Validate(const Command& command);

}  // namespace oms

// The store console's static files (services/console/), built into the binary so that omsd
// needs no files beside it and no CDN. Generated at build time by
// services/console/embed.cmake; the gateway serves them at GET / and GET /<name>.
#pragma once

#include <string_view>

namespace oms::services {

struct ConsoleAsset {
  std::string_view path;          // "/" (index.html), "/app.js", ...
  std::string_view content_type;  // with charset for text
  std::string_view body;
};

// The asset served at `path`, or nullptr.
const ConsoleAsset* FindConsoleAsset(std::string_view path);

}  // namespace oms::services

// Placeholder until the console lands (it will be generated from services/console/).
#include "services/console_assets.h"

namespace oms::services {

const ConsoleAsset* FindConsoleAsset(std::string_view) { return nullptr; }

}  // namespace oms::services

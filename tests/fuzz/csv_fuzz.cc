// libFuzzer target: the import CSV parser must never crash, and whatever it accepts must
// satisfy the server's rules (valid ids, quantities in range, no duplicate keys).
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "domain/limits.h"
#include "domain/validate.h"
#include "tools/omsctl/csv_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  omsctl::CsvResult r = omsctl::ParseStockCsv(text);
  if (!r.ok()) {
    if (!r.rows.empty() || r.error.empty() || r.error_line < 1) std::abort();
    return 0;
  }
  std::set<std::pair<std::string, std::string>> keys;
  for (const auto& row : r.rows) {
    if (!oms::ValidateId("sku", row.sku).ok() || !oms::ValidateId("l", row.location_id).ok()) {
      std::abort();
    }
    if (row.on_hand < 0 || row.on_hand > oms::limits::kMaxOnHand) std::abort();
    if (!keys.insert({row.sku, row.location_id}).second) std::abort();
  }
  return 0;
}

// CSV parsing and validation for imports.
#include "tools/omsctl/csv_import.h"

#include <charconv>
#include <unordered_set>

#include "domain/limits.h"
#include "domain/validate.h"

namespace omsctl {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ',') {
      out.push_back(Trim(line.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

CsvResult ParseStockCsv(std::string_view text) {
  CsvResult result;
  auto fail = [&](int line, std::string why) {
    result.rows.clear();
    result.error_line = line;
    result.error = std::move(why);
    return result;
  };
  std::unordered_set<std::string> seen;
  bool header = false;
  int number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(pos, end - pos));
    pos = end + 1;
    ++number;
    if (line.empty()) continue;
    std::vector<std::string_view> f = Split(line);
    if (!header) {
      if (f.size() != 3 || f[0] != "sku" || f[1] != "location_id" || f[2] != "on_hand") {
        return fail(number, "expected the header 'sku,location_id,on_hand'");
      }
      header = true;
      continue;
    }
    if (f.size() != 3) return fail(number, "expected 3 fields, found " + std::to_string(f.size()));
    oms::Status s = oms::ValidateId("sku", f[0]);
    if (s.ok()) s = oms::ValidateId("location_id", f[1]);
    if (!s.ok()) return fail(number, s.message());
    int64_t on_hand = 0;
    auto [ptr, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), on_hand);
    if (ec != std::errc() || ptr != f[2].data() + f[2].size() || on_hand < 0 ||
        on_hand > oms::limits::kMaxOnHand) {
      return fail(number, "on_hand must be an integer between 0 and " +
                              std::to_string(oms::limits::kMaxOnHand) + ", got '" +
                              std::string(f[2]) + "'");
    }
    std::string key = std::string(f[0]) + '\n' + std::string(f[1]);
    if (!seen.insert(key).second) {
      return fail(number,
                  "duplicate row for sku " + std::string(f[0]) + " at " + std::string(f[1]));
    }
    result.rows.push_back({std::string(f[0]), std::string(f[1]), on_hand, number});
  }
  if (!header) return fail(number == 0 ? 1 : number, "the file is empty (no header)");
  return result;
}

}  // namespace omsctl

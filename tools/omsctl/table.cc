// Table printing.
#include "tools/omsctl/table.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

namespace omsctl {
namespace {

// "12", "-3", "+4": right-aligned; anything else left-aligned.
bool IsNumber(const std::string& cell) {
  size_t i = !cell.empty() && (cell[0] == '-' || cell[0] == '+') ? 1 : 0;
  if (i == cell.size()) return false;
  for (; i < cell.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(cell[i]))) return false;
  }
  return true;
}

}  // namespace

void Table::Print() const {
  std::vector<size_t> width;
  for (const auto& row : rows_) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (size_t r = 0; r < rows_.size(); ++r) {
    std::string line;
    for (size_t i = 0; i < rows_[r].size(); ++i) {
      const std::string& cell = rows_[r][i];
      bool number = r > 0 && IsNumber(cell);
      if (i > 0) line += "  ";
      line +=
          number ? fmt::format("{:>{}}", cell, width[i]) : fmt::format("{:<{}}", cell, width[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  }
}

}  // namespace omsctl

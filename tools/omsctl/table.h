// Table: aligned columns for people reading a terminal.
#pragma once

#include <string>
#include <vector>

namespace omsctl {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void Row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Prints header and rows; numbers (cells starting with a digit or '-') right-aligned.
  void Print() const;
  size_t size() const { return rows_.size() - 1; }

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace omsctl

// The stock CSV `omsctl import` reads: header `sku,location_id,on_hand`, one stock level per
// line. The whole file is checked before anything is sent; the first bad line stops it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace omsctl {

struct StockRow {
  std::string sku;
  std::string location_id;
  int64_t on_hand = 0;
  int line = 0;  // 1-based line number in the file
};

struct CsvResult {
  std::vector<StockRow> rows;
  int error_line = 0;  // 0: no error
  std::string error;
  bool ok() const { return error_line == 0; }
};

// Tolerates CRLF, blank lines and spaces around fields; rejects bad ids (the server's rules),
// non-integer or out-of-range quantities, extra columns and duplicate (sku, location_id).
CsvResult ParseStockCsv(std::string_view text);

}  // namespace omsctl

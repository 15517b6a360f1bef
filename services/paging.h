// Paging of every List RPC in one place: page_size checked, page_token opaque (hex of
// "<kind>:<cursor>", so a token of another list is rejected), the cursor being the fields of
// the last row returned — separated by spaces, the last field taking the rest of the text (ids
// may hold anything), numbers parsed with every check. A token the server did not issue is
// INVALID_ARGUMENT on page_token, never a crash or a silently different page.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "domain/status.h"

namespace oms::services {

// What each field of a list's cursor holds.
enum class CursorField {
  kText,
  kNumber,  // a non-negative int64: an id or a server time in microseconds
};

// The fields of one row's cursor, in order.
using Cursor = std::vector<std::string>;

class PageRequest {
 public:
  // Checks `page_size` and decodes `page_token` of list `kind` with cursor `fields`;
  // INVALID_ARGUMENT naming page_size or page_token.
  static Result<PageRequest> Read(std::string_view kind, int page_size, std::string_view page_token,
                                  std::initializer_list<CursorField> fields);

  // Rows on this page.
  int size() const { return size_; }
  // Rows to ask storage for: one beyond the page tells whether another page follows.
  int fetch() const { return size_ + 1; }
  // No page_token: start at the beginning (the cursor fields are empty).
  bool first() const { return fields_.empty(); }
  // Cursor field `i` (valid unless first()); number() only of kNumber fields.
  const std::string& text(size_t i) const { return fields_.at(i); }
  int64_t number(size_t i) const { return numbers_.at(i); }

  // Adds rows[0, size()) with `add`, and sets *next_page_token to the token after the last of
  // them when storage returned more than a page.
  template <typename Row, typename Add, typename CursorOf>
  void Emit(const std::vector<Row>& rows, Add&& add, CursorOf&& cursor_of,
            std::string* next_page_token) const {
    size_t n = static_cast<size_t>(size_);
    for (size_t i = 0; i < rows.size() && i < n; ++i) add(rows[i]);
    if (rows.size() > n) *next_page_token = Token(cursor_of(rows[n - 1]));
  }

  // The token of the page after the row with `cursor`.
  std::string Token(const Cursor& cursor) const;

 private:
  PageRequest(std::string kind, int size) : kind_(std::move(kind)), size_(size) {}

  std::string kind_;
  int size_;
  std::vector<std::string> fields_;
  std::vector<int64_t> numbers_;  // per field; 0 for text fields
};

// Opaque page tokens: hex of "<kind>:<cursor>"; a token of another list is rejected.
std::string EncodePageToken(std::string_view kind, std::string_view cursor);
Result<std::string> DecodePageToken(std::string_view kind, std::string_view token);

}  // namespace oms::services

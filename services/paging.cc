// Page tokens and cursors.
#include "services/paging.h"

#include <charconv>

#include "domain/validate.h"

namespace oms::services {
namespace {

Status Malformed() {
  return Status::InvalidArgument("page_token", "is not a token this list issued");
}

// A non-negative int64 in decimal, nothing else (no sign, spaces or overflow).
bool ParseNumber(std::string_view text, int64_t* out) {
  if (text.empty() || text.front() < '0' || text.front() > '9') return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size() && *out >= 0;
}

}  // namespace

Result<PageRequest> PageRequest::Read(std::string_view kind, int page_size,
                                      std::string_view page_token,
                                      std::initializer_list<CursorField> fields) {
  Result<int> size = ValidatePageSize(page_size);
  if (!size.ok()) return size.status();
  Result<std::string> cursor = DecodePageToken(kind, page_token);
  if (!cursor.ok()) return cursor.status();
  PageRequest page(std::string(kind), *size);
  if (page_token.empty()) return page;
  std::string_view rest = *cursor;
  size_t i = 0;
  for (CursorField field : fields) {
    std::string_view text = rest;
    if (++i < fields.size()) {
      size_t space = rest.find(' ');
      if (space == std::string_view::npos) return Malformed();
      text = rest.substr(0, space);
      rest.remove_prefix(space + 1);
    }
    int64_t number = 0;
    if (field == CursorField::kNumber && !ParseNumber(text, &number)) return Malformed();
    page.fields_.emplace_back(text);
    page.numbers_.push_back(number);
  }
  return page;
}

std::string PageRequest::Token(const Cursor& cursor) const {
  std::string plain;
  for (size_t i = 0; i < cursor.size(); ++i) {
    if (i > 0) plain += ' ';
    plain += cursor[i];
  }
  return EncodePageToken(kind_, plain);
}

std::string EncodePageToken(std::string_view kind, std::string_view cursor) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string plain = std::string(kind) + ":" + std::string(cursor);
  std::string out;
  out.reserve(plain.size() * 2);
  for (unsigned char c : plain) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<std::string> DecodePageToken(std::string_view kind, std::string_view token) {
  if (token.empty()) return std::string();
  if (token.size() % 2 != 0 || token.size() > 1024) return Malformed();
  std::string plain;
  plain.reserve(token.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < token.size(); i += 2) {
    int hi = nibble(token[i]), lo = nibble(token[i + 1]);
    if (hi < 0 || lo < 0) return Malformed();
    plain += static_cast<char>(hi << 4 | lo);
  }
  std::string prefix = std::string(kind) + ":";
  if (plain.compare(0, prefix.size(), prefix) != 0) return Malformed();
  return plain.substr(prefix.size());
}

}  // namespace oms::services

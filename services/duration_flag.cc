// Duration flags.
#include "services/duration_flag.h"

#include <charconv>
#include <string>

namespace oms::services {

Result<Duration> ParseDurationFlag(std::string_view flag, std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(std::string(flag),
                                   "'" + std::string(text) +
                                       "' is not a duration: write a whole number and a unit, "
                                       "e.g. 72h, 30m or 90s");
  };
  if (text.size() < 2) return bad();
  int64_t seconds_per_unit = 0;
  switch (text.back()) {
    case 'h':
      seconds_per_unit = 3600;
      break;
    case 'm':
      seconds_per_unit = 60;
      break;
    case 's':
      seconds_per_unit = 1;
      break;
    default:
      return bad();
  }
  std::string_view digits = text.substr(0, text.size() - 1);
  int64_t n = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  // At most ten years: beyond that a typo, and safe from overflow in microseconds.
  constexpr int64_t kMaxSeconds = int64_t{10} * 366 * 24 * 3600;
  if (error != std::errc() || end != digits.data() + digits.size() || n <= 0 ||
      n > kMaxSeconds / seconds_per_unit) {
    return bad();
  }
  return Duration(n * seconds_per_unit * 1'000'000);
}

}  // namespace oms::services

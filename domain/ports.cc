// The system clock adapter (the only port adapter that needs nothing beyond the standard
// library; random ids live in storage/random_ids).
#include "domain/ports.h"

namespace oms {

Timestamp SystemClock::Now() {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

}  // namespace oms

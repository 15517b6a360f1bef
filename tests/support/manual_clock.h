// ManualClock: a Clock that only moves when a test moves it (thread-safe).
#pragma once

#include <atomic>

#include "domain/ports.h"

namespace oms::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = FromMicros(1'700'000'000'000'000)) : now_(ToMicros(start)) {}
  Timestamp Now() override { return FromMicros(now_.load()); }
  void Advance(Duration d) { now_ += d.count(); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace oms::testing

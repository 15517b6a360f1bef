// FakeClock: a Clock that only moves when a test sets or advances it (thread-safe).
#pragma once

#include <atomic>

#include "domain/ports.h"

namespace oms::testing {

class FakeClock final : public Clock {
 public:
  // 2023-11-14T22:13:20Z: a fixed, unremarkable instant.
  static constexpr int64_t kDefaultStartMicros = 1'700'000'000'000'000;

  explicit FakeClock(Timestamp start = FromMicros(kDefaultStartMicros))
      : now_us_(ToMicros(start)) {}

  Timestamp Now() override { return FromMicros(now_us_.load()); }
  void Set(Timestamp t) { now_us_.store(ToMicros(t)); }
  void Advance(Duration d) { now_us_ += d.count(); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace oms::testing

// ManualClock: the name older tests use for FakeClock (tests/fakes/fake_clock.h).
#pragma once

#include "tests/fakes/fake_clock.h"

namespace oms::testing {

using ManualClock = FakeClock;

}  // namespace oms::testing

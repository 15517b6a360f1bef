// Skipping, in a typed suite, a backend this machine cannot run (PostgreSQL not installed):
// a backend with a static Available() is skipped when it returns false.
#pragma once

#include <gtest/gtest.h>

namespace oms::testing {

// For a typed fixture's SetUp: skips a backend that this machine cannot run.
template <typename Backend>
bool BackendUnavailable() {
  if constexpr (requires { Backend::Available(); }) {
    return !Backend::Available();
  } else {
    return false;
  }
}
#define OMS_SKIP_UNAVAILABLE_BACKEND(Backend)                                     \
  if (::oms::testing::BackendUnavailable<Backend>()) {                             \
    GTEST_SKIP() << "PostgreSQL is not installed (apt-get install postgresql); " \
                    "OMS_REQUIRE_POSTGRES=1 makes this a failure";                 \
  }

}  // namespace oms::testing

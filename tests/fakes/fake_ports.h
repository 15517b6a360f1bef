// Deterministic clock and ids for domain tests.
#pragma once

#include <string>

#include "domain/ports.h"
#include "tests/support/manual_clock.h"

namespace oms::testing {

// "res_1", "res_2", ... and pickup codes "CODE01", "CODE02", ...
class SequentialIds final : public IdSource {
 public:
  std::string NewId(std::string_view prefix) override {
    return std::string(prefix) + "_" + std::to_string(++next_id_);
  }
  std::string NewPickupCode() override {
    ++next_code_;
    return std::string("CODE") + (next_code_ < 10 ? "0" : "") + std::to_string(next_code_);
  }

 private:
  int next_id_ = 0;
  int next_code_ = 0;
};

}  // namespace oms::testing

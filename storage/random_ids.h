// Unguessable ids and pickup codes from the kernel's CSPRNG (getrandom).
#pragma once

#include "domain/ports.h"

namespace oms::storage {

class RandomIdSource final : public IdSource {
 public:
  std::string NewId(std::string_view prefix) override;
  std::string NewPickupCode() override;
};

}  // namespace oms::storage

// Encodes domain events as the API messages that Watch streams send; storage keeps the bytes
// in events.payload so a replay sends exactly what a live subscriber saw.
#pragma once

#include <string>

#include "domain/event.h"

namespace oms::services {

std::string EncodeEvent(const Event& event);

}  // namespace oms::services

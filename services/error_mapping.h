// The one place where domain Status becomes grpc::Status: the code, a message, and
// google.rpc.Status details (ErrorInfo with domain "oms.v1", BadRequest, RetryInfo).
#pragma once

#include <grpcpp/support/status.h>

#include "domain/status.h"

namespace oms::services {

inline constexpr char kErrorDomain[] = "oms.v1";

grpc::Status ToGrpcStatus(const Status& status);

}  // namespace oms::services

// Status -> grpc::Status with rich details in the binary trailer (grpc-status-details-bin).
#include "services/error_mapping.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace oms::services {

grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(status.code()));
  rpc.set_message(status.message());
  if (!status.reason().empty()) {
    google::rpc::ErrorInfo info;
    info.set_reason(status.reason());
    info.set_domain(kErrorDomain);
    for (const auto& [key, value] : status.metadata()) (*info.mutable_metadata())[key] = value;
    rpc.add_details()->PackFrom(info);
  }
  if (!status.violations().empty()) {
    google::rpc::BadRequest bad;
    for (const auto& v : status.violations()) {
      auto* fv = bad.add_field_violations();
      fv->set_field(v.field);
      fv->set_description(v.description);
    }
    rpc.add_details()->PackFrom(bad);
  }
  if (status.code() == Code::kResourceExhausted || status.code() == Code::kUnavailable) {
    google::rpc::RetryInfo retry;
    retry.mutable_retry_delay()->set_nanos(100'000'000);  // 100 ms, then back off
    rpc.add_details()->PackFrom(retry);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message(),
                      rpc.SerializeAsString());
}

}  // namespace oms::services

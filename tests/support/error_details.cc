// ErrorDetails: parsing google.rpc.Status out of grpc-status-details-bin.
#include "tests/support/error_details.h"

#include <algorithm>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace oms::testing {

ErrorDetails DetailsOf(const grpc::Status& status) {
  ErrorDetails out;
  google::rpc::Status rpc;
  if (status.error_details().empty() || !rpc.ParseFromString(status.error_details())) return out;
  out.parsed = true;
  out.code = rpc.code();
  for (const auto& any : rpc.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    google::rpc::RetryInfo retry;
    if (any.Is<google::rpc::ErrorInfo>() && any.UnpackTo(&info)) {
      out.has_error_info = true;
      out.reason = info.reason();
      out.domain = info.domain();
      out.metadata.insert(info.metadata().begin(), info.metadata().end());
    } else if (any.Is<google::rpc::BadRequest>() && any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) out.fields.push_back(v.field());
    } else if (any.Is<google::rpc::RetryInfo>() && any.UnpackTo(&retry)) {
      out.has_retry_info = true;
    }
  }
  return out;
}

namespace {

std::string Describe(const grpc::Status& status, const ErrorDetails& d) {
  std::string s = "code " + std::to_string(status.error_code()) + " \"" + status.error_message() +
                  "\", reason \"" + d.reason + "\", domain \"" + d.domain + "\", fields [";
  for (const auto& f : d.fields) s += f + (f == d.fields.back() ? "" : ", ");
  return s + "]";
}

}  // namespace

::testing::AssertionResult IsError(const grpc::Status& status, grpc::StatusCode code,
                                   const std::string& reason, const std::string& field) {
  ErrorDetails d = DetailsOf(status);
  auto fail = [&](const std::string& why) {
    return ::testing::AssertionFailure() << why << "; got " << Describe(status, d);
  };
  if (status.error_code() != code) return fail("expected code " + std::to_string(code));
  if (!reason.empty() || !field.empty()) {
    if (!d.parsed) return fail("no google.rpc.Status in the error details");
    if (d.code != static_cast<int>(code)) return fail("details carry another code");
  }
  if (!reason.empty()) {
    if (!d.has_error_info) return fail("expected ErrorInfo " + reason);
    if (d.reason != reason) return fail("expected reason " + reason);
    if (d.domain != "oms.v1") return fail("expected domain oms.v1");
  }
  if (!field.empty() && std::find(d.fields.begin(), d.fields.end(), field) == d.fields.end()) {
    return fail("expected a BadRequest violation of field " + field);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult IsNotUnknownOrInternal(const grpc::Status& status) {
  if (status.error_code() == grpc::UNKNOWN || status.error_code() == grpc::INTERNAL) {
    return ::testing::AssertionFailure()
           << "code " << status.error_code() << ": " << status.error_message();
  }
  return ::testing::AssertionSuccess();
}

}  // namespace oms::testing

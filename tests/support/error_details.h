// Reading the rich error model back out of a grpc::Status: the google.rpc.Status in
// error_details(), its ErrorInfo (reason, domain, metadata) and BadRequest field names, and
// one assertion that checks code, reason, domain and field together.
#pragma once

#include <grpcpp/support/status.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace oms::testing {

struct ErrorDetails {
  bool parsed = false;  // error_details() held a google.rpc.Status
  int code = 0;         // its code
  bool has_error_info = false;
  std::string reason;
  std::string domain;
  std::map<std::string, std::string> metadata;
  std::vector<std::string> fields;  // BadRequest field violations, in order
  bool has_retry_info = false;
};

ErrorDetails DetailsOf(const grpc::Status& status);

// Passes when `status` has `code`; when `reason` is given, an ErrorInfo with that reason and
// domain "oms.v1"; when `field` is given, a BadRequest naming that field. The details' own
// code must agree with the status code.
::testing::AssertionResult IsError(const grpc::Status& status, grpc::StatusCode code,
                                   const std::string& reason = "", const std::string& field = "");

// Codes a malformed request must never produce.
::testing::AssertionResult IsNotUnknownOrInternal(const grpc::Status& status);

}  // namespace oms::testing

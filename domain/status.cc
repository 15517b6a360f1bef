// Status constructors and names.
#include "domain/status.h"

namespace oms {

Status Status::InvalidArgument(std::string field, std::string description) {
  Status s(Code::kInvalidArgument, field + ": " + description);
  s.WithViolation(std::move(field), std::move(description));
  return s;
}

Status Status::FailedPrecondition(std::string reason, std::string message) {
  Status s(Code::kFailedPrecondition, std::move(message));
  s.WithReason(std::move(reason));
  return s;
}

Status Status::Aborted(std::string reason, std::string message) {
  Status s(Code::kAborted, std::move(message));
  s.WithReason(std::move(reason));
  return s;
}

Status Status::Unavailable(std::string reason, std::string message) {
  Status s(Code::kUnavailable, std::move(message));
  s.WithReason(std::move(reason));
  return s;
}

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case Code::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case Code::kNotFound:
      return "NOT_FOUND";
    case Code::kAlreadyExists:
      return "ALREADY_EXISTS";
    case Code::kPermissionDenied:
      return "PERMISSION_DENIED";
    case Code::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case Code::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case Code::kAborted:
      return "ABORTED";
    case Code::kOutOfRange:
      return "OUT_OF_RANGE";
    case Code::kInternal:
      return "INTERNAL";
    case Code::kUnavailable:
      return "UNAVAILABLE";
    case Code::kUnauthenticated:
      return "UNAUTHENTICATED";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  std::string s = CodeName(code_);
  if (!reason_.empty()) s += " " + reason_;
  if (!message_.empty()) s += ": " + message_;
  return s;
}

}  // namespace oms

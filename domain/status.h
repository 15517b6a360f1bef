// Status and Result<T>: every expected failure in oms is a value with a code and a stable
// reason, never an exception. services/error_mapping turns them into gRPC statuses.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace oms {

// Mirrors the gRPC codes oms uses; the numbers are gRPC's so mapping is a cast.
enum class Code {
  kOk = 0,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kInternal = 13,
  kUnavailable = 14,
  kUnauthenticated = 16,
};

// Stable ErrorInfo reasons of API.md; clients switch on these strings.
namespace reason {
inline constexpr char kInsufficientStock[] = "INSUFFICIENT_STOCK";
inline constexpr char kReservationNotActive[] = "RESERVATION_NOT_ACTIVE";
inline constexpr char kInvalidOrderState[] = "INVALID_ORDER_STATE";
// A return asks for more units than the sale sold (CreateReturn) or than the return holds
// in quarantine (ResolveReturn).
inline constexpr char kReturnQuantityExceeded[] = "RETURN_QUANTITY_EXCEEDED";
// CreateReturn from a reservation that was not sold (not COMMITTED).
inline constexpr char kReservationNotCommitted[] = "RESERVATION_NOT_COMMITTED";
// An inbound that is received or cancelled (FAILED_PRECONDITION), or an inbound_id already
// used (ALREADY_EXISTS).
inline constexpr char kInvalidInboundState[] = "INVALID_INBOUND_STATE";
// Selling, or handing to an order, a preorder's line before its inbound was received.
inline constexpr char kPreorderNotReceived[] = "PREORDER_NOT_RECEIVED";
inline constexpr char kPickupCodeMismatch[] = "PICKUP_CODE_MISMATCH";
inline constexpr char kPickupAttemptsExceeded[] = "PICKUP_ATTEMPTS_EXCEEDED";
inline constexpr char kVersionMismatch[] = "VERSION_MISMATCH";
inline constexpr char kRequestIdReused[] = "REQUEST_ID_REUSED";
inline constexpr char kLocationInactive[] = "LOCATION_INACTIVE";
inline constexpr char kFulfilmentNotAllowed[] = "FULFILMENT_NOT_ALLOWED";
inline constexpr char kWriterOverloaded[] = "WRITER_OVERLOADED";
inline constexpr char kStorageUnavailable[] = "STORAGE_UNAVAILABLE";
inline constexpr char kShuttingDown[] = "SHUTTING_DOWN";
inline constexpr char kDeadlineExceeded[] = "DEADLINE_EXCEEDED";
inline constexpr char kRateLimited[] = "RATE_LIMITED";
// Watch: resuming after a sequence not yet written, or one whose events were pruned.
inline constexpr char kSequenceAhead[] = "SEQUENCE_AHEAD";
inline constexpr char kEventsPruned[] = "EVENTS_PRUNED";
// RESOURCE_EXHAUSTED: a backup or online verify is already running (one at a time).
inline constexpr char kAdminBusy[] = "ADMIN_BUSY";
// UNAVAILABLE, replicas on PostgreSQL: this writer lost its lease (another replica took it
// over), so the batch did not commit; and a read's oms-min-sequence was not applied in time.
inline constexpr char kNotLeader[] = "NOT_LEADER";
inline constexpr char kReplicaBehind[] = "REPLICA_BEHIND";
}  // namespace reason

struct FieldViolation {
  std::string field;
  std::string description;
};

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string field, std::string description);
  static Status NotFound(std::string message) { return {Code::kNotFound, std::move(message)}; }
  static Status FailedPrecondition(std::string reason, std::string message);
  static Status Aborted(std::string reason, std::string message);
  static Status Unavailable(std::string reason, std::string message);
  static Status Internal(std::string message) { return {Code::kInternal, std::move(message)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  Status& WithReason(std::string reason) {
    reason_ = std::move(reason);
    return *this;
  }
  Status& With(std::string key, std::string value) {
    metadata_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  Status& WithViolation(std::string field, std::string description) {
    violations_.push_back({std::move(field), std::move(description)});
    return *this;
  }

  // "CODE: message" for logs and tests.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string reason_;
  std::string message_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::vector<FieldViolation> violations_;
};

const char* CodeName(Code code);

// A value or the Status that explains its absence.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {
    if (std::get<Status>(v_).ok()) std::abort();  // an ok Status carries no value
  }

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace oms

// Returns early with the Status of an expression that failed.
#define OMS_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::oms::Status oms_status_ = (expr);        \
    if (!oms_status_.ok()) return oms_status_; \
  } while (0)

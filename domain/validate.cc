// Validation of command fields against limits.h.
#include "domain/validate.h"

#include <string>
#include <unordered_set>

#include "domain/limits.h"

namespace oms {
namespace {

Status Invalid(std::string_view field, std::string description) {
  return Status::InvalidArgument(std::string(field), std::move(description));
}

Status ValidateQuantity(std::string_view field, int64_t value, int64_t min) {
  if (value < min || value > limits::kMaxQuantity) {
    return Invalid(field, "must be between " + std::to_string(min) + " and " +
                              std::to_string(limits::kMaxQuantity) + ", got " +
                              std::to_string(value));
  }
  return Status::Ok();
}

Status ValidateKey(const StockKey& key) {
  OMS_RETURN_IF_ERROR(ValidateId("sku", key.sku.str()));
  return ValidateId("location_id", key.location.str());
}

Status ValidateExpected(const std::optional<int64_t>& expected) {
  if (expected && (*expected < 0 || *expected > limits::kMaxOnHand)) {
    return Invalid("expected_on_hand",
                   "must be between 0 and " + std::to_string(limits::kMaxOnHand));
  }
  return Status::Ok();
}

Status Check(const UpsertLocation& c) {
  OMS_RETURN_IF_ERROR(ValidateId("location.location_id", c.location.id.str()));
  return ValidateText("location.name", c.location.name);
}

Status Check(const UpsertGroup& c) {
  OMS_RETURN_IF_ERROR(ValidateId("group_id", c.group.str()));
  if (c.members.size() > static_cast<size_t>(limits::kMaxGroupMembers)) {
    return Invalid("location_ids",
                   "at most " + std::to_string(limits::kMaxGroupMembers) + " members");
  }
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < c.members.size(); ++i) {
    std::string field = "location_ids[" + std::to_string(i) + "]";
    OMS_RETURN_IF_ERROR(ValidateId(field, c.members[i].str()));
    if (!seen.insert(c.members[i].str()).second) return Invalid(field, "duplicate member");
  }
  return Status::Ok();
}

Status Check(const AdjustStock& c) {
  OMS_RETURN_IF_ERROR(ValidateKey(c.key));
  OMS_RETURN_IF_ERROR(ValidateText("reference", c.reference));
  OMS_RETURN_IF_ERROR(ValidateExpected(c.expected_on_hand));
  if (c.delta == 0) return Invalid("delta", "must not be zero");
  if (c.delta < -limits::kMaxQuantity || c.delta > limits::kMaxQuantity) {
    return Invalid("delta", "magnitude must be at most " + std::to_string(limits::kMaxQuantity));
  }
  switch (c.reason) {
    case MovementReason::kReceived:
    case MovementReason::kReturned:
    case MovementReason::kFound:
      if (c.delta < 0) {
        return Invalid("delta", std::string(MovementReasonName(c.reason)) +
                                    " adds units: delta must be positive");
      }
      break;
    case MovementReason::kSold:
    case MovementReason::kDamaged:
    case MovementReason::kLost:
      if (c.delta > 0) {
        return Invalid("delta", std::string(MovementReasonName(c.reason)) +
                                    " removes units: delta must be negative");
      }
      break;
    case MovementReason::kCorrection:
      break;
    case MovementReason::kCount:
    case MovementReason::kTransferOut:
    case MovementReason::kTransferIn:
      return Invalid("reason", "COUNT and TRANSFER_* are written by SetStock and TransferStock");
  }
  return Status::Ok();
}

Status Check(const SetStock& c) {
  OMS_RETURN_IF_ERROR(ValidateKey(c.key));
  OMS_RETURN_IF_ERROR(ValidateText("reference", c.reference));
  OMS_RETURN_IF_ERROR(ValidateExpected(c.expected_on_hand));
  if (c.on_hand < 0 || c.on_hand > limits::kMaxOnHand) {
    return Invalid("on_hand", "must be between 0 and " + std::to_string(limits::kMaxOnHand));
  }
  return Status::Ok();
}

Status Check(const TransferStock& c) {
  OMS_RETURN_IF_ERROR(ValidateId("sku", c.sku.str()));
  OMS_RETURN_IF_ERROR(ValidateId("from_location_id", c.from.str()));
  OMS_RETURN_IF_ERROR(ValidateId("to_location_id", c.to.str()));
  OMS_RETURN_IF_ERROR(ValidateText("reference", c.reference));
  if (c.from == c.to) return Invalid("to_location_id", "must differ from from_location_id");
  return ValidateQuantity("quantity", c.quantity, 1);
}

Status Check(const SetSafetyStock& c) {
  OMS_RETURN_IF_ERROR(ValidateKey(c.key));
  return ValidateQuantity("safety_stock", c.safety_stock, 0);
}

Status Check(const ImportStock& c) {
  if (c.rows.empty()) return Invalid("rows", "at least one row is required");
  if (c.rows.size() > static_cast<size_t>(limits::kMaxImportRows)) {
    return Invalid("rows", "at most " + std::to_string(limits::kMaxImportRows) + " rows per call");
  }
  OMS_RETURN_IF_ERROR(ValidateText("reference", c.reference));
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < c.rows.size(); ++i) {
    std::string prefix = "rows[" + std::to_string(i) + "].";
    const auto& row = c.rows[i];
    OMS_RETURN_IF_ERROR(ValidateId(prefix + "sku", row.key.sku.str()));
    OMS_RETURN_IF_ERROR(ValidateId(prefix + "location_id", row.key.location.str()));
    if (row.on_hand < 0 || row.on_hand > limits::kMaxOnHand) {
      return Invalid(prefix + "on_hand",
                     "must be between 0 and " + std::to_string(limits::kMaxOnHand));
    }
    if (!seen.insert(row.key.sku.str() + '\n' + row.key.location.str()).second) {
      return Invalid(prefix + "sku", "duplicate (sku, location_id) in one call");
    }
  }
  return Status::Ok();
}

// `preorder`: the longer bound of a preorder's TTL.
Status ValidateTtl(std::string_view field, Duration ttl, bool preorder = false) {
  auto most = preorder ? std::chrono::duration_cast<std::chrono::seconds>(limits::kMaxPreorderTtl)
                       : limits::kMaxTtl;
  if (ttl < limits::kMinTtl || ttl > most) {
    return Invalid(field, "must be between " + std::to_string(limits::kMinTtl.count()) + " s and " +
                              std::to_string(most.count()) + " s" +
                              (preorder ? " for a preorder" : ""));
  }
  return Status::Ok();
}

Status ValidateLines(const std::vector<RequestedLine>& lines, bool location_required,
                     bool allow_empty) {
  if (lines.empty() && !allow_empty) return Invalid("lines", "at least one line is required");
  if (lines.size() > static_cast<size_t>(limits::kMaxLines)) {
    return Invalid("lines", "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string prefix = "lines[" + std::to_string(i) + "].";
    OMS_RETURN_IF_ERROR(ValidateId(prefix + "sku", lines[i].sku.str()));
    if (!lines[i].location.empty() || location_required) {
      OMS_RETURN_IF_ERROR(ValidateId(prefix + "location_id", lines[i].location.str()));
    }
    OMS_RETURN_IF_ERROR(ValidateQuantity(prefix + "quantity", lines[i].quantity, 1));
  }
  return Status::Ok();
}

Status Check(const CreateReservation& c) {
  // The POS sells in its own store: it must say which.
  OMS_RETURN_IF_ERROR(ValidateLines(c.lines, c.channel == Channel::kPos, false));
  if (!c.group.empty()) OMS_RETURN_IF_ERROR(ValidateId("group_id", c.group.str()));
  OMS_RETURN_IF_ERROR(ValidateTtl("ttl", c.ttl, c.promise_by.has_value()));
  if (c.promise_by && ToMicros(*c.promise_by) <= 0) return Invalid("promise_by", "is not a time");
  return ValidateText("reference", c.reference);
}

Status Check(const ExtendReservation& c) {
  OMS_RETURN_IF_ERROR(ValidateId("reservation_id", c.id.str()));
  // Whether the reservation is a preorder (and may live this long) is checked when applied.
  return ValidateTtl("ttl", c.ttl, /*preorder=*/true);
}

Status Check(const ReleaseReservation& c) {
  OMS_RETURN_IF_ERROR(ValidateId("reservation_id", c.id.str()));
  return ValidateText("reason", c.reason);
}

Status Check(const CommitReservation& c) {
  OMS_RETURN_IF_ERROR(ValidateId("reservation_id", c.id.str()));
  return ValidateLines(c.lines, false, true);
}

Status Check(const ExpireReservation& c) { return ValidateId("reservation_id", c.id.str()); }

Status ValidateHold(const std::optional<Duration>& hold) {
  if (hold && (*hold < limits::kMinPickupHold || *hold > limits::kMaxPickupHold)) {
    return Invalid("hold_for", "must be between " + std::to_string(limits::kMinPickupHold.count()) +
                                   " and " + std::to_string(limits::kMaxPickupHold.count()) +
                                   " hours");
  }
  return Status::Ok();
}

Status Check(const PlaceOrder& c) {
  OMS_RETURN_IF_ERROR(ValidateId("customer_id", c.customer.str()));
  OMS_RETURN_IF_ERROR(ValidateId("pickup_location_id", c.pickup_location.str()));
  if (c.reservation.empty()) {
    OMS_RETURN_IF_ERROR(ValidateLines(c.lines, false, false));
  } else {
    OMS_RETURN_IF_ERROR(ValidateId("reservation_id", c.reservation.str()));
    OMS_RETURN_IF_ERROR(ValidateLines(c.lines, false, true));
  }
  return ValidateHold(c.hold);
}

Status Check(const StartPicking& c) { return ValidateId("order_id", c.id.str()); }

Status Check(const MarkReady& c) {
  OMS_RETURN_IF_ERROR(ValidateId("order_id", c.id.str()));
  if (c.picked.size() > static_cast<size_t>(limits::kMaxLines)) {
    return Invalid("picked", "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  for (size_t i = 0; i < c.picked.size(); ++i) {
    std::string prefix = "picked[" + std::to_string(i) + "].";
    OMS_RETURN_IF_ERROR(ValidateId(prefix + "sku", c.picked[i].sku.str()));
    OMS_RETURN_IF_ERROR(ValidateQuantity(prefix + "quantity", c.picked[i].quantity, 0));
  }
  return Status::Ok();
}

Status Check(const ConfirmPickup& c) {
  OMS_RETURN_IF_ERROR(ValidateId("order_id", c.id.str()));
  if (!c.staff_override && c.pickup_code.empty()) return Invalid("pickup_code", "is required");
  if (c.pickup_code.size() > static_cast<size_t>(limits::kMaxPickupCodeLength)) {
    return Invalid("pickup_code", "is longer than " + std::to_string(limits::kMaxPickupCodeLength) +
                                      " characters");
  }
  return Status::Ok();
}

Status Check(const CancelOrder& c) {
  OMS_RETURN_IF_ERROR(ValidateId("order_id", c.id.str()));
  return ValidateText("reason", c.reason);
}

Status Check(const ExpireOrder& c) { return ValidateId("order_id", c.id.str()); }

Status ValidateReturnedLines(const std::vector<ReturnedLine>& lines, bool allow_inspect) {
  if (lines.empty()) return Invalid("lines", "at least one line is required");
  if (lines.size() > static_cast<size_t>(limits::kMaxLines)) {
    return Invalid("lines", "at most " + std::to_string(limits::kMaxLines) + " lines");
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string prefix = "lines[" + std::to_string(i) + "].";
    OMS_RETURN_IF_ERROR(ValidateId(prefix + "sku", lines[i].sku.str()));
    OMS_RETURN_IF_ERROR(ValidateQuantity(prefix + "quantity", lines[i].quantity, 1));
    Disposition d = lines[i].disposition;
    bool known = d == Disposition::kRestock || d == Disposition::kDamaged ||
                 (allow_inspect && d == Disposition::kInspect);
    if (!known) {
      return Invalid(prefix + "disposition",
                     allow_inspect ? "must be RESTOCK, DAMAGED or INSPECT"
                                   : "must be RESTOCK or DAMAGED (inspected units are resolved)");
    }
  }
  return Status::Ok();
}

Status Check(const CreateReturn& c) {
  if (c.order_id.empty() == c.reservation_id.empty()) {
    return Invalid(c.order_id.empty() ? "order_id" : "reservation_id",
                   "name exactly one of order_id and reservation_id: the sale returned from");
  }
  if (!c.order_id.empty()) OMS_RETURN_IF_ERROR(ValidateId("order_id", c.order_id.str()));
  if (!c.reservation_id.empty()) {
    OMS_RETURN_IF_ERROR(ValidateId("reservation_id", c.reservation_id.str()));
  }
  OMS_RETURN_IF_ERROR(ValidateId("location_id", c.location.str()));
  if (!c.customer.empty()) OMS_RETURN_IF_ERROR(ValidateId("customer_id", c.customer.str()));
  OMS_RETURN_IF_ERROR(ValidateReturnedLines(c.lines, /*allow_inspect=*/true));
  OMS_RETURN_IF_ERROR(ValidateText("reason", c.reason));
  return ValidateText("reference", c.reference);
}

Status Check(const ResolveReturn& c) {
  OMS_RETURN_IF_ERROR(ValidateId("return_id", c.id.str()));
  return ValidateReturnedLines(c.lines, /*allow_inspect=*/false);
}

Status ValidateInboundLines(const std::vector<InboundQuantity>& lines) {
  if (lines.empty()) return Invalid("lines", "at least one line is required");
  if (lines.size() > static_cast<size_t>(limits::kMaxInboundLines)) {
    return Invalid("lines", "at most " + std::to_string(limits::kMaxInboundLines) + " lines");
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string prefix = "lines[" + std::to_string(i) + "].";
    OMS_RETURN_IF_ERROR(ValidateId(prefix + "sku", lines[i].sku.str()));
    OMS_RETURN_IF_ERROR(ValidateQuantity(prefix + "quantity", lines[i].quantity, 1));
  }
  return Status::Ok();
}

Status ValidateExpectedAt(Timestamp at) {
  if (ToMicros(at) <= 0) return Invalid("expected_at", "is required");
  return Status::Ok();
}

Status Check(const ExpectInbound& c) {
  OMS_RETURN_IF_ERROR(ValidateId("inbound_id", c.id.str()));
  OMS_RETURN_IF_ERROR(ValidateId("location_id", c.location.str()));
  OMS_RETURN_IF_ERROR(ValidateExpectedAt(c.expected_at));
  return ValidateInboundLines(c.lines);
}

Status Check(const RescheduleInbound& c) {
  OMS_RETURN_IF_ERROR(ValidateId("inbound_id", c.id.str()));
  return ValidateExpectedAt(c.expected_at);
}

Status Check(const CancelInbound& c) {
  OMS_RETURN_IF_ERROR(ValidateId("inbound_id", c.id.str()));
  return ValidateText("reason", c.reason);
}

Status Check(const ReceiveInbound& c) {
  OMS_RETURN_IF_ERROR(ValidateId("inbound_id", c.id.str()));
  return ValidateInboundLines(c.lines);
}

Status Check(const MarkInboundOverdue& c) { return ValidateId("inbound_id", c.id.str()); }

}  // namespace

Status ValidateId(std::string_view field, std::string_view value) {
  if (value.empty()) return Invalid(field, "is required");
  if (value.size() > static_cast<size_t>(limits::kMaxIdLength)) {
    return Invalid(field, "is longer than " + std::to_string(limits::kMaxIdLength) + " characters");
  }
  for (unsigned char ch : value) {
    if (ch <= 0x20 || ch >= 0x7f) {
      return Invalid(field, "must be printable ASCII without spaces");
    }
  }
  return Status::Ok();
}

Status ValidateText(std::string_view field, std::string_view value) {
  if (value.size() > static_cast<size_t>(limits::kMaxTextLength)) {
    return Invalid(field, "is longer than " + std::to_string(limits::kMaxTextLength) + " bytes");
  }
  for (unsigned char ch : value) {
    if (ch < 0x20 || ch == 0x7f) return Invalid(field, "must not contain control characters");
  }
  return Status::Ok();
}

Status ValidateRequestId(std::string_view value) { return ValidateId("request_id", value); }

Result<int> ValidatePageSize(int page_size) {
  if (page_size < 0 || page_size > limits::kMaxPageSize) {
    return Invalid("page_size", "must be between 0 and " + std::to_string(limits::kMaxPageSize));
  }
  return page_size == 0 ? limits::kDefaultPageSize : page_size;
}

Status Validate(const Command& command) {
  return std::visit([](const auto& c) { return Check(c); }, command);
}

}  // namespace oms

// Locations, groups and stock: the checks and changes of each inventory command.
#include <string>

#include "domain/apply.h"
#include "domain/limits.h"

namespace oms {
namespace {

Status LocationNotFound(const LocationId& id) {
  return Status::NotFound("location " + id.str() + " does not exist");
}

Status RequireLocation(const Draft& draft, const LocationId& id) {
  return draft.FindLocation(id) ? Status::Ok() : LocationNotFound(id);
}

Status CheckExpected(const StockKey& key, const std::optional<int64_t>& expected,
                     const StockLevel& level) {
  if (!expected || *expected == level.on_hand) return Status::Ok();
  Status s = Status::Aborted(reason::kVersionMismatch,
                             "on_hand of " + key.sku.str() + " at " + key.location.str() + " is " +
                                 std::to_string(level.on_hand) + ", not the expected " +
                                 std::to_string(*expected));
  s.With("expected_on_hand", std::to_string(*expected))
      .With("on_hand", std::to_string(level.on_hand))
      .With("version", std::to_string(level.version));
  return s;
}

int64_t Shortfall(const StockLevel& level) {
  return level.reserved > level.on_hand ? level.reserved - level.on_hand : 0;
}

}  // namespace

Status InsufficientStock(const StockKey& key, int64_t requested, int64_t available) {
  Status s = Status::FailedPrecondition(
      reason::kInsufficientStock,
      "not enough stock of " + key.sku.str() + " at " + key.location.str() + ": requested " +
          std::to_string(requested) + ", available " + std::to_string(available));
  s.With("sku", key.sku.str())
      .With("location", key.location.str())
      .With("requested", std::to_string(requested))
      .With("available", std::to_string(available));
  return s;
}

Result<ReplyOf<UpsertLocation>> Apply(Draft& draft, const UpsertLocation& c) {
  bool created = draft.FindLocation(c.location.id) == nullptr;
  return LocationReply{draft.PutLocation(c.location), created};
}

Result<ReplyOf<UpsertGroup>> Apply(Draft& draft, const UpsertGroup& c) {
  for (const auto& member : c.members) OMS_RETURN_IF_ERROR(RequireLocation(draft, member));
  bool created = draft.state().FindGroup(c.group) == nullptr;
  return GroupReply{draft.PutGroup({c.group, c.members, {}}), created};
}

Result<ReplyOf<AdjustStock>> Apply(Draft& draft, const AdjustStock& c) {
  OMS_RETURN_IF_ERROR(RequireLocation(draft, c.key.location));
  StockLevel level = draft.Stock(c.key);
  OMS_RETURN_IF_ERROR(CheckExpected(c.key, c.expected_on_hand, level));
  int64_t after = level.on_hand + c.delta;
  if (after < 0) return InsufficientStock(c.key, -c.delta, level.on_hand);
  // Only a CORRECTION may take units that reservations hold (leaving a shortfall).
  if (c.delta < 0 && c.reason != MovementReason::kCorrection && after < level.reserved) {
    return InsufficientStock(c.key, -c.delta, Unreserved(level));
  }
  if (after > limits::kMaxOnHand) {
    return Status::InvalidArgument("delta",
                                   "on_hand would exceed " + std::to_string(limits::kMaxOnHand));
  }
  Movement movement = draft.Move(c.key, c.delta, c.reason, c.reference);
  StockLevel final = draft.Final(c.key);
  return StockReply{c.key, final, std::move(movement), Shortfall(final)};
}

Result<ReplyOf<SetStock>> Apply(Draft& draft, const SetStock& c) {
  OMS_RETURN_IF_ERROR(RequireLocation(draft, c.key.location));
  StockLevel level = draft.Stock(c.key);
  OMS_RETURN_IF_ERROR(CheckExpected(c.key, c.expected_on_hand, level));
  std::optional<Movement> movement;
  int64_t delta = c.on_hand - level.on_hand;
  if (delta != 0) movement = draft.Move(c.key, delta, MovementReason::kCount, c.reference);
  StockLevel final = draft.Final(c.key);
  return StockReply{c.key, final, std::move(movement), Shortfall(final)};
}

Result<ReplyOf<TransferStock>> Apply(Draft& draft, const TransferStock& c) {
  OMS_RETURN_IF_ERROR(RequireLocation(draft, c.from));
  OMS_RETURN_IF_ERROR(RequireLocation(draft, c.to));
  StockKey from{c.sku, c.from};
  StockKey to{c.sku, c.to};
  StockLevel source = draft.Stock(from);
  if (Unreserved(source) < c.quantity) {
    return InsufficientStock(from, c.quantity, Unreserved(source));
  }
  if (draft.Stock(to).on_hand + c.quantity > limits::kMaxOnHand) {
    return Status::InvalidArgument("quantity", "on_hand at the destination would exceed " +
                                                   std::to_string(limits::kMaxOnHand));
  }
  std::string reference =
      c.reference.empty() ? "transfer " + c.from.str() + " -> " + c.to.str() : c.reference;
  Movement out = draft.Move(from, -c.quantity, MovementReason::kTransferOut, reference);
  Movement in = draft.Move(to, c.quantity, MovementReason::kTransferIn, reference);
  return TransferReply{from, draft.Final(from), to, draft.Final(to), std::move(out), std::move(in)};
}

Result<ReplyOf<SetSafetyStock>> Apply(Draft& draft, const SetSafetyStock& c) {
  OMS_RETURN_IF_ERROR(RequireLocation(draft, c.key.location));
  if (draft.Stock(c.key).safety_stock != c.safety_stock) {
    draft.MutableStock(c.key).safety_stock = c.safety_stock;
  }
  StockLevel final = draft.Final(c.key);
  return StockReply{c.key, final, std::nullopt, Shortfall(final)};
}

Result<ReplyOf<ImportStock>> Apply(Draft& draft, const ImportStock& c) {
  ImportReply reply;
  for (size_t i = 0; i < c.rows.size(); ++i) {
    const auto& row = c.rows[i];
    if (!draft.FindLocation(row.key.location)) {
      Status s = LocationNotFound(row.key.location);
      s.WithViolation("rows[" + std::to_string(i) + "].location_id", "does not exist");
      return s;
    }
    int64_t delta = row.on_hand - draft.Stock(row.key).on_hand;
    if (delta != 0) {
      draft.Move(row.key, delta, MovementReason::kCount, c.reference);
      ++reply.changed;
    }
    ++reply.rows;
  }
  return reply;
}

Result<Reply> ApplyCommand(Draft& draft, const Command& command, ApplyEnv& env) {
  return std::visit(
      [&](const auto& c) -> Result<Reply> {
        using C = std::decay_t<decltype(c)>;
        auto reply = [&] {
          if constexpr (requires { Apply(draft, c, env); }) {
            return Apply(draft, c, env);
          } else {
            return Apply(draft, c);
          }
        }();
        static_assert(std::is_same_v<decltype(reply), Result<ReplyOf<C>>>,
                      "Apply of a command returns its ReplyOf");
        if (!reply.ok()) return reply.status();
        return Reply(std::move(reply).value());
      },
      command);
}

}  // namespace oms

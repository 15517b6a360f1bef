// Pickup orders: every transition checks the current state, records history, appends an
// event, and moves the order's reservation along (held, shortened, sold or released).
#include <algorithm>
#include <optional>
#include <string>

#include "domain/apply.h"
#include "domain/assert.h"
#include "domain/limits.h"

namespace oms {
namespace {

OrderState ShownState(const Order& o, Timestamp now) {
  return o.OverdueAt(now) ? OrderState::kExpired : o.state;
}

Status InvalidState(const Order& o, Timestamp now, const std::string& action) {
  OrderState state = ShownState(o, now);
  Status s = Status::FailedPrecondition(
      reason::kInvalidOrderState,
      "order " + o.id.str() + " is " + OrderStateName(state) + "; cannot " + action);
  s.With("order_id", o.id.str()).With("state", OrderStateName(state));
  return s;
}

// A caller with a store scope acts only on orders picked up at one of its stores.
Status CheckScope(const CommandContext& context, const Order& o) {
  if (context.MayActAt(o.pickup_location)) return Status::Ok();
  return Status(Code::kPermissionDenied, context.actor + " may not act on order " + o.id.str() +
                                             ": it is picked up at " + o.pickup_location.str() +
                                             ", not at its stores");
}

// The order as it stands (live in memory, or final in storage), if the caller's scope covers
// it: checked before anything about its state is told. A failed read fails the command.
Result<Order> FindOrder(const Draft& draft, const OrderId& id, ApplyEnv& env) {
  std::optional<Order> found;
  if (const Order* o = draft.FindOrder(id)) {
    found = *o;
  } else {
    Result<std::optional<Order>> stored = env.store.FindOrder(id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return Status::NotFound("order " + id.str() + " does not exist");
    found = std::move(stored).value();
  }
  OMS_RETURN_IF_ERROR(CheckScope(draft.context(), *found));
  return *std::move(found);
}

// The order if it is in `from` (and not overdue), else INVALID_ORDER_STATE.
Result<Order> FindIn(const Draft& draft, const OrderId& id, ApplyEnv& env,
                     std::initializer_list<OrderState> from, const std::string& action) {
  Result<Order> o = FindOrder(draft, id, env);
  if (!o.ok()) return o;
  OrderState state = ShownState(*o, draft.now());
  if (std::find(from.begin(), from.end(), state) == from.end()) {
    return InvalidState(*o, draft.now(), action);
  }
  return o;
}

void Transition(Draft& draft, Order& o, OrderState to, std::string reason) {
  OrderState previous = o.state;
  o.state = to;
  o.history.push_back({to, draft.now(), draft.context().actor, std::move(reason)});
  o = draft.PutOrder(std::move(o));
  Event e;
  e.kind = EventKind::kOrder;
  e.subject = o.id.str();
  e.customer = o.customer.str();
  e.location = o.pickup_location;
  e.order = o;
  e.previous_order_state = previous;
  draft.AddEvent(std::move(e));
}

// An order's lines: what its reservation holds, all at the pickup store, so one per SKU.
std::vector<OrderLine> OrderLines(const std::vector<ReservationLine>& held) {
  std::vector<OrderLine> out;
  for (const auto& line : held) out.push_back({line.sku, line.quantity, line.quantity});
  return out;
}

// What an order holds: its lines and the reservation behind them.
struct Held {
  std::vector<OrderLine> lines;
  ReservationId reservation;
};

// Takes over the given reservation; its lines become the order's.
Result<Held> AdoptReservation(Draft& draft, const PlaceOrder& c, const OrderId& id, ApplyEnv& env) {
  Result<Reservation> r = TakeOver(draft, c.reservation, id, env);
  if (!r.ok()) return r.status();
  for (const auto& line : r->lines) {
    if (line.location != c.pickup_location) {
      return Status::InvalidArgument(
          "reservation_id", "holds units at " + line.location.str() + ", not at the pickup store");
    }
  }
  if (!c.lines.empty()) {
    std::vector<ReservationLine> asked;
    for (const auto& l : c.lines) AddLine(asked, {l.sku, c.pickup_location, l.quantity});
    if (asked != r->lines) {
      return Status::InvalidArgument("lines", "do not match the reservation's lines");
    }
  }
  return Held{OrderLines(r->lines), r->id};
}

Result<Held> ReserveAtStore(Draft& draft, const PlaceOrder& c, const OrderId& id, ApplyEnv& env) {
  CreateReservation hold;
  hold.channel = Channel::kBopis;
  hold.ttl = limits::kMaxTtl;  // unused: the order decides the end
  hold.reference = id.str();
  for (const auto& l : c.lines) hold.lines.push_back({l.sku, c.pickup_location, l.quantity});
  Result<ReservationReply> reserved = Reserve(draft, hold, id, env);
  if (!reserved.ok()) return reserved.status();
  return Held{OrderLines(reserved->reservation.lines), reserved->reservation.id};
}

}  // namespace

const char* OrderStateName(OrderState state) {
  switch (state) {
    case OrderState::kPlaced:
      return "PLACED";
    case OrderState::kPicking:
      return "PICKING";
    case OrderState::kReadyForPickup:
      return "READY_FOR_PICKUP";
    case OrderState::kPickedUp:
      return "PICKED_UP";
    case OrderState::kCancelled:
      return "CANCELLED";
    case OrderState::kExpired:
      return "EXPIRED";
  }
  return "?";
}

Result<ReplyOf<PlaceOrder>> Apply(Draft& draft, const PlaceOrder& c, ApplyEnv& env) {
  OMS_RETURN_IF_ERROR(
      CheckFulfilment(draft.FindLocation(c.pickup_location), c.pickup_location, Channel::kBopis));
  Order o;
  o.id = OrderId(env.ids.NewId("ord"));
  Result<Held> held = c.reservation.empty() ? ReserveAtStore(draft, c, o.id, env)
                                            : AdoptReservation(draft, c, o.id, env);
  if (!held.ok()) return held.status();
  o.customer = c.customer;
  o.pickup_location = c.pickup_location;
  o.lines = std::move(held->lines);
  o.reservation = held->reservation;
  o.pickup_code = env.ids.NewPickupCode();
  o.hold = c.hold.value_or(env.pickup_hold);
  o.created_at = draft.now();
  o.state = OrderState::kPlaced;
  Transition(draft, o, OrderState::kPlaced, "");
  return OrderReply{std::move(o)};
}

Result<ReplyOf<StartPicking>> Apply(Draft& draft, const StartPicking& c, ApplyEnv& env) {
  Result<Order> o = FindIn(draft, c.id, env, {OrderState::kPlaced}, "start picking");
  if (!o.ok()) return o.status();
  Transition(draft, *o, OrderState::kPicking, "");
  return OrderReply{std::move(o).value()};
}

Result<ReplyOf<MarkReady>> Apply(Draft& draft, const MarkReady& c, ApplyEnv& env) {
  Result<Order> found = FindIn(draft, c.id, env, {OrderState::kPicking}, "mark it ready");
  if (!found.ok()) return found.status();
  Order o = std::move(found).value();
  std::vector<int64_t> keep(o.lines.size());
  for (size_t i = 0; i < o.lines.size(); ++i) keep[i] = o.lines[i].quantity;
  std::vector<bool> seen(o.lines.size(), false);
  for (size_t p = 0; p < c.picked.size(); ++p) {
    std::string field = "picked[" + std::to_string(p) + "]";
    auto it = std::find_if(o.lines.begin(), o.lines.end(),
                           [&](const OrderLine& l) { return l.sku == c.picked[p].sku; });
    if (it == o.lines.end()) return Status::InvalidArgument(field + ".sku", "is not in the order");
    size_t i = static_cast<size_t>(it - o.lines.begin());
    if (seen[i]) return Status::InvalidArgument(field + ".sku", "is listed twice");
    seen[i] = true;
    if (c.picked[p].quantity > it->quantity) {
      return Status::InvalidArgument(
          field + ".quantity", "exceeds the " + std::to_string(it->quantity) + " units ordered");
    }
    keep[i] = c.picked[p].quantity;
  }
  bool any = std::any_of(keep.begin(), keep.end(), [](int64_t q) { return q > 0; });
  if (!any)
    return Status::InvalidArgument("picked", "nothing was picked; cancel the order instead");
  bool short_pick = false;
  for (size_t i = 0; i < o.lines.size(); ++i) {
    if (keep[i] == o.lines[i].quantity) continue;
    ShortenHeld(draft, o.reservation, o.lines[i].sku, keep[i]);
    o.lines[i].quantity = keep[i];
    short_pick = true;
  }
  o.ready_at = draft.now();
  o.pickup_deadline = draft.now() + o.hold;
  Transition(draft, o, OrderState::kReadyForPickup, short_pick ? "short pick" : "");
  return OrderReply{std::move(o)};
}

namespace {

bool SameCode(const std::string& a, const std::string& b) {
  // Constant time in the length of the stored code: no early exit on the first mismatch.
  unsigned diff = a.size() != b.size();
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(i < b.size() ? b[i] : 0);
  }
  return diff == 0;
}

}  // namespace

Result<ReplyOf<ConfirmPickup>> Apply(Draft& draft, const ConfirmPickup& c, ApplyEnv& env) {
  Result<Order> found = FindIn(draft, c.id, env, {OrderState::kReadyForPickup}, "confirm pickup");
  if (!found.ok()) return found.status();
  Order o = std::move(found).value();
  if (!c.staff_override) {
    if (o.failed_pickup_attempts >= limits::kMaxPickupAttempts) {
      Status s = Status::FailedPrecondition(
          reason::kPickupAttemptsExceeded,
          "too many wrong pickup codes for order " + o.id.str() + "; staff must confirm");
      s.With("order_id", o.id.str());
      return s;
    }
    if (!SameCode(o.pickup_code, c.pickup_code)) {
      ++o.failed_pickup_attempts;
      o = draft.PutOrder(std::move(o));
      Status s = Status::FailedPrecondition(reason::kPickupCodeMismatch,
                                            "wrong pickup code for order " + o.id.str());
      s.With("order_id", o.id.str())
          .With("attempts_left",
                std::to_string(limits::kMaxPickupAttempts - o.failed_pickup_attempts));
      draft.Reject(std::move(s));
      return OrderReply{std::move(o)};
    }
  }
  Result<std::vector<Movement>> sold = CommitHeld(draft, o.reservation, o.id.str());
  if (!sold.ok()) return sold.status();
  Transition(draft, o, OrderState::kPickedUp, c.staff_override ? "staff override" : "");
  return OrderReply{std::move(o)};
}

Result<ReplyOf<CancelOrder>> Apply(Draft& draft, const CancelOrder& c, ApplyEnv& env) {
  Result<Order> found =
      FindIn(draft, c.id, env,
             {OrderState::kPlaced, OrderState::kPicking, OrderState::kReadyForPickup}, "cancel it");
  if (!found.ok()) return found.status();
  Order o = std::move(found).value();
  std::string reason = c.reason.empty() ? "cancelled" : c.reason;
  EndHeld(draft, o.reservation, ReservationState::kReleased, "order cancelled: " + reason);
  Transition(draft, o, OrderState::kCancelled, reason);
  return OrderReply{std::move(o)};
}

Result<ReplyOf<ExpireOrder>> Apply(Draft& draft, const ExpireOrder& c, ApplyEnv& /*env*/) {
  const Order* found = draft.FindOrder(c.id);
  OMS_ASSERT(found && found->state == OrderState::kReadyForPickup);
  Order o = *found;
  EndHeld(draft, o.reservation, ReservationState::kExpired, "order not collected");
  Transition(draft, o, OrderState::kExpired, "not collected by the pickup deadline");
  return OrderReply{std::move(o)};
}

}  // namespace oms

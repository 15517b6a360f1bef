// Returns: units of a sale come back at any active location. The receiving location's stock
// changes, never the selling one's, in the same step as the return is recorded; per SKU a
// sale's returns never add up to more than it sold.
#include <map>
#include <optional>
#include <string>

#include "domain/apply.h"

namespace oms {
namespace {

// What one sale sold and has had returned so far, per SKU, and whose sale it was.
struct Sale {
  std::string source;  // the order or reservation id
  CustomerId customer;
  std::map<Sku, int64_t> sold;
  std::map<Sku, int64_t> returned;
  std::optional<Order> order;  // the order, for its WatchOrders event
};

Status ReturnExceeded(const Sku& sku, const std::string& source, int64_t sold, int64_t returned,
                      int64_t requested) {
  std::string message = sold == 0
                            ? sku.str() + " was not sold by " + source
                            : "returning " + std::to_string(requested) + " of " + sku.str() +
                                  " from " + source + " would exceed the " + std::to_string(sold) +
                                  " sold (" + std::to_string(returned) + " returned already)";
  Status s = Status::FailedPrecondition(reason::kReturnQuantityExceeded, std::move(message));
  s.With("sku", sku.str())
      .With("sold", std::to_string(sold))
      .With("returned", std::to_string(returned))
      .With("requested", std::to_string(requested));
  return s;
}

Result<Sale> SoldByOrder(const Draft& draft, const CreateReturn& c, ApplyEnv& env) {
  std::optional<Order> found;
  if (const Order* live = draft.FindOrder(c.order_id)) {
    found = *live;
  } else {
    Result<std::optional<Order>> stored = env.store.FindOrder(c.order_id);
    if (!stored.ok()) return stored.status();
    found = std::move(stored).value();
  }
  if (!found) return Status::NotFound("order " + c.order_id.str() + " does not exist");
  if (found->state != OrderState::kPickedUp) {
    OrderState shown = found->OverdueAt(draft.now()) ? OrderState::kExpired : found->state;
    Status s = Status::FailedPrecondition(
        reason::kInvalidOrderState, "order " + found->id.str() + " is " + OrderStateName(shown) +
                                        "; only a PICKED_UP order's units can be returned");
    s.With("order_id", found->id.str()).With("state", OrderStateName(shown));
    return s;
  }
  if (!c.customer.empty() && c.customer != found->customer) {
    return Status::InvalidArgument(
        "customer_id", "is not the customer of order " + found->id.str() + "; leave it empty");
  }
  // A stored order comes with each line's returned units: no second read for them.
  Sale sale{found->id.str(), found->customer, {}, {}, found};
  for (const auto& line : found->lines) {
    sale.sold[line.sku] += line.quantity;
    sale.returned[line.sku] += line.returned;
  }
  return sale;
}

Result<Sale> SoldByReservation(const Draft& draft, const CreateReturn& c, ApplyEnv& env) {
  std::optional<Reservation> found;
  if (const Reservation* active = draft.FindReservation(c.reservation_id)) {
    found = *active;
  } else {
    Result<std::optional<Reservation>> stored = env.store.FindReservation(c.reservation_id);
    if (!stored.ok()) return stored.status();
    found = std::move(stored).value();
  }
  if (!found) return Status::NotFound("reservation " + c.reservation_id.str() + " does not exist");
  if (!found->order_id.empty()) {
    // The order is the sale: returning through both would count its units twice.
    return Status::InvalidArgument(
        "reservation_id",
        "holds the units of order " + found->order_id.str() + "; return against order_id instead");
  }
  if (found->state != ReservationState::kCommitted) {
    ReservationState shown =
        found->OverdueAt(draft.now()) ? ReservationState::kExpired : found->state;
    Status s = Status::FailedPrecondition(
        reason::kReservationNotCommitted,
        "reservation " + found->id.str() + " is " + ReservationStateName(shown) +
            "; only a COMMITTED reservation's units can be returned");
    s.With("reservation_id", found->id.str()).With("state", ReservationStateName(shown));
    return s;
  }
  Sale sale{found->id.str(), c.customer, {}, {}, std::nullopt};
  for (const auto& line : found->lines) sale.sold[line.sku] += line.quantity;
  Result<std::vector<ReturnedUnits>> returned = env.store.FindReturned(sale.source);
  if (!returned.ok()) return returned.status();
  for (const auto& units : *returned) sale.returned[units.sku] = units.quantity;
  return sale;
}

// Adds `add` to the line of its (sku, disposition), or appends it.
void AddReturnLine(std::vector<ReturnLine>& lines, const ReturnedLine& add) {
  for (auto& line : lines) {
    if (line.sku == add.sku && line.disposition == add.disposition) {
      line.quantity += add.quantity;
      return;
    }
  }
  lines.push_back({add.sku, add.quantity, add.disposition, 0, 0, 0});
}

std::string Summary(const std::vector<ReturnedLine>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += ", ";
    out += std::to_string(l.quantity) + " " + l.sku.str() + " " + DispositionName(l.disposition);
  }
  return out;
}

void Record(Return& r, ReturnState state, const Draft& draft, std::string note) {
  r.state = state;
  r.history.push_back({state, draft.now(), draft.context().actor, std::move(note)});
}

// The WatchOrders event of an order whose units came back: the order with its lines'
// returned units as they now stand.
void AddOrderEvent(Draft& draft, Order order, const Return& r) {
  for (auto& line : order.lines) {
    for (const auto& l : r.lines) {
      if (l.sku == line.sku) line.returned += l.quantity;
    }
  }
  Event e;
  e.kind = EventKind::kOrder;
  e.subject = order.id.str();
  e.customer = order.customer.str();
  e.location = order.pickup_location;
  e.previous_order_state = order.state;
  e.return_id = r.id;
  e.order = std::move(order);
  draft.AddEvent(std::move(e));
}

Status OutOfScope(const CommandContext& context, const LocationId& location,
                  const std::string& what) {
  return Status(Code::kPermissionDenied, context.actor + " may not " + what + " at " +
                                             location.str() + ": it is not one of its stores");
}

}  // namespace

const char* ReturnStateName(ReturnState state) {
  switch (state) {
    case ReturnState::kOpen:
      return "OPEN";
    case ReturnState::kCompleted:
      return "COMPLETED";
  }
  return "?";
}

const char* DispositionName(Disposition disposition) {
  switch (disposition) {
    case Disposition::kRestock:
      return "RESTOCK";
    case Disposition::kDamaged:
      return "DAMAGED";
    case Disposition::kInspect:
      return "INSPECT";
  }
  return "?";
}

Result<ReplyOf<CreateReturn>> Apply(Draft& draft, const CreateReturn& c, ApplyEnv& env) {
  if (!draft.context().MayActAt(c.location)) {
    return OutOfScope(draft.context(), c.location, "take a return");
  }
  const Location* location = draft.FindLocation(c.location);
  if (!location) return Status::NotFound("location " + c.location.str() + " does not exist");
  if (!location->active) {
    Status s = Status::FailedPrecondition(
        reason::kLocationInactive,
        "location " + c.location.str() + " is inactive; it takes no returns");
    s.With("location", c.location.str());
    return s;
  }
  Result<Sale> sale =
      c.order_id.empty() ? SoldByReservation(draft, c, env) : SoldByOrder(draft, c, env);
  if (!sale.ok()) return sale.status();

  std::map<Sku, int64_t> asked;
  for (const auto& l : c.lines) asked[l.sku] += l.quantity;
  for (const auto& l : c.lines) {
    auto it = asked.find(l.sku);
    if (it == asked.end()) continue;  // checked at its first line
    int64_t before = sale->returned.count(l.sku) ? sale->returned.at(l.sku) : 0;
    int64_t sold = sale->sold.count(l.sku) ? sale->sold.at(l.sku) : 0;
    if (before + it->second > sold) {
      return ReturnExceeded(l.sku, sale->source, sold, before, it->second);
    }
    asked.erase(it);
  }

  Return r;
  r.id = ReturnId(env.ids.NewId("ret"));
  r.order_id = c.order_id;
  r.reservation_id = c.reservation_id;
  r.customer = sale->customer;
  r.location = c.location;
  r.reason = c.reason;
  r.reference = c.reference;
  r.created_at = draft.now();
  for (const auto& l : c.lines) AddReturnLine(r.lines, l);

  ReturnReply reply;
  for (auto& line : r.lines) {
    StockKey key{line.sku, r.location};
    switch (line.disposition) {
      case Disposition::kRestock:
        line.restocked = line.quantity;
        reply.movements.push_back(
            draft.Move(key, line.quantity, MovementReason::kReturned, r.id.str()));
        break;
      case Disposition::kInspect:
        line.quarantined = line.quantity;
        draft.MutableStock(key).quarantined += line.quantity;
        break;
      case Disposition::kDamaged:
        line.written_off = line.quantity;
        break;
    }
  }
  std::string note = "returned " + Summary(c.lines) + " from " + sale->source;
  if (!c.reason.empty()) note += ": " + c.reason;
  Record(r, r.Quarantined() > 0 ? ReturnState::kOpen : ReturnState::kCompleted, draft,
         std::move(note));
  reply.ret = draft.PutReturn(std::move(r), 0);
  if (sale->order) AddOrderEvent(draft, *std::move(sale->order), reply.ret);
  return reply;
}

Result<ReplyOf<ResolveReturn>> Apply(Draft& draft, const ResolveReturn& c, ApplyEnv& env) {
  Result<std::optional<Return>> found = env.store.FindReturn(c.id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::NotFound("return " + c.id.str() + " does not exist");
  Return r = std::move(found).value().value();
  if (!draft.context().MayActAt(r.location)) {
    return OutOfScope(draft.context(), r.location, "resolve return " + r.id.str());
  }
  size_t stored_history = r.history.size();

  // All or nothing: check every SKU's total against its quarantined units first.
  std::map<Sku, int64_t> asked;
  for (const auto& l : c.lines) asked[l.sku] += l.quantity;
  for (const auto& [sku, quantity] : asked) {
    int64_t quarantined = 0;
    for (const auto& line : r.lines) {
      if (line.sku == sku) quarantined += line.quarantined;
    }
    if (quantity > quarantined) {
      Status s = Status::FailedPrecondition(
          reason::kReturnQuantityExceeded,
          "return " + r.id.str() + " holds " + std::to_string(quarantined) + " of " + sku.str() +
              " in quarantine; cannot resolve " + std::to_string(quantity));
      s.With("sku", sku.str())
          .With("quarantined", std::to_string(quarantined))
          .With("requested", std::to_string(quantity));
      return s;
    }
  }

  ReturnReply reply;
  for (const auto& l : c.lines) {
    int64_t left = l.quantity;
    for (auto& line : r.lines) {
      if (line.sku != l.sku || line.quarantined == 0 || left == 0) continue;
      int64_t q = std::min(left, line.quarantined);
      left -= q;
      line.quarantined -= q;
      StockKey key{line.sku, r.location};
      draft.MutableStock(key).quarantined -= q;
      if (l.disposition == Disposition::kRestock) {
        line.restocked += q;
        reply.movements.push_back(draft.Move(key, q, MovementReason::kReturned, r.id.str()));
      } else {
        line.written_off += q;
      }
    }
  }
  Record(r, r.Quarantined() > 0 ? ReturnState::kOpen : ReturnState::kCompleted, draft,
         "resolved " + Summary(c.lines));
  reply.ret = draft.PutReturn(std::move(r), stored_history);
  return reply;
}

}  // namespace oms

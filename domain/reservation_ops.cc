// Reservations: create (with allocation inside a group), extend, release, commit, expire.
// Every path that frees or sells units adjusts `reserved` by exactly the line quantities, so
// reserved always equals the sum of active reservation lines.
#include <algorithm>
#include <optional>
#include <string>

#include "domain/apply.h"
#include "domain/assert.h"

namespace oms {
namespace {

constexpr char kDefaultGroup[] = "online";

Status NotActive(const Reservation& r, Timestamp now) {
  ReservationState state = r.OverdueAt(now) ? ReservationState::kExpired : r.state;
  Status s = Status::FailedPrecondition(
      reason::kReservationNotActive,
      "reservation " + r.id.str() + " is " + ReservationStateName(state) + ", not ACTIVE");
  s.With("reservation_id", r.id.str()).With("state", ReservationStateName(state));
  return s;
}

Status HeldByOrder(const Reservation& r) {
  Status s = Status::FailedPrecondition(reason::kReservationNotActive,
                                        "reservation " + r.id.str() + " is held by order " +
                                            r.order_id.str() + "; act on the order instead");
  s.With("reservation_id", r.id.str()).With("order_id", r.order_id.str());
  return s;
}

// A caller with a store scope acts only on reservations whose every line is in it.
Status CheckScope(const CommandContext& context, const Reservation& r) {
  if (!context.scope) return Status::Ok();
  for (const auto& line : r.lines) {
    if (!context.MayActAt(line.location)) {
      return Status(Code::kPermissionDenied, context.actor + " may not act on reservation " +
                                                 r.id.str() + ": it holds units at " +
                                                 line.location.str() + ", not at its stores");
    }
  }
  if (r.lines.empty()) {
    return Status(Code::kPermissionDenied, context.actor + " may not act on reservation " +
                                               r.id.str() + ": it holds nothing");
  }
  return Status::Ok();
}

// The reservation a command may act on: it exists, the caller's scope covers it (checked
// before anything about its state is told), it is active, not overdue, and no order holds it.
Result<Reservation> FindActive(const Draft& draft, const ReservationId& id, ApplyEnv& env) {
  const Reservation* active = draft.FindReservation(id);
  std::optional<Reservation> ended;
  if (!active) {
    // Not in memory, so not active: it ended earlier. A failed read fails the command.
    Result<std::optional<Reservation>> stored = env.store.FindReservation(id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      return Status::NotFound("reservation " + id.str() + " does not exist");
    }
    ended = std::move(stored).value();
  }
  const Reservation& r = active ? *active : *ended;
  OMS_RETURN_IF_ERROR(CheckScope(draft.context(), r));
  if (ended || !r.active() || r.OverdueAt(draft.now())) return NotActive(r, draft.now());
  if (!r.order_id.empty()) return HeldByOrder(r);
  return r;
}

void AddEvent(Draft& draft, const Reservation& r, ReservationState previous) {
  Event e;
  e.kind = EventKind::kReservation;
  e.subject = r.id.str();
  e.reservation = r;
  e.previous_state = previous;
  draft.AddEvent(std::move(e));
}

void Hold(Draft& draft, const StockKey& key, int64_t quantity) {
  draft.MutableStock(key).reserved += quantity;
}

void Unhold(Draft& draft, const StockKey& key, int64_t quantity) {
  StockLevel& level = draft.MutableStock(key);
  level.reserved -= quantity;
  OMS_ASSERT(level.reserved >= 0);
}

// Fills `needs` inside the candidates by the rule documented in reservation_service.proto.
// Short needs are left in `needs` with their remaining quantity.
void Allocate(Draft& draft, const std::vector<const Location*>& candidates,
              std::vector<ReservationLine>& needs, Channel channel,
              std::vector<ReservationLine>& lines) {
  // avail[c][n]: ATP of need n at candidate c, as this command sees it.
  std::vector<std::vector<int64_t>> avail(candidates.size(), std::vector<int64_t>(needs.size()));
  for (size_t c = 0; c < candidates.size(); ++c) {
    for (size_t n = 0; n < needs.size(); ++n) {
      avail[c][n] = Atp(draft.Stock({needs[n].sku, candidates[c]->id}), channel);
    }
  }
  auto take = [&](size_t c) {
    for (size_t n = 0; n < needs.size(); ++n) {
      int64_t q = std::min(needs[n].quantity, avail[c][n]);
      if (q <= 0) continue;
      Hold(draft, {needs[n].sku, candidates[c]->id}, q);
      AddLine(lines, {needs[n].sku, candidates[c]->id, q});
      needs[n].quantity -= q;
      avail[c][n] -= q;
    }
  };
  // 1. One location for everything, the one with the most ATP for these SKUs.
  int best = -1;
  int64_t best_total = -1;
  for (size_t c = 0; c < candidates.size(); ++c) {
    int64_t total = 0;
    bool fills = true;
    for (size_t n = 0; n < needs.size() && fills; ++n) {
      fills = avail[c][n] >= needs[n].quantity;
      total += avail[c][n];
    }
    if (fills && total > best_total) best = static_cast<int>(c), best_total = total;
  }
  if (best >= 0) return take(static_cast<size_t>(best));
  // 2. Fewest locations, greedily by units covered. A chosen location is exhausted for
  // every need it could not fill, so each is chosen at most once.
  for (;;) {
    int pick = -1;
    int64_t pick_covered = 0;
    for (size_t c = 0; c < candidates.size(); ++c) {
      int64_t covered = 0;
      for (size_t n = 0; n < needs.size(); ++n) covered += std::min(needs[n].quantity, avail[c][n]);
      if (covered > pick_covered) pick = static_cast<int>(c), pick_covered = covered;
    }
    if (pick < 0) return;
    take(static_cast<size_t>(pick));
  }
}

Result<std::vector<const Location*>> GroupCandidates(const Draft& draft, const GroupId& id,
                                                     Channel channel) {
  const LocationGroup* group = draft.state().FindGroup(id);
  if (!group) {
    return Status::NotFound("location group " + id.str() +
                            " does not exist (create it with UpsertLocationGroup)");
  }
  std::vector<const Location*> out;
  for (const auto& member : group->members) {
    const Location* l = draft.FindLocation(member);
    if (l && Fulfils(*l, channel)) out.push_back(l);
  }
  return out;
}

// Located lines: summed per (sku, location), checked at that location.
Status HoldLocated(Draft& draft, const CreateReservation& c, std::vector<ReservationLine>& lines,
                   std::vector<UnfilledLine>& unfilled) {
  std::vector<ReservationLine> merged;
  for (const auto& l : c.lines) {
    if (!l.location.empty()) AddLine(merged, {l.sku, l.location, l.quantity});
  }
  for (const auto& want : merged) {
    OMS_RETURN_IF_ERROR(
        CheckFulfilment(draft.FindLocation(want.location), want.location, c.channel));
    StockKey key{want.sku, want.location};
    int64_t available = Atp(draft.Stock(key), c.channel);
    int64_t q = std::min(want.quantity, available);
    if (q > 0) {
      Hold(draft, key, q);
      AddLine(lines, {want.sku, want.location, q});
    }
    if (q < want.quantity && c.promise_by) {
      q += PegFuture(draft, {want.location}, want.sku, want.quantity - q, *c.promise_by, c.channel,
                     lines);
    }
    if (q < want.quantity) {
      if (!c.allow_partial) return InsufficientStock(key, want.quantity, q);
      unfilled.push_back({want.sku, want.location, want.quantity, q});
    }
  }
  return Status::Ok();
}

Status HoldInGroup(Draft& draft, const CreateReservation& c, std::vector<ReservationLine>& lines,
                   std::vector<UnfilledLine>& unfilled) {
  std::vector<ReservationLine> needs;  // per SKU, location to be chosen
  for (const auto& l : c.lines) {
    if (l.location.empty()) AddLine(needs, {l.sku, LocationId(), l.quantity});
  }
  if (needs.empty()) return Status::Ok();
  GroupId group = c.group.empty() ? GroupId(kDefaultGroup) : c.group;
  Result<std::vector<const Location*>> candidates = GroupCandidates(draft, group, c.channel);
  if (!candidates.ok()) return candidates.status();
  std::vector<ReservationLine> requested = needs;
  Allocate(draft, *candidates, needs, c.channel, lines);
  if (c.promise_by) {
    std::vector<LocationId> ids;
    for (const Location* l : *candidates) ids.push_back(l->id);
    for (auto& need : needs) {
      if (need.quantity == 0) continue;
      need.quantity -=
          PegFuture(draft, ids, need.sku, need.quantity, *c.promise_by, c.channel, lines);
    }
  }
  for (size_t n = 0; n < needs.size(); ++n) {
    if (needs[n].quantity == 0) continue;
    int64_t got = requested[n].quantity - needs[n].quantity;
    if (!c.allow_partial) {
      return InsufficientStock({needs[n].sku, LocationId("group:" + group.str())},
                               requested[n].quantity, got);
    }
    unfilled.push_back({needs[n].sku, LocationId(), requested[n].quantity, got});
  }
  return Status::Ok();
}

// Ends an active reservation: gives back every held unit and records the end state.
Reservation End(Draft& draft, Reservation r, ReservationState state, std::string reason) {
  for (const auto& line : r.lines) {
    if (line.future()) {
      Unpeg(draft, line);
    } else {
      Unhold(draft, {line.sku, line.location}, line.quantity);
    }
  }
  ReservationState previous = r.state;
  r.state = state;
  r.end_reason = std::move(reason);
  Reservation ended = draft.PutReservation(std::move(r));
  AddEvent(draft, ended, previous);
  return ended;
}

Status PreorderNotReceived(const Reservation& r, const ReservationLine& line) {
  Status s = Status::FailedPrecondition(
      reason::kPreorderNotReceived,
      "reservation " + r.id.str() + " holds " + std::to_string(line.quantity) + " of " +
          line.sku.str() + " at " + line.location.str() +
          (line.at_risk ? " at risk (its inbound fell through)"
                        : " against inbound " + line.inbound.str() + ", not yet received") +
          "; sell the other lines, or wait for the receipt");
  s.With("reservation_id", r.id.str()).With("sku", line.sku.str());
  s.With("location", line.location.str()).With("inbound_id", line.inbound.str());
  return s;
}

// Units to commit per reservation line; empty request: everything. Future holds cannot be
// sold before their units arrive.
Result<std::vector<int64_t>> CommitQuantities(const Reservation& r,
                                              const std::vector<RequestedLine>& wanted) {
  std::vector<int64_t> q(r.lines.size(), 0);
  if (wanted.empty()) {
    for (size_t i = 0; i < r.lines.size(); ++i) {
      if (r.lines[i].future()) return PreorderNotReceived(r, r.lines[i]);
      q[i] = r.lines[i].quantity;
    }
    return q;
  }
  for (size_t w = 0; w < wanted.size(); ++w) {
    std::string field = "lines[" + std::to_string(w) + "]";
    int match = -1;
    const ReservationLine* future = nullptr;
    for (size_t i = 0; i < r.lines.size(); ++i) {
      if (r.lines[i].sku != wanted[w].sku) continue;
      if (!wanted[w].location.empty() && r.lines[i].location != wanted[w].location) continue;
      if (r.lines[i].future()) {
        future = &r.lines[i];
        continue;
      }
      if (match >= 0) {
        return Status::InvalidArgument(field + ".location_id",
                                       "the SKU is held at several locations; name one");
      }
      match = static_cast<int>(i);
    }
    if (match < 0 && future) return PreorderNotReceived(r, *future);
    if (match < 0) return Status::InvalidArgument(field + ".sku", "is not held by the reservation");
    q[match] += wanted[w].quantity;
    if (q[match] > r.lines[match].quantity) {
      return Status::InvalidArgument(
          field + ".quantity",
          "exceeds the " + std::to_string(r.lines[match].quantity) + " units reserved");
    }
  }
  return q;
}

// The sale: sells quantities[i] units of each line, gives the rest back to ATP, and ends the
// reservation COMMITTED with the sold lines. SOLD movements carry `reference`.
Result<ReservationReply> Sell(Draft& draft, Reservation r, const std::vector<int64_t>& quantities,
                              const std::string& reference) {
  ReservationReply reply;
  std::vector<ReservationLine> sold;
  for (size_t i = 0; i < r.lines.size(); ++i) {
    const ReservationLine& line = r.lines[i];
    if (line.future()) {  // not asked for (CommitQuantities): given back with the rest
      Unpeg(draft, line);
      continue;
    }
    StockKey key{line.sku, line.location};
    int64_t q = quantities[i];
    // A CORRECTION may have left fewer units on hand than reserved.
    if (draft.Stock(key).on_hand < q) return InsufficientStock(key, q, draft.Stock(key).on_hand);
    Unhold(draft, key, line.quantity);
    if (q == 0) continue;
    reply.movements.push_back(draft.Move(key, -q, MovementReason::kSold, reference));
    sold.push_back({line.sku, line.location, q});
  }
  r.lines = std::move(sold);
  r.state = ReservationState::kCommitted;
  r.end_reason = "committed";
  reply.reservation = draft.PutReservation(std::move(r));
  AddEvent(draft, reply.reservation, ReservationState::kActive);
  return reply;
}

}  // namespace

const char* ReservationStateName(ReservationState state) {
  switch (state) {
    case ReservationState::kActive:
      return "ACTIVE";
    case ReservationState::kCommitted:
      return "COMMITTED";
    case ReservationState::kReleased:
      return "RELEASED";
    case ReservationState::kExpired:
      return "EXPIRED";
  }
  return "?";
}

void AddLine(std::vector<ReservationLine>& lines, const ReservationLine& add) {
  for (auto& line : lines) {
    if (line.sku == add.sku && line.location == add.location && line.inbound == add.inbound &&
        line.at_risk == add.at_risk) {
      line.quantity += add.quantity;
      return;
    }
  }
  lines.push_back(add);
}

Status CheckFulfilment(const Location* location, const LocationId& id, Channel channel) {
  if (!location) return Status::NotFound("location " + id.str() + " does not exist");
  if (!location->active) {
    Status s = Status::FailedPrecondition(reason::kLocationInactive,
                                          "location " + id.str() + " is inactive");
    s.With("location", id.str());
    return s;
  }
  if (!Fulfils(*location, channel)) {
    const char* what = channel == Channel::kBopis ? "pickup" : "shipping";
    Status s = Status::FailedPrecondition(reason::kFulfilmentNotAllowed,
                                          "location " + id.str() + " does not allow " + what);
    s.With("location", id.str()).With("channel", ChannelName(channel));
    return s;
  }
  return Status::Ok();
}

Result<ReservationReply> Reserve(Draft& draft, const CreateReservation& c, const OrderId& holder,
                                 ApplyEnv& env) {
  if (c.promise_by) {
    if (*c.promise_by <= draft.now()) {
      return Status::InvalidArgument("promise_by", "must be in the future");
    }
    if (*c.promise_by > draft.now() + limits::kMaxPreorderTtl) {
      return Status::InvalidArgument(
          "promise_by",
          "must be within " + std::to_string(limits::kMaxPreorderTtl.count() / 86400) + " days");
    }
  } else if (c.ttl > limits::kMaxTtl) {
    return Status::InvalidArgument(
        "ttl", "must be at most " + std::to_string(limits::kMaxTtl.count()) + " s (up to " +
                   std::to_string(limits::kMaxPreorderTtl.count()) +
                   " s for a preorder, with promise_by)");
  }
  ReservationReply reply;
  Reservation& r = reply.reservation;
  OMS_RETURN_IF_ERROR(HoldLocated(draft, c, r.lines, reply.unfilled));
  OMS_RETURN_IF_ERROR(HoldInGroup(draft, c, r.lines, reply.unfilled));
  if (r.lines.empty()) {
    const UnfilledLine& u = reply.unfilled.front();
    return InsufficientStock({u.sku, u.location}, u.requested, 0);
  }
  r.id = ReservationId(env.ids.NewId("res"));
  r.state = ReservationState::kActive;
  r.channel = c.channel;
  r.reference = c.reference;
  r.order_id = holder;
  r.created_at = draft.now();
  r.expires_at = draft.now() + c.ttl;
  r.promise_by = c.promise_by;
  r = draft.PutReservation(std::move(r));
  AddEvent(draft, r, ReservationState::kActive);
  return reply;
}

Result<ReplyOf<CreateReservation>> Apply(Draft& draft, const CreateReservation& c, ApplyEnv& env) {
  return Reserve(draft, c, OrderId(), env);
}

Result<Reservation> TakeOver(Draft& draft, const ReservationId& id, const OrderId& holder,
                             ApplyEnv& env) {
  Result<Reservation> r = FindActive(draft, id, env);
  if (!r.ok()) return r.status();
  for (const auto& line : r->lines) {
    // An order is picked from the shelf: every unit must be there.
    if (line.future()) return PreorderNotReceived(*r, line);
  }
  r->order_id = holder;
  Reservation held = draft.PutReservation(std::move(r).value());
  AddEvent(draft, held, ReservationState::kActive);
  return held;
}

void EndHeld(Draft& draft, const ReservationId& id, ReservationState state, std::string reason) {
  const Reservation* r = draft.FindReservation(id);
  OMS_ASSERT(r && r->active());
  End(draft, *r, state, std::move(reason));
}

Result<std::vector<Movement>> CommitHeld(Draft& draft, const ReservationId& id,
                                         const std::string& reference) {
  const Reservation* found = draft.FindReservation(id);
  OMS_ASSERT(found && found->active());
  Result<std::vector<int64_t>> everything = CommitQuantities(*found, {});
  OMS_ASSERT(everything.ok());
  Result<ReservationReply> sold = Sell(draft, *found, *everything, reference);
  if (!sold.ok()) return sold.status();
  return std::move(sold->movements);
}

void ShortenHeld(Draft& draft, const ReservationId& id, const Sku& sku, int64_t keep) {
  const Reservation* found = draft.FindReservation(id);
  OMS_ASSERT(found && found->active());
  Reservation r = *found;
  std::vector<ReservationLine> lines;
  for (auto& line : r.lines) {
    if (line.sku == sku) {
      // A pickup reservation holds each SKU at the pickup store only, in one line.
      int64_t release = line.quantity - keep;
      OMS_ASSERT(release >= 0);
      Unhold(draft, {line.sku, line.location}, release);
      line.quantity = keep;
    }
    if (line.quantity > 0) lines.push_back(line);
  }
  r.lines = std::move(lines);
  AddEvent(draft, draft.PutReservation(std::move(r)), ReservationState::kActive);
}

Result<ReplyOf<ExtendReservation>> Apply(Draft& draft, const ExtendReservation& c, ApplyEnv& env) {
  Result<Reservation> r = FindActive(draft, c.id, env);
  if (!r.ok()) return r.status();
  if (c.ttl > limits::kMaxTtl && !r->promise_by) {
    return Status::InvalidArgument("ttl", "must be at most " +
                                              std::to_string(limits::kMaxTtl.count()) +
                                              " s: only a preorder may be held longer");
  }
  r->expires_at = draft.now() + c.ttl;
  Reservation extended = draft.PutReservation(std::move(r).value());
  AddEvent(draft, extended, ReservationState::kActive);
  return ReservationReply{std::move(extended), {}, {}};
}

Result<ReplyOf<ReleaseReservation>> Apply(Draft& draft, const ReleaseReservation& c,
                                          ApplyEnv& env) {
  Result<Reservation> r = FindActive(draft, c.id, env);
  if (!r.ok()) return r.status();
  std::string reason = c.reason.empty() ? "released" : c.reason;
  return ReservationReply{
      End(draft, std::move(r).value(), ReservationState::kReleased, reason), {}, {}};
}

Result<ReplyOf<CommitReservation>> Apply(Draft& draft, const CommitReservation& c, ApplyEnv& env) {
  Result<Reservation> found = FindActive(draft, c.id, env);
  if (!found.ok()) return found.status();
  Result<std::vector<int64_t>> quantities = CommitQuantities(*found, c.lines);
  if (!quantities.ok()) return quantities.status();
  Result<ReservationReply> sold = Sell(draft, std::move(found).value(), *quantities, c.id.str());
  if (!sold.ok()) return sold.status();
  return std::move(sold).value();
}

Result<ReplyOf<ExpireReservation>> Apply(Draft& draft, const ExpireReservation& c,
                                         ApplyEnv& /*env*/) {
  const Reservation* r = draft.FindReservation(c.id);
  OMS_ASSERT(r && r->active());
  return ReservationReply{End(draft, *r, ReservationState::kExpired, "expired"), {}, {}};
}

}  // namespace oms

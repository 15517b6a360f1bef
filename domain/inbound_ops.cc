// Inbound supply and preorders: expect, reschedule, cancel, receive and the overdue sweep, and
// the pegs that hold preorders against supply. Every path that promises or frees units of an
// inbound line changes its `promised` by exactly the pegged quantities, so promised always
// equals the sum of active future holds pegged to it, and never exceeds what is still to come.
#include <algorithm>
#include <map>
#include <string>

#include "domain/apply.h"
#include "domain/assert.h"
#include "domain/availability.h"

namespace oms {
namespace {

Status InvalidState(const Inbound& in) {
  Status s = Status::FailedPrecondition(
      reason::kInvalidInboundState,
      "inbound " + in.id.str() + " is " + InboundStateName(in.state) + ": it is closed");
  s.With("inbound_id", in.id.str()).With("state", InboundStateName(in.state));
  return s;
}

// The inbound a command acts on: it exists, the caller's scope covers its location (checked
// before anything about its state is told), and it is open.
Result<Inbound> FindOpen(const Draft& draft, const InboundId& id, ApplyEnv& env) {
  std::optional<Inbound> in;
  if (const Inbound* open = draft.FindInbound(id)) {
    in = *open;
  } else {
    Result<std::optional<Inbound>> stored = env.store.FindInbound(id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) return Status::NotFound("inbound " + id.str() + " does not exist");
    in = std::move(stored).value();
  }
  if (!draft.context().MayActAt(in->location)) {
    return Status(Code::kPermissionDenied, draft.context().actor + " may not act on inbound " +
                                               id.str() + " at " + in->location.str() +
                                               ": not one of its stores");
  }
  if (!in->open()) return InvalidState(*in);
  return std::move(*in);
}

struct SupplyPoint {
  Timestamp at;
  InboundId id;
  LocationId location;
  int64_t free = 0;
};

// Future supply of `key` as this command sees it: open, not overdue inbounds expected by
// `by`, with free units.
void CollectSupply(const Draft& draft, const StockKey& key, Timestamp by,
                   std::vector<SupplyPoint>& out) {
  std::vector<InboundId> ids;
  if (const auto* index = draft.state().SupplyAt(key)) {
    for (const auto& [at, id] : *index) ids.push_back(id);
  }
  for (const auto& staged : draft.staged_inbounds()) {
    if (staged.location == key.location && staged.Line(key.sku)) ids.push_back(staged.id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const auto& id : ids) {
    const Inbound* in = draft.FindInbound(id);
    if (!in || !in->supplies() || in->location != key.location || in->expected_at > by) continue;
    // Overdue by now, even if the sweep has not marked it yet.
    if (in->expected_at + draft.state().inbound_grace() <= draft.now()) continue;
    const InboundLine* line = in->Line(key.sku);
    if (!line) continue;
    int64_t free = line->remaining() - line->promised;
    if (free > 0) out.push_back({in->expected_at, id, in->location, free});
  }
}

Event ReservationEvent(const Reservation& r) {
  Event e;
  e.kind = EventKind::kReservation;
  e.subject = r.id.str();
  e.reservation = r;
  e.previous_state = r.state;
  return e;
}

// Changes `promised` of `in`'s line for `sku` by `delta` and stages the inbound.
void Promise(Draft& draft, const InboundId& id, const Sku& sku, int64_t delta) {
  const Inbound* found = draft.FindInbound(id);
  OMS_ASSERT(found);
  Inbound in = *found;
  InboundLine* line = in.MutableLine(sku);
  OMS_ASSERT(line);
  line->promised += delta;
  OMS_ASSERT(line->promised >= 0 && line->promised <= line->remaining());
  draft.PutInbound(std::move(in));
}

enum class MoveAll { kYes, kPastPromise };

// Moves the future holds pegged to `id` whose promise the inbound (as staged) no longer
// keeps: all of them, or those whose promise_by is before its new expected_at. Each moves to
// other supply at its location that fits its promise_by, else is left at risk.
void MovePegs(Draft& draft, const Inbound& in, MoveAll which, InboundReply& reply) {
  const auto* pegs = draft.state().PegsOf(in.id);
  if (!pegs) return;
  for (const auto& [created, rid] : *pegs) {
    const Reservation* found = draft.FindReservation(rid);
    if (!found || !found->active()) continue;
    OMS_ASSERT(found->promise_by.has_value());
    if (which == MoveAll::kPastPromise && *found->promise_by >= in.expected_at) continue;
    Reservation r = *found;
    std::vector<ReservationLine> lines;
    bool risk = false;
    for (const auto& line : r.lines) {
      if (line.inbound != in.id) {
        AddLine(lines, line);
        continue;
      }
      Unpeg(draft, line);
      int64_t held = PegFuture(draft, {line.location}, line.sku, line.quantity, *r.promise_by,
                               r.channel, lines);
      if (held < line.quantity) {
        AddLine(lines, {line.sku, line.location, line.quantity - held, InboundId(),
                        line.promised_at, true});
        risk = true;
      }
    }
    r.lines = std::move(lines);
    draft.AddEvent(ReservationEvent(draft.PutReservation(std::move(r))));
    (risk ? reply.at_risk : reply.moved).push_back(rid);
  }
}

// Gives at-risk lines at `in`'s location of its SKUs a new promise from supply that now fits
// (this inbound, new or moved earlier, or any other), oldest preorder first.
void Repromise(Draft& draft, const Inbound& in, InboundReply& reply) {
  if (!in.supplies()) return;
  std::vector<ReservationId> seen;
  for (const auto& l : in.lines) {
    const auto* waiting = draft.state().AtRiskAt({l.sku, in.location});
    if (!waiting) continue;
    for (const auto& [created, rid] : *waiting) {
      const Reservation* found = draft.FindReservation(rid);
      if (!found || !found->active() || !found->promise_by) continue;
      Reservation r = *found;
      std::vector<ReservationLine> lines;
      bool kept = false;
      for (const auto& line : r.lines) {
        if (!line.at_risk || line.sku != l.sku || line.location != in.location) {
          AddLine(lines, line);
          continue;
        }
        int64_t held = PegFuture(draft, {line.location}, line.sku, line.quantity, *r.promise_by,
                                 r.channel, lines);
        if (held < line.quantity) {
          ReservationLine rest = line;
          rest.quantity -= held;
          AddLine(lines, rest);
        }
        kept = kept || held > 0;
      }
      if (!kept) continue;
      r.lines = std::move(lines);
      draft.AddEvent(ReservationEvent(draft.PutReservation(std::move(r))));
      if (std::find(seen.begin(), seen.end(), rid) == seen.end()) {
        seen.push_back(rid);
        reply.repromised.push_back(rid);
      }
    }
  }
}

}  // namespace

const char* InboundStateName(InboundState state) {
  switch (state) {
    case InboundState::kExpected:
      return "EXPECTED";
    case InboundState::kPartiallyReceived:
      return "PARTIALLY_RECEIVED";
    case InboundState::kReceived:
      return "RECEIVED";
    case InboundState::kCancelled:
      return "CANCELLED";
  }
  return "?";
}

int64_t PegFuture(Draft& draft, const std::vector<LocationId>& candidates, const Sku& sku,
                  int64_t quantity, Timestamp promise_by, Channel channel,
                  std::vector<ReservationLine>& lines) {
  std::vector<SupplyPoint> points;
  std::map<LocationId, int64_t> budget;
  for (const auto& location : candidates) {
    size_t first = points.size();
    StockKey key{sku, location};
    CollectSupply(draft, key, promise_by, points);
    int64_t incoming = 0;
    for (size_t i = first; i < points.size(); ++i) incoming += points[i].free;
    // A preorder may take what future ATP would show by promise_by, beyond today's ATP: the
    // channel's safety stock stays protected, and an earlier shortfall is made up first.
    StockLevel level = draft.Stock(key);
    budget[location] = FutureAtp(level, incoming, channel) - Atp(level, channel);
  }
  std::sort(points.begin(), points.end(), [](const SupplyPoint& a, const SupplyPoint& b) {
    return a.at != b.at ? a.at < b.at : a.id < b.id;
  });
  int64_t held = 0;
  for (const auto& p : points) {
    if (held == quantity) break;
    int64_t q = std::min({p.free, budget[p.location], quantity - held});
    if (q <= 0) continue;
    Promise(draft, p.id, sku, q);
    budget[p.location] -= q;
    held += q;
    AddLine(lines, {sku, p.location, q, p.id, p.at, false});
  }
  return held;
}

void Unpeg(Draft& draft, const ReservationLine& line) {
  OMS_ASSERT(line.future());
  if (line.inbound.empty()) return;  // at risk: holds nothing
  Promise(draft, line.inbound, line.sku, -line.quantity);
}

Result<ReplyOf<ExpectInbound>> Apply(Draft& draft, const ExpectInbound& c, ApplyEnv& env) {
  std::optional<Inbound> existing;
  if (const Inbound* open = draft.FindInbound(c.id)) {
    existing = *open;
  } else {
    Result<std::optional<Inbound>> stored = env.store.FindInbound(c.id);
    if (!stored.ok()) return stored.status();
    existing = std::move(stored).value();
  }
  if (existing) {
    Status s(Code::kAlreadyExists, "inbound " + c.id.str() + " already exists (" +
                                       InboundStateName(existing->state) +
                                       "); an inbound_id is used once");
    s.WithReason(reason::kInvalidInboundState)
        .With("inbound_id", c.id.str())
        .With("state", InboundStateName(existing->state));
    return s;
  }
  if (!draft.FindLocation(c.location)) {
    return Status::NotFound("location " + c.location.str() + " does not exist");
  }
  Inbound in;
  in.id = c.id;
  in.location = c.location;
  in.expected_at = c.expected_at;
  in.state = InboundState::kExpected;
  in.created_at = draft.now();
  for (const auto& l : c.lines) {
    if (InboundLine* line = in.MutableLine(l.sku)) {
      line->expected += l.quantity;
    } else {
      in.lines.push_back({l.sku, l.quantity, 0, 0});
    }
  }
  // Entered after its grace already ran out: overdue from the start, never supply.
  in.overdue = in.expected_at + draft.state().inbound_grace() <= draft.now();
  InboundReply reply;
  Inbound staged = draft.PutInbound(std::move(in));
  Repromise(draft, staged, reply);
  reply.inbound = *draft.FindInbound(c.id);
  return reply;
}

Result<ReplyOf<RescheduleInbound>> Apply(Draft& draft, const RescheduleInbound& c, ApplyEnv& env) {
  Result<Inbound> in = FindOpen(draft, c.id, env);
  if (!in.ok()) return in.status();
  in->expected_at = c.expected_at;
  in->overdue = in->expected_at + draft.state().inbound_grace() <= draft.now();
  InboundReply reply;
  Inbound staged = draft.PutInbound(std::move(in).value());
  MovePegs(draft, staged, staged.overdue ? MoveAll::kYes : MoveAll::kPastPromise, reply);
  Repromise(draft, staged, reply);
  reply.inbound = *draft.FindInbound(c.id);
  return reply;
}

Result<ReplyOf<CancelInbound>> Apply(Draft& draft, const CancelInbound& c, ApplyEnv& env) {
  Result<Inbound> in = FindOpen(draft, c.id, env);
  if (!in.ok()) return in.status();
  in->state = InboundState::kCancelled;
  in->end_reason = c.reason.empty() ? "cancelled" : c.reason;
  InboundReply reply;
  Inbound staged = draft.PutInbound(std::move(in).value());
  MovePegs(draft, staged, MoveAll::kYes, reply);
  reply.inbound = *draft.FindInbound(c.id);
  return reply;
}

Result<ReplyOf<MarkInboundOverdue>> Apply(Draft& draft, const MarkInboundOverdue& c,
                                          ApplyEnv& /*env*/) {
  const Inbound* found = draft.FindInbound(c.id);
  OMS_ASSERT(found && found->open() && !found->overdue);
  Inbound in = *found;
  in.overdue = true;
  InboundReply reply;
  Inbound staged = draft.PutInbound(std::move(in));
  MovePegs(draft, staged, MoveAll::kYes, reply);
  reply.inbound = *draft.FindInbound(c.id);
  return reply;
}

Result<ReplyOf<ReceiveInbound>> Apply(Draft& draft, const ReceiveInbound& c, ApplyEnv& env) {
  Result<Inbound> found = FindOpen(draft, c.id, env);
  if (!found.ok()) return found.status();
  Inbound in = std::move(found).value();
  InboundReply reply;
  // Units per SKU in the order first given; a SKU not on the inbound is an over-receipt.
  std::vector<InboundQuantity> received;
  for (const auto& l : c.lines) {
    auto it = std::find_if(received.begin(), received.end(),
                           [&](const InboundQuantity& q) { return q.sku == l.sku; });
    if (it == received.end()) {
      received.push_back(l);
    } else {
      it->quantity += l.quantity;
    }
  }
  std::map<Sku, int64_t> to_serve;
  for (const auto& r : received) {
    InboundLine* line = in.MutableLine(r.sku);
    if (!line) line = &in.lines.emplace_back(InboundLine{r.sku, 0, 0, 0});
    line->received += r.quantity;
    if (line->promised > 0) to_serve[r.sku] = r.quantity;
    reply.movements.push_back(
        draft.Move({r.sku, in.location}, r.quantity, MovementReason::kReceived, in.id.str()));
  }
  // Preorders first, oldest first: received units become their present holds before any of
  // them shows as ATP. Every peg is served, even a reservation about to expire, so what is
  // promised never exceeds what is still to come; the expiry then frees its units.
  if (const auto* pegs = draft.state().PegsOf(in.id); pegs && !to_serve.empty()) {
    for (const auto& [created, rid] : *pegs) {
      const Reservation* r = draft.FindReservation(rid);
      if (!r || !r->active()) continue;
      Reservation next = *r;
      std::vector<ReservationLine> lines;
      bool served = false;
      for (const auto& line : r->lines) {
        auto serve = to_serve.find(line.sku);
        if (line.inbound != in.id || serve == to_serve.end() || serve->second == 0) {
          AddLine(lines, line);
          continue;
        }
        int64_t q = std::min(line.quantity, serve->second);
        serve->second -= q;
        in.MutableLine(line.sku)->promised -= q;
        draft.MutableStock({line.sku, line.location}).reserved += q;
        AddLine(lines, {line.sku, line.location, q, InboundId(), Timestamp(), false});
        if (q < line.quantity) {
          ReservationLine rest = line;
          rest.quantity -= q;
          AddLine(lines, rest);
        }
        served = true;
      }
      if (!served) continue;
      next.lines = std::move(lines);
      draft.AddEvent(ReservationEvent(draft.PutReservation(std::move(next))));
      reply.served.push_back(rid);
    }
  }
  bool complete = true;
  for (const auto& line : in.lines) {
    OMS_ASSERT(line.promised >= 0 && line.promised <= line.remaining());
    if (line.received < line.expected) complete = false;
  }
  in.state = complete ? InboundState::kReceived : InboundState::kPartiallyReceived;
  reply.inbound = draft.PutInbound(std::move(in));
  return reply;
}

}  // namespace oms

// Applying one command: check it against the state the draft sees, stage its changes, and
// return its reply. A failed check stages nothing that matters: the engine drops the draft.
#pragma once

#include "domain/commands.h"
#include "domain/draft.h"
#include "domain/limits.h"
#include "domain/ports.h"

namespace oms {

// What appliers may consult besides the draft.
struct ApplyEnv {
  IdSource& ids;
  Store& store;  // ended reservations and orders are looked up here
  Duration pickup_hold = limits::kDefaultPickupHold;  // default hold of a ready order
};

Result<Reply> ApplyCommand(Draft& draft, const Command& command, ApplyEnv& env);

// Per-family appliers (inventory_ops.cc, reservation_ops.cc).
Result<ReplyOf<UpsertLocation>> Apply(Draft& draft, const UpsertLocation& c);
Result<ReplyOf<UpsertGroup>> Apply(Draft& draft, const UpsertGroup& c);
Result<ReplyOf<AdjustStock>> Apply(Draft& draft, const AdjustStock& c);
Result<ReplyOf<SetStock>> Apply(Draft& draft, const SetStock& c);
Result<ReplyOf<TransferStock>> Apply(Draft& draft, const TransferStock& c);
Result<ReplyOf<SetSafetyStock>> Apply(Draft& draft, const SetSafetyStock& c);
Result<ReplyOf<ImportStock>> Apply(Draft& draft, const ImportStock& c);
Result<ReplyOf<CreateReservation>> Apply(Draft& draft, const CreateReservation& c, ApplyEnv& env);
Result<ReplyOf<ExtendReservation>> Apply(Draft& draft, const ExtendReservation& c, ApplyEnv& env);
Result<ReplyOf<ReleaseReservation>> Apply(Draft& draft, const ReleaseReservation& c, ApplyEnv& env);
Result<ReplyOf<CommitReservation>> Apply(Draft& draft, const CommitReservation& c, ApplyEnv& env);
Result<ReplyOf<ExpireReservation>> Apply(Draft& draft, const ExpireReservation& c, ApplyEnv& env);

Result<ReplyOf<PlaceOrder>> Apply(Draft& draft, const PlaceOrder& c, ApplyEnv& env);
Result<ReplyOf<StartPicking>> Apply(Draft& draft, const StartPicking& c, ApplyEnv& env);
Result<ReplyOf<MarkReady>> Apply(Draft& draft, const MarkReady& c, ApplyEnv& env);
Result<ReplyOf<ConfirmPickup>> Apply(Draft& draft, const ConfirmPickup& c, ApplyEnv& env);
Result<ReplyOf<CancelOrder>> Apply(Draft& draft, const CancelOrder& c, ApplyEnv& env);
Result<ReplyOf<ExpireOrder>> Apply(Draft& draft, const ExpireOrder& c, ApplyEnv& env);

Result<ReplyOf<CreateReturn>> Apply(Draft& draft, const CreateReturn& c, ApplyEnv& env);
Result<ReplyOf<ResolveReturn>> Apply(Draft& draft, const ResolveReturn& c, ApplyEnv& env);

// Inbound supply (inbound_ops.cc).
Result<ReplyOf<ExpectInbound>> Apply(Draft& draft, const ExpectInbound& c, ApplyEnv& env);
Result<ReplyOf<RescheduleInbound>> Apply(Draft& draft, const RescheduleInbound& c, ApplyEnv& env);
Result<ReplyOf<CancelInbound>> Apply(Draft& draft, const CancelInbound& c, ApplyEnv& env);
Result<ReplyOf<ReceiveInbound>> Apply(Draft& draft, const ReceiveInbound& c, ApplyEnv& env);
Result<ReplyOf<MarkInboundOverdue>> Apply(Draft& draft, const MarkInboundOverdue& c, ApplyEnv& env);

// Preorder steps (inbound_ops.cc) that reservations build on.
// Holds `quantity` of `sku` against future supply at the candidates (one location, or a
// group's members) expected by `promise_by`, earliest first, within each location's future
// ATP under the channel; adds the pegged lines and returns what it held.
int64_t PegFuture(Draft& draft, const std::vector<LocationId>& candidates, const Sku& sku,
                  int64_t quantity, Timestamp promise_by, Channel channel,
                  std::vector<ReservationLine>& lines);
// Gives back a future hold: an at-risk line holds nothing; a pegged one frees its units of
// the inbound.
void Unpeg(Draft& draft, const ReservationLine& line);

// Reservation steps that orders build on (reservation_ops.cc).
// Holds c's lines; `holder` non-empty makes the reservation the order's (no TTL).
Result<ReservationReply> Reserve(Draft& draft, const CreateReservation& c, const OrderId& holder,
                                 ApplyEnv& env);
// Hands an ACTIVE reservation with no holder to `holder`.
Result<Reservation> TakeOver(Draft& draft, const ReservationId& id, const OrderId& holder,
                             ApplyEnv& env);
// Ends a reservation an order holds, returning its units to ATP.
void EndHeld(Draft& draft, const ReservationId& id, ReservationState state, std::string reason);
// Sells everything a held reservation holds; SOLD movements carry `reference`.
Result<std::vector<Movement>> CommitHeld(Draft& draft, const ReservationId& id,
                                         const std::string& reference);
// Lowers a held reservation's quantity of `sku` to `keep` (a short pick), releasing the rest.
void ShortenHeld(Draft& draft, const ReservationId& id, const Sku& sku, int64_t keep);

// The one line merge: adds `add` to the line for its (sku, location), or appends it, so lines
// keep first-mention order.
void AddLine(std::vector<ReservationLine>& lines, const ReservationLine& add);

// A location a channel may reserve at: exists, active, and allows the channel's fulfilment.
Status CheckFulfilment(const Location* location, const LocationId& id, Channel channel);

// The INSUFFICIENT_STOCK failure with the metadata API.md promises.
Status InsufficientStock(const StockKey& key, int64_t requested, int64_t available);

}  // namespace oms

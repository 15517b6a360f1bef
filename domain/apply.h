// Applying one command: check it against the state the draft sees, stage its changes, and
// return its reply. A failed check stages nothing that matters: the engine drops the draft.
#pragma once

#include "domain/commands.h"
#include "domain/draft.h"
#include "domain/ports.h"

namespace oms {

// What appliers may consult besides the draft.
struct ApplyEnv {
  IdSource& ids;
  Store& store;  // ended reservations are looked up here
};

Result<Reply> ApplyCommand(Draft& draft, const Command& command, ApplyEnv& env);

// Per-family appliers (inventory_ops.cc, reservation_ops.cc).
Result<Reply> Apply(Draft& draft, const UpsertLocation& c);
Result<Reply> Apply(Draft& draft, const UpsertGroup& c);
Result<Reply> Apply(Draft& draft, const AdjustStock& c);
Result<Reply> Apply(Draft& draft, const SetStock& c);
Result<Reply> Apply(Draft& draft, const TransferStock& c);
Result<Reply> Apply(Draft& draft, const SetSafetyStock& c);
Result<Reply> Apply(Draft& draft, const ImportStock& c);
Result<Reply> Apply(Draft& draft, const CreateReservation& c, ApplyEnv& env);
Result<Reply> Apply(Draft& draft, const ExtendReservation& c, ApplyEnv& env);
Result<Reply> Apply(Draft& draft, const ReleaseReservation& c, ApplyEnv& env);
Result<Reply> Apply(Draft& draft, const CommitReservation& c, ApplyEnv& env);
Result<Reply> Apply(Draft& draft, const ExpireReservation& c, ApplyEnv& env);

// A location a channel may reserve at: exists, active, and allows the channel's fulfilment.
Status CheckFulfilment(const Location* location, const LocationId& id, Channel channel);

// The INSUFFICIENT_STOCK failure with the metadata API.md promises.
Status InsufficientStock(const StockKey& key, int64_t requested, int64_t available);

}  // namespace oms

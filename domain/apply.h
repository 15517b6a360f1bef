// Applying one command: check it against the state the draft sees, stage its changes, and
// return its reply. A failed check stages nothing that matters: the engine drops the draft.
#pragma once

#include "domain/commands.h"
#include "domain/draft.h"
#include "domain/ports.h"

namespace oms {

Result<Reply> ApplyCommand(Draft& draft, const Command& command, IdSource& ids);

// Per-family appliers (inventory_ops.cc, reservation_ops.cc).
Result<Reply> Apply(Draft& draft, const UpsertLocation& c);
Result<Reply> Apply(Draft& draft, const UpsertGroup& c);
Result<Reply> Apply(Draft& draft, const AdjustStock& c);
Result<Reply> Apply(Draft& draft, const SetStock& c);
Result<Reply> Apply(Draft& draft, const TransferStock& c);
Result<Reply> Apply(Draft& draft, const SetSafetyStock& c);
Result<Reply> Apply(Draft& draft, const ImportStock& c);

// The INSUFFICIENT_STOCK failure with the metadata API.md promises.
Status InsufficientStock(const StockKey& key, int64_t requested, int64_t available);

}  // namespace oms

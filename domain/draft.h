// Draft: one command's changes, staged over the writer's state so the command reads its own
// writes. Nothing reaches the state or the database until the engine writes the finished
// Changes; a command that fails just drops its draft.
#pragma once

#include <string>
#include <unordered_map>

#include "domain/commands.h"
#include "domain/state.h"

namespace oms {

class Draft {
 public:
  Draft(const WriterState& state, Timestamp now, const CommandContext& context);

  Timestamp now() const { return now_; }
  const CommandContext& context() const { return context_; }
  const WriterState& state() const { return state_; }

  // The level as this command sees it (zero-valued, version 0, when the row does not exist).
  StockLevel Stock(const StockKey& key) const;
  // A staged copy to modify; Finish() bumps its version and emits its availability event.
  StockLevel& MutableStock(const StockKey& key);
  // The level as Finish() will write it: version bumped and time set if this command touched it.
  StockLevel Final(const StockKey& key) const;
  // Changes on_hand by delta and records the movement (with its id) in the ledger.
  const Movement& Move(const StockKey& key, int64_t delta, MovementReason reason,
                       std::string reference);

  // Put* stage a row with updated_at = now() (the only place that stamps it) and return the
  // staged copy, valid until the next Put of the same kind.
  const Location* FindLocation(const LocationId& id) const;
  const Location& PutLocation(Location location);
  const LocationGroup& PutGroup(LocationGroup group);

  // The reservation as this command sees it, if active in memory or staged by it.
  const Reservation* FindReservation(const ReservationId& id) const;
  const Reservation& PutReservation(Reservation reservation);

  // The order as this command sees it, if live in memory or staged by it.
  const Order* FindOrder(const OrderId& id) const;
  const Order& PutOrder(Order order);

  // Stages a return (returns live in storage only). `stored_history` is how many of its
  // history entries are already stored: 0 for a new return.
  const Return& PutReturn(Return ret, size_t stored_history);

  // The inbound as this command sees it: staged by it, or open in memory (a final one is
  // read from the store by the caller).
  const Inbound* FindInbound(const InboundId& id) const;
  // Stages an inbound (updated_at = now()); every SKU of it is marked as a supply change.
  const Inbound& PutInbound(Inbound inbound);
  // Inbounds this command staged, for supply lookups.
  const std::vector<Inbound>& staged_inbounds() const { return changes_.inbounds; }
  // Marks `key`'s future supply as changed: Finish() emits its availability event with
  // `future` set (one event per key, with the stock level as it stands).
  void TouchSupply(const StockKey& key);

  void AddEvent(Event event);

  // Fails the command but keeps its changes (a wrong pickup code still counts an attempt).
  void Reject(Status status) { rejection_ = std::move(status); }
  const std::optional<Status>& rejection() const { return rejection_; }

  // The staged changes with versions, timestamps, sequences, availability events and the
  // storage bookkeeping filled in.
  Changes Finish();

 private:
  const WriterState& state_;
  Timestamp now_;
  const CommandContext& context_;
  std::vector<StockKey> stock_order_;  // first-touch order, for deterministic output
  std::unordered_map<StockKey, StockLevel, StockKeyHash> stock_;
  std::unordered_map<ReservationId, size_t> reservation_index_;
  std::unordered_map<OrderId, size_t> order_index_;
  std::vector<StockKey> supply_order_;  // TouchSupply keys, first-touch order
  std::optional<Status> rejection_;
  int64_t next_movement_id_;
  Changes changes_;
};

}  // namespace oms

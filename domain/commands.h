// Commands: the mutations the writer applies, one variant per API mutation, and their
// replies. Services build them from requests; the engine applies them in batches.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "domain/inbound.h"
#include "domain/location.h"
#include "domain/order.h"
#include "domain/reservation.h"
#include "domain/return.h"
#include "domain/stock.h"

namespace oms {

struct UpsertLocation {
  Location location;
};

struct UpsertGroup {
  GroupId group;
  std::vector<LocationId> members;
};

struct AdjustStock {
  StockKey key;
  int64_t delta = 0;
  MovementReason reason = MovementReason::kCorrection;
  std::string reference;
  std::optional<int64_t> expected_on_hand;
};

struct SetStock {
  StockKey key;
  int64_t on_hand = 0;
  std::string reference;
  std::optional<int64_t> expected_on_hand;
};

struct TransferStock {
  Sku sku;
  LocationId from;
  LocationId to;
  int64_t quantity = 0;
  std::string reference;
};

struct SetSafetyStock {
  StockKey key;
  int64_t safety_stock = 0;
};

// Sets on_hand of many stock levels at once (bulk load), like a count per row.
struct ImportStock {
  struct Row {
    StockKey key;
    int64_t on_hand = 0;
  };
  std::vector<Row> rows;
  std::string reference;
};

// A line as requested: location may be empty (allocate inside the group).
struct RequestedLine {
  Sku sku;
  LocationId location;
  int64_t quantity = 0;
};

struct CreateReservation {
  Channel channel = Channel::kOnline;
  std::vector<RequestedLine> lines;
  GroupId group;  // empty: "online"
  Duration ttl = std::chrono::minutes(15);
  std::string reference;
  bool allow_partial = false;
  // A preorder: what current ATP cannot cover is held against inbound supply expected by
  // then (and the TTL may be up to limits::kMaxPreorderTtl).
  std::optional<Timestamp> promise_by;
};

struct ExtendReservation {
  ReservationId id;
  Duration ttl{};
};

struct ReleaseReservation {
  ReservationId id;
  std::string reason;
};

struct CommitReservation {
  ReservationId id;
  std::vector<RequestedLine> lines;  // empty: everything
};

// The writer's own: a reservation past its expires_at.
struct ExpireReservation {
  ReservationId id;
};

struct PlaceOrder {
  CustomerId customer;
  LocationId pickup_location;
  std::vector<RequestedLine> lines;  // location ignored: always the pickup store
  ReservationId reservation;         // take over this one instead of reserving
  std::optional<Duration> hold;      // default: the server's pickup hold
};

struct StartPicking {
  OrderId id;
};

struct MarkReady {
  OrderId id;
  std::vector<RequestedLine> picked;  // location ignored
};

struct ConfirmPickup {
  OrderId id;
  std::string pickup_code;
  bool staff_override = false;
};

struct CancelOrder {
  OrderId id;
  std::string reason;
};

// The writer's own: a ready order past its pickup deadline.
struct ExpireOrder {
  OrderId id;
};

// A returned line as asked: `disposition` is RESTOCK, DAMAGED or (CreateReturn only) INSPECT.
struct ReturnedLine {
  Sku sku;
  int64_t quantity = 0;
  Disposition disposition = Disposition::kRestock;
};

// Takes back units sold by an order (PICKED_UP) or a checkout reservation (COMMITTED):
// exactly one of order_id and reservation_id is set.
struct CreateReturn {
  OrderId order_id;
  ReservationId reservation_id;
  LocationId location;
  CustomerId customer;  // optional; an order's return takes the order's customer
  std::vector<ReturnedLine> lines;
  std::string reason;
  std::string reference;
};

// Restocks or writes off units an OPEN return holds in quarantine.
struct ResolveReturn {
  ReturnId id;
  std::vector<ReturnedLine> lines;  // RESTOCK or DAMAGED
};

struct InboundQuantity {
  Sku sku;
  int64_t quantity = 0;
};

// Announces supply: `id` is the caller's (a PO or ASN number) and must be new.
struct ExpectInbound {
  InboundId id;
  LocationId location;
  Timestamp expected_at;
  std::vector<InboundQuantity> lines;  // several lines may name one SKU: they are summed
};

// Moves an open inbound's expected_at; pegs whose promise_by it now misses move elsewhere.
struct RescheduleInbound {
  InboundId id;
  Timestamp expected_at;
};

// Ends an open inbound: what was not received leaves future availability.
struct CancelInbound {
  InboundId id;
  std::string reason;
};

// Units arrived: on_hand += quantity (RECEIVED, reference = inbound id), preorders pegged to
// the inbound served first.
struct ReceiveInbound {
  InboundId id;
  std::vector<InboundQuantity> lines;
};

// The writer's own: an open inbound still not received `--inbound-grace` after expected_at.
struct MarkInboundOverdue {
  InboundId id;
};

using Command = std::variant<UpsertLocation, UpsertGroup, AdjustStock, SetStock, TransferStock,
                             SetSafetyStock, ImportStock, CreateReservation, ExtendReservation,
                             ReleaseReservation, CommitReservation, ExpireReservation, PlaceOrder,
                             StartPicking, MarkReady, ConfirmPickup, CancelOrder, ExpireOrder,
                             CreateReturn, ResolveReturn, ExpectInbound, RescheduleInbound,
                             CancelInbound, ReceiveInbound, MarkInboundOverdue>;

// Who asked, and the idempotency key of the request.
struct CommandContext {
  std::string request_id;  // empty only for the writer's own commands (expiry)
  uint64_t payload_hash = 0;
  std::string method;
  std::string actor;
  // The caller's deadline (or the server's default for calls without one). A command still
  // queued when it passes is answered DEADLINE_EXCEEDED and has no effect: nobody waits for it.
  std::chrono::steady_clock::time_point not_after = std::chrono::steady_clock::time_point::max();
  // The locations the caller may act at (a store token's stores); unset: anywhere. A command on
  // a reservation or an order is checked against that entity's locations on the writer, in
  // the same step as its effect; commands that name their locations are checked by services.
  std::optional<std::vector<LocationId>> scope;

  bool MayActAt(const LocationId& location) const {
    return !scope || std::find(scope->begin(), scope->end(), location) != scope->end();
  }
};

struct LocationReply {
  Location location;
  bool created = false;
};

struct GroupReply {
  LocationGroup group;
  bool created = false;
};

struct StockReply {
  StockKey key;
  StockLevel level;
  std::optional<Movement> movement;
  int64_t shortfall = 0;  // reserved units beyond on_hand
};

struct TransferReply {
  StockKey from_key;
  StockLevel from;
  StockKey to_key;
  StockLevel to;
  Movement out;
  Movement in;
};

struct ImportReply {
  int64_t rows = 0;
  int64_t changed = 0;
};

struct UnfilledLine {
  Sku sku;
  LocationId location;  // empty for a line allocated inside the group
  int64_t requested = 0;
  int64_t reserved = 0;
};

struct ReservationReply {
  Reservation reservation;
  std::vector<UnfilledLine> unfilled;  // CreateReservation with allow_partial
  std::vector<Movement> movements;     // CommitReservation
};

struct OrderReply {
  Order order;
};

struct ReturnReply {
  Return ret;
  std::vector<Movement> movements;  // RETURNED movements of the restocked units
};

struct InboundReply {
  Inbound inbound;
  std::vector<Movement> movements;  // ReceiveInbound: the RECEIVED movements
  // Preorders whose future holds this command changed, oldest first: served (a receipt
  // turned them into present holds), moved to another inbound, or left at risk.
  std::vector<ReservationId> served;
  std::vector<ReservationId> moved;
  std::vector<ReservationId> at_risk;
  // Preorders with a line at risk that this inbound (new, or moved earlier) now keeps.
  std::vector<ReservationId> repromised;
};

using Reply = std::variant<LocationReply, GroupReply, StockReply, TransferReply, ImportReply,
                           ReservationReply, OrderReply, ReturnReply, InboundReply>;

// The reply each command is answered with: `ReplyOf<AdjustStock>` is StockReply. Services fill
// their responses from the concrete type, so a command paired with the wrong reply does not
// compile; Apply returns exactly this alternative. Declared, never defined: only the types count.
LocationReply ReplyTypeOf(const UpsertLocation&);
GroupReply ReplyTypeOf(const UpsertGroup&);
StockReply ReplyTypeOf(const AdjustStock&);
StockReply ReplyTypeOf(const SetStock&);
TransferReply ReplyTypeOf(const TransferStock&);
StockReply ReplyTypeOf(const SetSafetyStock&);
ImportReply ReplyTypeOf(const ImportStock&);
ReservationReply ReplyTypeOf(const CreateReservation&);
ReservationReply ReplyTypeOf(const ExtendReservation&);
ReservationReply ReplyTypeOf(const ReleaseReservation&);
ReservationReply ReplyTypeOf(const CommitReservation&);
ReservationReply ReplyTypeOf(const ExpireReservation&);
OrderReply ReplyTypeOf(const PlaceOrder&);
OrderReply ReplyTypeOf(const StartPicking&);
OrderReply ReplyTypeOf(const MarkReady&);
OrderReply ReplyTypeOf(const ConfirmPickup&);
OrderReply ReplyTypeOf(const CancelOrder&);
OrderReply ReplyTypeOf(const ExpireOrder&);
ReturnReply ReplyTypeOf(const CreateReturn&);
ReturnReply ReplyTypeOf(const ResolveReturn&);
InboundReply ReplyTypeOf(const ExpectInbound&);
InboundReply ReplyTypeOf(const RescheduleInbound&);
InboundReply ReplyTypeOf(const CancelInbound&);
InboundReply ReplyTypeOf(const ReceiveInbound&);
InboundReply ReplyTypeOf(const MarkInboundOverdue&);

template <typename C>
using ReplyOf = decltype(ReplyTypeOf(std::declval<const C&>()));

template <typename C>
concept HasReplyOf = requires(const C& c) {
  ReplyTypeOf(c);
};

namespace detail {
template <typename T, typename Variant>
inline constexpr bool kIsAlternative = false;
template <typename T, typename... Ts>
inline constexpr bool kIsAlternative<T, std::variant<Ts...>> = (std::is_same_v<T, Ts> || ...);

template <typename Variant>
inline constexpr bool kEveryCommandHasAReply = false;
template <typename... Cs>
inline constexpr bool kEveryCommandHasAReply<std::variant<Cs...>> = (HasReplyOf<Cs> && ...);

template <typename Variant>
inline constexpr bool kEveryReplyIsAReply = false;
template <typename... Cs>
inline constexpr bool kEveryReplyIsAReply<std::variant<Cs...>> =
    (kIsAlternative<ReplyOf<Cs>, Reply> && ...);
}  // namespace detail

static_assert(detail::kEveryCommandHasAReply<Command>,
              "every Command alternative needs a ReplyTypeOf declaration");
static_assert(detail::kEveryReplyIsAReply<Command>,
              "every ReplyOf<Command alternative> must be an alternative of Reply");

// A command of the API with its reply type: what services::Mutate accepts.
template <typename C>
concept CommandWithReply = detail::kIsAlternative<C, Command> && HasReplyOf<C>;

}  // namespace oms

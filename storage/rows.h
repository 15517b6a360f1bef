// Domain values to and from table rows, by the descriptions of storage/tables.h: each
// XFromRow reads a row of Select<kX>() from column `first` on, each BindX binds every
// parameter of Insert<kX>() / Upsert<kX>(). Shared by the writer's store and the readers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/inbound.h"
#include "domain/location.h"
#include "domain/order.h"
#include "domain/ports.h"
#include "domain/reservation.h"
#include "domain/return.h"
#include "domain/stock.h"
#include "storage/sql.h"
#include "storage/tables.h"

namespace oms::storage {

Location LocationFromRow(const Statement& row, int first);
Statement& BindLocation(Statement& s, const Location& l);

// The group without its members (location_group_members, read by LoadGroups).
LocationGroup GroupFromRow(const Statement& row, int first);
Statement& BindGroup(Statement& s, const LocationGroup& g);
Statement& BindGroupMember(Statement& s, const GroupId& group, size_t position,
                           const LocationId& member);

std::pair<StockKey, StockLevel> StockFromRow(const Statement& row, int first);
Statement& BindStock(Statement& s, const StockKey& key, const StockLevel& level);

Movement MovementFromRow(const Statement& row, int first);
Statement& BindMovement(Statement& s, const Movement& m);

// The reservation without its lines (reservation_lines, read by LoadReservationLines).
Reservation ReservationFromRow(const Statement& row, int first);
Statement& BindReservation(Statement& s, const Reservation& r);
ReservationLine ReservationLineFromRow(const Statement& row, int first);
Statement& BindReservationLine(Statement& s, const ReservationId& id, size_t line_no,
                               const ReservationLine& line);

// The order without its lines and history (read by LoadOrderDetails).
Order OrderFromRow(const Statement& row, int first);
Statement& BindOrder(Statement& s, const Order& o);
OrderLine OrderLineFromRow(const Statement& row, int first);
Statement& BindOrderLine(Statement& s, const OrderId& id, size_t line_no, const OrderLine& line);
OrderTransition TransitionFromRow(const Statement& row, int first);
Statement& BindTransition(Statement& s, const OrderId& id, size_t seq, const OrderTransition& t);

// The return without its lines and history (read by LoadReturn).
Return ReturnFromRow(const Statement& row, int first);
Statement& BindReturn(Statement& s, const Return& r);
ReturnLine ReturnLineFromRow(const Statement& row, int first);
Statement& BindReturnLine(Statement& s, const ReturnId& id, size_t line_no, const ReturnLine& line);
ReturnTransition ReturnTransitionFromRow(const Statement& row, int first);
Statement& BindReturnTransition(Statement& s, const ReturnId& id, size_t seq,
                                const ReturnTransition& t);

// The inbound without its lines (inbound_lines, read by LoadInboundLines).
Inbound InboundFromRow(const Statement& row, int first);
Statement& BindInbound(Statement& s, const Inbound& in);
InboundLine InboundLineFromRow(const Statement& row, int first);
Statement& BindInboundLine(Statement& s, const InboundId& id, size_t line_no,
                           const InboundLine& line);

RequestRecord RequestFromRow(const Statement& row, int first);
Statement& BindRequest(Statement& s, const RequestRecord& r);

// Events are read back as storage::StoredEvent (reader.h), with the payload the encoder made.
Statement& BindEvent(Statement& s, const Event& e, std::string_view payload);

// Loads lines and history of `o`, and each line's `returned` units: the quantities of the
// return lines of its SKU over the returns of the order.
Status LoadOrderDetails(Database& db, Order& o);

// One whole reservation / order (with lines and history) by id, or nothing.
Result<std::optional<Reservation>> LoadReservation(Database& db, const ReservationId& id);
Result<std::optional<Order>> LoadOrder(Database& db, const OrderId& id);
// One whole return (lines by line_no, history by seq) by id, or nothing.
Result<std::optional<Return>> LoadReturn(Database& db, const ReturnId& id);
// Loads lines (by line_no) and history (by seq) of `r`.
Status LoadReturnDetails(Database& db, Return& r);
// Units per SKU returned from one sale (an order or a reservation id), by SKU.
Result<std::vector<ReturnedUnits>> LoadReturned(Database& db, const std::string& source);

// One whole inbound (lines by line_no) by id, in any state, or nothing.
Result<std::optional<Inbound>> LoadInbound(Database& db, const InboundId& id);
// Loads the lines of `in` (ordered by line_no).
Status LoadInboundLines(Database& db, Inbound& in);

// Loads the lines of `r` (ordered by line_no) with the database's cached statement.
Status LoadReservationLines(Database& db, Reservation& r);
// Loads members of groups in `groups` order.
Result<std::vector<LocationGroup>> LoadGroups(Database& db, const std::string& after, int limit);

}  // namespace oms::storage

// Reading domain values out of result rows; shared by the writer's store and the readers.
#pragma once

#include <optional>
#include "domain/location.h"
#include "domain/order.h"
#include "domain/reservation.h"

#include "domain/stock.h"
#include "storage/sqlite.h"

namespace oms::storage {

// Columns: location_id, name, kind, ship_enabled, pickup_enabled, active, updated_at.
inline constexpr char kLocationColumns[] =
    "location_id, name, kind, ship_enabled, pickup_enabled, active, updated_at";
Location LocationFromRow(const Statement& row, int first);

// Columns: sku, location_id, on_hand, reserved, safety_stock, version, updated_at.
inline constexpr char kStockColumns[] =
    "sku, location_id, on_hand, reserved, safety_stock, version, updated_at";
std::pair<StockKey, StockLevel> StockFromRow(const Statement& row, int first);

inline constexpr char kMovementColumns[] =
    "movement_id, sku, location_id, delta, on_hand_after, reason, reference, request_id, actor, "
    "created_at";
Movement MovementFromRow(const Statement& row, int first);

inline constexpr char kReservationColumns[] =
    "reservation_id, state, channel, reference, order_id, end_reason, created_at, updated_at, "
    "expires_at";
Reservation ReservationFromRow(const Statement& row, int first);

inline constexpr char kOrderColumns[] =
    "order_id, state, customer_id, pickup_location_id, reservation_id, pickup_code, hold_us, "
    "created_at, updated_at, ready_at, pickup_deadline, failed_pickup_attempts";
Order OrderFromRow(const Statement& row, int first);
// Loads lines and history of `o` and marks the history stored.
Status LoadOrderDetails(Database& db, Order& o);

// One whole reservation / order (with lines and history) by id, or nothing.
Result<std::optional<Reservation>> LoadReservation(Database& db, const ReservationId& id);
Result<std::optional<Order>> LoadOrder(Database& db, const OrderId& id);

// Loads the lines of `r` (ordered by line_no) with the database's cached statement.
Status LoadReservationLines(Database& db, Reservation& r);
// Loads members of groups in `groups` order.
Result<std::vector<LocationGroup>> LoadGroups(Database& db, const std::string& after, int limit);

}  // namespace oms::storage

// Row readers.
#include "storage/rows.h"

namespace oms::storage {

Location LocationFromRow(const Statement& row, int c) {
  Location l;
  l.id = LocationId(row.Text(c));
  l.name = row.Text(c + 1);
  l.kind = static_cast<LocationKind>(row.Int(c + 2));
  l.ship_enabled = row.Int(c + 3) != 0;
  l.pickup_enabled = row.Int(c + 4) != 0;
  l.active = row.Int(c + 5) != 0;
  l.updated_at = FromMicros(row.Int(c + 6));
  return l;
}

std::pair<StockKey, StockLevel> StockFromRow(const Statement& row, int c) {
  StockKey key{Sku(row.Text(c)), LocationId(row.Text(c + 1))};
  StockLevel level;
  level.on_hand = row.Int(c + 2);
  level.reserved = row.Int(c + 3);
  level.safety_stock = row.Int(c + 4);
  level.version = row.Int(c + 5);
  level.updated_at = FromMicros(row.Int(c + 6));
  return {std::move(key), level};
}

Movement MovementFromRow(const Statement& row, int c) {
  Movement m;
  m.id = row.Int(c);
  m.sku = Sku(row.Text(c + 1));
  m.location = LocationId(row.Text(c + 2));
  m.delta = row.Int(c + 3);
  m.on_hand_after = row.Int(c + 4);
  m.reason = static_cast<MovementReason>(row.Int(c + 5));
  m.reference = row.Text(c + 6);
  m.request_id = row.Text(c + 7);
  m.actor = row.Text(c + 8);
  m.created_at = FromMicros(row.Int(c + 9));
  return m;
}

Reservation ReservationFromRow(const Statement& row, int c) {
  Reservation r;
  r.id = ReservationId(row.Text(c));
  r.state = static_cast<ReservationState>(row.Int(c + 1));
  r.channel = static_cast<Channel>(row.Int(c + 2));
  r.reference = row.Text(c + 3);
  r.order_id = OrderId(row.Text(c + 4));
  r.end_reason = row.Text(c + 5);
  r.created_at = FromMicros(row.Int(c + 6));
  r.updated_at = FromMicros(row.Int(c + 7));
  r.expires_at = FromMicros(row.Int(c + 8));
  return r;
}

Order OrderFromRow(const Statement& row, int c) {
  Order o;
  o.id = OrderId(row.Text(c));
  o.state = static_cast<OrderState>(row.Int(c + 1));
  o.customer = CustomerId(row.Text(c + 2));
  o.pickup_location = LocationId(row.Text(c + 3));
  o.reservation = ReservationId(row.Text(c + 4));
  o.pickup_code = row.Text(c + 5);
  o.hold = Duration(row.Int(c + 6));
  o.created_at = FromMicros(row.Int(c + 7));
  o.updated_at = FromMicros(row.Int(c + 8));
  if (!row.IsNull(c + 9)) o.ready_at = FromMicros(row.Int(c + 9));
  if (!row.IsNull(c + 10)) o.pickup_deadline = FromMicros(row.Int(c + 10));
  o.failed_pickup_attempts = static_cast<int>(row.Int(c + 11));
  return o;
}

Status LoadOrderDetails(Database& db, Order& o) {
  Statement& lines = db.Prepare(
      "SELECT sku, quantity, ordered_quantity FROM order_lines WHERE order_id = ? "
      "ORDER BY line_no");
  lines.Bind(1, o.id.str());
  o.lines.clear();
  while (lines.Step()) o.lines.push_back({Sku(lines.Text(0)), lines.Int(1), lines.Int(2)});
  OMS_RETURN_IF_ERROR(lines.status());
  lines.Reset();
  Statement& history = db.Prepare(
      "SELECT state, at, actor, reason FROM order_history WHERE order_id = ? ORDER BY seq");
  history.Bind(1, o.id.str());
  o.history.clear();
  while (history.Step()) {
    o.history.push_back({static_cast<OrderState>(history.Int(0)), FromMicros(history.Int(1)),
                         history.Text(2), history.Text(3)});
  }
  OMS_RETURN_IF_ERROR(history.status());
  history.Reset();
  return Status::Ok();
}

Result<std::optional<Reservation>> LoadReservation(Database& db, const ReservationId& id) {
  Statement& q = db.Prepare(
      "SELECT reservation_id, state, channel, reference, order_id, end_reason, created_at, "
      "updated_at, expires_at FROM reservations WHERE reservation_id = ?");
  q.Bind(1, id.str());
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<Reservation>();
  }
  Reservation r = ReservationFromRow(q, 0);
  q.Reset();
  OMS_RETURN_IF_ERROR(LoadReservationLines(db, r));
  return std::optional<Reservation>(std::move(r));
}

Result<std::optional<Order>> LoadOrder(Database& db, const OrderId& id) {
  Statement& q = db.Prepare(
      "SELECT order_id, state, customer_id, pickup_location_id, reservation_id, pickup_code, "
      "hold_us, created_at, updated_at, ready_at, pickup_deadline, failed_pickup_attempts "
      "FROM orders WHERE order_id = ?");
  q.Bind(1, id.str());
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<Order>();
  }
  Order o = OrderFromRow(q, 0);
  q.Reset();
  OMS_RETURN_IF_ERROR(LoadOrderDetails(db, o));
  return std::optional<Order>(std::move(o));
}

Status LoadReservationLines(Database& db, Reservation& r) {
  Statement& q = db.Prepare(
      "SELECT sku, location_id, quantity FROM reservation_lines WHERE reservation_id = ? "
      "ORDER BY line_no");
  q.Bind(1, r.id.str());
  r.lines.clear();
  while (q.Step()) {
    r.lines.push_back({Sku(q.Text(0)), LocationId(q.Text(1)), q.Int(2)});
  }
  Status s = q.status();
  q.Reset();
  return s;
}

Result<std::vector<LocationGroup>> LoadGroups(Database& db, const std::string& after, int limit) {
  std::vector<LocationGroup> groups;
  Statement& q = db.Prepare(
      "SELECT group_id, updated_at FROM location_groups WHERE group_id > ? ORDER BY group_id "
      "LIMIT ?");
  q.Bind(1, after).Bind(2, static_cast<int64_t>(limit));
  while (q.Step()) groups.push_back({GroupId(q.Text(0)), {}, FromMicros(q.Int(1))});
  OMS_RETURN_IF_ERROR(q.status());
  q.Reset();
  Statement& m = db.Prepare(
      "SELECT location_id FROM location_group_members WHERE group_id = ? ORDER BY position");
  for (auto& g : groups) {
    m.Bind(1, g.id.str());
    while (m.Step()) g.members.emplace_back(m.Text(0));
    OMS_RETURN_IF_ERROR(m.status());
    m.Reset();
  }
  return groups;
}

}  // namespace oms::storage

// Row readers and binders. Each names its table's columns, never their positions.
#include "storage/rows.h"

#include "storage/stored_status.h"

namespace oms::storage {

Location LocationFromRow(const Statement& row, int c) {
  constexpr auto& t = kLocations;
  Location l;
  l.id = LocationId(row.Text(c + t["location_id"]));
  l.name = row.Text(c + t["name"]);
  l.kind = static_cast<LocationKind>(row.Int(c + t["kind"]));
  l.ship_enabled = row.Int(c + t["ship_enabled"]) != 0;
  l.pickup_enabled = row.Int(c + t["pickup_enabled"]) != 0;
  l.active = row.Int(c + t["active"]) != 0;
  l.updated_at = FromMicros(row.Int(c + t["updated_at"]));
  return l;
}

Statement& BindLocation(Statement& s, const Location& l) {
  constexpr auto& t = kLocations;
  return s.Bind(t.Param("location_id"), l.id.str())
      .Bind(t.Param("name"), l.name)
      .Bind(t.Param("kind"), static_cast<int64_t>(l.kind))
      .Bind(t.Param("ship_enabled"), int64_t{l.ship_enabled})
      .Bind(t.Param("pickup_enabled"), int64_t{l.pickup_enabled})
      .Bind(t.Param("active"), int64_t{l.active})
      .Bind(t.Param("updated_at"), ToMicros(l.updated_at));
}

LocationGroup GroupFromRow(const Statement& row, int c) {
  constexpr auto& t = kLocationGroups;
  return {GroupId(row.Text(c + t["group_id"])), {}, FromMicros(row.Int(c + t["updated_at"]))};
}

Statement& BindGroup(Statement& s, const LocationGroup& g) {
  constexpr auto& t = kLocationGroups;
  return s.Bind(t.Param("group_id"), g.id.str())
      .Bind(t.Param("updated_at"), ToMicros(g.updated_at));
}

Statement& BindGroupMember(Statement& s, const GroupId& group, size_t position,
                           const LocationId& member) {
  constexpr auto& t = kLocationGroupMembers;
  return s.Bind(t.Param("group_id"), group.str())
      .Bind(t.Param("position"), static_cast<int64_t>(position))
      .Bind(t.Param("location_id"), member.str());
}

std::pair<StockKey, StockLevel> StockFromRow(const Statement& row, int c) {
  constexpr auto& t = kStockLevels;
  StockKey key{Sku(row.Text(c + t["sku"])), LocationId(row.Text(c + t["location_id"]))};
  StockLevel level;
  level.on_hand = row.Int(c + t["on_hand"]);
  level.reserved = row.Int(c + t["reserved"]);
  level.safety_stock = row.Int(c + t["safety_stock"]);
  level.quarantined = row.Int(c + t["quarantined"]);
  level.version = row.Int(c + t["version"]);
  level.updated_at = FromMicros(row.Int(c + t["updated_at"]));
  return {std::move(key), level};
}

Statement& BindStock(Statement& s, const StockKey& key, const StockLevel& level) {
  constexpr auto& t = kStockLevels;
  return s.Bind(t.Param("sku"), key.sku.str())
      .Bind(t.Param("location_id"), key.location.str())
      .Bind(t.Param("on_hand"), level.on_hand)
      .Bind(t.Param("reserved"), level.reserved)
      .Bind(t.Param("safety_stock"), level.safety_stock)
      .Bind(t.Param("quarantined"), level.quarantined)
      .Bind(t.Param("version"), level.version)
      .Bind(t.Param("updated_at"), ToMicros(level.updated_at));
}

Movement MovementFromRow(const Statement& row, int c) {
  constexpr auto& t = kMovements;
  Movement m;
  m.id = row.Int(c + t["movement_id"]);
  m.sku = Sku(row.Text(c + t["sku"]));
  m.location = LocationId(row.Text(c + t["location_id"]));
  m.delta = row.Int(c + t["delta"]);
  m.on_hand_after = row.Int(c + t["on_hand_after"]);
  m.reason = static_cast<MovementReason>(row.Int(c + t["reason"]));
  m.reference = row.Text(c + t["reference"]);
  m.request_id = row.Text(c + t["request_id"]);
  m.actor = row.Text(c + t["actor"]);
  m.created_at = FromMicros(row.Int(c + t["created_at"]));
  return m;
}

Statement& BindMovement(Statement& s, const Movement& m) {
  constexpr auto& t = kMovements;
  return s.Bind(t.Param("movement_id"), m.id)
      .Bind(t.Param("sku"), m.sku.str())
      .Bind(t.Param("location_id"), m.location.str())
      .Bind(t.Param("delta"), m.delta)
      .Bind(t.Param("on_hand_after"), m.on_hand_after)
      .Bind(t.Param("reason"), static_cast<int64_t>(m.reason))
      .Bind(t.Param("reference"), m.reference)
      .Bind(t.Param("request_id"), m.request_id)
      .Bind(t.Param("actor"), m.actor)
      .Bind(t.Param("created_at"), ToMicros(m.created_at));
}

Reservation ReservationFromRow(const Statement& row, int c) {
  constexpr auto& t = kReservations;
  Reservation r;
  r.id = ReservationId(row.Text(c + t["reservation_id"]));
  r.state = static_cast<ReservationState>(row.Int(c + t["state"]));
  r.channel = static_cast<Channel>(row.Int(c + t["channel"]));
  r.reference = row.Text(c + t["reference"]);
  r.order_id = OrderId(row.Text(c + t["order_id"]));
  r.end_reason = row.Text(c + t["end_reason"]);
  r.created_at = FromMicros(row.Int(c + t["created_at"]));
  r.updated_at = FromMicros(row.Int(c + t["updated_at"]));
  r.expires_at = FromMicros(row.Int(c + t["expires_at"]));
  if (!row.IsNull(c + t["promise_by"])) r.promise_by = FromMicros(row.Int(c + t["promise_by"]));
  return r;
}

Statement& BindReservation(Statement& s, const Reservation& r) {
  constexpr auto& t = kReservations;
  // NULL, not 0: the epoch is a promise like any other, only a missing one is no preorder.
  if (r.promise_by)
    s.Bind(t.Param("promise_by"), ToMicros(*r.promise_by));
  else
    s.BindNull(t.Param("promise_by"));
  return s.Bind(t.Param("reservation_id"), r.id.str())
      .Bind(t.Param("state"), static_cast<int64_t>(r.state))
      .Bind(t.Param("channel"), static_cast<int64_t>(r.channel))
      .Bind(t.Param("reference"), r.reference)
      .Bind(t.Param("order_id"), r.order_id.str())
      .Bind(t.Param("end_reason"), r.end_reason)
      .Bind(t.Param("created_at"), ToMicros(r.created_at))
      .Bind(t.Param("updated_at"), ToMicros(r.updated_at))
      .Bind(t.Param("expires_at"), ToMicros(r.expires_at));
}

ReservationLine ReservationLineFromRow(const Statement& row, int c) {
  constexpr auto& t = kReservationLines;
  ReservationLine l;
  l.sku = Sku(row.Text(c + t["sku"]));
  l.location = LocationId(row.Text(c + t["location_id"]));
  l.quantity = row.Int(c + t["quantity"]);
  l.inbound = InboundId(row.Text(c + t["inbound_id"]));
  l.promised_at = FromMicros(row.Int(c + t["promised_at"]));
  l.at_risk = row.Int(c + t["at_risk"]) != 0;
  return l;
}

Statement& BindReservationLine(Statement& s, const ReservationId& id, size_t line_no,
                               const ReservationLine& line) {
  constexpr auto& t = kReservationLines;
  return s.Bind(t.Param("reservation_id"), id.str())
      .Bind(t.Param("line_no"), static_cast<int64_t>(line_no))
      .Bind(t.Param("sku"), line.sku.str())
      .Bind(t.Param("location_id"), line.location.str())
      .Bind(t.Param("quantity"), line.quantity)
      .Bind(t.Param("inbound_id"), line.inbound.str())
      .Bind(t.Param("promised_at"), ToMicros(line.promised_at))
      .Bind(t.Param("at_risk"), int64_t{line.at_risk});
}

Order OrderFromRow(const Statement& row, int c) {
  constexpr auto& t = kOrders;
  Order o;
  o.id = OrderId(row.Text(c + t["order_id"]));
  o.state = static_cast<OrderState>(row.Int(c + t["state"]));
  o.customer = CustomerId(row.Text(c + t["customer_id"]));
  o.pickup_location = LocationId(row.Text(c + t["pickup_location_id"]));
  o.reservation = ReservationId(row.Text(c + t["reservation_id"]));
  o.pickup_code = row.Text(c + t["pickup_code"]);
  o.hold = Duration(row.Int(c + t["hold_us"]));
  o.created_at = FromMicros(row.Int(c + t["created_at"]));
  o.updated_at = FromMicros(row.Int(c + t["updated_at"]));
  if (!row.IsNull(c + t["ready_at"])) o.ready_at = FromMicros(row.Int(c + t["ready_at"]));
  if (!row.IsNull(c + t["pickup_deadline"])) {
    o.pickup_deadline = FromMicros(row.Int(c + t["pickup_deadline"]));
  }
  o.failed_pickup_attempts = static_cast<int>(row.Int(c + t["failed_pickup_attempts"]));
  return o;
}

Statement& BindOrder(Statement& s, const Order& o) {
  constexpr auto& t = kOrders;
  s.Bind(t.Param("order_id"), o.id.str())
      .Bind(t.Param("state"), static_cast<int64_t>(o.state))
      .Bind(t.Param("customer_id"), o.customer.str())
      .Bind(t.Param("pickup_location_id"), o.pickup_location.str())
      .Bind(t.Param("reservation_id"), o.reservation.str())
      .Bind(t.Param("pickup_code"), o.pickup_code)
      .Bind(t.Param("hold_us"), static_cast<int64_t>(o.hold.count()))
      .Bind(t.Param("created_at"), ToMicros(o.created_at))
      .Bind(t.Param("updated_at"), ToMicros(o.updated_at))
      .Bind(t.Param("failed_pickup_attempts"), static_cast<int64_t>(o.failed_pickup_attempts));
  if (o.ready_at)
    s.Bind(t.Param("ready_at"), ToMicros(*o.ready_at));
  else
    s.BindNull(t.Param("ready_at"));
  if (o.pickup_deadline)
    s.Bind(t.Param("pickup_deadline"), ToMicros(*o.pickup_deadline));
  else
    s.BindNull(t.Param("pickup_deadline"));
  return s;
}

OrderLine OrderLineFromRow(const Statement& row, int c) {
  constexpr auto& t = kOrderLines;
  return {Sku(row.Text(c + t["sku"])), row.Int(c + t["quantity"]),
          row.Int(c + t["ordered_quantity"])};
}

Statement& BindOrderLine(Statement& s, const OrderId& id, size_t line_no, const OrderLine& line) {
  constexpr auto& t = kOrderLines;
  return s.Bind(t.Param("order_id"), id.str())
      .Bind(t.Param("line_no"), static_cast<int64_t>(line_no))
      .Bind(t.Param("sku"), line.sku.str())
      .Bind(t.Param("quantity"), line.quantity)
      .Bind(t.Param("ordered_quantity"), line.ordered_quantity);
}

OrderTransition TransitionFromRow(const Statement& row, int c) {
  constexpr auto& t = kOrderHistory;
  return {static_cast<OrderState>(row.Int(c + t["state"])), FromMicros(row.Int(c + t["at"])),
          row.Text(c + t["actor"]), row.Text(c + t["reason"])};
}

Statement& BindTransition(Statement& s, const OrderId& id, size_t seq, const OrderTransition& tr) {
  constexpr auto& t = kOrderHistory;
  return s.Bind(t.Param("order_id"), id.str())
      .Bind(t.Param("seq"), static_cast<int64_t>(seq))
      .Bind(t.Param("state"), static_cast<int64_t>(tr.state))
      .Bind(t.Param("at"), ToMicros(tr.at))
      .Bind(t.Param("actor"), tr.actor)
      .Bind(t.Param("reason"), tr.reason);
}

Return ReturnFromRow(const Statement& row, int c) {
  constexpr auto& t = kReturns;
  Return r;
  r.id = ReturnId(row.Text(c + t["return_id"]));
  r.order_id = OrderId(row.Text(c + t["order_id"]));
  r.reservation_id = ReservationId(row.Text(c + t["reservation_id"]));
  r.customer = CustomerId(row.Text(c + t["customer_id"]));
  r.location = LocationId(row.Text(c + t["location_id"]));
  r.state = static_cast<ReturnState>(row.Int(c + t["state"]));
  r.reason = row.Text(c + t["reason"]);
  r.reference = row.Text(c + t["reference"]);
  r.created_at = FromMicros(row.Int(c + t["created_at"]));
  r.updated_at = FromMicros(row.Int(c + t["updated_at"]));
  return r;
}

Statement& BindReturn(Statement& s, const Return& r) {
  constexpr auto& t = kReturns;
  return s.Bind(t.Param("return_id"), r.id.str())
      .Bind(t.Param("order_id"), r.order_id.str())
      .Bind(t.Param("reservation_id"), r.reservation_id.str())
      .Bind(t.Param("customer_id"), r.customer.str())
      .Bind(t.Param("location_id"), r.location.str())
      .Bind(t.Param("state"), static_cast<int64_t>(r.state))
      .Bind(t.Param("reason"), r.reason)
      .Bind(t.Param("reference"), r.reference)
      .Bind(t.Param("created_at"), ToMicros(r.created_at))
      .Bind(t.Param("updated_at"), ToMicros(r.updated_at));
}

ReturnLine ReturnLineFromRow(const Statement& row, int c) {
  constexpr auto& t = kReturnLines;
  ReturnLine l;
  l.sku = Sku(row.Text(c + t["sku"]));
  l.quantity = row.Int(c + t["quantity"]);
  l.disposition = static_cast<Disposition>(row.Int(c + t["disposition"]));
  l.quarantined = row.Int(c + t["quarantined"]);
  l.restocked = row.Int(c + t["restocked"]);
  l.written_off = row.Int(c + t["written_off"]);
  return l;
}

Statement& BindReturnLine(Statement& s, const ReturnId& id, size_t line_no,
                          const ReturnLine& line) {
  constexpr auto& t = kReturnLines;
  return s.Bind(t.Param("return_id"), id.str())
      .Bind(t.Param("line_no"), static_cast<int64_t>(line_no))
      .Bind(t.Param("sku"), line.sku.str())
      .Bind(t.Param("quantity"), line.quantity)
      .Bind(t.Param("disposition"), static_cast<int64_t>(line.disposition))
      .Bind(t.Param("quarantined"), line.quarantined)
      .Bind(t.Param("restocked"), line.restocked)
      .Bind(t.Param("written_off"), line.written_off);
}

ReturnTransition ReturnTransitionFromRow(const Statement& row, int c) {
  constexpr auto& t = kReturnHistory;
  return {static_cast<ReturnState>(row.Int(c + t["state"])), FromMicros(row.Int(c + t["at"])),
          row.Text(c + t["actor"]), row.Text(c + t["note"])};
}

Statement& BindReturnTransition(Statement& s, const ReturnId& id, size_t seq,
                                const ReturnTransition& tr) {
  constexpr auto& t = kReturnHistory;
  return s.Bind(t.Param("return_id"), id.str())
      .Bind(t.Param("seq"), static_cast<int64_t>(seq))
      .Bind(t.Param("state"), static_cast<int64_t>(tr.state))
      .Bind(t.Param("at"), ToMicros(tr.at))
      .Bind(t.Param("actor"), tr.actor)
      .Bind(t.Param("note"), tr.note);
}

Inbound InboundFromRow(const Statement& row, int c) {
  constexpr auto& t = kInbounds;
  Inbound in;
  in.id = InboundId(row.Text(c + t["inbound_id"]));
  in.location = LocationId(row.Text(c + t["location_id"]));
  in.expected_at = FromMicros(row.Int(c + t["expected_at"]));
  in.state = static_cast<InboundState>(row.Int(c + t["state"]));
  in.overdue = row.Int(c + t["overdue"]) != 0;
  in.created_at = FromMicros(row.Int(c + t["created_at"]));
  in.updated_at = FromMicros(row.Int(c + t["updated_at"]));
  in.end_reason = row.Text(c + t["end_reason"]);
  return in;
}

Statement& BindInbound(Statement& s, const Inbound& in) {
  constexpr auto& t = kInbounds;
  return s.Bind(t.Param("inbound_id"), in.id.str())
      .Bind(t.Param("location_id"), in.location.str())
      .Bind(t.Param("expected_at"), ToMicros(in.expected_at))
      .Bind(t.Param("state"), static_cast<int64_t>(in.state))
      .Bind(t.Param("overdue"), int64_t{in.overdue})
      .Bind(t.Param("created_at"), ToMicros(in.created_at))
      .Bind(t.Param("updated_at"), ToMicros(in.updated_at))
      .Bind(t.Param("end_reason"), in.end_reason);
}

InboundLine InboundLineFromRow(const Statement& row, int c) {
  constexpr auto& t = kInboundLines;
  return {Sku(row.Text(c + t["sku"])), row.Int(c + t["expected"]), row.Int(c + t["received"]),
          row.Int(c + t["promised"])};
}

Statement& BindInboundLine(Statement& s, const InboundId& id, size_t line_no,
                           const InboundLine& line) {
  constexpr auto& t = kInboundLines;
  return s.Bind(t.Param("inbound_id"), id.str())
      .Bind(t.Param("line_no"), static_cast<int64_t>(line_no))
      .Bind(t.Param("sku"), line.sku.str())
      .Bind(t.Param("expected"), line.expected)
      .Bind(t.Param("received"), line.received)
      .Bind(t.Param("promised"), line.promised);
}

RequestRecord RequestFromRow(const Statement& row, int c) {
  constexpr auto& t = kRequests;
  RequestRecord r;
  r.request_id = row.Text(c + t["request_id"]);
  r.method = row.Text(c + t["method"]);
  r.payload_hash = static_cast<uint64_t>(row.Int(c + t["payload_hash"]));
  r.response = row.Text(c + t["response"]);
  if (std::string error = row.Text(c + t["error"]); !error.empty()) {
    r.error = DecodeStoredStatus(error);
  }
  r.created_at = FromMicros(row.Int(c + t["created_at"]));
  return r;
}

Statement& BindRequest(Statement& s, const RequestRecord& r) {
  constexpr auto& t = kRequests;
  return s.Bind(t.Param("request_id"), r.request_id)
      .Bind(t.Param("method"), r.method)
      .Bind(t.Param("payload_hash"), static_cast<int64_t>(r.payload_hash))
      .BindBlob(t.Param("response"), r.response)
      .Bind(t.Param("error"), r.error ? EncodeStoredStatus(*r.error) : std::string())
      .Bind(t.Param("created_at"), ToMicros(r.created_at));
}

Statement& BindEvent(Statement& s, const Event& e, std::string_view payload) {
  constexpr auto& t = kEvents;
  return s.Bind(t.Param("sequence"), e.sequence)
      .Bind(t.Param("kind"), static_cast<int64_t>(e.kind))
      .Bind(t.Param("sku"), e.sku.str())
      .Bind(t.Param("location_id"), e.location.str())
      .Bind(t.Param("subject"), e.subject)
      .Bind(t.Param("customer_id"), e.customer)
      .BindBlob(t.Param("payload"), payload)
      .Bind(t.Param("created_at"), ToMicros(e.time));
}

Status LoadOrderDetails(Database& db, Order& o) {
  Statement& lines = db.Prepare(Select<kOrderLines, "WHERE order_id = ? ORDER BY line_no">());
  lines.Bind(1, o.id.str());
  o.lines.clear();
  while (lines.Step()) o.lines.push_back(OrderLineFromRow(lines, 0));
  OMS_RETURN_IF_ERROR(lines.status());
  lines.Reset();
  Statement& history = db.Prepare(Select<kOrderHistory, "WHERE order_id = ? ORDER BY seq">());
  history.Bind(1, o.id.str());
  o.history.clear();
  while (history.Step()) o.history.push_back(TransitionFromRow(history, 0));
  OMS_RETURN_IF_ERROR(history.status());
  history.Reset();
  // Each line's returned units, from the returns (one indexed query, one row per SKU returned).
  Result<std::vector<ReturnedUnits>> returned = LoadReturned(db, o.id.str());
  if (!returned.ok()) return returned.status();
  for (const auto& units : *returned) {
    for (auto& line : o.lines) {
      if (line.sku == units.sku) line.returned = units.quantity;
    }
  }
  return Status::Ok();
}

Result<std::optional<Reservation>> LoadReservation(Database& db, const ReservationId& id) {
  Statement& q = db.Prepare(Select<kReservations, "WHERE reservation_id = ?">());
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
  Statement& q = db.Prepare(Select<kOrders, "WHERE order_id = ?">());
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

Result<std::optional<Return>> LoadReturn(Database& db, const ReturnId& id) {
  Statement& q = db.Prepare(Select<kReturns, "WHERE return_id = ?">());
  q.Bind(1, id.str());
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<Return>();
  }
  Return r = ReturnFromRow(q, 0);
  q.Reset();
  OMS_RETURN_IF_ERROR(LoadReturnDetails(db, r));
  return std::optional<Return>(std::move(r));
}

Status LoadReturnDetails(Database& db, Return& r) {
  Statement& lines = db.Prepare(Select<kReturnLines, "WHERE return_id = ? ORDER BY line_no">());
  lines.Bind(1, r.id.str());
  r.lines.clear();
  while (lines.Step()) r.lines.push_back(ReturnLineFromRow(lines, 0));
  OMS_RETURN_IF_ERROR(lines.status());
  lines.Reset();
  Statement& history = db.Prepare(Select<kReturnHistory, "WHERE return_id = ? ORDER BY seq">());
  history.Bind(1, r.id.str());
  r.history.clear();
  while (history.Step()) r.history.push_back(ReturnTransitionFromRow(history, 0));
  OMS_RETURN_IF_ERROR(history.status());
  history.Reset();
  return Status::Ok();
}

Result<std::vector<ReturnedUnits>> LoadReturned(Database& db, const std::string& source) {
  // Every return names one sale, so an empty source matches none (as Return::source()).
  Statement& q = db.Prepare(
      "SELECT l.sku, SUM(l.quantity) FROM returns r JOIN return_lines l USING (return_id) "
      "WHERE ?1 <> '' AND (r.order_id = ?1 OR r.reservation_id = ?1) "
      "GROUP BY l.sku ORDER BY l.sku");
  q.Bind(1, source);
  std::vector<ReturnedUnits> out;
  while (q.Step()) out.push_back({Sku(q.Text(0)), q.Int(1)});
  OMS_RETURN_IF_ERROR(q.status());
  q.Reset();
  return out;
}

Status LoadInboundLines(Database& db, Inbound& in) {
  Statement& q = db.Prepare(Select<kInboundLines, "WHERE inbound_id = ? ORDER BY line_no">());
  q.Bind(1, in.id.str());
  in.lines.clear();
  while (q.Step()) in.lines.push_back(InboundLineFromRow(q, 0));
  Status s = q.status();
  q.Reset();
  return s;
}

Result<std::optional<Inbound>> LoadInbound(Database& db, const InboundId& id) {
  Statement& q = db.Prepare(Select<kInbounds, "WHERE inbound_id = ?">());
  q.Bind(1, id.str());
  if (!q.Step()) {
    if (!q.status().ok()) return q.status();
    return std::optional<Inbound>();
  }
  Inbound in = InboundFromRow(q, 0);
  q.Reset();
  OMS_RETURN_IF_ERROR(LoadInboundLines(db, in));
  return std::optional<Inbound>(std::move(in));
}

Status LoadReservationLines(Database& db, Reservation& r) {
  Statement& q =
      db.Prepare(Select<kReservationLines, "WHERE reservation_id = ? ORDER BY line_no">());
  q.Bind(1, r.id.str());
  r.lines.clear();
  while (q.Step()) r.lines.push_back(ReservationLineFromRow(q, 0));
  Status s = q.status();
  q.Reset();
  return s;
}

Result<std::vector<LocationGroup>> LoadGroups(Database& db, const std::string& after, int limit) {
  std::vector<LocationGroup> groups;
  Statement& q =
      db.Prepare(Select<kLocationGroups, "WHERE group_id > ? ORDER BY group_id LIMIT ?">());
  q.Bind(1, after).Bind(2, static_cast<int64_t>(limit));
  while (q.Step()) groups.push_back(GroupFromRow(q, 0));
  OMS_RETURN_IF_ERROR(q.status());
  q.Reset();
  Statement& m =
      db.Prepare(Select<kLocationGroupMembers, "WHERE group_id = ? ORDER BY position">());
  for (auto& g : groups) {
    m.Bind(1, g.id.str());
    while (m.Step()) g.members.emplace_back(m.Text(kLocationGroupMembers["location_id"]));
    OMS_RETURN_IF_ERROR(m.status());
    m.Reset();
  }
  return groups;
}

}  // namespace oms::storage

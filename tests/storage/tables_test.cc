// The table descriptions of storage/tables.h against the schema, and every column of every
// table through the round trip: written by SqliteStore, read back by the writer's Load and
// Find paths and by every Reader query. Each field has a value distinct from its default and
// from the other fields, so a column that is dropped, or read from another column's
// position, fails here.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "storage/reader.h"
#include "storage/tables.h"
#include "tests/storage/store_fixtures.h"

namespace oms::testing {
namespace {

using storage::Reader;
using storage::SqliteStore;

inline Timestamp Us(int64_t us) { return FromMicros(1'700'000'000'000'000 + us); }

// The WAL totals count what each commit wrote: one commit per transaction, at least one frame
// per page touched, and page_size + 24 bytes per frame; a wider write writes more frames.
TEST(TablesTest, WalTotals_CountCommitsFramesAndBytesOfEachCommit) {
  for (bool pipelined : {false, true}) {
    SCOPED_TRACE(pipelined ? "pipelined" : "durable COMMIT");
    TempDir dir;
    auto store = SqliteStore::Open({.path = dir.File("oms.db"), .pipelined = pipelined}, nullptr);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    SqliteStore& s = **store;
    const SqliteStore::WalTotals start = s.wal_totals();
    auto insert = [&](int first, int count) {
      ASSERT_TRUE(s.Begin().ok());
      for (int i = first; i < first + count; ++i) {
        storage::Statement& q = s.db().Prepare(
            "INSERT INTO locations VALUES (?, 'a location with a longish name', 1, 1, 1, 1, 0)");
        q.Bind(1, "loc-" + std::to_string(i));
        ASSERT_TRUE(q.Run().ok());
      }
      ASSERT_TRUE(s.Commit().ok());
    };
    insert(0, 1);
    const SqliteStore::WalTotals one = s.wal_totals();
    EXPECT_EQ(one.commits - start.commits, 1);
    EXPECT_GE(one.frames - start.frames, 1);
    EXPECT_EQ(one.bytes, one.frames * (4096 + 24));
    insert(1, 2000);  // ~100 bytes a row: dozens of leaf pages
    const SqliteStore::WalTotals wide = s.wal_totals();
    EXPECT_EQ(wide.commits - one.commits, 1);
    EXPECT_GE(wide.frames - one.frames, 20);
    EXPECT_EQ(wide.bytes, wide.frames * (4096 + 24));
  }
}

TEST(TablesTest, EveryTableOfTheSchema_IsDescribedWithExactlyItsColumns) {
  TempDir dir;
  auto store = SqliteStore::Open({.path = dir.File("oms.db")}, nullptr);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  storage::Database& db = (*store)->db();
  std::set<std::string> described;
  storage::ForEachTable([&](const auto& table) {
    std::string name(table.name);
    described.insert(name);
    std::vector<std::string> expected;
    for (const auto& c : table.columns) expected.emplace_back(c.name);
    storage::Statement& q = db.Prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid");
    q.Bind(1, name);
    std::vector<std::string> actual;
    while (q.Step()) actual.push_back(q.Text(0));
    q.Reset();
    EXPECT_EQ(actual, expected) << name;
  });
  storage::Statement& tables = db.Prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  while (tables.Step()) EXPECT_TRUE(described.count(tables.Text(0))) << tables.Text(0);
  tables.Reset();
}

// One row of every table, every field set.
struct Rows {
  Location location{
      LocationId("loc-A"), "Name A", LocationKind::kWarehouse, true, true, false, Us(11)};
  Location other{LocationId("loc-B"), "Name B", LocationKind::kStore, false, true, true, Us(12)};
  LocationGroup group{GroupId("grp-A"), {LocationId("loc-B"), LocationId("loc-A")}, Us(13)};
  StockKey key{Sku("sku-A"), LocationId("loc-A")};
  StockLevel level{101, 7, 13, 19, 17, Us(14)};
  Movement movement;
  Reservation live;  // ACTIVE, held by the order
  Reservation done;  // COMMITTED
  Order order;
  Return returned;        // of the order, COMPLETED
  Return of_reservation;  // of the committed reservation, OPEN
  RequestRecord request;
  Event event;

  Rows() {
    movement.id = 31;
    movement.sku = Sku("sku-M");
    movement.location = LocationId("loc-A");
    movement.delta = -3;
    movement.on_hand_after = 98;
    movement.reason = MovementReason::kDamaged;
    movement.reference = "ref-M";
    movement.request_id = "req-M";
    movement.actor = "actor-M";
    movement.created_at = Us(15);

    live.id = ReservationId("res-L");
    live.state = ReservationState::kActive;
    live.channel = Channel::kBopis;
    live.reference = "ref-L";
    live.lines = {{Sku("sku-A"), LocationId("loc-A"), 2}, {Sku("sku-B"), LocationId("loc-B"), 5}};
    live.created_at = Us(16);
    live.updated_at = Us(17);
    live.expires_at = Us(18);
    live.order_id = OrderId("ord-A");
    live.end_reason = "end-L";

    done.id = ReservationId("res-D");
    done.state = ReservationState::kCommitted;
    done.channel = Channel::kPos;
    done.reference = "ref-D";
    done.lines = {{Sku("sku-C"), LocationId("loc-B"), 9}};
    done.created_at = Us(19);
    done.updated_at = Us(20);
    done.expires_at = Us(21);
    done.order_id = OrderId("ord-D");
    done.end_reason = "end-D";

    order.id = OrderId("ord-A");
    order.state = OrderState::kReadyForPickup;
    order.customer = CustomerId("cust-A");
    order.pickup_location = LocationId("loc-B");
    // sku-B's returned units are not stored with the line: read back from `returned`.
    order.lines = {{Sku("sku-A"), 2, 3}, {Sku("sku-B"), 4, 6, 4}};
    order.pickup_code = "CODE7X";
    order.reservation = ReservationId("res-L");
    order.hold = Duration(22);
    order.created_at = Us(23);
    order.updated_at = Us(24);
    order.ready_at = Us(25);
    order.pickup_deadline = Us(26);
    order.failed_pickup_attempts = 3;
    order.history = {{OrderState::kPlaced, Us(27), "actor-1", "reason-1"},
                     {OrderState::kPicking, Us(28), "actor-2", "reason-2"},
                     {OrderState::kReadyForPickup, Us(29), "actor-3", "reason-3"}};

    returned.id = ReturnId("ret-A");
    returned.order_id = OrderId("ord-A");
    returned.customer = CustomerId("cust-R");
    returned.location = LocationId("loc-B");
    returned.state = ReturnState::kCompleted;
    returned.lines = {{Sku("sku-B"), 4, Disposition::kInspect, 1, 2, 1},
                      {Sku("sku-R"), 5, Disposition::kDamaged, 0, 0, 5},
                      {Sku("sku-S"), 3, Disposition::kRestock, 0, 3, 0}};
    returned.reason = "reason-R";
    returned.reference = "ref-R";
    returned.created_at = Us(33);
    returned.updated_at = Us(34);
    returned.history = {{ReturnState::kOpen, Us(35), "actor-R1", "note-R1"},
                        {ReturnState::kCompleted, Us(36), "actor-R2", "note-R2"}};

    of_reservation.id = ReturnId("ret-B");
    of_reservation.reservation_id = ReservationId("res-D");
    of_reservation.location = LocationId("loc-A");
    of_reservation.lines = {{Sku("sku-C"), 9, Disposition::kInspect, 9, 0, 0}};
    of_reservation.reason = "reason-B";
    of_reservation.reference = "ref-B";
    of_reservation.created_at = Us(37);
    of_reservation.updated_at = Us(38);
    of_reservation.history = {{ReturnState::kOpen, Us(39), "actor-B", "note-B"}};

    request.request_id = "req-A";
    request.payload_hash = 0x8000000000000029ULL;
    request.method = "ConfirmPickup";
    request.response = std::string("resp\0\xff", 6);
    request.error = Status::FailedPrecondition("REASON_A", "message A").With("key-A", "value-A");
    request.created_at = Us(30);

    event.sequence = 41;
    event.time = Us(32);
    event.kind = EventKind::kOrder;
    event.sku = Sku("sku-E");
    event.location = LocationId("loc-E");
    event.subject = "subject-E";
    event.customer = "cust-E";
  }
};

std::string PayloadOf(const Event& e) {
  return std::string("payload\0\xfe", 9) + std::to_string(e.sequence);
}

void ExpectSame(const Movement& a, const Movement& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.sku, b.sku);
  EXPECT_EQ(a.location, b.location);
  EXPECT_EQ(a.delta, b.delta);
  EXPECT_EQ(a.on_hand_after, b.on_hand_after);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.reference, b.reference);
  EXPECT_EQ(a.request_id, b.request_id);
  EXPECT_EQ(a.actor, b.actor);
  EXPECT_EQ(a.created_at, b.created_at);
}

void ExpectSame(const Reservation& a, const Reservation& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.channel, b.channel);
  EXPECT_EQ(a.reference, b.reference);
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
  EXPECT_EQ(a.order_id, b.order_id);
  EXPECT_EQ(a.end_reason, b.end_reason);
}

void ExpectSame(const Order& a, const Order& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.pickup_location, b.pickup_location);
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_EQ(a.pickup_code, b.pickup_code);
  EXPECT_EQ(a.reservation, b.reservation);
  EXPECT_EQ(a.hold, b.hold);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.ready_at, b.ready_at);
  EXPECT_EQ(a.pickup_deadline, b.pickup_deadline);
  EXPECT_EQ(a.failed_pickup_attempts, b.failed_pickup_attempts);
  EXPECT_EQ(a.history, b.history);
}

void ExpectSame(const Return& a, const Return& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.order_id, b.order_id);
  EXPECT_EQ(a.reservation_id, b.reservation_id);
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.location, b.location);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.lines, b.lines);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.reference, b.reference);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.updated_at, b.updated_at);
  EXPECT_EQ(a.history, b.history);
}

class RoundTripTest : public ::testing::Test {
 protected:
  RoundTripTest() : reader_(dir_.File("oms.db")) {
    auto opened = SqliteStore::Open({.path = dir_.File("oms.db")}, PayloadOf);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    Changes c;
    c.locations = {rows_.location, rows_.other};
    c.groups = {rows_.group};
    c.stock = {{rows_.key, rows_.level}};
    c.movements = {rows_.movement};
    c.reservations = {rows_.live, rows_.done};
    c.orders = {rows_.order};
    c.new_reservations = {rows_.live.id, rows_.done.id};
    c.relined_orders = {rows_.order.id};
    c.returns = {rows_.returned, rows_.of_reservation};
    c.events = {rows_.event};
    EXPECT_TRUE(store_->Begin().ok());
    Status written = store_->Write(c, &rows_.request);
    EXPECT_TRUE(written.ok()) << written.ToString();
    EXPECT_TRUE(store_->Commit().ok());
  }

  Snapshot Load() {
    Result<Snapshot> s = store_->Load();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : Snapshot{};
  }

  TempDir dir_;
  Rows rows_;
  std::unique_ptr<SqliteStore> store_;
  Reader reader_;
};

TEST_F(RoundTripTest, Locations_ThroughLoad_GetLocation_AndListLocations) {
  Snapshot s = Load();
  ASSERT_EQ(s.locations.size(), 2u);
  EXPECT_EQ(s.locations[0], rows_.location);
  EXPECT_EQ(s.locations[1], rows_.other);
  auto got = reader_.GetLocation(rows_.location.id);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  EXPECT_EQ(**got, rows_.location);
  auto listed = reader_.ListLocations("", 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(*listed, (std::vector<Location>{rows_.location, rows_.other}));
}

TEST_F(RoundTripTest, GroupsAndMembers_ThroughLoad_AndListGroups) {
  Snapshot s = Load();
  ASSERT_EQ(s.groups.size(), 1u);
  EXPECT_EQ(s.groups[0], rows_.group);
  auto listed = reader_.ListGroups("", 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0], rows_.group);
}

TEST_F(RoundTripTest, StockLevels_ThroughLoad_AndListStock) {
  Snapshot s = Load();
  ASSERT_EQ(s.stock.size(), 1u);
  EXPECT_EQ(s.stock[0].first, rows_.key);
  EXPECT_EQ(s.stock[0].second, rows_.level);
  auto listed = reader_.ListStock(rows_.key.location, "", 10);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].first, rows_.key);
  EXPECT_EQ((*listed)[0].second, rows_.level);
}

TEST_F(RoundTripTest, Movements_ThroughLoad_AndEveryListMovementsFilter) {
  EXPECT_EQ(Load().last_movement_id, rows_.movement.id);
  const Movement& m = rows_.movement;
  for (const MovementFilter& filter :
       std::vector<MovementFilter>{{},
                                   {.sku = m.sku.str()},
                                   {.location_id = m.location.str()},
                                   {.sku = m.sku.str(), .location_id = m.location.str()}}) {
    auto listed = reader_.ListMovements(filter, 10);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_EQ(listed->size(), 1u);
    ExpectSame((*listed)[0], m);
  }
}

TEST_F(RoundTripTest, ReservationsAndLines_ThroughLoad_Find_Get_AndList) {
  Snapshot s = Load();
  ASSERT_EQ(s.active_reservations.size(), 1u);
  ExpectSame(s.active_reservations[0], rows_.live);
  for (const Reservation* r : {&rows_.live, &rows_.done}) {
    ASSERT_TRUE(store_->Begin().ok());
    auto found = store_->FindReservation(r->id);
    store_->Rollback();
    ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
    ExpectSame(**found, *r);
    auto got = reader_.GetReservation(r->id);
    ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
    ExpectSame(**got, *r);
    auto listed = reader_.ListReservations(r->state, FromMicros(0), "", 10);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_EQ(listed->size(), 1u);
    ExpectSame((*listed)[0], *r);
  }
}

TEST_F(RoundTripTest, OrdersLinesAndHistory_ThroughLoad_Find_Get_AndListOrders) {
  Snapshot s = Load();
  ASSERT_EQ(s.live_orders.size(), 1u);
  ExpectSame(s.live_orders[0], rows_.order);
  ASSERT_TRUE(store_->Begin().ok());
  auto found = store_->FindOrder(rows_.order.id);
  store_->Rollback();
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
  ExpectSame(**found, rows_.order);
  auto got = reader_.GetOrder(rows_.order.id);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  ExpectSame(**got, rows_.order);
  for (const OrderQuery& query :
       {OrderQuery{.customer_id = rows_.order.customer.str()},
        OrderQuery{.pickup_location_id = rows_.order.pickup_location.str()}}) {
    auto listed = reader_.ListOrders(query, 10);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_EQ(listed->size(), 1u);
    ExpectSame((*listed)[0], rows_.order);
  }
}

TEST_F(RoundTripTest, ReturnsLinesAndHistory_ThroughFind_Get_AndEveryListReturnsFilter) {
  for (const Return* r : {&rows_.returned, &rows_.of_reservation}) {
    ASSERT_TRUE(store_->Begin().ok());
    auto found = store_->FindReturn(r->id);
    store_->Rollback();
    ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
    ExpectSame(**found, *r);
    auto got = reader_.GetReturn(r->id);
    ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
    ExpectSame(**got, *r);
  }
  auto by_customer = reader_.ListReturns({.customer_id = "cust-R"}, 10);
  ASSERT_TRUE(by_customer.ok()) << by_customer.status().ToString();
  ASSERT_EQ(by_customer->size(), 1u);
  ExpectSame((*by_customer)[0], rows_.returned);
  auto by_location = reader_.ListReturns({.location_id = "loc-A"}, 10);
  ASSERT_TRUE(by_location.ok()) << by_location.status().ToString();
  ASSERT_EQ(by_location->size(), 1u);
  ExpectSame((*by_location)[0], rows_.of_reservation);
  auto all = reader_.ListReturns({}, 10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  ExpectSame((*all)[0], rows_.of_reservation);  // newest first
  ExpectSame((*all)[1], rows_.returned);
}

TEST_F(RoundTripTest, ReturnedUnits_ThroughFindReturned) {
  ASSERT_TRUE(store_->Begin().ok());
  auto of_order = store_->FindReturned("ord-A");
  auto of_reservation = store_->FindReturned("res-D");
  store_->Rollback();
  ASSERT_TRUE(of_order.ok()) << of_order.status().ToString();
  EXPECT_EQ(*of_order,
            (std::vector<ReturnedUnits>{{Sku("sku-B"), 4}, {Sku("sku-R"), 5}, {Sku("sku-S"), 3}}));
  ASSERT_TRUE(of_reservation.ok()) << of_reservation.status().ToString();
  EXPECT_EQ(*of_reservation, (std::vector<ReturnedUnits>{{Sku("sku-C"), 9}}));
}

TEST_F(RoundTripTest, Requests_ThroughFindRequest) {
  ASSERT_TRUE(store_->Begin().ok());
  auto found = store_->FindRequest(rows_.request.request_id);
  store_->Rollback();
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
  const RequestRecord& r = **found;
  EXPECT_EQ(r.request_id, rows_.request.request_id);
  EXPECT_EQ(r.payload_hash, rows_.request.payload_hash);
  EXPECT_EQ(r.method, rows_.request.method);
  EXPECT_EQ(r.response, rows_.request.response);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code(), rows_.request.error->code());
  EXPECT_EQ(r.error->reason(), rows_.request.error->reason());
  EXPECT_EQ(r.error->message(), rows_.request.error->message());
  EXPECT_EQ(r.error->metadata(), rows_.request.error->metadata());
  EXPECT_EQ(r.created_at, rows_.request.created_at);
}

TEST_F(RoundTripTest, Events_ThroughLoad_AndReadEvents) {
  const Event& e = rows_.event;
  EXPECT_EQ(Load().last_sequence, e.sequence);
  int64_t scanned_to = 0;
  int64_t first_scanned = 0;
  auto read = reader_.ReadEvents(0, static_cast<int>(e.kind), 10, &scanned_to, &first_scanned);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), 1u);
  const StoredEvent& stored = (*read)[0];
  EXPECT_EQ(stored.sequence, e.sequence);
  EXPECT_EQ(stored.kind, static_cast<int>(e.kind));
  EXPECT_EQ(stored.sku, e.sku.str());
  EXPECT_EQ(stored.location_id, e.location.str());
  EXPECT_EQ(stored.subject, e.subject);
  EXPECT_EQ(stored.customer_id, e.customer);
  EXPECT_EQ(stored.payload, PayloadOf(e));
  // No read path returns the time (purging by age uses it), so it is checked in the row.
  storage::Statement& q = store_->db().Prepare("SELECT created_at FROM events");
  ASSERT_TRUE(q.Step());
  EXPECT_EQ(q.Int(0), ToMicros(e.time));
  q.Reset();
}

}  // namespace
}  // namespace oms::testing

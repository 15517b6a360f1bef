// The Store port's contract, run against BOTH the in-memory fake and the SQLite adapter:
// batches commit or roll back whole, each Write is atomic, constraints reject impossible
// rows, and lookups see the open batch. The fake is only trustworthy if it passes these too.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include "tests/storage/store_fixtures.h"

namespace oms::testing {
namespace {

template <typename Backend>
class StoreContractTest : public ::testing::Test {
 protected:
  StoreContractTest() : store_(&backend_.Open()) {}
  void SetUp() override { OMS_SKIP_UNAVAILABLE_BACKEND(Backend); }

  void Reopen() { store_ = &backend_.Open(); }

  // Writes `changes` as one command of its own committed batch.
  void Commit(const Changes& changes, const RequestRecord* record = nullptr) {
    ASSERT_TRUE(store_->Begin().ok());
    Status written = store_->Write(changes, record);
    ASSERT_TRUE(written.ok()) << written.ToString();
    ASSERT_TRUE(store_->Commit().ok());
  }

  void CommitLocation(const std::string& id) {
    Changes c;
    c.locations.push_back(MakeLocation(id));
    Commit(c);
  }

  Snapshot Load() {
    Result<Snapshot> s = store_->Load();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : Snapshot{};
  }

  Backend backend_;
  Store* store_;
};

using Backends = ::testing::Types<MemoryBackend, SqliteBackend, PgBackend>;
TYPED_TEST_SUITE(StoreContractTest, Backends, BackendNames);

TYPED_TEST(StoreContractTest, Load_OfANewStore_IsEmptyWithZeroCounters) {
  Snapshot s = this->Load();
  EXPECT_TRUE(s.locations.empty());
  EXPECT_TRUE(s.groups.empty());
  EXPECT_TRUE(s.stock.empty());
  EXPECT_TRUE(s.active_reservations.empty());
  EXPECT_TRUE(s.live_orders.empty());
  EXPECT_EQ(s.last_sequence, 0);
  EXPECT_EQ(s.last_movement_id, 0);
}

TYPED_TEST(StoreContractTest, Commit_MakesEveryKindOfRowVisibleToLoad) {
  this->CommitLocation("s1");
  Changes c;
  c.groups.push_back({GroupId("online"), {LocationId("s1")}, At(2)});
  c.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, MakeLevel(5));
  c.movements.push_back(MakeMovement(1, "a", "s1", 5, 5));
  c.events.push_back(MakeEvent(1));
  c.events.push_back(MakeEvent(2));
  this->Commit(c);

  Snapshot s = this->Load();
  ASSERT_EQ(s.locations.size(), 1u);
  EXPECT_EQ(s.locations[0], MakeLocation("s1"));
  ASSERT_EQ(s.groups.size(), 1u);
  EXPECT_EQ(s.groups[0].members, std::vector<LocationId>{LocationId("s1")});
  ASSERT_EQ(s.stock.size(), 1u);
  EXPECT_EQ(s.stock[0].second, MakeLevel(5));
  EXPECT_EQ(s.last_movement_id, 1);
  EXPECT_EQ(s.last_sequence, 2);
}

TYPED_TEST(StoreContractTest, Reopen_KeepsWhatWasCommitted) {
  this->CommitLocation("s1");
  Changes c;
  c.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, MakeLevel(7, 0, 3));
  c.movements.push_back(MakeMovement(9, "a", "s1", 7, 7));
  c.events.push_back(MakeEvent(1));
  this->Commit(c);
  this->Reopen();
  Snapshot s = this->Load();
  ASSERT_EQ(s.stock.size(), 1u);
  EXPECT_EQ(s.stock[0].second.on_hand, 7);
  EXPECT_EQ(s.stock[0].second.version, 3);
  EXPECT_EQ(s.last_movement_id, 9);
  EXPECT_EQ(s.last_sequence, 1);
}

TYPED_TEST(StoreContractTest, Rollback_DiscardsEveryWriteOfTheBatch) {
  ASSERT_TRUE(this->store_->Begin().ok());
  Changes first;
  first.locations.push_back(MakeLocation("s1"));
  ASSERT_TRUE(this->store_->Write(first, nullptr).ok());
  Changes second;
  second.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, MakeLevel(3));
  second.movements.push_back(MakeMovement(1, "a", "s1", 3, 3));
  RequestRecord record = MakeRecord("r1");
  ASSERT_TRUE(this->store_->Write(second, &record).ok());
  this->store_->Rollback();

  Snapshot s = this->Load();
  EXPECT_TRUE(s.locations.empty());
  EXPECT_TRUE(s.stock.empty());
  EXPECT_EQ(s.last_movement_id, 0);
  ASSERT_TRUE(this->store_->Begin().ok());
  auto found = this->store_->FindRequest("r1");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, FindRequest_SeesARecordWrittenEarlierInTheOpenBatch) {
  this->CommitLocation("s1");
  ASSERT_TRUE(this->store_->Begin().ok());
  RequestRecord record = MakeRecord("r1", At(5));
  record.payload_hash = 0xfedcba9876543210ULL;  // all 64 bits survive storage
  ASSERT_TRUE(this->store_->Write(Changes{}, &record).ok());
  auto found = this->store_->FindRequest("r1");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->payload_hash, record.payload_hash);
  EXPECT_EQ((*found)->method, "AdjustStock");
  EXPECT_EQ((*found)->response, "response of r1");
  EXPECT_EQ((*found)->created_at, At(5));
  EXPECT_FALSE((*found)->error.has_value());
  this->store_->Rollback();
}

// A retry must get the first call's error exactly: its code, reason and message, and the
// ErrorInfo metadata (attempts_left) and field violations in their order.
TYPED_TEST(StoreContractTest, FindRequest_KeepsTheWholeStoredError) {
  RequestRecord record = MakeRecord("r1");
  record.response.clear();
  Status error = Status::FailedPrecondition("PICKUP_CODE_MISMATCH", "wrong \"code\"\x1f\n");
  error.With("order_id", "ord_1").With("attempts_left", "3").With("note", "\x1f{}[]\xc3\xa9");
  error.WithViolation("pickup_code", "does not match").WithViolation("lines[0].sku", "");
  record.error = error;
  this->Commit(Changes{}, &record);
  this->Reopen();
  ASSERT_TRUE(this->store_->Begin().ok());
  auto found = this->store_->FindRequest("r1");
  this->store_->Rollback();
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  ASSERT_TRUE((*found)->error.has_value());
  const Status& replayed = *(*found)->error;
  EXPECT_EQ(replayed.code(), Code::kFailedPrecondition);
  EXPECT_EQ(replayed.reason(), "PICKUP_CODE_MISMATCH");
  EXPECT_EQ(replayed.message(), error.message());
  EXPECT_EQ(replayed.metadata(), error.metadata());
  ASSERT_EQ(replayed.violations().size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(replayed.violations()[i].field, error.violations()[i].field);
    EXPECT_EQ(replayed.violations()[i].description, error.violations()[i].description);
  }
}

TYPED_TEST(StoreContractTest, FindRequest_ForAnUnknownId_FindsNothing) {
  ASSERT_TRUE(this->store_->Begin().ok());
  auto found = this->store_->FindRequest("never");
  this->store_->Rollback();
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

// One Write is one command: if any of its rows is refused, none of them is kept, and the
// commands written before it in the same batch are untouched.
TYPED_TEST(StoreContractTest, Write_RefusedByAConstraint_KeepsNoneOfItsRows) {
  ASSERT_TRUE(this->store_->Begin().ok());
  Changes good;
  good.locations.push_back(MakeLocation("s1"));
  ASSERT_TRUE(this->store_->Write(good, nullptr).ok());
  Changes bad;
  bad.locations.push_back(MakeLocation("s2"));
  bad.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, MakeLevel(-1));
  RequestRecord record = MakeRecord("bad");
  Status refused = this->store_->Write(bad, &record);
  EXPECT_EQ(refused.code(), Code::kInternal) << refused.ToString();
  auto found = this->store_->FindRequest("bad");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
  ASSERT_TRUE(this->store_->Commit().ok());

  Snapshot s = this->Load();
  ASSERT_EQ(s.locations.size(), 1u);
  EXPECT_EQ(s.locations[0].id.str(), "s1");
  EXPECT_TRUE(s.stock.empty());
}

// QueueWrites (one round trip per batch on PostgreSQL): the writes commit as if written at
// once, a read in the batch sees them, and a refused one fails the Write or — queued — the
// Commit, keeping nothing of the batch then.
TYPED_TEST(StoreContractTest, QueuedWrites_CommitAndAreSeenInTheBatch) {
  this->store_->QueueWrites(true);
  ASSERT_TRUE(this->store_->Begin().ok());
  Changes location;
  location.locations.push_back(MakeLocation("s1"));
  RequestRecord first = MakeRecord("first");
  ASSERT_TRUE(this->store_->Write(location, &first).ok());
  Changes stock = Created({MakeReservation("res_1", "s1", 2)});
  stock.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, MakeLevel(5, 2));
  stock.events.push_back(MakeEvent(1));
  stock.events.push_back(MakeEvent(2));
  ASSERT_TRUE(this->store_->Write(stock, nullptr).ok());
  Changes more;
  more.events.push_back(MakeEvent(3));
  // The same row again in the batch: the last write wins.
  more.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, MakeLevel(7, 2, 2));
  RequestRecord second = MakeRecord("second");
  ASSERT_TRUE(this->store_->Write(more, &second).ok());
  auto found = this->store_->FindReservation(ReservationId("res_1"));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(found->has_value());
  ASSERT_TRUE(this->store_->Commit().ok());
  this->store_->QueueWrites(false);

  Snapshot s = this->Load();
  ASSERT_EQ(s.locations.size(), 1u);
  ASSERT_EQ(s.stock.size(), 1u);
  EXPECT_EQ(s.stock[0].second.on_hand, 7);
  EXPECT_EQ(s.stock[0].second.version, 2);
  EXPECT_EQ(s.last_sequence, 3);
  ASSERT_TRUE(this->store_->Begin().ok());
  for (const char* id : {"first", "second"}) {
    auto stored = this->store_->FindRequest(id);
    ASSERT_TRUE(stored.ok());
    EXPECT_TRUE(stored->has_value()) << id << ": committed with the batch";
  }
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, QueuedWrites_ARefusal_FailsTheWriteOrTheCommit) {
  this->store_->QueueWrites(true);
  ASSERT_TRUE(this->store_->Begin().ok());
  Changes good;
  good.locations.push_back(MakeLocation("s1"));
  ASSERT_TRUE(this->store_->Write(good, nullptr).ok());
  Changes bad;
  bad.locations.push_back(MakeLocation("s2"));
  bad.stock.emplace_back(StockKey{Sku("a"), LocationId("nowhere")}, MakeLevel(1));
  Status refused = this->store_->Write(bad, nullptr);
  Status committed = this->store_->Commit();
  this->store_->QueueWrites(false);
  if (refused.ok()) {  // queued: the whole batch is refused
    EXPECT_EQ(committed.code(), Code::kInternal) << committed.ToString();
    this->store_->Rollback();
    EXPECT_TRUE(this->Load().locations.empty());
  } else {  // written at once: only that command is
    EXPECT_EQ(refused.code(), Code::kInternal) << refused.ToString();
    ASSERT_TRUE(committed.ok()) << committed.ToString();
    Snapshot s = this->Load();
    ASSERT_EQ(s.locations.size(), 1u);
    EXPECT_EQ(s.locations[0].id.str(), "s1");
  }
}

TYPED_TEST(StoreContractTest, Write_NegativeReserved_IsRefused) {
  this->CommitLocation("s1");
  ASSERT_TRUE(this->store_->Begin().ok());
  Changes c;
  c.stock.emplace_back(StockKey{Sku("a"), LocationId("s1")}, MakeLevel(1, -1));
  EXPECT_EQ(this->store_->Write(c, nullptr).code(), Code::kInternal);
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, Write_StockAtAnUnknownLocation_IsRefused) {
  ASSERT_TRUE(this->store_->Begin().ok());
  Changes c;
  c.stock.emplace_back(StockKey{Sku("a"), LocationId("nowhere")}, MakeLevel(1));
  EXPECT_EQ(this->store_->Write(c, nullptr).code(), Code::kInternal);
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, Write_GroupWithAnUnknownMember_IsRefused) {
  this->CommitLocation("s1");
  ASSERT_TRUE(this->store_->Begin().ok());
  Changes c;
  c.groups.push_back({GroupId("g"), {LocationId("s1"), LocationId("nowhere")}, At(1)});
  EXPECT_EQ(this->store_->Write(c, nullptr).code(), Code::kInternal);
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, Write_ZeroDeltaMovement_IsRefused) {
  this->CommitLocation("s1");
  ASSERT_TRUE(this->store_->Begin().ok());
  Changes c;
  c.movements.push_back(MakeMovement(1, "a", "s1", 0, 0));
  EXPECT_EQ(this->store_->Write(c, nullptr).code(), Code::kInternal);
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, Write_ReusedMovementId_IsRefused) {
  this->CommitLocation("s1");
  Changes c;
  c.movements.push_back(MakeMovement(1, "a", "s1", 1, 1));
  this->Commit(c);
  ASSERT_TRUE(this->store_->Begin().ok());
  EXPECT_EQ(this->store_->Write(c, nullptr).code(), Code::kInternal);
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, Write_ReusedRequestId_IsRefused) {
  RequestRecord record = MakeRecord("once");
  this->Commit(Changes{}, &record);
  ASSERT_TRUE(this->store_->Begin().ok());
  EXPECT_EQ(this->store_->Write(Changes{}, &record).code(), Code::kInternal);
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, Write_ChangingTheStateOfAnEndedReservation_IsRefused) {
  this->CommitLocation("s1");
  Reservation r = MakeReservation("res_1", "s1", 2);
  this->Commit(Created({r}));
  r.state = ReservationState::kReleased;
  Changes released;
  released.reservations.push_back(r);
  this->Commit(released);

  r.state = ReservationState::kCommitted;
  Changes again;
  again.reservations.push_back(r);
  ASSERT_TRUE(this->store_->Begin().ok());
  EXPECT_EQ(this->store_->Write(again, nullptr).code(), Code::kInternal);
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, Load_ReturnsOnlyActiveReservations_WithTheirLines) {
  this->CommitLocation("s1");
  Reservation active = MakeReservation("res_1", "s1", 2);
  Reservation ended = MakeReservation("res_2", "s1", 3);
  ended.state = ReservationState::kExpired;
  this->Commit(Created({active, ended}));
  Snapshot s = this->Load();
  ASSERT_EQ(s.active_reservations.size(), 1u);
  EXPECT_EQ(s.active_reservations[0].id.str(), "res_1");
  EXPECT_EQ(s.active_reservations[0].lines, active.lines);
  EXPECT_EQ(s.active_reservations[0].expires_at, At(100));
}

TYPED_TEST(StoreContractTest, Write_OfAReservationWithUnchangedLines_KeepsTheStoredLines) {
  this->CommitLocation("s1");
  Reservation r = MakeReservation("res_1", "s1", 2);
  this->Commit(Created({r}));
  Reservation extended = r;
  extended.lines.clear();  // not rewritten: neither new nor relined
  extended.expires_at = At(200);
  Changes c;
  c.reservations.push_back(extended);
  this->Commit(c);
  Snapshot s = this->Load();
  ASSERT_EQ(s.active_reservations.size(), 1u);
  EXPECT_EQ(s.active_reservations[0].lines, r.lines);
  EXPECT_EQ(s.active_reservations[0].expires_at, At(200));
}

TYPED_TEST(StoreContractTest, Write_OfAReservationWithRelinedLines_ReplacesThem) {
  this->CommitLocation("s1");
  Reservation r = MakeReservation("res_1", "s1", 2);
  this->Commit(Created({r}));
  r.lines[0].quantity = 1;
  Changes c;
  c.reservations.push_back(r);
  c.relined_reservations.insert(r.id);
  this->Commit(c);
  Snapshot s = this->Load();
  ASSERT_EQ(s.active_reservations.size(), 1u);
  EXPECT_EQ(s.active_reservations[0].lines, r.lines);
}

TYPED_TEST(StoreContractTest, Write_OfAnOrder_AppendsItsNewHistory_AndWritesLinesOnlyWhenTold) {
  this->CommitLocation("s1");
  Reservation r = MakeReservation("res_1", "s1", 2);
  r.order_id = OrderId("ord_1");
  Order o = MakeOrder("ord_1", "s1", "res_1");
  Changes placed = Created({r});
  placed.orders.push_back(o);
  placed.relined_orders.insert(o.id);
  this->Commit(placed);

  Order picking = o;
  picking.state = OrderState::kPicking;
  picking.history.push_back({OrderState::kPicking, At(2), "tester", ""});
  picking.lines[0].quantity = 1;  // not written: not relined
  Changes started;
  started.orders.push_back(picking);
  started.stored_history.emplace(o.id, 1);
  this->Commit(started);
  Result<std::optional<Order>> found = this->store_->FindOrder(o.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->history, picking.history);
  EXPECT_EQ((*found)->lines, o.lines);

  Order ready = picking;
  ready.state = OrderState::kReadyForPickup;
  ready.pickup_deadline = At(100);
  ready.history.push_back({OrderState::kReadyForPickup, At(3), "tester", "short pick"});
  Changes short_pick;
  short_pick.orders.push_back(ready);
  short_pick.relined_orders.insert(o.id);
  short_pick.stored_history.emplace(o.id, 2);
  this->Commit(short_pick);
  found = this->store_->FindOrder(o.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->history, ready.history);
  EXPECT_EQ((*found)->lines, ready.lines);
}

TYPED_TEST(StoreContractTest, FindReservation_SeesTheOpenBatch_AndEndedReservations) {
  this->CommitLocation("s1");
  Reservation r = MakeReservation("res_1", "s1", 2);
  r.state = ReservationState::kCommitted;
  ASSERT_TRUE(this->store_->Begin().ok());
  ASSERT_TRUE(this->store_->Write(Created({r}), nullptr).ok());
  auto found = this->store_->FindReservation(ReservationId("res_1"));
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->state, ReservationState::kCommitted);
  EXPECT_EQ((*found)->lines, r.lines);
  auto missing = this->store_->FindReservation(ReservationId("res_9"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  this->store_->Rollback();
}

TYPED_TEST(StoreContractTest, PurgeRequests_RemovesOnlyOlderRecords_OldestFirst) {
  for (int i = 1; i <= 4; ++i) {
    // Ids in the reverse order of age, so id order and age order differ.
    RequestRecord record = MakeRecord(fmt::format("r{}", 5 - i), At(i));
    this->Commit(Changes{}, &record);
  }
  ASSERT_TRUE(this->store_->Begin().ok());
  Result<int64_t> purged = this->store_->PurgeRequests(At(4), 2);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 2);
  auto exists = [&](const std::string& id) {
    auto found = this->store_->FindRequest(id);
    return found.ok() && found->has_value();
  };
  EXPECT_FALSE(exists("r4"));  // At(1)
  EXPECT_FALSE(exists("r3"));  // At(2)
  EXPECT_TRUE(exists("r2"));   // At(3): old enough, beyond max_rows
  EXPECT_TRUE(exists("r1"));   // At(4): not older than `before`
  ASSERT_TRUE(this->store_->Commit().ok());
}

TYPED_TEST(StoreContractTest, PurgeEvents_AlwaysKeepsTheNewest_SoSequencesContinue) {
  Changes c;
  for (int i = 1; i <= 5; ++i) c.events.push_back(MakeEvent(i, At(i)));
  this->Commit(c);
  ASSERT_TRUE(this->store_->Begin().ok());
  Result<int64_t> purged = this->store_->PurgeEvents(At(1000), 0, 100);
  ASSERT_TRUE(this->store_->Commit().ok());
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 4);
  this->Reopen();
  EXPECT_EQ(this->Load().last_sequence, 5);
}

TYPED_TEST(StoreContractTest, PurgeEvents_KeepsTheNewestKeepEvents) {
  Changes c;
  for (int i = 1; i <= 5; ++i) c.events.push_back(MakeEvent(i, At(i)));
  this->Commit(c);
  ASSERT_TRUE(this->store_->Begin().ok());
  Result<int64_t> purged = this->store_->PurgeEvents(At(0), 3, 100);
  ASSERT_TRUE(this->store_->Commit().ok());
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 2);
}

}  // namespace
}  // namespace oms::testing

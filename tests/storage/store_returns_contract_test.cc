// The Store port's contract for returns, run against BOTH the in-memory fake and the SQLite
// adapter: a return is found whole (lines and history) as of the open batch, a stored one is
// rewritten with its new lines and only its new history, the units returned from one sale
// are summed per SKU, an order's lines show them, and quarantined stock round-trips.
#include <gtest/gtest.h>

#include "tests/storage/store_fixtures.h"

namespace oms::testing {
namespace {

template <typename Backend>
class ReturnStoreContractTest : public ::testing::Test {
 protected:
  ReturnStoreContractTest() : store_(&backend_.Open()) {}
  void SetUp() override { OMS_SKIP_UNAVAILABLE_BACKEND(Backend); }

  void Reopen() { store_ = &backend_.Open(); }

  // Writes `changes` as one command of its own committed batch.
  void Commit(const Changes& changes) {
    ASSERT_TRUE(store_->Begin().ok());
    Status written = store_->Write(changes, nullptr);
    ASSERT_TRUE(written.ok()) << written.ToString();
    ASSERT_TRUE(store_->Commit().ok());
  }

  void CommitLocations() {
    Changes c;
    c.locations = {MakeLocation("s1"), MakeLocation("s2")};
    Commit(c);
  }

  // The return `id` as the store finds it inside a batch, or nothing.
  std::optional<Return> Find(const std::string& id) {
    EXPECT_TRUE(store_->Begin().ok());
    Result<std::optional<Return>> found = store_->FindReturn(ReturnId(id));
    store_->Rollback();
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::nullopt;
  }

  std::vector<ReturnedUnits> Returned(const std::string& source) {
    EXPECT_TRUE(store_->Begin().ok());
    Result<std::vector<ReturnedUnits>> found = store_->FindReturned(source);
    store_->Rollback();
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::vector<ReturnedUnits>{};
  }

  Backend backend_;
  Store* store_;
};

using Backends = ::testing::Types<MemoryBackend, SqliteBackend, PgBackend>;
TYPED_TEST_SUITE(ReturnStoreContractTest, Backends, BackendNames);

TYPED_TEST(ReturnStoreContractTest, FindReturn_OfANewReturn_FindsItWhole_InTheOpenBatch) {
  this->CommitLocations();
  Return r = MakeReturn("ret_1", "ord_1", "s1", At(5));
  ASSERT_TRUE(this->store_->Begin().ok());
  ASSERT_TRUE(this->store_->Write(ReturnsWritten({r}), nullptr).ok());
  auto in_batch = this->store_->FindReturn(r.id);
  ASSERT_TRUE(this->store_->Commit().ok());
  ASSERT_TRUE(in_batch.ok() && in_batch->has_value()) << in_batch.status().ToString();
  EXPECT_EQ((*in_batch)->lines, r.lines);

  this->Reopen();
  std::optional<Return> found = this->Find("ret_1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, r.id);
  EXPECT_EQ(found->order_id, r.order_id);
  EXPECT_TRUE(found->reservation_id.empty());
  EXPECT_EQ(found->customer, r.customer);
  EXPECT_EQ(found->location, r.location);
  EXPECT_EQ(found->state, ReturnState::kOpen);
  EXPECT_EQ(found->lines, r.lines);
  EXPECT_EQ(found->reason, r.reason);
  EXPECT_EQ(found->reference, r.reference);
  EXPECT_EQ(found->created_at, At(5));
  EXPECT_EQ(found->updated_at, At(5));
  EXPECT_EQ(found->history, r.history);
  EXPECT_FALSE(this->Find("ret_9").has_value());
}

TYPED_TEST(ReturnStoreContractTest, Write_OfAStoredReturn_ReplacesItsLines_AndAppendsHistory) {
  this->CommitLocations();
  Return r = MakeReturn("ret_1", "ord_1", "s1");
  this->Commit(ReturnsWritten({r}));

  // The INSPECT line resolved: one unit restocked, one written off; the return completes.
  Return resolved = r;
  resolved.lines[1] = {Sku("b"), 2, Disposition::kInspect, 0, 1, 1};
  resolved.lines.push_back({Sku("c"), 1, Disposition::kDamaged, 0, 0, 1});
  resolved.state = ReturnState::kCompleted;
  resolved.updated_at = At(7);
  resolved.history.push_back({ReturnState::kCompleted, At(7), "inspector", "restocked 1 of b"});
  this->Commit(ReturnsWritten({resolved}, /*stored_history=*/1));

  std::optional<Return> found = this->Find("ret_1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->state, ReturnState::kCompleted);
  EXPECT_EQ(found->lines, resolved.lines);
  EXPECT_EQ(found->history, resolved.history);
  EXPECT_EQ(found->updated_at, At(7));
  EXPECT_EQ(found->created_at, At(1));

  // Fewer lines than stored: the extra stored line does not survive.
  Return shrunk = resolved;
  shrunk.lines.pop_back();
  shrunk.history.push_back({ReturnState::kCompleted, At(8), "inspector", "corrected"});
  this->Commit(ReturnsWritten({shrunk}, /*stored_history=*/2));
  found = this->Find("ret_1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->lines, shrunk.lines);
  EXPECT_EQ(found->history, shrunk.history);
}

TYPED_TEST(ReturnStoreContractTest, Write_OfAHistoryEntryStoredAlready_IsRefused) {
  this->CommitLocations();
  Return r = MakeReturn("ret_1", "ord_1", "s1");
  this->Commit(ReturnsWritten({r}));
  Return again = r;
  again.history.push_back({ReturnState::kOpen, At(2), "tester", "again"});
  ASSERT_TRUE(this->store_->Begin().ok());
  // Claims nothing is stored: entry 0 would be written a second time.
  Status refused = this->store_->Write(ReturnsWritten({again}), nullptr);
  EXPECT_EQ(refused.code(), Code::kInternal) << refused.ToString();
  auto found = this->store_->FindReturn(r.id);
  this->store_->Rollback();
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->history, r.history);
}

TYPED_TEST(ReturnStoreContractTest, Write_OfAReturnLineWhosePartsDoNotAddUp_IsRefused) {
  this->CommitLocations();
  Return r = MakeReturn("ret_1", "ord_1", "s1");
  r.lines[1].quarantined = 1;  // 1 + 0 + 0 of 2
  ASSERT_TRUE(this->store_->Begin().ok());
  EXPECT_EQ(this->store_->Write(ReturnsWritten({r}), nullptr).code(), Code::kInternal);
  this->store_->Rollback();
  EXPECT_FALSE(this->Find("ret_1").has_value());
}

TYPED_TEST(ReturnStoreContractTest, Write_OfAReturnLineUnlikeItsDisposition_IsRefused) {
  this->CommitLocations();
  Return restock_quarantined = MakeReturn("ret_1", "ord_1", "s1");
  restock_quarantined.lines[0] = {Sku("a"), 1, Disposition::kRestock, 1, 0, 0};
  Return restock_written_off = MakeReturn("ret_2", "ord_1", "s1");
  restock_written_off.lines[0] = {Sku("a"), 1, Disposition::kRestock, 0, 0, 1};
  Return damaged_restocked = MakeReturn("ret_3", "ord_1", "s1");
  damaged_restocked.lines[0] = {Sku("a"), 2, Disposition::kDamaged, 0, 1, 1};
  for (const Return& r : {restock_quarantined, restock_written_off, damaged_restocked}) {
    ASSERT_TRUE(this->store_->Begin().ok());
    EXPECT_EQ(this->store_->Write(ReturnsWritten({r}), nullptr).code(), Code::kInternal)
        << r.id.str();
    this->store_->Rollback();
  }
}

TYPED_TEST(ReturnStoreContractTest, Write_ReopeningACompletedReturn_IsRefused) {
  this->CommitLocations();
  Return r = MakeReturn("ret_1", "ord_1", "s1");
  r.lines[1] = {Sku("b"), 2, Disposition::kInspect, 0, 2, 0};
  r.state = ReturnState::kCompleted;
  r.history[0].state = ReturnState::kCompleted;
  this->Commit(ReturnsWritten({r}));
  Return reopened = r;
  reopened.state = ReturnState::kOpen;
  reopened.history.push_back({ReturnState::kOpen, At(2), "tester", "reopened"});
  ASSERT_TRUE(this->store_->Begin().ok());
  EXPECT_EQ(this->store_->Write(ReturnsWritten({reopened}, 1), nullptr).code(), Code::kInternal);
  this->store_->Rollback();
  std::optional<Return> found = this->Find("ret_1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->state, ReturnState::kCompleted);
  EXPECT_EQ(found->history, r.history);
}

TYPED_TEST(ReturnStoreContractTest, Write_OfAReturnWithBothOrNeitherSale_IsRefused) {
  this->CommitLocations();
  Return both = MakeReturn("ret_1", "ord_1", "s1");
  both.reservation_id = ReservationId("res_1");
  Return neither = MakeReturn("ret_2", "", "s1");
  for (const Return& r : {both, neither}) {
    ASSERT_TRUE(this->store_->Begin().ok());
    EXPECT_EQ(this->store_->Write(ReturnsWritten({r}), nullptr).code(), Code::kInternal)
        << r.id.str();
    this->store_->Rollback();
  }
}

TYPED_TEST(ReturnStoreContractTest, Write_OfAReturnAtAnUnknownLocation_IsRefused) {
  this->CommitLocations();
  ASSERT_TRUE(this->store_->Begin().ok());
  Status refused = this->store_->Write(ReturnsWritten({MakeReturn("r", "o", "nowhere")}), nullptr);
  EXPECT_EQ(refused.code(), Code::kInternal) << refused.ToString();
  this->store_->Rollback();
}

TYPED_TEST(ReturnStoreContractTest, FindReturned_SumsEveryReturnOfOneSale_PerSku) {
  this->CommitLocations();
  Return first = MakeReturn("ret_1", "ord_1", "s1");  // a 1, b 2
  Return second = MakeReturn("ret_2", "ord_1", "s2");
  second.lines = {{Sku("a"), 3, Disposition::kDamaged, 0, 0, 3}};
  Return of_reservation = MakeReturn("ret_3", "", "s1");
  of_reservation.reservation_id = ReservationId("res_9");
  of_reservation.lines = {{Sku("a"), 5, Disposition::kRestock, 0, 5, 0}};
  Return other_order = MakeReturn("ret_4", "ord_2", "s1");
  this->Commit(ReturnsWritten({first, second, of_reservation, other_order}));

  EXPECT_EQ(this->Returned("ord_1"), (std::vector<ReturnedUnits>{{Sku("a"), 4}, {Sku("b"), 2}}));
  EXPECT_EQ(this->Returned("res_9"), (std::vector<ReturnedUnits>{{Sku("a"), 5}}));
  EXPECT_EQ(this->Returned("ord_2"), (std::vector<ReturnedUnits>{{Sku("a"), 1}, {Sku("b"), 2}}));
  EXPECT_TRUE(this->Returned("ord_3").empty());
  EXPECT_TRUE(this->Returned("").empty());
}

TYPED_TEST(ReturnStoreContractTest, FindReturned_SeesAReturnWrittenEarlierInTheOpenBatch) {
  this->CommitLocations();
  ASSERT_TRUE(this->store_->Begin().ok());
  ASSERT_TRUE(
      this->store_->Write(ReturnsWritten({MakeReturn("ret_1", "ord_1", "s1")}), nullptr).ok());
  auto returned = this->store_->FindReturned("ord_1");
  this->store_->Rollback();
  ASSERT_TRUE(returned.ok()) << returned.status().ToString();
  EXPECT_EQ(*returned, (std::vector<ReturnedUnits>{{Sku("a"), 1}, {Sku("b"), 2}}));
  EXPECT_TRUE(this->Returned("ord_1").empty());  // rolled back
}

TYPED_TEST(ReturnStoreContractTest, FindOrder_OfAnOrderWithReturns_ShowsEachLineReturned) {
  this->CommitLocations();
  Reservation res = MakeReservation("res_1", "s1", 2);
  res.order_id = OrderId("ord_1");
  Order o = MakeOrder("ord_1", "s1", "res_1");
  o.lines = {{Sku("a"), 4, 4}, {Sku("b"), 2, 2}, {Sku("z"), 1, 1}};
  Changes placed = Created({res});
  placed.orders.push_back(o);
  placed.relined_orders.insert(o.id);
  this->Commit(placed);
  Return second = MakeReturn("ret_2", "ord_1", "s2");
  second.lines = {{Sku("a"), 2, Disposition::kRestock, 0, 2, 0}};
  Return of_another_sale = MakeReturn("ret_3", "ord_2", "s1");
  this->Commit(ReturnsWritten({MakeReturn("ret_1", "ord_1", "s1"), second, of_another_sale}));

  ASSERT_TRUE(this->store_->Begin().ok());
  auto found = this->store_->FindOrder(o.id);
  this->store_->Rollback();
  ASSERT_TRUE(found.ok() && found->has_value()) << found.status().ToString();
  ASSERT_EQ((*found)->lines.size(), 3u);
  EXPECT_EQ((*found)->lines[0].returned, 3);  // 1 + 2
  EXPECT_EQ((*found)->lines[1].returned, 2);
  EXPECT_EQ((*found)->lines[2].returned, 0);
  EXPECT_EQ((*found)->lines[0].quantity, 4);
}

TYPED_TEST(ReturnStoreContractTest, Load_KeepsQuarantinedStock) {
  this->CommitLocations();
  StockLevel level = MakeLevel(5);
  level.quarantined = 3;
  Changes c;
  c.stock.emplace_back(StockKey{Sku("b"), LocationId("s1")}, level);
  this->Commit(c);
  this->Reopen();
  Result<Snapshot> s = this->store_->Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->stock.size(), 1u);
  EXPECT_EQ(s->stock[0].second.quarantined, 3);
  EXPECT_EQ(s->stock[0].second, level);
}

TYPED_TEST(ReturnStoreContractTest, Write_NegativeQuarantined_IsRefused) {
  this->CommitLocations();
  StockLevel level = MakeLevel(5);
  level.quarantined = -1;
  Changes c;
  c.stock.emplace_back(StockKey{Sku("b"), LocationId("s1")}, level);
  ASSERT_TRUE(this->store_->Begin().ok());
  EXPECT_EQ(this->store_->Write(c, nullptr).code(), Code::kInternal);
  this->store_->Rollback();
}

}  // namespace
}  // namespace oms::testing

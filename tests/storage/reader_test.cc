// Reader: the read-only WAL connections behind every List*/Get* RPC. Pages are ordered and
// complete, filters select exactly their rows, and nothing uncommitted is ever visible.
#include <gtest/gtest.h>

#include "storage/reader.h"
#include "tests/storage/store_fixtures.h"

namespace oms::testing {
namespace {

using storage::Reader;

class ReaderTest : public ::testing::Test {
 protected:
  ReaderTest() : reader_(backend_.dir.File("oms.db")) { store_ = &backend_.Open(); }

  void Commit(const Changes& c) {
    ASSERT_TRUE(store_->Begin().ok());
    Status s = store_->Write(c, nullptr);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(store_->Commit().ok());
  }

  // Locations l00..l(n-1), committed.
  void CommitLocations(int n) {
    Changes c;
    for (int i = 0; i < n; ++i) c.locations.push_back(MakeLocation(Name("l", i)));
    Commit(c);
  }

  static std::string Name(const std::string& prefix, int i) {
    return prefix + (i < 10 ? "0" : "") + std::to_string(i);
  }

  SqliteBackend backend_;
  Store* store_;
  Reader reader_;
};

TEST_F(ReaderTest, GetLocation_ReturnsTheCommittedRow) {
  CommitLocations(1);
  auto found = reader_.GetLocation(LocationId("l00"));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, MakeLocation("l00"));
}

TEST_F(ReaderTest, GetLocation_OfAnUnknownId_FindsNothing) {
  auto found = reader_.GetLocation(LocationId("nope"));
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_F(ReaderTest, ListLocations_PagesVisitEveryLocationOnceInIdOrder) {
  CommitLocations(11);
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    auto rows = reader_.ListLocations(after, 4);
    ASSERT_TRUE(rows.ok());
    EXPECT_LE(rows->size(), 4u);
    for (const auto& l : *rows) seen.push_back(l.id.str());
    if (rows->size() < 4) break;
    after = rows->back().id.str();
  }
  ASSERT_EQ(seen.size(), 11u);
  for (int i = 0; i < 11; ++i) EXPECT_EQ(seen[i], Name("l", i));
}

TEST_F(ReaderTest, ListGroups_KeepsMemberOrder) {
  CommitLocations(3);
  Changes c;
  c.groups.push_back({GroupId("g"), {LocationId("l02"), LocationId("l00")}, At(1)});
  Commit(c);
  auto groups = reader_.ListGroups("", 10);
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].members, (std::vector<LocationId>{LocationId("l02"), LocationId("l00")}));
}

TEST_F(ReaderTest, ListStock_ReturnsOnlyTheLocationsRows_PagedBySku) {
  CommitLocations(2);
  Changes c;
  for (int i = 0; i < 7; ++i) {
    c.stock.emplace_back(StockKey{Sku(Name("sku", i)), LocationId("l00")}, MakeLevel(i));
    c.stock.emplace_back(StockKey{Sku(Name("sku", i)), LocationId("l01")}, MakeLevel(100));
  }
  Commit(c);
  std::vector<std::string> skus;
  std::string after;
  while (true) {
    auto rows = reader_.ListStock(LocationId("l00"), after, 3);
    ASSERT_TRUE(rows.ok());
    for (const auto& [key, level] : *rows) {
      EXPECT_EQ(key.location.str(), "l00");
      EXPECT_LT(level.on_hand, 100);
      skus.push_back(key.sku.str());
    }
    if (rows->size() < 3) break;
    after = rows->back().first.sku.str();
  }
  ASSERT_EQ(skus.size(), 7u);
  EXPECT_TRUE(std::is_sorted(skus.begin(), skus.end()));
}

class ReaderMovementsTest : public ReaderTest {
 protected:
  void SetUp() override {
    CommitLocations(2);
    // Movement i at time i: odd ids are a@l00; even ids are b, at l01 when divisible by 4.
    Changes c;
    for (int i = 1; i <= 12; ++i) {
      std::string sku = i % 2 ? "a" : "b";
      std::string location = (i % 4 == 0) ? "l01" : "l00";
      c.movements.push_back(MakeMovement(i, sku, location, 1, i, At(i)));
    }
    Commit(c);
  }

  std::vector<int64_t> Ids(MovementFilter filter, int page_size) {
    std::vector<int64_t> ids;
    for (int page = 0; page < 100; ++page) {
      auto rows = reader_.ListMovements(filter, page_size);
      EXPECT_TRUE(rows.ok());
      if (!rows.ok()) break;
      for (const auto& m : *rows) ids.push_back(m.id);
      if (static_cast<int>(rows->size()) < page_size) break;
      filter.after_id = rows->back().id;
    }
    return ids;
  }
};

TEST_F(ReaderMovementsTest, WithoutFilters_PagesThroughTheWholeLedgerOldestFirst) {
  EXPECT_EQ(Ids({}, 5), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
}

TEST_F(ReaderMovementsTest, BySku_SelectsOnlyThatSku) {
  EXPECT_EQ(Ids({.sku = "b"}, 2), (std::vector<int64_t>{2, 4, 6, 8, 10, 12}));
}

TEST_F(ReaderMovementsTest, ByLocation_SelectsOnlyThatLocation) {
  EXPECT_EQ(Ids({.location_id = "l01"}, 2), (std::vector<int64_t>{4, 8, 12}));
}

TEST_F(ReaderMovementsTest, BySkuAndLocation_SelectsTheirIntersection) {
  EXPECT_EQ(Ids({.sku = "b", .location_id = "l00"}, 10), (std::vector<int64_t>{2, 6, 10}));
}

TEST_F(ReaderMovementsTest, Since_IncludesMovementsAtThatInstant) {
  EXPECT_EQ(Ids({.since = At(10)}, 10), (std::vector<int64_t>{10, 11, 12}));
}

TEST_F(ReaderMovementsTest, Rows_CarryEveryField) {
  auto rows = reader_.ListMovements({.after_id = 2}, 1);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const Movement& m = (*rows)[0];
  Movement expected = MakeMovement(3, "a", "l00", 1, 3, At(3));
  EXPECT_EQ(m.id, expected.id);
  EXPECT_EQ(m.sku, expected.sku);
  EXPECT_EQ(m.location, expected.location);
  EXPECT_EQ(m.delta, expected.delta);
  EXPECT_EQ(m.on_hand_after, expected.on_hand_after);
  EXPECT_EQ(m.reason, expected.reason);
  EXPECT_EQ(m.reference, expected.reference);
  EXPECT_EQ(m.request_id, expected.request_id);
  EXPECT_EQ(m.actor, expected.actor);
  EXPECT_EQ(m.created_at, expected.created_at);
}

TEST_F(ReaderTest, NeverSeesTheWriterOpenBatch_OnlyItsCommit) {
  ASSERT_TRUE(store_->Begin().ok());
  Changes c;
  c.locations.push_back(MakeLocation("pending"));
  ASSERT_TRUE(store_->Write(c, nullptr).ok());
  auto during = reader_.GetLocation(LocationId("pending"));
  ASSERT_TRUE(during.ok()) << during.status().ToString();
  EXPECT_FALSE(during->has_value());
  ASSERT_TRUE(store_->Commit().ok());
  auto after = reader_.GetLocation(LocationId("pending"));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->has_value());
}

TEST_F(ReaderTest, RolledBackBatch_IsNeverVisible) {
  ASSERT_TRUE(store_->Begin().ok());
  Changes c;
  c.locations.push_back(MakeLocation("gone"));
  ASSERT_TRUE(store_->Write(c, nullptr).ok());
  store_->Rollback();
  auto found = reader_.GetLocation(LocationId("gone"));
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

// Returns ret_0..ret_6 of customers c1 and c2 at locations l00 and l01, several created at
// the same instant so the cursor's tie-break on the id is exercised.
class ReaderReturnsTest : public ReaderTest {
 protected:
  void SetUp() override {
    CommitLocations(2);
    struct Spec {
      const char* customer;
      const char* location;
      int64_t at;
    };
    const Spec specs[] = {{"c1", "l00", 1}, {"c2", "l01", 2}, {"c1", "l01", 2}, {"c1", "l00", 3},
                          {"c2", "l00", 3}, {"c1", "l00", 3}, {"c2", "l01", 4}};
    std::vector<Return> returns;
    for (int i = 0; i < 7; ++i) {
      Return r = MakeReturn("ret_" + std::to_string(i), "ord_" + std::to_string(i),
                            specs[i].location, At(specs[i].at));
      r.customer = CustomerId(specs[i].customer);
      returns.push_back(r);
    }
    Commit(ReturnsWritten(returns));
  }

  // Every page of `query` (`limit` per page), each page's ids in order, each next page
  // strictly before the last row of the previous one.
  std::vector<std::string> AllPages(ReturnQuery query, int limit) {
    std::vector<std::string> ids;
    for (int page = 0; page < 20; ++page) {
      auto rows = reader_.ListReturns(query, limit);
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      if (!rows.ok()) break;
      EXPECT_LE(rows->size(), static_cast<size_t>(limit));
      for (const auto& r : *rows) ids.push_back(r.id.str());
      if (static_cast<int>(rows->size()) < limit) break;
      query.before_created = rows->back().created_at;
      query.before_id = rows->back().id.str();
    }
    return ids;
  }
};

TEST_F(ReaderReturnsTest, GetReturn_ReturnsTheCommittedReturnWhole) {
  auto found = reader_.GetReturn(ReturnId("ret_3"));
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  Return expected = MakeReturn("ret_3", "ord_3", "l00", At(3));
  EXPECT_EQ((*found)->customer, CustomerId("c1"));
  EXPECT_EQ((*found)->order_id, expected.order_id);
  EXPECT_EQ((*found)->location, expected.location);
  EXPECT_EQ((*found)->lines, expected.lines);
  EXPECT_EQ((*found)->history, expected.history);
  EXPECT_EQ((*found)->created_at, At(3));
  auto missing = reader_.GetReturn(ReturnId("ret_9"));
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_F(ReaderReturnsTest, ListReturns_Unfiltered_PagesEveryReturnNewestFirst) {
  const std::vector<std::string> expected = {"ret_6", "ret_5", "ret_4", "ret_3",
                                             "ret_2", "ret_1", "ret_0"};
  for (int limit : {1, 2, 3, 7, 10}) EXPECT_EQ(AllPages({}, limit), expected) << limit;
}

TEST_F(ReaderReturnsTest, ListReturns_ByCustomer_PagesOnlyTheirReturns) {
  const std::vector<std::string> expected = {"ret_5", "ret_3", "ret_2", "ret_0"};
  for (int limit : {1, 2, 3, 4}) EXPECT_EQ(AllPages({.customer_id = "c1"}, limit), expected);
  EXPECT_TRUE(AllPages({.customer_id = "c9"}, 2).empty());
}

TEST_F(ReaderReturnsTest, ListReturns_ByLocation_PagesOnlyItsReturns) {
  const std::vector<std::string> l00 = {"ret_5", "ret_4", "ret_3", "ret_0"};
  const std::vector<std::string> l01 = {"ret_6", "ret_2", "ret_1"};
  for (int limit : {1, 2, 5}) {
    EXPECT_EQ(AllPages({.location_id = "l00"}, limit), l00);
    EXPECT_EQ(AllPages({.location_id = "l01"}, limit), l01);
  }
}

TEST_F(ReaderReturnsTest, ListReturns_BeforeACursor_StartsStrictlyAfterIt) {
  auto rows = reader_.ListReturns({.before_created = At(3), .before_id = "ret_4"}, 10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> ids;
  for (const auto& r : *rows) ids.push_back(r.id.str());
  EXPECT_EQ(ids, (std::vector<std::string>{"ret_3", "ret_2", "ret_1", "ret_0"}));
}

TEST_F(ReaderTest, GetOrderAndListOrders_ShowEachLineReturned) {
  CommitLocations(1);
  Reservation res = MakeReservation("res_1", "l00", 2);
  res.order_id = OrderId("ord_1");
  Order o = MakeOrder("ord_1", "l00", "res_1");
  o.lines = {{Sku("a"), 3, 3}, {Sku("b"), 2, 2}};
  Changes placed = Created({res});
  placed.orders.push_back(o);
  placed.relined_orders.insert(o.id);
  Commit(placed);
  Return second = MakeReturn("ret_2", "ord_1", "l00");
  second.lines = {{Sku("a"), 2, Disposition::kDamaged, 0, 0, 2}};
  Commit(ReturnsWritten(
      {MakeReturn("ret_1", "ord_1", "l00"), second, MakeReturn("ret_3", "ord_other", "l00")}));

  auto got = reader_.GetOrder(o.id);
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  EXPECT_EQ((*got)->lines, (std::vector<OrderLine>{{Sku("a"), 3, 3, 3}, {Sku("b"), 2, 2, 2}}));
  for (const OrderQuery& query :
       {OrderQuery{.customer_id = "cust"}, OrderQuery{.pickup_location_id = "l00"}}) {
    auto listed = reader_.ListOrders(query, 10);
    ASSERT_TRUE(listed.ok()) << listed.status().ToString();
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].lines, (*got)->lines);
  }
}

}  // namespace
}  // namespace oms::testing

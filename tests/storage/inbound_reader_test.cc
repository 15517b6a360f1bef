// Reader queries for inbound supply and preorders: GetInbound, ListInbound's pages and filters
// (by location, by SKU, both), and ListReservations' at-risk filter, with every future-hold
// field of a reservation line and a preorder's promise_by.
#include <gtest/gtest.h>

#include "storage/reader.h"
#include "tests/storage/store_fixtures.h"

namespace oms::testing {
namespace {

using storage::Reader;

// Inbounds po-00..po-11: even ones at s1, odd ones at s2; every third one (po-00, po-03, …)
// also has a line of sku "c".
class InboundReaderTest : public ::testing::Test {
 protected:
  InboundReaderTest() : reader_(backend_.dir.File("oms.db")) { store_ = &backend_.Open(); }

  void SetUp() override {
    Changes c;
    c.locations = {MakeLocation("s1"), MakeLocation("s2")};
    for (int i = 0; i < 12; ++i) {
      Inbound in = MakeInbound(Name(i), i % 2 == 0 ? "s1" : "s2");
      if (i % 3 == 0) in.lines.push_back({Sku("c"), 1, 0, 0});
      if (i == 5) in.state = InboundState::kReceived;  // closed ones are listed too
      c.inbounds.push_back(in);
    }
    Commit(c);
  }

  void Commit(const Changes& c) {
    ASSERT_TRUE(store_->Begin().ok());
    Status s = store_->Write(c, nullptr);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(store_->Commit().ok());
  }

  static std::string Name(int i) {
    return std::string("po-") + (i < 10 ? "0" : "") + std::to_string(i);
  }

  // Every id ListInbound returns for `query`, in pages of 2.
  std::vector<std::string> Paged(InboundQuery query) {
    std::vector<std::string> seen;
    for (int page = 0; page < 20; ++page) {
      auto rows = reader_.ListInbound(query, 2);
      EXPECT_TRUE(rows.ok()) << rows.status().ToString();
      if (!rows.ok()) break;
      EXPECT_LE(rows->size(), 2u);
      for (const auto& in : *rows) {
        seen.push_back(in.id.str());
        EXPECT_FALSE(in.lines.empty()) << in.id.str();  // whole, with lines
      }
      if (rows->size() < 2) break;
      query.after_id = rows->back().id.str();
    }
    return seen;
  }

  std::vector<std::string> Expected(bool (*keep)(int)) {
    std::vector<std::string> out;
    for (int i = 0; i < 12; ++i) {
      if (keep(i)) out.push_back(Name(i));
    }
    return out;
  }

  SqliteBackend backend_;
  Store* store_;
  Reader reader_;
};

TEST_F(InboundReaderTest, GetInbound_ReturnsItWhole_OrNothing) {
  auto got = reader_.GetInbound(InboundId("po-03"));
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  Inbound want = MakeInbound("po-03", "s2");
  want.lines.push_back({Sku("c"), 1, 0, 0});
  EXPECT_EQ(**got, want);
  auto none = reader_.GetInbound(InboundId("po-99"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(InboundReaderTest, ListInbound_Unfiltered_PagesEveryInboundOnceByIdAscending) {
  EXPECT_EQ(Paged({}), Expected([](int) { return true; }));
}

TEST_F(InboundReaderTest, ListInbound_ByLocation_PagesOnlyItsInbounds) {
  EXPECT_EQ(Paged({.location_id = "s2"}), Expected([](int i) { return i % 2 == 1; }));
}

TEST_F(InboundReaderTest, ListInbound_BySku_PagesOnlyInboundsWithALineOfIt) {
  EXPECT_EQ(Paged({.sku = "c"}), Expected([](int i) { return i % 3 == 0; }));
  EXPECT_TRUE(Paged({.sku = "nothing"}).empty());
}

TEST_F(InboundReaderTest, ListInbound_ByLocationAndSku_PagesTheirIntersection) {
  EXPECT_EQ(Paged({.location_id = "s1", .sku = "c"}),
            Expected([](int i) { return i % 2 == 0 && i % 3 == 0; }));
}

TEST_F(InboundReaderTest, ListInbound_AfterACursor_StartsStrictlyAfterIt) {
  auto rows = reader_.ListInbound({.sku = "c", .after_id = "po-03"}, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id.str(), "po-06");
  EXPECT_EQ((*rows)[1].id.str(), "po-09");
}

// res_0 and res_2 have a line at risk, res_1 a pegged future line only; res_3 was at risk
// and was released.
TEST_F(InboundReaderTest, ListReservations_AtRiskOnly_ListsOnlyThoseWithALineAtRisk) {
  std::vector<Reservation> rs;
  for (int i = 0; i < 4; ++i) {
    Reservation r = MakeReservation("res_" + std::to_string(i), "s1", 1);
    r.expires_at = At(100 - i);  // expiry order: res_3, res_2, res_1, res_0
    r.promise_by = At(70 + i);
    if (i != 1) r.lines.push_back({Sku("b"), LocationId("s1"), 2, InboundId(), At(50), true});
    if (i == 1) r.lines.push_back({Sku("b"), LocationId("s1"), 2, InboundId("po-00"), At(50)});
    if (i == 3) r.state = ReservationState::kReleased;
    rs.push_back(r);
  }
  Inbound po = MakeInbound("po-00", "s1");
  po.lines.push_back({Sku("c"), 1, 0, 0});
  po.lines[1].promised = 2;
  Changes c = Created(rs);
  c.inbounds = {po};
  c.changed_inbound_lines[po.id] = {1};
  Commit(c);

  auto risky = reader_.ListReservations(ReservationState::kActive, FromMicros(0), "", 10, true);
  ASSERT_TRUE(risky.ok()) << risky.status().ToString();
  ASSERT_EQ(risky->size(), 2u);
  EXPECT_EQ((*risky)[0].id.str(), "res_2");
  EXPECT_EQ((*risky)[1].id.str(), "res_0");
  EXPECT_EQ((*risky)[0].lines, rs[2].lines);
  EXPECT_EQ((*risky)[0].promise_by, At(72));
  auto paged = reader_.ListReservations(ReservationState::kActive, At(98), "res_2", 10, true);
  ASSERT_TRUE(paged.ok());
  ASSERT_EQ(paged->size(), 1u);
  EXPECT_EQ((*paged)[0].id.str(), "res_0");

  auto all = reader_.ListReservations(ReservationState::kActive, FromMicros(0), "", 10);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 3u);
  auto released =
      reader_.ListReservations(ReservationState::kReleased, FromMicros(0), "", 10, true);
  ASSERT_TRUE(released.ok());
  ASSERT_EQ(released->size(), 1u);
  EXPECT_EQ((*released)[0].id.str(), "res_3");

  auto pegged = reader_.GetReservation(ReservationId("res_1"));
  ASSERT_TRUE(pegged.ok() && pegged->has_value());
  EXPECT_EQ((*pegged)->lines, rs[1].lines);
  EXPECT_EQ((*pegged)->promise_by, At(71));
  auto present = reader_.GetReservation(ReservationId("res_0"));
  ASSERT_TRUE(present.ok() && present->has_value());
  EXPECT_EQ((*present)->lines[0], (ReservationLine{Sku("a"), LocationId("s1"), 1}));
}

}  // namespace
}  // namespace oms::testing

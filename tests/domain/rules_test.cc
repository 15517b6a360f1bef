// Pure domain rules: ATP per channel, which locations count for a group, and input
// validation against the limits.
#include <gtest/gtest.h>

#include "domain/availability.h"
#include "domain/limits.h"
#include "domain/validate.h"

namespace oms {
namespace {

StockLevel Level(int64_t on_hand, int64_t reserved, int64_t safety) {
  StockLevel l;
  l.on_hand = on_hand;
  l.reserved = reserved;
  l.safety_stock = safety;
  l.version = 1;
  return l;
}

TEST(Atp, RemoteChannels_SubtractSafetyStock_PosDoesNot) {
  StockLevel l = Level(10, 3, 2);
  EXPECT_EQ(Atp(l, Channel::kOnline), 5);
  EXPECT_EQ(Atp(l, Channel::kBopis), 5);
  EXPECT_EQ(Atp(l, Channel::kPos), 7);
}

TEST(Atp, IsNeverNegative_EvenWithAShortfall) {
  StockLevel l = Level(2, 5, 1);
  EXPECT_EQ(Atp(l, Channel::kOnline), 0);
  EXPECT_EQ(Atp(l, Channel::kPos), 0);
  EXPECT_EQ(Unreserved(l), 0);
}

CommittedData TwoStoresAndAWarehouse() {
  CommittedData d;
  d.locations[LocationId("ship")] = {
      LocationId("ship"), "", LocationKind::kWarehouse, true, false, true, {}};
  d.locations[LocationId("pick")] = {
      LocationId("pick"), "", LocationKind::kStore, false, true, true, {}};
  d.locations[LocationId("off")] = {
      LocationId("off"), "", LocationKind::kStore, true, true, false, {}};
  d.groups[GroupId("g")] = {
      GroupId("g"), {LocationId("ship"), LocationId("pick"), LocationId("off")}, {}};
  for (const char* loc : {"ship", "pick", "off"})
    d.stock[{Sku("a"), LocationId(loc)}] = Level(10, 0, 1);
  return d;
}

TEST(GroupAtp, Online_CountsActiveShippingMembersOnly) {
  auto r = QueryAvailability(TwoStoresAndAWarehouse(), {Sku("a")}, {LocationId(), GroupId("g")},
                             Channel::kOnline);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].atp, 9);
  ASSERT_EQ((*r)[0].locations.size(), 1u);
  EXPECT_EQ((*r)[0].locations[0].location.str(), "ship");
}

TEST(GroupAtp, Bopis_CountsActivePickupMembersOnly) {
  auto r = QueryAvailability(TwoStoresAndAWarehouse(), {Sku("a")}, {LocationId(), GroupId("g")},
                             Channel::kBopis);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].atp, 9);
  EXPECT_EQ((*r)[0].locations[0].location.str(), "pick");
}

TEST(GroupAtp, Pos_CountsEveryActiveMember_WithoutSafetyStock) {
  auto r = QueryAvailability(TwoStoresAndAWarehouse(), {Sku("a")}, {LocationId(), GroupId("g")},
                             Channel::kPos);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].atp, 20);
}

TEST(GroupAtp, InactiveLocation_PromisesNothing) {
  auto r = QueryAvailability(TwoStoresAndAWarehouse(), {Sku("a")}, {LocationId("off"), GroupId()},
                             Channel::kPos);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].atp, 0);
}

TEST(GroupAtp, UnknownGroupOrLocation_IsNotFound_UnknownSkuIsZero) {
  CommittedData d = TwoStoresAndAWarehouse();
  EXPECT_EQ(QueryAvailability(d, {Sku("a")}, {LocationId(), GroupId("nope")}, Channel::kOnline)
                .status()
                .code(),
            Code::kNotFound);
  EXPECT_EQ(QueryAvailability(d, {Sku("a")}, {LocationId("nope"), GroupId()}, Channel::kOnline)
                .status()
                .code(),
            Code::kNotFound);
  auto r = QueryAvailability(d, {Sku("zzz"), Sku("a"), Sku("zzz")}, {LocationId("ship"), GroupId()},
                             Channel::kOnline);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);  // duplicates answered once, in first-mention order
  EXPECT_EQ((*r)[0].sku.str(), "zzz");
  EXPECT_EQ((*r)[0].atp, 0);
}

TEST(Validate, Ids_MustBePrintableAsciiWithoutSpaces_UpTo128) {
  EXPECT_TRUE(ValidateId("f", "sku-1_A.b:c/d").ok());
  EXPECT_TRUE(ValidateId("f", std::string(128, 'x')).ok());
  EXPECT_FALSE(ValidateId("f", std::string(129, 'x')).ok());
  EXPECT_FALSE(ValidateId("f", "").ok());
  EXPECT_FALSE(ValidateId("f", "a b").ok());
  EXPECT_FALSE(ValidateId("f", "tab\t").ok());
  EXPECT_FALSE(ValidateId("f", "caf\xc3\xa9").ok());
  EXPECT_EQ(ValidateId("location_id", "").violations()[0].field, "location_id");
}

AdjustStock Adj(int64_t delta, MovementReason reason) {
  return AdjustStock{{Sku("a"), LocationId("s")}, delta, reason, "", {}};
}

TEST(Validate, AdjustDelta_MustBeNonZero_AndMatchTheReasonsSign) {
  EXPECT_TRUE(Validate(Adj(3, MovementReason::kReceived)).ok());
  EXPECT_TRUE(Validate(Adj(-3, MovementReason::kDamaged)).ok());
  EXPECT_TRUE(Validate(Adj(-3, MovementReason::kCorrection)).ok());
  EXPECT_TRUE(Validate(Adj(3, MovementReason::kCorrection)).ok());
  EXPECT_FALSE(Validate(Adj(0, MovementReason::kCorrection)).ok());
  EXPECT_FALSE(Validate(Adj(-3, MovementReason::kReceived)).ok());
  EXPECT_FALSE(Validate(Adj(3, MovementReason::kSold)).ok());
  EXPECT_FALSE(Validate(Adj(limits::kMaxQuantity + 1, MovementReason::kFound)).ok());
  EXPECT_FALSE(Validate(Adj(3, MovementReason::kCount)).ok());
  EXPECT_FALSE(Validate(Adj(3, MovementReason::kTransferIn)).ok());
}

TEST(Validate, Reservations_CheckLinesTtlAndPosLocations) {
  CreateReservation c;
  c.lines = {{Sku("a"), LocationId(), 1}};
  EXPECT_TRUE(Validate(c).ok());
  c.channel = Channel::kPos;
  EXPECT_EQ(Validate(c).violations()[0].field, "lines[0].location_id");
  c.channel = Channel::kOnline;
  c.ttl = std::chrono::milliseconds(999);
  EXPECT_EQ(Validate(c).violations()[0].field, "ttl");
  c.ttl = limits::kMaxTtl + std::chrono::seconds(1);
  EXPECT_FALSE(Validate(c).ok());
  c.ttl = limits::kDefaultTtl;
  c.lines.assign(limits::kMaxLines + 1, {Sku("a"), LocationId(), 1});
  EXPECT_EQ(Validate(c).violations()[0].field, "lines");
  c.lines = {{Sku("a"), LocationId(), 0}};
  EXPECT_EQ(Validate(c).violations()[0].field, "lines[0].quantity");
}

TEST(Validate, Transfers_NeedTwoDifferentLocationsAndAPositiveQuantity) {
  EXPECT_FALSE(Validate(TransferStock{Sku("a"), LocationId("x"), LocationId("x"), 1, ""}).ok());
  EXPECT_FALSE(Validate(TransferStock{Sku("a"), LocationId("x"), LocationId("y"), 0, ""}).ok());
  EXPECT_TRUE(Validate(TransferStock{Sku("a"), LocationId("x"), LocationId("y"), 1, ""}).ok());
}

TEST(Validate, Groups_RejectDuplicateMembers) {
  EXPECT_FALSE(Validate(UpsertGroup{GroupId("g"), {LocationId("a"), LocationId("a")}}).ok());
  EXPECT_TRUE(Validate(UpsertGroup{GroupId("g"), {LocationId("a"), LocationId("b")}}).ok());
}

TEST(Validate, PageSize_ZeroMeansDefault_AndIsBounded) {
  EXPECT_EQ(*ValidatePageSize(0), limits::kDefaultPageSize);
  EXPECT_EQ(*ValidatePageSize(limits::kMaxPageSize), limits::kMaxPageSize);
  EXPECT_FALSE(ValidatePageSize(limits::kMaxPageSize + 1).ok());
  EXPECT_FALSE(ValidatePageSize(-1).ok());
}

}  // namespace
}  // namespace oms

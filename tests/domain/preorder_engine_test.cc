// Preorders through the engine, on BOTH stores: pegging (earliest first, within future ATP),
// receipt serving preorders first, re-pegging or at-risk when supply falls through, the end of
// a preorder freeing its pegs, and what may not be done to units that have not arrived.
#include <gtest/gtest.h>

#include "tests/domain/inbound_fixture.h"

namespace oms::testing {
namespace {

template <typename Factory>
using PreorderEngineTest = InboundFixture<Factory>;

using Stores = ::testing::Types<MemoryStoreFactory, SqliteStoreFactory, PgStoreFactory>;
TYPED_TEST_SUITE(PreorderEngineTest, Stores);

const LocationId kS1("s1");

TYPED_TEST(PreorderEngineTest, Preorder_IsPegged_NeverLowersCurrentAtp_LowersFutureAtp) {
  this->Receive("a", "s1", 1);
  this->ExpectOk("po-1", "s1", 5 * kDay, {{Sku("a"), 10}});
  ReservationId id = this->ReserveOk({{Sku("a"), kS1, 5}}, 7 * kDay);
  Reservation r = this->Res(id);
  // The one unit on hand is held now; the other four against the PO.
  EXPECT_EQ(this->Present(r, "a"), 1);
  EXPECT_EQ(this->Pegged(r, "po-1"), 4);
  ASSERT_TRUE(r.promise_by.has_value());
  for (const auto& l : r.lines) {
    if (l.inbound.str() == "po-1") {
      EXPECT_EQ(l.promised_at, this->t0_ + 5 * kDay);
    }
  }
  EXPECT_EQ(this->Level("a", "s1").reserved, 1);
  EXPECT_EQ(this->Promised("po-1", "a"), 4);
  SkuFutureAvailability f = this->Future("a", this->At("s1"));
  EXPECT_EQ(f.atp_now, 0);
  EXPECT_EQ(f.timeline[0].atp, 6);
}

TYPED_TEST(PreorderEngineTest, Preorder_NoSupplyByThePromise_IsInsufficientStock) {
  this->ExpectOk("po-1", "s1", 5 * kDay, {{Sku("a"), 10}});
  Completion early = this->Reserve({{Sku("a"), kS1, 1}}, 4 * kDay);
  EXPECT_EQ(early.status.reason(), reason::kInsufficientStock);
  Completion much = this->Reserve({{Sku("a"), kS1, 11}}, 6 * kDay);
  EXPECT_EQ(much.status.reason(), reason::kInsufficientStock);
  EXPECT_EQ(this->Promised("po-1", "a"), 0);  // all or nothing
  CreateReservation partial = this->Preorder({{Sku("a"), kS1, 11}}, 6 * kDay, this->t0_);
  partial.allow_partial = true;
  Completion got = this->Do(partial);
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_EQ(this->Pegged(this->Res(this->IdOf(got)), "po-1"), 10);
  // Without promise_by nothing future is held.
  EXPECT_EQ(this->Reserve({{Sku("a"), kS1, 1}}).status.reason(), reason::kInsufficientStock);
}

TYPED_TEST(PreorderEngineTest,
           Preorder_EarliestFirst_AcrossInbounds_AndTheSameUnitIsNeverPromisedTwice) {
  this->ExpectOk("po-late", "s1", 8 * kDay, {{Sku("a"), 10}});
  this->ExpectOk("po-soon", "s1", 2 * kDay, {{Sku("a"), 3}});
  ReservationId first = this->ReserveOk({{Sku("a"), kS1, 5}}, 9 * kDay);
  EXPECT_EQ(this->Pegged(this->Res(first), "po-soon"), 3);
  EXPECT_EQ(this->Pegged(this->Res(first), "po-late"), 2);
  // Two preorders in one batch see each other's pegs.
  auto both = this->RunBatch({{this->Preorder({{Sku("a"), kS1, 6}}, 9 * kDay, this->t0_), "b1"},
                              {this->Preorder({{Sku("a"), kS1, 6}}, 9 * kDay, this->t0_), "b2"}});
  EXPECT_TRUE(both[0].status.ok()) << both[0].status.ToString();
  EXPECT_EQ(both[1].status.reason(), reason::kInsufficientStock);
  EXPECT_EQ(this->Promised("po-late", "a"), 8);
  EXPECT_EQ(this->Future("a", this->At("s1")).timeline.back().atp, 2);  // 13 - 11 promised
}

TYPED_TEST(PreorderEngineTest, Preorder_KeepsSafetyStock_OnRemoteChannels_NotAtThePos) {
  ASSERT_TRUE(this->Do(SetSafetyStock{{Sku("a"), kS1}, 2}).status.ok());
  this->ExpectOk("po-1", "s1", kDay, {{Sku("a"), 10}});
  EXPECT_EQ(this->Reserve({{Sku("a"), kS1, 9}}, 2 * kDay).status.reason(),
            reason::kInsufficientStock);
  ASSERT_TRUE(this->Reserve({{Sku("a"), kS1, 8}}, 2 * kDay).status.ok());
  CreateReservation pos = this->Preorder({{Sku("a"), kS1, 2}}, 2 * kDay, this->t0_);
  pos.channel = Channel::kPos;
  EXPECT_TRUE(this->Do(pos).status.ok());
}

TYPED_TEST(PreorderEngineTest, Preorder_InAGroup_IsPeggedWhereTheSupplyIs) {
  this->ExpectOk("po-2", "s2", 3 * kDay, {{Sku("a"), 4}});
  ReservationId id = this->ReserveOk({{Sku("a"), {}, 3}}, 4 * kDay);
  Reservation r = this->Res(id);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].location, LocationId("s2"));
  EXPECT_EQ(r.lines[0].inbound, InboundId("po-2"));
  EXPECT_EQ(this->Future("a", this->Group("online")).timeline[0].atp, 1);
}

TYPED_TEST(PreorderEngineTest, Receipt_ServesPreordersFirst_OldestFirst) {
  this->ExpectOk("po-1", "s1", 3 * kDay, {{Sku("a"), 10}});
  ReservationId older = this->ReserveOk({{Sku("a"), kS1, 4}}, 4 * kDay);
  this->clock_.Advance(std::chrono::seconds(1));
  ReservationId newer = this->ReserveOk({{Sku("a"), kS1, 5}}, 4 * kDay);
  Completion got = this->ReceiveIn("po-1", {{Sku("a"), 6}});
  ASSERT_TRUE(got.status.ok()) << got.status.ToString();
  EXPECT_NE(got.response.find("served=2"), std::string::npos) << got.response;
  EXPECT_EQ(this->Present(this->Res(older), "a"), 4);
  EXPECT_EQ(this->Present(this->Res(newer), "a"), 2);
  EXPECT_EQ(this->Pegged(this->Res(newer), "po-1"), 3);
  StockLevel level = this->Level("a", "s1");
  EXPECT_EQ(level.on_hand, 6);
  EXPECT_EQ(level.reserved, 6);  // nothing of the receipt showed as ATP
  EXPECT_EQ(Atp(level, Channel::kOnline), 0);
  EXPECT_EQ(this->Promised("po-1", "a"), 3);
  // The rest arrives, with two extra: the newer preorder is whole, two units are ATP.
  ASSERT_TRUE(this->ReceiveIn("po-1", {{Sku("a"), 6}}).status.ok());
  EXPECT_EQ(this->Present(this->Res(newer), "a"), 5);
  EXPECT_FALSE(this->Res(newer).HasFutureLines());
  EXPECT_EQ(Atp(this->Level("a", "s1"), Channel::kOnline), 3);
}

TYPED_TEST(PreorderEngineTest, Commit_BeforeTheReceipt_IsRefused_AfterIt_Sells) {
  this->Receive("b", "s1", 5);
  this->ExpectOk("po-1", "s1", 3 * kDay, {{Sku("a"), 10}});
  ReservationId id = this->ReserveOk({{Sku("a"), kS1, 2}, {Sku("b"), kS1, 1}}, 4 * kDay);
  Completion early = this->Do(CommitReservation{id, {}});
  EXPECT_EQ(early.status.reason(), reason::kPreorderNotReceived);
  EXPECT_EQ(this->Do(CommitReservation{id, {{Sku("a"), {}, 1}}}).status.reason(),
            reason::kPreorderNotReceived);
  // An order picks from the shelf: it may not take over units still at sea.
  PlaceOrder place;
  place.customer = CustomerId("c");
  place.pickup_location = kS1;
  place.reservation = id;
  EXPECT_EQ(this->Do(place).status.reason(), reason::kPreorderNotReceived);
  ASSERT_TRUE(this->ReceiveIn("po-1", {{Sku("a"), 10}}).status.ok());
  ASSERT_TRUE(this->Do(CommitReservation{id, {}}).status.ok());
  EXPECT_EQ(this->Res(id).state, ReservationState::kCommitted);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 8);
  EXPECT_EQ(this->Level("a", "s1").reserved, 0);
}

TYPED_TEST(PreorderEngineTest, CommitOfThePresentLines_GivesBackTheFutureOnes) {
  this->Receive("b", "s1", 5);
  this->ExpectOk("po-1", "s1", 3 * kDay, {{Sku("a"), 10}});
  ReservationId id = this->ReserveOk({{Sku("a"), kS1, 2}, {Sku("b"), kS1, 1}}, 4 * kDay);
  ASSERT_TRUE(this->Do(CommitReservation{id, {{Sku("b"), {}, 1}}}).status.ok());
  EXPECT_EQ(this->Promised("po-1", "a"), 0);
  EXPECT_EQ(this->Res(id).lines.size(), 1u);
}

TYPED_TEST(PreorderEngineTest, ReleaseAndExpiry_FreeThePegs) {
  this->ExpectOk("po-1", "s1", 3 * kDay, {{Sku("a"), 10}});
  ReservationId released = this->ReserveOk({{Sku("a"), kS1, 2}}, 4 * kDay);
  CreateReservation shortlived = this->Preorder({{Sku("a"), kS1, 3}}, 4 * kDay, this->t0_);
  shortlived.ttl = std::chrono::hours(1);
  ReservationId expiring = this->IdOf(this->Do(shortlived));
  EXPECT_EQ(this->Promised("po-1", "a"), 5);
  ASSERT_TRUE(this->Do(ReleaseReservation{released, "changed mind"}).status.ok());
  EXPECT_EQ(this->Promised("po-1", "a"), 3);
  this->clock_.Advance(std::chrono::hours(2));
  this->Do(AdjustStock{{Sku("z"), kS1}, 1, MovementReason::kFound, "", {}});
  EXPECT_EQ(this->Res(expiring).state, ReservationState::kExpired);
  EXPECT_EQ(this->Promised("po-1", "a"), 0);
  EXPECT_EQ(this->Future("a", this->At("s1")).timeline[0].atp, 10);
}

TYPED_TEST(PreorderEngineTest, Cancel_MovesPegsToSupplyThatStillFits_ElseAtRisk) {
  this->ExpectOk("po-1", "s1", 2 * kDay, {{Sku("a"), 5}});
  this->ExpectOk("po-2", "s1", 3 * kDay, {{Sku("a"), 4}});
  ReservationId fits = this->ReserveOk({{Sku("a"), kS1, 5}}, 10 * kDay);  // po-1 whole
  this->clock_.Advance(std::chrono::seconds(1));
  ReservationId tight = this->ReserveOk({{Sku("a"), kS1, 2}}, 10 * kDay);  // po-2
  ASSERT_EQ(this->Pegged(this->Res(fits), "po-1"), 5);
  Completion cancel = this->Do(CancelInbound{InboundId("po-1"), "vendor"});
  ASSERT_TRUE(cancel.status.ok()) << cancel.status.ToString();
  EXPECT_NE(cancel.response.find("moved=0 at_risk=1"), std::string::npos) << cancel.response;
  Reservation r = this->Res(fits);
  EXPECT_EQ(this->Pegged(r, "po-2"), 2);  // what po-2 still had free
  EXPECT_EQ(this->AtRisk(r), 3);
  EXPECT_TRUE(r.AtRisk());
  EXPECT_EQ(this->Pegged(this->Res(tight), "po-2"), 2);
  EXPECT_EQ(this->Promised("po-2", "a"), 4);
  // An at-risk line holds nothing; releasing gives back only the pegs.
  ASSERT_TRUE(this->Do(ReleaseReservation{fits, ""}).status.ok());
  EXPECT_EQ(this->Promised("po-2", "a"), 2);
}

TYPED_TEST(PreorderEngineTest, AtRisk_IsPromisedAgain_ByNewSupplyThatFits_OldestFirst) {
  this->ExpectOk("po-1", "s1", 2 * kDay, {{Sku("a"), 6}});
  ReservationId older = this->ReserveOk({{Sku("a"), kS1, 4}}, 5 * kDay);
  this->clock_.Advance(std::chrono::seconds(1));
  ReservationId newer = this->ReserveOk({{Sku("a"), kS1, 2}}, 9 * kDay);
  ASSERT_TRUE(this->Do(CancelInbound{InboundId("po-1"), ""}).status.ok());
  ASSERT_EQ(this->AtRisk(this->Res(older)), 4);
  ASSERT_EQ(this->AtRisk(this->Res(newer)), 2);
  // Day 6 is too late for the older promise (day 5): only the newer one is kept.
  Completion late = this->Expect("po-2", "s1", 6 * kDay, {{Sku("a"), 3}});
  ASSERT_TRUE(late.status.ok()) << late.status.ToString();
  EXPECT_NE(late.response.find("inbound po-2"), std::string::npos);
  EXPECT_EQ(this->AtRisk(this->Res(older)), 4);
  EXPECT_EQ(this->Pegged(this->Res(newer), "po-2"), 2);
  EXPECT_FALSE(this->Res(newer).AtRisk());
  // Moving po-2 earlier keeps the older one's promise with what is left.
  ASSERT_TRUE(this->Do(RescheduleInbound{InboundId("po-2"), this->t0_ + 4 * kDay}).status.ok());
  EXPECT_EQ(this->Pegged(this->Res(older), "po-2"), 1);
  EXPECT_EQ(this->AtRisk(this->Res(older)), 3);
  EXPECT_EQ(this->Promised("po-2", "a"), 3);
}

TYPED_TEST(PreorderEngineTest, Reschedule_PastAPromise_MovesThatPegOnly) {
  this->ExpectOk("po-1", "s1", 2 * kDay, {{Sku("a"), 10}});
  this->ExpectOk("po-2", "s1", 4 * kDay, {{Sku("a"), 10}});
  ReservationId soon = this->ReserveOk({{Sku("a"), kS1, 3}}, 3 * kDay);
  ReservationId later = this->ReserveOk({{Sku("a"), kS1, 3}}, 20 * kDay);
  Completion moved = this->Do(RescheduleInbound{InboundId("po-1"), this->t0_ + 5 * kDay});
  ASSERT_TRUE(moved.status.ok());
  EXPECT_NE(moved.response.find("moved=0 at_risk=1"), std::string::npos) << moved.response;
  EXPECT_EQ(this->AtRisk(this->Res(soon)), 3);           // po-2 (day 4) misses day 3 too
  EXPECT_EQ(this->Pegged(this->Res(later), "po-1"), 3);  // day 5 still fits day 20
  // Earlier again: the reschedule keeps every peg that still fits.
  ReservationId mid = this->ReserveOk({{Sku("a"), kS1, 1}}, 6 * kDay);
  ASSERT_TRUE(this->Do(RescheduleInbound{InboundId("po-2"), this->t0_ + 7 * kDay}).status.ok());
  EXPECT_EQ(this->Pegged(this->Res(mid), "po-1") + this->Pegged(this->Res(mid), "po-2"), 1);
}

TYPED_TEST(PreorderEngineTest, Overdue_MovesPegs_ToAnotherInbound) {
  this->inbound_grace_ = std::chrono::hours(1);
  this->Reopen();
  this->ExpectOk("po-1", "s1", std::chrono::hours(2), {{Sku("a"), 5}});
  this->ExpectOk("po-2", "s1", 2 * kDay, {{Sku("a"), 5}});
  ReservationId id = this->ReserveOk({{Sku("a"), kS1, 4}}, 3 * kDay);
  ASSERT_EQ(this->Pegged(this->Res(id), "po-1"), 4);
  this->clock_.Advance(std::chrono::hours(4));
  this->Do(AdjustStock{{Sku("z"), kS1}, 1, MovementReason::kFound, "", {}});
  EXPECT_TRUE(this->In("po-1").overdue);
  EXPECT_EQ(this->Pegged(this->Res(id), "po-2"), 4);
  EXPECT_EQ(this->Promised("po-1", "a"), 0);
}

TYPED_TEST(PreorderEngineTest, Ttl_UpTo180Days_OnlyForAPreorder) {
  this->ExpectOk("po-1", "s1", 3 * kDay, {{Sku("a"), 10}});
  CreateReservation plain;
  plain.lines = {{Sku("a"), kS1, 1}};
  plain.ttl = 8 * kDay;
  this->Receive("a", "s1", 3);
  EXPECT_EQ(this->Do(plain).status.code(), Code::kInvalidArgument);
  CreateReservation pre = this->Preorder({{Sku("a"), kS1, 2}}, 100 * kDay, this->t0_);
  pre.ttl = 180 * kDay;
  Completion ok = this->Do(pre);
  ASSERT_TRUE(ok.status.ok()) << ok.status.ToString();
  EXPECT_TRUE(this->Do(ExtendReservation{this->IdOf(ok), 170 * kDay}).status.ok());
  plain.ttl = kDay;
  ReservationId short_one = this->IdOf(this->Do(plain));
  EXPECT_EQ(this->Do(ExtendReservation{short_one, 8 * kDay}).status.code(), Code::kInvalidArgument);
  pre.promise_by = this->t0_ - kDay;
  EXPECT_EQ(this->Do(pre).status.code(), Code::kInvalidArgument);
  pre.promise_by = this->t0_ + 181 * kDay;
  EXPECT_EQ(this->Do(pre).status.code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace oms::testing

// Inbound supply through the engine, on BOTH the in-memory fake and the real SQLite adapter:
// states, receipts (partial, over, late), future availability at a location and in a group,
// the overdue sweep, and restarts.
#include <gtest/gtest.h>

#include "tests/domain/inbound_fixture.h"

namespace oms::testing {
namespace {

template <typename Factory>
using InboundEngineTest = InboundFixture<Factory>;

using Stores = ::testing::Types<MemoryStoreFactory, SqliteStoreFactory, PgStoreFactory>;
TYPED_TEST_SUITE(InboundEngineTest, Stores);

TYPED_TEST(InboundEngineTest, Expect_IsFutureSupply_NotCurrentAtp) {
  this->Receive("a", "s1", 2);
  this->ExpectOk("po-1", "s1", 5 * kDay, {{Sku("a"), 10}, {Sku("a"), 5}, {Sku("b"), 3}});
  Inbound in = this->In("po-1");
  EXPECT_EQ(in.state, InboundState::kExpected);
  ASSERT_EQ(in.lines.size(), 2u);  // lines of one SKU are summed
  EXPECT_EQ(in.lines[0].expected, 15);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 2);

  SkuFutureAvailability f = this->Future("a", this->At("s1"), Channel::kOnline, 10);
  EXPECT_EQ(f.atp_now, 2);
  ASSERT_EQ(f.timeline.size(), 1u);
  EXPECT_EQ(f.timeline[0].at, this->t0_ + 5 * kDay);
  EXPECT_EQ(f.timeline[0].atp, 17);
  ASSERT_TRUE(f.earliest_at.has_value());
  EXPECT_EQ(*f.earliest_at, this->t0_ + 5 * kDay);
  EXPECT_EQ(*this->Future("a", this->At("s1"), Channel::kOnline, 2).earliest_at, this->t0_);
  EXPECT_FALSE(this->Future("a", this->At("s1"), Channel::kOnline, 18).earliest_at.has_value());
}

TYPED_TEST(InboundEngineTest, Expect_AnIdUsedBefore_IsAlreadyExists_EvenAfterItClosed) {
  this->ExpectOk("po-1", "s1", kDay, {{Sku("a"), 1}});
  Completion again = this->Expect("po-1", "s2", kDay, {{Sku("b"), 1}});
  EXPECT_EQ(again.status.code(), Code::kAlreadyExists);
  EXPECT_EQ(again.status.reason(), reason::kInvalidInboundState);
  ASSERT_TRUE(this->Do(CancelInbound{InboundId("po-1"), "vendor"}).status.ok());
  EXPECT_EQ(this->Expect("po-1", "s1", kDay, {{Sku("a"), 1}}).status.code(), Code::kAlreadyExists);
  EXPECT_EQ(this->Expect("po-2", "nowhere", kDay, {{Sku("a"), 1}}).status.code(), Code::kNotFound);
}

TYPED_TEST(InboundEngineTest, Timeline_OnePointPerArrival_InsideTheHorizon_WithSafetyStock) {
  this->Receive("a", "s1", 1);
  ASSERT_TRUE(this->Do(SetSafetyStock{{Sku("a"), LocationId("s1")}, 3}).status.ok());
  this->ExpectOk("po-1", "s1", 2 * kDay, {{Sku("a"), 4}});
  this->ExpectOk("po-2", "s1", 9 * kDay, {{Sku("a"), 6}});
  this->ExpectOk("po-3", "s1", 200 * kDay, {{Sku("a"), 100}});  // beyond 90 days
  SkuFutureAvailability online = this->Future("a", this->At("s1"));
  EXPECT_EQ(online.atp_now, 0);  // 1 on hand, 3 safety
  ASSERT_EQ(online.timeline.size(), 2u);
  EXPECT_EQ(online.timeline[0].atp, 2);  // 1 + 4 - 3
  EXPECT_EQ(online.timeline[1].atp, 8);
  SkuFutureAvailability pos = this->Future("a", this->At("s1"), Channel::kPos);
  EXPECT_EQ(pos.atp_now, 1);
  EXPECT_EQ(pos.timeline[1].atp, 11);
  EXPECT_EQ(this->Future("a", this->At("s1"), Channel::kOnline, 0, 365 * kDay).timeline.size(), 3u);
}

TYPED_TEST(InboundEngineTest, Timeline_InAGroup_SumsMembersThatFulfil_AndMergesArrivals) {
  this->AddLocation("s3", /*ship=*/false, /*pickup=*/true);
  UpsertGroup g{GroupId("online"), {LocationId("s1"), LocationId("s2"), LocationId("s3")}};
  ASSERT_TRUE(this->Do(g).status.ok());
  this->Receive("a", "s1", 2);
  this->ExpectOk("po-1", "s1", 3 * kDay, {{Sku("a"), 5}});
  this->ExpectOk("po-2", "s2", 3 * kDay, {{Sku("a"), 7}});
  this->ExpectOk("po-3", "s3", kDay, {{Sku("a"), 50}});  // no shipping: not for ONLINE
  SkuFutureAvailability online = this->Future("a", this->Group("online"), Channel::kOnline, 10);
  EXPECT_EQ(online.atp_now, 2);
  ASSERT_EQ(online.timeline.size(), 1u);
  EXPECT_EQ(online.timeline[0].atp, 14);
  EXPECT_EQ(*online.earliest_at, this->t0_ + 3 * kDay);
  SkuFutureAvailability bopis = this->Future("a", this->Group("online"), Channel::kBopis);
  ASSERT_EQ(bopis.timeline.size(), 2u);
  EXPECT_EQ(bopis.timeline[0].atp, 52);
  // An inactive member promises nothing.
  Location off{LocationId("s2"), "s2", LocationKind::kStore, true, true, false, {}};
  ASSERT_TRUE(this->Do(UpsertLocation{off}).status.ok());
  EXPECT_EQ(this->Future("a", this->Group("online")).timeline[0].atp, 7);
}

TYPED_TEST(InboundEngineTest, Receive_Partial_ThenRest_ThenMore_IsRefused) {
  this->ExpectOk("po-1", "s1", kDay, {{Sku("a"), 10}, {Sku("b"), 4}});
  Completion part = this->ReceiveIn("po-1", {{Sku("a"), 6}});
  ASSERT_TRUE(part.status.ok()) << part.status.ToString();
  EXPECT_EQ(this->In("po-1").state, InboundState::kPartiallyReceived);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 6);
  EXPECT_EQ(this->Future("a", this->At("s1")).timeline[0].atp, 10);  // 6 now + 4 to come
  ASSERT_TRUE(this->ReceiveIn("po-1", {{Sku("a"), 4}, {Sku("b"), 4}}).status.ok());
  Inbound done = this->In("po-1");
  EXPECT_EQ(done.state, InboundState::kReceived);
  EXPECT_TRUE(this->Future("a", this->At("s1")).timeline.empty());
  Completion late = this->ReceiveIn("po-1", {{Sku("a"), 1}});
  EXPECT_EQ(late.status.code(), Code::kFailedPrecondition);
  EXPECT_EQ(late.status.reason(), reason::kInvalidInboundState);
  EXPECT_EQ(this->Do(CancelInbound{InboundId("po-1"), ""}).status.reason(),
            reason::kInvalidInboundState);
  EXPECT_EQ(this->ReceiveIn("po-9", {{Sku("a"), 1}}).status.code(), Code::kNotFound);
}

TYPED_TEST(InboundEngineTest, Receive_OverAndUnexpected_IsRecorded_InTheLedger) {
  this->ExpectOk("po-1", "s1", kDay, {{Sku("a"), 10}});
  ASSERT_TRUE(this->ReceiveIn("po-1", {{Sku("a"), 12}, {Sku("z"), 2}}).status.ok());
  Inbound in = this->In("po-1");
  EXPECT_EQ(in.state, InboundState::kReceived);
  ASSERT_EQ(in.lines.size(), 2u);
  EXPECT_EQ(in.lines[0].received, 12);
  EXPECT_EQ(in.lines[1].expected, 0);
  EXPECT_EQ(in.lines[1].received, 2);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 12);
  EXPECT_EQ(this->Level("z", "s1").on_hand, 2);
  // RECEIVED movements referencing the inbound.
  auto* memory = dynamic_cast<MemoryStore*>(this->store_);
  if (memory) {
    int64_t received = 0;
    for (const auto& m : memory->committed().movements) {
      if (m.reference == "po-1" && m.reason == MovementReason::kReceived) received += m.delta;
    }
    EXPECT_EQ(received, 14);
  }
}

TYPED_TEST(InboundEngineTest, Cancel_LeavesFutureAvailability) {
  this->ExpectOk("po-1", "s1", kDay, {{Sku("a"), 10}});
  ASSERT_TRUE(this->ReceiveIn("po-1", {{Sku("a"), 3}}).status.ok());
  ASSERT_TRUE(this->Do(CancelInbound{InboundId("po-1"), "short shipped"}).status.ok());
  Inbound in = this->In("po-1");
  EXPECT_EQ(in.state, InboundState::kCancelled);
  EXPECT_EQ(in.end_reason, "short shipped");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 3);  // what arrived stays
  EXPECT_TRUE(this->Future("a", this->At("s1")).timeline.empty());
}

TYPED_TEST(InboundEngineTest, Reschedule_MovesTheArrival) {
  this->ExpectOk("po-1", "s1", kDay, {{Sku("a"), 10}});
  ASSERT_TRUE(this->Do(RescheduleInbound{InboundId("po-1"), this->t0_ + 6 * kDay}).status.ok());
  EXPECT_EQ(this->Future("a", this->At("s1")).timeline[0].at, this->t0_ + 6 * kDay);
  EXPECT_EQ(this->In("po-1").expected_at, this->t0_ + 6 * kDay);
}

TYPED_TEST(InboundEngineTest, Overdue_AfterTheGrace_IsNoSupply_UntilRescheduled_AndCanArrive) {
  this->inbound_grace_ = std::chrono::hours(2);
  this->Reopen();
  this->ExpectOk("po-1", "s1", std::chrono::hours(1), {{Sku("a"), 10}});
  this->clock_.Advance(std::chrono::minutes(150));  // 30 min into the grace
  this->Do(AdjustStock{{Sku("b"), LocationId("s1")}, 1, MovementReason::kFound, "", {}});
  EXPECT_FALSE(this->In("po-1").overdue);
  // Past the expected time but inside the grace: counted from now.
  SkuFutureAvailability late = this->Future("a", this->At("s1"));
  ASSERT_EQ(late.timeline.size(), 1u);
  EXPECT_EQ(late.timeline[0].at, this->clock_.Now());
  this->clock_.Advance(std::chrono::minutes(31));
  EXPECT_TRUE(this->Future("a", this->At("s1")).timeline.empty());  // readers: at once
  ASSERT_EQ(this->engine_->NextExpiry(), this->t0_ + std::chrono::hours(3));
  this->Do(AdjustStock{{Sku("b"), LocationId("s1")}, 1, MovementReason::kFound, "", {}});
  EXPECT_TRUE(this->In("po-1").overdue);
  EXPECT_EQ(this->In("po-1").state, InboundState::kExpected);
  // Late receipt still lands.
  ASSERT_TRUE(this->ReceiveIn("po-1", {{Sku("a"), 10}}).status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 10);
  EXPECT_EQ(this->In("po-1").state, InboundState::kReceived);
}

TYPED_TEST(InboundEngineTest, Reschedule_OfAnOverdueInbound_MakesItSupplyAgain) {
  this->inbound_grace_ = std::chrono::hours(1);
  this->Reopen();
  this->ExpectOk("po-1", "s1", std::chrono::hours(1), {{Sku("a"), 10}});
  this->clock_.Advance(std::chrono::hours(3));
  this->Do(AdjustStock{{Sku("b"), LocationId("s1")}, 1, MovementReason::kFound, "", {}});
  ASSERT_TRUE(this->In("po-1").overdue);
  ASSERT_TRUE(
      this->Do(RescheduleInbound{InboundId("po-1"), this->clock_.Now() + kDay}).status.ok());
  EXPECT_FALSE(this->In("po-1").overdue);
  EXPECT_EQ(this->Future("a", this->At("s1")).timeline.size(), 1u);
}

TYPED_TEST(InboundEngineTest, Restart_KeepsInboundsAndTheirFuture) {
  this->ExpectOk("po-1", "s1", 4 * kDay, {{Sku("a"), 10}});
  ReservationId pre = this->ReserveOk({{Sku("a"), LocationId("s1"), 3}}, 5 * kDay);
  this->Reopen();
  EXPECT_EQ(this->Future("a", this->At("s1")).timeline[0].atp, 7);
  EXPECT_EQ(this->Pegged(this->Res(pre), "po-1"), 3);
  ASSERT_TRUE(this->ReceiveIn("po-1", {{Sku("a"), 10}}).status.ok());
  EXPECT_EQ(this->Present(this->Res(pre), "a"), 3);
  EXPECT_EQ(this->Level("a", "s1").reserved, 3);
}

TYPED_TEST(InboundEngineTest, StoreScope_OnlyAtItsStores) {
  this->ExpectOk("po-1", "s1", kDay, {{Sku("a"), 10}});
  Completion other = this->DoAt({"s2"}, ReceiveInbound{InboundId("po-1"), {{Sku("a"), 1}}});
  EXPECT_EQ(other.status.code(), Code::kPermissionDenied);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 0);
  EXPECT_TRUE(this->DoAt({"s1"}, ReceiveInbound{InboundId("po-1"), {{Sku("a"), 1}}}).status.ok());
}

// Reads the events the fake stored (the event log's rows are the same on SQLite).
using InboundEventsTest = InboundFixture<MemoryStoreFactory>;

TEST_F(InboundEventsTest, Events_SaySupplyChanged_OnlyForTheSkusItChanged) {
  auto* memory = dynamic_cast<MemoryStore*>(this->store_);
  ASSERT_TRUE(memory);
  this->ExpectOk("po-1", "s1", kDay, {{Sku("a"), 10}, {Sku("b"), 5}});
  size_t before = memory->committed().events.size();
  this->ReserveOk({{Sku("a"), LocationId("s1"), 2}}, 2 * kDay);
  int future_a = 0, future_b = 0;
  const auto& events = memory->committed().events;
  for (size_t i = before; i < events.size(); ++i) {
    if (events[i].kind != EventKind::kAvailability || !events[i].availability.future) continue;
    (events[i].sku.str() == "a" ? future_a : future_b) += 1;
  }
  EXPECT_EQ(future_a, 1);
  EXPECT_EQ(future_b, 0);
}

}  // namespace
}  // namespace oms::testing

// The Store port's contract for inbounds, run against BOTH the in-memory fake and the SQLite
// adapter: an inbound is found whole as of the open batch, a stored one is rewritten with
// only the lines the change names, the snapshot holds the open ones only, a closed one
// refuses any change, and a line never promises more than is still to come. Reservation
// lines' future-hold fields and a preorder's promise_by round-trip.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/storage/store_fixtures.h"

namespace oms::testing {
namespace {

template <typename Backend>
class InboundStoreContractTest : public ::testing::Test {
 protected:
  InboundStoreContractTest() : store_(&backend_.Open()) {}

  void SetUp() override {
    OMS_SKIP_UNAVAILABLE_BACKEND(Backend);
    Changes c;
    c.locations = {MakeLocation("s1"), MakeLocation("s2")};
    Commit(c);
  }

  void Reopen() { store_ = &backend_.Open(); }

  // Writes `changes` as one command of its own batch; commits it if it was written.
  Status Write(const Changes& changes) {
    EXPECT_TRUE(store_->Begin().ok());
    Status written = store_->Write(changes, nullptr);
    if (written.ok()) {
      EXPECT_TRUE(store_->Commit().ok());
    } else {
      store_->Rollback();
    }
    return written;
  }

  void Commit(const Changes& changes) {
    Status written = Write(changes);
    ASSERT_TRUE(written.ok()) << written.ToString();
  }

  // The inbound `id` as the store finds it inside a batch, or nothing.
  std::optional<Inbound> Find(const std::string& id) {
    EXPECT_TRUE(store_->Begin().ok());
    Result<std::optional<Inbound>> found = store_->FindInbound(InboundId(id));
    store_->Rollback();
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::nullopt;
  }

  Backend backend_;
  Store* store_;
};

using Backends = ::testing::Types<MemoryBackend, SqliteBackend, PgBackend>;
TYPED_TEST_SUITE(InboundStoreContractTest, Backends, BackendNames);

TYPED_TEST(InboundStoreContractTest, FindInbound_OfAWrittenInbound_FindsItWhole_AfterReopen) {
  Inbound in = MakeInbound("po-1", "s1", At(3));
  in.overdue = true;
  in.expected_at = At(77);
  in.updated_at = At(4);  // every field distinct, so none can be read from another's column
  in.end_reason = "a reason";
  in.lines[1].promised = 3;
  this->Commit(InboundsWritten({in}));
  this->Reopen();
  std::optional<Inbound> found = this->Find("po-1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, in);  // every field, lines in order
  EXPECT_FALSE(this->Find("po-2").has_value());
}

TYPED_TEST(InboundStoreContractTest, FindInbound_SeesTheOpenBatch_AndNothingRolledBack) {
  Inbound in = MakeInbound("po-1", "s1");
  ASSERT_TRUE(this->store_->Begin().ok());
  ASSERT_TRUE(this->store_->Write(InboundsWritten({in}), nullptr).ok());
  auto in_batch = this->store_->FindInbound(in.id);
  this->store_->Rollback();
  ASSERT_TRUE(in_batch.ok() && in_batch->has_value()) << in_batch.status().ToString();
  EXPECT_EQ(**in_batch, in);
  EXPECT_FALSE(this->Find("po-1").has_value());
}

TYPED_TEST(InboundStoreContractTest, Write_OfAStoredInbound_WritesOnlyTheListedLines) {
  Inbound in = MakeInbound("po-1", "s1");
  this->Commit(InboundsWritten({in}));
  Inbound next = in;
  next.state = InboundState::kPartiallyReceived;
  next.updated_at = At(9);
  next.lines[0].received = 4;                 // listed: written
  next.lines[1].received = 1;                 // not listed: the stored line stays
  next.lines.push_back({Sku("c"), 0, 2, 0});  // appended: written
  this->Commit(InboundUpdated(next, {0, 2}));
  std::optional<Inbound> found = this->Find("po-1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->state, InboundState::kPartiallyReceived);
  EXPECT_EQ(found->updated_at, At(9));
  ASSERT_EQ(found->lines.size(), 3u);
  EXPECT_EQ(found->lines[0], next.lines[0]);
  EXPECT_EQ(found->lines[1], in.lines[1]);
  EXPECT_EQ(found->lines[2], next.lines[2]);
}

TYPED_TEST(InboundStoreContractTest, Write_OfALinePastTheEnd_IsRefused) {
  Inbound in = MakeInbound("po-1", "s1");
  this->Commit(InboundsWritten({in}));
  Inbound next = in;
  next.lines.push_back({Sku("c"), 1, 0, 0});
  next.lines.push_back({Sku("d"), 1, 0, 0});
  EXPECT_FALSE(this->Write(InboundUpdated(next, {3})).ok());  // line 2 skipped
  EXPECT_EQ(this->Find("po-1")->lines, in.lines);
}

TYPED_TEST(InboundStoreContractTest, Write_OfSomeLinesOfAnUnstoredInbound_IsRefused) {
  EXPECT_FALSE(this->Write(InboundUpdated(MakeInbound("po-1", "s1"), {0})).ok());
  EXPECT_FALSE(this->Find("po-1").has_value());
}

TYPED_TEST(InboundStoreContractTest, Write_OfAnInboundAtAnUnknownLocation_IsRefused) {
  EXPECT_FALSE(this->Write(InboundsWritten({MakeInbound("po-1", "nowhere")})).ok());
  EXPECT_FALSE(this->Find("po-1").has_value());
}

TYPED_TEST(InboundStoreContractTest, Load_HoldsTheOpenInboundsOnly_WithTheirLines) {
  Inbound expected = MakeInbound("po-1", "s1");
  Inbound partial = MakeInbound("po-2", "s2");
  partial.state = InboundState::kPartiallyReceived;
  partial.lines[0].received = 3;
  Inbound received = MakeInbound("po-3", "s1");
  received.state = InboundState::kReceived;
  received.lines[0].received = 10;
  received.lines[1].received = 4;
  Inbound cancelled = MakeInbound("po-4", "s1");
  cancelled.state = InboundState::kCancelled;
  cancelled.end_reason = "supplier gone";
  this->Commit(InboundsWritten({expected, partial, received, cancelled}));
  this->Reopen();
  Result<Snapshot> s = this->store_->Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::vector<Inbound> open = s->open_inbounds;
  std::sort(open.begin(), open.end(),
            [](const Inbound& a, const Inbound& b) { return a.id < b.id; });
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0], expected);
  EXPECT_EQ(open[1], partial);
  EXPECT_EQ(this->Find("po-4")->end_reason, "supplier gone");  // closed ones are still found
}

TYPED_TEST(InboundStoreContractTest, Write_ToAClosedInbound_IsRefused_ButTheSameRowsAreNot) {
  Inbound in = MakeInbound("po-1", "s1");
  this->Commit(InboundsWritten({in}));
  Inbound cancelled = in;
  cancelled.state = InboundState::kCancelled;
  cancelled.end_reason = "late";
  cancelled.updated_at = At(8);
  this->Commit(InboundUpdated(cancelled, {}));

  Inbound reopened = cancelled;
  reopened.state = InboundState::kExpected;
  EXPECT_FALSE(this->Write(InboundUpdated(reopened, {})).ok());
  Inbound relined = cancelled;
  relined.lines[0].expected = 11;
  EXPECT_FALSE(this->Write(InboundUpdated(relined, {0})).ok());
  Inbound appended = cancelled;
  appended.lines.push_back({Sku("c"), 1, 0, 0});
  EXPECT_FALSE(this->Write(InboundUpdated(appended, {2})).ok());
  // Final rows written again unchanged (as a store may): nothing changes, nothing refused.
  Status again = this->Write(InboundsWritten({cancelled}));
  EXPECT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(this->Find("po-1"), cancelled);
}

TYPED_TEST(InboundStoreContractTest, Write_OfALinePromisingMoreThanRemains_IsRefused) {
  Inbound in = MakeInbound("po-1", "s1");
  in.lines[0].received = 7;
  in.lines[0].promised = 4;  // 3 remain
  EXPECT_FALSE(this->Write(InboundsWritten({in})).ok());
  in.lines[0].promised = 3;
  this->Commit(InboundsWritten({in}));

  Inbound over = in;
  over.lines[0].received = 12;  // over-received: nothing remains, nothing may be promised
  over.lines[0].promised = 1;
  EXPECT_FALSE(this->Write(InboundUpdated(over, {0})).ok());
  Inbound negative = in;
  negative.lines[1].promised = -1;
  EXPECT_FALSE(this->Write(InboundUpdated(negative, {1})).ok());
  EXPECT_EQ(this->Find("po-1"), in);
}

TYPED_TEST(InboundStoreContractTest, ReservationLines_KeepTheirFutureHolds_AndPromiseBy) {
  Inbound in = MakeInbound("po-1", "s1");
  in.lines[0].promised = 2;
  Reservation r = MakeReservation("res_1", "s1", 1);
  r.promise_by = At(60);
  r.lines.push_back({Sku("a"), LocationId("s1"), 2, in.id, At(50), false});
  r.lines.push_back({Sku("b"), LocationId("s1"), 3, InboundId(), At(40), true});
  Reservation plain = MakeReservation("res_2", "s1", 1);
  Changes c = Created({r, plain});
  c.inbounds = {in};
  this->Commit(c);
  this->Reopen();
  Result<Snapshot> s = this->store_->Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->active_reservations.size(), 2u);
  for (const Reservation& loaded : s->active_reservations) {
    const Reservation& want = loaded.id == r.id ? r : plain;
    EXPECT_EQ(loaded.lines, want.lines) << want.id.str();
    EXPECT_EQ(loaded.promise_by, want.promise_by) << want.id.str();
  }
}

}  // namespace
}  // namespace oms::testing

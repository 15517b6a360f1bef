// Store scope, checked by the writer on both stores: a caller that may act only at some stores
// acts on a reservation only when every line is there and on an order only at its pickup
// store; it learns nothing of another store's reservation state, and a lookup that fails
// fails the command instead of allowing it.
#include <gtest/gtest.h>

#include "tests/domain/engine_harness.h"

namespace oms::testing {
namespace {

template <typename Factory>
class ScopeEngineTest : public ::testing::Test, public EngineHarness<Factory> {
 protected:
  void SetUp() override {
    OMS_SKIP_UNAVAILABLE_BACKEND(Factory);
    for (const char* store : {"s1", "s2"}) {
      this->AddLocation(store);
      this->Receive("a", store, 10);
    }
  }
  // A reservation by an unscoped caller (checkout), one line per store named.
  ReservationId Reserve(std::vector<std::string> stores) {
    CreateReservation c;
    c.channel = Channel::kPos;
    for (const auto& s : stores) c.lines.push_back({Sku("a"), LocationId(s), 1});
    Completion done = this->Do(c);
    EXPECT_TRUE(done.status.ok()) << done.status.ToString();
    return ReservationId(IdIn(done, "reservation "));
  }
  OrderId Order(const std::string& store) {
    Completion done =
        this->Do(PlaceOrder{CustomerId("c"), LocationId(store), {{Sku("a"), {}, 1}}, {}, {}});
    EXPECT_TRUE(done.status.ok()) << done.status.ToString();
    return OrderId(IdIn(done, "order "));
  }
  static std::string IdIn(const Completion& c, const std::string& prefix) {
    return c.response.substr(std::min(prefix.size(), c.response.size()));
  }
  int64_t Reserved(const std::string& store) { return this->Level("a", store).reserved; }
  int64_t OnHand(const std::string& store) { return this->Level("a", store).on_hand; }
};

using Stores = ::testing::Types<MemoryStoreFactory, SqliteStoreFactory, PgStoreFactory>;
TYPED_TEST_SUITE(ScopeEngineTest, Stores);

TYPED_TEST(ScopeEngineTest, ReservationElsewhere_IsPermissionDenied_AndChangesNothing) {
  ReservationId id = this->Reserve({"s2"});
  for (Command c : {Command(CommitReservation{id, {}}), Command(ReleaseReservation{id, ""}),
                    Command(ExtendReservation{id, std::chrono::seconds(60)})}) {
    Completion done = this->DoAt({"s1"}, c);
    EXPECT_EQ(done.status.code(), Code::kPermissionDenied) << done.status.ToString();
    EXPECT_NE(done.status.message().find("s2"), std::string::npos) << done.status.message();
  }
  EXPECT_EQ(this->Reserved("s2"), 1);
  EXPECT_EQ(this->OnHand("s2"), 10);
  EXPECT_TRUE(this->Do(CommitReservation{id, {}}).status.ok());  // still active
}

TYPED_TEST(ScopeEngineTest, ReservationAtItsStores_IsActedOn) {
  ReservationId id = this->Reserve({"s1"});
  EXPECT_TRUE(this->DoAt({"s1"}, ExtendReservation{id, std::chrono::seconds(60)}).status.ok());
  EXPECT_TRUE(this->DoAt({"s2", "s1"}, CommitReservation{id, {}}).status.ok());
  EXPECT_EQ(this->OnHand("s1"), 9);
  EXPECT_EQ(this->Reserved("s1"), 0);
}

TYPED_TEST(ScopeEngineTest, ReservationSpanningStores_NeedsEveryLineInScope) {
  ReservationId id = this->Reserve({"s1", "s2"});
  EXPECT_EQ(this->DoAt({"s1"}, ReleaseReservation{id, ""}).status.code(), Code::kPermissionDenied);
  EXPECT_EQ(this->Reserved("s1"), 1);
  EXPECT_TRUE(this->DoAt({"s1", "s2"}, ReleaseReservation{id, ""}).status.ok());
  EXPECT_EQ(this->Reserved("s1"), 0);
  EXPECT_EQ(this->Reserved("s2"), 0);
}

TYPED_TEST(ScopeEngineTest, EndedReservationElsewhere_IsDenied_WithoutTellingItsState) {
  ReservationId id = this->Reserve({"s2"});
  ASSERT_TRUE(this->Do(ReleaseReservation{id, ""}).status.ok());
  Completion done = this->DoAt({"s1"}, CommitReservation{id, {}});
  EXPECT_EQ(done.status.code(), Code::kPermissionDenied);
  EXPECT_EQ(done.status.message().find("RELEASED"), std::string::npos) << done.status.message();
  EXPECT_EQ(done.status.reason(), "");
  // At its own store the caller is told the state.
  EXPECT_EQ(this->DoAt({"s2"}, CommitReservation{id, {}}).status.reason(),
            "RESERVATION_NOT_ACTIVE");
}

TYPED_TEST(ScopeEngineTest, OrderElsewhere_IsPermissionDenied_AtEveryStep) {
  OrderId id = this->Order("s2");
  EXPECT_EQ(this->DoAt({"s1"}, StartPicking{id}).status.code(), Code::kPermissionDenied);
  ASSERT_TRUE(this->DoAt({"s2"}, StartPicking{id}).status.ok());
  EXPECT_EQ(this->DoAt({"s1"}, MarkReady{id, {}}).status.code(), Code::kPermissionDenied);
  ASSERT_TRUE(this->DoAt({"s2"}, MarkReady{id, {}}).status.ok());
  EXPECT_EQ(this->DoAt({"s1"}, ConfirmPickup{id, "", true}).status.code(), Code::kPermissionDenied);
  EXPECT_EQ(this->DoAt({"s1"}, CancelOrder{id, ""}).status.code(), Code::kPermissionDenied);
  EXPECT_EQ(this->Reserved("s2"), 1);
  EXPECT_EQ(this->OnHand("s2"), 10);
  ASSERT_TRUE(this->DoAt({"s2"}, ConfirmPickup{id, "", true}).status.ok());
  EXPECT_EQ(this->OnHand("s2"), 9);
  // Ended: still not another store's business.
  EXPECT_EQ(this->DoAt({"s1"}, CancelOrder{id, ""}).status.code(), Code::kPermissionDenied);
}

TYPED_TEST(ScopeEngineTest, ReservationHeldByAnOrderElsewhere_IsDenied_NotExplained) {
  // SequentialIds: the order takes the first id, then its reservation the second.
  ASSERT_EQ(this->Order("s2").str(), "ord_1");
  ReservationId held("res_2");
  Completion direct = this->Do(ReleaseReservation{held, ""});
  ASSERT_EQ(direct.status.reason(), "RESERVATION_NOT_ACTIVE") << direct.status.ToString();
  EXPECT_EQ(this->DoAt({"s1"}, ReleaseReservation{held, ""}).status.code(),
            Code::kPermissionDenied);
}

// The in-memory store's lookup-failure hook: ended reservations and orders come from the
// store, and when that read fails nothing is allowed and nothing changes.
class ScopeLookupFailureTest : public ScopeEngineTest<MemoryStoreFactory> {};

TEST_F(ScopeLookupFailureTest, FailedLookupOfAnEndedReservation_FailsTheScopedCommand) {
  ReservationId id = Reserve({"s1"});
  ASSERT_TRUE(Do(ReleaseReservation{id, ""}).status.ok());
  size_t events = factory_.kept->committed().events.size();
  factory_.kept->FailNextFind();
  Completion done = DoAt({"s2"}, CommitReservation{id, {}});
  EXPECT_EQ(done.status.code(), Code::kUnavailable) << done.status.ToString();
  EXPECT_EQ(factory_.kept->committed().events.size(), events);
  EXPECT_EQ(OnHand("s1"), 10);
  EXPECT_EQ(factory_.kept->committed().reservations.at(id.str()).state,
            ReservationState::kReleased);
}

TEST_F(ScopeLookupFailureTest, FailedLookupOfAnEndedOrder_FailsTheScopedCommand) {
  OrderId id = Order("s1");
  ASSERT_TRUE(Do(CancelOrder{id, ""}).status.ok());
  size_t events = factory_.kept->committed().events.size();
  factory_.kept->FailNextFind();
  Completion done = DoAt({"s2"}, CancelOrder{id, ""});
  EXPECT_EQ(done.status.code(), Code::kUnavailable) << done.status.ToString();
  EXPECT_EQ(factory_.kept->committed().events.size(), events);
  EXPECT_EQ(factory_.kept->committed().orders.at(id.str()).state, OrderState::kCancelled);
}

}  // namespace
}  // namespace oms::testing

// The engine's behaviour, run against BOTH the in-memory fake store and the real SQLite
// adapter: a fake behind a port passes the same tests as the real thing.
#include <gtest/gtest.h>

#include "domain/validate.h"
#include "tests/domain/engine_harness.h"
#include "tests/fakes/forwarding_store.h"

namespace oms::testing {
namespace {

template <typename Factory>
class EngineTest : public ::testing::Test, public EngineHarness<Factory> {
 protected:
  void SetUp() override {
    OMS_SKIP_UNAVAILABLE_BACKEND(Factory);
    this->AddLocation("s1");
    this->AddLocation("s2");
  }
  Command Adjust(const std::string& sku, const std::string& loc, int64_t delta,
                 MovementReason reason = MovementReason::kReceived,
                 std::optional<int64_t> expect = std::nullopt) {
    return AdjustStock{{Sku(sku), LocationId(loc)}, delta, reason, "", expect};
  }
  Command Reserve(const std::string& sku, const std::string& loc, int64_t q,
                  Channel channel = Channel::kOnline, int ttl_s = 60) {
    CreateReservation c;
    c.channel = channel;
    c.lines = {{Sku(sku), LocationId(loc), q}};
    c.ttl = std::chrono::seconds(ttl_s);
    return c;
  }
};

using Stores = ::testing::Types<MemoryStoreFactory, SqliteStoreFactory, PgStoreFactory>;
TYPED_TEST_SUITE(EngineTest, Stores);

TYPED_TEST(EngineTest, Adjust_ChangesOnHand_AndBumpsTheVersion) {
  this->Receive("a", "s1", 5);
  Completion c = this->Do(this->Adjust("a", "s1", 3));
  ASSERT_TRUE(c.status.ok());
  EXPECT_EQ(c.response, "stock 8/0 v2");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 8);
}

TYPED_TEST(EngineTest, Adjust_UnknownLocation_IsNotFound) {
  EXPECT_EQ(this->Do(this->Adjust("a", "nowhere", 1)).status.code(), Code::kNotFound);
}

TYPED_TEST(EngineTest, Adjust_FailsWithVersionMismatch_WhenExpectedOnHandDiffers) {
  this->Receive("a", "s1", 5);
  Completion c = this->Do(this->Adjust("a", "s1", -1, MovementReason::kLost, 4));
  EXPECT_EQ(c.status.code(), Code::kAborted);
  EXPECT_EQ(c.status.reason(), "VERSION_MISMATCH");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
  EXPECT_TRUE(this->Do(this->Adjust("a", "s1", -1, MovementReason::kLost, 5)).status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 4);
}

TYPED_TEST(EngineTest, Adjust_NeverTakesReservedUnits_UnlessCorrection) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Do(this->Reserve("a", "s1", 4)).status.ok());
  Completion damaged = this->Do(this->Adjust("a", "s1", -2, MovementReason::kDamaged));
  EXPECT_EQ(damaged.status.reason(), "INSUFFICIENT_STOCK");
  Completion corrected = this->Do(this->Adjust("a", "s1", -3, MovementReason::kCorrection));
  ASSERT_TRUE(corrected.status.ok());
  StockLevel level = this->Level("a", "s1");
  EXPECT_EQ(level.on_hand, 2);
  EXPECT_EQ(level.reserved, 4);  // a shortfall of 2, reported, never negative
  EXPECT_EQ(Atp(level, Channel::kPos), 0);
  EXPECT_EQ(this->Do(this->Adjust("a", "s1", -3, MovementReason::kCorrection)).status.reason(),
            "INSUFFICIENT_STOCK");
}

TYPED_TEST(EngineTest, Transfer_ConservesUnits_AndMovesNothingWhenShort) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Do(this->Reserve("a", "s1", 2)).status.ok());
  Completion too_many =
      this->Do(TransferStock{Sku("a"), LocationId("s1"), LocationId("s2"), 4, ""});
  EXPECT_EQ(too_many.status.reason(), "INSUFFICIENT_STOCK");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
  EXPECT_EQ(this->Level("a", "s2").on_hand, 0);
  ASSERT_TRUE(
      this->Do(TransferStock{Sku("a"), LocationId("s1"), LocationId("s2"), 3, ""}).status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand + this->Level("a", "s2").on_hand, 5);
  EXPECT_EQ(this->Level("a", "s2").on_hand, 3);
}

TYPED_TEST(EngineTest, Count_SetsOnHand_AndOnlyMovesWhenItDiffers) {
  this->Receive("a", "s1", 5);
  Completion c = this->Do(SetStock{{Sku("a"), LocationId("s1")}, 7, "count", {}});
  ASSERT_TRUE(c.status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 7);
  int64_t version = this->Level("a", "s1").version;
  ASSERT_TRUE(this->Do(SetStock{{Sku("a"), LocationId("s1")}, 7, "count", {}}).status.ok());
  EXPECT_EQ(this->Level("a", "s1").version, version);
}

TYPED_TEST(EngineTest, SafetyStock_LowersRemoteAtpOnly) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Do(SetSafetyStock{{Sku("a"), LocationId("s1")}, 2}).status.ok());
  StockLevel level = this->Level("a", "s1");
  EXPECT_EQ(Atp(level, Channel::kOnline), 3);
  EXPECT_EQ(Atp(level, Channel::kBopis), 3);
  EXPECT_EQ(Atp(level, Channel::kPos), 5);
}

TYPED_TEST(EngineTest, AReplyTheCallerCannotEncode_FailsThatCommandOnly_WithNoEffect) {
  this->Receive("a", "s1", 5);
  std::vector<Completion> out(2);
  std::vector<Submission> batch(2);
  batch[0].command = this->Adjust("a", "s1", 3);
  batch[0].context = {"unencodable", 1, "Test", "tester"};
  batch[0].encode = [](const Reply&) -> Result<std::string> {
    return Status::Internal("not the reply this call expects");
  };
  batch[1].command = this->Adjust("b", "s1", 2);
  batch[1].context = {"fine", 2, "Test", "tester"};
  batch[1].encode = [](const Reply& reply) { return TestFixture::Describe(reply); };
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].done = [&out, i](Completion c) { out[i] = std::move(c); };
  }
  this->engine_->Run(batch);

  EXPECT_EQ(out[0].status.code(), Code::kInternal);
  EXPECT_TRUE(out[1].status.ok()) << out[1].status.ToString();
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
  EXPECT_EQ(this->Level("b", "s1").on_hand, 2);
  // Nothing was recorded under the failed request_id: a retry does the work once.
  Completion retry = this->Do(this->Adjust("a", "s1", 3), "unencodable");
  ASSERT_TRUE(retry.status.ok()) << retry.status.ToString();
  EXPECT_FALSE(retry.replayed);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 8);
}

TYPED_TEST(EngineTest, Retry_ReturnsTheStoredResponse_AndChangesNothing) {
  Completion first = this->Do(this->Adjust("a", "s1", 5), "same");
  Completion again = this->Do(this->Adjust("a", "s1", 5), "same");
  ASSERT_TRUE(again.status.ok());
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.response, first.response);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
}

TYPED_TEST(EngineTest, DuplicatesInOneBatch_HaveOneEffect) {
  auto out = this->RunBatch({{this->Adjust("a", "s1", 5), "dup"},
                             {this->Adjust("a", "s1", 5), "dup"},
                             {this->Adjust("a", "s1", 5), "dup"}});
  for (const auto& c : out) EXPECT_TRUE(c.status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
  EXPECT_EQ(this->last_stats_.replayed, 2);
}

TYPED_TEST(EngineTest, ReusedRequestId_WithAnotherPayload_IsRejected) {
  ASSERT_TRUE(this->Do(this->Adjust("a", "s1", 5), "id-1").status.ok());
  Completion c = this->Do(this->Adjust("a", "s1", 6), "id-1");
  EXPECT_EQ(c.status.code(), Code::kInvalidArgument);
  EXPECT_EQ(c.status.reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
}

TYPED_TEST(EngineTest, CommandPastItsDeadline_HasNoEffect_AndItsRequestIdStaysFree) {
  auto past = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  Completion late = this->DoBy(this->Adjust("a", "s1", 5), "slow", past);
  EXPECT_EQ(late.status.code(), Code::kDeadlineExceeded);
  EXPECT_EQ(late.status.reason(), "DEADLINE_EXCEEDED");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 0);
  // The retry, in time, is applied (not answered from a stored failure).
  auto future = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  Completion retry = this->DoBy(this->Adjust("a", "s1", 5), "slow", future);
  ASSERT_TRUE(retry.status.ok()) << retry.status.ToString();
  EXPECT_FALSE(retry.replayed);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
}

TYPED_TEST(EngineTest, FailedCommandInABatch_DoesNotDisturbTheOthers) {
  auto out = this->RunBatch({{this->Adjust("a", "s1", 5), "x1"},
                             {this->Adjust("a", "s1", -9, MovementReason::kLost), "x2"},
                             {this->Adjust("a", "s1", 2), "x3"}});
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_EQ(out[1].status.reason(), "INSUFFICIENT_STOCK");
  EXPECT_TRUE(out[2].status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 7);
  EXPECT_EQ(this->last_stats_.commands, 3);
}

TYPED_TEST(EngineTest, LaterCommandsInABatch_SeeEarlierOnes) {
  this->Receive("a", "s1", 3);
  auto out =
      this->RunBatch({{this->Reserve("a", "s1", 2), "y1"}, {this->Reserve("a", "s1", 2), "y2"}});
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_EQ(out[1].status.reason(), "INSUFFICIENT_STOCK");
}

TYPED_TEST(EngineTest, EventSequences_AreGapFreeAcrossBatches_AndSurviveRestart) {
  this->Receive("a", "s1", 1);
  int64_t before = this->engine_->state().last_sequence();
  this->RunBatch({{this->Adjust("a", "s1", 1), "e1"}, {this->Adjust("a", "s2", 1), "e2"}});
  EXPECT_EQ(this->engine_->state().last_sequence(), before + 2);
  this->Reopen();
  EXPECT_EQ(this->engine_->state().last_sequence(), before + 2);
  this->Receive("a", "s1", 1);
  EXPECT_EQ(this->engine_->state().last_sequence(), before + 3);
}

TYPED_TEST(EngineTest, Restart_KeepsStockAndActiveReservations) {
  this->Receive("a", "s1", 5);
  Completion r = this->Do(this->Reserve("a", "s1", 2));
  ASSERT_TRUE(r.status.ok());
  this->Reopen();
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
  EXPECT_EQ(this->Level("a", "s1").reserved, 2);
  EXPECT_EQ(this->engine_->state().active_reservations(), 1u);
}

TYPED_TEST(EngineTest, Expiry_ByTheClock_ReturnsUnitsAtExpiresAtExactly) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Do(this->Reserve("a", "s1", 3, Channel::kOnline, 60)).status.ok());
  ASSERT_TRUE(this->engine_->NextExpiry().has_value());
  this->clock_.Advance(std::chrono::seconds(60) - std::chrono::microseconds(1));
  this->RunBatch({});
  EXPECT_EQ(this->Level("a", "s1").reserved, 3);
  this->clock_.Advance(std::chrono::microseconds(1));
  this->RunBatch({});
  EXPECT_EQ(this->Level("a", "s1").reserved, 0);
  EXPECT_EQ(this->last_stats_.expired, 1);
  EXPECT_FALSE(this->engine_->NextExpiry().has_value());
}

TYPED_TEST(EngineTest, ExpiredWhileDown_IsExpiredOnOpen) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Do(this->Reserve("a", "s1", 3, Channel::kOnline, 60)).status.ok());
  this->clock_.Advance(std::chrono::seconds(61));
  this->Reopen();
  EXPECT_EQ(this->Level("a", "s1").reserved, 0);
  EXPECT_EQ(this->engine_->state().active_reservations(), 0u);
}

TYPED_TEST(EngineTest, ReleaseTwice_SecondIsNotActive_AndReservedNeverNegative) {
  this->Receive("a", "s1", 5);
  Completion r = this->Do(this->Reserve("a", "s1", 3));
  ReservationId id(r.response.substr(std::string("reservation ").size()));
  EXPECT_TRUE(this->Do(ReleaseReservation{id, ""}).status.ok());
  EXPECT_EQ(this->Do(ReleaseReservation{id, ""}).status.reason(), "RESERVATION_NOT_ACTIVE");
  EXPECT_EQ(this->Do(CommitReservation{id, {}}).status.reason(), "RESERVATION_NOT_ACTIVE");
  EXPECT_EQ(this->Level("a", "s1").reserved, 0);
}

TYPED_TEST(EngineTest, FailedCommit_AnswersUnavailableToTheBatch_AndLosesNothingAcknowledged) {
  this->Receive("a", "s1", 5);
  this->factory_.InjectCommitFailure();
  auto out =
      this->RunBatch({{this->Adjust("a", "s1", 1), "f1"}, {this->Reserve("a", "s1", 2), "f2"}});
  this->factory_.ClearFaults();
  for (const auto& c : out) {
    EXPECT_EQ(c.status.code(), Code::kUnavailable);
    EXPECT_EQ(c.status.reason(), "STORAGE_UNAVAILABLE");
  }
  EXPECT_FALSE(this->last_stats_.committed);
  StockLevel level = this->Level("a", "s1");
  EXPECT_EQ(level.on_hand, 5);
  EXPECT_EQ(level.reserved, 0);
  EXPECT_EQ(this->engine_->state().active_reservations(), 0u);
  // The fault cleared: the retries succeed, once.
  out = this->RunBatch({{this->Adjust("a", "s1", 1), "f1"}, {this->Reserve("a", "s1", 2), "f2"}});
  EXPECT_TRUE(out[0].status.ok()) << out[0].status.ToString();
  EXPECT_TRUE(out[1].status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 6);
  this->Reopen();
  EXPECT_EQ(this->Level("a", "s1").on_hand, 6);
  EXPECT_EQ(this->Level("a", "s1").reserved, 2);
}

TYPED_TEST(EngineTest, FailedWrite_PoisonsTheBatch_AndNothingOfItIsVisible) {
  this->Receive("a", "s1", 1);
  this->factory_.InjectWriteFailure();
  auto out = this->RunBatch({{this->Adjust("a", "s1", 1), "w1"},
                             {this->Adjust("a", "s1", 1), "w2"},
                             {this->Adjust("a", "s1", 1), "w3"}});
  this->factory_.ClearFaults();
  for (const auto& c : out) EXPECT_EQ(c.status.code(), Code::kUnavailable);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 1);
  this->Reopen();
  EXPECT_EQ(this->Level("a", "s1").on_hand, 1);
  EXPECT_TRUE(this->Do(this->Adjust("a", "s1", 1), "w1").status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 2);
}

// The storage bookkeeping (new rows, rewritten lines, appended history) as Draft derives it:
// what a restart loads back is exactly what the commands left.
TYPED_TEST(EngineTest, ShortPickedOrder_KeepsItsLinesAndHistory_AcrossARestart) {
  this->Receive("a", "s1", 5);
  this->Receive("b", "s1", 5);
  Completion placed = this->Do(PlaceOrder{
      CustomerId("c"), LocationId("s1"), {{Sku("a"), {}, 2}, {Sku("b"), {}, 1}}, {}, {}});
  ASSERT_TRUE(placed.status.ok()) << placed.status.ToString();
  OrderId id(placed.response.substr(std::string("order ").size()));
  ASSERT_TRUE(this->Do(StartPicking{id}).status.ok());
  ASSERT_TRUE(this->Do(MarkReady{id, {{Sku("a"), {}, 1}}}).status.ok());
  this->Reopen();

  EXPECT_EQ(this->Level("a", "s1").reserved, 1);
  EXPECT_EQ(this->Level("b", "s1").reserved, 1);
  Result<std::optional<Order>> found = this->store_->FindOrder(id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->lines, (std::vector<OrderLine>{{Sku("a"), 1, 2}, {Sku("b"), 1, 1}}));
  ASSERT_EQ((*found)->history.size(), 3u);
  EXPECT_EQ((*found)->history[2].state, OrderState::kReadyForPickup);

  ASSERT_TRUE(this->Do(ConfirmPickup{id, "", true}).status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 4);
  EXPECT_EQ(this->Level("b", "s1").on_hand, 4);
  EXPECT_EQ(this->Level("a", "s1").reserved, 0);
  found = this->store_->FindOrder(id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->history.size(), 4u);
}

// A store that looks at the shared view while the batch is being committed.
class PeekingStore final : public ForwardingStore {
 public:
  PeekingStore(Store& inner, std::function<void()> at_commit)
      : ForwardingStore(inner), at_commit_(std::move(at_commit)) {}
  Status Commit() override {
    at_commit_();
    return inner_.Commit();
  }

 private:
  std::function<void()> at_commit_;
};

TEST(EngineVisibilityTest, Readers_NeverSeeABatchBeforeItsCommit) {
  MemoryStore memory;
  SharedView view;
  int64_t seen_at_commit = -1;
  PeekingStore store(memory, [&] {
    seen_at_commit = view.Read([](const CommittedData& d) {
      auto it = d.stock.find({Sku("a"), LocationId("s1")});
      return it == d.stock.end() ? int64_t{0} : it->second.on_hand;
    });
  });
  ManualClock clock;
  SequentialIds ids;
  Engine engine(store, clock, ids, view, nullptr);
  ASSERT_TRUE(engine.Open().ok());
  std::vector<Submission> batch(2);
  batch[0].command =
      UpsertLocation{{LocationId("s1"), "s1", LocationKind::kStore, true, true, true, {}}};
  batch[0].context.request_id = "l";
  batch[1].command =
      AdjustStock{{Sku("a"), LocationId("s1")}, 7, MovementReason::kReceived, "", {}};
  batch[1].context.request_id = "a";
  engine.Run(batch);
  EXPECT_EQ(seen_at_commit, 0);  // staged, not visible during the commit
  EXPECT_EQ(view.Read([](const CommittedData& d) {
    return d.stock.at({Sku("a"), LocationId("s1")}).on_hand;
  }),
            7);
}

// A store that queues writes when asked (like PostgreSQL's): a refused one ("bad") fails
// only the commit then, and fails its own Write when writing through.
class QueuingStore final : public ForwardingStore {
 public:
  explicit QueuingStore(Store& inner) : ForwardingStore(inner) {}
  bool QueueWrites(bool on) override { return queue_ = on; }
  Status Begin() override {
    refused_ = false;
    return inner_.Begin();
  }
  Status Write(const Changes& c, const RequestRecord* r) override {
    if (r && r->request_id == "bad") {
      if (!queue_) return Status::Internal("refused by a constraint");
      refused_ = true;
      return Status::Ok();
    }
    return inner_.Write(c, r);
  }
  Status Commit() override {
    commits_.push_back(queue_);
    if (refused_) return Status::Internal("a queued statement was refused by a constraint");
    return inner_.Commit();
  }
  std::vector<bool> commits_;  // whether writes were queued, per commit tried

 private:
  bool queue_ = false;
  bool refused_ = false;
};

TEST(EngineQueuedWritesTest,
     ARefusalAtTheCommit_RunsTheBatchAgainWritingThrough_OnlyTheCulpritFails) {
  MemoryStore memory;
  QueuingStore store(memory);
  SharedView view;
  ManualClock clock;
  SequentialIds ids;
  Engine engine(store, clock, ids, view, nullptr);
  ASSERT_TRUE(engine.Open().ok());
  std::vector<Submission> batch(3);
  std::vector<Status> answers(3, Status::Internal("not answered"));
  batch[0].command =
      UpsertLocation{{LocationId("s1"), "s1", LocationKind::kStore, true, true, true, {}}};
  batch[1].command =
      AdjustStock{{Sku("a"), LocationId("s1")}, 7, MovementReason::kReceived, "", {}};
  batch[2].command =
      AdjustStock{{Sku("a"), LocationId("s1")}, 3, MovementReason::kReceived, "", {}};
  const char* ids_of[] = {"l", "a", "bad"};
  for (int i = 0; i < 3; ++i) {
    batch[i].context.request_id = ids_of[i];
    batch[i].done = [&answers, i](Completion c) { answers[i] = c.status; };
  }
  BatchStats stats = engine.Run(batch);
  EXPECT_TRUE(stats.committed);
  EXPECT_EQ(store.commits_, (std::vector<bool>{true, false}));
  EXPECT_TRUE(answers[0].ok()) << answers[0].ToString();
  EXPECT_TRUE(answers[1].ok()) << answers[1].ToString();
  EXPECT_EQ(answers[2].code(), Code::kInternal) << answers[2].ToString();
  EXPECT_EQ(view.Read([](const CommittedData& d) {
    return d.stock.at({Sku("a"), LocationId("s1")}).on_hand;
  }),
            7);
}

}  // namespace
}  // namespace oms::testing

// The engine's failure path on the in-memory store's fault hooks: a batch that cannot begin
// or commit answers every command UNAVAILABLE, publishes nothing, consumes no numbers and no
// request ids; a store that cannot even be reloaded stops the process.
#include <gtest/gtest.h>

#include "domain/engine.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_ports.h"
#include "tests/fakes/memory_store.h"

namespace oms::testing {
namespace {

// Records published events, and what the store had committed when they arrived.
class RecordingSink final : public EventSink {
 public:
  explicit RecordingSink(const MemoryStore& store) : store_(store) {}
  void Publish(std::vector<Event>&& events) override {
    for (auto& e : events) {
      sequences.push_back(e.sequence);
      committed_events_at_publish.push_back(store_.committed().events.size());
    }
  }
  std::vector<int64_t> sequences;
  std::vector<size_t> committed_events_at_publish;

 private:
  const MemoryStore& store_;
};

class EngineFaultsTest : public ::testing::Test {
 protected:
  EngineFaultsTest() : sink_(store_) {
    engine_ = std::make_unique<Engine>(store_, clock_, ids_, view_, &sink_);
    EXPECT_TRUE(engine_->Open().ok());
    EXPECT_TRUE(
        Run({{UpsertLocation{{LocationId("s1"), "s1", LocationKind::kStore, true, true, true, {}}},
              "setup"}})[0]
            .status.ok());
  }

  std::vector<Completion> Run(std::vector<std::pair<Command, std::string>> commands) {
    std::vector<Completion> out(commands.size());
    std::vector<Submission> batch;
    for (size_t i = 0; i < commands.size(); ++i) {
      Submission s;
      s.command = std::move(commands[i].first);
      s.context = {commands[i].second, 1, "M", "tester"};
      s.encode = [](const Reply&) { return std::string("ok"); };
      s.done = [&out, i](Completion c) { out[i] = std::move(c); };
      batch.push_back(std::move(s));
    }
    stats_ = engine_->Run(batch);
    return out;
  }

  static Command Receive(int64_t q) {
    return AdjustStock{{Sku("a"), LocationId("s1")}, q, MovementReason::kReceived, "", {}};
  }

  int64_t OnHand() {
    return view_.Read([](const CommittedData& d) {
      auto it = d.stock.find({Sku("a"), LocationId("s1")});
      return it == d.stock.end() ? int64_t{0} : it->second.on_hand;
    });
  }

  MemoryStore store_;
  FakeClock clock_;
  SequentialIds ids_;
  SharedView view_;
  RecordingSink sink_;
  std::unique_ptr<Engine> engine_;
  BatchStats stats_;
};

TEST_F(EngineFaultsTest, FailedBegin_AnswersEveryCommandUnavailable_AndCommitsNothing) {
  store_.FailNextBegin();
  auto out = Run({{Receive(1), "b1"}, {Receive(2), "b2"}});
  for (const auto& c : out) {
    EXPECT_EQ(c.status.code(), Code::kUnavailable);
    EXPECT_EQ(c.status.reason(), "STORAGE_UNAVAILABLE");
  }
  EXPECT_FALSE(stats_.committed);
  EXPECT_EQ(stats_.failed, 2);
  EXPECT_EQ(OnHand(), 0);
  EXPECT_FALSE(store_.batch_open());
}

TEST_F(EngineFaultsTest, FailedCommit_PublishesNoEvents) {
  size_t published = sink_.sequences.size();
  store_.FailNextCommit();
  Run({{Receive(1), "c1"}});
  EXPECT_EQ(sink_.sequences.size(), published);
}

TEST_F(EngineFaultsTest, CommittedBatch_PublishesItsEventsInOrder_OnlyAfterTheCommit) {
  sink_.sequences.clear();
  sink_.committed_events_at_publish.clear();
  Run({{Receive(1), "p1"}, {Receive(2), "p2"}});
  EXPECT_EQ(sink_.sequences, (std::vector<int64_t>{2, 3}));
  for (size_t committed : sink_.committed_events_at_publish) EXPECT_EQ(committed, 3u);
}

TEST_F(EngineFaultsTest, Replies_AreSentOnlyOnceTheViewShowsTheCommit) {
  int64_t seen_in_reply = -1;
  std::vector<Submission> batch(1);
  batch[0].command = Receive(4);
  batch[0].context = {"v1", 1, "M", "tester"};
  batch[0].done = [&](Completion) { seen_in_reply = OnHand(); };
  engine_->Run(batch);
  EXPECT_EQ(seen_in_reply, 4);
}

TEST_F(EngineFaultsTest, FailedCommit_ConsumesNoRequestIdsAndNoNumbers) {
  int64_t sequence = engine_->state().last_sequence();
  store_.FailNextCommit();
  Run({{Receive(1), "retry-me"}});
  EXPECT_EQ(engine_->state().last_sequence(), sequence);
  EXPECT_EQ(engine_->state().last_movement_id(), 0);
  auto out = Run({{Receive(1), "retry-me"}});
  ASSERT_TRUE(out[0].status.ok());
  EXPECT_FALSE(out[0].replayed);
  EXPECT_EQ(engine_->state().last_sequence(), sequence + 1);
  EXPECT_EQ(store_.committed().movements.back().id, 1);
  EXPECT_EQ(OnHand(), 1);
}

TEST_F(EngineFaultsTest, FailedWriteMidBatch_FailsTheCommandsBeforeItToo) {
  store_.FailWriteAfter(1);  // the first command is written, the second fails
  auto out = Run({{Receive(1), "w1"}, {Receive(2), "w2"}, {Receive(4), "w3"}});
  for (const auto& c : out) EXPECT_EQ(c.status.code(), Code::kUnavailable);
  EXPECT_EQ(OnHand(), 0);
  EXPECT_TRUE(store_.committed().movements.empty());
}

TEST_F(EngineFaultsTest, FailedCommit_ThenALaterBatch_SucceedsNormally) {
  store_.FailNextCommit();
  Run({{Receive(1), "x1"}});
  auto out = Run({{Receive(2), "x2"}});
  ASSERT_TRUE(out[0].status.ok());
  EXPECT_TRUE(stats_.committed);
  EXPECT_EQ(OnHand(), 2);
}

// Memory may disagree with the database until it is rebuilt: nothing is applied over it, and
// every batch fails (the caller retries) until a reload works. A replica's writer that lost
// its database this way stays up, fails over, or comes back — it never serves wrong numbers.
TEST_F(EngineFaultsTest, UnreadableStoreAfterAFailedCommit_FailsBatchesUntilAReloadWorks) {
  store_.FailNextCommit();
  store_.FailNextLoad();
  auto first = Run({{Receive(1), "d1"}});
  EXPECT_EQ(first[0].status.code(), Code::kUnavailable);
  store_.FailNextLoad();
  auto second = Run({{Receive(2), "d2"}});
  EXPECT_EQ(second[0].status.code(), Code::kUnavailable);
  EXPECT_FALSE(stats_.committed);
  EXPECT_TRUE(store_.committed().movements.empty());
  auto third = Run({{Receive(4), "d3"}});
  ASSERT_TRUE(third[0].status.ok());
  EXPECT_EQ(OnHand(), 4);
}

}  // namespace
}  // namespace oms::testing

// Writer: the single writer thread. Replies only after the commit, commands that queue
// during a commit share the next transaction, a full queue fails fast, Stop drains, and the
// sweep expires reservations on the engine's clock.
#include "storage/writer.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_ports.h"
#include "tests/fakes/forwarding_store.h"
#include "tests/fakes/memory_store.h"

namespace oms::testing {
namespace {

using namespace std::chrono_literals;

// A MemoryStore whose Commit can be held closed, so a test controls when a batch finishes.
class GatedStore final : public ForwardingStore {
 public:
  // The base keeps a reference to memory_, constructed right after it and used only later.
  GatedStore() : ForwardingStore(memory_) {}
  Status Commit() override {
    std::unique_lock lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    --waiting_;
    return inner_.Commit();
  }

  void Close() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Blocks until a commit is held at the closed gate.
  bool AwaitHeldCommit() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [this] { return waiting_ > 0; });
  }
  MemoryStore& inner() { return memory_; }

 private:
  MemoryStore memory_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = true;
  int waiting_ = 0;
};

// Completions delivered so far, waitable.
class Replies {
 public:
  std::function<void(Completion)> Slot(int i) {
    return [this, i](Completion c) {
      std::lock_guard lock(mu_);
      got_[i] = std::move(c);
      cv_.notify_all();
    };
  }
  bool AwaitCount(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return got_.size() >= n; });
  }
  size_t count() {
    std::lock_guard lock(mu_);
    return got_.size();
  }
  Completion Get(int i) {
    std::lock_guard lock(mu_);
    return got_.at(i);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<int, Completion> got_;
};

class WriterTest : public ::testing::Test {
 protected:
  void Start(storage::WriterOptions options = {}) {
    engine_ = std::make_unique<Engine>(store_, clock_, ids_, view_, nullptr);
    ASSERT_TRUE(engine_->Open().ok());
    writer_ = std::make_unique<storage::Writer>(*engine_, options);
    writer_->set_observer([this](const BatchStats& stats, std::chrono::microseconds) {
      std::lock_guard lock(mu_);
      batch_sizes_.push_back(stats.commands);
      expired_ += stats.expired;
      cv_.notify_all();
    });
    writer_->Start();
  }
  void TearDown() override {
    store_.Open();
    if (writer_) writer_->Stop();
  }

  Submission Make(Command command, std::string request_id, std::function<void(Completion)> done) {
    Submission s;
    s.command = std::move(command);
    s.context = {std::move(request_id), 1, "Test", "tester"};
    s.encode = [](const Reply&) { return std::string("encoded"); };
    s.done = std::move(done);
    return s;
  }
  Submission AddLocation(const std::string& id, std::function<void(Completion)> done) {
    return Make(UpsertLocation{{LocationId(id), id, LocationKind::kStore, true, true, true, {}}},
                "loc-" + id, std::move(done));
  }

  // Batch statistics are recorded on the writer thread after the replies are handed over,
  // so tests wait for the observer rather than for the replies.
  std::vector<int> AwaitBatchSizes(size_t batches) {
    std::unique_lock lock(mu_);
    EXPECT_TRUE(cv_.wait_for(lock, 10s, [&] { return batch_sizes_.size() >= batches; }));
    return batch_sizes_;
  }

  GatedStore store_;
  FakeClock clock_;
  SequentialIds ids_;
  SharedView view_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<storage::Writer> writer_;
  Replies replies_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> batch_sizes_;
  int expired_ = 0;
};

TEST_F(WriterTest, Reply_ComesAfterTheCommit_WithTheEncodedResponse) {
  Start();
  std::promise<std::pair<Completion, size_t>> replied;
  ASSERT_TRUE(writer_
                  ->Submit(AddLocation("s1",
                                       [&](Completion c) {
                                         // What is durable at the moment of the reply.
                                         size_t stored =
                                             store_.inner().committed().locations.size();
                                         replied.set_value({std::move(c), stored});
                                       }))
                  .ok());
  auto future = replied.get_future();
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  auto [completion, stored] = future.get();
  EXPECT_TRUE(completion.status.ok()) << completion.status.ToString();
  EXPECT_EQ(completion.response, "encoded");
  EXPECT_EQ(stored, 1u);
}

TEST_F(WriterTest, CommandsQueuedDuringACommit_ShareTheNextTransaction) {
  Start();
  store_.Close();
  ASSERT_TRUE(writer_->Submit(AddLocation("s0", replies_.Slot(0))).ok());
  ASSERT_TRUE(store_.AwaitHeldCommit());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(writer_->Submit(AddLocation(fmt::format("s{}", i), replies_.Slot(i))).ok());
  }
  store_.Open();
  ASSERT_TRUE(replies_.AwaitCount(4));
  EXPECT_EQ(AwaitBatchSizes(2), (std::vector<int>{1, 3}));
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(replies_.Get(i).status.ok());
}

TEST_F(WriterTest, Batches_NeverExceedMaxBatch) {
  storage::WriterOptions options;
  options.max_batch = 2;
  Start(options);
  store_.Close();
  ASSERT_TRUE(writer_->Submit(AddLocation("s0", replies_.Slot(0))).ok());
  ASSERT_TRUE(store_.AwaitHeldCommit());
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(writer_->Submit(AddLocation(fmt::format("s{}", i), replies_.Slot(i))).ok());
  }
  store_.Open();
  ASSERT_TRUE(replies_.AwaitCount(6));
  EXPECT_EQ(AwaitBatchSizes(4), (std::vector<int>{1, 2, 2, 1}));
}

TEST_F(WriterTest, Submit_ToAFullQueue_FailsAtOnceWithWriterOverloaded) {
  storage::WriterOptions options;
  options.max_queue = 2;
  Start(options);
  store_.Close();
  ASSERT_TRUE(writer_->Submit(AddLocation("s0", replies_.Slot(0))).ok());
  ASSERT_TRUE(store_.AwaitHeldCommit());  // s0 left the queue
  ASSERT_TRUE(writer_->Submit(AddLocation("s1", replies_.Slot(1))).ok());
  ASSERT_TRUE(writer_->Submit(AddLocation("s2", replies_.Slot(2))).ok());
  Status refused = writer_->Submit(AddLocation("s3", replies_.Slot(3)));
  EXPECT_EQ(refused.code(), Code::kResourceExhausted);
  EXPECT_EQ(refused.reason(), "WRITER_OVERLOADED");
  store_.Open();
  ASSERT_TRUE(replies_.AwaitCount(3));
  writer_->Stop();
  EXPECT_EQ(replies_.count(), 3u);  // the refused one is never answered through `done`
}

TEST_F(WriterTest, Stop_AnswersEverythingQueued_BeforeItReturns) {
  Start();
  store_.Close();
  ASSERT_TRUE(writer_->Submit(AddLocation("s0", replies_.Slot(0))).ok());
  ASSERT_TRUE(store_.AwaitHeldCommit());
  for (int i = 1; i <= 4; ++i) {
    ASSERT_TRUE(writer_->Submit(AddLocation(fmt::format("s{}", i), replies_.Slot(i))).ok());
  }
  std::thread stopper([&] { writer_->Stop(); });
  store_.Open();
  stopper.join();
  EXPECT_EQ(replies_.count(), 5u);
  EXPECT_EQ(store_.inner().committed().locations.size(), 5u);
}

TEST_F(WriterTest, Submit_AfterStop_IsUnavailableShuttingDown) {
  Start();
  writer_->Stop();
  Status s = writer_->Submit(AddLocation("late", replies_.Slot(0)));
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(s.reason(), "SHUTTING_DOWN");
  EXPECT_EQ(replies_.count(), 0u);
}

TEST_F(WriterTest, FailedCommit_AnswersUnavailable_AndCountsAFailedBatch) {
  Start();
  store_.inner().FailNextCommit();
  ASSERT_TRUE(writer_->Submit(AddLocation("s0", replies_.Slot(0))).ok());
  ASSERT_TRUE(replies_.AwaitCount(1));
  EXPECT_EQ(replies_.Get(0).status.code(), Code::kUnavailable);
  AwaitBatchSizes(1);
  EXPECT_EQ(writer_->stats().failed_batches.load(), 1);
  EXPECT_TRUE(store_.inner().committed().locations.empty());
}

TEST_F(WriterTest, Sweep_ExpiresADueReservation_WithoutAnyRequest) {
  storage::WriterOptions options;
  options.max_sweep_delay = 5ms;
  Start(options);
  ASSERT_TRUE(writer_->Submit(AddLocation("s1", replies_.Slot(0))).ok());
  ASSERT_TRUE(
      writer_
          ->Submit(
              Make(AdjustStock{{Sku("a"), LocationId("s1")}, 5, MovementReason::kReceived, "", {}},
                   "adj", replies_.Slot(1)))
          .ok());
  CreateReservation reserve;
  reserve.lines = {{Sku("a"), LocationId("s1"), 2}};
  reserve.ttl = 60s;
  ASSERT_TRUE(writer_->Submit(Make(reserve, "res", replies_.Slot(2))).ok());
  ASSERT_TRUE(replies_.AwaitCount(3));
  ASSERT_TRUE(replies_.Get(2).status.ok()) << replies_.Get(2).status.ToString();

  clock_.Advance(61s);
  std::unique_lock lock(mu_);
  ASSERT_TRUE(cv_.wait_for(lock, 10s, [&] { return expired_ > 0; }));
  lock.unlock();
  // The expiry's batch is committed; with a pipelined writer its state is published after its
  // fsync, before the reply of any later command.
  ASSERT_TRUE(writer_->Submit(AddLocation("s2", replies_.Slot(3))).ok());
  ASSERT_TRUE(replies_.AwaitCount(4));
  int64_t reserved = view_.Read([](const CommittedData& d) {
    return d.stock.at(StockKey{Sku("a"), LocationId("s1")}).reserved;
  });
  EXPECT_EQ(reserved, 0);
}

}  // namespace
}  // namespace oms::testing

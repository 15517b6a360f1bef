// Pipelined durability on the real SQLite adapter: a batch's COMMIT returns before its fsync,
// the next batch is applied and written while that fsync runs, and nothing of a batch (its
// replies, the state readers see, its events, rows read through the Reader) is released
// before its own fsync returned. A failed fsync of batch k while k+1 is written fails both,
// reloads memory once a sync succeeds again, and loses nothing that was acknowledged.
// The test drives the sync thread by hand: jobs queue until the test runs them.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "domain/commit_gate.h"
#include "domain/engine.h"
#include "storage/reader.h"
#include "storage/sqlite_store.h"
#include "storage/sqlite.h"
#include "storage/verify.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_ports.h"
#include "tests/fakes/fault_vfs.h"
#include "tests/fakes/forwarding_store.h"
#include "tests/support/temp_dir.h"

namespace oms::testing {
namespace {

using namespace std::chrono_literals;

// Wraps the SQLite store: counts writes and commits, so a test can wait until the next batch
// has been written while the prior fsync is still held.
class CountingStore final : public ForwardingStore {
 public:
  explicit CountingStore(Store& inner) : ForwardingStore(inner) {}
  Status Write(const Changes& c, const RequestRecord* r) override {
    Status s = inner_.Write(c, r);
    std::lock_guard lock(mu_);
    ++writes_;
    cv_.notify_all();
    return s;
  }
  Status CommitNoSync() override {
    ++commits_;
    return inner_.CommitNoSync();
  }
  Status Sync() override {
    if (fail_next_sync_.exchange(false)) {
      // Through the VFS, like a real failing fsync, and off again before the engine hears.
      FaultVfs::FailSyncs(true);
      Status s = inner_.Sync();
      FaultVfs::FailSyncs(false);
      return s;
    }
    return inner_.Sync();
  }
  void FailNextSync() { fail_next_sync_ = true; }
  bool AwaitWrites(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return writes_ >= n; });
  }
  int writes() {
    std::lock_guard lock(mu_);
    return writes_;
  }
  int commits() const { return commits_.load(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int writes_ = 0;
  std::atomic<int> commits_{0};
  std::atomic<bool> fail_next_sync_{false};
};

class RecordingSink final : public EventSink {
 public:
  void Publish(std::vector<Event>&& events) override {
    std::lock_guard lock(mu_);
    for (auto& e : events) sequences_.push_back(e.sequence);
  }
  std::vector<int64_t> sequences() {
    std::lock_guard lock(mu_);
    return sequences_;
  }

 private:
  std::mutex mu_;
  std::vector<int64_t> sequences_;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FaultVfs::Register();
    FaultVfs::Clear();
    path_ = dir_.path() / "oms.db";
    auto store = storage::SqliteStore::Open(
        {.path = path_.string(), .vfs = FaultVfs::kName, .pipelined = true},
        [](const Event&) { return std::string("e"); });
    ASSERT_TRUE(store.ok()) << store.status().message();
    sqlite_ = std::move(store).value();
    store_ = std::make_unique<CountingStore>(*sqlite_);
    reader_ = std::make_unique<storage::Reader>(path_.string(), FaultVfs::kName, &gate_);
    engine_ = std::make_unique<Engine>(*store_, clock_, ids_, view_, &sink_);
    engine_->set_commit_gate(&gate_);
    ASSERT_TRUE(engine_->Open().ok());
    engine_->set_pipeline(Engine::Pipeline{.run_sync =
                                               [this](std::function<void()> job) {
                                                 std::lock_guard lock(mu_);
                                                 jobs_.push_back(std::move(job));
                                               },
                                           .wake = [this] { ++wakes_; }});
    // An acknowledged, durable baseline: 10 units at s1.
    Run({{AddLocation(), "setup"}, {Receive(10), "base"}});
    RunSync();
    engine_->Poll();
    ASSERT_TRUE(Done("setup") && Done("base"));
    ASSERT_TRUE(completions_["base"].status.ok());
  }
  void TearDown() override { FaultVfs::Clear(); }

  static Command AddLocation() {
    return UpsertLocation{{LocationId("s1"), "s1", LocationKind::kStore, true, true, true, {}}};
  }
  static Command Receive(int64_t q) {
    return AdjustStock{{Sku("a"), LocationId("s1")}, q, MovementReason::kReceived, "", {}};
  }

  // Runs one batch on this thread; completions land in completions_ by request id.
  BatchStats Run(std::vector<std::pair<Command, std::string>> commands) {
    std::vector<Submission> batch;
    for (auto& [command, id] : commands) {
      Submission s;
      s.command = std::move(command);
      s.context = {id, std::hash<std::string>()(id), "AdjustStock", "tester"};
      s.encode = [](const Reply&) { return std::string("ok"); };
      s.done = [this, id](Completion c) {
        std::lock_guard lock(mu_);
        completions_[id] = std::move(c);
        order_.push_back(id);
      };
      batch.push_back(std::move(s));
    }
    return engine_->Run(batch);
  }
  // Runs the oldest queued sync job (the sync thread's work) on this thread.
  void RunSync() {
    std::function<void()> job;
    {
      std::lock_guard lock(mu_);
      ASSERT_FALSE(jobs_.empty());
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
  size_t QueuedSyncs() {
    std::lock_guard lock(mu_);
    return jobs_.size();
  }
  bool Done(const std::string& id) {
    std::lock_guard lock(mu_);
    return completions_.count(id) > 0;
  }
  Completion Get(const std::string& id) {
    std::lock_guard lock(mu_);
    return completions_.at(id);
  }
  int64_t OnHand() {
    return view_.Read([](const CommittedData& d) {
      auto it = d.stock.find({Sku("a"), LocationId("s1")});
      return it == d.stock.end() ? int64_t{0} : it->second.on_hand;
    });
  }
  // What a fresh process would load from the file.
  int64_t DurableOnHand() {
    auto db = storage::SqliteDatabase::Open(path_.string(), {.read_only = true});
    EXPECT_TRUE(db.ok());
    auto& q = (*db)->Prepare("SELECT on_hand FROM stock_levels WHERE sku = 'a'");
    return q.Step() ? q.Int(0) : -1;
  }

  TempDir dir_;
  std::filesystem::path path_;
  std::unique_ptr<storage::SqliteStore> sqlite_;
  std::unique_ptr<CountingStore> store_;
  CommitGate gate_;
  std::unique_ptr<storage::Reader> reader_;
  FakeClock clock_;
  SequentialIds ids_;
  SharedView view_;
  RecordingSink sink_;
  std::unique_ptr<Engine> engine_;
  std::mutex mu_;
  std::deque<std::function<void()>> jobs_;
  std::map<std::string, Completion> completions_;
  std::vector<std::string> order_;
  std::atomic<int> wakes_{0};
};

TEST_F(PipelineTest, CommittedBatch_ReleasesNothingUntilItsOwnFsyncReturned) {
  size_t events_before = sink_.sequences().size();
  BatchStats stats = Run({{Receive(5), "k1"}});
  EXPECT_TRUE(stats.committed);
  ASSERT_EQ(QueuedSyncs(), 1u);
  // Committed in SQLite, but not acknowledged, not shown, not published.
  EXPECT_FALSE(Done("k1"));
  EXPECT_EQ(OnHand(), 10);
  EXPECT_EQ(sink_.sequences().size(), events_before);
  engine_->Poll();  // the fsync has not returned: still nothing
  EXPECT_FALSE(Done("k1"));

  int wakes = wakes_.load();
  RunSync();
  EXPECT_EQ(wakes_.load(), wakes + 1);  // the writer is told to come back
  engine_->Poll();
  ASSERT_TRUE(Done("k1"));
  EXPECT_TRUE(Get("k1").status.ok());
  EXPECT_EQ(OnHand(), 15);
  EXPECT_EQ(sink_.sequences().size(), events_before + 1);
  EXPECT_EQ(DurableOnHand(), 15);
}

TEST_F(PipelineTest, NextBatch_IsWrittenDuringThePriorFsync_AndCommitsOnlyAfterIt_InOrder) {
  Run({{Receive(1), "k1"}, {Receive(1), "k2"}});
  ASSERT_EQ(QueuedSyncs(), 1u);
  int commits = store_->commits();
  int writes = store_->writes();
  std::thread next([&] { Run({{Receive(1), "n1"}, {Receive(1), "n2"}}); });
  // Batch k+1 is applied and written while k's fsync is still held...
  ASSERT_TRUE(store_->AwaitWrites(writes + 2));
  EXPECT_EQ(store_->commits(), commits);  // ...but does not commit on top of it yet.
  EXPECT_FALSE(Done("k1"));
  RunSync();  // k's fsync returns: k is released, then k+1 commits
  next.join();
  EXPECT_EQ(store_->commits(), commits + 1);
  EXPECT_TRUE(Done("k1") && Done("k2"));
  EXPECT_FALSE(Done("n1"));
  EXPECT_EQ(OnHand(), 12);  // k+1 is committed, not yet durable: not shown
  ASSERT_EQ(QueuedSyncs(), 1u);
  RunSync();
  engine_->Poll();
  EXPECT_EQ(OnHand(), 14);
  std::vector<std::string> expected = {"setup", "base", "k1", "k2", "n1", "n2"};
  EXPECT_EQ(order_, expected);
  std::vector<int64_t> seq = sink_.sequences();
  EXPECT_TRUE(std::is_sorted(seq.begin(), seq.end()));
}

TEST_F(PipelineTest, FailedFsyncOfBatchK_WhileKPlus1IsWritten_FailsBoth_AndLosesNothingAcked) {
  Run({{Receive(5), "k1"}});
  int writes = store_->writes();
  std::thread next([&] { Run({{Receive(7), "n1"}}); });
  ASSERT_TRUE(store_->AwaitWrites(writes + 1));
  store_->FailNextSync();
  RunSync();    // k's fsync fails
  next.join();  // k+1 sees it, rolls back, syncs again and reloads

  ASSERT_TRUE(Done("k1") && Done("n1"));
  EXPECT_EQ(Get("k1").status.code(), Code::kUnavailable);
  EXPECT_EQ(Get("k1").status.reason(), reason::kStorageUnavailable);
  EXPECT_EQ(Get("n1").status.code(), Code::kUnavailable);
  EXPECT_EQ(QueuedSyncs(), 0u);  // k+1 never committed
  // The acknowledged baseline is there; k's COMMIT reached the file before its fsync failed,
  // so after the successful re-sync memory is reloaded with it, and k+1 left nothing.
  EXPECT_EQ(OnHand(), 15);
  EXPECT_EQ(DurableOnHand(), 15);

  // Retries by request id: k answers what it did (once), k+1 is applied now.
  Run({{Receive(5), "k1"}, {Receive(7), "n1"}});
  RunSync();
  engine_->Poll();
  EXPECT_TRUE(Get("k1").status.ok());
  EXPECT_TRUE(Get("k1").replayed);
  EXPECT_TRUE(Get("n1").status.ok());
  EXPECT_FALSE(Get("n1").replayed);
  EXPECT_EQ(OnHand(), 22);
  EXPECT_EQ(DurableOnHand(), 22);

  auto db = storage::SqliteDatabase::Open(path_.string(), {.read_only = true});
  ASSERT_TRUE(db.ok());
  auto report = storage::Verify(**db);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems.front();
}

TEST_F(PipelineTest, FsyncThatKeepsFailing_FailsEveryBatch_UntilASyncSucceeds) {
  Run({{Receive(5), "k1"}});
  FaultVfs::FailSyncs(true);
  RunSync();
  engine_->Poll();  // the writer, idle, hears of the failure
  EXPECT_EQ(Get("k1").status.code(), Code::kUnavailable);
  Run({{Receive(1), "n1"}});
  EXPECT_EQ(Get("n1").status.code(), Code::kUnavailable);
  EXPECT_EQ(QueuedSyncs(), 0u);
  EXPECT_EQ(OnHand(), 10);  // nothing undurable is ever shown
  FaultVfs::FailSyncs(false);
  Run({{Receive(1), "n2"}});
  RunSync();
  engine_->Poll();
  EXPECT_TRUE(Get("n2").status.ok());
  EXPECT_EQ(OnHand(), 16);  // k (in the file, now durable), then n2
  EXPECT_EQ(DurableOnHand(), 16);
}

TEST_F(PipelineTest, DatabaseRead_ThatSawACommitInFlight_WaitsForItsFsync) {
  Run({{Receive(5), "k1"}});
  std::atomic<bool> synced{false};
  std::atomic<bool> read_after_sync{false};
  std::atomic<int64_t> seen{-1};
  std::thread reader([&] {
    auto moves = reader_->ListMovements({}, 100);
    read_after_sync = synced.load();
    if (moves.ok()) seen = static_cast<int64_t>(moves->size());
  });
  // The read has run and waits at the gate (it saw k's rows).
  auto give_up = std::chrono::steady_clock::now() + 10s;
  while (gate_.waiting() == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
  }
  EXPECT_EQ(gate_.waiting(), 1) << "the read did not wait for the fsync";
  synced = true;
  RunSync();
  reader.join();
  EXPECT_TRUE(read_after_sync.load());
  EXPECT_EQ(seen.load(), 2);  // base and k1
}

}  // namespace
}  // namespace oms::testing

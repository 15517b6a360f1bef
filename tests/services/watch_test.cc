// Watch streams against the real server: replay then live, exactly once across reconnects
// and restarts, filters, retention, slow subscribers, shutdown.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "tests/support/live_server.h"
#include "tests/support/manual_clock.h"

namespace oms::testing {
namespace {

using v1::AvailabilityChanged;

class WatchTest : public ::testing::Test {
 protected:
  explicit WatchTest(services::ServerOptions options = {}) : server_(std::move(options)) {
    server_.AddLocation("s1");
    server_.AddLocation("s2");
  }

  // Reads `n` events (or until the deadline) from a stream with this request.
  std::vector<AvailabilityChanged> Read(const v1::WatchAvailabilityRequest& req, size_t n,
                                        grpc::Status* status = nullptr, int seconds = 10) {
    auto stub = v1::InventoryService::NewStub(server_.NewChannel());
    auto ctx = Ctx(seconds);
    auto reader = stub->WatchAvailability(ctx.get(), req);
    std::vector<AvailabilityChanged> out;
    AvailabilityChanged e;
    while (out.size() < n && reader->Read(&e)) out.push_back(e);
    if (out.size() >= n) ctx->TryCancel();
    grpc::Status s = reader->Finish();
    if (status) *status = s;
    return out;
  }

  static v1::WatchAvailabilityRequest After(int64_t sequence) {
    v1::WatchAvailabilityRequest req;
    req.set_after_sequence(sequence);
    return req;
  }

  LiveServer server_;
};

TEST_F(WatchTest, ReplaysCommittedChanges_InSequenceOrder_WithTheirValues) {
  for (int i = 1; i <= 5; ++i) server_.Receive("a", "s1", i);
  std::vector<AvailabilityChanged> events = Read(After(0), 5);
  ASSERT_EQ(events.size(), 5u);
  int64_t on_hand = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    on_hand += static_cast<int64_t>(i + 1);
    EXPECT_EQ(events[i].on_hand(), on_hand);
    EXPECT_EQ(events[i].sku(), "a");
    if (i > 0) {
      EXPECT_GT(events[i].sequence(), events[i - 1].sequence());
    }
  }
}

TEST_F(WatchTest, ResumeAtEveryPosition_MissesNothingAndRepeatsNothing) {
  for (int i = 0; i < 12; ++i) server_.Receive(i % 2 ? "a" : "b", i % 3 ? "s1" : "s2", 1);
  std::vector<AvailabilityChanged> all = Read(After(0), 12);
  ASSERT_EQ(all.size(), 12u);
  for (size_t k = 0; k < all.size(); ++k) {
    std::vector<AvailabilityChanged> rest = Read(After(all[k].sequence()), all.size() - k - 1);
    ASSERT_EQ(rest.size(), all.size() - k - 1) << "resume after " << all[k].sequence();
    for (size_t j = 0; j < rest.size(); ++j) {
      EXPECT_EQ(rest[j].sequence(), all[k + 1 + j].sequence());
      EXPECT_EQ(rest[j].on_hand(), all[k + 1 + j].on_hand());
    }
  }
}

TEST_F(WatchTest, ReplayThenLive_DeliversNewCommitsToAnOpenStream) {
  server_.Receive("a", "s1", 1);
  auto stub = v1::InventoryService::NewStub(server_.NewChannel());
  auto ctx = Ctx();
  auto reader = stub->WatchAvailability(ctx.get(), After(0));
  AvailabilityChanged e;
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.on_hand(), 1);
  server_.Receive("a", "s1", 2);
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.on_hand(), 3);
  ctx->TryCancel();
  reader->Finish();
}

TEST_F(WatchTest, FromNow_SkipsHistory) {
  server_.Receive("a", "s1", 1);
  auto stub = v1::InventoryService::NewStub(server_.NewChannel());
  auto ctx = Ctx();
  v1::WatchAvailabilityRequest req;
  req.set_from_now(true);
  auto reader = stub->WatchAvailability(ctx.get(), req);
  reader->WaitForInitialMetadata();  // the server has registered the stream
  server_.Receive("a", "s1", 4);
  AvailabilityChanged e;
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.on_hand(), 5);
  ctx->TryCancel();
  reader->Finish();
}

TEST_F(WatchTest, Filters_BySkuAndLocation_AreAppliedServerSide) {
  server_.Receive("a", "s1", 1);
  server_.Receive("b", "s1", 1);
  server_.Receive("a", "s2", 1);
  server_.Receive("a", "s1", 1);
  v1::WatchAvailabilityRequest req = After(0);
  req.add_skus("a");
  req.add_location_ids("s1");
  std::vector<AvailabilityChanged> events = Read(req, 2);
  ASSERT_EQ(events.size(), 2u);
  for (const auto& e : events) {
    EXPECT_EQ(e.sku(), "a");
    EXPECT_EQ(e.location_id(), "s1");
  }
  EXPECT_EQ(events[1].on_hand(), 2);
}

TEST_F(WatchTest, UnknownLocation_IsNotFound) {
  v1::WatchAvailabilityRequest req = After(0);
  req.add_location_ids("nowhere");
  grpc::Status s;
  Read(req, 1, &s);
  EXPECT_EQ(s.error_code(), grpc::NOT_FOUND);
}

TEST_F(WatchTest, ResumePointInTheFuture_IsOutOfRange) {
  grpc::Status s;
  Read(After(1'000'000), 1, &s);
  EXPECT_EQ(s.error_code(), grpc::OUT_OF_RANGE);
  EXPECT_EQ(ReasonOf(s), "SEQUENCE_AHEAD");
}

// A refused stream that the client cancels at once: gRPC may report the cancel after the
// refusal's Finish, and the stream must not Finish twice (that aborts the server).
TEST_F(WatchTest, RefusedThenCancelledAtOnce_ManyTimes_KeepsTheServerUp) {
  for (int i = 0; i < 200; ++i) Read(After(1'000'000), 0);
  grpc::Status s;
  Read(After(1'000'000), 1, &s);
  EXPECT_EQ(ReasonOf(s), "SEQUENCE_AHEAD");
}

TEST_F(WatchTest, ResumeAcrossServerRestart_ContinuesExactlyAfterTheLastSeen) {
  for (int i = 0; i < 4; ++i) server_.Receive("a", "s1", 1);
  std::vector<AvailabilityChanged> first = Read(After(0), 4);
  ASSERT_EQ(first.size(), 4u);
  server_.Restart();
  server_.Receive("a", "s1", 1);
  std::vector<AvailabilityChanged> next = Read(After(first[1].sequence()), 3);
  ASSERT_EQ(next.size(), 3u);
  EXPECT_EQ(next[0].sequence(), first[2].sequence());
  EXPECT_EQ(next[1].sequence(), first[3].sequence());
  EXPECT_EQ(next[2].on_hand(), 5);
}

TEST_F(WatchTest, Shutdown_EndsOpenStreamsWithUnavailable) {
  server_.Receive("a", "s1", 1);
  auto stub = v1::InventoryService::NewStub(server_.NewChannel());
  auto ctx = Ctx();
  auto reader = stub->WatchAvailability(ctx.get(), After(0));
  AvailabilityChanged e;
  ASSERT_TRUE(reader->Read(&e));
  std::thread stop([&] { server_.Stop(); });
  while (reader->Read(&e)) {
  }
  grpc::Status s = reader->Finish();
  stop.join();
  EXPECT_EQ(s.error_code(), grpc::UNAVAILABLE);
  server_.Restart();
}

TEST_F(WatchTest, StalledSubscriber_DoesNotHoldBackWritersOrOtherStreams) {
  // The stalled client opens a stream and never reads: gRPC flow control fills up and the
  // server's write for it stays pending.
  auto stalled_stub = v1::InventoryService::NewStub(server_.NewChannel());
  auto stalled_ctx = Ctx(60);
  auto stalled = stalled_stub->WatchAvailability(stalled_ctx.get(), After(0));

  constexpr int kWrites = 400;
  std::atomic<int> received{0};
  std::thread fast([&] {
    auto stub = v1::InventoryService::NewStub(server_.NewChannel());
    auto ctx = Ctx(60);
    auto reader = stub->WatchAvailability(ctx.get(), After(0));
    AvailabilityChanged e;
    int64_t last = 0;
    while (received < kWrites && reader->Read(&e)) {
      EXPECT_GT(e.sequence(), last);
      last = e.sequence();
      ++received;
    }
    ctx->TryCancel();
    reader->Finish();
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto stub = v1::InventoryService::NewStub(server_.NewChannel());
      for (int i = 0; i < kWrites / 4; ++i) {
        v1::AdjustStockRequest req;
        req.set_request_id(LiveServer::NextId());
        req.set_sku("big-payload-sku-" + std::to_string(w) + std::string(100, 'x'));
        req.set_location_id("s1");
        req.set_delta(1);
        req.set_reason(v1::MOVEMENT_REASON_RECEIVED);
        v1::AdjustStockResponse resp;
        EXPECT_TRUE(stub->AdjustStock(Ctx().get(), req, &resp).ok());
      }
    });
  }
  for (auto& t : writers) t.join();
  fast.join();
  EXPECT_EQ(received.load(), kWrites);
  stalled_ctx->TryCancel();
  stalled->Finish();
}

// ImportStock of `rows` SKUs at s1 in one call: one commit, `rows` availability events at once.
void ImportBurst(LiveServer& server, const std::string& prefix, int rows, int64_t on_hand) {
  v1::ImportStockRequest req = LiveServer::BurstImport(prefix, rows, on_hand);
  v1::ImportStockResponse resp;
  ASSERT_TRUE(server.inventory().ImportStock(Ctx().get(), req, &resp).ok());
  ASSERT_EQ(resp.changed(), rows);
}

// Each event is encoded once, by the hub, however many streams send it: the streams write
// the hub's bytes and never encode.
TEST_F(WatchTest, FanOut_EncodesEachEventOnce_WhateverTheSubscriberCount) {
  server_.Receive("warm", "s1", 1);
  for (int subscribers : {1, 20}) {
    SCOPED_TRACE(subscribers);
    struct Sub {
      std::unique_ptr<v1::InventoryService::Stub> stub;
      std::unique_ptr<grpc::ClientContext> ctx;
      std::unique_ptr<grpc::ClientReader<AvailabilityChanged>> reader;
    };
    std::vector<Sub> subs;
    v1::WatchAvailabilityRequest req;
    req.set_from_now(true);
    for (int i = 0; i < subscribers; ++i) {
      Sub sub{v1::InventoryService::NewStub(server_.NewChannel()), Ctx(30), nullptr};
      sub.reader = sub.stub->WatchAvailability(sub.ctx.get(), req);
      sub.reader->WaitForInitialMetadata();  // registered
      subs.push_back(std::move(sub));
    }
    constexpr int kEvents = 30;
    services::FanoutCounters before = server_.server().fanout_counters();
    std::string prefix = "enc" + std::to_string(subscribers) + "-";
    for (int i = 0; i < kEvents / 3; ++i) server_.Receive(prefix + std::to_string(i), "s1", 1);
    ImportBurst(server_, prefix + "burst-", kEvents - kEvents / 3, 5);
    for (auto& sub : subs) {
      AvailabilityChanged e;
      for (int i = 0; i < kEvents; ++i) {
        ASSERT_TRUE(sub.reader->Read(&e));
        EXPECT_EQ(e.sku().rfind(prefix, 0), 0u) << e.sku();
      }
    }
    services::FanoutCounters after = server_.server().fanout_counters();
    EXPECT_EQ(after.encoded - before.encoded, static_cast<uint64_t>(kEvents));
    EXPECT_EQ(after.written - before.written, static_cast<uint64_t>(kEvents * subscribers));
    EXPECT_EQ(after.replayed, before.replayed);
    for (auto& sub : subs) {
      sub.ctx->TryCancel();
      sub.reader->Finish();
    }
  }
}

// A burst — hundreds of events of one commit, then more commits behind them — reaches a
// filtered and an unfiltered stream whole, in sequence order, with each event's own values,
// exactly as a replay of the log gives them.
TEST_F(WatchTest, Burst_ArrivesCompleteAndInOrder) {
  constexpr int kRows = 700;
  constexpr int kAfter = 50;
  server_.Receive("first", "s1", 1);
  v1::WatchAvailabilityRequest all;
  all.set_from_now(true);
  v1::WatchAvailabilityRequest some = all;
  for (int i = 0; i < kRows; i += 7) some.add_skus("b-" + std::to_string(i));
  auto stub = v1::InventoryService::NewStub(server_.NewChannel());
  auto ctx_all = Ctx(60), ctx_some = Ctx(60);
  auto r_all = stub->WatchAvailability(ctx_all.get(), all);
  auto r_some = stub->WatchAvailability(ctx_some.get(), some);
  r_all->WaitForInitialMetadata();
  r_some->WaitForInitialMetadata();
  ImportBurst(server_, "b-", kRows, 9);
  for (int i = 0; i < kAfter; ++i) server_.Receive("b-0", "s1", 1);

  std::vector<AvailabilityChanged> got_all;
  AvailabilityChanged e;
  while (got_all.size() < kRows + kAfter && r_all->Read(&e)) got_all.push_back(e);
  ASSERT_EQ(got_all.size(), static_cast<size_t>(kRows + kAfter));
  std::set<std::string> burst_skus;
  for (size_t i = 0; i < got_all.size(); ++i) {
    if (i > 0) {
      ASSERT_EQ(got_all[i].sequence(), got_all[i - 1].sequence() + 1) << i;
    }
    if (i < kRows) {
      burst_skus.insert(got_all[i].sku());
      EXPECT_EQ(got_all[i].on_hand(), 9);
    } else {
      EXPECT_EQ(got_all[i].sku(), "b-0");
      EXPECT_EQ(got_all[i].on_hand(), 9 + static_cast<int64_t>(i - kRows + 1));
    }
  }
  EXPECT_EQ(burst_skus.size(), static_cast<size_t>(kRows));

  std::vector<AvailabilityChanged> got_some;
  const size_t want_some = static_cast<size_t>(some.skus_size() + kAfter);
  while (got_some.size() < want_some && r_some->Read(&e)) got_some.push_back(e);
  ASSERT_EQ(got_some.size(), want_some);
  std::vector<int64_t> expected_some;
  for (const auto& a : got_all) {
    if (some.skus().end() != std::find(some.skus().begin(), some.skus().end(), a.sku())) {
      expected_some.push_back(a.sequence());
    }
  }
  std::vector<int64_t> seen_some;
  for (const auto& a : got_some) seen_some.push_back(a.sequence());
  EXPECT_EQ(seen_some, expected_some);

  // The same bytes a replay from the log gives.
  std::vector<AvailabilityChanged> replay =
      Read(After(got_all.front().sequence() - 1), got_all.size());
  ASSERT_EQ(replay.size(), got_all.size());
  for (size_t i = 0; i < replay.size(); ++i) {
    EXPECT_EQ(replay[i].SerializeAsString(), got_all[i].SerializeAsString()) << i;
  }
  ctx_all->TryCancel();
  ctx_some->TryCancel();
  r_all->Finish();
  r_some->Finish();
}

// The server's clock, constructed before the server that uses it (a base initialized first).
struct WithManualClock {
  ManualClock clock_;
};

class WatchRetentionTest : private WithManualClock, public WatchTest {
 protected:
  static constexpr std::chrono::minutes kPurgeInterval{1};
  services::ServerOptions Small() {
    services::ServerOptions o;
    o.clock = &clock_;
    o.writer.event_keep = 3;
    o.writer.purge_interval = kPurgeInterval;
    return o;
  }
  WatchRetentionTest() : WatchTest(Small()) {}

  // The purge runs on the server's clock: due once the interval has passed on it, and run by
  // the writer before the next batch, so it is done when that batch's reply arrives.
  void RunPurge() {
    clock_.Advance(kPurgeInterval);
    server_.Receive("nudge", "s2", 1);
  }
};

TEST_F(WatchRetentionTest, ResumePointOlderThanRetention_IsOutOfRangeWithOldestSequence) {
  for (int i = 0; i < 10; ++i) server_.Receive("a", "s1", 1);
  grpc::Status s;
  ASSERT_EQ(Read(After(0), 1, &s).size(), 1u)
      << "nothing is purged before the interval has passed on the server's clock: "
      << s.error_message();
  RunPurge();
  Read(After(0), 1, &s);
  ASSERT_EQ(s.error_code(), grpc::OUT_OF_RANGE);
  EXPECT_EQ(ReasonOf(s), "EVENTS_PRUNED");
  int64_t oldest = std::stoll(MetadataOf(s, "oldest_sequence"));
  EXPECT_GT(oldest, 1);
  std::vector<AvailabilityChanged> tail = Read(After(oldest - 1), 1, &s);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].sequence(), oldest);
}

TEST(WatchOrdersTest, StorePickupScreen_SeesNewOrdersForItsStoreOnly) {
  LiveServer server;
  server.AddLocation("s1");
  server.AddLocation("s2");
  server.Receive("a", "s1", 5);
  server.Receive("a", "s2", 5);
  auto stub = v1::OrderService::NewStub(server.NewChannel());
  auto ctx = Ctx();
  v1::WatchOrdersRequest req;
  req.set_pickup_location_id("s1");
  auto reader = stub->WatchOrders(ctx.get(), req);
  for (const char* store : {"s2", "s1"}) {
    v1::PlaceOrderRequest place;
    place.set_request_id(LiveServer::NextId());
    place.set_customer_id("alice");
    place.set_pickup_location_id(store);
    auto* line = place.add_lines();
    line->set_sku("a");
    line->set_quantity(1);
    v1::PlaceOrderResponse placed;
    ASSERT_TRUE(server.orders().PlaceOrder(Ctx().get(), place, &placed).ok());
  }
  v1::OrderEvent e;
  ASSERT_TRUE(reader->Read(&e));
  EXPECT_EQ(e.order().pickup_location_id(), "s1");
  EXPECT_EQ(e.order().state(), v1::ORDER_STATE_PLACED);
  ctx->TryCancel();
  reader->Finish();
}

}  // namespace
}  // namespace oms::testing

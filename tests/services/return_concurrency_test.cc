// ReturnService under concurrency and restarts: a storm of retries of one request, two stores
// racing for the last returnable units of one sale, an open return across a restart.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/services/return_fixture.h"

namespace oms::testing {
namespace {

TEST_F(ReturnTest, Storm_SameRequestIdFrom32Threads_OneReturn_IdenticalAnswers) {
  std::string order = SellOrder("alice", {{"shoe", 5}});
  const v1::CreateReturnRequest req = ReturnOf(order, "s2", {{"shoe", 3, kRestock}});
  constexpr int kThreads = 32;
  std::latch start(kThreads);
  std::mutex mu;
  std::set<std::string> answers;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto stub = v1::ReturnService::NewStub(server_.NewChannel());
      v1::CreateReturnResponse resp;
      start.arrive_and_wait();
      grpc::Status s = stub->CreateReturn(Ctx().get(), req, &resp);
      if (!s.ok()) {
        ++failed;
        ADD_FAILURE() << s.error_message();
        return;
      }
      std::lock_guard lock(mu);
      answers.insert(resp.SerializeAsString());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(answers.size(), 1u);
  EXPECT_EQ(OnHand("shoe", "s2"), 3);
  EXPECT_EQ(Movements("shoe", "s2").size(), 1u);
  v1::ListReturnsRequest list;
  list.set_customer_id("alice");
  v1::ListReturnsResponse listed;
  ASSERT_TRUE(server_.returns().ListReturns(Ctx().get(), list, &listed).ok());
  ASSERT_EQ(listed.returns_size(), 1);
  v1::CreateReturnResponse one;
  ASSERT_TRUE(one.ParseFromString(*answers.begin()));
  EXPECT_EQ(listed.returns(0).SerializeAsString(), one.return_().SerializeAsString());
}

TEST_F(ReturnTest, TwoStoresRacingForTenSoldUnits_ExactlyTenComeBack) {
  std::string order = SellOrder("alice", {{"shoe", 10}});
  constexpr int kPerStore = 16;
  std::latch start(2 * kPerStore);
  std::map<std::string, std::atomic<int>> ok;
  ok["s2"] = 0;
  ok["s3"] = 0;
  std::atomic<int> exceeded{0}, other{0};
  std::vector<std::thread> threads;
  for (const char* store : {"s2", "s3"}) {
    for (int i = 0; i < kPerStore; ++i) {
      threads.emplace_back([&, store] {
        auto stub = v1::ReturnService::NewStub(server_.NewChannel());
        v1::CreateReturnRequest req = ReturnOf(order, store, {{"shoe", 1, kRestock}});
        v1::CreateReturnResponse resp;
        start.arrive_and_wait();
        grpc::Status s = stub->CreateReturn(Ctx().get(), req, &resp);
        if (s.ok()) {
          ++ok.at(store);
        } else if (s.error_code() == grpc::FAILED_PRECONDITION &&
                   ReasonOf(s) == "RETURN_QUANTITY_EXCEEDED") {
          ++exceeded;
        } else {
          ++other;
          ADD_FAILURE() << s.error_message();
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.at("s2") + ok.at("s3"), 10);
  EXPECT_EQ(exceeded.load(), 2 * kPerStore - 10);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(OnHand("shoe", "s2"), ok.at("s2").load());
  EXPECT_EQ(OnHand("shoe", "s3"), ok.at("s3").load());
  EXPECT_EQ(OnHand("shoe", "sell"), 90);
  v1::GetOrderRequest get;
  get.set_order_id(order);
  v1::GetOrderResponse got;
  ASSERT_TRUE(server_.orders().GetOrder(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.order().lines(0).returned(), 10);
}

TEST_F(ReturnTest, ConcurrentResolves_OfOneReturn_NeverTakeMoreThanIsQuarantined) {
  std::string sale = SellAtTill("shoe", 10);
  const std::string id = CreateOk(ReturnOf(sale, "s2", {{"shoe", 10, kInspect}})).return_id();
  constexpr int kThreads = 24;
  std::latch start(kThreads);
  std::atomic<int> restocked{0}, written_off{0}, exceeded{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto stub = v1::ReturnService::NewStub(server_.NewChannel());
      v1::Disposition d = i % 2 ? kRestock : kDamaged;
      v1::ResolveReturnRequest req = ResolveOf(id, {{"shoe", 1, d}});
      v1::ResolveReturnResponse resp;
      start.arrive_and_wait();
      grpc::Status s = stub->ResolveReturn(Ctx().get(), req, &resp);
      if (s.ok()) {
        ++(d == kRestock ? restocked : written_off);
      } else if (ReasonOf(s) == "RETURN_QUANTITY_EXCEEDED") {
        ++exceeded;
      } else {
        ++other;
        ADD_FAILURE() << s.error_message();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(restocked + written_off, 10);
  EXPECT_EQ(exceeded.load(), kThreads - 10);
  EXPECT_EQ(other.load(), 0);
  v1::Return r = Get(id);
  EXPECT_EQ(r.state(), v1::RETURN_STATE_COMPLETED);
  EXPECT_EQ(r.lines(0).restocked(), restocked.load());
  EXPECT_EQ(r.lines(0).written_off(), written_off.load());
  EXPECT_EQ(OnHand("shoe", "s2"), restocked.load());
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 0);
  EXPECT_EQ(Movements("shoe", "s2").size(), static_cast<size_t>(restocked.load()));
}

TEST_F(ReturnTest, Restart_KeepsAnOpenReturn_ThenItResolves_AndRetriesStillReplay) {
  std::string sale = SellAtTill("shoe", 3);
  v1::CreateReturnRequest req = ReturnOf(sale, "s2", {{"shoe", 3, kInspect}});
  req.set_customer_id("dave");
  v1::CreateReturnResponse created;
  ASSERT_TRUE(Create(req, &created).ok());
  const std::string id = created.return_().return_id();

  server_.Restart();
  v1::Return after = Get(id);
  EXPECT_EQ(after.SerializeAsString(), created.return_().SerializeAsString());
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 3);
  v1::CreateReturnResponse replayed;
  ASSERT_TRUE(Create(req, &replayed).ok());
  EXPECT_EQ(replayed.SerializeAsString(), created.SerializeAsString());

  v1::ResolveReturnResponse resolved;
  grpc::Status s =
      Resolve(ResolveOf(id, {{"shoe", 2, kRestock}, {"shoe", 1, kDamaged}}), &resolved);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resolved.return_().state(), v1::RETURN_STATE_COMPLETED);
  EXPECT_EQ(OnHand("shoe", "s2"), 2);
  EXPECT_EQ(Detail("shoe", "s2").quarantined(), 0);
  // Everything sold came back: one more unit is refused, after the restart too.
  v1::CreateReturnResponse more;
  s = Create(ReturnOf(sale, "s3", {{"shoe", 1, kRestock}}), &more);
  EXPECT_EQ(ReasonOf(s), "RETURN_QUANTITY_EXCEEDED");
  EXPECT_EQ(MetadataOf(s, "returned"), "3");
}

}  // namespace
}  // namespace oms::testing

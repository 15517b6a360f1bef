// The race of issue 16: checkouts storming a store while an inbound with pegged preorders is
// received there. Every preorder gets its units, no checkout takes a preordered unit, and the
// totals reconcile.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <set>
#include <thread>

#include "tests/services/inbound_fixture.h"

namespace oms::testing {
namespace {

TEST_F(InboundTest, Race_64Checkouts_AgainstReceiptWithPeggedPreorders_PreordersAlwaysServed) {
  constexpr int kPresent = 20;    // on hand before the receipt
  constexpr int kPreorders = 10;  // of 3 units each: every expected unit promised
  constexpr int kExpected = 30;
  constexpr int kOverReceipt = 5;  // units beyond the PO: the only new ATP
  constexpr int kClients = 64;
  constexpr int kAttemptsPerClient = 3;
  // The preorders come first, while nothing is on hand: each is a pure future hold, and
  // together they promise every expected unit. Then the present stock arrives.
  ExpectOk("po-race", "s1", 24, {{"shoe", kExpected}});
  std::vector<std::string> preorders;
  for (int i = 0; i < kPreorders; ++i) {
    v1::Reservation r = Preorder("shoe", 3, "s1", 48);
    ASSERT_EQ(r.lines_size(), 1);
    ASSERT_EQ(r.lines(0).inbound_id(), "po-race");
    preorders.push_back(r.reservation_id());
  }
  server_.Receive("shoe", "s1", kPresent);
  const int64_t promised = GetOk("po-race").lines(0).promised();
  ASSERT_EQ(promised, kExpected);
  ASSERT_EQ(server_.Level("shoe", "s1").reserved(), 0);
  ASSERT_EQ(server_.Atp("shoe", "s1"), kPresent);

  std::latch start(kClients + 1);
  std::atomic<int> ok{0}, short_stock{0}, other{0};
  std::mutex mu;
  std::set<std::string> checkout_ids;
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&] {
      auto stub = v1::ReservationService::NewStub(server_.NewChannel());
      start.arrive_and_wait();
      for (int a = 0; a < kAttemptsPerClient; ++a) {
        v1::CreateReservationRequest req = ReserveOf("shoe", 1, "s1", 0);
        v1::CreateReservationResponse resp;
        grpc::Status s = stub->CreateReservation(Ctx().get(), req, &resp);
        if (s.ok()) {
          ++ok;
          // A checkout holds present units only.
          for (const auto& l : resp.reservation().lines()) {
            if (!l.inbound_id().empty() || l.at_risk()) ++other;
          }
          std::lock_guard lock(mu);
          checkout_ids.insert(resp.reservation().reservation_id());
        } else if (s.error_code() == grpc::FAILED_PRECONDITION &&
                   ReasonOf(s) == "INSUFFICIENT_STOCK") {
          ++short_stock;
        } else {
          ++other;
          ADD_FAILURE() << s.error_message();
        }
      }
    });
  }
  v1::ReceiveInboundResponse received;
  std::thread receiver([&] {
    auto stub = v1::InboundService::NewStub(server_.NewChannel());
    start.arrive_and_wait();
    v1::ReceiveInboundRequest req = ReceiveOf("po-race", {{"shoe", kExpected + kOverReceipt}});
    grpc::Status s = stub->ReceiveInbound(Ctx().get(), req, &received);
    EXPECT_TRUE(s.ok()) << s.error_message();
  });
  for (auto& t : threads) t.join();
  receiver.join();

  // Checkouts got exactly what was never promised: the present stock plus the over-receipt,
  // whatever the interleaving.
  const int64_t free_units = kPresent + kOverReceipt;
  EXPECT_EQ(ok.load(), free_units);
  EXPECT_EQ(ok.load() + short_stock.load(), kClients * kAttemptsPerClient);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(static_cast<int64_t>(checkout_ids.size()), free_units);
  RecordProperty("checkouts_ok", ok.load());
  RecordProperty("checkouts_short", short_stock.load());

  // Every preorder was served: only present holds, 3 units each.
  std::set<std::string> served(received.served_reservation_ids().begin(),
                               received.served_reservation_ids().end());
  int64_t preorder_units = 0;
  for (const auto& id : preorders) {
    v1::Reservation r = GetReservation(id);
    EXPECT_EQ(r.state(), v1::RESERVATION_STATE_ACTIVE) << id;
    for (const auto& l : r.lines()) {
      EXPECT_EQ(l.inbound_id(), "") << id;
      EXPECT_FALSE(l.at_risk()) << id;
      preorder_units += l.quantity();
    }
  }
  EXPECT_EQ(preorder_units, 3 * kPreorders);
  EXPECT_EQ(served, std::set<std::string>(preorders.begin(), preorders.end()));

  // Totals: on_hand is everything that arrived; reserved is preorders plus checkouts; no ATP.
  v1::StockLevel level = server_.Level("shoe", "s1");
  EXPECT_EQ(level.on_hand(), kPresent + kExpected + kOverReceipt);
  EXPECT_EQ(level.reserved(), 3 * kPreorders + free_units);
  EXPECT_EQ(server_.Atp("shoe", "s1"), 0);
  v1::Inbound in = GetOk("po-race");
  EXPECT_EQ(in.state(), v1::INBOUND_STATE_RECEIVED);
  EXPECT_EQ(in.lines(0).promised(), 0);
  EXPECT_EQ(in.lines(0).received(), kExpected + kOverReceipt);

  // After the receipt a preorder sells like any reservation.
  v1::CommitReservationRequest commit;
  commit.set_request_id(LiveServer::NextId());
  commit.set_reservation_id(preorders.back());
  v1::CommitReservationResponse committed;
  grpc::Status s = server_.reservations().CommitReservation(Ctx().get(), commit, &committed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), kPresent + kExpected + kOverReceipt - 3);
}

}  // namespace
}  // namespace oms::testing

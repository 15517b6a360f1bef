// Future availability and preorders over the real server: the timeline at a location and
// across a group per channel, safety stock, a preorder from promise to sale, and what happens
// to its hold when its inbound is cancelled, moved or overdue.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/services/inbound_fixture.h"

namespace oms::testing {
namespace {

using Points = std::vector<std::pair<int64_t, int64_t>>;  // (hours from now, atp)

TEST_F(InboundTest, Future_AtLocation_OnePointPerArrival_CumulativeInsideTheHorizon) {
  server_.Receive("shoe", "s1", 2);
  ExpectOk("po-a", "s1", 24, {{"shoe", 5}});
  ExpectOk("po-b", "s1", 48, {{"shoe", 3}});
  ExpectOk("po-c", "s1", 48, {{"shoe", 1}});
  ExpectOk("po-far", "s1", 100 * 24, {{"shoe", 50}});
  ExpectOk("po-other", "s2", 12, {{"shoe", 9}});
  v1::SkuFutureAvailability f = Future("shoe", "s1");
  EXPECT_EQ(f.atp_now(), 2);
  EXPECT_EQ(Timeline(f), (Points{{24, 7}, {48, 11}}));
  v1::GetFutureAvailabilityRequest longer;
  longer.add_skus("shoe");
  longer.set_location_id("s1");
  longer.mutable_horizon()->set_seconds(120 * 24 * 3600);
  ASSERT_TRUE(FutureOf(longer, &f).ok());
  EXPECT_EQ(Timeline(f), (Points{{24, 7}, {48, 11}, {2400, 61}}));
}

TEST_F(InboundTest, Future_EarliestAt_NowWhenAlreadyThere_ArrivalWhenLater_UnsetBeyond) {
  server_.Receive("shoe", "s1", 2);
  ExpectOk("po-a", "s1", 24, {{"shoe", 5}});
  EXPECT_EQ(Future("shoe", "s1", v1::CHANNEL_ONLINE, 2).earliest_at().seconds(), In(0).seconds());
  EXPECT_EQ(Future("shoe", "s1", v1::CHANNEL_ONLINE, 6).earliest_at().seconds(), In(24).seconds());
  EXPECT_FALSE(Future("shoe", "s1", v1::CHANNEL_ONLINE, 8).has_earliest_at());
  EXPECT_FALSE(Future("shoe", "s1").has_earliest_at());
}

TEST_F(InboundTest, Future_InGroup_CountsMembersThatFulfilTheChannel) {
  server_.AddLocation("s3", /*ship=*/false, /*pickup=*/true);
  server_.SetGroup("online", {"s1", "s2", "s3"});
  ExpectOk("po-1", "s1", 24, {{"shoe", 5}});
  ExpectOk("po-2", "s2", 48, {{"shoe", 4}});
  ExpectOk("po-3", "s3", 12, {{"shoe", 10}});
  EXPECT_EQ(Timeline(Future("shoe", "online", v1::CHANNEL_ONLINE, 0, true)),
            (Points{{24, 5}, {48, 9}}));
  EXPECT_EQ(Timeline(Future("shoe", "online", v1::CHANNEL_BOPIS, 0, true)),
            (Points{{12, 10}, {24, 15}, {48, 19}}));
}

TEST_F(InboundTest, Future_SafetyStock_ProtectedForRemoteChannels_NotForPos) {
  server_.Receive("shoe", "s1", 1);
  server_.SetSafety("shoe", "s1", 3);
  ExpectOk("po-1", "s1", 24, {{"shoe", 10}});
  v1::SkuFutureAvailability online = Future("shoe", "s1", v1::CHANNEL_ONLINE);
  EXPECT_EQ(online.atp_now(), 0);
  EXPECT_EQ(Timeline(online), (Points{{24, 8}}));
  v1::SkuFutureAvailability pos = Future("shoe", "s1", v1::CHANNEL_POS);
  EXPECT_EQ(pos.atp_now(), 1);
  EXPECT_EQ(Timeline(pos), (Points{{24, 11}}));
  // A preorder never takes the safety stock either: 8 can be promised, not 9.
  v1::CreateReservationResponse resp;
  EXPECT_TRUE(IsError(server_.Reserve(ReserveOf("shoe", 9, "s1", 48), &resp),
                      grpc::FAILED_PRECONDITION, "INSUFFICIENT_STOCK"));
  EXPECT_EQ(Preorder("shoe", 8, "s1", 48).lines(0).inbound_id(), "po-1");
}

TEST_F(InboundTest, Future_BadQuestions_AreInvalidArgumentOrNotFound) {
  auto base = [] {
    v1::GetFutureAvailabilityRequest r;
    r.add_skus("shoe");
    r.set_location_id("s1");
    return r;
  };
  v1::SkuFutureAvailability out;
  v1::GetFutureAvailabilityRequest r = base();
  r.clear_skus();
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::INVALID_ARGUMENT, "", "skus"));
  r = base();
  for (int i = 0; i < 1000; ++i) r.add_skus("sku-" + std::to_string(i));
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::INVALID_ARGUMENT, "", "skus"));
  r = base();
  r.clear_location_id();
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::INVALID_ARGUMENT, "", "scope"));
  r = base();
  r.mutable_horizon()->set_seconds(0);
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::INVALID_ARGUMENT, "", "horizon"));
  r.mutable_horizon()->set_seconds(367LL * 24 * 3600);
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::INVALID_ARGUMENT, "", "horizon"));
  r.mutable_horizon()->set_seconds(366LL * 24 * 3600);
  EXPECT_TRUE(FutureOf(r, &out).ok());
  r = base();
  r.set_quantity(-1);
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::INVALID_ARGUMENT, "", "quantity"));
  r = base();
  r.set_channel(static_cast<v1::Channel>(99));
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::INVALID_ARGUMENT, "", "channel"));
  r = base();
  r.set_location_id("nowhere");
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::NOT_FOUND));
  r = base();
  r.set_group_id("no-group");
  EXPECT_TRUE(IsError(FutureOf(r, &out), grpc::NOT_FOUND));
}

TEST_F(InboundTest, Preorder_EndToEnd_PromisedThenServedByReceiptThenSold) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 10}});
  v1::Reservation pre = Preorder("shoe", 3, "s1", 72);
  ASSERT_EQ(pre.lines_size(), 1);
  EXPECT_EQ(pre.lines(0).inbound_id(), "po-1");
  EXPECT_EQ(pre.lines(0).promised_at().seconds(), In(48).seconds());
  EXPECT_FALSE(pre.lines(0).at_risk());
  EXPECT_EQ(pre.promise_by().seconds(), In(72).seconds());
  // A future hold lowers future ATP, never current ATP or reserved.
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 0);
  EXPECT_EQ(Timeline(Future("shoe", "s1")), (Points{{48, 7}}));
  EXPECT_EQ(GetOk("po-1").lines(0).promised(), 3);
  // Not yet received: it cannot be sold, and checkouts get nothing of it.
  v1::CommitReservationRequest commit;
  commit.set_request_id(LiveServer::NextId());
  commit.set_reservation_id(pre.reservation_id());
  v1::CommitReservationResponse committed;
  EXPECT_TRUE(IsError(server_.reservations().CommitReservation(Ctx().get(), commit, &committed),
                      grpc::FAILED_PRECONDITION, "PREORDER_NOT_RECEIVED"));
  v1::CreateReservationResponse checkout;
  EXPECT_TRUE(IsError(server_.Reserve(ReserveOf("shoe", 1, "s1", 0), &checkout),
                      grpc::FAILED_PRECONDITION, "INSUFFICIENT_STOCK"));

  v1::ReceiveInboundResponse got = ReceiveOk("po-1", {{"shoe", 10}});
  ASSERT_EQ(got.served_reservation_ids_size(), 1);
  EXPECT_EQ(got.served_reservation_ids(0), pre.reservation_id());
  v1::Reservation served = GetReservation(pre.reservation_id());
  ASSERT_EQ(served.lines_size(), 1);
  EXPECT_EQ(served.lines(0).inbound_id(), "");
  EXPECT_FALSE(served.lines(0).has_promised_at());
  EXPECT_EQ(served.lines(0).quantity(), 3);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 10);
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 3);
  EXPECT_EQ(server_.Atp("shoe", "s1"), 7);
  EXPECT_EQ(GetOk("po-1").lines(0).promised(), 0);

  commit.set_request_id(LiveServer::NextId());
  grpc::Status s = server_.reservations().CommitReservation(Ctx().get(), commit, &committed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(committed.reservation().state(), v1::RESERVATION_STATE_COMMITTED);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 7);
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 0);
}

TEST_F(InboundTest, Preorder_TakesPresentStockFirst_ThenHoldsTheRestAgainstSupply) {
  server_.Receive("shoe", "s1", 2);
  ExpectOk("po-1", "s1", 48, {{"shoe", 10}});
  v1::Reservation pre = Preorder("shoe", 5, "s1", 72);
  int64_t present = 0, future = 0;
  for (const auto& l : pre.lines()) (l.inbound_id().empty() ? present : future) += l.quantity();
  EXPECT_EQ(present, 2);
  EXPECT_EQ(future, 3);
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 2);
}

TEST_F(InboundTest, Preorder_InGroup_IsHeldAtTheMemberWithSupply) {
  ExpectOk("po-2", "s2", 48, {{"shoe", 4}});
  v1::Reservation pre = Preorder("shoe", 2, "", 72);
  ASSERT_EQ(pre.lines_size(), 1);
  EXPECT_EQ(pre.lines(0).location_id(), "s2");
  EXPECT_EQ(pre.lines(0).inbound_id(), "po-2");
}

TEST_F(InboundTest, Preorder_NoSupplyByPromiseBy_IsInsufficientStock) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 10}});
  v1::CreateReservationResponse resp;
  EXPECT_TRUE(IsError(server_.Reserve(ReserveOf("shoe", 1, "s1", 24), &resp),
                      grpc::FAILED_PRECONDITION, "INSUFFICIENT_STOCK"));
  EXPECT_TRUE(IsError(server_.Reserve(ReserveOf("shoe", 11, "s1", 72), &resp),
                      grpc::FAILED_PRECONDITION, "INSUFFICIENT_STOCK"));
  EXPECT_EQ(GetOk("po-1").lines(0).promised(), 0);
}

TEST_F(InboundTest, Preorder_BadPromiseByOrTtl_IsInvalidArgument) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 10}});
  v1::CreateReservationResponse resp;
  v1::CreateReservationRequest past = ReserveOf("shoe", 1, "s1", 72);
  *past.mutable_promise_by() = In(-1);
  EXPECT_TRUE(IsError(server_.Reserve(past, &resp), grpc::INVALID_ARGUMENT, "", "promise_by"));
  v1::CreateReservationRequest far = ReserveOf("shoe", 1, "s1", 181 * 24);
  EXPECT_TRUE(IsError(server_.Reserve(far, &resp), grpc::INVALID_ARGUMENT, "", "promise_by"));
  // A long TTL is for preorders only.
  v1::CreateReservationRequest long_ttl = ReserveOf("shoe", 1, "s1", 0);
  long_ttl.mutable_ttl()->set_seconds(30 * 24 * 3600);
  EXPECT_TRUE(IsError(server_.Reserve(long_ttl, &resp), grpc::INVALID_ARGUMENT, "", "ttl"));
  v1::CreateReservationRequest too_long = ReserveOf("shoe", 1, "s1", 72);
  too_long.mutable_ttl()->set_seconds(181LL * 24 * 3600);
  EXPECT_TRUE(IsError(server_.Reserve(too_long, &resp), grpc::INVALID_ARGUMENT, "", "ttl"));
}

TEST_F(InboundTest, Cancel_MovesPegsToAnotherInbound_ThenLeavesThemAtRisk) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 3}});
  ExpectOk("po-2", "s1", 60, {{"shoe", 5}});
  v1::Reservation pre = Preorder("shoe", 3, "s1", 72);
  ASSERT_EQ(pre.lines(0).inbound_id(), "po-1");
  v1::Reservation plain = ReserveOk(ReserveOf("shoe", 1, "s1", 72));  // also a preorder
  v1::CancelInboundResponse c1;
  ASSERT_TRUE(Cancel(CancelOf("po-1", "vendor"), &c1).ok());
  ASSERT_EQ(c1.moved_reservation_ids_size(), 1);
  EXPECT_EQ(c1.moved_reservation_ids(0), pre.reservation_id());
  EXPECT_EQ(c1.at_risk_reservation_ids_size(), 0);
  v1::Reservation moved = GetReservation(pre.reservation_id());
  EXPECT_EQ(moved.lines(0).inbound_id(), "po-2");
  EXPECT_EQ(moved.lines(0).promised_at().seconds(), In(60).seconds());
  EXPECT_EQ(GetOk("po-2").lines(0).promised(), 4);
  // Cancelled supply is gone from the future.
  EXPECT_EQ(Timeline(Future("shoe", "s1")), (Points{{60, 1}}));

  v1::CancelInboundResponse c2;
  ASSERT_TRUE(Cancel(CancelOf("po-2", "vendor"), &c2).ok());
  EXPECT_EQ(c2.at_risk_reservation_ids_size(), 2);
  v1::Reservation risky = GetReservation(pre.reservation_id());
  EXPECT_TRUE(risky.at_risk());
  ASSERT_EQ(risky.lines_size(), 1);
  EXPECT_TRUE(risky.lines(0).at_risk());
  EXPECT_EQ(risky.lines(0).inbound_id(), "");
  EXPECT_EQ(risky.lines(0).quantity(), 3);

  // ListReservations with at_risk: only preorders with a line at risk.
  server_.Receive("sock", "s1", 1);
  ReserveOk(ReserveOf("sock", 1, "s1", 0));
  v1::ListReservationsRequest list;
  list.set_at_risk(true);
  v1::ListReservationsResponse listed;
  ASSERT_TRUE(server_.reservations().ListReservations(Ctx().get(), list, &listed).ok());
  std::set<std::string> ids;
  for (const auto& r : listed.reservations()) ids.insert(r.reservation_id());
  EXPECT_EQ(ids, (std::set<std::string>{pre.reservation_id(), plain.reservation_id()}));
  list.set_at_risk(false);
  ASSERT_TRUE(server_.reservations().ListReservations(Ctx().get(), list, &listed).ok());
  EXPECT_GT(listed.reservations_size(), 2);
}

TEST_F(InboundTest, Reschedule_PastPromiseBy_AtRisk_WithinIt_KeepsThePeg) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 5}});
  v1::Reservation pre = Preorder("shoe", 2, "s1", 72);
  v1::RescheduleInboundResponse within;
  ASSERT_TRUE(Reschedule(RescheduleOf("po-1", 70), &within).ok());
  EXPECT_EQ(within.moved_reservation_ids_size() + within.at_risk_reservation_ids_size(), 0);
  EXPECT_EQ(GetReservation(pre.reservation_id()).lines(0).inbound_id(), "po-1");
  v1::RescheduleInboundResponse past;
  ASSERT_TRUE(Reschedule(RescheduleOf("po-1", 96), &past).ok());
  ASSERT_EQ(past.at_risk_reservation_ids_size(), 1);
  EXPECT_EQ(past.at_risk_reservation_ids(0), pre.reservation_id());
  EXPECT_TRUE(GetReservation(pre.reservation_id()).at_risk());
  EXPECT_EQ(GetOk("po-1").lines(0).promised(), 0);
  // Back inside the promise: the at-risk line is promised again.
  v1::RescheduleInboundResponse back;
  ASSERT_TRUE(Reschedule(RescheduleOf("po-1", 70), &back).ok());
  ASSERT_EQ(back.repromised_reservation_ids_size(), 1);
  EXPECT_EQ(back.repromised_reservation_ids(0), pre.reservation_id());
  EXPECT_FALSE(GetReservation(pre.reservation_id()).at_risk());
  EXPECT_EQ(GetReservation(pre.reservation_id()).lines(0).inbound_id(), "po-1");
  EXPECT_EQ(GetOk("po-1").lines(0).promised(), 2);
}

TEST_F(InboundTest, Overdue_MovesPegsOrLeavesThemAtRisk) {
  ExpectOk("po-1", "s1", 1, {{"shoe", 5}});
  v1::Reservation pre = Preorder("shoe", 2, "s1", 2);
  clock_.Advance(std::chrono::hours(1 + 72));
  Nudge();
  EXPECT_TRUE(GetOk("po-1").overdue());
  EXPECT_TRUE(GetReservation(pre.reservation_id()).at_risk());
  EXPECT_EQ(GetOk("po-1").lines(0).promised(), 0);
}

}  // namespace
}  // namespace oms::testing

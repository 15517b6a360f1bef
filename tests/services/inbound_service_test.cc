// InboundService over the real server: every rule and error of Expect/Reschedule/Cancel/
// Receive/Get/ListInbound, idempotent retries, restarts, and the Watch event of new supply.
#include <gtest/gtest.h>

#include <chrono>

#include "tests/services/inbound_fixture.h"

namespace oms::testing {
namespace {

TEST_F(InboundTest, Expect_CreatesExpectedInbound_LinesOfOneSkuSummed) {
  v1::Inbound in = ExpectOk("po-1", "s1", 48, {{"shoe", 4}, {"sock", 2}, {"shoe", 6}});
  EXPECT_EQ(in.inbound_id(), "po-1");
  EXPECT_EQ(in.location_id(), "s1");
  EXPECT_EQ(in.state(), v1::INBOUND_STATE_EXPECTED);
  EXPECT_FALSE(in.overdue());
  EXPECT_EQ(in.expected_at().seconds(), In(48).seconds());
  ASSERT_EQ(in.lines_size(), 2);
  EXPECT_EQ(in.lines(0).sku(), "shoe");
  EXPECT_EQ(in.lines(0).expected(), 10);
  EXPECT_EQ(in.lines(1).expected(), 2);
  EXPECT_EQ(in.lines(0).received(), 0);
  EXPECT_EQ(GetOk("po-1").SerializeAsString(), in.SerializeAsString());
  // Supply with a date is not stock: nothing on hand changed.
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 0);
}

TEST_F(InboundTest, Expect_ExistingId_IsAlreadyExistsWithInvalidInboundState) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 4}});
  v1::ExpectInboundResponse resp;
  grpc::Status s = Expect(ExpectOf("po-1", "s2", 24, {{"sock", 1}}), &resp);
  EXPECT_TRUE(IsError(s, grpc::ALREADY_EXISTS, "INVALID_INBOUND_STATE"));
  EXPECT_EQ(MetadataOf(s, "inbound_id"), "po-1");
  // Even after it is closed, the id stays used.
  v1::CancelInboundResponse cancelled;
  ASSERT_TRUE(Cancel(CancelOf("po-1", "vendor"), &cancelled).ok());
  s = Expect(ExpectOf("po-1", "s1", 48, {{"shoe", 4}}), &resp);
  EXPECT_TRUE(IsError(s, grpc::ALREADY_EXISTS, "INVALID_INBOUND_STATE"));
  EXPECT_EQ(MetadataOf(s, "state"), "CANCELLED");
}

TEST_F(InboundTest, Expect_MalformedRequests_NameTheField) {
  struct Case {
    const char* name;
    std::function<void(v1::ExpectInboundRequest&)> change;
    const char* field;
  };
  std::vector<Case> cases = {
      {"no request id", [](auto& r) { r.clear_request_id(); }, "request_id"},
      {"no inbound id", [](auto& r) { r.clear_inbound_id(); }, "inbound_id"},
      {"long inbound id", [](auto& r) { r.set_inbound_id(std::string(129, 'x')); }, "inbound_id"},
      {"no location", [](auto& r) { r.clear_location_id(); }, "location_id"},
      {"no expected_at", [](auto& r) { r.clear_expected_at(); }, "expected_at"},
      {"no lines", [](auto& r) { r.clear_lines(); }, "lines"},
      {"zero quantity", [](auto& r) { r.mutable_lines(0)->set_quantity(0); }, "lines[0].quantity"},
      {"negative quantity", [](auto& r) { r.mutable_lines(0)->set_quantity(-3); },
       "lines[0].quantity"},
      {"empty sku", [](auto& r) { r.mutable_lines(0)->clear_sku(); }, "lines[0].sku"},
      {"too many lines",
       [](auto& r) {
         for (int i = 0; i < 1000; ++i)
           AddLines({{"sku-" + std::to_string(i), 1}}, r.mutable_lines());
       },
       "lines"},
  };
  for (const auto& c : cases) {
    v1::ExpectInboundRequest req = ExpectOf("po-bad", "s1", 24, {{"shoe", 1}});
    c.change(req);
    v1::ExpectInboundResponse resp;
    EXPECT_TRUE(IsError(Expect(req, &resp), grpc::INVALID_ARGUMENT, "", c.field)) << c.name;
  }
  v1::Inbound none;
  EXPECT_EQ(GetInbound("po-bad", &none).error_code(), grpc::NOT_FOUND);
}

TEST_F(InboundTest, Expect_UnknownLocation_IsNotFound) {
  v1::ExpectInboundResponse resp;
  EXPECT_TRUE(
      IsError(Expect(ExpectOf("po-1", "nowhere", 24, {{"shoe", 1}}), &resp), grpc::NOT_FOUND));
}

TEST_F(InboundTest, Receive_RaisesOnHandWithReceivedMovement_AndStateFollows) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 10}, {"sock", 4}});
  v1::ReceiveInboundResponse part = ReceiveOk("po-1", {{"shoe", 6}});
  EXPECT_EQ(part.inbound().state(), v1::INBOUND_STATE_PARTIALLY_RECEIVED);
  EXPECT_EQ(part.inbound().lines(0).received(), 6);
  ASSERT_EQ(part.movements_size(), 1);
  EXPECT_EQ(part.movements(0).reason(), v1::MOVEMENT_REASON_RECEIVED);
  EXPECT_EQ(part.movements(0).reference(), "po-1");
  EXPECT_EQ(part.movements(0).delta(), 6);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 6);
  // Over-receipt of a line and a SKU nobody expected: recorded, and the inbound is complete.
  v1::ReceiveInboundResponse rest = ReceiveOk("po-1", {{"shoe", 5}, {"sock", 4}, {"hat", 2}});
  EXPECT_EQ(rest.inbound().state(), v1::INBOUND_STATE_RECEIVED);
  ASSERT_EQ(rest.inbound().lines_size(), 3);
  EXPECT_EQ(rest.inbound().lines(0).received(), 11);
  EXPECT_EQ(rest.inbound().lines(2).sku(), "hat");
  EXPECT_EQ(rest.inbound().lines(2).expected(), 0);
  EXPECT_EQ(rest.inbound().lines(2).received(), 2);
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 11);
  EXPECT_EQ(server_.Level("hat", "s1").on_hand(), 2);
}

TEST_F(InboundTest, ClosedInbound_RefusesEveryChange_WithInvalidInboundState) {
  ExpectOk("po-r", "s1", 48, {{"shoe", 2}});
  ReceiveOk("po-r", {{"shoe", 2}});
  ExpectOk("po-c", "s1", 48, {{"shoe", 2}});
  v1::CancelInboundResponse cancelled;
  ASSERT_TRUE(Cancel(CancelOf("po-c", "supplier out of stock"), &cancelled).ok());
  EXPECT_EQ(cancelled.inbound().state(), v1::INBOUND_STATE_CANCELLED);
  EXPECT_EQ(cancelled.inbound().end_reason(), "supplier out of stock");
  for (const char* id : {"po-r", "po-c"}) {
    v1::ReceiveInboundResponse r;
    EXPECT_TRUE(IsError(Receive(ReceiveOf(id, {{"shoe", 1}}), &r), grpc::FAILED_PRECONDITION,
                        "INVALID_INBOUND_STATE"))
        << id;
    v1::RescheduleInboundResponse m;
    EXPECT_TRUE(IsError(Reschedule(RescheduleOf(id, 72), &m), grpc::FAILED_PRECONDITION,
                        "INVALID_INBOUND_STATE"))
        << id;
    v1::CancelInboundResponse c;
    EXPECT_TRUE(
        IsError(Cancel(CancelOf(id, ""), &c), grpc::FAILED_PRECONDITION, "INVALID_INBOUND_STATE"))
        << id;
  }
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 2);
}

TEST_F(InboundTest, UnknownInbound_IsNotFound_AndMalformedIdInvalid) {
  v1::ReceiveInboundResponse r;
  EXPECT_TRUE(IsError(Receive(ReceiveOf("po-x", {{"shoe", 1}}), &r), grpc::NOT_FOUND));
  v1::RescheduleInboundResponse m;
  EXPECT_TRUE(IsError(Reschedule(RescheduleOf("po-x", 1), &m), grpc::NOT_FOUND));
  v1::CancelInboundResponse c;
  EXPECT_TRUE(IsError(Cancel(CancelOf("po-x", ""), &c), grpc::NOT_FOUND));
  v1::Inbound in;
  EXPECT_TRUE(IsError(GetInbound("po-x", &in), grpc::NOT_FOUND));
  EXPECT_TRUE(IsError(GetInbound("", &in), grpc::INVALID_ARGUMENT, "", "inbound_id"));
  v1::RescheduleInboundRequest no_time = RescheduleOf("po-x", 1);
  no_time.clear_expected_at();
  EXPECT_TRUE(IsError(Reschedule(no_time, &m), grpc::INVALID_ARGUMENT, "", "expected_at"));
  v1::ReceiveInboundRequest no_lines = ReceiveOf("po-x", {});
  EXPECT_TRUE(IsError(Receive(no_lines, &r), grpc::INVALID_ARGUMENT, "", "lines"));
}

TEST_F(InboundTest, Reschedule_MovesExpectedAt) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 3}});
  v1::RescheduleInboundResponse resp;
  ASSERT_TRUE(Reschedule(RescheduleOf("po-1", 96), &resp).ok());
  EXPECT_EQ(resp.inbound().expected_at().seconds(), In(96).seconds());
  EXPECT_EQ(GetOk("po-1").expected_at().seconds(), In(96).seconds());
  EXPECT_EQ(resp.moved_reservation_ids_size(), 0);
}

TEST_F(InboundTest, Overdue_AfterTheGrace_NoLongerFutureSupply_RescheduleRestoresIt) {
  ExpectOk("po-1", "s1", 1, {{"shoe", 5}});
  EXPECT_EQ(Future("shoe", "s1").timeline_size(), 1);
  // Default grace 72 h after expected_at.
  clock_.Advance(std::chrono::hours(1 + 72));
  Nudge();
  v1::Inbound in = GetOk("po-1");
  EXPECT_TRUE(in.overdue());
  EXPECT_EQ(in.state(), v1::INBOUND_STATE_EXPECTED);
  EXPECT_EQ(Future("shoe", "s1").timeline_size(), 0);
  v1::RescheduleInboundResponse resp;
  ASSERT_TRUE(Reschedule(RescheduleOf("po-1", 24), &resp).ok());
  EXPECT_FALSE(resp.inbound().overdue());
  EXPECT_EQ(Timeline(Future("shoe", "s1")), (std::vector<std::pair<int64_t, int64_t>>{{24, 5}}));
  // An overdue inbound may still arrive.
  ExpectOk("po-late", "s1", -100, {{"shoe", 2}});
  EXPECT_TRUE(GetOk("po-late").overdue());
  EXPECT_EQ(ReceiveOk("po-late", {{"shoe", 2}}).inbound().state(), v1::INBOUND_STATE_RECEIVED);
}

TEST_F(InboundTest, ListInbound_FiltersByLocationAndSku_AndPages) {
  ExpectOk("po-a", "s1", 24, {{"shoe", 1}});
  ExpectOk("po-b", "s2", 24, {{"shoe", 1}, {"sock", 1}});
  ExpectOk("po-c", "s1", 24, {{"sock", 1}});
  ExpectOk("po-d", "s1", 24, {{"shoe", 1}});
  auto list = [&](const std::string& location, const std::string& sku, int page_size) {
    v1::ListInboundRequest req;
    req.set_location_id(location);
    req.set_sku(sku);
    req.set_page_size(page_size);
    std::vector<std::string> ids;
    int pages = 0;
    do {
      v1::ListInboundResponse resp;
      grpc::Status s = server_.inbound().ListInbound(Ctx().get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) break;
      for (const auto& in : resp.inbounds()) ids.push_back(in.inbound_id());
      req.set_page_token(resp.next_page_token());
      ++pages;
    } while (!req.page_token().empty());
    return std::make_pair(ids, pages);
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(list("", "", 0).first, (Ids{"po-a", "po-b", "po-c", "po-d"}));
  EXPECT_EQ(list("s1", "", 0).first, (Ids{"po-a", "po-c", "po-d"}));
  EXPECT_EQ(list("", "shoe", 0).first, (Ids{"po-a", "po-b", "po-d"}));
  EXPECT_EQ(list("s1", "sock", 0).first, (Ids{"po-c"}));
  auto paged = list("", "", 1);
  EXPECT_EQ(paged.first, (Ids{"po-a", "po-b", "po-c", "po-d"}));
  EXPECT_EQ(paged.second, 4);
  v1::ListInboundRequest bad;
  bad.set_location_id("nowhere");
  v1::ListInboundResponse resp;
  EXPECT_TRUE(IsError(server_.inbound().ListInbound(Ctx().get(), bad, &resp), grpc::NOT_FOUND));
  bad.clear_location_id();
  bad.set_page_token("not-a-token");
  EXPECT_TRUE(IsError(server_.inbound().ListInbound(Ctx().get(), bad, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_token"));
  bad.clear_page_token();
  bad.set_page_size(-1);
  EXPECT_TRUE(IsError(server_.inbound().ListInbound(Ctx().get(), bad, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_size"));
}

// Each mutation retried with its request_id: the same bytes back and no second effect; the
// same id with another payload is REQUEST_ID_REUSED.
TEST_F(InboundTest, Retries_SameRequestId_SameResponse_NoSecondEffect) {
  v1::ExpectInboundRequest expect = ExpectOf("po-1", "s1", 48, {{"shoe", 10}});
  v1::ExpectInboundResponse e1, e2;
  ASSERT_TRUE(Expect(expect, &e1).ok());
  ASSERT_TRUE(Expect(expect, &e2).ok());
  EXPECT_EQ(e1.SerializeAsString(), e2.SerializeAsString());
  v1::ExpectInboundRequest other = expect;
  other.set_inbound_id("po-2");
  EXPECT_TRUE(IsError(Expect(other, &e2), grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));

  v1::RescheduleInboundRequest move = RescheduleOf("po-1", 72);
  v1::RescheduleInboundResponse m1, m2;
  ASSERT_TRUE(Reschedule(move, &m1).ok());
  clock_.Advance(std::chrono::minutes(5));
  ASSERT_TRUE(Reschedule(move, &m2).ok());
  EXPECT_EQ(m1.SerializeAsString(), m2.SerializeAsString());
  v1::RescheduleInboundRequest move_other = move;
  *move_other.mutable_expected_at() = In(10);
  EXPECT_TRUE(IsError(Reschedule(move_other, &m2), grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));

  v1::ReceiveInboundRequest receive = ReceiveOf("po-1", {{"shoe", 4}});
  v1::ReceiveInboundResponse r1, r2;
  ASSERT_TRUE(Receive(receive, &r1).ok());
  ASSERT_TRUE(Receive(receive, &r2).ok());
  EXPECT_EQ(r1.SerializeAsString(), r2.SerializeAsString());
  EXPECT_EQ(server_.Level("shoe", "s1").on_hand(), 4);
  EXPECT_EQ(GetOk("po-1").lines(0).received(), 4);
  v1::ReceiveInboundRequest receive_other = receive;
  receive_other.mutable_lines(0)->set_quantity(5);
  EXPECT_TRUE(IsError(Receive(receive_other, &r2), grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));

  v1::CancelInboundRequest cancel = CancelOf("po-1", "late");
  v1::CancelInboundResponse c1, c2;
  ASSERT_TRUE(Cancel(cancel, &c1).ok());
  ASSERT_TRUE(Cancel(cancel, &c2).ok());
  EXPECT_EQ(c1.SerializeAsString(), c2.SerializeAsString());
  v1::CancelInboundRequest cancel_other = cancel;
  cancel_other.set_reason("never");
  EXPECT_TRUE(IsError(Cancel(cancel_other, &c2), grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

TEST_F(InboundTest, Restart_KeepsInboundsAndFutureHolds) {
  ExpectOk("po-1", "s1", 48, {{"shoe", 10}});
  ExpectOk("po-2", "s2", 24, {{"shoe", 3}});
  ReceiveOk("po-2", {{"shoe", 1}});
  v1::Reservation pre = Preorder("shoe", 4, "s1", 96);
  v1::Inbound before1 = GetOk("po-1");
  v1::Inbound before2 = GetOk("po-2");
  v1::SkuFutureAvailability future = Future("shoe", "s1");
  server_.Restart();
  EXPECT_EQ(GetOk("po-1").SerializeAsString(), before1.SerializeAsString());
  EXPECT_EQ(GetOk("po-2").SerializeAsString(), before2.SerializeAsString());
  EXPECT_EQ(GetOk("po-1").lines(0).promised(), 4);
  v1::Reservation after = GetReservation(pre.reservation_id());
  ASSERT_EQ(after.lines_size(), 1);
  EXPECT_EQ(after.lines(0).inbound_id(), "po-1");
  EXPECT_EQ(after.promise_by().seconds(), pre.promise_by().seconds());
  EXPECT_EQ(Future("shoe", "s1").SerializeAsString(), future.SerializeAsString());
  // The receipt after the restart still serves the preorder first.
  v1::ReceiveInboundResponse got = ReceiveOk("po-1", {{"shoe", 10}});
  ASSERT_EQ(got.served_reservation_ids_size(), 1);
  EXPECT_EQ(got.served_reservation_ids(0), pre.reservation_id());
  EXPECT_EQ(server_.Level("shoe", "s1").reserved(), 4);
}

TEST_F(InboundTest, Watch_ExpectInbound_DeliversFutureSupplyChanged) {
  server_.Receive("shoe", "s1", 1);
  v1::WatchAvailabilityRequest req;
  req.add_skus("shoe");
  req.set_after_sequence(0);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = server_.inventory().WatchAvailability(&ctx, req);
  // The receipt, replayed: a present change only.
  v1::AvailabilityChanged e;
  ASSERT_TRUE(stream->Read(&e));
  EXPECT_FALSE(e.future_supply_changed());
  EXPECT_EQ(e.on_hand(), 1);
  ExpectOk("po-1", "s1", 48, {{"shoe", 7}});
  ASSERT_TRUE(stream->Read(&e));
  EXPECT_TRUE(e.future_supply_changed());
  EXPECT_EQ(e.sku(), "shoe");
  EXPECT_EQ(e.location_id(), "s1");
  EXPECT_EQ(e.on_hand(), 1);
  ctx.TryCancel();
}

}  // namespace
}  // namespace oms::testing

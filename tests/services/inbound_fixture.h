// InboundTest: the real server over SQLite with a fake clock, stores s1 and s2 in the group
// `online`, and helpers for inbounds, preorders and future availability.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "services/convert.h"
#include "tests/support/db_check.h"
#include "tests/support/error_details.h"
#include "tests/support/live_server.h"
#include "tests/support/manual_clock.h"

namespace oms::testing {

// (sku, quantity)
using Lines = std::vector<std::pair<std::string, int64_t>>;

class InboundTest : public ::testing::Test {
 protected:
  InboundTest() : server_(Options()) {
    for (const char* store : {"s1", "s2"}) server_.AddLocation(store);
    server_.SetGroup("online", {"s1", "s2"});
  }
  ~InboundTest() override {
    server_.Stop();
    EXPECT_TRUE(DatabaseIsConsistent(server_.db_path()));
  }

  services::ServerOptions Options() {
    services::ServerOptions o;
    o.clock = &clock_;
    return o;
  }

  // The fake clock `hours` from now, as a proto Timestamp.
  google::protobuf::Timestamp In(int64_t hours) {
    return services::ToProto(clock_.Now() + std::chrono::hours(hours));
  }

  // A mutation commits a batch, and the writer runs its due sweep first.
  void Nudge() { server_.Receive("nudge", "s2", 1); }

  static void AddLines(const Lines& lines,
                       google::protobuf::RepeatedPtrField<v1::InboundQuantity>* out) {
    for (const auto& [sku, q] : lines) {
      auto* l = out->Add();
      l->set_sku(sku);
      l->set_quantity(q);
    }
  }

  v1::ExpectInboundRequest ExpectOf(const std::string& id, const std::string& location,
                                    int64_t hours, const Lines& lines) {
    v1::ExpectInboundRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_inbound_id(id);
    req.set_location_id(location);
    *req.mutable_expected_at() = In(hours);
    AddLines(lines, req.mutable_lines());
    return req;
  }
  grpc::Status Expect(const v1::ExpectInboundRequest& req, v1::ExpectInboundResponse* resp) {
    return server_.inbound().ExpectInbound(Ctx().get(), req, resp);
  }
  v1::Inbound ExpectOk(const std::string& id, const std::string& location, int64_t hours,
                       const Lines& lines) {
    v1::ExpectInboundResponse resp;
    grpc::Status s = Expect(ExpectOf(id, location, hours, lines), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.inbound();
  }

  static v1::ReceiveInboundRequest ReceiveOf(const std::string& id, const Lines& lines) {
    v1::ReceiveInboundRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_inbound_id(id);
    AddLines(lines, req.mutable_lines());
    return req;
  }
  grpc::Status Receive(const v1::ReceiveInboundRequest& req, v1::ReceiveInboundResponse* resp) {
    return server_.inbound().ReceiveInbound(Ctx().get(), req, resp);
  }
  v1::ReceiveInboundResponse ReceiveOk(const std::string& id, const Lines& lines) {
    v1::ReceiveInboundResponse resp;
    grpc::Status s = Receive(ReceiveOf(id, lines), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  v1::RescheduleInboundRequest RescheduleOf(const std::string& id, int64_t hours) {
    v1::RescheduleInboundRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_inbound_id(id);
    *req.mutable_expected_at() = In(hours);
    return req;
  }
  grpc::Status Reschedule(const v1::RescheduleInboundRequest& req,
                          v1::RescheduleInboundResponse* resp) {
    return server_.inbound().RescheduleInbound(Ctx().get(), req, resp);
  }

  static v1::CancelInboundRequest CancelOf(const std::string& id, const std::string& reason) {
    v1::CancelInboundRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_inbound_id(id);
    req.set_reason(reason);
    return req;
  }
  grpc::Status Cancel(const v1::CancelInboundRequest& req, v1::CancelInboundResponse* resp) {
    return server_.inbound().CancelInbound(Ctx().get(), req, resp);
  }

  grpc::Status GetInbound(const std::string& id, v1::Inbound* out) {
    v1::GetInboundRequest req;
    req.set_inbound_id(id);
    v1::GetInboundResponse resp;
    grpc::Status s = server_.inbound().GetInbound(Ctx().get(), req, &resp);
    *out = resp.inbound();
    return s;
  }
  v1::Inbound GetOk(const std::string& id) {
    v1::Inbound in;
    grpc::Status s = GetInbound(id, &in);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return in;
  }

  // A reservation of one line; a preorder when promise_hours > 0. An empty location
  // allocates inside `online`.
  v1::CreateReservationRequest ReserveOf(const std::string& sku, int64_t quantity,
                                         const std::string& location, int64_t promise_hours,
                                         v1::Channel channel = v1::CHANNEL_ONLINE) {
    v1::CreateReservationRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_channel(channel);
    auto* l = req.add_lines();
    l->set_sku(sku);
    l->set_quantity(quantity);
    l->set_location_id(location);
    if (promise_hours > 0) {
      *req.mutable_promise_by() = In(promise_hours);
      req.mutable_ttl()->set_seconds(30 * 24 * 3600);
    }
    return req;
  }
  v1::Reservation ReserveOk(const v1::CreateReservationRequest& req) {
    v1::CreateReservationResponse resp;
    grpc::Status s = server_.Reserve(req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.reservation();
  }
  v1::Reservation Preorder(const std::string& sku, int64_t quantity, const std::string& location,
                           int64_t promise_hours) {
    return ReserveOk(ReserveOf(sku, quantity, location, promise_hours));
  }
  v1::Reservation GetReservation(const std::string& id) {
    v1::GetReservationRequest req;
    req.set_reservation_id(id);
    v1::GetReservationResponse resp;
    grpc::Status s = server_.reservations().GetReservation(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.reservation();
  }

  // GetFutureAvailability of one SKU at a location (or, with group set, a group).
  grpc::Status FutureOf(v1::GetFutureAvailabilityRequest req, v1::SkuFutureAvailability* out) {
    v1::GetFutureAvailabilityResponse resp;
    grpc::Status s = server_.inventory().GetFutureAvailability(Ctx().get(), req, &resp);
    if (s.ok() && resp.availability_size() == 1) *out = resp.availability(0);
    return s;
  }
  v1::SkuFutureAvailability Future(const std::string& sku, const std::string& location,
                                   v1::Channel channel = v1::CHANNEL_ONLINE, int64_t quantity = 0,
                                   bool group = false) {
    v1::GetFutureAvailabilityRequest req;
    req.add_skus(sku);
    if (group) {
      req.set_group_id(location);
    } else {
      req.set_location_id(location);
    }
    req.set_channel(channel);
    req.set_quantity(quantity);
    v1::SkuFutureAvailability out;
    grpc::Status s = FutureOf(req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  // The timeline as (hours from now, atp) pairs, for readable expectations.
  std::vector<std::pair<int64_t, int64_t>> Timeline(const v1::SkuFutureAvailability& f) {
    std::vector<std::pair<int64_t, int64_t>> out;
    for (const auto& p : f.timeline()) {
      int64_t at_us = ToMicros(services::FromProto(p.at()));
      out.emplace_back((at_us - ToMicros(clock_.Now())) / 3'600'000'000, p.atp());
    }
    return out;
  }

  ManualClock clock_;
  LiveServer server_;
};

}  // namespace oms::testing

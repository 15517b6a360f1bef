// InboundFixture: an engine (over either store) with two stores, a group over them, and
// one-line helpers for inbound supply, preorders and future availability.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/availability.h"
#include "tests/domain/engine_harness.h"

namespace oms::testing {

inline constexpr std::chrono::hours kDay{24};

template <typename Factory>
class InboundFixture : public ::testing::Test, public EngineHarness<Factory> {
 protected:
  void SetUp() override {
    OMS_SKIP_UNAVAILABLE_BACKEND(Factory);
    this->AddLocation("s1");
    this->AddLocation("s2");
    UpsertGroup g{GroupId("online"), {LocationId("s1"), LocationId("s2")}};
    ASSERT_TRUE(this->Do(g).status.ok());
    t0_ = this->clock_.Now();
  }

  Completion Expect(const std::string& id, const std::string& at, Duration in,
                    std::vector<InboundQuantity> lines) {
    return this->Do(ExpectInbound{InboundId(id), LocationId(at), t0_ + in, std::move(lines)});
  }
  void ExpectOk(const std::string& id, const std::string& at, Duration in,
                std::vector<InboundQuantity> lines) {
    Completion c = Expect(id, at, in, std::move(lines));
    ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  }
  Completion ReceiveIn(const std::string& id, std::vector<InboundQuantity> lines) {
    return this->Do(ReceiveInbound{InboundId(id), std::move(lines)});
  }

  // A reservation request promised by t0 + `by` (no promise if `by` is zero).
  static CreateReservation Preorder(std::vector<RequestedLine> lines, Duration by, Timestamp t0) {
    CreateReservation c;
    c.lines = std::move(lines);
    if (by.count() != 0) {
      c.promise_by = t0 + by;
      c.ttl = 30 * kDay;
    }
    return c;
  }
  Completion Reserve(std::vector<RequestedLine> lines, Duration by = Duration::zero()) {
    return this->Do(Preorder(std::move(lines), by, t0_));
  }
  // The reservation id a completion names ("reservation <id>").
  static ReservationId IdOf(const Completion& c) {
    EXPECT_TRUE(c.status.ok()) << c.status.ToString();
    return ReservationId(c.response.substr(std::string("reservation ").size()));
  }
  ReservationId ReserveOk(std::vector<RequestedLine> lines, Duration by = Duration::zero()) {
    return IdOf(Reserve(std::move(lines), by));
  }

  // As stored (ended reservations and closed inbounds live in storage only).
  Reservation Res(const ReservationId& id) {
    if (const Reservation* r = this->engine_->state().FindActiveReservation(id)) return *r;
    EXPECT_TRUE(this->store_->Begin().ok());
    auto found = this->store_->FindReservation(id);
    this->store_->Rollback();
    EXPECT_TRUE(found.ok() && found->has_value()) << id.str();
    return found.ok() && found->has_value() ? **found : Reservation{};
  }
  Inbound In(const std::string& id) {
    EXPECT_TRUE(this->store_->Begin().ok());
    auto found = this->store_->FindInbound(InboundId(id));
    this->store_->Rollback();
    EXPECT_TRUE(found.ok() && found->has_value()) << id;
    return found.ok() && found->has_value() ? **found : Inbound{};
  }
  int64_t Promised(const std::string& id, const std::string& sku) {
    Inbound in = In(id);  // kept: Line() points into it
    const InboundLine* line = in.Line(Sku(sku));
    return line ? line->promised : -1;
  }

  SkuFutureAvailability Future(const std::string& sku, AvailabilityScope scope,
                               Channel channel = Channel::kOnline, int64_t quantity = 0,
                               Duration horizon = limits::kDefaultFutureHorizon) {
    auto r = this->view_->Read([&](const CommittedData& d) {
      return QueryFutureAvailability(d, {Sku(sku)}, scope, channel, this->clock_.Now(), horizon,
                                     quantity);
    });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->front() : SkuFutureAvailability{};
  }
  static AvailabilityScope At(const std::string& location) { return {LocationId(location), {}}; }
  static AvailabilityScope Group(const std::string& group) { return {{}, GroupId(group)}; }

  // Units of `sku` the reservation holds now (present) and against inbound supply.
  static int64_t Present(const Reservation& r, const std::string& sku) {
    int64_t n = 0;
    for (const auto& l : r.lines) n += (!l.future() && l.sku.str() == sku) ? l.quantity : 0;
    return n;
  }
  static int64_t Pegged(const Reservation& r, const std::string& inbound) {
    int64_t n = 0;
    for (const auto& l : r.lines) n += l.inbound.str() == inbound ? l.quantity : 0;
    return n;
  }
  static int64_t AtRisk(const Reservation& r) {
    int64_t n = 0;
    for (const auto& l : r.lines) n += l.at_risk ? l.quantity : 0;
    return n;
  }

  Timestamp t0_;
};

}  // namespace oms::testing

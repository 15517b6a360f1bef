// ReservationService against the real in-process server and SQLite file: races on hot SKUs,
// all-or-nothing lines, group allocation, every state transition, expiry and restart.
#include <gtest/gtest.h>

#include <google/protobuf/util/message_differencer.h>

#include <array>
#include <random>
#include <thread>

#include "tests/support/db_check.h"
#include "tests/support/live_server.h"
#include "tests/support/manual_clock.h"

namespace oms::testing {
namespace {

v1::CreateReservationRequest OneLine(const std::string& sku, int64_t quantity,
                                     const std::string& location,
                                     v1::Channel channel = v1::CHANNEL_ONLINE) {
  v1::CreateReservationRequest req;
  req.set_request_id(LiveServer::NextId());
  req.set_channel(channel);
  auto* line = req.add_lines();
  line->set_sku(sku);
  line->set_quantity(quantity);
  line->set_location_id(location);
  return req;
}

class ReservationTest : public ::testing::Test {
 protected:
  ReservationTest() : server_(Options()) {
    server_.AddLocation("s1");
    server_.AddLocation("s2");
    server_.AddLocation("wh", /*ship=*/true, /*pickup=*/false, v1::LOCATION_KIND_WAREHOUSE);
  }
  ~ReservationTest() override {
    server_.Stop();
    EXPECT_TRUE(DatabaseIsConsistent(server_.db_path()));
  }

  services::ServerOptions Options() {
    services::ServerOptions o;
    o.clock = &clock_;
    return o;
  }

  std::string ReserveOk(const v1::CreateReservationRequest& req) {
    v1::CreateReservationResponse resp;
    grpc::Status s = server_.Reserve(req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.reservation().reservation_id();
  }

  grpc::Status Release(const std::string& id, const std::string& request_id,
                       v1::ReleaseReservationResponse* resp) {
    v1::ReleaseReservationRequest req;
    req.set_request_id(request_id);
    req.set_reservation_id(id);
    return server_.reservations().ReleaseReservation(Ctx().get(), req, resp);
  }

  grpc::Status Commit(const std::string& id, v1::CommitReservationResponse* resp,
                      const std::vector<std::pair<std::string, int64_t>>& lines = {}) {
    v1::CommitReservationRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_reservation_id(id);
    for (const auto& [sku, q] : lines) {
      auto* l = req.add_lines();
      l->set_sku(sku);
      l->set_quantity(q);
    }
    return server_.reservations().CommitReservation(Ctx().get(), req, resp);
  }

  grpc::Status Extend(const std::string& id, int seconds, v1::ExtendReservationResponse* resp) {
    v1::ExtendReservationRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_reservation_id(id);
    req.mutable_ttl()->set_seconds(seconds);
    return server_.reservations().ExtendReservation(Ctx().get(), req, resp);
  }

  v1::Reservation Get(const std::string& id) {
    v1::GetReservationRequest req;
    req.set_reservation_id(id);
    v1::GetReservationResponse resp;
    grpc::Status s = server_.reservations().GetReservation(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.reservation();
  }

  // Any write makes the writer run its expiry sweep at the clock's current time.
  void Nudge() { server_.Receive("nudge", "s2", 1); }

  ManualClock clock_;
  LiveServer server_;
};

// Races `clients` threads, each reserving one unit; returns {successes, insufficient}.
std::pair<int, int> Race(LiveServer& server, int clients,
                         const std::function<v1::CreateReservationRequest(int)>& make) {
  std::atomic<int> ok{0}, short_stock{0}, other{0};
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      auto stub = v1::ReservationService::NewStub(server.NewChannel());
      v1::CreateReservationRequest req = make(i);
      while (!go.load()) std::this_thread::yield();
      v1::CreateReservationResponse resp;
      grpc::Status s = stub->CreateReservation(Ctx(30).get(), req, &resp);
      if (s.ok()) {
        ++ok;
      } else if (s.error_code() == grpc::FAILED_PRECONDITION &&
                 ReasonOf(s) == "INSUFFICIENT_STOCK") {
        ++short_stock;
      } else {
        ++other;
        ADD_FAILURE() << s.error_code() << " " << s.error_message();
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(other.load(), 0);
  return {ok.load(), short_stock.load()};
}

TEST_F(ReservationTest, HotSku_64ClientsFor20Units_ExactlyTwentySucceed) {
  server_.Receive("hot", "s1", 20);
  auto [ok, short_stock] = Race(server_, 64, [](int) { return OneLine("hot", 1, "s1"); });
  EXPECT_EQ(ok, 20);
  EXPECT_EQ(short_stock, 44);
  v1::StockLevel level = server_.Level("hot", "s1");
  EXPECT_EQ(level.reserved(), 20);
  EXPECT_EQ(level.on_hand(), 20);
  EXPECT_EQ(server_.Atp("hot", "s1", v1::CHANNEL_ONLINE), 0);
  EXPECT_EQ(server_.Atp("hot", "s1", v1::CHANNEL_POS), 0);
}

TEST_F(ReservationTest, HotSku_PosAndOnlineRacingOnOneStore_NeverOversell) {
  server_.Receive("hot", "s1", 20);
  auto [ok, short_stock] = Race(server_, 64, [](int i) {
    return OneLine("hot", 1, "s1", i % 2 ? v1::CHANNEL_POS : v1::CHANNEL_ONLINE);
  });
  EXPECT_EQ(ok, 20);
  EXPECT_EQ(short_stock, 44);
  EXPECT_EQ(server_.Level("hot", "s1").reserved(), 20);
}

TEST_F(ReservationTest, SafetyStock_HeldBackFromOnline_ButSoldAtThePos) {
  server_.Receive("jacket", "s1", 5);
  server_.SetSafety("jacket", "s1", 3);
  v1::CreateReservationResponse resp;
  grpc::Status s = server_.Reserve(OneLine("jacket", 3, "s1"), &resp);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(MetadataOf(s, "available"), "2");
  EXPECT_TRUE(server_.Reserve(OneLine("jacket", 2, "s1"), &resp).ok());
  EXPECT_TRUE(server_.Reserve(OneLine("jacket", 3, "s1", v1::CHANNEL_POS), &resp).ok());
  EXPECT_EQ(server_.Level("jacket", "s1").reserved(), 5);
}

TEST_F(ReservationTest, MultiLine_OneShortLine_FailsWholeAndHoldsNothing) {
  server_.Receive("a", "s1", 5);
  server_.Receive("b", "s1", 1);
  v1::CreateReservationRequest req = OneLine("a", 2, "s1");
  auto* line = req.add_lines();
  line->set_sku("b");
  line->set_quantity(2);
  line->set_location_id("s1");
  v1::CreateReservationResponse resp;
  grpc::Status s = server_.Reserve(req, &resp);
  EXPECT_EQ(ReasonOf(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(MetadataOf(s, "sku"), "b");
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 0);
  EXPECT_EQ(server_.Level("b", "s1").reserved(), 0);
}

TEST_F(ReservationTest, SameSkuOnTwoLines_IsSummedBeforeChecking) {
  server_.Receive("bundle", "s1", 3);
  v1::CreateReservationRequest req = OneLine("bundle", 2, "s1");
  *req.add_lines() = req.lines(0);
  v1::CreateReservationResponse resp;
  grpc::Status s = server_.Reserve(req, &resp);
  EXPECT_EQ(ReasonOf(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(MetadataOf(s, "requested"), "4");
  EXPECT_EQ(server_.Level("bundle", "s1").reserved(), 0);
  req.mutable_lines(1)->set_quantity(1);
  req.set_request_id(LiveServer::NextId());
  ASSERT_TRUE(server_.Reserve(req, &resp).ok());
  ASSERT_EQ(resp.reservation().lines_size(), 1);  // merged into one line
  EXPECT_EQ(resp.reservation().lines(0).quantity(), 3);
}

TEST_F(ReservationTest, GroupAllocation_PrefersOneLocationThatFillsEverything) {
  server_.SetGroup("online", {"s1", "s2", "wh"});
  server_.Receive("a", "s1", 1);
  server_.Receive("b", "s1", 5);
  server_.Receive("a", "wh", 4);
  server_.Receive("b", "wh", 2);
  v1::CreateReservationRequest req = OneLine("a", 2, "");
  auto* line = req.add_lines();
  line->set_sku("b");
  line->set_quantity(2);
  v1::CreateReservationResponse resp;
  ASSERT_TRUE(server_.Reserve(req, &resp).ok());
  ASSERT_EQ(resp.reservation().lines_size(), 2);
  for (const auto& l : resp.reservation().lines()) EXPECT_EQ(l.location_id(), "wh");
}

TEST_F(ReservationTest, GroupAllocation_SplitsAcrossFewestLocations_WhenNoneCanFillAlone) {
  server_.SetGroup("online", {"s1", "s2", "wh"});
  server_.Receive("a", "s1", 2);
  server_.Receive("a", "s2", 1);
  server_.Receive("a", "wh", 5);
  v1::CreateReservationResponse resp;
  ASSERT_TRUE(server_.Reserve(OneLine("a", 7, ""), &resp).ok());
  std::map<std::string, int64_t> by_location;
  for (const auto& l : resp.reservation().lines()) by_location[l.location_id()] += l.quantity();
  EXPECT_EQ(by_location, (std::map<std::string, int64_t>{{"wh", 5}, {"s1", 2}}));
}

TEST_F(ReservationTest, GroupAllocation_SkipsLocationsThatDoNotShip) {
  server_.AddLocation("noship", /*ship=*/false, /*pickup=*/true);
  server_.SetGroup("online", {"noship", "s1"});
  server_.Receive("a", "noship", 10);
  server_.Receive("a", "s1", 1);
  v1::CreateReservationResponse resp;
  grpc::Status s = server_.Reserve(OneLine("a", 2, ""), &resp);
  EXPECT_EQ(ReasonOf(s), "INSUFFICIENT_STOCK");
  EXPECT_EQ(MetadataOf(s, "available"), "1");
}

TEST_F(ReservationTest, GroupAllocation_MissingGroup_IsNotFound) {
  v1::CreateReservationResponse resp;
  EXPECT_EQ(server_.Reserve(OneLine("a", 1, ""), &resp).error_code(), grpc::NOT_FOUND);
}

TEST_F(ReservationTest, AllowPartial_HoldsWhatIsThere_AndReportsTheRest) {
  server_.Receive("a", "s1", 2);
  v1::CreateReservationRequest req = OneLine("a", 5, "s1");
  req.set_allow_partial(true);
  v1::CreateReservationResponse resp;
  ASSERT_TRUE(server_.Reserve(req, &resp).ok());
  EXPECT_EQ(resp.reservation().lines(0).quantity(), 2);
  ASSERT_EQ(resp.unfilled_size(), 1);
  EXPECT_EQ(resp.unfilled(0).requested(), 5);
  EXPECT_EQ(resp.unfilled(0).reserved(), 2);
}

TEST_F(ReservationTest, Pos_WithoutLocation_IsInvalidArgument) {
  v1::CreateReservationResponse resp;
  grpc::Status s = server_.Reserve(OneLine("a", 1, "", v1::CHANNEL_POS), &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(s), "lines[0].location_id");
}

TEST_F(ReservationTest, BadInput_IsInvalidArgumentNamingTheField) {
  struct Case {
    std::function<void(v1::CreateReservationRequest&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](auto& r) { r.mutable_lines(0)->set_quantity(0); }, "lines[0].quantity"},
      {[](auto& r) { r.mutable_lines(0)->set_quantity(-3); }, "lines[0].quantity"},
      {[](auto& r) { r.mutable_lines(0)->set_sku(""); }, "lines[0].sku"},
      {[](auto& r) { r.mutable_lines(0)->set_sku(std::string(129, 'x')); }, "lines[0].sku"},
      {[](auto& r) { r.set_channel(v1::CHANNEL_UNSPECIFIED); }, "channel"},
      {[](auto& r) { r.set_channel(static_cast<v1::Channel>(42)); }, "channel"},
      {[](auto& r) { r.mutable_ttl()->set_seconds(0); }, "ttl"},
      {[](auto& r) { r.mutable_ttl()->set_seconds(8 * 24 * 3600); }, "ttl"},
      {[](auto& r) { r.mutable_ttl()->set_seconds(INT64_MAX); }, "ttl"},
      {[](auto& r) { r.clear_lines(); }, "lines"},
      {[](auto& r) { r.set_request_id(""); }, "request_id"},
      {[](auto& r) {
         for (int i = 0; i < 101; ++i) *r.add_lines() = r.lines(0);
       },
       "lines"},
  };
  for (const auto& c : cases) {
    v1::CreateReservationRequest req = OneLine("a", 1, "s1");
    c.mutate(req);
    v1::CreateReservationResponse resp;
    grpc::Status s = server_.Reserve(req, &resp);
    EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(FieldOf(s), c.field);
  }
}

TEST_F(ReservationTest, Release_ReturnsUnits_AndSecondReleaseIsNotActive) {
  server_.Receive("a", "s1", 3);
  std::string id = ReserveOk(OneLine("a", 2, "s1"));
  EXPECT_EQ(server_.Atp("a", "s1"), 1);
  v1::ReleaseReservationResponse resp;
  ASSERT_TRUE(Release(id, "rel-1", &resp).ok());
  EXPECT_EQ(resp.reservation().state(), v1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(server_.Atp("a", "s1"), 3);
  grpc::Status again = Release(id, "rel-2", &resp);
  EXPECT_EQ(again.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(again), "RESERVATION_NOT_ACTIVE");
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 0);
}

TEST_F(ReservationTest, Release_RetriedWithSameRequestId_ReturnsSameResponseOnce) {
  server_.Receive("a", "s1", 3);
  std::string id = ReserveOk(OneLine("a", 2, "s1"));
  v1::ReleaseReservationResponse first, second;
  ASSERT_TRUE(Release(id, "same", &first).ok());
  ASSERT_TRUE(Release(id, "same", &second).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(first, second));
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 0);
}

TEST_F(ReservationTest, DuplicateStorm_64CallsWithOneRequestId_HaveOneEffect) {
  server_.Receive("a", "s1", 100);
  v1::CreateReservationRequest req = OneLine("a", 1, "s1");
  std::mutex mu;
  std::set<std::string> ids;
  Race(server_, 64, [&](int) { return req; });
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 1);
  for (int i = 0; i < 3; ++i) {
    v1::CreateReservationResponse resp;
    ASSERT_TRUE(server_.Reserve(req, &resp).ok());
    std::lock_guard lock(mu);
    ids.insert(resp.reservation().reservation_id());
  }
  EXPECT_EQ(ids.size(), 1u);
}

TEST_F(ReservationTest, RequestIdReused_WithAnotherPayload_IsRejected) {
  server_.Receive("a", "s1", 5);
  v1::CreateReservationRequest req = OneLine("a", 1, "s1");
  ReserveOk(req);
  req.mutable_lines(0)->set_quantity(2);
  v1::CreateReservationResponse resp;
  grpc::Status s = server_.Reserve(req, &resp);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(s), "REQUEST_ID_REUSED");
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 1);
}

TEST_F(ReservationTest, Commit_SellsUnits_WritesSoldMovementsReferencingTheReservation) {
  server_.Receive("a", "s1", 5);
  std::string id = ReserveOk(OneLine("a", 2, "s1"));
  v1::CommitReservationResponse resp;
  ASSERT_TRUE(Commit(id, &resp).ok());
  EXPECT_EQ(resp.reservation().state(), v1::RESERVATION_STATE_COMMITTED);
  ASSERT_EQ(resp.movements_size(), 1);
  EXPECT_EQ(resp.movements(0).reason(), v1::MOVEMENT_REASON_SOLD);
  EXPECT_EQ(resp.movements(0).delta(), -2);
  EXPECT_EQ(resp.movements(0).reference(), id);
  v1::StockLevel level = server_.Level("a", "s1");
  EXPECT_EQ(level.on_hand(), 3);
  EXPECT_EQ(level.reserved(), 0);
}

TEST_F(ReservationTest, PartialCommit_SellsPart_AndReleasesTheRest) {
  server_.Receive("a", "s1", 5);
  std::string id = ReserveOk(OneLine("a", 3, "s1"));
  v1::CommitReservationResponse resp;
  ASSERT_TRUE(Commit(id, &resp, {{"a", 1}}).ok());
  EXPECT_EQ(resp.reservation().lines(0).quantity(), 1);
  v1::StockLevel level = server_.Level("a", "s1");
  EXPECT_EQ(level.on_hand(), 4);
  EXPECT_EQ(level.reserved(), 0);
  grpc::Status over = Commit(id, &resp, {{"a", 1}});
  EXPECT_EQ(ReasonOf(over), "RESERVATION_NOT_ACTIVE");
}

TEST_F(ReservationTest, Commit_MoreThanReserved_IsInvalidArgument) {
  server_.Receive("a", "s1", 5);
  std::string id = ReserveOk(OneLine("a", 2, "s1"));
  v1::CommitReservationResponse resp;
  grpc::Status s = Commit(id, &resp, {{"a", 3}});
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(s), "lines[0].quantity");
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 2);
}

TEST_F(ReservationTest, EveryCallOnAnEndedReservation_IsNotActive) {
  server_.Receive("a", "s1", 9);
  std::string committed = ReserveOk(OneLine("a", 1, "s1"));
  std::string released = ReserveOk(OneLine("a", 1, "s1"));
  std::string expired = ReserveOk(OneLine("a", 1, "s1"));
  v1::CommitReservationResponse c;
  v1::ReleaseReservationResponse r;
  v1::ExtendReservationResponse e;
  ASSERT_TRUE(Commit(committed, &c).ok());
  ASSERT_TRUE(Release(released, LiveServer::NextId(), &r).ok());
  clock_.Advance(std::chrono::minutes(16));
  for (const auto& id : {committed, released, expired}) {
    EXPECT_EQ(ReasonOf(Commit(id, &c)), "RESERVATION_NOT_ACTIVE") << id;
    EXPECT_EQ(ReasonOf(Release(id, LiveServer::NextId(), &r)), "RESERVATION_NOT_ACTIVE") << id;
    EXPECT_EQ(ReasonOf(Extend(id, 60, &e)), "RESERVATION_NOT_ACTIVE") << id;
  }
  EXPECT_EQ(Get(expired).state(), v1::RESERVATION_STATE_EXPIRED);
  EXPECT_EQ(server_.Level("a", "s1").on_hand(), 8);
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 0);
}

TEST_F(ReservationTest, UnknownReservation_IsNotFound) {
  v1::CommitReservationResponse c;
  EXPECT_EQ(Commit("res_missing", &c).error_code(), grpc::NOT_FOUND);
}

TEST_F(ReservationTest, Expiry_ByServerClock_ReturnsUnitsWithoutAnyCallOnIt) {
  server_.Receive("a", "s1", 4);
  v1::CreateReservationRequest req = OneLine("a", 3, "s1");
  req.mutable_ttl()->set_seconds(60);
  std::string id = ReserveOk(req);
  clock_.Advance(std::chrono::seconds(59));
  Nudge();
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 3);
  clock_.Advance(std::chrono::seconds(1));
  Nudge();
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 0);
  v1::Reservation r = Get(id);
  EXPECT_EQ(r.state(), v1::RESERVATION_STATE_EXPIRED);
  EXPECT_EQ(r.end_reason(), "expired");
}

TEST_F(ReservationTest, Extend_WhileActive_PushesExpiryFromNow) {
  server_.Receive("a", "s1", 4);
  v1::CreateReservationRequest req = OneLine("a", 1, "s1");
  req.mutable_ttl()->set_seconds(60);
  std::string id = ReserveOk(req);
  clock_.Advance(std::chrono::seconds(50));
  v1::ExtendReservationResponse resp;
  ASSERT_TRUE(Extend(id, 60, &resp).ok());
  clock_.Advance(std::chrono::seconds(50));
  Nudge();
  EXPECT_EQ(Get(id).state(), v1::RESERVATION_STATE_ACTIVE);
  clock_.Advance(std::chrono::seconds(10));
  Nudge();
  EXPECT_EQ(Get(id).state(), v1::RESERVATION_STATE_EXPIRED);
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 0);
}

TEST_F(ReservationTest, Restart_KeepsActiveReservations_AndExpiresThoseDueWhileDown) {
  server_.Receive("a", "s1", 10);
  v1::CreateReservationRequest short_req = OneLine("a", 2, "s1");
  short_req.mutable_ttl()->set_seconds(30);
  v1::CreateReservationRequest long_req = OneLine("a", 3, "s1");
  long_req.mutable_ttl()->set_seconds(3600);
  std::string short_id = ReserveOk(short_req);
  std::string long_id = ReserveOk(long_req);
  server_.Stop();
  clock_.Advance(std::chrono::seconds(31));
  server_.Restart();
  EXPECT_EQ(Get(short_id).state(), v1::RESERVATION_STATE_EXPIRED);
  v1::Reservation kept = Get(long_id);
  EXPECT_EQ(kept.state(), v1::RESERVATION_STATE_ACTIVE);
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 3);
  clock_.Advance(std::chrono::seconds(3600));
  Nudge();
  EXPECT_EQ(server_.Level("a", "s1").reserved(), 0);
}

TEST_F(ReservationTest, ListReservations_PagesActiveBySoonestExpiry) {
  server_.Receive("a", "s1", 10);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    v1::CreateReservationRequest req = OneLine("a", 1, "s1");
    req.mutable_ttl()->set_seconds(100 - i);
    ids.push_back(ReserveOk(req));
  }
  std::vector<std::string> seen;
  std::string token;
  do {
    v1::ListReservationsRequest req;
    req.set_page_size(2);
    req.set_page_token(token);
    v1::ListReservationsResponse resp;
    ASSERT_TRUE(server_.reservations().ListReservations(Ctx().get(), req, &resp).ok());
    for (const auto& r : resp.reservations()) seen.push_back(r.reservation_id());
    token = resp.next_page_token();
  } while (!token.empty());
  std::reverse(ids.begin(), ids.end());
  EXPECT_EQ(seen, ids);
}

// Thousands of random operations from concurrent clients, then every invariant is checked
// against the database file itself (DatabaseIsConsistent runs storage::Verify).
TEST_F(ReservationTest, Randomized_ConcurrentOperations_KeepEveryInvariant) {
  const std::vector<std::string> skus = {"k1", "k2", "k3", "k4"};
  server_.SetGroup("online", {"s1", "s2", "wh"});
  for (const auto& sku : skus) {
    for (const auto& loc : {"s1", "s2", "wh"}) server_.Receive(sku, loc, 30);
  }
  constexpr int kThreads = 8, kOpsPerThread = 400;
  // Per operation kind (create, commit, release, adjust, transfer): calls that succeeded.
  // Every call must get an answer a client can act on, never an internal or transport error.
  std::array<std::atomic<int>, 5> succeeded{};
  std::atomic<int> unanswered{0};
  auto record = [&](int kind, const grpc::Status& s) {
    if (s.ok()) {
      ++succeeded[kind];
    } else if (s.error_code() != grpc::FAILED_PRECONDITION &&
               s.error_code() != grpc::INVALID_ARGUMENT && s.error_code() != grpc::NOT_FOUND &&
               s.error_code() != grpc::ABORTED) {
      ++unanswered;
      ADD_FAILURE() << "kind " << kind << ": " << s.error_code() << " " << s.error_message();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1234 + t);
      auto channel = server_.NewChannel();
      auto res = v1::ReservationService::NewStub(channel);
      auto inv = v1::InventoryService::NewStub(channel);
      std::vector<std::string> mine;
      const char* locs[] = {"s1", "s2", "wh", ""};
      for (int i = 0; i < kOpsPerThread; ++i) {
        int op = rng() % 10;
        const std::string& sku = skus[rng() % skus.size()];
        if (op < 4 || mine.empty()) {
          v1::CreateReservationRequest req = OneLine(sku, 1 + rng() % 3, locs[rng() % 4]);
          if (rng() % 3 == 0) *req.add_lines() = OneLine(skus[rng() % 4], 1, "").lines(0);
          req.mutable_ttl()->set_seconds(1 + rng() % 120);
          v1::CreateReservationResponse resp;
          grpc::Status s = res->CreateReservation(Ctx().get(), req, &resp);
          record(0, s);
          if (s.ok()) mine.push_back(resp.reservation().reservation_id());
        } else if (op < 6) {
          v1::CommitReservationRequest req;
          req.set_request_id(LiveServer::NextId());
          req.set_reservation_id(mine[rng() % mine.size()]);
          v1::CommitReservationResponse resp;
          record(1, res->CommitReservation(Ctx().get(), req, &resp));
        } else if (op < 8) {
          v1::ReleaseReservationRequest req;
          req.set_request_id(LiveServer::NextId());
          req.set_reservation_id(mine[rng() % mine.size()]);
          v1::ReleaseReservationResponse resp;
          record(2, res->ReleaseReservation(Ctx().get(), req, &resp));
        } else if (op == 8) {
          v1::AdjustStockRequest req;
          req.set_request_id(LiveServer::NextId());
          req.set_sku(sku);
          req.set_location_id(locs[rng() % 3]);
          bool add = rng() % 2;
          req.set_delta(add ? 1 + rng() % 5 : -(1 + static_cast<int64_t>(rng() % 3)));
          req.set_reason(
              add ? v1::MOVEMENT_REASON_RECEIVED
                  : (rng() % 4 ? v1::MOVEMENT_REASON_DAMAGED : v1::MOVEMENT_REASON_CORRECTION));
          v1::AdjustStockResponse resp;
          record(3, inv->AdjustStock(Ctx().get(), req, &resp));
        } else {
          v1::TransferStockRequest req;
          req.set_request_id(LiveServer::NextId());
          req.set_sku(sku);
          req.set_from_location_id(locs[rng() % 3]);
          req.set_to_location_id(locs[rng() % 3]);
          req.set_quantity(1 + rng() % 4);
          v1::TransferStockResponse resp;
          record(4, inv->TransferStock(Ctx().get(), req, &resp));
        }
        if (t == 0 && i % 50 == 0) clock_.Advance(std::chrono::seconds(7));
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(unanswered.load(), 0);
  for (int kind = 0; kind < 5; ++kind) {
    EXPECT_GT(succeeded[kind].load(), 0) << "kind " << kind << " never succeeded: not exercised";
  }
  clock_.Advance(std::chrono::minutes(5));
  Nudge();
  for (const auto& sku : skus) {
    for (const auto& loc : {"s1", "s2", "wh"}) {
      v1::StockLevel level = server_.Level(sku, loc);
      EXPECT_GE(level.on_hand(), 0);
      EXPECT_EQ(level.reserved(), 0) << "every reservation ended after the TTLs ran out";
    }
  }
  server_.Stop();
  EXPECT_TRUE(DatabaseIsConsistent(server_.db_path()));
  server_.Restart();
}

}  // namespace
}  // namespace oms::testing

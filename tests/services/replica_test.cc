// Replicas on one PostgreSQL database: real in-process servers (services::Server) on loopback
// ports, a throwaway cluster (tests/support/pg_cluster.h), a schema per test. One replica
// leads; mutations sent to any replica are applied once by the leader; every replica serves
// reads and Watch; oms-sequence / oms-min-sequence give read-your-writes across replicas.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/live_server.h"
#include "tests/support/pg_cluster.h"

namespace oms::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<grpc::ClientContext> Context(std::chrono::milliseconds deadline = 10s) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + deadline);
  return ctx;
}

int64_t SequenceOf(const grpc::ClientContext& ctx) {
  const auto& md = ctx.GetServerInitialMetadata();
  auto it = md.find("oms-sequence");
  if (it == md.end()) return -1;
  return std::stoll(std::string(it->second.data(), it->second.size()));
}

class ReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PgCluster::Shared()) {
      GTEST_SKIP() << "PostgreSQL is not installed (apt-get install postgresql); "
                      "OMS_REQUIRE_POSTGRES=1 makes this a failure";
    }
    conninfo_ = PgCluster::Shared()->NewSchemaConninfo();
  }

  services::ServerOptions Options() const {
    services::ServerOptions o;
    o.postgres = conninfo_;
    o.lease_ttl = 1s;
    return o;
  }

  void StartReplicas(int n) {
    for (int i = 0; i < n; ++i) replicas_.push_back(std::make_unique<LiveServer>(Options()));
  }

  // Two replicas and location s1 (added through the follower); returns the follower.
  LiveServer& LeaderAndFollower(int* leader_index = nullptr) {
    StartReplicas(2);
    int leader = WaitForLeader();
    if (leader_index) *leader_index = leader;
    LiveServer& follower = *replicas_[Follower(leader)];
    follower.AddLocation("s1");
    return follower;
  }

  // The index of the one replica that writes, once exactly one does (bounded: the lease).
  int WaitForLeader() {
    auto until = std::chrono::steady_clock::now() + 15s;
    while (std::chrono::steady_clock::now() < until) {
      int leaders = 0, leader = -1;
      for (size_t i = 0; i < replicas_.size(); ++i) {
        if (replicas_[i] && replicas_[i]->server().writing()) {
          ++leaders;
          leader = static_cast<int>(i);
        }
      }
      if (leaders == 1) return leader;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "no single leader within 15 s";
    return 0;
  }

  int Follower(int leader, int nth = 0) {
    for (size_t i = 0; i < replicas_.size(); ++i) {
      if (static_cast<int>(i) != leader && replicas_[i] && nth-- == 0) return static_cast<int>(i);
    }
    return -1;
  }

  // Receives `quantity` units through `replica`; returns the reply's oms-sequence.
  int64_t Receive(LiveServer& replica, const std::string& sku, int64_t quantity,
                  const std::string& request_id, v1::AdjustStockResponse* out = nullptr) {
    v1::AdjustStockRequest req;
    req.set_request_id(request_id);
    req.set_sku(sku);
    req.set_location_id("s1");
    req.set_delta(quantity);
    req.set_reason(v1::MOVEMENT_REASON_RECEIVED);
    v1::AdjustStockResponse resp;
    auto ctx = Context();
    grpc::Status s = replica.inventory().AdjustStock(ctx.get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (out) *out = resp;
    return SequenceOf(*ctx);
  }

  // GetAvailability of `sku` at s1 on `replica`, waiting for `min_sequence` if > 0.
  grpc::Status OnHand(LiveServer& replica, const std::string& sku, int64_t min_sequence,
                      int64_t* on_hand, std::chrono::milliseconds deadline = 10s) {
    v1::GetAvailabilityRequest req;
    req.add_skus(sku);
    req.set_location_id("s1");
    req.set_channel(v1::CHANNEL_POS);
    v1::GetAvailabilityResponse resp;
    auto ctx = Context(deadline);
    if (min_sequence > 0) ctx->AddMetadata("oms-min-sequence", std::to_string(min_sequence));
    grpc::Status s = replica.inventory().GetAvailability(ctx.get(), req, &resp);
    *on_hand = -1;
    if (s.ok() && resp.availability_size() == 1 && resp.availability(0).locations_size() == 1) {
      *on_hand = resp.availability(0).locations(0).on_hand();
    }
    return s;
  }

  std::string conninfo_;
  std::vector<std::unique_ptr<LiveServer>> replicas_;
};

TEST_F(ReplicaTest, WritesOnAnyReplica_ReadsOnEveryReplicaSeeThem) {
  StartReplicas(3);
  int leader = WaitForLeader();
  LiveServer& f1 = *replicas_[Follower(leader, 0)];
  LiveServer& f2 = *replicas_[Follower(leader, 1)];
  f1.AddLocation("s1");  // forwarded to the leader
  int64_t total = 0;
  int64_t last = 0;
  for (int i = 0; i < 5; ++i) {
    LiveServer& via = i % 2 ? f1 : f2;
    last = Receive(via, "SKU-A", i + 1, LiveServer::NextId("rx"));
    total += i + 1;
    ASSERT_GT(last, 0) << "a forwarded reply carries the leader's oms-sequence";
  }
  // With the token, every replica answers with the write at once.
  for (auto& r : replicas_) {
    int64_t on_hand = 0;
    ASSERT_TRUE(OnHand(*r, "SKU-A", last, &on_hand).ok());
    EXPECT_EQ(on_hand, total);
  }
  // Without it, within the follower's lag (bounded here).
  auto until = std::chrono::steady_clock::now() + 5s;
  for (auto& r : replicas_) {
    int64_t on_hand = 0;
    while (OnHand(*r, "SKU-A", 0, &on_hand).ok() && on_hand != total &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(on_hand, total);
  }
}

TEST_F(ReplicaTest, MinSequenceAhead_FailsReplicaBehindWithinTheDeadline) {
  LiveServer& follower = LeaderAndFollower();
  int64_t seq = Receive(follower, "SKU-B", 3, LiveServer::NextId("rx"));
  int64_t on_hand = 0;
  auto start = std::chrono::steady_clock::now();
  grpc::Status s = OnHand(follower, "SKU-B", seq + 1000, &on_hand, 300ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(ReasonOf(s), "REPLICA_BEHIND");

  v1::GetAvailabilityRequest req;
  req.add_skus("SKU-B");
  req.set_location_id("s1");
  v1::GetAvailabilityResponse resp;
  auto ctx = Context();
  ctx->AddMetadata("oms-min-sequence", "soon");
  s = follower.inventory().GetAvailability(ctx.get(), req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ReplicaTest, RetryOfAForwardedMutation_AnswersTheSameOnAnyReplica) {
  StartReplicas(3);
  int leader = WaitForLeader();
  replicas_[leader]->AddLocation("s1");
  replicas_[leader]->Receive("SKU-C", "s1", 10);
  v1::CreateReservationRequest req;
  req.set_request_id(LiveServer::NextId("res"));
  req.set_channel(v1::CHANNEL_ONLINE);
  auto* line = req.add_lines();
  line->set_sku("SKU-C");
  line->set_location_id("s1");
  line->set_quantity(2);
  std::string first;
  for (auto& r : replicas_) {
    v1::CreateReservationResponse resp;
    grpc::Status s = r->Reserve(req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (first.empty()) first = resp.SerializeAsString();
    EXPECT_EQ(resp.SerializeAsString(), first) << "a retry answers exactly what the first said";
  }
  v1::StockLevel level = replicas_[leader]->Level("SKU-C", "s1");
  EXPECT_EQ(level.reserved(), 2) << "three calls with one request_id reserve once";
}

TEST_F(ReplicaTest, WatchOnAFollower_ResumesExactlyLikeOnTheLeader) {
  int leader = 0;
  LiveServer& follower = LeaderAndFollower(&leader);
  int64_t first = Receive(follower, "SKU-D", 1, LiveServer::NextId("rx"));
  int64_t last = first;
  for (int i = 2; i <= 6; ++i) last = Receive(follower, "SKU-D", i, LiveServer::NextId("rx"));
  // Both replicas have applied `last`; a stream that resumes after `first` gets the same five.
  auto collect = [&](LiveServer& r) {
    int64_t on_hand = 0;
    EXPECT_TRUE(OnHand(r, "SKU-D", last, &on_hand).ok());
    v1::WatchAvailabilityRequest req;
    req.add_skus("SKU-D");
    req.set_after_sequence(first);
    auto ctx = Context(10s);
    auto stream = r.inventory().WatchAvailability(ctx.get(), req);
    std::vector<std::string> out;
    v1::AvailabilityChanged e;
    while (out.size() < 5 && stream->Read(&e)) out.push_back(e.SerializeAsString());
    ctx->TryCancel();
    return out;
  };
  std::vector<std::string> on_leader = collect(*replicas_[leader]);
  std::vector<std::string> on_follower = collect(follower);
  ASSERT_EQ(on_leader.size(), 5u);
  EXPECT_EQ(on_follower, on_leader);
  // And live: a new write reaches a stream on the follower.
  v1::WatchAvailabilityRequest req;
  req.add_skus("SKU-D");
  req.set_after_sequence(last);
  auto ctx = Context(10s);
  auto stream = follower.inventory().WatchAvailability(ctx.get(), req);
  int64_t live = Receive(*replicas_[leader], "SKU-D", 7, LiveServer::NextId("rx"));
  v1::AvailabilityChanged e;
  ASSERT_TRUE(stream->Read(&e));
  EXPECT_EQ(e.sequence(), live);
  EXPECT_EQ(e.on_hand(), 28);
  ctx->TryCancel();
}

TEST_F(ReplicaTest, LeaderStops_AnotherTakesOver_WritesResume_AckedRetriesAnswerTheSame) {
  StartReplicas(3);
  int leader = WaitForLeader();
  replicas_[leader]->AddLocation("s1");
  std::string id = LiveServer::NextId("rx");
  v1::AdjustStockResponse acked;
  Receive(*replicas_[Follower(leader)], "SKU-E", 4, id, &acked);
  replicas_[leader]->Stop();  // gives the lease up: no wait for it to lapse
  replicas_[leader].reset();
  int next = WaitForLeader();
  ASSERT_NE(next, leader);
  v1::AdjustStockResponse again;
  Receive(*replicas_[Follower(next)], "SKU-E", 4, id, &again);
  EXPECT_EQ(again.SerializeAsString(), acked.SerializeAsString());
  int64_t seq = Receive(*replicas_[next], "SKU-E", 1, LiveServer::NextId("rx"));
  int64_t on_hand = 0;
  ASSERT_TRUE(OnHand(*replicas_[Follower(next)], "SKU-E", seq, &on_hand).ok());
  EXPECT_EQ(on_hand, 5);
}

TEST_F(ReplicaTest, ReplicasStartedTogetherOnAnEmptyDatabase_AgreeOnOneSchemaAndOneLeader) {
  replicas_.resize(4);
  std::vector<std::thread> starting;
  for (auto& r : replicas_) {
    starting.emplace_back([&r, this] { r = std::make_unique<LiveServer>(Options()); });
  }
  for (auto& t : starting) t.join();
  int leader = WaitForLeader();
  for (auto& r : replicas_) {
    EXPECT_EQ(r->server().schema_version(), replicas_[leader]->server().schema_version());
  }
  // Still one a little later (nobody fights over the lease).
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(WaitForLeader(), leader);
}

// The single SQLite server is its own writer, and its replies carry the token too.
TEST(SingleServerTest, SqliteServerWritesAndRepliesCarryTheSequence) {
  LiveServer server;
  EXPECT_TRUE(server.server().writing());
  server.AddLocation("s1");
  v1::AdjustStockRequest req;
  req.set_request_id(LiveServer::NextId("rx"));
  req.set_sku("SKU-F");
  req.set_location_id("s1");
  req.set_delta(2);
  req.set_reason(v1::MOVEMENT_REASON_RECEIVED);
  v1::AdjustStockResponse resp;
  auto ctx = Context();
  ASSERT_TRUE(server.inventory().AdjustStock(ctx.get(), req, &resp).ok());
  EXPECT_GT(SequenceOf(*ctx), 0);
}

}  // namespace
}  // namespace oms::testing

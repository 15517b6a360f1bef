// Crash recovery: runs the real omsd under a concurrent reserve/commit/release/adjust load,
// kills it with SIGKILL at a random moment, checks the database offline (`omsd verify`),
// restarts it, and checks that every acknowledged mutation is there: retrying it with its
// request_id must return the very same response (a lost effect would run again and answer
// differently). Repeats for --cycles. Usage: crash_recovery OMSD [--cycles N] [--seed S]
#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "oms/v1/inventory_service.grpc.pb.h"
#include "oms/v1/location_service.grpc.pb.h"
#include "oms/v1/reservation_service.grpc.pb.h"
#include "tests/e2e/omsd_process.h"

namespace {

namespace v1 = oms::v1;

struct Acked {
  std::string method;
  std::string request;   // serialized request
  std::string response;  // serialized response
};

class Omsd {
 public:
  Omsd(std::string binary, std::string dir) : binary_(std::move(binary)), dir_(std::move(dir)) {}
  // Starts omsd on a free port and waits (up to 20 s) for its serving line.
  bool Start() {
    std::string log = dir_ + "/omsd.log";
    std::filesystem::remove(log);
    pid_ = oms::e2e::Spawn({binary_, "--db", dir_ + "/oms.db", "--listen", "127.0.0.1:0"}, log);
    if (pid_ <= 0) return false;
    int status = -1;
    port_ = oms::e2e::WaitServingPort(log, 0, std::chrono::seconds(20), pid_, &status);
    if (status >= 0) pid_ = -1;  // exited, and reaped
    return port_ > 0;
  }
  void Kill() {
    if (pid_ <= 0) return;
    oms::e2e::KillAndReap(pid_);
    pid_ = -1;
  }
  int Verify() {
    std::string cmd = binary_ + " verify --db " + dir_ + "/oms.db > " + dir_ + "/verify.log 2>&1";
    return std::system(cmd.c_str());
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  ~Omsd() { Kill(); }

 private:
  std::string binary_, dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  return ctx;
}

// One client thread's load until `stop`: reserve, then commit or release it, and adjust.
void Load(const std::string& address, int thread, uint64_t seed, std::atomic<bool>& stop,
          std::mutex& mu, std::vector<Acked>& acked, int cycle) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto res = v1::ReservationService::NewStub(channel);
  auto inv = v1::InventoryService::NewStub(channel);
  std::mt19937_64 rng(seed);
  auto remember = [&](const char* method, const google::protobuf::Message& req,
                      const google::protobuf::Message& resp) {
    std::lock_guard lock(mu);
    acked.push_back({method, req.SerializeAsString(), resp.SerializeAsString()});
  };
  for (int i = 0; !stop; ++i) {
    std::string id = fmt::format("c{}-t{}-{}", cycle, thread, i);
    std::string sku = fmt::format("k{}", rng() % 20);
    v1::CreateReservationRequest r;
    r.set_request_id(id + "-r");
    r.set_channel(v1::CHANNEL_ONLINE);
    r.mutable_ttl()->set_seconds(3600);
    auto* line = r.add_lines();
    line->set_sku(sku);
    line->set_quantity(1);
    line->set_location_id("s1");
    v1::CreateReservationResponse created;
    if (res->CreateReservation(Ctx().get(), r, &created).ok()) {
      remember("CreateReservation", r, created);
      if (rng() % 2) {
        v1::CommitReservationRequest c;
        c.set_request_id(id + "-c");
        c.set_reservation_id(created.reservation().reservation_id());
        v1::CommitReservationResponse committed;
        if (res->CommitReservation(Ctx().get(), c, &committed).ok())
          remember("Commit", c, committed);
      } else {
        v1::ReleaseReservationRequest c;
        c.set_request_id(id + "-x");
        c.set_reservation_id(created.reservation().reservation_id());
        v1::ReleaseReservationResponse released;
        if (res->ReleaseReservation(Ctx().get(), c, &released).ok())
          remember("Release", c, released);
      }
    }
    v1::AdjustStockRequest a;
    a.set_request_id(id + "-a");
    a.set_sku(sku);
    a.set_location_id("s1");
    a.set_delta(2);
    a.set_reason(v1::MOVEMENT_REASON_RECEIVED);
    v1::AdjustStockResponse adjusted;
    if (inv->AdjustStock(Ctx().get(), a, &adjusted).ok()) remember("Adjust", a, adjusted);
  }
}

// Replays one acknowledged request; true if the response is byte-identical.
bool Replays(const std::string& address, const Acked& a) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto res = v1::ReservationService::NewStub(channel);
  auto inv = v1::InventoryService::NewStub(channel);
  auto same = [&](auto& req, auto& resp, auto call) {
    req.ParseFromString(a.request);
    grpc::Status s = call(req, resp);
    return s.ok() && resp.SerializeAsString() == a.response;
  };
  if (a.method == "CreateReservation") {
    v1::CreateReservationRequest q;
    v1::CreateReservationResponse p;
    return same(q, p, [&](auto& x, auto& y) { return res->CreateReservation(Ctx().get(), x, &y); });
  }
  if (a.method == "Commit") {
    v1::CommitReservationRequest q;
    v1::CommitReservationResponse p;
    return same(q, p, [&](auto& x, auto& y) { return res->CommitReservation(Ctx().get(), x, &y); });
  }
  if (a.method == "Release") {
    v1::ReleaseReservationRequest q;
    v1::ReleaseReservationResponse p;
    return same(q, p,
                [&](auto& x, auto& y) { return res->ReleaseReservation(Ctx().get(), x, &y); });
  }
  v1::AdjustStockRequest q;
  v1::AdjustStockResponse p;
  return same(q, p, [&](auto& x, auto& y) { return inv->AdjustStock(Ctx().get(), x, &y); });
}

bool Setup(const std::string& address) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  v1::UpsertLocationRequest loc;
  loc.set_request_id("setup-s1");
  loc.mutable_location()->set_location_id("s1");
  loc.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
  loc.mutable_location()->set_ship_enabled(true);
  loc.mutable_location()->set_active(true);
  v1::UpsertLocationResponse made;
  if (!v1::LocationService::NewStub(channel)->UpsertLocation(Ctx().get(), loc, &made).ok()) {
    return false;
  }
  v1::ImportStockRequest import;
  import.set_request_id("setup-stock");
  for (int k = 0; k < 20; ++k) {
    auto* row = import.add_rows();
    row->set_sku(fmt::format("k{}", k));
    row->set_location_id("s1");
    row->set_on_hand(1'000'000);
  }
  v1::ImportStockResponse imported;
  return v1::InventoryService::NewStub(channel)->ImportStock(Ctx().get(), import, &imported).ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: crash_recovery OMSD [--cycles N] [--seed S]\n");
    return 2;
  }
  int cycles = 50;
  if (const char* env = std::getenv("OMS_CRASH_CYCLES")) cycles = std::atoi(env);
  uint64_t seed = static_cast<uint64_t>(std::random_device{}());
  for (int i = 2; i + 1 < argc; i += 2) {  // flags win over the environment
    if (std::string(argv[i]) == "--cycles") cycles = std::atoi(argv[i + 1]);
    if (std::string(argv[i]) == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::string dir =
      (std::filesystem::temp_directory_path() / ("oms-crash-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir);
  fmt::print("crash_recovery: {} cycles, seed {}\n", cycles, seed);
  std::mt19937_64 rng(seed);
  Omsd omsd(argv[1], dir);
  int failures = 0;
  int64_t total_acked = 0, total_replayed = 0;
  if (!omsd.Start() || !Setup(omsd.address())) {
    fmt::print(stderr, "crash_recovery: omsd did not start\n");
    return 1;
  }
  int survived = 0;
  for (int cycle = 0; cycle < cycles && failures == 0; ++cycle) {
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::vector<Acked> acked;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back(Load, omsd.address(), t, rng(), std::ref(stop), std::ref(mu),
                           std::ref(acked), cycle);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    omsd.Kill();  // SIGKILL: no drain, no checkpoint, no goodbye
    stop = true;
    for (auto& t : threads) t.join();
    if (omsd.Verify() != 0) {
      fmt::print(stderr, "cycle {}: omsd verify failed (see {}/verify.log)\n", cycle, dir);
      ++failures;
      break;
    }
    if (!omsd.Start()) {
      fmt::print(stderr, "cycle {}: omsd did not restart\n", cycle);
      ++failures;
      break;
    }
    for (const auto& a : acked) {
      if (!Replays(omsd.address(), a)) {
        fmt::print(stderr, "cycle {}: acknowledged {} was lost or changed\n", cycle, a.method);
        ++failures;
        break;
      }
      ++total_replayed;
    }
    if (failures) break;
    total_acked += static_cast<int64_t>(acked.size());
    ++survived;
  }
  // Cycles in which nothing was acknowledged check nothing: all of them is a failure.
  if (failures == 0 && total_acked == 0) {
    fmt::print(stderr, "crash_recovery: no mutation was acknowledged in any cycle\n");
    ++failures;
  }
  omsd.Kill();
  if (failures == 0) std::filesystem::remove_all(dir);
  if (failures) {
    fmt::print(stderr, "crash_recovery: FAILED after {} good cycles; replay with --seed {}\n",
               survived, seed);
  } else {
    fmt::print(
        "crash_recovery: {} cycles survived, {} acknowledged mutations, all {} replayed "
        "identically, verify passed after every kill; seed {}\n",
        survived, total_acked, total_replayed, seed);
  }
  return failures ? 1 : 0;
}

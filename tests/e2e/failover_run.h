// The failover driver's shared parts (tests/e2e/failover_loop.cc): the data it sets up, the
// requests it sends, the concurrent load, the checks of what was acknowledged, and the run's
// state. Both modes (the kill loop and fencing) build on them.
#pragma once

#include <google/protobuf/message.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "oms/v1/inventory_service.pb.h"
#include "oms/v1/reservation_service.pb.h"
#include "tests/e2e/failover_client.h"
#include "tests/e2e/omsd_process.h"

namespace oms::e2e {

namespace v1 = oms::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline constexpr int kReplicas = 3;
inline constexpr int64_t kHotOnHand = 50;    // H: the hot SKU's stock
inline constexpr int kSpreadSkus = 20;       // k0..k19, plenty of stock
inline constexpr int kHotHeldPerThread = 3;  // hot reservations a load thread holds at once
inline constexpr char kLocation[] = "s1";
inline constexpr char kHot[] = "hot";
inline constexpr char kProbe[] = "probe";  // only the failover probes adjust it, +1 each

inline constexpr char kCreate[] = "/oms.v1.ReservationService/CreateReservation";
inline constexpr char kCommit[] = "/oms.v1.ReservationService/CommitReservation";
inline constexpr char kRelease[] = "/oms.v1.ReservationService/ReleaseReservation";
inline constexpr char kAdjust[] = "/oms.v1.InventoryService/AdjustStock";
inline constexpr char kSetStock[] = "/oms.v1.InventoryService/SetStock";
inline constexpr char kUpsertLocation[] = "/oms.v1.LocationService/UpsertLocation";

inline int64_t Ms(Clock::duration d) { return std::chrono::duration_cast<milliseconds>(d).count(); }

// "/oms.v1.X/Method" -> "Method".
inline std::string ShortName(const std::string& method) {
  return method.substr(method.rfind('/') + 1);
}

// ---------------------------------------------------------------------------------------------
// Requests.

v1::CreateReservationRequest Reserve(const std::string& id, const std::string& sku);
v1::AdjustStockRequest Adjust(const std::string& id, const std::string& sku, int64_t delta,
                              v1::MovementReason reason);
template <class Request>
Request WithId(const std::string& id, const std::string& reservation_id) {
  Request r;
  r.set_request_id(id);
  r.set_reservation_id(reservation_id);
  return r;
}

// Acknowledged, or the test fails naming the call.
bool MustAck(Client& client, Ledger& ledger, const std::string& method,
             const google::protobuf::Message& request, std::string* response = nullptr);
// The location, the hot and probe SKUs and the spread SKUs.
bool Setup(Client& client, Ledger& ledger);

// ---------------------------------------------------------------------------------------------
// The load: `threads` clients, each reserving, committing or releasing, and adjusting, spread
// SKUs and the hot one, until stopped.

class Load {
 public:
  Load(const std::vector<std::string>& addresses, int threads, Ledger& ledger, uint64_t seed,
       Clock::duration attempt);
  ~Load();
  // Every client back to its own replica (loop), or all to one (fencing: the leader).
  void Spread();
  void PreferAll(int replica);
  void Stop();

 private:
  Ledger& ledger_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<std::thread> threads_;
};

// ---------------------------------------------------------------------------------------------
// Checks.

// The hot SKU never held or sold more than on hand (true while the load runs).
bool CheckHotBound(Client& reader, const Ledger& ledger, std::string* why);
// The hot and probe SKUs are exactly what the acknowledged calls imply (the load stopped).
bool CheckExact(Client& reader, Ledger& ledger, std::string* why);
// Replays `acked` over 6 threads, each call to a random replica: every answer must be the
// recorded bytes. Returns how many were checked; `why` set on the first mismatch.
int64_t Replay(const std::vector<Acked>& acked, const std::vector<std::string>& addresses,
               Ledger& ledger, uint64_t seed, std::string* why);
// A sample of up to `n` acknowledged calls.
std::vector<Acked> Sample(std::vector<Acked> all, size_t n, std::mt19937_64& rng);

struct Figures {
  std::vector<int64_t> ms;
  int64_t p50() const {
    if (ms.empty()) return 0;
    auto v = ms;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  int64_t max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

// ---------------------------------------------------------------------------------------------
// The run.

struct Run {
  std::string binary, conninfo, dir;
  int cycles;
  uint64_t seed;
  seconds lease;  // the replicas' --lease-ttl
  std::mt19937_64 rng;
  Ledger ledger;
  std::unique_ptr<Cluster> cluster;
  std::string error;  // the failure, naming its cycle

  bool Fail(const std::string& why);
  bool Failed();
  bool VerifyDb(int cycle);
  // Start the replicas, wait for exactly one leader, set up the data.
  bool Boot();
  // Replays everything acknowledged, then checks the totals again (replays change nothing).
  bool FinalChecks(int64_t* replayed);
};

// The modes.
int RunLoop(Run& run);
int RunFencing(Run& run);

}  // namespace oms::e2e

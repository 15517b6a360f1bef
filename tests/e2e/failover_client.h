// A mutation client for a set of replicas that retries each call, with the same bytes, until
// it is acknowledged; and the ledger of what was acknowledged, for replaying and counting.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "oms/v1/inventory_service.grpc.pb.h"
#include "tests/e2e/omsd_process.h"

namespace oms::e2e {

// One acknowledged mutation.
struct Acked {
  std::string method;  // full gRPC path
  std::string request_id;
  std::string request;   // serialized request
  std::string response;  // serialized response, as received
  int cycle;
};

// One call attempt that took long (in fencing mode: possibly in flight at a frozen leader).
struct Attempt {
  int replica;
  Clock::time_point start, end;
  grpc::Status status;
  std::string method, request_id;
};

// Acknowledged hot-SKU calls (counted once acknowledged, so exact when the load is quiet).
struct HotCounts {
  std::atomic<int64_t> created{0}, released{0}, committed{0}, restocked{0}, sold_out{0};
};

// Everything acknowledged, the slow attempts, and the first failure. Thread-safe.
class Ledger {
 public:
  void Record(Acked a, int64_t sequence);
  void RecordSlow(Attempt a);
  // Keeps the first failure; failed() from then on.
  void Fail(const std::string& why);
  bool failed() const { return failed_; }
  std::string failure() const;
  std::vector<Acked> acked() const;
  std::vector<Attempt> slow() const;
  size_t size() const;
  // The highest oms-sequence an acknowledgement carried.
  int64_t max_sequence() const;

  std::atomic<int> cycle{0};
  std::atomic<int64_t> probes{0};
  HotCounts hot;

 private:
  mutable std::mutex mu_;
  std::vector<Acked> acked_;
  std::vector<Attempt> slow_;
  int64_t max_sequence_ = 0;
  std::atomic<bool> failed_{false};
  std::string failure_;
};

// The message's request_id field; "" if it has none.
std::string RequestId(const google::protobuf::Message& m);

// The bytes of a ByteBuffer; "" if it cannot be read.
std::string Flatten(const grpc::ByteBuffer& buffer);

// UNAVAILABLE or DEADLINE_EXCEEDED: worth sending again, elsewhere.
bool Retryable(const grpc::Status& s);

// `code N "message"`.
std::string Describe(const grpc::Status& s);

enum class Ack { kOk, kRejected, kGaveUp };

struct Outcome {
  Ack ack;
  grpc::Status status;  // the last attempt's
  std::string response;
};

// A channel to each replica, one of them current. Each attempt has `attempt` to finish; a
// call is retried for up to `bound`.
class Client {
 public:
  Client(const std::vector<std::string>& addresses, int first, Ledger& ledger,
         Clock::duration attempt, Clock::duration bound = std::chrono::seconds(60));

  void Prefer(int replica) { current_ = replica; }
  int current() const { return current_; }

  // Sends `request` until it is acknowledged (recorded in the ledger) or definitively
  // rejected; the same bytes every time, switching replica after each UNAVAILABLE or
  // DEADLINE_EXCEEDED. Gives up after the bound, or once the test has failed.
  Outcome Mutate(const std::string& method, const google::protobuf::Message& request);

  // As Mutate, without recording: for replays.
  Outcome Resend(const std::string& method, const std::string& id, const std::string& bytes,
                 int64_t* sequence);

  // GetAvailability of `skus` at `location`, on a replica that has applied `min_sequence`
  // (retried up to 30 s).
  bool Availability(const std::vector<std::string>& skus, const std::string& location,
                    int64_t min_sequence, oms::v1::GetAvailabilityResponse* out, std::string* why);

 private:
  // One attempt at `replica`; a long one is noted in the ledger (see Attempt).
  grpc::Status Send(int replica, const std::string& method, const std::string& id,
                    const std::string& bytes, std::string* response, int64_t* sequence);

  Ledger& ledger_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::atomic<int> current_;
  Clock::duration attempt_;
  Clock::duration bound_;
};

}  // namespace oms::e2e

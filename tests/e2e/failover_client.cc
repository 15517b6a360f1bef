#include "tests/e2e/failover_client.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <thread>

namespace oms::e2e {

namespace v1 = oms::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

void Ledger::Record(Acked a, int64_t sequence) {
  std::lock_guard lock(mu_);
  acked_.push_back(std::move(a));
  max_sequence_ = std::max(max_sequence_, sequence);
}

void Ledger::RecordSlow(Attempt a) {
  std::lock_guard lock(mu_);
  slow_.push_back(std::move(a));
}

void Ledger::Fail(const std::string& why) {
  std::lock_guard lock(mu_);
  if (!failed_) failure_ = why;
  failed_ = true;
}

std::string Ledger::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

std::vector<Acked> Ledger::acked() const {
  std::lock_guard lock(mu_);
  return acked_;
}

std::vector<Attempt> Ledger::slow() const {
  std::lock_guard lock(mu_);
  return slow_;
}

size_t Ledger::size() const {
  std::lock_guard lock(mu_);
  return acked_.size();
}

int64_t Ledger::max_sequence() const {
  std::lock_guard lock(mu_);
  return max_sequence_;
}

std::string RequestId(const google::protobuf::Message& m) {
  const auto* field = m.GetDescriptor()->FindFieldByName("request_id");
  return field ? m.GetReflection()->GetString(m, field) : std::string();
}

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

bool Retryable(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::UNAVAILABLE ||
         s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

std::string Describe(const grpc::Status& s) {
  return fmt::format("code {} \"{}\"", static_cast<int>(s.error_code()), s.error_message());
}

Client::Client(const std::vector<std::string>& addresses, int first, Ledger& ledger,
               Clock::duration attempt, Clock::duration bound)
    : ledger_(ledger), current_(first), attempt_(attempt), bound_(bound) {
  for (const auto& a : addresses) {
    channels_.push_back(Connect(a));
    stubs_.push_back(std::make_unique<grpc::GenericStub>(channels_.back()));
  }
}

Outcome Client::Mutate(const std::string& method, const google::protobuf::Message& request) {
  std::string bytes = request.SerializeAsString();
  std::string id = RequestId(request);
  int64_t sequence = 0;
  Outcome out = Resend(method, id, bytes, &sequence);
  if (out.ack == Ack::kOk)
    ledger_.Record({method, id, bytes, out.response, ledger_.cycle}, sequence);
  return out;
}

Outcome Client::Resend(const std::string& method, const std::string& id, const std::string& bytes,
                       int64_t* sequence) {
  const auto until = Clock::now() + bound_;
  Outcome out{Ack::kGaveUp, grpc::Status::OK, ""};
  for (;;) {
    int replica = current_;
    out.status = Send(replica, method, id, bytes, &out.response, sequence);
    if (out.status.ok()) return out.ack = Ack::kOk, out;
    if (!Retryable(out.status)) return out.ack = Ack::kRejected, out;
    current_ = (replica + 1) % static_cast<int>(stubs_.size());
    if (Clock::now() >= until || ledger_.failed()) return out.ack = Ack::kGaveUp, out;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

bool Client::Availability(const std::vector<std::string>& skus, const std::string& location,
                          int64_t min_sequence, v1::GetAvailabilityResponse* out,
                          std::string* why) {
  v1::GetAvailabilityRequest request;
  for (const auto& s : skus) request.add_skus(s);
  request.set_location_id(location);
  request.set_channel(v1::CHANNEL_POS);
  const auto until = Clock::now() + seconds(30);
  for (;;) {
    int replica = current_;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(5));
    ctx.AddMetadata("oms-min-sequence", std::to_string(min_sequence));
    grpc::Status s =
        v1::InventoryService::NewStub(channels_[replica])->GetAvailability(&ctx, request, out);
    if (s.ok()) return true;
    current_ = (replica + 1) % static_cast<int>(stubs_.size());
    if (!Retryable(s) || Clock::now() >= until) {
      *why = "GetAvailability failed: " + Describe(s);
      return false;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
}

grpc::Status Client::Send(int replica, const std::string& method, const std::string& id,
                          const std::string& bytes, std::string* response, int64_t* sequence) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + attempt_);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer in(&slice, 1), reply;
  auto done = std::make_shared<std::promise<grpc::Status>>();
  const auto start = Clock::now();
  stubs_[replica]->UnaryCall(&ctx, method, grpc::StubOptions(), &in, &reply,
                             [done](grpc::Status s) { done->set_value(std::move(s)); });
  grpc::Status status = done->get_future().get();
  const auto end = Clock::now();
  if (end - start > milliseconds(250)) {
    ledger_.RecordSlow({replica, start, end, status, method, id});
  }
  if (!status.ok()) return status;
  *response = Flatten(reply);
  const auto& metadata = ctx.GetServerInitialMetadata();
  if (auto it = metadata.find("oms-sequence"); it != metadata.end()) {
    *sequence = std::atoll(std::string(it->second.data(), it->second.size()).c_str());
  }
  return status;
}

}  // namespace oms::e2e

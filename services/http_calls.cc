// The gateway's gRPC calls through the generic stub's callback API, on the in-process channel.
#include "services/http_calls.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_callback.h>

#include <chrono>
#include <utility>

#include "services/watch_stream.h"

namespace oms::services::http {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::string out;
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

CallResult ResultOf(const grpc::Status& status) {
  CallResult r;
  r.code = static_cast<int>(status.error_code());
  r.message = status.error_message();
  r.details = status.error_details();
  return r;
}

void Prepare(grpc::ClientContext& context, const std::string& authorization, int64_t timeout_ms) {
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  if (timeout_ms >= 0) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  }
}

CallResult Refused() {
  CallResult r;
  r.code = static_cast<int>(grpc::StatusCode::UNAVAILABLE);
  r.message = "the server is shutting down";
  return r;
}

}  // namespace

// One server stream. Self-owned: deleted in OnDone, which the hold keeps back until the
// gateway's handle calls Finish, so the handle never reaches a freed reactor.
class StreamReactor final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamReactor(GrpcCalls* calls, GrpcCalls::StreamCallbacks callbacks)
      : calls_(calls), callbacks_(std::move(callbacks)) {}

  grpc::ClientContext& context() { return context_; }

  void Begin(grpc::GenericStub& stub, const std::string& method, const std::string& request) {
    stub.PrepareBidiStreamingCall(&context_, method, grpc::StubOptions(), this);
    request_ = ToBuffer(request);
    StartWriteLast(&request_, grpc::WriteOptions());
    AddHold();
    StartCall();
  }

  // Grants `n` more messages: the reactor reads on by itself while it has credit, so a burst
  // reaches the connection without a round trip per message.
  void Read(int n) {
    {
      std::lock_guard lock(read_mu_);
      credit_ += n;
      if (reading_ || credit_ == 0) return;
      reading_ = true;
      --credit_;
    }
    StartRead(&incoming_);
  }
  void Release() { RemoveHold(); }

  void OnReadInitialMetadataDone(bool ok) override {
    // A refused stream sends initial metadata too, with its status: only the server's marker
    // says the subscription is live.
    const auto& metadata = context_.GetServerInitialMetadata();
    if (ok && metadata.find(kWatchSubscribedKey) != metadata.end()) {
      callbacks_.on_ready();
    } else {
      callbacks_.on_read_end();
    }
  }
  void OnReadDone(bool ok) override {
    if (ok) {
      callbacks_.on_message(FromBuffer(incoming_));
      {
        std::lock_guard lock(read_mu_);
        reading_ = credit_ > 0;
        if (!reading_) return;
        --credit_;
      }
      StartRead(&incoming_);
    } else {
      callbacks_.on_read_end();
    }
  }
  void OnWriteDone(bool /*ok*/) override {}
  void OnDone(const grpc::Status& status) override {
    GrpcCalls* calls = calls_;
    auto on_done = std::move(callbacks_.on_done);
    CallResult result = ResultOf(status);
    calls->Unregister(&context_, false);
    // The callbacks may own the connection: free them here, before the count says done.
    delete this;
    on_done(std::move(result));
    on_done = nullptr;
    calls->Done();
  }

 private:
  std::mutex read_mu_;
  int credit_ = 0;        // messages granted and not yet asked for
  bool reading_ = false;  // a StartRead is outstanding
  GrpcCalls* calls_;
  GrpcCalls::StreamCallbacks callbacks_;
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer incoming_;
};

struct GrpcCalls::Stub {
  explicit Stub(std::shared_ptr<grpc::Channel> channel) : generic(std::move(channel)) {}
  grpc::GenericStub generic;
};

GrpcCalls::GrpcCalls(std::shared_ptr<grpc::Channel> channel)
    : stub_(std::make_unique<Stub>(std::move(channel))) {}

GrpcCalls::~GrpcCalls() { CancelAllAndWait(); }

bool GrpcCalls::Register(grpc::ClientContext* context) {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  live_.insert(context);
  ++pending_;
  return true;
}

void GrpcCalls::Unregister(grpc::ClientContext* context, bool done) {
  std::lock_guard lock(mu_);
  live_.erase(context);
  if (done && --pending_ == 0) idle_.notify_all();
}

void GrpcCalls::Done() {
  std::lock_guard lock(mu_);
  if (--pending_ == 0) idle_.notify_all();
}

void GrpcCalls::CancelAllAndWait() {
  std::unique_lock lock(mu_);
  closed_ = true;
  // A copy: a cancelled call may unregister itself inline, inside TryCancel.
  std::vector<grpc::ClientContext*> live(live_.begin(), live_.end());
  for (grpc::ClientContext* context : live) {
    if (live_.count(context) > 0) context->TryCancel();
  }
  idle_.wait(lock, [&] { return pending_ == 0; });
}

void GrpcCalls::Unary(const std::string& method, std::string request,
                      const std::string& authorization, int64_t timeout_ms,
                      std::function<void(CallResult)> done) {
  struct Call {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    std::function<void(CallResult)> done;
  };
  auto* call = new Call;
  Prepare(call->context, authorization, timeout_ms);
  if (!Register(&call->context)) {
    delete call;
    done(Refused());
    return;
  }
  call->request = ToBuffer(request);
  call->done = std::move(done);
  stub_->generic.UnaryCall(&call->context, method, grpc::StubOptions(), &call->request,
                           &call->response, [this, call](grpc::Status status) {
                             CallResult result = ResultOf(status);
                             if (status.ok()) result.response = FromBuffer(call->response);
                             Unregister(&call->context, false);
                             auto finish = std::move(call->done);
                             delete call;
                             finish(std::move(result));
                             finish = nullptr;
                             Done();
                           });
}

std::shared_ptr<StreamCall> GrpcCalls::Stream(const std::string& method, std::string request,
                                              const std::string& authorization,
                                              StreamCallbacks callbacks) {
  auto* reactor = new StreamReactor(this, std::move(callbacks));
  Prepare(reactor->context(), authorization, -1);
  if (!Register(&reactor->context())) {
    delete reactor;
    return nullptr;
  }
  auto handle = std::make_shared<StreamCall>(reactor);
  reactor->Begin(stub_->generic, method, request);
  return handle;
}

void StreamCall::ReadNext(int n) {
  std::lock_guard lock(mu_);
  if (!finished_) reactor_->Read(n);
}

void StreamCall::Cancel() {
  std::lock_guard lock(mu_);
  if (!finished_) reactor_->context().TryCancel();
}

void StreamCall::Finish() {
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
  }
  // Outside the lock: OnDone may run inline and frees the reactor.
  reactor_->Release();
}

}  // namespace oms::services::http

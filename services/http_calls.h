// GrpcCalls: the gateway's gRPC calls on the in-process channel, counted so that shutdown can
// cancel every one and wait until each callback has come back. No Beast here: callbacks run
// on gRPC threads and the gateway posts them to the connection's strand.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

namespace grpc {
class Channel;
class ClientContext;
class Status;
}  // namespace grpc

namespace oms::services::http {

// The result of a finished call: the gRPC status's parts, the response for unary calls.
struct CallResult {
  int code = 0;
  std::string message;
  std::string details;   // serialized google.rpc.Status, may be empty
  std::string response;  // unary: the serialized response
};

class StreamCall;
class StreamReactor;

class GrpcCalls {
 public:
  explicit GrpcCalls(std::shared_ptr<grpc::Channel> channel);
  ~GrpcCalls();

  // Starts a unary call; `done` runs exactly once on a gRPC thread (or inline when refused
  // during shutdown). `timeout_ms` < 0: no deadline of our own (the server applies its
  // default). `authorization` "" sends none.
  void Unary(const std::string& method, std::string request, const std::string& authorization,
             int64_t timeout_ms, std::function<void(CallResult)> done);

  struct StreamCallbacks {
    // The server registered the subscription (initial metadata arrived).
    std::function<void()> on_ready;
    // One message; the next is read only after StreamCall::ReadNext.
    std::function<void(std::string)> on_message;
    // The stream cannot deliver more (ended or failed): call StreamCall::Finish to learn why.
    std::function<void()> on_read_end;
    // The final status, after Finish; runs once.
    std::function<void(CallResult)> on_done;
  };
  // Opens a server-streaming call (one request message). nullptr during shutdown.
  std::shared_ptr<StreamCall> Stream(const std::string& method, std::string request,
                                     const std::string& authorization, StreamCallbacks callbacks);

  // Cancels every call in flight and refuses new ones, then waits until every callback has
  // returned.
  void CancelAllAndWait();

 private:
  friend class StreamCall;
  friend class StreamReactor;
  // A call counts from Register until Done, after its last callback has returned; it can be
  // cancelled from Register until Unregister (just before its context is freed).
  bool Register(grpc::ClientContext* context);
  void Unregister(grpc::ClientContext* context, bool done);
  void Done();

  struct Stub;  // grpc::GenericStub, whose header stays out of this one
  std::unique_ptr<Stub> stub_;
  // Recursive: TryCancel may run a call's callbacks inline, and they unregister it.
  std::recursive_mutex mu_;
  std::condition_variable_any idle_;
  bool closed_ = false;
  int pending_ = 0;
  std::unordered_set<grpc::ClientContext*> live_;
};

// The gateway's handle on one stream. The reactor behind it holds itself alive until the
// handle calls Finish (a gRPC "hold"), so ReadNext and Cancel are always safe to call before.
class StreamCall {
 public:
  explicit StreamCall(StreamReactor* reactor) : reactor_(reactor) {}
  // Lets `n` more messages come (on_message each); call after on_ready, and again as they are
  // written out, so that what the connection holds stays bounded.
  void ReadNext(int n = 1);
  // Ends the call (the client went away, or shutdown).
  void Cancel();
  // Lets the call complete: on_done follows once every operation has returned. Idempotent.
  void Finish();

 private:
  StreamReactor* reactor_;
  std::mutex mu_;
  bool finished_ = false;
};

}  // namespace oms::services::http

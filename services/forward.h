// Forwarder: a follower replica sends a mutation on to the leader over gRPC and answers its
// caller with exactly what the leader answered — the same response bytes, status and error
// details, and the leader's `oms-sequence`. The call keeps the caller's deadline and token
// (the leader authenticates and authorizes it again) and is marked `oms-forwarded`, so a
// replica never forwards a forwarded call a second time.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace grpc {
template <class RequestType, class ResponseType>
class TemplatedGenericStub;
}

namespace google::protobuf {
class Message;
}

namespace oms::services {

inline constexpr char kForwardedHeader[] = "oms-forwarded";
inline constexpr char kSequenceHeader[] = "oms-sequence";
inline constexpr char kMinSequenceHeader[] = "oms-min-sequence";

class Forwarder {
 public:
  // `credentials` reach the other replicas (TLS when the servers use it).
  explicit Forwarder(std::shared_ptr<grpc::ChannelCredentials> credentials);
  ~Forwarder();

  // Sends `request` as method `path` ("/oms.v1.X/Y") to `leader` and finishes `reactor` with
  // the leader's answer, `response` filled. The reactor's call must outlive it (it does: the
  // call ends only when the reactor finishes). A leader that cannot be reached (it died, or
  // a failover moved the lease) is handed to `unreachable` instead, which must finish the
  // reactor in the end — by forwarding again, to the next leader.
  void Forward(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
               const std::string& leader, const std::string& path,
               const google::protobuf::Message& request, google::protobuf::Message* response,
               std::function<void(const std::string& leader)> unreachable);

 private:
  using Stub = grpc::TemplatedGenericStub<grpc::ByteBuffer, grpc::ByteBuffer>;
  Stub& StubFor(const std::string& leader);

  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<Stub>> stubs_;
};

// The full gRPC path of `method` of the service whose request `request` is.
std::string MethodPath(const google::protobuf::Message& request, const char* method);

}  // namespace oms::services

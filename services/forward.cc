// Forwarder: one generic stub per leader address, callback unary calls.
#include "services/forward.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>

#include "domain/limits.h"
#include "domain/status.h"
#include "services/error_mapping.h"
#include "services/log.h"

namespace oms::services {

Forwarder::Forwarder(std::shared_ptr<grpc::ChannelCredentials> credentials)
    : credentials_(std::move(credentials)) {}

Forwarder::~Forwarder() = default;

Forwarder::Stub& Forwarder::StubFor(const std::string& leader) {
  std::lock_guard lock(mu_);
  auto& stub = stubs_[leader];
  if (!stub) {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(-1);
    args.SetMaxSendMessageSize(-1);
    stub = std::make_unique<Stub>(grpc::CreateCustomChannel(leader, credentials_, args));
  }
  return *stub;
}

std::string MethodPath(const google::protobuf::Message& request, const char* method) {
  const google::protobuf::FileDescriptor* file = request.GetDescriptor()->file();
  for (int i = 0; i < file->service_count(); ++i) {
    const google::protobuf::MethodDescriptor* m = file->service(i)->FindMethodByName(method);
    if (m && m->input_type() == request.GetDescriptor()) {
      return "/" + file->service(i)->full_name() + "/" + m->name();
    }
  }
  return {};
}

namespace {

struct ForwardedCall {
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
};

}  // namespace

void Forwarder::Forward(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                        const std::string& leader, const std::string& path,
                        const google::protobuf::Message& request,
                        google::protobuf::Message* response,
                        std::function<void(const std::string& leader)> unreachable) {
  auto call = std::make_shared<ForwardedCall>();
  auto deadline = context->deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    deadline = std::chrono::system_clock::now() +
               std::chrono::duration_cast<std::chrono::system_clock::duration>(
                   limits::kDefaultCallDeadline);
  }
  call->context.set_deadline(deadline);
  const auto& metadata = context->client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    call->context.AddMetadata("authorization", std::string(it->second.data(), it->second.size()));
  }
  call->context.AddMetadata(kForwardedHeader, "1");
  std::string bytes = request.SerializeAsString();
  grpc::Slice slice(bytes);
  call->request = grpc::ByteBuffer(&slice, 1);
  StubFor(leader).UnaryCall(
      &call->context, path, grpc::StubOptions(), &call->request, &call->response,
      [call, context, reactor, response, leader, path,
       unreachable = std::move(unreachable)](grpc::Status status) {
        if (status.ok()) {
          std::vector<grpc::Slice> slices;
          std::string out;
          if (call->response.Dump(&slices).ok()) {
            for (const auto& s : slices)
              out.append(reinterpret_cast<const char*>(s.begin()), s.size());
          }
          if (!response->ParseFromString(out)) {
            reactor->Finish(ToGrpcStatus(Status::Internal("the leader's response is unreadable")));
            return;
          }
          const auto& sent = call->context.GetServerInitialMetadata();
          if (auto it = sent.find(kSequenceHeader); it != sent.end()) {
            context->AddInitialMetadata(kSequenceHeader,
                                        std::string(it->second.data(), it->second.size()));
          }
          reactor->Finish(grpc::Status::OK);
          return;
        }
        // The leader's own answers pass through unchanged (with their details); a leader that
        // cannot be reached is a failover in progress.
        if (status.error_code() == grpc::StatusCode::UNAVAILABLE &&
            status.error_details().empty()) {
          LogEvent("warn", "forward_failed",
                   {{"leader", leader}, {"method", path}, {"error", status.error_message()}});
          if (unreachable) {
            unreachable(leader);
            return;
          }
          Status s = Status::Unavailable(
              reason::kNotLeader,
              "the leader (" + leader + ") cannot be reached; retry with the same request_id");
          reactor->Finish(ToGrpcStatus(s));
          return;
        }
        reactor->Finish(status);
      });
}

}  // namespace oms::services

// The mutation path and payload hashing.
#include "services/backend.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include "domain/limits.h"
#include "domain/validate.h"
#include "services/error_mapping.h"
#include "services/log.h"

namespace oms::services {

Status RequireLocation(const SharedView& view, const std::string& field, const std::string& id) {
  OMS_RETURN_IF_ERROR(ValidateId(field, id));
  bool known =
      view.Read([&](const CommittedData& d) { return d.locations.count(LocationId(id)) > 0; });
  if (!known) return Status::NotFound("location " + id + " does not exist");
  return Status::Ok();
}

Result<Principal> Admit(Backend& backend, grpc::CallbackServerContext* context, Action action,
                        const std::vector<std::string>& stores) {
  Result<Principal> who = backend.auth.Authenticate(*context);
  if (!who.ok()) {
    if (who.status().code() == Code::kUnauthenticated) {
      LogEvent("warn", "unauthenticated", {{"peer", context->peer()}});
    }
    return who;
  }
  Status allowed = Authorize(*who, action, stores);
  if (!allowed.ok()) {
    LogEvent("warn", "permission_denied",
             {{"actor", who->name}, {"peer", context->peer()}, {"error", allowed.message()}});
    return allowed;
  }
  return who;
}

grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* context, const Status& status) {
  auto* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

uint64_t PayloadHash(const char* method, const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> copy(request.New());
  copy->CopyFrom(request);
  if (const auto* field = copy->GetDescriptor()->FindFieldByName("request_id")) {
    copy->GetReflection()->ClearField(copy.get(), field);
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  // FNV-1a, 64 bits: stable across builds and platforms.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  mix(method);
  mix(std::string_view("\0", 1));
  mix(bytes);
  return h;
}

namespace {

// The caller's deadline on the writer's monotonic clock, or the default for calls without one.
std::chrono::steady_clock::time_point NotAfter(const grpc::CallbackServerContext& context) {
  auto steady_now = std::chrono::steady_clock::now();
  auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return steady_now + limits::kDefaultCallDeadline;
  }
  auto left = deadline - std::chrono::system_clock::now();
  if (left > std::chrono::duration_cast<std::chrono::system_clock::duration>(
                 limits::kDefaultCallDeadline * 1000)) {
    return std::chrono::steady_clock::time_point::max();  // effectively none
  }
  return steady_now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
}

}  // namespace

namespace detail {

std::string Serialize(const google::protobuf::Message& response) {
  return response.SerializeAsString();
}

grpc::ServerUnaryReactor* SubmitMutation(grpc::CallbackServerContext* context, Backend& backend,
                                         const Result<Principal>& who, const char* method,
                                         const google::protobuf::Message& request,
                                         const std::string& request_id, Result<Command> command,
                                         google::protobuf::Message* response,
                                         std::function<Result<std::string>(const Reply&)> encode) {
  if (!who.ok()) return FinishWith(context, who.status());
  Status invalid = ValidateRequestId(request_id);
  if (invalid.ok()) invalid = command.status();
  if (invalid.ok()) invalid = Validate(*command);
  if (!invalid.ok()) return FinishWith(context, invalid);

  auto* reactor = context->DefaultReactor();
  Submission s;
  s.command = std::move(command).value();
  s.context = {request_id, PayloadHash(method, request), method, who->name, NotAfter(*context)};
  if (who->role == Role::kStore) s.context.scope.emplace(who->stores.begin(), who->stores.end());
  s.encode = std::move(encode);
  s.done = [reactor, response, method, request_id](Completion c) {
    if (!c.status.ok()) {
      if (c.status.code() == Code::kInternal || c.status.code() == Code::kUnavailable) {
        LogEvent(c.status.code() == Code::kInternal ? "error" : "warn", "mutation_failed",
                 {{"method", method},
                  {"request_id", request_id},
                  {"code", CodeName(c.status.code())},
                  {"error", c.status.message()}});
      }
      if (c.status.code() == Code::kPermissionDenied) {  // the writer's store-scope check
        LogEvent("warn", "permission_denied",
                 {{"method", method}, {"request_id", request_id}, {"error", c.status.message()}});
      }
      response->Clear();
      reactor->Finish(ToGrpcStatus(c.status));
      return;
    }
    if (c.replayed && !response->ParseFromString(c.response)) {
      reactor->Finish(ToGrpcStatus(Status::Internal("stored response is unreadable")));
      return;
    }
    reactor->Finish(grpc::Status::OK);
  };
  Status submitted = backend.writer.Submit(std::move(s));
  if (!submitted.ok()) {
    LogEvent("warn", "mutation_refused",
             {{"method", method}, {"request_id", request_id}, {"error", submitted.message()}});
    reactor->Finish(ToGrpcStatus(submitted));
  }
  return reactor;
}

}  // namespace detail

}  // namespace oms::services

// The mutation path and payload hashing.
#include "services/backend.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include <charconv>

#include "domain/limits.h"
#include "domain/validate.h"
#include "services/error_mapping.h"
#include "services/forward.h"
#include "services/log.h"
#include "services/replica.h"

namespace oms::services {

Status RequireLocation(const SharedView& view, const std::string& field, const std::string& id) {
  OMS_RETURN_IF_ERROR(ValidateId(field, id));
  bool known =
      view.Read([&](const CommittedData& d) { return d.locations.count(LocationId(id)) > 0; });
  if (!known) return Status::NotFound("location " + id + " does not exist");
  return Status::Ok();
}

namespace {

// Waits for the sequence a read asks for with oms-min-sequence, if it asks.
Status AwaitMinSequence(Backend& backend, grpc::CallbackServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(kMinSequenceHeader);
  if (it == metadata.end()) return Status::Ok();
  std::string text(it->second.data(), it->second.size());
  int64_t wanted = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), wanted);
  if (error != std::errc() || end != text.data() + text.size() || wanted < 0) {
    return Status::InvalidArgument(kMinSequenceHeader,
                                   "must be a sequence number (the oms-sequence of a reply)");
  }
  if (!backend.applied) return Status::Ok();
  auto steady_now = std::chrono::steady_clock::now();
  auto until = steady_now + limits::kMaxMinSequenceWait;
  if (context.deadline() != std::chrono::system_clock::time_point::max()) {
    // Leave a tenth of the deadline to answer REPLICA_BEHIND before the caller gives up.
    auto left = context.deadline() - std::chrono::system_clock::now();
    until = std::min(
        until, steady_now +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(left * 9 / 10));
  }
  if (backend.applied->WaitFor(wanted, until)) return Status::Ok();
  Status behind = Status::Unavailable(
      reason::kReplicaBehind, "this replica has applied sequence " +
                                  std::to_string(backend.applied->value()) + ", not yet " + text +
                                  "; retry, or read from the leader");
  behind.With("applied_sequence", std::to_string(backend.applied->value()));
  return behind;
}

}  // namespace

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
  OMS_RETURN_IF_ERROR(AwaitMinSequence(backend, *context));
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

// Forwards to the leader once one other than `unreachable` is known, and again to the next
// one if that leader cannot be reached, until `until`; then NOT_LEADER.
void ForwardToLeader(Backend& backend, grpc::CallbackServerContext* context,
                     grpc::ServerUnaryReactor* reactor, std::string path,
                     const google::protobuf::Message& request, google::protobuf::Message* response,
                     std::chrono::steady_clock::time_point until, std::string unreachable) {
  backend.replica->OnLeader(
      until, std::move(unreachable),
      [&backend, context, reactor, path = std::move(path), &request, response,
       until](std::string leader) {
        if (leader.empty() || std::chrono::steady_clock::now() > until) {
          reactor->Finish(ToGrpcStatus(
              Status::Unavailable(reason::kNotLeader,
                                  "no replica leads at the moment (a failover is in progress); "
                                  "retry with the same request_id")));
          return;
        }
        backend.forwarder->Forward(context, reactor, leader, path, request, response,
                                   [&backend, context, reactor, path, &request, response,
                                    until](const std::string& failed) {
                                     ForwardToLeader(backend, context, reactor, path, request,
                                                     response, until, failed);
                                   });
      });
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
  // A follower replica: the leader applies it, and the caller hears what the leader said.
  auto forward = [&]() {
    std::string path = MethodPath(request, method);
    if (context->client_metadata().count(kForwardedHeader) > 0 || path.empty()) {
      reactor->Finish(ToGrpcStatus(Status::Unavailable(
          reason::kNotLeader, "this replica does not lead; retry with the same request_id")));
      return reactor;
    }
    // During a failover no replica leads for a moment (up to the lease's time): the call
    // waits for the next leader rather than failing at once, within its deadline.
    auto until = std::chrono::steady_clock::now() + backend.replica->failover_wait();
    if (context->deadline() != std::chrono::system_clock::time_point::max()) {
      auto left = context->deadline() - std::chrono::system_clock::now();
      until = std::min(until, std::chrono::steady_clock::now() +
                                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      left * 9 / 10));
    }
    ForwardToLeader(backend, context, reactor, std::move(path), request, response, until, "");
    return reactor;
  };
  if (backend.replica && !backend.replica->leader()) return forward();
  Submission s;
  s.command = std::move(command).value();
  s.context = {request_id, PayloadHash(method, request), method, who->name, NotAfter(*context)};
  if (who->role == Role::kStore) s.context.scope.emplace(who->stores.begin(), who->stores.end());
  s.encode = std::move(encode);
  s.done = [reactor, context, response, method, request_id](Completion c) {
    // The consistency token: a read elsewhere with oms-min-sequence of it sees this call.
    if (c.sequence > 0) context->AddInitialMetadata(kSequenceHeader, std::to_string(c.sequence));
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
  Status submitted = backend.submit(std::move(s));
  // It stepped down since the check above: the new leader gets it.
  if (submitted.reason() == reason::kNotLeader && backend.replica) return forward();
  if (!submitted.ok()) {
    LogEvent("warn", "mutation_refused",
             {{"method", method}, {"request_id", request_id}, {"error", submitted.message()}});
    reactor->Finish(ToGrpcStatus(submitted));
  }
  return reactor;
}

}  // namespace detail

}  // namespace oms::services

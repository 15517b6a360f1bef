// Backend: what every service class needs — the writer for mutations, the read port and the
// shared view for queries, the clock — plus the shared mutation path.
#pragma once

#include <concepts>
#include <functional>
#include <string>
#include <variant>

#include <grpcpp/grpcpp.h>

#include "domain/commands.h"
#include "domain/engine.h"
#include "domain/read_store.h"
#include "domain/state.h"
#include "services/auth.h"

namespace google::protobuf {
class Message;
}

namespace oms::services {

class WatchHub;
class AppliedSequence;
class Replica;
class Forwarder;

struct Backend {
  // Queues a mutation on this process's writer (UNAVAILABLE NOT_LEADER on a follower).
  std::function<Status(Submission)> submit;
  ReadStore& reader;
  const SharedView& view;
  Clock& clock;
  WatchHub& hub;
  Authenticator& auth;
  // The sequence the view and the hub show; reads with oms-min-sequence wait on it.
  AppliedSequence* applied = nullptr;
  // Replicas on PostgreSQL: a follower forwards mutations to the leader.
  Replica* replica = nullptr;
  Forwarder* forwarder = nullptr;
};

// Authenticates the caller and authorizes `action` at `stores` (the locations the request
// names); the principal names the actor recorded on every change. A call with metadata
// `oms-min-sequence: N` then waits (within its deadline, at most limits::kMaxMinSequenceWait)
// until this replica has applied sequence N, else UNAVAILABLE REPLICA_BEHIND. A store token's scope
// over the reservation or order a mutation acts on is checked by the writer (Mutate passes it on).
Result<Principal> Admit(Backend& backend, grpc::CallbackServerContext* context, Action action,
                        const std::vector<std::string>& stores = {});

// The one place a reply is taken out of the Reply variant: the alternative `R`, or INTERNAL
// (the engine answered with another reply: a bug, reported on this call, never thrown).
template <typename R>
Result<const R*> UnwrapReply(const Reply& reply) {
  if (const R* r = std::get_if<R>(&reply)) return r;
  return Status::Internal("the writer answered with reply alternative " +
                          std::to_string(reply.index()) + ", not the one this command expects");
}
// The pointer points into the reply: a temporary would leave it dangling.
template <typename R>
Result<const R*> UnwrapReply(const Reply&& reply) = delete;

// Fills `response` from the reply with `fill` and serializes it; INTERNAL when the reply is not
// `R`.
template <typename R>
Result<std::string> EncodeReply(const Reply& reply, google::protobuf::Message* response,
                                const std::function<void(const R&)>& fill);

namespace detail {
// The untyped core of Mutate: `encode` fills and serializes the response.
grpc::ServerUnaryReactor* SubmitMutation(grpc::CallbackServerContext* context, Backend& backend,
                                         const Result<Principal>& who, const char* method,
                                         const google::protobuf::Message& request,
                                         const std::string& request_id, Result<Command> command,
                                         google::protobuf::Message* response,
                                         std::function<Result<std::string>(const Reply&)> encode);
std::string Serialize(const google::protobuf::Message& response);
}  // namespace detail

template <typename R>
Result<std::string> EncodeReply(const Reply& reply, google::protobuf::Message* response,
                                const std::function<void(const R&)>& fill) {
  Result<const R*> r = UnwrapReply<R>(reply);
  if (!r.ok()) return r.status();
  fill(**r);
  return detail::Serialize(*response);
}

// The shared path of every mutation: validates request_id and the command, submits it to the
// writer with the caller's store scope, and finishes the reactor after the commit — with `fill`
// writing the reply (of the type the command is answered with) into `response` on the first
// call, or the stored response parsed back on a retry.
// `fill` takes exactly ReplyOf<C>, never the whole Reply variant.
template <CommandWithReply C, typename Fill>
grpc::ServerUnaryReactor* Mutate(grpc::CallbackServerContext* context, Backend& backend,
                                 const Result<Principal>& who, const char* method,
                                 const google::protobuf::Message& request,
                                 const std::string& request_id, Result<C> command,
                                 google::protobuf::Message* response, Fill fill) {
  static_assert(std::invocable<Fill&, const ReplyOf<C>&>, "fill takes the command's ReplyOf");
  static_assert(!std::invocable<Fill&, const Reply&>, "fill takes ReplyOf<C>, not the variant");
  Result<Command> untyped = command.ok() ? Result<Command>(Command(std::move(command).value()))
                                         : Result<Command>(command.status());
  return detail::SubmitMutation(
      context, backend, who, method, request, request_id, std::move(untyped), response,
      [response, fill = std::function<void(const ReplyOf<C>&)>(std::move(fill))](
          const Reply& reply) { return EncodeReply<ReplyOf<C>>(reply, response, fill); });
}

// A location id a read names (a filter or a scope): well-formed and known to the committed
// state, else INVALID_ARGUMENT naming `field` or NOT_FOUND. Answered from memory.
Status RequireLocation(const SharedView& view, const std::string& field, const std::string& id);

// Finishes a reactor with a domain status (ok or not).
grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* context, const Status& status);

// The idempotency fingerprint of a request: its method and deterministic bytes with
// request_id cleared.
uint64_t PayloadHash(const char* method, const google::protobuf::Message& request);

}  // namespace oms::services

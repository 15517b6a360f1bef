// Backend: what every service class needs — the writer for mutations, the reader and the
// shared view for queries, the clock — plus the shared mutation path.
#pragma once

#include <functional>
#include <string>

#include <grpcpp/grpcpp.h>

#include "domain/commands.h"
#include "domain/state.h"
#include "services/auth.h"
#include "storage/reader.h"
#include "storage/writer.h"

namespace google::protobuf {
class Message;
}

namespace oms::services {

class WatchHub;

struct Backend {
  storage::Writer& writer;
  storage::Reader& reader;
  const SharedView& view;
  Clock& clock;
  WatchHub& hub;
  Authenticator& auth;
};

// Authenticates the caller and authorizes `action` at `stores` (the locations the request
// names); the principal names the actor recorded on every change. A store token's scope over
// the reservation or order a mutation acts on is checked by the writer (Mutate passes it on).
Result<Principal> Admit(Backend& backend, grpc::CallbackServerContext* context, Action action,
                        const std::vector<std::string>& stores = {});

// The shared path of every mutation: validates request_id and the command, submits it to the
// writer with the caller's store scope, and finishes the reactor after the commit — with `fill`
// writing the reply into `response` on the first call, or the stored response parsed back on a
// retry.
grpc::ServerUnaryReactor* Mutate(grpc::CallbackServerContext* context, Backend& backend,
                                 const Result<Principal>& who, const char* method,
                                 const google::protobuf::Message& request,
                                 const std::string& request_id, Result<Command> command,
                                 google::protobuf::Message* response,
                                 std::function<void(const Reply&)> fill);

// A location id a read names (a filter or a scope): well-formed and known to the committed
// state, else INVALID_ARGUMENT naming `field` or NOT_FOUND. Answered from memory.
Status RequireLocation(const SharedView& view, const std::string& field, const std::string& id);

// Finishes a reactor with a domain status (ok or not).
grpc::ServerUnaryReactor* FinishWith(grpc::CallbackServerContext* context, const Status& status);

// The idempotency fingerprint of a request: its method and deterministic bytes with
// request_id cleared.
uint64_t PayloadHash(const char* method, const google::protobuf::Message& request);

// Opaque page tokens: hex of "<kind>:<cursor>"; a token of another list is rejected.
std::string EncodePageToken(std::string_view kind, std::string_view cursor);
Result<std::string> DecodePageToken(std::string_view kind, std::string_view token);

}  // namespace oms::services

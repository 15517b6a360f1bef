// Pure translation for the HTTP gateway, without any networking: gRPC codes to HTTP statuses
// and Connect error bodies, query strings to Watch requests, stream messages to Server-Sent
// Events. Kept apart from the Beast server so that every rule can be unit-tested directly.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/status.h"

namespace google::protobuf {
class Message;
}

namespace oms::services::http {

// The HTTP status Connect uses for a gRPC status code (0..16); 500 for anything else.
int HttpStatusForCode(int grpc_code);
// The Connect name of a gRPC status code: "invalid_argument", "not_found", ...
const char* ConnectCodeName(int grpc_code);

// Base64 with the standard alphabet and no padding, as Connect writes error detail values.
std::string Base64NoPad(std::string_view bytes);
// `text` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view text);

// The Connect error body {"code", "message", "details": [...]}; `details_bin` is a serialized
// google.rpc.Status (grpc::Status::error_details()), may be empty. Each detail carries its
// type, its bytes (base64) and, when the type is known, a JSON rendering of it as "debug".
std::string ConnectErrorJson(int grpc_code, std::string_view message, std::string_view details_bin);
// An error the gateway itself makes: the same shape, with an ErrorInfo of domain "oms.v1"
// and `reason` when it is not empty.
std::string GatewayErrorJson(int grpc_code, std::string_view reason, std::string_view message);

// Decoded query parameters in order ("a=1&a=2" gives two pairs); '+' is a space.
using Query = std::vector<std::pair<std::string, std::string>>;
Query ParseQuery(std::string_view query);
// Every value of `key`, with comma-separated values split; empty parts dropped.
std::vector<std::string> QueryValues(const Query& query, std::string_view key);
// The last value of `key`, or "" when absent.
std::string QueryValue(const Query& query, std::string_view key);
// Percent-decoding; false on a malformed escape.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out);

// The Watch streams the gateway offers as Server-Sent Events.
enum class WatchKind { kAvailability, kOrders };

struct WatchCall {
  WatchKind kind;
  std::string method;   // "/oms.v1.InventoryService/WatchAvailability"
  std::string request;  // the serialized request message
};

// The stream and its request for `path` ("/v1/watch/availability" or "/v1/watch/orders")
// with its query; `last_event_id` is the Last-Event-ID header ("" when absent), with the query
// parameter last_event_id as fallback: resume after it, else start from now. INVALID_ARGUMENT
// for a malformed id, NOT_FOUND for another path.
Result<WatchCall> BuildWatchCall(std::string_view path, const Query& query,
                                 std::string_view last_event_id);

// The JSON of an AvailabilityChanged exactly as protobuf's JSON printer gives it (with every
// primitive field), printed directly; false when the general printer must do it (ids that
// need escaping, a time outside 1970-9999). `message` is a v1::AvailabilityChanged.
bool AvailabilityJson(const google::protobuf::Message& message, std::string* out);

// One stream message as a Server-Sent Event: "id: <sequence>\nevent: <kind>\ndata: <json>\n\n".
// INTERNAL when the bytes are not a message of the stream's type.
Result<std::string> FormatSseEvent(WatchKind kind, std::string_view message_bytes);
// Server-Sent Events text of stream messages, formatted once per event for every connection
// that sends it (the JSON rendering costs more than the write). A fixed table keyed by the
// message's sequence and checked against its bytes: a hit is the same bytes, so it is never
// wrong; an event that has left the
// table (a stream far behind) is formatted again. Safe from any thread; formatting runs under
// the slot's stripe lock, so connections sending one event at once format it once.
class SseEventCache {
 public:
  // As FormatSseEvent, shared.
  Result<std::shared_ptr<const std::string>> Format(WatchKind kind, std::string_view message_bytes);
  // How many times an event was formatted (a miss).
  uint64_t formatted() const { return formatted_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kSlots = 4096;
  static constexpr size_t kStripes = 64;
  struct Slot {
    WatchKind kind = WatchKind::kAvailability;
    std::string bytes;
    std::shared_ptr<const std::string> text;
  };
  std::array<std::mutex, kStripes> stripes_;
  std::vector<Slot> slots_ = std::vector<Slot>(kSlots);
  std::atomic<uint64_t> formatted_{0};
};

// The event a stream ends with on error: "event: error\ndata: <Connect error JSON>\n\n".
std::string FormatSseError(int grpc_code, std::string_view message, std::string_view details_bin);

// The unary method at `path` ("/oms.v1.Service/Method") in the generated descriptor pool:
// only services of package oms.v1 and only unary methods. NOT_FOUND (reason UNKNOWN_METHOD)
// for unknown paths and for streaming methods (whose message names the SSE endpoints).
struct UnaryMethod {
  const void* descriptor = nullptr;  // google::protobuf::MethodDescriptor
  std::string grpc_path;             // "/oms.v1.Service/Method"
};
Result<UnaryMethod> FindUnaryMethod(std::string_view path);

// JSON request body -> serialized request message of `method` (empty body: `{}`).
// INVALID_ARGUMENT with the parser's message for malformed JSON or unknown fields.
Result<std::string> JsonToRequest(const UnaryMethod& method, std::string_view json);
// Serialized response message of `method` -> JSON, every primitive field printed.
Result<std::string> ResponseToJson(const UnaryMethod& method, std::string_view bytes);

// The JSON of GET /v1/session, from a principal's parts.
std::string SessionJson(std::string_view name, std::string_view role,
                        const std::vector<std::string>& stores);

}  // namespace oms::services::http

// JSON <-> protobuf and status -> Connect error translation for the HTTP gateway.
#include "services/http_json.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <cstdio>
#include <functional>
#include <iterator>
#include <memory>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "oms/v1/inventory_service.pb.h"
#include "oms/v1/order_service.pb.h"
#include "services/error_mapping.h"

namespace oms::services::http {
namespace {

// `text` with every byte that is not part of a well-formed UTF-8 sequence replaced by '?'.
std::string Utf8Safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= text.size() && !(n == 2 && c < 0xC2);
    for (size_t k = 1; ok && k < n; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (ok && n == 3) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && n == 4) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out.push_back('?');
      ++i;
    }
  }
  return out;
}

namespace pb = google::protobuf;

constexpr int kMaxCode = 16;

// The message type named by an Any's type URL in the generated pool, or nullptr.
const pb::Descriptor* TypeOfUrl(std::string_view type_url) {
  auto slash = type_url.rfind('/');
  std::string name(slash == std::string_view::npos ? type_url : type_url.substr(slash + 1));
  return pb::DescriptorPool::generated_pool()->FindMessageTypeByName(name);
}

std::string MessageJson(const pb::Message& message) {
  pb::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  if (!pb::util::MessageToJsonString(message, &out, options).ok()) return "{}";
  return out;
}

Status Invalid(std::string reason, std::string message) {
  Status s(Code::kInvalidArgument, std::move(message));
  s.WithReason(std::move(reason));
  return s;
}

}  // namespace

int HttpStatusForCode(int grpc_code) {
  static constexpr int kStatus[kMaxCode + 1] = {200, 499, 500, 400, 504, 404, 409, 403, 429,
                                                400, 409, 400, 501, 500, 503, 500, 401};
  return grpc_code >= 0 && grpc_code <= kMaxCode ? kStatus[grpc_code] : 500;
}

const char* ConnectCodeName(int grpc_code) {
  static constexpr const char* kNames[kMaxCode + 1] = {"ok",
                                                       "canceled",
                                                       "unknown",
                                                       "invalid_argument",
                                                       "deadline_exceeded",
                                                       "not_found",
                                                       "already_exists",
                                                       "permission_denied",
                                                       "resource_exhausted",
                                                       "failed_precondition",
                                                       "aborted",
                                                       "out_of_range",
                                                       "unimplemented",
                                                       "internal",
                                                       "unavailable",
                                                       "data_loss",
                                                       "unauthenticated"};
  return grpc_code >= 0 && grpc_code <= kMaxCode ? kNames[grpc_code] : "unknown";
}

std::string Base64NoPad(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8 |
                 static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    if (rest == 2) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 15];
          out += kHex[c & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string ConnectErrorJson(int grpc_code, std::string_view message,
                             std::string_view details_bin) {
  std::string out = "{\"code\":" + JsonQuote(ConnectCodeName(grpc_code)) +
                    ",\"message\":" + JsonQuote(message) + ",\"details\":[";
  google::rpc::Status rpc;
  if (!details_bin.empty() &&
      rpc.ParseFromArray(details_bin.data(), static_cast<int>(details_bin.size()))) {
    bool first = true;
    for (const pb::Any& any : rpc.details()) {
      const pb::Descriptor* type = TypeOfUrl(any.type_url());
      if (!first) out += ',';
      first = false;
      std::string_view url = any.type_url();
      auto slash = url.rfind('/');
      out +=
          "{\"type\":" + JsonQuote(slash == std::string_view::npos ? url : url.substr(slash + 1)) +
          ",\"value\":" + JsonQuote(Base64NoPad(any.value()));
      if (type != nullptr) {
        std::unique_ptr<pb::Message> detail(
            pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
        if (detail->ParseFromString(any.value())) out += ",\"debug\":" + MessageJson(*detail);
      }
      out += '}';
    }
  }
  out += "]}";
  return out;
}

std::string GatewayErrorJson(int grpc_code, std::string_view reason, std::string_view message) {
  google::rpc::Status rpc;
  rpc.set_code(grpc_code);
  rpc.set_message(std::string(message));
  if (!reason.empty()) {
    google::rpc::ErrorInfo info;
    info.set_reason(std::string(reason));
    info.set_domain(kErrorDomain);
    rpc.add_details()->PackFrom(info);
  }
  return ConnectErrorJson(grpc_code, message, rpc.SerializeAsString());
}

bool PercentDecode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+' && plus_is_space) {
      *out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int v = 0;
      auto [ptr, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
      if (ec != std::errc() || ptr != in.data() + i + 3) return false;
      *out += static_cast<char>(v);
      i += 2;
    } else {
      *out += c;
    }
  }
  return true;
}

Query ParseQuery(std::string_view query) {
  Query out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string key, value;
    // A malformed escape keeps the raw text: the request's validation will reject it if it
    // matters, and a stray '%' in an unused parameter must not fail the request.
    if (!PercentDecode(part.substr(0, eq), true, &key)) key = part.substr(0, eq);
    if (eq != std::string_view::npos && !PercentDecode(part.substr(eq + 1), true, &value)) {
      value = part.substr(eq + 1);
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::vector<std::string> QueryValues(const Query& query, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k != key) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      if (!item.empty()) out.emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return out;
}

std::string QueryValue(const Query& query, std::string_view key) {
  std::string out;
  for (const auto& [k, v] : query) {
    if (k == key) out = v;
  }
  return out;
}

Result<WatchCall> BuildWatchCall(std::string_view path, const Query& query,
                                 std::string_view last_event_id) {
  std::string resume(last_event_id);
  if (resume.empty()) resume = QueryValue(query, "last_event_id");
  int64_t after = 0;
  bool from_now = resume.empty();
  if (!from_now) {
    auto [ptr, ec] = std::from_chars(resume.data(), resume.data() + resume.size(), after);
    if (ec != std::errc() || ptr != resume.data() + resume.size() || after < 0) {
      return Invalid("INVALID_LAST_EVENT_ID",
                     "Last-Event-ID must be a sequence number, got \"" + resume + "\"");
    }
  }
  WatchCall call;
  if (path == "/v1/watch/availability") {
    v1::WatchAvailabilityRequest request;
    for (auto& sku : QueryValues(query, "sku")) request.add_skus(std::move(sku));
    for (auto& id : QueryValues(query, "location_id")) request.add_location_ids(std::move(id));
    request.set_after_sequence(after);
    request.set_from_now(from_now);
    call = {WatchKind::kAvailability, "/oms.v1.InventoryService/WatchAvailability",
            request.SerializeAsString()};
  } else if (path == "/v1/watch/orders") {
    v1::WatchOrdersRequest request;
    request.set_pickup_location_id(QueryValue(query, "pickup_location_id"));
    request.set_customer_id(QueryValue(query, "customer_id"));
    request.set_after_sequence(after);
    request.set_from_now(from_now);
    call = {WatchKind::kOrders, "/oms.v1.OrderService/WatchOrders", request.SerializeAsString()};
  } else {
    Status s(Code::kNotFound, "no stream at " + std::string(path) +
                                  " (streams: /v1/watch/availability, /v1/watch/orders)");
    s.WithReason("UNKNOWN_METHOD");
    return s;
  }
  return call;
}

namespace {

// True when protobuf's JSON of `s` is `s` itself in quotes (no escaping needed): the ids the
// API validates. Anything else takes the general printer.
bool PlainJsonString(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

void AppendInt64(std::string* out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out->push_back('"');
  out->append(buf, end);
  out->push_back('"');
}

// protobuf's Timestamp JSON: RFC 3339 in UTC with 0, 3, 6 or 9 fraction digits. False outside
// the years 1970-9999 (left to the general printer).
bool AppendTimestamp(std::string* out, int64_t seconds, int32_t nanos) {
  if (seconds < 0 || seconds >= 253402300800 || nanos < 0 || nanos >= 1000000000) return false;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  int64_t days = seconds / 86400, rem = seconds % 86400;
  int64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buf[40];
  int n =
      std::snprintf(buf, sizeof buf, "\"%04d-%02d-%02dT%02d:%02d:%02d", static_cast<int>(year),
                    static_cast<int>(month), static_cast<int>(day), static_cast<int>(rem / 3600),
                    static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  out->append(buf, static_cast<size_t>(n));
  if (nanos != 0) {
    if (nanos % 1000000 == 0) {
      n = std::snprintf(buf, sizeof buf, ".%03d", nanos / 1000000);
    } else if (nanos % 1000 == 0) {
      n = std::snprintf(buf, sizeof buf, ".%06d", nanos / 1000);
    } else {
      n = std::snprintf(buf, sizeof buf, ".%09d", nanos);
    }
    out->append(buf, static_cast<size_t>(n));
  }
  out->append("Z\"");
  return true;
}

}  // namespace

bool AvailabilityJson(const pb::Message& message, std::string* out) {
  const auto& m = static_cast<const v1::AvailabilityChanged&>(message);
  if (!PlainJsonString(m.sku()) || !PlainJsonString(m.location_id())) return false;
  std::string json;
  json.reserve(256);
  json += "{\"sequence\":";
  AppendInt64(&json, m.sequence());
  json += ",\"sku\":\"";
  json += m.sku();
  json += "\",\"locationId\":\"";
  json += m.location_id();
  json += "\",\"onHand\":";
  AppendInt64(&json, m.on_hand());
  json += ",\"reserved\":";
  AppendInt64(&json, m.reserved());
  json += ",\"safetyStock\":";
  AppendInt64(&json, m.safety_stock());
  json += ",\"atp\":";
  AppendInt64(&json, m.atp());
  json += ",\"quarantined\":";
  AppendInt64(&json, m.quarantined());
  json += ",\"futureSupplyChanged\":";
  json += m.future_supply_changed() ? "true" : "false";
  // protobuf's printer puts the message field after the primitive ones it adds.
  if (m.has_time()) {
    json += ",\"time\":";
    if (!AppendTimestamp(&json, m.time().seconds(), m.time().nanos())) return false;
  }
  json += '}';
  *out = std::move(json);
  return true;
}

Result<std::string> FormatSseEvent(WatchKind kind, std::string_view message_bytes) {
  v1::AvailabilityChanged availability;
  v1::OrderEvent order;
  pb::Message* message = kind == WatchKind::kAvailability ? static_cast<pb::Message*>(&availability)
                                                          : static_cast<pb::Message*>(&order);
  if (!message->ParseFromArray(message_bytes.data(), static_cast<int>(message_bytes.size()))) {
    return Status::Internal("the stream sent a message that does not parse");
  }
  int64_t sequence = kind == WatchKind::kAvailability ? availability.sequence() : order.sequence();
  // The availability event, the one every stock change sends, is printed directly (the same
  // text as protobuf's printer, several times faster); anything else by protobuf's printer,
  // which prints one line (no pretty printing), as one data: line needs.
  std::string json;
  if (kind != WatchKind::kAvailability || !AvailabilityJson(availability, &json)) {
    json = MessageJson(*message);
  }
  return "id: " + std::to_string(sequence) +
         "\nevent: " + (kind == WatchKind::kAvailability ? "availability" : "order") +
         "\ndata: " + json + "\n\n";
}

Result<std::shared_ptr<const std::string>> SseEventCache::Format(WatchKind kind,
                                                                 std::string_view message_bytes) {
  // Keyed by the sequence (field 1, a varint, first in the bytes of both event messages):
  // consecutive events never share a slot. Bytes that do not start so are keyed by a hash.
  uint64_t key = 0;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(message_bytes.data()),
                                            static_cast<int>(message_bytes.size()));
  const bool keyed = in.ReadTag() == 8 && in.ReadVarint64(&key);
  if (!keyed) key = std::hash<std::string_view>{}(message_bytes);
  size_t index = key % kSlots;
  std::lock_guard lock(stripes_[index % kStripes]);
  Slot& slot = slots_[index];
  if (slot.text && slot.kind == kind && slot.bytes == message_bytes) return slot.text;
  auto text = FormatSseEvent(kind, message_bytes);
  if (!text.ok()) return text.status();
  formatted_.fetch_add(1, std::memory_order_relaxed);
  slot.kind = kind;
  slot.bytes.assign(message_bytes.data(), message_bytes.size());
  slot.text = std::make_shared<const std::string>(std::move(text).value());
  return slot.text;
}

std::string FormatSseError(int grpc_code, std::string_view message, std::string_view details_bin) {
  return "event: error\ndata: " + ConnectErrorJson(grpc_code, message, details_bin) + "\n\n";
}

Result<UnaryMethod> FindUnaryMethod(std::string_view path) {
  auto unknown = [&](std::string message) {
    Status s(Code::kNotFound, std::move(message));
    s.WithReason("UNKNOWN_METHOD");
    return s;
  };
  // "/oms.v1.Service/Method": exactly one slash after the service's full name.
  if (path.size() < 2 || path[0] != '/') return unknown("no method at " + std::string(path));
  std::string_view rest = path.substr(1);
  auto slash = rest.find('/');
  if (slash == std::string_view::npos || rest.find('/', slash + 1) != std::string_view::npos) {
    return unknown("no method at " + std::string(path));
  }
  std::string full(rest.substr(0, slash));
  full += '.';
  full += rest.substr(slash + 1);
  const pb::MethodDescriptor* method = pb::DescriptorPool::generated_pool()->FindMethodByName(full);
  if (method == nullptr || method->service()->file()->package() != "oms.v1") {
    return unknown("no method " + std::string(path));
  }
  if (method->client_streaming() || method->server_streaming()) {
    return unknown(std::string(path) +
                   " streams: use the Server-Sent Events at GET /v1/watch/availability or "
                   "GET /v1/watch/orders");
  }
  return UnaryMethod{method, std::string(path)};
}

Result<std::string> JsonToRequest(const UnaryMethod& method, std::string_view json) {
  const auto* descriptor = static_cast<const pb::MethodDescriptor*>(method.descriptor);
  std::unique_ptr<pb::Message> request(
      pb::MessageFactory::generated_factory()->GetPrototype(descriptor->input_type())->New());
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) json = "{}";
  auto status =
      pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), request.get());
  if (!status.ok()) {
    // The parser quotes the offending input: keep the answer valid UTF-8 JSON whatever it was.
    return Invalid(
        "MALFORMED_JSON",
        "request body is not a valid " + descriptor->input_type()->full_name() + ": " +
            Utf8Safe(std::string_view(status.message().data(), status.message().size())));
  }
  return request->SerializeAsString();
}

Result<std::string> ResponseToJson(const UnaryMethod& method, std::string_view bytes) {
  const auto* descriptor = static_cast<const pb::MethodDescriptor*>(method.descriptor);
  std::unique_ptr<pb::Message> response(
      pb::MessageFactory::generated_factory()->GetPrototype(descriptor->output_type())->New());
  if (!response->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Internal("the response of " + method.grpc_path + " does not parse");
  }
  return MessageJson(*response);
}

std::string SessionJson(std::string_view name, std::string_view role,
                        const std::vector<std::string>& stores) {
  std::string out =
      "{\"name\":" + JsonQuote(name) + ",\"role\":" + JsonQuote(role) + ",\"stores\":[";
  for (size_t i = 0; i < stores.size(); ++i) {
    if (i > 0) out += ',';
    out += JsonQuote(stores[i]);
  }
  return out + "]}";
}

}  // namespace oms::services::http

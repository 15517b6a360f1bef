// libFuzzer target: bytes -> one of the API's mutation requests -> the conversion, validation
// and engine the gRPC handlers use (over the in-memory store) -> the reply and event
// encodings. Nothing may crash, and no client input may surface as INTERNAL.
#include <google/protobuf/stubs/logging.h>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "domain/engine.h"
#include "domain/validate.h"
#include "services/convert.h"
#include "services/event_codec.h"
#include "services/requests.h"
#include "tests/fakes/fake_ports.h"
#include "tests/fakes/memory_store.h"

namespace {

using namespace oms;

struct EncodingSink final : EventSink {
  void Publish(std::vector<Event>&& events) override {
    for (const auto& e : events) (void)services::EncodeEvent(e);
  }
};

// A small world the requests act on: two stores, a group, some stock, reservations, orders.
struct World {
  testing::MemoryStore store;
  testing::ManualClock clock;
  testing::SequentialIds ids;
  SharedView view;
  EncodingSink sink;
  Engine engine{store, clock, ids, view, &sink};
  int64_t runs = 0;

  World() {
    if (!engine.Open().ok()) std::abort();
    for (const char* id : {"s1", "s2"}) {
      Run(UpsertLocation{{LocationId(id), id, LocationKind::kStore, true, true, true, {}}}, 0);
    }
    Run(UpsertGroup{GroupId("online"), {LocationId("s1"), LocationId("s2")}}, 0);
    for (const char* sku : {"a", "b"}) {
      Run(AdjustStock{{Sku(sku), LocationId("s1")}, 50, MovementReason::kReceived, "", {}}, 0);
    }
    // Supply the inbound requests (and preorders) can act on.
    Run(ExpectInbound{InboundId("po-1"),
                      LocationId("s1"),
                      clock.Now() + std::chrono::hours(48),
                      {{Sku("a"), 20}, {Sku("c"), 5}}},
        0);
  }

  Status Run(Command command, uint64_t hash) {
    Status result;
    std::vector<Submission> batch(1);
    batch[0].command = std::move(command);
    batch[0].context = {"req-" + std::to_string(++runs % 64), hash, "Fuzz", "fuzzer"};
    batch[0].encode = [](const Reply& reply) {
      if (const auto* r = std::get_if<ReservationReply>(&reply)) {
        v1::Reservation out;
        services::ToProto(r->reservation, Timestamp{}, &out);
        return out.SerializeAsString();
      }
      if (const auto* o = std::get_if<OrderReply>(&reply)) {
        v1::Order out;
        services::ToProto(o->order, Timestamp{}, &out);
        return out.SerializeAsString();
      }
      if (const auto* r = std::get_if<ReturnReply>(&reply)) {
        v1::CreateReturnResponse out;
        services::ToProto(r->ret, out.mutable_return_());
        for (const auto& m : r->movements) services::ToProto(m, out.add_movements());
        return out.SerializeAsString();
      }
      if (const auto* in = std::get_if<InboundReply>(&reply)) {
        v1::ReceiveInboundResponse out;
        services::ToProto(in->inbound, out.mutable_inbound());
        for (const auto& m : in->movements) services::ToProto(m, out.add_movements());
        for (const auto& id : in->served) out.add_served_reservation_ids(id.str());
        return out.SerializeAsString();
      }
      return std::string("ok");
    };
    batch[0].done = [&result](Completion c) { result = c.status; };
    engine.Run(batch);
    clock.Advance(std::chrono::seconds(7));
    return result;
  }
};

template <typename Request>
Result<Command> Parse(const uint8_t* data, size_t size) {
  Request r;
  if (!r.ParseFromArray(data, static_cast<int>(size))) {
    return Status::InvalidArgument("request", "unparseable");
  }
  return services::AsCommand(services::ToCommand(r));
}

Result<Command> Decode(uint8_t kind, const uint8_t* data, size_t size) {
  switch (kind % 22) {
    case 0:
      return Parse<v1::UpsertLocationRequest>(data, size);
    case 1:
      return Parse<v1::UpsertLocationGroupRequest>(data, size);
    case 2:
      return Parse<v1::AdjustStockRequest>(data, size);
    case 3:
      return Parse<v1::SetStockRequest>(data, size);
    case 4:
      return Parse<v1::TransferStockRequest>(data, size);
    case 5:
      return Parse<v1::SetSafetyStockRequest>(data, size);
    case 6:
      return Parse<v1::ImportStockRequest>(data, size);
    case 7:
      return Parse<v1::CreateReservationRequest>(data, size);
    case 8:
      return Parse<v1::ExtendReservationRequest>(data, size);
    case 9:
      return Parse<v1::ReleaseReservationRequest>(data, size);
    case 10:
      return Parse<v1::CommitReservationRequest>(data, size);
    case 11:
      return Parse<v1::PlaceOrderRequest>(data, size);
    case 12:
      return Parse<v1::StartPickingRequest>(data, size);
    case 13:
      return Parse<v1::MarkReadyRequest>(data, size);
    case 14:
      return Parse<v1::ConfirmPickupRequest>(data, size);
    case 15:
      return Parse<v1::CancelOrderRequest>(data, size);
    case 16:
      return Parse<v1::CreateReturnRequest>(data, size);
    case 17:
      return Parse<v1::ResolveReturnRequest>(data, size);
    case 18:
      return Parse<v1::ExpectInboundRequest>(data, size);
    case 19:
      return Parse<v1::RescheduleInboundRequest>(data, size);
    case 20:
      return Parse<v1::CancelInboundRequest>(data, size);
    default:
      return Parse<v1::ReceiveInboundRequest>(data, size);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Protobuf logs every string field with invalid UTF-8 it refuses; the fuzzer meets millions.
  static const bool quiet = (google::protobuf::SetLogHandler(nullptr), true);
  (void)quiet;
  static auto* world = new World();
  if (size < 1) return 0;
  Result<Command> command = Decode(data[0], data + 1, size - 1);
  if (!command.ok()) {
    if (command.status().code() == Code::kInternal) std::abort();
    return 0;
  }
  Status valid = Validate(*command);
  if (!valid.ok()) {
    if (valid.code() != Code::kInvalidArgument) std::abort();
    return 0;
  }
  Status s = world->Run(std::move(command).value(), size);
  // Storage refusing a row means the domain let an impossible state through: a bug.
  if (s.code() == Code::kInternal || s.code() == Code::kUnavailable) std::abort();
  return 0;
}

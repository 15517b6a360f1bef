// InventoryService handlers. Reads come from committed state (the shared view or a WAL read
// connection); mutations go through the writer.
#include "services/inventory_service.h"

#include "domain/limits.h"
#include "domain/validate.h"
#include "services/convert.h"
#include "services/paging.h"
#include "services/requests.h"
#include "services/watch_stream.h"

namespace oms::services {

namespace {

// The SKUs and the scope of an availability question (GetAvailability and
// GetFutureAvailability ask the same way): 1 - kMaxSkusPerQuery well-formed SKUs, and exactly
// one of location_id and group_id.
template <typename Request>
Status QuestionFrom(const Request& request, std::vector<Sku>* skus, AvailabilityScope* scope) {
  if (request.skus_size() == 0) {
    return Status::InvalidArgument("skus", "at least one SKU is required");
  }
  if (request.skus_size() > limits::kMaxSkusPerQuery) {
    return Status::InvalidArgument(
        "skus", "at most " + std::to_string(limits::kMaxSkusPerQuery) + " SKUs per call");
  }
  skus->reserve(request.skus_size());
  for (int i = 0; i < request.skus_size(); ++i) {
    OMS_RETURN_IF_ERROR(ValidateId("skus[" + std::to_string(i) + "]", request.skus(i)));
    skus->emplace_back(request.skus(i));
  }
  if (request.scope_case() == Request::kLocationId) {
    scope->location = LocationId(request.location_id());
    return ValidateId("location_id", request.location_id());
  }
  if (request.scope_case() == Request::kGroupId) {
    scope->group = GroupId(request.group_id());
    return ValidateId("group_id", request.group_id());
  }
  return Status::InvalidArgument("scope", "set location_id or group_id");
}

// The horizon of a future question: unset is the default; it must be > 0 and at most
// kMaxFutureHorizon.
Result<Duration> HorizonFrom(const v1::GetFutureAvailabilityRequest& r) {
  Result<Duration> horizon = DurationFromProto(r.has_horizon() ? &r.horizon() : nullptr, "horizon",
                                               limits::kDefaultFutureHorizon);
  if (!horizon.ok()) return horizon.status();
  if (*horizon <= Duration::zero() || *horizon > limits::kMaxFutureHorizon) {
    return Status::InvalidArgument(
        "horizon", "must be more than 0 and at most " +
                       std::to_string(limits::kMaxFutureHorizon.count() / 24) + " days");
  }
  return horizon;
}

}  // namespace

grpc::ServerUnaryReactor* InventoryService::GetAvailability(
    grpc::CallbackServerContext* context, const v1::GetAvailabilityRequest* request,
    v1::GetAvailabilityResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  std::vector<Sku> skus;
  AvailabilityScope scope;
  Status s = QuestionFrom(*request, &skus, &scope);
  if (!s.ok()) return FinishWith(context, s);
  Result<Channel> channel = ChannelFromProto(request->channel(), "channel", Channel::kOnline);
  if (!channel.ok()) return FinishWith(context, channel.status());

  auto result = backend_.view.Read(
      [&](const CommittedData& data) { return QueryAvailability(data, skus, scope, *channel); });
  if (!result.ok()) return FinishWith(context, result.status());
  for (const auto& a : *result) ToProto(a, response->add_availability());
  response->set_channel(ToProto(*channel));
  return FinishWith(context, Status::Ok());
}

grpc::ServerUnaryReactor* InventoryService::GetFutureAvailability(
    grpc::CallbackServerContext* context, const v1::GetFutureAvailabilityRequest* request,
    v1::GetFutureAvailabilityResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  std::vector<Sku> skus;
  AvailabilityScope scope;
  Status s = QuestionFrom(*request, &skus, &scope);
  if (!s.ok()) return FinishWith(context, s);
  Result<Channel> channel = ChannelFromProto(request->channel(), "channel", Channel::kOnline);
  if (!channel.ok()) return FinishWith(context, channel.status());
  Result<Duration> horizon = HorizonFrom(*request);
  if (!horizon.ok()) return FinishWith(context, horizon.status());
  if (request->quantity() < 0 || request->quantity() > limits::kMaxQuantity) {
    return FinishWith(
        context, Status::InvalidArgument("quantity", "must be 0 (not asked) - " +
                                                         std::to_string(limits::kMaxQuantity)));
  }
  // From the in-memory committed state, like GetAvailability: the supply index per key
  // answers it without scanning inbounds.
  Timestamp now = backend_.clock.Now();
  auto result = backend_.view.Read([&](const CommittedData& data) {
    return QueryFutureAvailability(data, skus, scope, *channel, now, *horizon, request->quantity());
  });
  if (!result.ok()) return FinishWith(context, result.status());
  for (const auto& a : *result) ToProto(a, response->add_availability());
  response->set_channel(ToProto(*channel));
  return FinishWith(context, Status::Ok());
}

grpc::ServerUnaryReactor* InventoryService::ListStock(grpc::CallbackServerContext* context,
                                                      const v1::ListStockRequest* request,
                                                      v1::ListStockResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Status s = RequireLocation(backend_.view, "location_id", request->location_id());
  if (!s.ok()) return FinishWith(context, s);
  Result<PageRequest> page =
      PageRequest::Read("stock", request->page_size(), request->page_token(), {CursorField::kText});
  if (!page.ok()) return FinishWith(context, page.status());
  auto rows = backend_.reader.ListStock(LocationId(request->location_id()),
                                        page->first() ? "" : page->text(0), page->fetch());
  if (!rows.ok()) return FinishWith(context, rows.status());
  using Row = std::pair<StockKey, StockLevel>;
  page->Emit(
      *rows, [&](const Row& r) { ToProto(r.first, r.second, response->add_stock_levels()); },
      [](const Row& r) { return Cursor{r.first.sku.str()}; }, response->mutable_next_page_token());
  return FinishWith(context, Status::Ok());
}

namespace {

void FillStock(const StockReply& r, v1::StockLevel* level, v1::Movement* movement,
               int64_t* shortfall) {
  ToProto(r.key, r.level, level);
  if (r.movement && movement) ToProto(*r.movement, movement);
  *shortfall = r.shortfall;
}

}  // namespace

grpc::ServerUnaryReactor* InventoryService::AdjustStock(grpc::CallbackServerContext* context,
                                                        const v1::AdjustStockRequest* request,
                                                        v1::AdjustStockResponse* response) {
  return Mutate(
      context, backend_, Admit(backend_, context, Action::kAdjustStock, {request->location_id()}),
      "AdjustStock", *request, request->request_id(), ToCommand(*request), response,
      [response](const StockReply& reply) {
        int64_t shortfall = 0;
        FillStock(reply, response->mutable_stock_level(), response->mutable_movement(), &shortfall);
        response->set_shortfall(shortfall);
      });
}

grpc::ServerUnaryReactor* InventoryService::SetStock(grpc::CallbackServerContext* context,
                                                     const v1::SetStockRequest* request,
                                                     v1::SetStockResponse* response) {
  return Mutate(context, backend_,
                Admit(backend_, context, Action::kAdjustStock, {request->location_id()}),
                "SetStock", *request, request->request_id(), ToCommand(*request), response,
                [response](const StockReply& r) {
                  ToProto(r.key, r.level, response->mutable_stock_level());
                  if (r.movement) ToProto(*r.movement, response->mutable_movement());
                  response->set_shortfall(r.shortfall);
                });
}

grpc::ServerUnaryReactor* InventoryService::TransferStock(grpc::CallbackServerContext* context,
                                                          const v1::TransferStockRequest* request,
                                                          v1::TransferStockResponse* response) {
  return Mutate(context, backend_,
                Admit(backend_, context, Action::kTransferStock, {request->from_location_id()}),
                "TransferStock", *request, request->request_id(), ToCommand(*request), response,
                [response](const TransferReply& r) {
                  ToProto(r.from_key, r.from, response->mutable_from());
                  ToProto(r.to_key, r.to, response->mutable_to());
                  ToProto(r.out, response->mutable_out_movement());
                  ToProto(r.in, response->mutable_in_movement());
                });
}

grpc::ServerUnaryReactor* InventoryService::SetSafetyStock(grpc::CallbackServerContext* context,
                                                           const v1::SetSafetyStockRequest* request,
                                                           v1::SetSafetyStockResponse* response) {
  return Mutate(context, backend_, Admit(backend_, context, Action::kPlanStock), "SetSafetyStock",
                *request, request->request_id(), ToCommand(*request), response,
                [response](const StockReply& r) {
                  ToProto(r.key, r.level, response->mutable_stock_level());
                });
}

namespace {

// Checks filters of a watch request; unknown locations are NOT_FOUND.
Status WatchFilterFrom(const v1::WatchAvailabilityRequest& r, const SharedView& view,
                       WatchFilter* filter) {
  if (r.skus_size() > limits::kMaxSkusPerQuery ||
      r.location_ids_size() > limits::kMaxSkusPerQuery) {
    return Status::InvalidArgument(
        "skus", "at most " + std::to_string(limits::kMaxSkusPerQuery) + " SKUs and locations");
  }
  if (r.after_sequence() < 0) return Status::InvalidArgument("after_sequence", "must be >= 0");
  for (int i = 0; i < r.skus_size(); ++i) {
    OMS_RETURN_IF_ERROR(ValidateId("skus[" + std::to_string(i) + "]", r.skus(i)));
    filter->skus.insert(r.skus(i));
  }
  for (int i = 0; i < r.location_ids_size(); ++i) {
    OMS_RETURN_IF_ERROR(
        RequireLocation(view, "location_ids[" + std::to_string(i) + "]", r.location_ids(i)));
    filter->locations.insert(r.location_ids(i));
  }
  return Status::Ok();
}

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* InventoryService::WatchAvailability(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw) {
  WatchFilter filter;
  filter.kind = EventKind::kAvailability;
  v1::WatchAvailabilityRequest request;
  Status s = Admit(backend_, context, Action::kRead).status();
  if (s.ok()) s = ParseWatchRequest(raw, &request);
  if (s.ok()) s = WatchFilterFrom(request, backend_.view, &filter);
  int64_t after = request.from_now() ? backend_.hub.head() : request.after_sequence();
  if (s.ok()) s = backend_.hub.CheckResumable(after);
  return WatchStream::Start(backend_.hub, std::move(filter), after, s, context);
}

grpc::ServerUnaryReactor* InventoryService::ImportStock(grpc::CallbackServerContext* context,
                                                        const v1::ImportStockRequest* request,
                                                        v1::ImportStockResponse* response) {
  return Mutate(context, backend_, Admit(backend_, context, Action::kPlanStock), "ImportStock",
                *request, request->request_id(), ToCommand(*request), response,
                [response](const ImportReply& r) {
                  response->set_rows(r.rows);
                  response->set_changed(r.changed);
                });
}

grpc::ServerUnaryReactor* InventoryService::ListMovements(grpc::CallbackServerContext* context,
                                                          const v1::ListMovementsRequest* request,
                                                          v1::ListMovementsResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  MovementFilter filter;
  Status s;
  if (!request->sku().empty()) s = ValidateId("sku", request->sku());
  // A filter naming a location that does not exist is a typo, not an empty ledger.
  if (s.ok() && !request->location_id().empty()) {
    s = RequireLocation(backend_.view, "location_id", request->location_id());
  }
  if (!s.ok()) return FinishWith(context, s);
  filter.sku = request->sku();
  filter.location_id = request->location_id();
  if (request->has_since()) filter.since = FromProto(request->since());
  Result<PageRequest> page = PageRequest::Read("movements", request->page_size(),
                                               request->page_token(), {CursorField::kNumber});
  if (!page.ok()) return FinishWith(context, page.status());
  if (!page->first()) filter.after_id = page->number(0);
  auto rows = backend_.reader.ListMovements(filter, page->fetch());
  if (!rows.ok()) return FinishWith(context, rows.status());
  page->Emit(
      *rows, [&](const Movement& m) { ToProto(m, response->add_movements()); },
      [](const Movement& m) { return Cursor{std::to_string(m.id)}; },
      response->mutable_next_page_token());
  return FinishWith(context, Status::Ok());
}

}  // namespace oms::services

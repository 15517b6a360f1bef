// OrderService handlers.
#include "services/order_service.h"

#include "domain/validate.h"
#include "services/convert.h"
#include "services/paging.h"
#include "services/requests.h"
#include "services/watch_stream.h"

namespace oms::services {

template <typename C>
grpc::ServerUnaryReactor* OrderService::MutateOrder(
    grpc::CallbackServerContext* context, const Result<Principal>& who, const char* method,
    const google::protobuf::Message& request, const std::string& request_id, Result<C> command,
    google::protobuf::Message* response, v1::Order* order) {
  static_assert(std::is_same_v<ReplyOf<C>, OrderReply>,
                "an order command is answered with its order");
  Clock& clock = backend_.clock;
  return Mutate(
      context, backend_, who, method, request, request_id, std::move(command), response,
      [order, &clock](const OrderReply& reply) { ToProto(reply.order, clock.Now(), order); });
}

grpc::ServerUnaryReactor* OrderService::PlaceOrder(grpc::CallbackServerContext* context,
                                                   const v1::PlaceOrderRequest* request,
                                                   v1::PlaceOrderResponse* response) {
  return MutateOrder(context, Admit(backend_, context, Action::kPlaceOrder), "PlaceOrder", *request,
                     request->request_id(), ToCommand(*request), response,
                     response->mutable_order());
}

grpc::ServerUnaryReactor* OrderService::GetOrder(grpc::CallbackServerContext* context,
                                                 const v1::GetOrderRequest* request,
                                                 v1::GetOrderResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Status s = ValidateId("order_id", request->order_id());
  if (!s.ok()) return FinishWith(context, s);
  auto found = backend_.reader.GetOrder(OrderId(request->order_id()));
  if (!found.ok()) return FinishWith(context, found.status());
  if (!found->has_value()) {
    return FinishWith(context,
                      Status::NotFound("order " + request->order_id() + " does not exist"));
  }
  ToProto(**found, backend_.clock.Now(), response->mutable_order());
  return FinishWith(context, Status::Ok());
}

namespace {

// Builds the reader query from the request (everything but the cursor).
Result<OrderQuery> OrderQueryFrom(const v1::ListOrdersRequest& r) {
  OrderQuery q;
  bool by_customer = !r.customer_id().empty();
  bool by_store = !r.pickup_location_id().empty();
  if (by_customer == by_store) {
    return Status::InvalidArgument("customer_id",
                                   "set exactly one of customer_id or "
                                   "pickup_location_id");
  }
  OMS_RETURN_IF_ERROR(by_customer ? ValidateId("customer_id", r.customer_id())
                                  : ValidateId("pickup_location_id", r.pickup_location_id()));
  q.customer_id = r.customer_id();
  q.pickup_location_id = r.pickup_location_id();
  for (int i = 0; i < r.states_size(); ++i) {
    int s = r.states(i);
    if (s < v1::ORDER_STATE_PLACED || s > v1::ORDER_STATE_EXPIRED) {
      return Status::InvalidArgument("states[" + std::to_string(i) + "]", "is not an OrderState");
    }
    q.state_mask |= 1u << s;
  }
  return q;
}

}  // namespace

grpc::ServerUnaryReactor* OrderService::ListOrders(grpc::CallbackServerContext* context,
                                                   const v1::ListOrdersRequest* request,
                                                   v1::ListOrdersResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Result<OrderQuery> query = OrderQueryFrom(*request);
  if (!query.ok()) return FinishWith(context, query.status());
  // Cursor: "<created_at micros> <id>" of the last order, newest first.
  Result<PageRequest> page =
      PageRequest::Read("orders", request->page_size(), request->page_token(),
                        {CursorField::kNumber, CursorField::kText});
  if (!page.ok()) return FinishWith(context, page.status());
  if (!page->first()) {
    query->before_created = FromMicros(page->number(0));
    query->before_id = page->text(1);
  }
  auto rows = backend_.reader.ListOrders(*query, page->fetch());
  if (!rows.ok()) return FinishWith(context, rows.status());
  Timestamp now = backend_.clock.Now();
  page->Emit(
      *rows, [&](const Order& o) { ToProto(o, now, response->add_orders()); },
      [](const Order& o) {
        return Cursor{std::to_string(ToMicros(o.created_at)), o.id.str()};
      },
      response->mutable_next_page_token());
  return FinishWith(context, Status::Ok());
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* OrderService::WatchOrders(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw) {
  WatchFilter filter;
  filter.kind = EventKind::kOrder;
  v1::WatchOrdersRequest parsed;
  const v1::WatchOrdersRequest* request = &parsed;
  Status s = Admit(backend_, context, Action::kRead).status();
  if (s.ok()) s = ParseWatchRequest(raw, &parsed);
  if (s.ok() && !request->pickup_location_id().empty()) {
    s = RequireLocation(backend_.view, "pickup_location_id", request->pickup_location_id());
    filter.locations.insert(request->pickup_location_id());
  }
  if (s.ok() && !request->customer_id().empty()) {
    s = ValidateId("customer_id", request->customer_id());
    filter.customer = request->customer_id();
  }
  if (s.ok() && request->after_sequence() < 0) {
    s = Status::InvalidArgument("after_sequence", "must be >= 0");
  }
  int64_t after = request->from_now() ? backend_.hub.head() : request->after_sequence();
  if (s.ok()) s = backend_.hub.CheckResumable(after);
  return WatchStream::Start(backend_.hub, std::move(filter), after, s, context);
}

grpc::ServerUnaryReactor* OrderService::StartPicking(grpc::CallbackServerContext* context,
                                                     const v1::StartPickingRequest* request,
                                                     v1::StartPickingResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kFulfilOrder);
  return MutateOrder(context, who, "StartPicking", *request, request->request_id(),
                     ToCommand(*request), response, response->mutable_order());
}

grpc::ServerUnaryReactor* OrderService::MarkReady(grpc::CallbackServerContext* context,
                                                  const v1::MarkReadyRequest* request,
                                                  v1::MarkReadyResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kFulfilOrder);
  return MutateOrder(context, who, "MarkReady", *request, request->request_id(),
                     ToCommand(*request), response, response->mutable_order());
}

grpc::ServerUnaryReactor* OrderService::ConfirmPickup(grpc::CallbackServerContext* context,
                                                      const v1::ConfirmPickupRequest* request,
                                                      v1::ConfirmPickupResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kFulfilOrder);
  return MutateOrder(context, who, "ConfirmPickup", *request, request->request_id(),
                     ToCommand(*request), response, response->mutable_order());
}

grpc::ServerUnaryReactor* OrderService::CancelOrder(grpc::CallbackServerContext* context,
                                                    const v1::CancelOrderRequest* request,
                                                    v1::CancelOrderResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kCancelOrder);
  return MutateOrder(context, who, "CancelOrder", *request, request->request_id(),
                     ToCommand(*request), response, response->mutable_order());
}

}  // namespace oms::services

// OrderService handlers.
#include "services/order_service.h"

#include "domain/validate.h"
#include "services/convert.h"
#include "services/requests.h"
#include "services/watch_stream.h"

namespace oms::services {

grpc::ServerUnaryReactor* OrderService::MutateOrder(
    grpc::CallbackServerContext* context, const Result<Principal>& who, const char* method,
    const google::protobuf::Message& request, const std::string& request_id,
    Result<Command> command, google::protobuf::Message* response, v1::Order* order) {
  Clock& clock = backend_.clock;
  return Mutate(context, backend_, who, method, request, request_id, std::move(command), response,
                [order, &clock](const Reply& reply) {
                  ToProto(std::get<OrderReply>(reply).order, clock.Now(), order);
                });
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
Result<storage::Reader::OrderQuery> OrderQueryFrom(const v1::ListOrdersRequest& r) {
  storage::Reader::OrderQuery q;
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
  Result<storage::Reader::OrderQuery> query = OrderQueryFrom(*request);
  if (!query.ok()) return FinishWith(context, query.status());
  Result<int> size = ValidatePageSize(request->page_size());
  if (!size.ok()) return FinishWith(context, size.status());
  Result<std::string> cursor = DecodePageToken("orders", request->page_token());
  if (!cursor.ok()) return FinishWith(context, cursor.status());
  if (!cursor->empty()) {
    size_t space = cursor->find(' ');
    if (space == std::string::npos) {
      return FinishWith(context, Status::InvalidArgument("page_token", "is malformed"));
    }
    query->before_created = FromMicros(std::strtoll(cursor->substr(0, space).c_str(), nullptr, 10));
    query->before_id = cursor->substr(space + 1);
  }
  auto rows = backend_.reader.ListOrders(*query, *size + 1);
  if (!rows.ok()) return FinishWith(context, rows.status());
  Timestamp now = backend_.clock.Now();
  for (int i = 0; i < static_cast<int>(rows->size()) && i < *size; ++i) {
    ToProto((*rows)[i], now, response->add_orders());
  }
  if (static_cast<int>(rows->size()) > *size) {
    const Order& last = (*rows)[*size - 1];
    response->set_next_page_token(
        EncodePageToken("orders", std::to_string(ToMicros(last.created_at)) + " " + last.id.str()));
  }
  return FinishWith(context, Status::Ok());
}

grpc::ServerWriteReactor<v1::OrderEvent>* OrderService::WatchOrders(
    grpc::CallbackServerContext* context, const v1::WatchOrdersRequest* request) {
  WatchFilter filter;
  filter.kind = EventKind::kOrder;
  Status s = Admit(backend_, context, Action::kRead).status();
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
  return WatchStream<v1::OrderEvent>::Start(backend_.hub, std::move(filter), after, s);
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

// InboundService handlers. Mutations go through the writer; reads come from the ReadStore.
#include "services/inbound_service.h"

#include "domain/validate.h"
#include "services/convert.h"
#include "services/paging.h"
#include "services/requests.h"

namespace oms::services {
namespace {

// Reschedule and cancel answer with the preorders whose holds moved or are now at risk.
template <typename Response>
void FillMovedPegs(const InboundReply& reply, Response* response) {
  ToProto(reply.inbound, response->mutable_inbound());
  for (const auto& id : reply.moved) response->add_moved_reservation_ids(id.str());
  for (const auto& id : reply.at_risk) response->add_at_risk_reservation_ids(id.str());
}

}  // namespace

grpc::ServerUnaryReactor* InboundService::ExpectInbound(grpc::CallbackServerContext* context,
                                                        const v1::ExpectInboundRequest* request,
                                                        v1::ExpectInboundResponse* response) {
  // A new inbound names its location: a store token may announce supply at its own stores.
  Result<Principal> who =
      Admit(backend_, context, Action::kManageInbound, {request->location_id()});
  return Mutate(context, backend_, who, "ExpectInbound", *request, request->request_id(),
                ToCommand(*request), response, [response](const InboundReply& r) {
                  ToProto(r.inbound, response->mutable_inbound());
                  for (const auto& id : r.repromised) {
                    response->add_repromised_reservation_ids(id.str());
                  }
                });
}

grpc::ServerUnaryReactor* InboundService::RescheduleInbound(
    grpc::CallbackServerContext* context, const v1::RescheduleInboundRequest* request,
    v1::RescheduleInboundResponse* response) {
  // The inbound's location is not in the request: the writer checks a store token's scope
  // against it, in the same step as the change.
  Result<Principal> who = Admit(backend_, context, Action::kManageInbound);
  return Mutate(context, backend_, who, "RescheduleInbound", *request, request->request_id(),
                ToCommand(*request), response, [response](const InboundReply& r) {
                  FillMovedPegs(r, response);
                  for (const auto& id : r.repromised) {
                    response->add_repromised_reservation_ids(id.str());
                  }
                });
}

grpc::ServerUnaryReactor* InboundService::CancelInbound(grpc::CallbackServerContext* context,
                                                        const v1::CancelInboundRequest* request,
                                                        v1::CancelInboundResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kManageInbound);
  return Mutate(context, backend_, who, "CancelInbound", *request, request->request_id(),
                ToCommand(*request), response,
                [response](const InboundReply& r) { FillMovedPegs(r, response); });
}

grpc::ServerUnaryReactor* InboundService::ReceiveInbound(grpc::CallbackServerContext* context,
                                                         const v1::ReceiveInboundRequest* request,
                                                         v1::ReceiveInboundResponse* response) {
  // Scope over the inbound's store: checked by the writer.
  Result<Principal> who = Admit(backend_, context, Action::kReceiveInbound);
  return Mutate(context, backend_, who, "ReceiveInbound", *request, request->request_id(),
                ToCommand(*request), response, [response](const InboundReply& r) {
                  ToProto(r.inbound, response->mutable_inbound());
                  for (const auto& m : r.movements) ToProto(m, response->add_movements());
                  for (const auto& id : r.served) response->add_served_reservation_ids(id.str());
                });
}

grpc::ServerUnaryReactor* InboundService::GetInbound(grpc::CallbackServerContext* context,
                                                     const v1::GetInboundRequest* request,
                                                     v1::GetInboundResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Status s = ValidateId("inbound_id", request->inbound_id());
  if (!s.ok()) return FinishWith(context, s);
  auto found = backend_.reader.GetInbound(InboundId(request->inbound_id()));
  if (!found.ok()) return FinishWith(context, found.status());
  if (!found->has_value()) {
    return FinishWith(context,
                      Status::NotFound("inbound " + request->inbound_id() + " does not exist"));
  }
  ToProto(**found, response->mutable_inbound());
  return FinishWith(context, Status::Ok());
}

grpc::ServerUnaryReactor* InboundService::ListInbound(grpc::CallbackServerContext* context,
                                                      const v1::ListInboundRequest* request,
                                                      v1::ListInboundResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Status s;
  // A filter naming a location that does not exist is a typo, not an empty list.
  if (!request->location_id().empty()) {
    s = RequireLocation(backend_.view, "location_id", request->location_id());
  }
  if (s.ok() && !request->sku().empty()) s = ValidateId("sku", request->sku());
  if (!s.ok()) return FinishWith(context, s);
  InboundQuery query{request->location_id(), request->sku(), ""};
  // Cursor: the last inbound_id.
  Result<PageRequest> page = PageRequest::Read("inbound", request->page_size(),
                                               request->page_token(), {CursorField::kText});
  if (!page.ok()) return FinishWith(context, page.status());
  if (!page->first()) query.after_id = page->text(0);
  auto rows = backend_.reader.ListInbound(query, page->fetch());
  if (!rows.ok()) return FinishWith(context, rows.status());
  page->Emit(
      *rows, [&](const Inbound& in) { ToProto(in, response->add_inbounds()); },
      [](const Inbound& in) { return Cursor{in.id.str()}; }, response->mutable_next_page_token());
  return FinishWith(context, Status::Ok());
}

}  // namespace oms::services

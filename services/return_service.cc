// ReturnService handlers.
#include "services/return_service.h"

#include "domain/validate.h"
#include "services/convert.h"
#include "services/paging.h"
#include "services/requests.h"

namespace oms::services {
namespace {

// Fills a Create/ResolveReturnResponse from the writer's reply.
template <typename Response>
void FillReturn(const ReturnReply& reply, Response* response) {
  ToProto(reply.ret, response->mutable_return_());
  for (const auto& m : reply.movements) ToProto(m, response->add_movements());
}

// Builds the reader query from the request (everything but the cursor).
Result<ReturnQuery> ReturnQueryFrom(const v1::ListReturnsRequest& r) {
  ReturnQuery q;
  if (!r.customer_id().empty() && !r.location_id().empty()) {
    return Status::InvalidArgument("customer_id", "set at most one of customer_id or location_id");
  }
  if (!r.customer_id().empty()) OMS_RETURN_IF_ERROR(ValidateId("customer_id", r.customer_id()));
  if (!r.location_id().empty()) OMS_RETURN_IF_ERROR(ValidateId("location_id", r.location_id()));
  q.customer_id = r.customer_id();
  q.location_id = r.location_id();
  return q;
}

}  // namespace

grpc::ServerUnaryReactor* ReturnService::CreateReturn(grpc::CallbackServerContext* context,
                                                      const v1::CreateReturnRequest* request,
                                                      v1::CreateReturnResponse* response) {
  // A store token takes returns at its own stores only: the location the request names.
  Result<Principal> who = Admit(backend_, context, Action::kCreateReturn, {request->location_id()});
  return Mutate(context, backend_, who, "CreateReturn", *request, request->request_id(),
                ToCommand(*request), response,
                [response](const ReturnReply& r) { FillReturn(r, response); });
}

grpc::ServerUnaryReactor* ReturnService::ResolveReturn(grpc::CallbackServerContext* context,
                                                       const v1::ResolveReturnRequest* request,
                                                       v1::ResolveReturnResponse* response) {
  // The return's location is not in the request: the writer checks a store token's scope
  // against it, in the same step as the resolution.
  Result<Principal> who = Admit(backend_, context, Action::kResolveReturn);
  return Mutate(context, backend_, who, "ResolveReturn", *request, request->request_id(),
                ToCommand(*request), response,
                [response](const ReturnReply& r) { FillReturn(r, response); });
}

grpc::ServerUnaryReactor* ReturnService::GetReturn(grpc::CallbackServerContext* context,
                                                   const v1::GetReturnRequest* request,
                                                   v1::GetReturnResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Status s = ValidateId("return_id", request->return_id());
  if (!s.ok()) return FinishWith(context, s);
  auto found = backend_.reader.GetReturn(ReturnId(request->return_id()));
  if (!found.ok()) return FinishWith(context, found.status());
  if (!found->has_value()) {
    return FinishWith(context,
                      Status::NotFound("return " + request->return_id() + " does not exist"));
  }
  ToProto(**found, response->mutable_return_());
  return FinishWith(context, Status::Ok());
}

grpc::ServerUnaryReactor* ReturnService::ListReturns(grpc::CallbackServerContext* context,
                                                     const v1::ListReturnsRequest* request,
                                                     v1::ListReturnsResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Result<ReturnQuery> query = ReturnQueryFrom(*request);
  if (!query.ok()) return FinishWith(context, query.status());
  // Cursor: "<created_at micros> <id>" of the last return, newest first.
  Result<PageRequest> page =
      PageRequest::Read("returns", request->page_size(), request->page_token(),
                        {CursorField::kNumber, CursorField::kText});
  if (!page.ok()) return FinishWith(context, page.status());
  if (!page->first()) {
    query->before_created = FromMicros(page->number(0));
    query->before_id = page->text(1);
  }
  auto rows = backend_.reader.ListReturns(*query, page->fetch());
  if (!rows.ok()) return FinishWith(context, rows.status());
  page->Emit(
      *rows, [&](const Return& r) { ToProto(r, response->add_returns()); },
      [](const Return& r) {
        return Cursor{std::to_string(ToMicros(r.created_at)), r.id.str()};
      },
      response->mutable_next_page_token());
  return FinishWith(context, Status::Ok());
}

}  // namespace oms::services

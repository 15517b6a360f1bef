// LocationService handlers: translate, then submit to the writer or read.
#include "services/location_service.h"

#include "domain/validate.h"
#include "services/convert.h"
#include "services/paging.h"
#include "services/requests.h"

namespace oms::services {

grpc::ServerUnaryReactor* LocationService::UpsertLocation(grpc::CallbackServerContext* context,
                                                          const v1::UpsertLocationRequest* request,
                                                          v1::UpsertLocationResponse* response) {
  return Mutate(context, backend_, Admit(backend_, context, Action::kManageLocations),
                "UpsertLocation", *request, request->request_id(), ToCommand(*request), response,
                [response](const LocationReply& r) {
                  ToProto(r.location, response->mutable_location());
                  response->set_created(r.created);
                });
}

grpc::ServerUnaryReactor* LocationService::GetLocation(grpc::CallbackServerContext* context,
                                                       const v1::GetLocationRequest* request,
                                                       v1::GetLocationResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Status s = ValidateId("location_id", request->location_id());
  if (!s.ok()) return FinishWith(context, s);
  auto found = backend_.reader.GetLocation(LocationId(request->location_id()));
  if (!found.ok()) return FinishWith(context, found.status());
  if (!found->has_value()) {
    return FinishWith(context,
                      Status::NotFound("location " + request->location_id() + " does not exist"));
  }
  ToProto(**found, response->mutable_location());
  return FinishWith(context, Status::Ok());
}

grpc::ServerUnaryReactor* LocationService::ListLocations(grpc::CallbackServerContext* context,
                                                         const v1::ListLocationsRequest* request,
                                                         v1::ListLocationsResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Result<PageRequest> page = PageRequest::Read("locations", request->page_size(),
                                               request->page_token(), {CursorField::kText});
  if (!page.ok()) return FinishWith(context, page.status());
  auto rows = backend_.reader.ListLocations(page->first() ? "" : page->text(0), page->fetch());
  if (!rows.ok()) return FinishWith(context, rows.status());
  page->Emit(
      *rows, [&](const Location& l) { ToProto(l, response->add_locations()); },
      [](const Location& l) { return Cursor{l.id.str()}; }, response->mutable_next_page_token());
  return FinishWith(context, Status::Ok());
}

grpc::ServerUnaryReactor* LocationService::UpsertLocationGroup(
    grpc::CallbackServerContext* context, const v1::UpsertLocationGroupRequest* request,
    v1::UpsertLocationGroupResponse* response) {
  return Mutate(context, backend_, Admit(backend_, context, Action::kManageLocations),
                "UpsertLocationGroup", *request, request->request_id(), ToCommand(*request),
                response, [response](const GroupReply& r) {
                  ToProto(r.group, response->mutable_group());
                  response->set_created(r.created);
                });
}

grpc::ServerUnaryReactor* LocationService::ListLocationGroups(
    grpc::CallbackServerContext* context, const v1::ListLocationGroupsRequest* request,
    v1::ListLocationGroupsResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Result<PageRequest> page = PageRequest::Read("groups", request->page_size(),
                                               request->page_token(), {CursorField::kText});
  if (!page.ok()) return FinishWith(context, page.status());
  auto rows = backend_.reader.ListGroups(page->first() ? "" : page->text(0), page->fetch());
  if (!rows.ok()) return FinishWith(context, rows.status());
  page->Emit(
      *rows, [&](const LocationGroup& g) { ToProto(g, response->add_groups()); },
      [](const LocationGroup& g) { return Cursor{g.id.str()}; },
      response->mutable_next_page_token());
  return FinishWith(context, Status::Ok());
}

}  // namespace oms::services

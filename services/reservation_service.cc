// ReservationService handlers.
#include "services/reservation_service.h"

#include "domain/limits.h"
#include "domain/validate.h"
#include "services/convert.h"
#include "services/paging.h"
#include "services/requests.h"

namespace oms::services {

grpc::ServerUnaryReactor* ReservationService::CreateReservation(
    grpc::CallbackServerContext* context, const v1::CreateReservationRequest* request,
    v1::CreateReservationResponse* response) {
  std::vector<std::string> stores;
  for (const auto& line : request->lines()) stores.push_back(line.location_id());
  Result<Principal> who = Admit(backend_, context, Action::kReserve, stores);
  if (who.ok() && who->role == Role::kStore && request->channel() != v1::CHANNEL_POS) {
    who = Status(Code::kPermissionDenied, "store tokens reserve for the CHANNEL_POS only");
  }
  Clock& clock = backend_.clock;
  return Mutate(context, backend_, who, "CreateReservation", *request, request->request_id(),
                ToCommand(*request), response, [response, &clock](const ReservationReply& r) {
                  ToProto(r.reservation, clock.Now(), response->mutable_reservation());
                  for (const auto& u : r.unfilled) {
                    auto* out = response->add_unfilled();
                    out->set_sku(u.sku.str());
                    out->set_location_id(u.location.str());
                    out->set_requested(u.requested);
                    out->set_reserved(u.reserved);
                  }
                });
}

grpc::ServerUnaryReactor* ReservationService::GetReservation(
    grpc::CallbackServerContext* context, const v1::GetReservationRequest* request,
    v1::GetReservationResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  Status s = ValidateId("reservation_id", request->reservation_id());
  if (!s.ok()) return FinishWith(context, s);
  auto found = backend_.reader.GetReservation(ReservationId(request->reservation_id()));
  if (!found.ok()) return FinishWith(context, found.status());
  if (!found->has_value()) {
    return FinishWith(
        context, Status::NotFound("reservation " + request->reservation_id() + " does not exist"));
  }
  ToProto(**found, backend_.clock.Now(), response->mutable_reservation());
  return FinishWith(context, Status::Ok());
}

grpc::ServerUnaryReactor* ReservationService::ListReservations(
    grpc::CallbackServerContext* context, const v1::ListReservationsRequest* request,
    v1::ListReservationsResponse* response) {
  if (auto who = Admit(backend_, context, Action::kRead); !who.ok()) {
    return FinishWith(context, who.status());
  }
  int state_value = request->state() == v1::RESERVATION_STATE_UNSPECIFIED
                        ? v1::RESERVATION_STATE_ACTIVE
                        : request->state();
  if (state_value < v1::RESERVATION_STATE_ACTIVE || state_value > v1::RESERVATION_STATE_EXPIRED) {
    return FinishWith(context, Status::InvalidArgument("state", "is not a ReservationState"));
  }
  auto state = static_cast<ReservationState>(state_value);
  // Cursor: "<expires_at micros> <id>" for ACTIVE, "<id>" otherwise.
  bool active = state == ReservationState::kActive;
  // The at_risk filter is part of the list kind: a token of the unfiltered list is not one of
  // the filtered list.
  std::string kind = "reservations" + std::to_string(state_value) + (request->at_risk() ? "r" : "");
  Result<PageRequest> page =
      active ? PageRequest::Read(kind, request->page_size(), request->page_token(),
                                 {CursorField::kNumber, CursorField::kText})
             : PageRequest::Read(kind, request->page_size(), request->page_token(),
                                 {CursorField::kText});
  if (!page.ok()) return FinishWith(context, page.status());
  Timestamp after_expiry = FromMicros(INT64_MIN);
  std::string after_id;
  if (!page->first()) {
    if (active) after_expiry = FromMicros(page->number(0));
    after_id = page->text(active ? 1 : 0);
  }
  auto rows = backend_.reader.ListReservations(state, after_expiry, after_id, page->fetch(),
                                               request->at_risk());
  if (!rows.ok()) return FinishWith(context, rows.status());
  Timestamp now = backend_.clock.Now();
  page->Emit(
      *rows, [&](const Reservation& r) { ToProto(r, now, response->add_reservations()); },
      [active](const Reservation& r) {
        return active ? Cursor{std::to_string(ToMicros(r.expires_at)), r.id.str()}
                      : Cursor{r.id.str()};
      },
      response->mutable_next_page_token());
  return FinishWith(context, Status::Ok());
}

grpc::ServerUnaryReactor* ReservationService::ExtendReservation(
    grpc::CallbackServerContext* context, const v1::ExtendReservationRequest* request,
    v1::ExtendReservationResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kManageReservation);
  Clock& clock = backend_.clock;
  return Mutate(context, backend_, who, "ExtendReservation", *request, request->request_id(),
                ToCommand(*request), response, [response, &clock](const ReservationReply& r) {
                  ToProto(r.reservation, clock.Now(), response->mutable_reservation());
                });
}

grpc::ServerUnaryReactor* ReservationService::ReleaseReservation(
    grpc::CallbackServerContext* context, const v1::ReleaseReservationRequest* request,
    v1::ReleaseReservationResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kManageReservation);
  Clock& clock = backend_.clock;
  return Mutate(context, backend_, who, "ReleaseReservation", *request, request->request_id(),
                ToCommand(*request), response, [response, &clock](const ReservationReply& r) {
                  ToProto(r.reservation, clock.Now(), response->mutable_reservation());
                });
}

grpc::ServerUnaryReactor* ReservationService::CommitReservation(
    grpc::CallbackServerContext* context, const v1::CommitReservationRequest* request,
    v1::CommitReservationResponse* response) {
  Result<Principal> who = Admit(backend_, context, Action::kManageReservation);
  Clock& clock = backend_.clock;
  return Mutate(context, backend_, who, "CommitReservation", *request, request->request_id(),
                ToCommand(*request), response, [response, &clock](const ReservationReply& r) {
                  ToProto(r.reservation, clock.Now(), response->mutable_reservation());
                  for (const auto& m : r.movements) ToProto(m, response->add_movements());
                });
}

}  // namespace oms::services

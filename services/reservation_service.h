// ReservationService (oms.v1): create, read, extend, release and commit reservations.
#pragma once

#include "oms/v1/reservation_service.grpc.pb.h"
#include "services/backend.h"

namespace oms::services {

class ReservationService final : public v1::ReservationService::CallbackService {
 public:
  explicit ReservationService(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* CreateReservation(grpc::CallbackServerContext* context,
                                              const v1::CreateReservationRequest* request,
                                              v1::CreateReservationResponse* response) override;
  grpc::ServerUnaryReactor* GetReservation(grpc::CallbackServerContext* context,
                                           const v1::GetReservationRequest* request,
                                           v1::GetReservationResponse* response) override;
  grpc::ServerUnaryReactor* ListReservations(grpc::CallbackServerContext* context,
                                             const v1::ListReservationsRequest* request,
                                             v1::ListReservationsResponse* response) override;
  grpc::ServerUnaryReactor* ExtendReservation(grpc::CallbackServerContext* context,
                                              const v1::ExtendReservationRequest* request,
                                              v1::ExtendReservationResponse* response) override;
  grpc::ServerUnaryReactor* ReleaseReservation(grpc::CallbackServerContext* context,
                                               const v1::ReleaseReservationRequest* request,
                                               v1::ReleaseReservationResponse* response) override;
  grpc::ServerUnaryReactor* CommitReservation(grpc::CallbackServerContext* context,
                                              const v1::CommitReservationRequest* request,
                                              v1::CommitReservationResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace oms::services

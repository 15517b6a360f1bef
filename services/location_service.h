// LocationService (oms.v1): stores, warehouses and location groups.
#pragma once

#include "oms/v1/location_service.grpc.pb.h"
#include "services/backend.h"

namespace oms::services {

class LocationService final : public v1::LocationService::CallbackService {
 public:
  explicit LocationService(Backend& backend) : backend_(backend) {}

  grpc::ServerUnaryReactor* UpsertLocation(grpc::CallbackServerContext* context,
                                           const v1::UpsertLocationRequest* request,
                                           v1::UpsertLocationResponse* response) override;
  grpc::ServerUnaryReactor* GetLocation(grpc::CallbackServerContext* context,
                                        const v1::GetLocationRequest* request,
                                        v1::GetLocationResponse* response) override;
  grpc::ServerUnaryReactor* ListLocations(grpc::CallbackServerContext* context,
                                          const v1::ListLocationsRequest* request,
                                          v1::ListLocationsResponse* response) override;
  grpc::ServerUnaryReactor* UpsertLocationGroup(grpc::CallbackServerContext* context,
                                                const v1::UpsertLocationGroupRequest* request,
                                                v1::UpsertLocationGroupResponse* response) override;
  grpc::ServerUnaryReactor* ListLocationGroups(grpc::CallbackServerContext* context,
                                               const v1::ListLocationGroupsRequest* request,
                                               v1::ListLocationGroupsResponse* response) override;

 private:
  Backend& backend_;
};

}  // namespace oms::services

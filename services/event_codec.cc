// Event payloads.
#include "services/event_codec.h"

#include "oms/v1/inventory_service.pb.h"
#include "services/convert.h"

namespace oms::services {

std::string EncodeEvent(const Event& event) {
  switch (event.kind) {
    case EventKind::kAvailability: {
      v1::AvailabilityChanged m;
      const auto& a = event.availability;
      m.set_sequence(event.sequence);
      m.set_sku(a.key.sku.str());
      m.set_location_id(a.key.location.str());
      m.set_on_hand(a.level.on_hand);
      m.set_reserved(a.level.reserved);
      m.set_safety_stock(a.level.safety_stock);
      m.set_atp(Atp(a.level, Channel::kOnline));
      m.set_quarantined(a.level.quarantined);
      m.set_future_supply_changed(a.future);
      *m.mutable_time() = ToProto(event.time);
      return m.SerializeAsString();
    }
    case EventKind::kReservation: {
      v1::ReservationChanged m;
      m.set_sequence(event.sequence);
      ToProto(event.reservation, event.time, m.mutable_reservation());
      m.set_previous_state(ToProto(event.previous_state));
      *m.mutable_time() = ToProto(event.time);
      return m.SerializeAsString();
    }
    case EventKind::kOrder: {
      v1::OrderEvent m;
      m.set_sequence(event.sequence);
      ToProto(event.order, event.time, m.mutable_order());
      m.set_previous_state(ToProto(event.previous_order_state));
      m.set_return_id(event.return_id.str());
      *m.mutable_time() = ToProto(event.time);
      return m.SerializeAsString();
    }
    default:
      return std::string();
  }
}

}  // namespace oms::services

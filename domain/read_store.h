// ReadStore: the read side of durable storage, as the services query it — committed rows only,
// never waiting for the writer. The write side is Store (ports.h); an engine implements both
// (storage/reader.h for SQLite), so services/ never name an engine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/inbound.h"
#include "domain/location.h"
#include "domain/order.h"
#include "domain/reservation.h"
#include "domain/return.h"
#include "domain/status.h"
#include "domain/stock.h"

namespace oms {

// One row of the event log, as Watch streams replay it.
struct StoredEvent {
  int64_t sequence = 0;
  int kind = 0;  // EventKind
  std::string sku;
  std::string location_id;
  std::string subject;
  std::string customer_id;
  std::string payload;  // the API message, encoded when the event was written
};

struct MovementFilter {
  std::string sku;          // empty: any
  std::string location_id;  // empty: any
  Timestamp since;          // epoch: any
  int64_t after_id = 0;     // page cursor
};

// Orders by customer or by store, newest first, strictly before the cursor
// (created_at, order_id).
struct OrderQuery {
  std::string customer_id;
  std::string pickup_location_id;
  uint32_t state_mask = 0;  // bit (1 << state); 0: any
  Timestamp before_created = FromMicros(INT64_MAX);
  std::string before_id;
};

// Returns by customer or by receiving location (or all, if neither), newest first, strictly
// before the cursor (created_at, return_id).
struct ReturnQuery {
  std::string customer_id;
  std::string location_id;
  Timestamp before_created = FromMicros(INT64_MAX);
  std::string before_id;
};

// Inbounds by id, ascending, strictly after `after_id`; at one location and/or with a line of
// one SKU when set.
struct InboundQuery {
  std::string location_id;
  std::string sku;
  std::string after_id;
};

class ReadStore {
 public:
  virtual ~ReadStore() = default;

  virtual Result<std::optional<Location>> GetLocation(const LocationId& id) = 0;
  // Ordered by id, strictly after `after`, at most `limit`.
  virtual Result<std::vector<Location>> ListLocations(const std::string& after, int limit) = 0;
  virtual Result<std::vector<LocationGroup>> ListGroups(const std::string& after, int limit) = 0;
  // One location's stock levels by SKU, strictly after `after_sku`.
  virtual Result<std::vector<std::pair<StockKey, StockLevel>>> ListStock(
      const LocationId& location, const std::string& after_sku, int limit) = 0;
  // By id, ascending, after filter.after_id.
  virtual Result<std::vector<Movement>> ListMovements(const MovementFilter& filter, int limit) = 0;
  virtual Result<std::optional<Reservation>> GetReservation(const ReservationId& id) = 0;
  // ACTIVE: ordered by (expires_at, id) after the cursor; other states: by id after it.
  // `at_risk_only`: only reservations with a line at risk.
  virtual Result<std::vector<Reservation>> ListReservations(ReservationState state,
                                                            Timestamp after_expiry,
                                                            const std::string& after_id, int limit,
                                                            bool at_risk_only = false) = 0;
  virtual Result<std::optional<Order>> GetOrder(const OrderId& id) = 0;
  // Orders come with each line's `returned` units.
  virtual Result<std::vector<Order>> ListOrders(const OrderQuery& query, int limit) = 0;
  virtual Result<std::optional<Return>> GetReturn(const ReturnId& id) = 0;
  virtual Result<std::vector<Return>> ListReturns(const ReturnQuery& query, int limit) = 0;
  virtual Result<std::optional<Inbound>> GetInbound(const InboundId& id) = 0;
  virtual Result<std::vector<Inbound>> ListInbound(const InboundQuery& query, int limit) = 0;
  // Events with sequence > after of the given kind, ascending, at most `limit` (rows of other
  // kinds are skipped but count toward `scanned_to`, so a caller can advance past them).
  // `first_scanned` is the first sequence present after `after` (0 if none): a value above
  // after + 1 means the log was pruned past `after`.
  virtual Result<std::vector<StoredEvent>> ReadEvents(int64_t after, int kind, int limit,
                                                      int64_t* scanned_to,
                                                      int64_t* first_scanned) = 0;
  // The oldest retained sequence (0 if the log is empty).
  virtual Result<int64_t> OldestEvent() = 0;
};

}  // namespace oms

// Writes the seed corpus of request_fuzz: one well-formed request of each kind the target
// decodes (first byte: the kind). Run once; the files are kept in tests/fuzz/corpus/requests.
#include <fstream>
#include <string>

#include "oms/v1/inbound_service.pb.h"
#include "oms/v1/inventory_service.pb.h"
#include "oms/v1/location_service.pb.h"
#include "oms/v1/order_service.pb.h"
#include "oms/v1/reservation_service.pb.h"
#include "oms/v1/return_service.pb.h"

namespace v1 = oms::v1;

// `name` tells apart several seeds of one kind.
void Write(const std::string& dir, int kind, const google::protobuf::Message& m,
           const std::string& name = "") {
  std::ofstream out(dir + "/seed-" + std::to_string(kind) + name, std::ios::binary);
  out.put(static_cast<char>(kind));
  out << m.SerializeAsString();
}

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : ".";
  v1::UpsertLocationRequest loc;
  loc.set_request_id("r");
  loc.mutable_location()->set_location_id("s3");
  loc.mutable_location()->set_kind(v1::LOCATION_KIND_STORE);
  loc.mutable_location()->set_active(true);
  Write(dir, 0, loc);
  v1::UpsertLocationGroupRequest group;
  group.set_request_id("r");
  group.set_group_id("g");
  group.add_location_ids("s1");
  Write(dir, 1, group);
  v1::AdjustStockRequest adj;
  adj.set_request_id("r");
  adj.set_sku("a");
  adj.set_location_id("s1");
  adj.set_delta(-2);
  adj.set_reason(v1::MOVEMENT_REASON_DAMAGED);
  Write(dir, 2, adj);
  v1::SetStockRequest set;
  set.set_request_id("r");
  set.set_sku("a");
  set.set_location_id("s1");
  set.set_on_hand(3);
  Write(dir, 3, set);
  v1::TransferStockRequest tr;
  tr.set_request_id("r");
  tr.set_sku("a");
  tr.set_from_location_id("s1");
  tr.set_to_location_id("s2");
  tr.set_quantity(1);
  Write(dir, 4, tr);
  v1::SetSafetyStockRequest safety;
  safety.set_request_id("r");
  safety.set_sku("a");
  safety.set_location_id("s1");
  safety.set_safety_stock(1);
  Write(dir, 5, safety);
  v1::ImportStockRequest import;
  import.set_request_id("r");
  auto* row = import.add_rows();
  row->set_sku("c");
  row->set_location_id("s2");
  row->set_on_hand(4);
  Write(dir, 6, import);
  v1::CreateReservationRequest res;
  res.set_request_id("r");
  res.set_channel(v1::CHANNEL_ONLINE);
  auto* line = res.add_lines();
  line->set_sku("a");
  line->set_quantity(2);
  Write(dir, 7, res);
  v1::ExtendReservationRequest ext;
  ext.set_request_id("r");
  ext.set_reservation_id("res_1");
  ext.mutable_ttl()->set_seconds(60);
  Write(dir, 8, ext);
  v1::ReleaseReservationRequest rel;
  rel.set_request_id("r");
  rel.set_reservation_id("res_1");
  Write(dir, 9, rel);
  v1::CommitReservationRequest commit;
  commit.set_request_id("r");
  commit.set_reservation_id("res_2");
  Write(dir, 10, commit);
  v1::PlaceOrderRequest place;
  place.set_request_id("r");
  place.set_customer_id("c");
  place.set_pickup_location_id("s1");
  auto* ol = place.add_lines();
  ol->set_sku("b");
  ol->set_quantity(1);
  Write(dir, 11, place);
  v1::StartPickingRequest pick;
  pick.set_request_id("r");
  pick.set_order_id("ord_3");
  Write(dir, 12, pick);
  v1::MarkReadyRequest ready;
  ready.set_request_id("r");
  ready.set_order_id("ord_3");
  Write(dir, 13, ready);
  v1::ConfirmPickupRequest pickup;
  pickup.set_request_id("r");
  pickup.set_order_id("ord_3");
  pickup.set_pickup_code("CODE01");
  Write(dir, 14, pickup);
  v1::CancelOrderRequest cancel;
  cancel.set_request_id("r");
  cancel.set_order_id("ord_3");
  Write(dir, 15, cancel);
  v1::CreateReturnRequest ret;
  ret.set_request_id("r");
  ret.set_reservation_id("res_2");
  ret.set_location_id("s2");
  auto* rl = ret.add_lines();
  rl->set_sku("a");
  rl->set_quantity(1);
  rl->set_disposition(v1::DISPOSITION_INSPECT);
  Write(dir, 16, ret);
  v1::ResolveReturnRequest resolve;
  resolve.set_request_id("r");
  resolve.set_return_id("ret_4");
  auto* vl = resolve.add_lines();
  vl->set_sku("a");
  vl->set_quantity(1);
  vl->set_disposition(v1::DISPOSITION_RESTOCK);
  Write(dir, 17, resolve);
  // A preorder: a line held against po-1 (the fuzz world's inbound) by promise_by.
  v1::CreateReservationRequest pre = res;
  pre.mutable_lines(0)->set_location_id("s1");
  pre.mutable_lines(0)->set_quantity(60);
  pre.mutable_promise_by()->set_seconds(1'700'000'000 + 72 * 3600);
  pre.mutable_ttl()->set_seconds(30 * 24 * 3600);
  Write(dir, 7, pre, "-preorder");
  v1::ExpectInboundRequest expect;
  expect.set_request_id("r");
  expect.set_inbound_id("po-2");
  expect.set_location_id("s2");
  expect.mutable_expected_at()->set_seconds(1'700'000'000 + 24 * 3600);
  auto* el = expect.add_lines();
  el->set_sku("a");
  el->set_quantity(5);
  Write(dir, 18, expect);
  v1::RescheduleInboundRequest reschedule;
  reschedule.set_request_id("r");
  reschedule.set_inbound_id("po-1");
  reschedule.mutable_expected_at()->set_seconds(1'700'000'000 + 96 * 3600);
  Write(dir, 19, reschedule);
  v1::CancelInboundRequest cancel_inbound;
  cancel_inbound.set_request_id("r");
  cancel_inbound.set_inbound_id("po-1");
  cancel_inbound.set_reason("vendor");
  Write(dir, 20, cancel_inbound);
  v1::ReceiveInboundRequest receive;
  receive.set_request_id("r");
  receive.set_inbound_id("po-1");
  auto* rcv = receive.add_lines();
  rcv->set_sku("a");
  rcv->set_quantity(12);
  Write(dir, 21, receive);
  return 0;
}

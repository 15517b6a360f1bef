// omsctl orders: pickup orders for stores without a POS integration — the queue, and each
// store-side step (pick, ready, pickup, cancel).
#include <fmt/format.h>

#include "oms/v1/order_service.grpc.pb.h"
#include "tools/omsctl/commands.h"
#include "tools/omsctl/table.h"

namespace omsctl {
namespace v1 = oms::v1;
namespace {

std::string StateName(int state) {
  std::string name = v1::OrderState_Name(static_cast<v1::OrderState>(state));
  return name.substr(std::string("ORDER_STATE_").size());
}

void PrintOrders(const std::vector<v1::Order>& all) {
  Table t({"ORDER", "STATE", "CUSTOMER", "STORE", "LINES", "CREATED", "PICKUP_BY"});
  for (const auto& o : all) {
    std::vector<std::string> lines;
    for (const auto& l : o.lines()) {
      lines.push_back(l.returned() > 0
                          ? fmt::format("{}x{} ({} returned)", l.quantity(), l.sku(), l.returned())
                          : fmt::format("{}x{}", l.quantity(), l.sku()));
    }
    t.Row({o.order_id(), StateName(o.state()), o.customer_id(), o.pickup_location_id(),
           fmt::format("{}", fmt::join(lines, " ")), FormatTime(o.create_time()),
           FormatTime(o.pickup_deadline())});
  }
  t.Print();
}

void PrintOrder(const v1::Order& o) {
  PrintOrders({o});
  fmt::print("pickup code: {}   reservation: {}\n", o.pickup_code(), o.reservation_id());
  Table h({"WHEN", "STATE", "ACTOR", "REASON"});
  for (const auto& t : o.history()) {
    h.Row({FormatTime(t.time()), StateName(t.state()), t.actor(), t.reason()});
  }
  h.Print();
}

template <typename Response>
int Show(Client& c, const grpc::Status& s, const Response& resp) {
  if (!s.ok()) return c.Fail(s);
  if (c.options().json) return PrintJson(resp), 0;
  PrintOrder(resp.order());
  return 0;
}

struct Args {
  std::string id, customer, store, reason, code;
  std::vector<std::string> lines, states, picked;
  bool staff_override = false;
};

void AddListShowPlace(CLI::App* orders, Cli& cli, std::shared_ptr<Args> a) {
  CLI::App* list = orders->add_subcommand("list", "a customer's orders or a store's queue");
  auto* customer = list->add_option("--customer", a->customer);
  auto* store = list->add_option("--store", a->store, "pickup store");
  customer->excludes(store);
  list->add_option("--state", a->states, "placed, picking, ready, picked_up, cancelled, expired");
  list->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ListOrdersRequest req;
      req.set_customer_id(a->customer);
      req.set_pickup_location_id(a->store);
      for (const auto& s : a->states) {
        v1::OrderState state;
        std::string name = s == "ready" ? "ORDER_STATE_READY_FOR_PICKUP" : "ORDER_STATE_" + s;
        for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (!v1::OrderState_Parse(name, &state)) {
          fmt::print(stderr, "omsctl: unknown state '{}'\n", s);
          return 2;
        }
        req.add_states(state);
      }
      req.set_page_size(1000);
      auto stub = v1::OrderService::NewStub(c.channel());
      std::vector<v1::Order> all;
      do {
        v1::ListOrdersResponse resp;
        grpc::Status s = stub->ListOrders(c.Context().get(), req, &resp);
        if (!s.ok()) return c.Fail(s);
        for (const auto& o : resp.orders()) {
          if (c.options().json) PrintJson(o);
          all.push_back(o);
        }
        req.set_page_token(resp.next_page_token());
      } while (!req.page_token().empty());
      if (!c.options().json) PrintOrders(all);
      return 0;
    };
  });
  CLI::App* show = orders->add_subcommand("show", "one order with its history");
  show->add_option("ID", a->id)->required();
  show->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::GetOrderRequest req;
      req.set_order_id(a->id);
      v1::GetOrderResponse resp;
      return Show(
          c, v1::OrderService::NewStub(c.channel())->GetOrder(c.Context().get(), req, &resp), resp);
    };
  });
  CLI::App* place = orders->add_subcommand("place", "place a pickup order (to try things out)");
  place->add_option("CUSTOMER", a->customer)->required();
  place->add_option("STORE", a->store)->required();
  place->add_option("LINES", a->lines, "SKU:QTY ...")->required();
  place->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::PlaceOrderRequest req;
      req.set_request_id(c.RequestId());
      req.set_customer_id(a->customer);
      req.set_pickup_location_id(a->store);
      for (const auto& text : a->lines) {
        size_t colon = text.find(':');
        auto* l = req.add_lines();
        l->set_sku(text.substr(0, colon));
        l->set_quantity(colon == std::string::npos ? 1 : std::atoll(text.c_str() + colon + 1));
      }
      v1::PlaceOrderResponse resp;
      return Show(c,
                  v1::OrderService::NewStub(c.channel())->PlaceOrder(c.Context().get(), req, &resp),
                  resp);
    };
  });
}

void AddStoreSteps(CLI::App* orders, Cli& cli, std::shared_ptr<Args> a) {
  CLI::App* pick = orders->add_subcommand("pick", "start picking (PLACED -> PICKING)");
  pick->add_option("ID", a->id)->required();
  pick->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::StartPickingRequest req;
      req.set_request_id(c.RequestId());
      req.set_order_id(a->id);
      v1::StartPickingResponse resp;
      return Show(
          c, v1::OrderService::NewStub(c.channel())->StartPicking(c.Context().get(), req, &resp),
          resp);
    };
  });
  CLI::App* ready = orders->add_subcommand("ready", "picked, waiting for the customer");
  ready->add_option("ID", a->id)->required();
  ready->add_option("--picked", a->picked, "SKU:QTY actually found (short pick); others in full");
  ready->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::MarkReadyRequest req;
      req.set_request_id(c.RequestId());
      req.set_order_id(a->id);
      for (const auto& text : a->picked) {
        size_t colon = text.find(':');
        auto* p = req.add_picked();
        p->set_sku(text.substr(0, colon));
        p->set_quantity(colon == std::string::npos ? 0 : std::atoll(text.c_str() + colon + 1));
      }
      v1::MarkReadyResponse resp;
      return Show(c,
                  v1::OrderService::NewStub(c.channel())->MarkReady(c.Context().get(), req, &resp),
                  resp);
    };
  });
  CLI::App* pickup = orders->add_subcommand("pickup", "hand over with the customer's code");
  pickup->add_option("ID", a->id)->required();
  pickup->add_option("CODE", a->code, "the customer's pickup code");
  pickup->add_flag("--staff-override", a->staff_override, "identity checked another way");
  pickup->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ConfirmPickupRequest req;
      req.set_request_id(c.RequestId());
      req.set_order_id(a->id);
      req.set_pickup_code(a->code);
      req.set_staff_override(a->staff_override);
      v1::ConfirmPickupResponse resp;
      return Show(
          c, v1::OrderService::NewStub(c.channel())->ConfirmPickup(c.Context().get(), req, &resp),
          resp);
    };
  });
  CLI::App* cancel = orders->add_subcommand("cancel", "cancel and release the units");
  cancel->add_option("ID", a->id)->required();
  cancel->add_option("--reason", a->reason);
  cancel->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::CancelOrderRequest req;
      req.set_request_id(c.RequestId());
      req.set_order_id(a->id);
      req.set_reason(a->reason);
      v1::CancelOrderResponse resp;
      return Show(
          c, v1::OrderService::NewStub(c.channel())->CancelOrder(c.Context().get(), req, &resp),
          resp);
    };
  });
}

}  // namespace

void AddOrderCommands(CLI::App& app, Cli& cli) {
  CLI::App* orders = app.add_subcommand("orders", "pickup orders: list, show, pick, ready, pickup");
  orders->require_subcommand(1);
  auto a = std::make_shared<Args>();
  AddListShowPlace(orders, cli, a);
  AddStoreSteps(orders, cli, a);
}

}  // namespace omsctl

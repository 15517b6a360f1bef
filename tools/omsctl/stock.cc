// omsctl stock / availability / movements: the stock clerk's daily work.
#include <fmt/format.h>

#include <optional>

#include "oms/v1/inventory_service.grpc.pb.h"
#include "tools/omsctl/commands.h"
#include "tools/omsctl/table.h"

namespace omsctl {
namespace v1 = oms::v1;
namespace {

void PrintLevels(const std::vector<v1::StockLevel>& levels) {
  Table t({"SKU", "LOCATION", "ON_HAND", "RESERVED", "QUARANTINED", "SAFETY", "ATP", "ATP_POS",
           "VERSION"});
  for (const auto& l : levels) {
    t.Row({l.sku(), l.location_id(), std::to_string(l.on_hand()), std::to_string(l.reserved()),
           std::to_string(l.quarantined()), std::to_string(l.safety_stock()),
           std::to_string(l.atp()), std::to_string(l.atp_pos()), std::to_string(l.version())});
  }
  t.Print();
}

// Adjusts on_hand by `delta` for `reason`; shared by `stock receive` and `stock adjust`.
int Adjust(Client& c, const std::string& sku, const std::string& location, int64_t delta,
           v1::MovementReason reason, const std::string& reference, std::optional<int64_t> expect) {
  v1::AdjustStockRequest req;
  req.set_request_id(c.RequestId());
  req.set_sku(sku);
  req.set_location_id(location);
  req.set_delta(delta);
  req.set_reason(reason);
  req.set_reference(reference);
  if (expect) req.set_expected_on_hand(*expect);
  v1::AdjustStockResponse resp;
  grpc::Status s =
      v1::InventoryService::NewStub(c.channel())->AdjustStock(c.Context().get(), req, &resp);
  if (!s.ok()) return c.Fail(s);
  if (c.options().json) return PrintJson(resp), 0;
  fmt::print("{} {:+d} {} at {} (movement {})\n", ReasonName(reason), delta, sku, location,
             resp.movement().movement_id());
  PrintLevels({resp.stock_level()});
  if (resp.shortfall() > 0) {
    fmt::print("warning: {} reserved units are no longer on hand (shortfall)\n", resp.shortfall());
  }
  return 0;
}

struct StockArgs {
  std::string sku, location, from, to, reference, reason;
  int64_t quantity = 0;
  std::optional<int64_t> expect;
};

void AddReceiveAndAdjust(CLI::App* stock, Cli& cli) {
  auto a = std::make_shared<StockArgs>();
  CLI::App* receive = stock->add_subcommand("receive", "add received units (reason RECEIVED)");
  receive->add_option("SKU", a->sku)->required();
  receive->add_option("LOCATION", a->location)->required();
  receive->add_option("QTY", a->quantity, "units received (> 0)")->required();
  receive->add_option("--reference", a->reference, "delivery note, PO number...");
  receive->callback([&cli, a] {
    cli.action = [a](Client& c) {
      return Adjust(c, a->sku, a->location, a->quantity, v1::MOVEMENT_REASON_RECEIVED, a->reference,
                    std::nullopt);
    };
  });

  auto b = std::make_shared<StockArgs>();
  CLI::App* adjust = stock->add_subcommand("adjust", "change on_hand with a reason");
  adjust->add_option("SKU", b->sku)->required();
  adjust->add_option("LOCATION", b->location)->required();
  adjust->add_option("DELTA", b->quantity, "signed change, e.g. -2")->required();
  std::vector<std::string> names;
  for (const auto& [name, value] : Reasons()) names.push_back(name);
  adjust->add_option("--reason", b->reason)->required()->check(CLI::IsMember(names));
  adjust->add_option("--reference", b->reference, "why, for the ledger");
  adjust->add_option("--expect-on-hand", b->expect, "apply only if on_hand is exactly this");
  adjust->callback([&cli, b] {
    cli.action = [b](Client& c) {
      return Adjust(c, b->sku, b->location, b->quantity, Reasons().at(b->reason), b->reference,
                    b->expect);
    };
  });
}

void AddCountTransferSafety(CLI::App* stock, Cli& cli) {
  auto a = std::make_shared<StockArgs>();
  CLI::App* count = stock->add_subcommand("count", "cycle count: set on_hand to what was counted");
  count->add_option("SKU", a->sku)->required();
  count->add_option("LOCATION", a->location)->required();
  count->add_option("ON_HAND", a->quantity, "units counted")->required();
  count->add_option("--reference", a->reference);
  count->add_option("--expect-on-hand", a->expect, "apply only if on_hand is exactly this");
  count->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::SetStockRequest req;
      req.set_request_id(c.RequestId());
      req.set_sku(a->sku);
      req.set_location_id(a->location);
      req.set_on_hand(a->quantity);
      req.set_reference(a->reference);
      if (a->expect) req.set_expected_on_hand(*a->expect);
      v1::SetStockResponse resp;
      grpc::Status s =
          v1::InventoryService::NewStub(c.channel())->SetStock(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      fmt::print("counted {} at {}: {}\n", a->sku, a->location,
                 resp.has_movement() ? fmt::format("{:+d}", resp.movement().delta())
                                     : std::string("no change"));
      PrintLevels({resp.stock_level()});
      return 0;
    };
  });

  auto t = std::make_shared<StockArgs>();
  CLI::App* transfer = stock->add_subcommand("transfer", "move units between locations");
  transfer->add_option("SKU", t->sku)->required();
  transfer->add_option("FROM", t->from)->required();
  transfer->add_option("TO", t->to)->required();
  transfer->add_option("QTY", t->quantity)->required();
  transfer->add_option("--reference", t->reference);
  transfer->callback([&cli, t] {
    cli.action = [t](Client& c) {
      v1::TransferStockRequest req;
      req.set_request_id(c.RequestId());
      req.set_sku(t->sku);
      req.set_from_location_id(t->from);
      req.set_to_location_id(t->to);
      req.set_quantity(t->quantity);
      req.set_reference(t->reference);
      v1::TransferStockResponse resp;
      grpc::Status s =
          v1::InventoryService::NewStub(c.channel())->TransferStock(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      fmt::print("moved {} x {} from {} to {}\n", t->quantity, t->sku, t->from, t->to);
      PrintLevels({resp.from(), resp.to()});
      return 0;
    };
  });

  auto f = std::make_shared<StockArgs>();
  CLI::App* safety = stock->add_subcommand("safety", "set the safety stock remote channels keep");
  safety->add_option("SKU", f->sku)->required();
  safety->add_option("LOCATION", f->location)->required();
  safety->add_option("UNITS", f->quantity)->required();
  safety->callback([&cli, f] {
    cli.action = [f](Client& c) {
      v1::SetSafetyStockRequest req;
      req.set_request_id(c.RequestId());
      req.set_sku(f->sku);
      req.set_location_id(f->location);
      req.set_safety_stock(f->quantity);
      v1::SetSafetyStockResponse resp;
      grpc::Status s =
          v1::InventoryService::NewStub(c.channel())->SetSafetyStock(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintLevels({resp.stock_level()});
      return 0;
    };
  });
}

void AddShow(CLI::App* stock, Cli& cli) {
  auto location = std::make_shared<std::string>();
  CLI::App* show = stock->add_subcommand("show", "stock levels at a location");
  show->add_option("LOCATION", *location)->required();
  show->callback([&cli, location] {
    cli.action = [location](Client& c) {
      auto stub = v1::InventoryService::NewStub(c.channel());
      std::vector<v1::StockLevel> all;
      std::string token;
      do {
        v1::ListStockRequest req;
        req.set_location_id(*location);
        req.set_page_size(1000);
        req.set_page_token(token);
        v1::ListStockResponse resp;
        grpc::Status s = stub->ListStock(c.Context().get(), req, &resp);
        if (!s.ok()) return c.Fail(s);
        for (const auto& l : resp.stock_levels()) {
          if (c.options().json) PrintJson(l);
          all.push_back(l);
        }
        token = resp.next_page_token();
      } while (!token.empty());
      if (!c.options().json) PrintLevels(all);
      return 0;
    };
  });
}

struct AvailabilityArgs {
  std::vector<std::string> skus;
  std::string location, group, channel = "online";
  bool future = false;
  int horizon_days = 90;
  int64_t quantity = 0;
};

// `availability --future`: per SKU, ATP now and one row per arrival inside the horizon.
int ShowFuture(Client& c, const AvailabilityArgs& a) {
  v1::GetFutureAvailabilityRequest req;
  for (const auto& s : a.skus) req.add_skus(s);
  if (!a.group.empty()) {
    req.set_group_id(a.group);
  } else {
    req.set_location_id(a.location);
  }
  req.set_channel(ParseChannel(a.channel));
  req.mutable_horizon()->set_seconds(int64_t{a.horizon_days} * 24 * 3600);
  req.set_quantity(a.quantity);
  v1::GetFutureAvailabilityResponse resp;
  grpc::Status s = v1::InventoryService::NewStub(c.channel())
                       ->GetFutureAvailability(c.Context().get(), req, &resp);
  if (!s.ok()) return c.Fail(s);
  if (c.options().json) return PrintJson(resp), 0;
  Table t({"SKU", "FROM", "ATP"});
  for (const auto& sku : resp.availability()) {
    t.Row({sku.sku(), "now", std::to_string(sku.atp_now())});
    for (const auto& p : sku.timeline()) t.Row({"", FormatTime(p.at()), std::to_string(p.atp())});
  }
  fmt::print("channel {}, horizon {} days\n", a.channel, a.horizon_days);
  t.Print();
  if (a.quantity > 0) {
    for (const auto& sku : resp.availability()) {
      fmt::print("{}: {} units {}\n", sku.sku(), a.quantity,
                 sku.has_earliest_at() ? "from " + FormatTime(sku.earliest_at())
                                       : "not within the horizon");
    }
  }
  return 0;
}

void AddAvailability(CLI::App& app, Cli& cli) {
  using Args = AvailabilityArgs;
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("availability", "available-to-promise per SKU");
  cmd->add_option("SKUS", a->skus)->required();
  auto* loc = cmd->add_option("--location", a->location, "at one location");
  auto* grp = cmd->add_option("--group", a->group, "summed over a group's locations");
  loc->excludes(grp);
  cmd->add_option("--channel", a->channel, "online, pos or bopis")
      ->check(CLI::IsMember({"online", "pos", "bopis"}))
      ->capture_default_str();
  cmd->add_flag("--future", a->future, "the timeline: ATP from each expected arrival on");
  cmd->add_option("--horizon-days", a->horizon_days, "with --future: how far ahead (1-366)")
      ->check(CLI::Range(1, 366))
      ->capture_default_str();
  cmd->add_option("--quantity", a->quantity, "with --future: when are this many available?");
  cmd->callback([&cli, a] {
    cli.action = [a](Client& c) {
      if (a->group.empty() && a->location.empty()) {
        fmt::print(stderr, "omsctl: availability needs --location or --group\n");
        return 2;
      }
      if (a->future) return ShowFuture(c, *a);
      v1::GetAvailabilityRequest req;
      for (const auto& s : a->skus) req.add_skus(s);
      if (!a->group.empty()) {
        req.set_group_id(a->group);
      } else {
        req.set_location_id(a->location);
      }
      req.set_channel(ParseChannel(a->channel));
      v1::GetAvailabilityResponse resp;
      grpc::Status s = v1::InventoryService::NewStub(c.channel())
                           ->GetAvailability(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      Table t({"SKU", "ATP", "LOCATION", "ON_HAND", "RESERVED", "QUARANTINED", "SAFETY",
               "LOCATION_ATP"});
      for (const auto& sku : resp.availability()) {
        if (sku.locations().empty()) t.Row({sku.sku(), std::to_string(sku.atp()), "-"});
        for (int i = 0; i < sku.locations_size(); ++i) {
          const auto& l = sku.locations(i);
          t.Row({i == 0 ? sku.sku() : "", i == 0 ? std::to_string(sku.atp()) : "", l.location_id(),
                 std::to_string(l.on_hand()), std::to_string(l.reserved()),
                 std::to_string(l.quarantined()), std::to_string(l.safety_stock()),
                 std::to_string(l.atp())});
        }
      }
      fmt::print("channel {}\n", a->channel);
      t.Print();
      return 0;
    };
  });
}

void AddMovements(CLI::App& app, Cli& cli) {
  struct Args {
    std::string sku, location, since;
    int limit = 100;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("movements", "the ledger of on_hand changes, oldest first");
  cmd->add_option("--sku", a->sku);
  cmd->add_option("--location", a->location);
  cmd->add_option("--since", a->since, "RFC 3339 time, e.g. 2026-11-24T00:00:00Z");
  cmd->add_option("--limit", a->limit, "at most this many")->capture_default_str();
  cmd->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ListMovementsRequest req;
      req.set_sku(a->sku);
      req.set_location_id(a->location);
      if (!a->since.empty() && !ParseTime(a->since, req.mutable_since())) {
        fmt::print(stderr, "omsctl: --since: not an RFC 3339 time: {}\n", a->since);
        return 2;
      }
      auto stub = v1::InventoryService::NewStub(c.channel());
      Table t(
          {"ID", "TIME", "SKU", "LOCATION", "DELTA", "ON_HAND", "REASON", "REFERENCE", "ACTOR"});
      int shown = 0;
      do {
        req.set_page_size(std::min(1000, a->limit - shown));
        v1::ListMovementsResponse resp;
        grpc::Status s = stub->ListMovements(c.Context().get(), req, &resp);
        if (!s.ok()) return c.Fail(s);
        for (const auto& m : resp.movements()) {
          if (c.options().json) PrintJson(m);
          t.Row({std::to_string(m.movement_id()), FormatTime(m.create_time()), m.sku(),
                 m.location_id(), fmt::format("{:+d}", m.delta()),
                 std::to_string(m.on_hand_after()), ReasonName(m.reason()), m.reference(),
                 m.actor()});
          ++shown;
        }
        req.set_page_token(resp.next_page_token());
      } while (!req.page_token().empty() && shown < a->limit);
      if (!c.options().json) t.Print();
      return 0;
    };
  });
}

}  // namespace

void AddStockCommands(CLI::App& app, Cli& cli) {
  CLI::App* stock = app.add_subcommand("stock", "receive, adjust, count, transfer, show");
  stock->require_subcommand(1);
  AddReceiveAndAdjust(stock, cli);
  AddCountTransferSafety(stock, cli);
  AddShow(stock, cli);
  AddAvailability(app, cli);
  AddMovements(app, cli);
}

}  // namespace omsctl

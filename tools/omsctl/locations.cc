// omsctl locations / groups: stores, warehouses and the groups channels promise from.
#include <fmt/format.h>

#include "oms/v1/location_service.grpc.pb.h"
#include "tools/omsctl/commands.h"
#include "tools/omsctl/table.h"

namespace omsctl {
namespace v1 = oms::v1;
namespace {

void PrintLocations(const std::vector<v1::Location>& locations) {
  Table t({"LOCATION", "NAME", "KIND", "SHIP", "PICKUP", "ACTIVE"});
  for (const auto& l : locations) {
    t.Row({l.location_id(), l.name(),
           l.kind() == v1::LOCATION_KIND_WAREHOUSE ? "warehouse" : "store",
           l.ship_enabled() ? "yes" : "no", l.pickup_enabled() ? "yes" : "no",
           l.active() ? "yes" : "no"});
  }
  t.Print();
}

}  // namespace

void AddLocationCommands(CLI::App& app, Cli& cli) {
  CLI::App* locations = app.add_subcommand("locations", "stores and warehouses");
  locations->require_subcommand(1);

  struct Add {
    std::string id, name, kind = "store";
    bool ship = false, pickup = false, inactive = false;
  };
  auto add = std::make_shared<Add>();
  CLI::App* add_cmd = locations->add_subcommand("add", "create or replace a location");
  add_cmd->add_option("ID", add->id, "location id")->required();
  add_cmd->add_option("--name", add->name, "display name");
  add_cmd->add_option("--kind", add->kind, "store or warehouse")
      ->check(CLI::IsMember({"store", "warehouse"}));
  add_cmd->add_flag("--ship", add->ship, "may ship online orders");
  add_cmd->add_flag("--pickup", add->pickup, "customers may pick up orders here");
  add_cmd->add_flag("--inactive", add->inactive, "keeps its stock but promises nothing");
  add_cmd->callback([&cli, add] {
    cli.action = [add](Client& c) {
      v1::UpsertLocationRequest req;
      req.set_request_id(c.RequestId());
      auto* l = req.mutable_location();
      l->set_location_id(add->id);
      l->set_name(add->name.empty() ? add->id : add->name);
      l->set_kind(add->kind == "warehouse" ? v1::LOCATION_KIND_WAREHOUSE : v1::LOCATION_KIND_STORE);
      l->set_ship_enabled(add->ship);
      l->set_pickup_enabled(add->pickup);
      l->set_active(!add->inactive);
      v1::UpsertLocationResponse resp;
      grpc::Status s =
          v1::LocationService::NewStub(c.channel())->UpsertLocation(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      fmt::print("{} location {}\n", resp.created() ? "created" : "updated", add->id);
      PrintLocations({resp.location()});
      return 0;
    };
  });

  CLI::App* list = locations->add_subcommand("list", "all locations");
  list->callback([&cli] {
    cli.action = [](Client& c) {
      auto stub = v1::LocationService::NewStub(c.channel());
      std::vector<v1::Location> all;
      std::string token;
      do {
        v1::ListLocationsRequest req;
        req.set_page_size(1000);
        req.set_page_token(token);
        v1::ListLocationsResponse resp;
        grpc::Status s = stub->ListLocations(c.Context().get(), req, &resp);
        if (!s.ok()) return c.Fail(s);
        for (const auto& l : resp.locations()) {
          if (c.options().json) PrintJson(l);
          all.push_back(l);
        }
        token = resp.next_page_token();
      } while (!token.empty());
      if (!c.options().json) PrintLocations(all);
      return 0;
    };
  });

  auto show_id = std::make_shared<std::string>();
  CLI::App* show = locations->add_subcommand("show", "one location");
  show->add_option("ID", *show_id, "location id")->required();
  show->callback([&cli, show_id] {
    cli.action = [show_id](Client& c) {
      v1::GetLocationRequest req;
      req.set_location_id(*show_id);
      v1::GetLocationResponse resp;
      grpc::Status s =
          v1::LocationService::NewStub(c.channel())->GetLocation(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp.location()), 0;
      PrintLocations({resp.location()});
      return 0;
    };
  });

  CLI::App* groups = app.add_subcommand("groups", "location groups (e.g. `online`)");
  groups->require_subcommand(1);
  struct Set {
    std::string group;
    std::vector<std::string> members;
  };
  auto set = std::make_shared<Set>();
  CLI::App* set_cmd = groups->add_subcommand("set", "create a group or replace its members");
  set_cmd->add_option("GROUP", set->group, "group id")->required();
  set_cmd->add_option("LOCATIONS", set->members, "member location ids")->required();
  set_cmd->callback([&cli, set] {
    cli.action = [set](Client& c) {
      v1::UpsertLocationGroupRequest req;
      req.set_request_id(c.RequestId());
      req.set_group_id(set->group);
      for (const auto& m : set->members) req.add_location_ids(m);
      v1::UpsertLocationGroupResponse resp;
      grpc::Status s = v1::LocationService::NewStub(c.channel())
                           ->UpsertLocationGroup(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      fmt::print("{} group {}: {}\n", resp.created() ? "created" : "updated", set->group,
                 fmt::join(resp.group().location_ids(), ", "));
      return 0;
    };
  });
  CLI::App* glist = groups->add_subcommand("list", "all groups");
  glist->callback([&cli] {
    cli.action = [](Client& c) {
      auto stub = v1::LocationService::NewStub(c.channel());
      Table t({"GROUP", "MEMBERS"});
      std::string token;
      do {
        v1::ListLocationGroupsRequest req;
        req.set_page_size(1000);
        req.set_page_token(token);
        v1::ListLocationGroupsResponse resp;
        grpc::Status s = stub->ListLocationGroups(c.Context().get(), req, &resp);
        if (!s.ok()) return c.Fail(s);
        for (const auto& g : resp.groups()) {
          if (c.options().json) PrintJson(g);
          t.Row({g.group_id(), fmt::format("{}", fmt::join(g.location_ids(), ", "))});
        }
        token = resp.next_page_token();
      } while (!token.empty());
      if (!c.options().json) t.Print();
      return 0;
    };
  });
}

}  // namespace omsctl

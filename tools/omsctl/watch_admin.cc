// omsctl watch (live availability and order events) and the operator's backup and verify.
#include <fmt/format.h>

#include <fstream>

#include "oms/v1/admin_service.grpc.pb.h"
#include "oms/v1/inventory_service.grpc.pb.h"
#include "oms/v1/order_service.grpc.pb.h"
#include "tools/omsctl/commands.h"

namespace omsctl {
namespace v1 = oms::v1;
namespace {

struct WatchArgs {
  std::vector<std::string> skus, locations;
  std::string store, customer;
  int64_t after = 0;
  bool from_now = false;
};

int WatchAvailability(Client& c, const WatchArgs& a) {
  v1::WatchAvailabilityRequest req;
  for (const auto& s : a.skus) req.add_skus(s);
  for (const auto& l : a.locations) req.add_location_ids(l);
  req.set_after_sequence(a.after);
  req.set_from_now(a.from_now);
  auto ctx = c.Context(/*stream=*/true);
  auto reader = v1::InventoryService::NewStub(c.channel())->WatchAvailability(ctx.get(), req);
  v1::AvailabilityChanged e;
  while (reader->Read(&e)) {
    if (c.options().json) {
      PrintJson(e);
    } else {
      fmt::print("#{} {} {}@{} on_hand={} reserved={} quarantined={} safety={} atp={}\n",
                 e.sequence(), FormatTime(e.time()), e.sku(), e.location_id(), e.on_hand(),
                 e.reserved(), e.quarantined(), e.safety_stock(), e.atp());
    }
    std::fflush(stdout);
  }
  return c.Fail(reader->Finish());
}

int WatchOrders(Client& c, const WatchArgs& a) {
  v1::WatchOrdersRequest req;
  req.set_pickup_location_id(a.store);
  req.set_customer_id(a.customer);
  req.set_after_sequence(a.after);
  req.set_from_now(a.from_now);
  auto ctx = c.Context(/*stream=*/true);
  auto reader = v1::OrderService::NewStub(c.channel())->WatchOrders(ctx.get(), req);
  v1::OrderEvent e;
  while (reader->Read(&e)) {
    if (c.options().json) {
      PrintJson(e);
    } else {
      const auto& o = e.order();
      fmt::print("#{} {} order {} {} -> {} customer={} store={}\n", e.sequence(),
                 FormatTime(e.time()), o.order_id(), v1::OrderState_Name(e.previous_state()),
                 v1::OrderState_Name(o.state()), o.customer_id(), o.pickup_location_id());
      if (!e.return_id().empty()) fmt::print("  units came back: return {}\n", e.return_id());
    }
    std::fflush(stdout);
  }
  return c.Fail(reader->Finish());
}

}  // namespace

void AddWatchCommands(CLI::App& app, Cli& cli) {
  CLI::App* watch = app.add_subcommand("watch", "print events as they happen (Ctrl-C to stop)");
  watch->require_subcommand(1);
  auto a = std::make_shared<WatchArgs>();
  for (const char* what : {"availability", "orders"}) {
    bool availability = std::string(what) == "availability";
    CLI::App* cmd =
        watch->add_subcommand(what, availability ? "stock level changes" : "pickup order changes");
    if (availability) {
      cmd->add_option("--sku", a->skus, "only these SKUs");
      cmd->add_option("--location", a->locations, "only these locations");
    } else {
      cmd->add_option("--store", a->store, "only orders for pickup here");
      cmd->add_option("--customer", a->customer, "only this customer's orders");
    }
    cmd->add_option("--after", a->after, "replay events after this sequence first");
    cmd->add_flag("--from-now", a->from_now, "skip history");
    cmd->callback([&cli, a, availability] {
      cli.action = [a, availability](Client& c) {
        return availability ? WatchAvailability(c, *a) : WatchOrders(c, *a);
      };
    });
  }
}

void AddAdminCommands(CLI::App& app, Cli& cli) {
  auto path = std::make_shared<std::string>();
  CLI::App* backup = app.add_subcommand("backup", "consistent copy of the live database");
  backup->add_option("FILE", *path, "where to write the copy")->required();
  backup->callback([&cli, path] {
    cli.action = [path](Client& c) {
      auto ctx = c.Context(/*stream=*/true);
      auto reader = v1::AdminService::NewStub(c.channel())->Backup(ctx.get(), {});
      std::string partial = *path + ".partial";
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      v1::BackupChunk chunk;
      int64_t total = 0, written = 0;
      while (reader->Read(&chunk)) {
        if (chunk.total_bytes() > 0) total = chunk.total_bytes();
        out.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
        written += static_cast<int64_t>(chunk.data().size());
      }
      grpc::Status s = reader->Finish();
      out.close();
      if (!s.ok()) return std::remove(partial.c_str()), c.Fail(s);
      if (written != total || !out) {
        std::remove(partial.c_str());
        fmt::print(stderr, "omsctl: backup incomplete ({} of {} bytes)\n", written, total);
        return 1;
      }
      std::rename(partial.c_str(), path->c_str());
      fmt::print("backup written to {} ({} bytes)\n", *path, written);
      return 0;
    };
  });
  CLI::App* verify = app.add_subcommand("verify", "check every invariant on the live database");
  verify->callback([&cli] {
    cli.action = [](Client& c) {
      v1::VerifyResponse resp;
      grpc::ClientContext ctx;
      auto context = c.Context(/*stream=*/true);
      grpc::Status s = v1::AdminService::NewStub(c.channel())->Verify(context.get(), {}, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), resp.ok() ? 0 : 1;
      fmt::print("{} stock levels, {} movements, {} reservations, {} orders, {} events\n",
                 resp.stock_levels(), resp.movements(), resp.reservations(), resp.orders(),
                 resp.events());
      for (const auto& p : resp.problems()) fmt::print("VIOLATION {}\n", p);
      fmt::print("{}\n", resp.ok() ? "ok: every invariant holds" : "FAILED");
      return resp.ok() ? 0 : 1;
    };
  });
}

}  // namespace omsctl

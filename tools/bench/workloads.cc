// Workloads: each step allocates one call (context, request, response) and completes it
// through the callback API, so a few gRPC threads drive hundreds of calls in flight.
#include "tools/bench/workloads.h"

#include <fmt/core.h>

#include <atomic>
#include <random>
#include <thread>

#include "grpc/health/v1/health.grpc.pb.h"
#include "oms/v1/inventory_service.grpc.pb.h"
#include "oms/v1/location_service.grpc.pb.h"
#include "oms/v1/reservation_service.grpc.pb.h"
#include "oms/v1/return_service.grpc.pb.h"
#include "services/code_name.h"

namespace bench {
namespace v1 = oms::v1;
namespace {

template <typename Req, typename Resp>
struct Call {
  grpc::ClientContext ctx;
  Req req;
  Resp resp;
};

struct Shared {
  LoadOptions load;
  WorkloadOptions work;
  std::vector<std::unique_ptr<v1::ReservationService::Stub>> reservations;
  std::vector<std::unique_ptr<v1::InventoryService::Stub>> inventory;
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> health;
  std::vector<std::unique_ptr<v1::ReturnService::Stub>> returns;
  std::string run_id;
  // return: sale i sold units_per_sale of sales_skus[i] at b{sales_locations[i]}; client w
  // returns from sales w, w + N, w + 2N, ...
  std::vector<std::string> sales;
  std::vector<uint64_t> sale_skus;
  std::vector<int> sale_locations;
};

std::string Sku(uint64_t i) { return fmt::format("sku-{}", i); }

void Ping(Shared& s, int worker, Done done) {
  auto* c = new Call<grpc::health::v1::HealthCheckRequest, grpc::health::v1::HealthCheckResponse>;
  Prepare(c->ctx, s.load);
  s.health[worker % s.health.size()]->async()->Check(&c->ctx, &c->req, &c->resp,
                                                     [c, done](grpc::Status st) {
                                                       done(st, 0);
                                                       delete c;
                                                     });
}

void Read(Shared& s, int worker, uint64_t n, Done done) {
  auto* c = new Call<v1::GetAvailabilityRequest, v1::GetAvailabilityResponse>;
  Prepare(c->ctx, s.load);
  std::mt19937_64 rng(s.load.seed * 1000003 + worker * 7919 + n);
  c->req.add_skus(s.work.hot ? Sku(0) : Sku(rng() % s.work.skus));
  c->req.set_location_id(s.work.hot ? "b0" : fmt::format("b{}", rng() % s.work.locations));
  c->req.set_channel(v1::CHANNEL_ONLINE);
  s.inventory[worker % s.inventory.size()]->async()->GetAvailability(&c->ctx, &c->req, &c->resp,
                                                                     [c, done](grpc::Status st) {
                                                                       done(st, 0);
                                                                       delete c;
                                                                     });
}

// Reserves; `then` gets the reservation id (empty on failure) after `done` semantics are met.
void Reserve(Shared& s, int worker, uint64_t n,
             std::function<void(grpc::Status, std::string, int64_t)> then) {
  auto* c = new Call<v1::CreateReservationRequest, v1::CreateReservationResponse>;
  Prepare(c->ctx, s.load);
  std::mt19937_64 rng(s.load.seed * 1000003 + worker * 7919 + n);
  c->req.set_request_id(fmt::format("bench-{}-{}-{}", s.run_id, worker, n));
  c->req.set_channel(v1::CHANNEL_ONLINE);
  c->req.mutable_ttl()->set_seconds(7 * 24 * 3600);
  for (int i = 0; i < s.work.lines; ++i) {
    auto* line = c->req.add_lines();
    line->set_sku(s.work.hot ? Sku(0) : Sku(rng() % s.work.skus));
    line->set_quantity(1);
    line->set_location_id(s.work.hot ? "b0" : fmt::format("b{}", rng() % s.work.locations));
  }
  int64_t units = s.work.lines;
  const auto& noted = s.work.on_reserved;
  s.reservations[worker % s.reservations.size()]->async()->CreateReservation(
      &c->ctx, &c->req, &c->resp, [c, then, units, &noted](grpc::Status st) {
        if (st.ok() && noted) {
          for (const auto& line : c->req.lines()) noted(line.sku());
        }
        then(st, st.ok() ? c->resp.reservation().reservation_id() : "", units);
        delete c;
      });
}

void Finish(Shared& s, int worker, uint64_t n, const std::string& id, Done done) {
  auto stub = s.reservations[worker % s.reservations.size()].get();
  if (n % 2) {
    auto* c = new Call<v1::CommitReservationRequest, v1::CommitReservationResponse>;
    Prepare(c->ctx, s.load);
    c->req.set_request_id(fmt::format("bench-{}-{}-{}-c", s.run_id, worker, n));
    c->req.set_reservation_id(id);
    stub->async()->CommitReservation(&c->ctx, &c->req, &c->resp, [c, done](grpc::Status st) {
      done(st, 0);
      delete c;
    });
  } else {
    auto* c = new Call<v1::ReleaseReservationRequest, v1::ReleaseReservationResponse>;
    Prepare(c->ctx, s.load);
    c->req.set_request_id(fmt::format("bench-{}-{}-{}-r", s.run_id, worker, n));
    c->req.set_reservation_id(id);
    stub->async()->ReleaseReservation(&c->ctx, &c->req, &c->resp, [c, done](grpc::Status st) {
      done(st, 0);
      delete c;
    });
  }
}

// Makes the sales the return workload returns from: sales_per_client committed POS reservations
// per client, made by `concurrency` threads at once. False (after saying why) on a failure.
bool MakeSales(Shared& s, const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  size_t n = static_cast<size_t>(s.load.concurrency) * static_cast<size_t>(s.work.sales_per_client);
  s.sales.assign(n, "");
  s.sale_skus.resize(n);
  s.sale_locations.resize(n);
  std::mt19937_64 rng(s.load.seed * 31337);
  for (size_t i = 0; i < n; ++i) {
    s.sale_skus[i] = s.work.hot ? 0 : rng() % static_cast<uint64_t>(s.work.skus);
    s.sale_locations[i] = s.work.hot ? 0 : static_cast<int>(rng() % s.work.locations);
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < s.load.concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto stub =
          v1::ReservationService::NewStub(channels[static_cast<size_t>(t) % channels.size()]);
      for (size_t i = next++; i < n && !failed; i = next++) {
        v1::CreateReservationRequest req;
        req.set_request_id(fmt::format("bench-{}-sale-{}", s.run_id, i));
        req.set_channel(v1::CHANNEL_POS);
        auto* line = req.add_lines();
        line->set_sku(Sku(s.sale_skus[i]));
        line->set_quantity(s.work.units_per_sale);
        line->set_location_id(fmt::format("b{}", s.sale_locations[i]));
        v1::CreateReservationResponse resp;
        grpc::ClientContext ctx;
        Prepare(ctx, s.load);
        grpc::Status st = stub->CreateReservation(&ctx, req, &resp);
        v1::CommitReservationRequest commit;
        commit.set_request_id(req.request_id() + "-c");
        commit.set_reservation_id(resp.reservation().reservation_id());
        v1::CommitReservationResponse committed;
        grpc::ClientContext cctx;
        Prepare(cctx, s.load);
        if (st.ok()) st = stub->CommitReservation(&cctx, commit, &committed);
        if (!st.ok()) {
          if (!failed.exchange(true)) {
            fmt::print(stderr, "oms-bench return: making sale {}: {} {}\n", i,
                       oms::services::CodeName(st.error_code()), st.error_message());
          }
          return;
        }
        s.sales[i] = resp.reservation().reservation_id();
      }
    });
  }
  for (auto& t : threads) t.join();
  return !failed;
}

// Returns one unit (RESTOCK) of client `worker`'s current sale at the next location over.
void ReturnOne(Shared& s, int worker, uint64_t n, Done done) {
  auto* c = new Call<v1::CreateReturnRequest, v1::CreateReturnResponse>;
  Prepare(c->ctx, s.load);
  size_t clients = static_cast<size_t>(s.load.concurrency);
  // Past the last sale the client has none left: its returns fail (RETURN_QUANTITY_EXCEEDED),
  // counted as errors; raise --sales-per-client for longer runs.
  size_t i = static_cast<size_t>(worker) +
             std::min(static_cast<size_t>(n / static_cast<uint64_t>(s.work.units_per_sale)),
                      static_cast<size_t>(s.work.sales_per_client) - 1) *
                 clients;
  c->req.set_request_id(fmt::format("bench-{}-{}-{}", s.run_id, worker, n));
  c->req.set_reservation_id(s.sales[i]);
  c->req.set_location_id(fmt::format("b{}", (s.sale_locations[i] + 1) % s.work.locations));
  auto* line = c->req.add_lines();
  line->set_sku(Sku(s.sale_skus[i]));
  line->set_quantity(1);
  line->set_disposition(v1::DISPOSITION_RESTOCK);
  s.returns[static_cast<size_t>(worker) % s.returns.size()]->async()->CreateReturn(
      &c->ctx, &c->req, &c->resp, [c, done](grpc::Status st) {
        done(st, 1);
        delete c;
      });
}

}  // namespace

Step MakeWorkload(const WorkloadOptions& w, const LoadOptions& o,
                  const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  auto s = std::make_shared<Shared>();
  s->load = o;
  s->work = w;
  s->run_id = fmt::format("{:x}", std::random_device{}());
  for (const auto& ch : channels) {
    s->reservations.push_back(v1::ReservationService::NewStub(ch));
    s->inventory.push_back(v1::InventoryService::NewStub(ch));
    s->health.push_back(grpc::health::v1::Health::NewStub(ch));
    s->returns.push_back(v1::ReturnService::NewStub(ch));
  }
  if (w.workload == "ping") return [s](int wk, uint64_t, Done d) { Ping(*s, wk, std::move(d)); };
  if (w.workload == "read")
    return [s](int wk, uint64_t n, Done d) { Read(*s, wk, n, std::move(d)); };
  if (w.workload == "reserve") {
    return [s](int wk, uint64_t n, Done d) {
      Reserve(*s, wk, n, [d](grpc::Status st, std::string, int64_t units) { d(st, units); });
    };
  }
  if (w.workload == "return") {
    if (w.sales_per_client < 1 || w.units_per_sale < 1 || !MakeSales(*s, channels)) return nullptr;
    return [s](int wk, uint64_t n, Done d) { ReturnOne(*s, wk, n, std::move(d)); };
  }
  if (w.workload == "mixed") {
    // Each operation is one call: a read, or a reserve, or the commit/release of the last one.
    auto pending = std::make_shared<std::vector<std::string>>(static_cast<size_t>(o.concurrency));
    return [s, pending](int wk, uint64_t n, Done d) {
      std::string& open = (*pending)[static_cast<size_t>(wk)];
      if (!open.empty()) {
        std::string id = std::move(open);
        open.clear();
        return Finish(*s, wk, n, id, std::move(d));
      }
      if (s->work.read_every > 0 && n % static_cast<uint64_t>(s->work.read_every) == 0) {
        return Read(*s, wk, n, std::move(d));
      }
      Reserve(*s, wk, n, [d, &open](grpc::Status st, std::string id, int64_t units) {
        open = std::move(id);
        d(st, units);
      });
    };
  }
  return nullptr;
}

bool Seed(const LoadOptions& o, int locations, int skus, int64_t on_hand) {
  auto channel = MakeChannels(o)[0];
  auto loc = v1::LocationService::NewStub(channel);
  auto inv = v1::InventoryService::NewStub(channel);
  std::string run = fmt::format("{:x}", std::random_device{}());
  auto check = [](const grpc::Status& s, const char* what) {
    if (!s.ok())
      fmt::print(stderr, "oms-bench seed: {}: {} {}\n", what,
                 oms::services::CodeName(s.error_code()), s.error_message());
    return s.ok();
  };
  v1::UpsertLocationGroupRequest group;
  group.set_request_id(fmt::format("seed-group-{}", run));
  group.set_group_id("online");
  for (int i = 0; i < locations; ++i) {
    v1::UpsertLocationRequest req;
    req.set_request_id(fmt::format("seed-loc-{}-{}", run, i));
    auto* l = req.mutable_location();
    l->set_location_id(fmt::format("b{}", i));
    l->set_name(fmt::format("bench location {}", i));
    l->set_kind(v1::LOCATION_KIND_STORE);
    l->set_ship_enabled(true);
    l->set_pickup_enabled(true);
    l->set_active(true);
    v1::UpsertLocationResponse resp;
    grpc::ClientContext ctx;
    Prepare(ctx, o);
    if (!check(loc->UpsertLocation(&ctx, req, &resp), "UpsertLocation")) return false;
    group.add_location_ids(l->location_id());
  }
  grpc::ClientContext gctx;
  Prepare(gctx, o);
  v1::UpsertLocationGroupResponse gresp;
  if (!check(loc->UpsertLocationGroup(&gctx, group, &gresp), "UpsertLocationGroup")) return false;
  std::vector<std::pair<std::string, std::string>> keys;
  for (int l = 0; l < locations; ++l) {
    for (int k = 0; k < skus; ++k)
      keys.emplace_back(Sku(static_cast<uint64_t>(k)), fmt::format("b{}", l));
  }
  for (size_t first = 0; first < keys.size(); first += 1000) {
    v1::ImportStockRequest batch;
    batch.set_request_id(fmt::format("seed-stock-{}-{}", run, first));
    for (size_t i = first; i < std::min(keys.size(), first + 1000); ++i) {
      auto* row = batch.add_rows();
      row->set_sku(keys[i].first);
      row->set_location_id(keys[i].second);
      row->set_on_hand(on_hand);
    }
    grpc::ClientContext ctx;
    Prepare(ctx, o);
    v1::ImportStockResponse resp;
    if (!check(inv->ImportStock(&ctx, batch, &resp), "ImportStock")) return false;
  }
  return true;
}

}  // namespace bench

// The workloads oms-bench drives: ping (the gRPC ceiling: health check on the same server),
// reserve, mixed (reserve then commit or release, plus reads), read, return (CreateReturn of
// one unit, RESTOCK, from sales made before measuring). And seeding.
#pragma once

#include <functional>
#include <string>

#include "tools/bench/load.h"

namespace bench {

struct WorkloadOptions {
  std::string workload = "reserve";
  int lines = 1;       // per reservation
  int skus = 10000;    // SKUs drawn from
  int locations = 1;   // locations b0..b{n-1} drawn from
  bool hot = false;    // every line on sku-0 at b0
  int read_every = 3;  // mixed: one GetAvailability per this many operations
  // return: sales (committed POS reservations) made per client before the load, and the units
  // each sells; every operation returns one unit, so a client returns from one sale at most
  // units_per_sale times (as shoppers do) before moving on to its next.
  int sales_per_client = 256;
  int units_per_sale = 8;
  // Called when a reservation's reply arrives, per line (watch latency measurement).
  std::function<void(const std::string& sku)> on_reserved;
};

// Builds the step of a workload over `channels`; "" if the name is unknown.
Step MakeWorkload(const WorkloadOptions& w, const LoadOptions& o,
                  const std::vector<std::shared_ptr<grpc::Channel>>& channels);

// Locations b0.., group `online`, and every (sku, location) with a huge on_hand, through the
// API (ImportStock batches of 1,000). Returns false and prints why on failure.
bool Seed(const LoadOptions& o, int locations, int skus, int64_t on_hand);

}  // namespace bench

// The HTTP/JSON side of oms-bench, to set beside the gRPC figures of the same run:
// http-reserve (CreateReservation as POST JSON, the same requests as `reserve`, one keep-alive
// connection per client thread) and SseWatchers (Server-Sent Events subscribers of
// /v1/watch/availability, measured like the gRPC Watchers).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tools/bench/load.h"
#include "tools/bench/watchers.h"
#include "tools/bench/workloads.h"

namespace bench {

// A closed-loop step over HTTP: worker w owns a thread and a connection to `http` (host:port);
// each step is one blocking request on it. Nothing when the address is empty.
Step MakeHttpReserve(const WorkloadOptions& w, const LoadOptions& o, const std::string& http);

// M SSE subscribers, each a thread with its own connection following a slice of the SKUs.
class SseWatchers {
 public:
  SseWatchers(const LoadOptions& o, const std::string& http, int subscribers, int skus);
  ~SseWatchers();
  void NoteReply(const std::string& sku);
  WatchStats Stop();

 private:
  struct Subscriber;
  int skus_;
  std::mutex replies_mu_;
  std::vector<Watchers::Seen> replies_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;
  bool stopped_ = false;
  // Streams whose head arrived (or that failed): the load starts once all have.
  std::mutex ready_mu_;
  std::condition_variable ready_cv_;
  int ready_ = 0;
};

}  // namespace bench

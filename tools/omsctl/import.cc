// omsctl import FILE.csv: checks the whole file, then loads it with ImportStock in batches
// (up to 4 in flight), showing progress. Batch request ids derive from the file's content, so
// running the same import again after a crash changes nothing twice.
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "oms/v1/inventory_service.grpc.pb.h"
#include "tools/omsctl/commands.h"
#include "tools/omsctl/csv_import.h"

namespace omsctl {
namespace v1 = oms::v1;
namespace {

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ULL;
  return h;
}

struct Progress {
  size_t total = 0;
  std::atomic<size_t> done{0};
  std::atomic<int64_t> changed{0};
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::mutex mu;
  int last_decile = -1;
  bool tty = isatty(STDERR_FILENO);

  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  void Report() {
    std::lock_guard lock(mu);
    size_t d = done.load();
    double rate = d / std::max(Seconds(), 1e-6);
    int decile = total ? static_cast<int>(d * 10 / total) : 10;
    if (tty) {
      fmt::print(stderr, "\rimported {}/{} rows ({:.0f} rows/s)", d, total, rate);
    } else if (decile != last_decile) {
      fmt::print(stderr, "imported {}/{} rows ({:.0f} rows/s)\n", d, total, rate);
    }
    last_decile = decile;
  }
};

int RunImport(Client& c, const std::string& path, size_t batch, const std::string& reference) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "omsctl: cannot read {}\n", path);
    return 2;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  CsvResult csv = ParseStockCsv(text);
  if (!csv.ok()) {
    fmt::print(stderr, "omsctl: {}:{}: {}\n", path, csv.error_line, csv.error);
    return 1;
  }
  std::string file_id = fmt::format("{:016x}", Fnv1a(text));
  size_t batches = (csv.rows.size() + batch - 1) / batch;
  Progress progress;
  progress.total = csv.rows.size();
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex fail_mu;
  auto worker = [&] {
    auto stub = v1::InventoryService::NewStub(c.channel());
    for (size_t b; !failed && (b = next++) < batches;) {
      size_t first = b * batch, last = std::min(csv.rows.size(), first + batch);
      v1::ImportStockRequest req;
      req.set_request_id(fmt::format("import-{}-{}", file_id, b));
      req.set_reference(reference.empty() ? "import " + path : reference);
      for (size_t i = first; i < last; ++i) {
        auto* row = req.add_rows();
        row->set_sku(csv.rows[i].sku);
        row->set_location_id(csv.rows[i].location_id);
        row->set_on_hand(csv.rows[i].on_hand);
      }
      v1::ImportStockResponse resp;
      grpc::Status s = stub->ImportStock(c.Context().get(), req, &resp);
      if (!s.ok()) {
        std::lock_guard lock(fail_mu);
        if (!failed.exchange(true)) {
          fmt::print(stderr, "\nomsctl: {}: lines {}-{} were not imported\n", path,
                     csv.rows[first].line, csv.rows[last - 1].line);
          c.Fail(s);
        }
        return;
      }
      progress.changed += resp.changed();
      progress.done += last - first;
      progress.Report();
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (progress.tty) fmt::print(stderr, "\n");
  if (failed) return 1;
  double seconds = progress.Seconds();
  fmt::print("imported {} rows from {} ({} changed) in {:.2f} s ({:.0f} rows/s)\n", csv.rows.size(),
             path, progress.changed.load(), seconds, csv.rows.size() / std::max(seconds, 1e-6));
  return 0;
}

}  // namespace

void AddImportCommand(CLI::App& app, Cli& cli) {
  struct Args {
    std::string path, reference;
    size_t batch = 1000;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("import",
                                     "load stock levels from a CSV file "
                                     "(header sku,location_id,on_hand)");
  cmd->add_option("FILE", a->path)->required();
  cmd->add_option("--batch", a->batch, "rows per call")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--reference", a->reference, "recorded on each movement (default: file name)");
  cmd->callback([&cli, a] {
    cli.action = [a](Client& c) { return RunImport(c, a->path, a->batch, a->reference); };
  });
}

}  // namespace omsctl

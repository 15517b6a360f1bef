// EngineHarness: an Engine over a chosen Store (the in-memory fake, or the real SQLite or
// PostgreSQL adapter), with a manual clock and sequential ids, and one-line helpers to run
// commands.
#pragma once

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <memory>

#include "domain/engine.h"
#include "storage/pg.h"
#include "storage/pg_store.h"
#include "storage/sqlite_store.h"
#include "tests/fakes/fake_ports.h"
#include "tests/fakes/fault_vfs.h"
#include "tests/fakes/memory_store.h"
#include "tests/support/backend_skip.h"
#include "tests/support/live_server.h"
#include "tests/support/pg_cluster.h"

namespace oms::testing {

// How to make (and re-make, for restarts) each kind of store.
struct MemoryStoreFactory {
  std::unique_ptr<MemoryStore> kept = std::make_unique<MemoryStore>();
  Store& Open() { return *kept; }
  // The next batch's commit fails; or a write in the middle of the next batch fails.
  void InjectCommitFailure() { kept->FailNextCommit(); }
  void InjectWriteFailure() { kept->FailWriteAfter(1); }
  void ClearFaults() {}
};

// The real adapter, on the fault-injecting VFS: I/O errors come from SQLite itself.
struct SqliteStoreFactory {
  TempDir dir;
  std::unique_ptr<storage::SqliteStore> store;
  SqliteStoreFactory() { FaultVfs::Register(); }
  ~SqliteStoreFactory() { FaultVfs::Clear(); }
  void InjectCommitFailure() { FaultVfs::FailSyncs(true); }
  void InjectWriteFailure() { FaultVfs::DiskFull(true); }
  void ClearFaults() { FaultVfs::Clear(); }
  Store& Open() {
    store.reset();
    auto opened = storage::SqliteStore::Open({dir.File("oms.db"), true, FaultVfs::kName}, nullptr);
    if (!opened.ok()) {
      ADD_FAILURE() << opened.status().ToString();
      std::abort();
    }
    store = std::move(opened).value();
    return *store;
  }
};

// The real adapter on PostgreSQL, in a schema of its own. Faults come from the server: a
// trigger of the test's schema fails the next write (as a full disk, SQLSTATE 53100) or the
// next commit (a deferred constraint trigger, checked at COMMIT).
struct PgStoreFactory {
  static bool Available() { return PgCluster::Shared() != nullptr; }
  std::string conninfo = Available() ? PgCluster::Shared()->NewSchemaConninfo() : "";
  std::unique_ptr<storage::PgStore> store;
  std::unique_ptr<storage::PgDatabase> side;  // sets the fault flags, outside any batch
  MemoryStore unused;
  void InjectCommitFailure() { SetFaults("false", "true"); }
  void InjectWriteFailure() { SetFaults("true", "false"); }
  void ClearFaults() { SetFaults("false", "false"); }
  Store& Open() {
    if (conninfo.empty()) return unused;
    store.reset();
    store = OpenPgStoreOrAbort(conninfo);
    if (!side) InstallFaults();
    return *store;
  }

 private:
  void InstallFaults() {
    auto db = storage::PgDatabase::Open(conninfo);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    side = std::move(db).value();
    Status s = side->Exec(R"sql(
CREATE TABLE oms_test_faults(fail_writes BOOLEAN NOT NULL, fail_commits BOOLEAN NOT NULL);
INSERT INTO oms_test_faults VALUES (false, false);
CREATE FUNCTION oms_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT CASE WHEN TG_ARGV[0] = 'write' THEN fail_writes ELSE fail_commits END
      FROM oms_test_faults) THEN
    RAISE EXCEPTION 'injected % failure', TG_ARGV[0] USING ERRCODE = '53100';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER oms_test_write_fault BEFORE INSERT ON movements
  FOR EACH ROW EXECUTE FUNCTION oms_test_fault('write');
CREATE CONSTRAINT TRIGGER oms_test_commit_fault AFTER INSERT ON movements
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION oms_test_fault('commit');
)sql");
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void SetFaults(const char* writes, const char* commits) {
    if (!side) return;
    Status s = side->Exec(std::string("UPDATE oms_test_faults SET fail_writes = ") + writes +
                          ", fail_commits = " + commits);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
};

template <typename Factory>
class EngineHarness {
 public:
  EngineHarness() { Reopen(); }

  // A new engine (and view) over the same durable contents: a restart.
  void Reopen() {
    engine_.reset();
    view_ = std::make_unique<SharedView>();
    store_ = &factory_.Open();
    engine_ = std::make_unique<Engine>(*store_, clock_, ids_, *view_, nullptr);
    engine_->set_inbound_grace(inbound_grace_);
    Status s = engine_->Open();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  // Runs commands as one batch; returns each completion.
  std::vector<Completion> RunBatch(std::vector<std::pair<Command, std::string>> commands) {
    std::vector<Completion> out(commands.size());
    std::vector<Submission> batch;
    for (size_t i = 0; i < commands.size(); ++i) {
      Submission s;
      s.command = std::move(commands[i].first);
      s.context = {commands[i].second, Fingerprint(s.command), "Test", "tester"};
      s.encode = [](const Reply& reply) { return Describe(reply); };
      s.done = [&out, i](Completion c) { out[i] = std::move(c); };
      batch.push_back(std::move(s));
    }
    last_stats_ = engine_->Run(batch);
    return out;
  }

  // One command whose caller gives up at `not_after`.
  Completion DoBy(Command command, std::string request_id,
                  std::chrono::steady_clock::time_point not_after) {
    Completion out;
    std::vector<Submission> batch(1);
    batch[0].context = {request_id, Fingerprint(command), "Test", "tester", not_after};
    batch[0].command = std::move(command);
    batch[0].encode = [](const Reply& reply) { return Describe(reply); };
    batch[0].done = [&out](Completion c) { out = std::move(c); };
    last_stats_ = engine_->Run(batch);
    return out;
  }

  Completion Do(Command command, std::string request_id = "") {
    if (request_id.empty()) request_id = fmt::format("r{}", ++next_request_);
    return RunBatch({{std::move(command), request_id}})[0];
  }

  // One command from a caller that may act only at `scope` (a store token's stores).
  Completion DoAt(std::vector<std::string> scope, Command command) {
    Completion out;
    std::vector<Submission> batch(1);
    batch[0].context = {"r" + std::to_string(++next_request_), Fingerprint(command), "Test",
                        "till"};
    batch[0].context.scope.emplace(scope.begin(), scope.end());
    batch[0].command = std::move(command);
    batch[0].encode = [](const Reply& reply) { return Describe(reply); };
    batch[0].done = [&out](Completion c) { out = std::move(c); };
    last_stats_ = engine_->Run(batch);
    return out;
  }

  StockLevel Level(const std::string& sku, const std::string& location) {
    return view_->Read([&](const CommittedData& d) {
      auto it = d.stock.find({Sku(sku), LocationId(location)});
      return it == d.stock.end() ? StockLevel{} : it->second;
    });
  }

  void AddLocation(const std::string& id, bool ship = true, bool pickup = true) {
    Location l{LocationId(id), id, LocationKind::kStore, ship, pickup, true, {}};
    ASSERT_TRUE(Do(UpsertLocation{l}).status.ok());
  }
  void Receive(const std::string& sku, const std::string& loc, int64_t q) {
    Completion c =
        Do(AdjustStock{{Sku(sku), LocationId(loc)}, q, MovementReason::kReceived, "", {}});
    ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  }

  // A stable text form of a reply, used as the "encoded response".
  static std::string Describe(const Reply& reply) {
    return std::visit(
        [](const auto& r) -> std::string {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<T, StockReply>) {
            return "stock " + std::to_string(r.level.on_hand) + "/" +
                   std::to_string(r.level.reserved) + " v" + std::to_string(r.level.version);
          } else if constexpr (std::is_same_v<T, ReservationReply>) {
            return "reservation " + r.reservation.id.str();
          } else if constexpr (std::is_same_v<T, OrderReply>) {
            return "order " + r.order.id.str();
          } else if constexpr (std::is_same_v<T, ReturnReply>) {
            return "return " + r.ret.id.str() + " " + ReturnStateName(r.ret.state);
          } else if constexpr (std::is_same_v<T, InboundReply>) {
            return fmt::format("inbound {} {} served={} moved={} at_risk={}", r.inbound.id.str(),
                               InboundStateName(r.inbound.state), r.served.size(), r.moved.size(),
                               r.at_risk.size());
          } else {
            return "ok";
          }
        },
        reply);
  }

  // Distinguishes commands for the idempotency check (the service layer hashes the proto).
  static uint64_t Fingerprint(const Command& c) {
    return std::hash<std::string>{}(std::to_string(c.index()) + "|" +
                                    std::visit([](const auto& x) { return Key(x); }, c));
  }
  template <typename T>
  static std::string Key(const T& x) {
    if constexpr (requires { x.delta; }) return std::to_string(x.delta);
    if constexpr (requires { x.quantity; }) return std::to_string(x.quantity);
    return "";
  }

  Duration inbound_grace_ = limits::kDefaultInboundGrace;  // set before Reopen()
  Factory factory_;
  Store* store_ = nullptr;  // what the engine runs on, for reading back what was stored
  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<SharedView> view_;
  std::unique_ptr<Engine> engine_;
  BatchStats last_stats_;
  int next_request_ = 0;
};

}  // namespace oms::testing

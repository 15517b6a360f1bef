// Inventory commands through the engine, run against BOTH the in-memory fake store and the
// SQLite adapter: the replies and ledger rows each command writes, compare-and-set,
// all-or-nothing commands, idempotency, and gap-free numbering of movements and events.
#include <gtest/gtest.h>

#include "domain/limits.h"

#include "tests/domain/engine_harness.h"

namespace oms::testing {
namespace {

// What is durable in each kind of store, read without the engine.
struct Ledger {
  std::vector<int64_t> movement_ids;
  std::vector<int64_t> event_sequences;
  int64_t requests = 0;
};

Ledger LedgerOf(MemoryStoreFactory& f) {
  Ledger l;
  for (const auto& m : f.kept->committed().movements) l.movement_ids.push_back(m.id);
  for (const auto& e : f.kept->committed().events) l.event_sequences.push_back(e.sequence);
  l.requests = static_cast<int64_t>(f.kept->committed().requests.size());
  return l;
}

Ledger LedgerOfDatabase(storage::Database& db) {
  Ledger l;
  storage::Statement& m = db.Prepare("SELECT movement_id FROM movements ORDER BY movement_id");
  while (m.Step()) l.movement_ids.push_back(m.Int(0));
  m.Reset();
  storage::Statement& e = db.Prepare("SELECT sequence FROM events ORDER BY sequence");
  while (e.Step()) l.event_sequences.push_back(e.Int(0));
  e.Reset();
  storage::Statement& r = db.Prepare("SELECT count(*) FROM requests");
  if (r.Step()) l.requests = r.Int(0);
  r.Reset();
  return l;
}

Ledger LedgerOf(SqliteStoreFactory& f) { return LedgerOfDatabase(f.store->db()); }
Ledger LedgerOf(PgStoreFactory& f) { return LedgerOfDatabase(f.store->db()); }

std::vector<int64_t> OneTo(int64_t n) {
  std::vector<int64_t> v;
  for (int64_t i = 1; i <= n; ++i) v.push_back(i);
  return v;
}

std::string MetadataOf(const Status& s, const std::string& key) {
  for (const auto& [k, v] : s.metadata()) {
    if (k == key) return v;
  }
  return "<absent>";
}

template <typename Factory>
class InventoryEngineTest : public ::testing::Test, public EngineHarness<Factory> {
 protected:
  struct Sent {
    Completion completion;
    std::optional<Reply> reply;  // set when the command was applied (not for a replay)
  };

  void SetUp() override {
    OMS_SKIP_UNAVAILABLE_BACKEND(Factory);
    this->AddLocation("s1");
    this->AddLocation("s2");
  }

  // One command in a batch of its own, with an explicit idempotency key and method.
  Sent Send(Command command, const std::string& request_id, const std::string& method = "M",
            uint64_t hash = 1) {
    Sent sent;
    std::vector<Submission> batch(1);
    batch[0].command = std::move(command);
    batch[0].context = {request_id, hash, method, "clerk-7"};
    batch[0].encode = [&sent](const Reply& reply) {
      sent.reply = reply;
      return std::string("reply#") + std::to_string(reply.index());
    };
    batch[0].done = [&sent](Completion c) { sent.completion = std::move(c); };
    this->last_stats_ = this->engine_->Run(batch);
    return sent;
  }
  Sent Send(Command command) { return Send(std::move(command), this->NextId()); }

  std::string NextId() { return "id-" + std::to_string(++ids_issued_); }

  static Command Adjust(const std::string& sku, const std::string& loc, int64_t delta,
                        MovementReason reason, std::optional<int64_t> expect = std::nullopt) {
    return AdjustStock{{Sku(sku), LocationId(loc)}, delta, reason, "note", expect};
  }
  static Command Reserve(const std::string& sku, const std::string& loc, int64_t q) {
    CreateReservation c;
    c.lines = {{Sku(sku), LocationId(loc), q}};
    c.ttl = std::chrono::minutes(5);
    return c;
  }

  Ledger DurableLedger() { return LedgerOf(this->factory_); }

  int ids_issued_ = 0;
};

using Stores = ::testing::Types<MemoryStoreFactory, SqliteStoreFactory, PgStoreFactory>;
TYPED_TEST_SUITE(InventoryEngineTest, Stores);

TYPED_TEST(InventoryEngineTest, Adjust_RecordsOneMovement_WithReasonReferenceRequestIdAndActor) {
  auto sent = this->Send(this->Adjust("a", "s1", 4, MovementReason::kFound), "adj-1");
  ASSERT_TRUE(sent.completion.status.ok()) << sent.completion.status.ToString();
  ASSERT_TRUE(sent.reply.has_value());
  const auto& reply = std::get<StockReply>(*sent.reply);
  ASSERT_TRUE(reply.movement.has_value());
  EXPECT_EQ(reply.movement->delta, 4);
  EXPECT_EQ(reply.movement->on_hand_after, 4);
  EXPECT_EQ(reply.movement->reason, MovementReason::kFound);
  EXPECT_EQ(reply.movement->reference, "note");
  EXPECT_EQ(reply.movement->request_id, "adj-1");
  EXPECT_EQ(reply.movement->actor, "clerk-7");
  EXPECT_EQ(reply.movement->created_at, this->clock_.Now());
  EXPECT_EQ(reply.level.version, 1);
}

TYPED_TEST(InventoryEngineTest, Adjust_Correction_BelowReserved_ReportsTheShortfall) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Send(this->Reserve("a", "s1", 4)).completion.status.ok());
  auto sent = this->Send(this->Adjust("a", "s1", -3, MovementReason::kCorrection));
  ASSERT_TRUE(sent.completion.status.ok()) << sent.completion.status.ToString();
  const auto& reply = std::get<StockReply>(*sent.reply);
  EXPECT_EQ(reply.level.on_hand, 2);
  EXPECT_EQ(reply.level.reserved, 4);
  EXPECT_EQ(reply.shortfall, 2);
}

TYPED_TEST(InventoryEngineTest, Adjust_Insufficient_ReportsRequestedAndAvailable) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Send(this->Reserve("a", "s1", 2)).completion.status.ok());
  Status s = this->Send(this->Adjust("a", "s1", -4, MovementReason::kDamaged)).completion.status;
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.reason(), "INSUFFICIENT_STOCK");
  EXPECT_EQ(MetadataOf(s, "sku"), "a");
  EXPECT_EQ(MetadataOf(s, "location"), "s1");
  EXPECT_EQ(MetadataOf(s, "requested"), "4");
  EXPECT_EQ(MetadataOf(s, "available"), "3");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
}

TYPED_TEST(InventoryEngineTest, Adjust_BelowZero_IsRefusedEvenForACorrection) {
  this->Receive("a", "s1", 2);
  Status s = this->Send(this->Adjust("a", "s1", -3, MovementReason::kCorrection)).completion.status;
  EXPECT_EQ(s.reason(), "INSUFFICIENT_STOCK");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 2);
}

TYPED_TEST(InventoryEngineTest, Adjust_PastMaxOnHand_IsInvalidArgument_AndChangesNothing) {
  ASSERT_TRUE(this->Send(SetStock{{Sku("a"), LocationId("s1")}, limits::kMaxOnHand, "", {}})
                  .completion.status.ok());
  Status s = this->Send(this->Adjust("a", "s1", 1, MovementReason::kReceived)).completion.status;
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(this->Level("a", "s1").on_hand, limits::kMaxOnHand);
}

TYPED_TEST(InventoryEngineTest, Adjust_CompareAndSetMismatch_ReportsTheCurrentOnHandAndVersion) {
  this->Receive("a", "s1", 5);
  Status s = this->Send(this->Adjust("a", "s1", 1, MovementReason::kFound, 4)).completion.status;
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_EQ(s.reason(), "VERSION_MISMATCH");
  EXPECT_EQ(MetadataOf(s, "on_hand"), "5");
  EXPECT_EQ(MetadataOf(s, "expected_on_hand"), "4");
  EXPECT_EQ(MetadataOf(s, "version"), "1");
}

TYPED_TEST(InventoryEngineTest, Adjust_CompareAndSet_OnANeverStockedSku_ExpectsZero) {
  EXPECT_TRUE(this->Send(this->Adjust("new", "s1", 3, MovementReason::kReceived, 0))
                  .completion.status.ok());
  EXPECT_EQ(this->Level("new", "s1").on_hand, 3);
}

TYPED_TEST(InventoryEngineTest, CompareAndSet_InOneBatch_SeesTheEarlierCommand) {
  this->Receive("a", "s1", 5);
  auto out = this->RunBatch({{this->Adjust("a", "s1", 1, MovementReason::kFound, 5), "cas-1"},
                             {this->Adjust("a", "s1", 1, MovementReason::kFound, 5), "cas-2"},
                             {this->Adjust("a", "s1", 1, MovementReason::kFound, 6), "cas-3"}});
  EXPECT_TRUE(out[0].status.ok());
  EXPECT_EQ(out[1].status.reason(), "VERSION_MISMATCH");
  EXPECT_TRUE(out[2].status.ok());
  EXPECT_EQ(this->Level("a", "s1").on_hand, 7);
}

TYPED_TEST(InventoryEngineTest, SetStock_WritesACountMovementOfTheDifference) {
  this->Receive("a", "s1", 5);
  auto sent = this->Send(SetStock{{Sku("a"), LocationId("s1")}, 2, "cycle count", {}});
  ASSERT_TRUE(sent.completion.status.ok());
  const auto& reply = std::get<StockReply>(*sent.reply);
  ASSERT_TRUE(reply.movement.has_value());
  EXPECT_EQ(reply.movement->delta, -3);
  EXPECT_EQ(reply.movement->reason, MovementReason::kCount);
  EXPECT_EQ(reply.movement->reference, "cycle count");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 2);
}

TYPED_TEST(InventoryEngineTest, SetStock_CompareAndSetMismatch_IsAborted_AndChangesNothing) {
  this->Receive("a", "s1", 5);
  Status s = this->Send(SetStock{{Sku("a"), LocationId("s1")}, 9, "", 4}).completion.status;
  EXPECT_EQ(s.code(), Code::kAborted);
  EXPECT_EQ(s.reason(), "VERSION_MISMATCH");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
}

TYPED_TEST(InventoryEngineTest, SetStock_BelowReserved_ReportsTheShortfall) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Send(this->Reserve("a", "s1", 4)).completion.status.ok());
  auto sent = this->Send(SetStock{{Sku("a"), LocationId("s1")}, 1, "", {}});
  ASSERT_TRUE(sent.completion.status.ok());
  EXPECT_EQ(std::get<StockReply>(*sent.reply).shortfall, 3);
}

TYPED_TEST(InventoryEngineTest, SetStock_AtAnUnknownLocation_IsNotFound) {
  EXPECT_EQ(this->Send(SetStock{{Sku("a"), LocationId("zz")}, 1, "", {}}).completion.status.code(),
            Code::kNotFound);
}

TYPED_TEST(InventoryEngineTest, Transfer_WritesAnOutAndAnInMovement_UnderOneReference) {
  this->Receive("a", "s1", 5);
  auto sent = this->Send(TransferStock{Sku("a"), LocationId("s1"), LocationId("s2"), 2, ""});
  ASSERT_TRUE(sent.completion.status.ok());
  const auto& reply = std::get<TransferReply>(*sent.reply);
  EXPECT_EQ(reply.out.delta, -2);
  EXPECT_EQ(reply.out.reason, MovementReason::kTransferOut);
  EXPECT_EQ(reply.in.delta, 2);
  EXPECT_EQ(reply.in.reason, MovementReason::kTransferIn);
  EXPECT_EQ(reply.out.reference, reply.in.reference);
  EXPECT_FALSE(reply.out.reference.empty());
  EXPECT_EQ(reply.in.id, reply.out.id + 1);
  EXPECT_EQ(reply.from.on_hand + reply.to.on_hand, 5);
}

TYPED_TEST(InventoryEngineTest, Transfer_ToAnUnknownLocation_MovesNothing) {
  this->Receive("a", "s1", 5);
  Ledger before = this->DurableLedger();
  Status s = this->Send(TransferStock{Sku("a"), LocationId("s1"), LocationId("zz"), 2, ""})
                 .completion.status;
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
  EXPECT_EQ(this->DurableLedger().movement_ids, before.movement_ids);
}

TYPED_TEST(InventoryEngineTest, Transfer_OfReservedUnits_IsRefusedWhole) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Send(this->Reserve("a", "s1", 3)).completion.status.ok());
  Status s = this->Send(TransferStock{Sku("a"), LocationId("s1"), LocationId("s2"), 3, ""})
                 .completion.status;
  EXPECT_EQ(s.reason(), "INSUFFICIENT_STOCK");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 5);
  EXPECT_EQ(this->Level("a", "s2").version, 0);  // no row was created at the destination
}

TYPED_TEST(InventoryEngineTest, SetSafetyStock_AtAnUnknownLocation_IsNotFound) {
  EXPECT_EQ(this->Send(SetSafetyStock{{Sku("a"), LocationId("zz")}, 1}).completion.status.code(),
            Code::kNotFound);
}

TYPED_TEST(InventoryEngineTest, SetSafetyStock_ToItsCurrentValue_WritesNothing) {
  this->Receive("a", "s1", 5);
  ASSERT_TRUE(this->Send(SetSafetyStock{{Sku("a"), LocationId("s1")}, 2}).completion.status.ok());
  int64_t version = this->Level("a", "s1").version;
  Ledger before = this->DurableLedger();
  ASSERT_TRUE(this->Send(SetSafetyStock{{Sku("a"), LocationId("s1")}, 2}).completion.status.ok());
  EXPECT_EQ(this->Level("a", "s1").version, version);
  EXPECT_EQ(this->DurableLedger().event_sequences, before.event_sequences);
}

TYPED_TEST(InventoryEngineTest, Import_IsAllOrNothing_WhenARowNamesAnUnknownLocation) {
  ImportStock c{{{{Sku("a"), LocationId("s1")}, 4}, {{Sku("b"), LocationId("zz")}, 4}}, "file"};
  Status s = this->Send(c).completion.status;
  EXPECT_EQ(s.code(), Code::kNotFound);
  ASSERT_FALSE(s.violations().empty());
  EXPECT_EQ(s.violations()[0].field, "rows[1].location_id");
  EXPECT_EQ(this->Level("a", "s1").version, 0);
  EXPECT_TRUE(this->DurableLedger().movement_ids.empty());
}

TYPED_TEST(InventoryEngineTest, Import_CountsOnlyTheRowsThatChange) {
  this->Receive("a", "s1", 4);
  ImportStock c{{{{Sku("a"), LocationId("s1")}, 4}, {{Sku("b"), LocationId("s1")}, 6}}, "file"};
  auto sent = this->Send(c);
  ASSERT_TRUE(sent.completion.status.ok());
  const auto& reply = std::get<ImportReply>(*sent.reply);
  EXPECT_EQ(reply.rows, 2);
  EXPECT_EQ(reply.changed, 1);
  EXPECT_EQ(this->Level("b", "s1").on_hand, 6);
}

TYPED_TEST(InventoryEngineTest, UpsertGroup_WithAnUnknownMember_IsNotFound_AndStoresNothing) {
  Status s =
      this->Send(UpsertGroup{GroupId("g"), {LocationId("s1"), LocationId("zz")}}).completion.status;
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_TRUE(this->view_->Read([](const CommittedData& d) { return d.groups.empty(); }));
}

TYPED_TEST(InventoryEngineTest, UpsertLocation_ReportsCreatedOnlyTheFirstTime) {
  Location l{LocationId("s9"), "nine", LocationKind::kWarehouse, true, false, true, {}};
  auto first = this->Send(UpsertLocation{l});
  l.name = "renamed";
  auto second = this->Send(UpsertLocation{l});
  ASSERT_TRUE(first.reply && second.reply);
  EXPECT_TRUE(std::get<LocationReply>(*first.reply).created);
  EXPECT_FALSE(std::get<LocationReply>(*second.reply).created);
  EXPECT_EQ(this->view_->Read(
                [](const CommittedData& d) { return d.locations.at(LocationId("s9")).name; }),
            "renamed");
}

// --- idempotency -----------------------------------------------------------------------------

TYPED_TEST(InventoryEngineTest, Replay_ReturnsTheStoredResponse_AndWritesNothing) {
  auto first = this->Send(this->Adjust("a", "s1", 3, MovementReason::kReceived), "same");
  ASSERT_TRUE(first.completion.status.ok());
  Ledger before = this->DurableLedger();
  StockLevel level = this->Level("a", "s1");
  auto again = this->Send(this->Adjust("a", "s1", 3, MovementReason::kReceived), "same");
  ASSERT_TRUE(again.completion.status.ok());
  EXPECT_TRUE(again.completion.replayed);
  EXPECT_FALSE(again.reply.has_value());  // not applied again
  EXPECT_EQ(again.completion.response, first.completion.response);
  EXPECT_EQ(this->Level("a", "s1"), level);
  Ledger after = this->DurableLedger();
  EXPECT_EQ(after.movement_ids, before.movement_ids);
  EXPECT_EQ(after.event_sequences, before.event_sequences);
  EXPECT_EQ(after.requests, before.requests);
}

TYPED_TEST(InventoryEngineTest, Replay_AfterARestart_StillReturnsTheStoredResponse) {
  auto first = this->Send(this->Adjust("a", "s1", 3, MovementReason::kReceived), "durable");
  this->Reopen();
  auto again = this->Send(this->Adjust("a", "s1", 3, MovementReason::kReceived), "durable");
  ASSERT_TRUE(again.completion.status.ok());
  EXPECT_TRUE(again.completion.replayed);
  EXPECT_EQ(again.completion.response, first.completion.response);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 3);
}

TYPED_TEST(InventoryEngineTest, ReusedRequestId_WithAnotherPayload_IsRequestIdReused) {
  ASSERT_TRUE(this->Send(this->Adjust("a", "s1", 3, MovementReason::kReceived), "k", "M", 1)
                  .completion.status.ok());
  Status s = this->Send(this->Adjust("a", "s1", 4, MovementReason::kReceived), "k", "M", 2)
                 .completion.status;
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.reason(), "REQUEST_ID_REUSED");
  ASSERT_FALSE(s.violations().empty());
  EXPECT_EQ(s.violations()[0].field, "request_id");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 3);
}

TYPED_TEST(InventoryEngineTest, ReusedRequestId_ForAnotherMethod_IsRequestIdReused) {
  ASSERT_TRUE(
      this->Send(this->Adjust("a", "s1", 3, MovementReason::kReceived), "k", "AdjustStock", 7)
          .completion.status.ok());
  Status s = this->Send(SetStock{{Sku("a"), LocationId("s1")}, 9, "", {}}, "k", "SetStock", 7)
                 .completion.status;
  EXPECT_EQ(s.reason(), "REQUEST_ID_REUSED");
  EXPECT_EQ(this->Level("a", "s1").on_hand, 3);
}

TYPED_TEST(InventoryEngineTest, FailedCommand_IsNotRemembered_SoItsRetryRunsAgain) {
  Status first =
      this->Send(this->Adjust("a", "s1", -2, MovementReason::kSold), "sale").completion.status;
  ASSERT_EQ(first.reason(), "INSUFFICIENT_STOCK");
  this->Receive("a", "s1", 5);
  auto retry = this->Send(this->Adjust("a", "s1", -2, MovementReason::kSold), "sale");
  EXPECT_TRUE(retry.completion.status.ok()) << retry.completion.status.ToString();
  EXPECT_FALSE(retry.completion.replayed);
  EXPECT_EQ(this->Level("a", "s1").on_hand, 3);
}

// --- numbering -------------------------------------------------------------------------------

TYPED_TEST(InventoryEngineTest, MovementsAndEvents_AreNumberedWithoutGaps_AroundFailedCommands) {
  this->Receive("a", "s1", 2);  // the fixture's two locations wrote events 1 and 2
  this->RunBatch({{this->Adjust("a", "s1", 1, MovementReason::kFound), "n1"},
                  {this->Adjust("a", "s1", -9, MovementReason::kLost), "n2"},  // refused
                  {TransferStock{Sku("a"), LocationId("s1"), LocationId("zz"), 1, ""}, "n3"},
                  {this->Adjust("a", "s2", 1, MovementReason::kFound), "n4"}});
  this->Send(this->Adjust("a", "s1", -9, MovementReason::kLost));  // refused, alone
  this->Send(TransferStock{Sku("a"), LocationId("s1"), LocationId("s2"), 1, ""});
  Ledger ledger = this->DurableLedger();
  EXPECT_EQ(ledger.movement_ids, OneTo(5));
  EXPECT_EQ(ledger.event_sequences, OneTo(7));
  EXPECT_EQ(this->engine_->state().last_sequence(), 7);
  EXPECT_EQ(this->engine_->state().last_movement_id(), 5);
}

}  // namespace
}  // namespace oms::testing

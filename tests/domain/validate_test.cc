// Input validation against limits.h, one rule per test: ids, free text, quantities, the sign
// of a delta against its reason, and the per-command checks. A violation names the API field.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include "domain/limits.h"
#include "domain/validate.h"

namespace oms {
namespace {

std::string FieldOf(const Status& s) {
  return s.violations().empty() ? "" : s.violations().front().field;
}

AdjustStock Adjust(int64_t delta, MovementReason reason = MovementReason::kCorrection) {
  return AdjustStock{{Sku("a"), LocationId("s1")}, delta, reason, "", {}};
}

// --- ids -------------------------------------------------------------------------------------

class BadIdTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BadIdTest, ValidateId_RejectsIt_NamingTheField) {
  Status s = ValidateId("location_id", GetParam());
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "location_id");
}

TEST_P(BadIdTest, AdjustStock_WithItAsSku_IsRejectedNamingSku) {
  AdjustStock c = Adjust(1);
  c.key.sku = Sku(GetParam());
  EXPECT_EQ(FieldOf(Validate(c)), "sku");
}

TEST_P(BadIdTest, UpsertLocation_WithItAsId_IsRejectedNamingLocationId) {
  UpsertLocation c{{LocationId(GetParam()), "n", LocationKind::kStore, true, true, true, {}}};
  EXPECT_EQ(FieldOf(Validate(c)), "location.location_id");
}

TEST_P(BadIdTest, ValidateRequestId_RejectsIt) {
  EXPECT_EQ(FieldOf(ValidateRequestId(GetParam())), "request_id");
}

INSTANTIATE_TEST_SUITE_P(Ids, BadIdTest,
                         ::testing::Values(std::string(), std::string(129, 'x'), "a b", "tab\tbed",
                                           std::string("nul\0x", 5), "\x01", "del\x7f",
                                           "caf\xc3\xa9", "new\nline"),
                         [](const auto& info) { return "Case" + std::to_string(info.index); });

TEST(ValidateId, AcceptsPrintableAsciiUpTo128Characters) {
  EXPECT_TRUE(ValidateId("f", "SKU-1_a.b:c/d#e").ok());
  EXPECT_TRUE(ValidateId("f", std::string(128, '~')).ok());
  EXPECT_TRUE(ValidateId("f", "!").ok());
}

// --- text ------------------------------------------------------------------------------------

TEST(ValidateText, AcceptsEmptyAndUtf8Text) {
  EXPECT_TRUE(ValidateText("reference", "").ok());
  EXPECT_TRUE(ValidateText("reference", "Lieferschein Nr. 12 \xc3\xa4").ok());
}

TEST(ValidateText, RejectsMoreThan256Bytes) {
  EXPECT_TRUE(ValidateText("reference", std::string(256, 'x')).ok());
  EXPECT_EQ(FieldOf(ValidateText("reference", std::string(257, 'x'))), "reference");
}

TEST(ValidateText, RejectsControlCharacters) {
  EXPECT_FALSE(ValidateText("reference", "line\nbreak").ok());
  EXPECT_FALSE(ValidateText("reference", std::string("nul\0", 4)).ok());
  EXPECT_FALSE(ValidateText("reference", "del\x7f").ok());
}

TEST(ValidateAdjust, OverlongReference_IsRejectedNamingReference) {
  AdjustStock c = Adjust(1);
  c.reference = std::string(257, 'r');
  EXPECT_EQ(FieldOf(Validate(c)), "reference");
}

// --- AdjustStock -----------------------------------------------------------------------------

TEST(ValidateAdjust, ZeroDelta_IsRejected) { EXPECT_EQ(FieldOf(Validate(Adjust(0))), "delta"); }

TEST(ValidateAdjust, DeltaBeyondMaxQuantity_IsRejectedEitherWay) {
  EXPECT_TRUE(Validate(Adjust(limits::kMaxQuantity)).ok());
  EXPECT_TRUE(Validate(Adjust(-limits::kMaxQuantity)).ok());
  EXPECT_EQ(FieldOf(Validate(Adjust(limits::kMaxQuantity + 1))), "delta");
  EXPECT_EQ(FieldOf(Validate(Adjust(-limits::kMaxQuantity - 1))), "delta");
  EXPECT_EQ(FieldOf(Validate(Adjust(INT64_MIN))), "delta");
  EXPECT_EQ(FieldOf(Validate(Adjust(INT64_MAX))), "delta");
}

class AddingReasonTest : public ::testing::TestWithParam<MovementReason> {};

TEST_P(AddingReasonTest, AcceptsAPositiveDelta_RejectsANegativeOne) {
  EXPECT_TRUE(Validate(Adjust(2, GetParam())).ok());
  EXPECT_EQ(FieldOf(Validate(Adjust(-2, GetParam()))), "delta");
}

INSTANTIATE_TEST_SUITE_P(Reasons, AddingReasonTest,
                         ::testing::Values(MovementReason::kReceived, MovementReason::kReturned,
                                           MovementReason::kFound),
                         [](const auto& info) { return MovementReasonName(info.param); });

class RemovingReasonTest : public ::testing::TestWithParam<MovementReason> {};

TEST_P(RemovingReasonTest, AcceptsANegativeDelta_RejectsAPositiveOne) {
  EXPECT_TRUE(Validate(Adjust(-2, GetParam())).ok());
  EXPECT_EQ(FieldOf(Validate(Adjust(2, GetParam()))), "delta");
}

INSTANTIATE_TEST_SUITE_P(Reasons, RemovingReasonTest,
                         ::testing::Values(MovementReason::kSold, MovementReason::kDamaged,
                                           MovementReason::kLost),
                         [](const auto& info) { return MovementReasonName(info.param); });

TEST(ValidateAdjust, Correction_AcceptsEitherSign) {
  EXPECT_TRUE(Validate(Adjust(3, MovementReason::kCorrection)).ok());
  EXPECT_TRUE(Validate(Adjust(-3, MovementReason::kCorrection)).ok());
}

class ReservedReasonTest : public ::testing::TestWithParam<MovementReason> {};

TEST_P(ReservedReasonTest, IsNotAcceptedByAdjustStock) {
  EXPECT_EQ(FieldOf(Validate(Adjust(1, GetParam()))), "reason");
  EXPECT_EQ(FieldOf(Validate(Adjust(-1, GetParam()))), "reason");
}

INSTANTIATE_TEST_SUITE_P(Reasons, ReservedReasonTest,
                         ::testing::Values(MovementReason::kCount, MovementReason::kTransferOut,
                                           MovementReason::kTransferIn),
                         [](const auto& info) { return MovementReasonName(info.param); });

TEST(ValidateAdjust, NegativeExpectedOnHand_IsRejected) {
  AdjustStock c = Adjust(1);
  c.expected_on_hand = -1;
  EXPECT_EQ(FieldOf(Validate(c)), "expected_on_hand");
  c.expected_on_hand = 0;
  EXPECT_TRUE(Validate(c).ok());
}

// --- SetStock, SetSafetyStock, TransferStock ---------------------------------------------------

TEST(ValidateSetStock, OnHandMustBeBetweenZeroAndMaxOnHand) {
  SetStock c{{Sku("a"), LocationId("s1")}, 0, "", {}};
  EXPECT_TRUE(Validate(c).ok());
  c.on_hand = limits::kMaxOnHand;
  EXPECT_TRUE(Validate(c).ok());
  c.on_hand = -1;
  EXPECT_EQ(FieldOf(Validate(c)), "on_hand");
  c.on_hand = limits::kMaxOnHand + 1;
  EXPECT_EQ(FieldOf(Validate(c)), "on_hand");
}

TEST(ValidateSetStock, ExpectedOnHandAboveMax_IsRejected) {
  SetStock c{{Sku("a"), LocationId("s1")}, 1, "", limits::kMaxOnHand + 1};
  EXPECT_EQ(FieldOf(Validate(c)), "expected_on_hand");
}

TEST(ValidateSafetyStock, MustBeBetweenZeroAndMaxQuantity) {
  SetSafetyStock c{{Sku("a"), LocationId("s1")}, 0};
  EXPECT_TRUE(Validate(c).ok());
  c.safety_stock = -1;
  EXPECT_EQ(FieldOf(Validate(c)), "safety_stock");
  c.safety_stock = limits::kMaxQuantity + 1;
  EXPECT_EQ(FieldOf(Validate(c)), "safety_stock");
}

TEST(ValidateTransfer, QuantityMustBePositiveAndAtMostMaxQuantity) {
  TransferStock c{Sku("a"), LocationId("x"), LocationId("y"), 1, ""};
  EXPECT_TRUE(Validate(c).ok());
  for (int64_t bad : {int64_t{0}, int64_t{-1}, limits::kMaxQuantity + 1, INT64_MIN}) {
    c.quantity = bad;
    EXPECT_EQ(FieldOf(Validate(c)), "quantity") << bad;
  }
}

TEST(ValidateTransfer, ToTheSameLocation_IsRejectedNamingTheDestination) {
  EXPECT_EQ(FieldOf(Validate(TransferStock{Sku("a"), LocationId("x"), LocationId("x"), 1, ""})),
            "to_location_id");
}

TEST(ValidateTransfer, BadSourceId_IsRejectedNamingFromLocationId) {
  EXPECT_EQ(FieldOf(Validate(TransferStock{Sku("a"), LocationId(""), LocationId("y"), 1, ""})),
            "from_location_id");
}

// --- ImportStock -----------------------------------------------------------------------------

ImportStock::Row Row(const std::string& sku, const std::string& location, int64_t on_hand) {
  return {{Sku(sku), LocationId(location)}, on_hand};
}

TEST(ValidateImport, NoRows_IsRejected) { EXPECT_EQ(FieldOf(Validate(ImportStock{})), "rows"); }

TEST(ValidateImport, MoreThanMaxImportRows_IsRejected) {
  ImportStock c;
  for (int i = 0; i <= limits::kMaxImportRows; ++i)
    c.rows.push_back(Row(std::to_string(i), "s", 1));
  EXPECT_EQ(FieldOf(Validate(c)), "rows");
  c.rows.pop_back();
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ValidateImport, TheSameSkuAndLocationTwice_IsRejectedAtTheSecondRow) {
  ImportStock c{{Row("a", "s1", 1), Row("a", "s2", 1), Row("a", "s1", 2)}, ""};
  EXPECT_EQ(FieldOf(Validate(c)), "rows[2].sku");
}

TEST(ValidateImport, KeysThatOnlyLookAlikeWhenConcatenated_AreNotDuplicates) {
  ImportStock c{{Row("ab", "c", 1), Row("a", "bc", 1)}, ""};
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ValidateImport, NegativeOnHand_IsRejectedNamingTheRow) {
  ImportStock c{{Row("a", "s1", 1), Row("b", "s1", -1)}, ""};
  EXPECT_EQ(FieldOf(Validate(c)), "rows[1].on_hand");
}

TEST(ValidateImport, BadLocationId_IsRejectedNamingTheRow) {
  ImportStock c{{Row("a", "s 1", 1)}, ""};
  EXPECT_EQ(FieldOf(Validate(c)), "rows[0].location_id");
}

// --- locations and groups --------------------------------------------------------------------

TEST(ValidateLocation, NameWithAControlCharacter_IsRejected) {
  UpsertLocation c{{LocationId("s1"), "bad\nname", LocationKind::kStore, true, true, true, {}}};
  EXPECT_EQ(FieldOf(Validate(c)), "location.name");
}

TEST(ValidateGroup, DuplicateMember_IsRejectedAtItsIndex) {
  UpsertGroup c{GroupId("g"), {LocationId("a"), LocationId("b"), LocationId("a")}};
  EXPECT_EQ(FieldOf(Validate(c)), "location_ids[2]");
}

TEST(ValidateGroup, MoreThanMaxMembers_IsRejected) {
  UpsertGroup c{GroupId("g"), {}};
  for (int i = 0; i <= limits::kMaxGroupMembers; ++i) c.members.emplace_back(fmt::format("m{}", i));
  EXPECT_EQ(FieldOf(Validate(c)), "location_ids");
}

TEST(ValidateGroup, NoMembers_IsAllowed) {
  EXPECT_TRUE(Validate(UpsertGroup{GroupId("g"), {}}).ok());
}

TEST(ValidateGroup, BadGroupId_IsRejected) {
  EXPECT_EQ(FieldOf(Validate(UpsertGroup{GroupId(""), {}})), "group_id");
}

// --- pages -----------------------------------------------------------------------------------

// --- returns ---------------------------------------------------------------------------------

CreateReturn AReturn() {
  CreateReturn c;
  c.order_id = OrderId("ord_1");
  c.location = LocationId("s1");
  c.lines = {{Sku("a"), 1, Disposition::kInspect}};
  return c;
}

TEST(ValidateReturn, AWellFormedReturn_IsAccepted) {
  EXPECT_TRUE(Validate(AReturn()).ok());
  CreateReturn c = AReturn();
  c.order_id = OrderId();
  c.reservation_id = ReservationId("res_1");
  c.customer = CustomerId("web-1");
  EXPECT_TRUE(Validate(c).ok());
}

TEST(ValidateReturn, NamesExactlyOneSale) {
  CreateReturn none = AReturn();
  none.order_id = OrderId();
  EXPECT_EQ(FieldOf(Validate(none)), "order_id");
  CreateReturn both = AReturn();
  both.reservation_id = ReservationId("res_1");
  EXPECT_EQ(FieldOf(Validate(both)), "reservation_id");
}

TEST(ValidateReturn, EachFieldIsChecked) {
  CreateReturn c = AReturn();
  c.location = LocationId();
  EXPECT_EQ(FieldOf(Validate(c)), "location_id");
  c = AReturn();
  c.lines.clear();
  EXPECT_EQ(FieldOf(Validate(c)), "lines");
  c = AReturn();
  c.lines[0].quantity = 0;
  EXPECT_EQ(FieldOf(Validate(c)), "lines[0].quantity");
  c = AReturn();
  c.lines.push_back({Sku(""), 1, Disposition::kRestock});
  EXPECT_EQ(FieldOf(Validate(c)), "lines[1].sku");
  c = AReturn();
  c.lines[0].disposition = static_cast<Disposition>(0);
  EXPECT_EQ(FieldOf(Validate(c)), "lines[0].disposition");
  c = AReturn();
  c.customer = CustomerId("with space");
  EXPECT_EQ(FieldOf(Validate(c)), "customer_id");
  c = AReturn();
  c.reason = std::string(limits::kMaxTextLength + 1, 'x');
  EXPECT_EQ(FieldOf(Validate(c)), "reason");
  c = AReturn();
  c.lines.assign(limits::kMaxLines + 1, {Sku("a"), 1, Disposition::kRestock});
  EXPECT_EQ(FieldOf(Validate(c)), "lines");
}

TEST(ValidateReturn, Resolve_TakesRestockOrDamaged_NeverInspect) {
  ResolveReturn r{ReturnId("ret_1"),
                  {{Sku("a"), 1, Disposition::kRestock}, {Sku("a"), 1, Disposition::kDamaged}}};
  EXPECT_TRUE(Validate(r).ok());
  r.lines[1].disposition = Disposition::kInspect;
  EXPECT_EQ(FieldOf(Validate(r)), "lines[1].disposition");
  r.id = ReturnId();
  EXPECT_EQ(FieldOf(Validate(r)), "return_id");
}

ExpectInbound GoodInbound() {
  return {InboundId("PO-1"), LocationId("s1"), FromMicros(1'800'000'000'000'000), {{Sku("a"), 5}}};
}

TEST(ValidateInbound, AWellFormedInbound_IsAccepted) {
  EXPECT_TRUE(Validate(GoodInbound()).ok());
  EXPECT_TRUE(Validate(ReceiveInbound{InboundId("PO-1"), {{Sku("a"), 1}}}).ok());
}

TEST(ValidateInbound, EachFieldIsChecked) {
  ExpectInbound c = GoodInbound();
  c.id = InboundId("");
  EXPECT_EQ(FieldOf(Validate(c)), "inbound_id");
  c = GoodInbound();
  c.location = LocationId("has space");
  EXPECT_EQ(FieldOf(Validate(c)), "location_id");
  c = GoodInbound();
  c.expected_at = Timestamp();
  EXPECT_EQ(FieldOf(Validate(c)), "expected_at");
  c = GoodInbound();
  c.lines.clear();
  EXPECT_EQ(FieldOf(Validate(c)), "lines");
  c = GoodInbound();
  c.lines.push_back({Sku("b"), 0});
  EXPECT_EQ(FieldOf(Validate(c)), "lines[1].quantity");
  c = GoodInbound();
  c.lines.assign(limits::kMaxInboundLines + 1, {Sku("a"), 1});
  EXPECT_EQ(FieldOf(Validate(c)), "lines");
  EXPECT_EQ(FieldOf(Validate(RescheduleInbound{InboundId("PO-1"), Timestamp()})), "expected_at");
  EXPECT_EQ(FieldOf(Validate(CancelInbound{InboundId("PO-1"), std::string("\x01")})), "reason");
  EXPECT_EQ(FieldOf(Validate(ReceiveInbound{InboundId("PO-1"), {{Sku(""), 1}}})), "lines[0].sku");
}

TEST(ValidatePreorder, TtlUpTo180Days_OnlyWithPromiseBy) {
  CreateReservation c;
  c.lines = {{Sku("a"), LocationId("s1"), 1}};
  c.ttl = std::chrono::hours(24 * 30);
  EXPECT_EQ(FieldOf(Validate(c)), "ttl");
  c.promise_by = FromMicros(1'800'000'000'000'000);
  EXPECT_TRUE(Validate(c).ok());
  c.ttl = std::chrono::hours(24 * 181);
  EXPECT_EQ(FieldOf(Validate(c)), "ttl");
  c.ttl = std::chrono::hours(1);
  c.promise_by = Timestamp();
  EXPECT_EQ(FieldOf(Validate(c)), "promise_by");
}

TEST(ValidatePageSize, ZeroMeansTheDefault) {
  ASSERT_TRUE(ValidatePageSize(0).ok());
  EXPECT_EQ(*ValidatePageSize(0), limits::kDefaultPageSize);
}

TEST(ValidatePageSize, RejectsNegativeAndAboveTheMaximum) {
  EXPECT_EQ(FieldOf(ValidatePageSize(-1).status()), "page_size");
  EXPECT_EQ(FieldOf(ValidatePageSize(limits::kMaxPageSize + 1).status()), "page_size");
  EXPECT_EQ(*ValidatePageSize(limits::kMaxPageSize), limits::kMaxPageSize);
}

}  // namespace
}  // namespace oms

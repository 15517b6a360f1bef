// Paging: one helper reads page_size and page_token for every List RPC. A token the server
// did not issue — another list's, not hex, a cursor number that is not a number or overflows —
// is INVALID_ARGUMENT on page_token on every List RPC, never a crash or a silently odd page.
#include <gtest/gtest.h>

#include <functional>

#include "domain/limits.h"
#include "services/paging.h"
#include "tests/support/error_details.h"
#include "tests/support/live_server.h"

namespace oms::testing {
namespace {

using services::CursorField;
using services::EncodePageToken;
using services::PageRequest;

std::string ViolatedField(const Status& s) {
  return s.violations().empty() ? "" : s.violations().front().field;
}

TEST(PageRequest, WithoutAToken_IsTheFirstPageOfTheDefaultSize) {
  Result<PageRequest> page = PageRequest::Read("orders", 0, "", {CursorField::kNumber});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->first());
  EXPECT_EQ(page->size(), limits::kDefaultPageSize);
  EXPECT_EQ(page->fetch(), limits::kDefaultPageSize + 1);
}

TEST(PageRequest, ReadsBackTheCursorItsTokenCarries) {
  Result<PageRequest> first = PageRequest::Read("orders", 2, "", {});
  ASSERT_TRUE(first.ok());
  std::string token = first->Token({"1700000000000000", "ord with spaces"});
  Result<PageRequest> next =
      PageRequest::Read("orders", 2, token, {CursorField::kNumber, CursorField::kText});
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_FALSE(next->first());
  EXPECT_EQ(next->number(0), 1'700'000'000'000'000);
  EXPECT_EQ(next->text(1), "ord with spaces");
}

TEST(PageRequest, EmitsAPageAndATokenOnlyWhenMoreRowsFollow) {
  Result<PageRequest> page = PageRequest::Read("n", 2, "", {CursorField::kNumber});
  ASSERT_TRUE(page.ok());
  std::vector<int> added;
  std::string token;
  auto add = [&](int v) { added.push_back(v); };
  auto cursor = [](int v) { return services::Cursor{std::to_string(v)}; };
  page->Emit(std::vector<int>{1, 2}, add, cursor, &token);
  EXPECT_EQ(added, (std::vector<int>{1, 2}));
  EXPECT_TRUE(token.empty());
  added.clear();
  page->Emit(std::vector<int>{1, 2, 3}, add, cursor, &token);
  EXPECT_EQ(added, (std::vector<int>{1, 2}));
  Result<PageRequest> next = PageRequest::Read("n", 2, token, {CursorField::kNumber});
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->number(0), 2);
}

TEST(PageRequest, RejectsEveryForgedNumber_OnPageToken) {
  for (const char* cursor : {"", "ab", "12ab", "+5", "-5", " 5", "5 ", "0x10",
                             "99999999999999999999", "9223372036854775808"}) {
    Result<PageRequest> page = PageRequest::Read(
        "movements", 0, EncodePageToken("movements", cursor), {CursorField::kNumber});
    ASSERT_FALSE(page.ok()) << "cursor '" << cursor << "'";
    EXPECT_EQ(page.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(ViolatedField(page.status()), "page_token");
  }
}

TEST(PageRequest, RejectsACursorWithAFieldMissing_OnPageToken) {
  Result<PageRequest> page = PageRequest::Read("orders", 0, EncodePageToken("orders", "12345"),
                                               {CursorField::kNumber, CursorField::kText});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(ViolatedField(page.status()), "page_token");
}

TEST(PageRequest, RejectsATokenOfAnotherListOrNotHex_OnPageToken) {
  for (const std::string& token :
       {EncodePageToken("stock", "a"), std::string("zz"), std::string("abc")}) {
    Result<PageRequest> page = PageRequest::Read("locations", 0, token, {CursorField::kText});
    ASSERT_FALSE(page.ok()) << token;
    EXPECT_EQ(ViolatedField(page.status()), "page_token");
  }
}

TEST(PageRequest, RejectsAPageSizeOutOfRange_OnPageSize) {
  Result<PageRequest> page = PageRequest::Read("locations", limits::kMaxPageSize + 1, "", {});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(ViolatedField(page.status()), "page_size");
}

// Every List RPC, called with one page_token.
class ListRpcTokenTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.AddLocation("s1"); }

  using Call = std::function<grpc::Status(const std::string& token)>;
  struct Rpc {
    const char* name;
    const char* kind;  // the list's token kind
    bool numeric;      // its cursor starts with a number
    Call call;
  };

  std::vector<Rpc> Rpcs() {
    auto& s = server_;
    return {
        {"ListLocations", "locations", false,
         [&s](const std::string& t) {
           v1::ListLocationsRequest r;
           r.set_page_token(t);
           v1::ListLocationsResponse out;
           return s.locations().ListLocations(Ctx().get(), r, &out);
         }},
        {"ListLocationGroups", "groups", false,
         [&s](const std::string& t) {
           v1::ListLocationGroupsRequest r;
           r.set_page_token(t);
           v1::ListLocationGroupsResponse out;
           return s.locations().ListLocationGroups(Ctx().get(), r, &out);
         }},
        {"ListStock", "stock", false,
         [&s](const std::string& t) {
           v1::ListStockRequest r;
           r.set_location_id("s1");
           r.set_page_token(t);
           v1::ListStockResponse out;
           return s.inventory().ListStock(Ctx().get(), r, &out);
         }},
        {"ListMovements", "movements", true,
         [&s](const std::string& t) {
           v1::ListMovementsRequest r;
           r.set_page_token(t);
           v1::ListMovementsResponse out;
           return s.inventory().ListMovements(Ctx().get(), r, &out);
         }},
        {"ListReservations", "reservations1", true,
         [&s](const std::string& t) {
           v1::ListReservationsRequest r;
           r.set_page_token(t);
           v1::ListReservationsResponse out;
           return s.reservations().ListReservations(Ctx().get(), r, &out);
         }},
        {"ListOrders", "orders", true,
         [&s](const std::string& t) {
           v1::ListOrdersRequest r;
           r.set_customer_id("c1");
           r.set_page_token(t);
           v1::ListOrdersResponse out;
           return s.orders().ListOrders(Ctx().get(), r, &out);
         }},
    };
  }

  LiveServer server_;
};

TEST_F(ListRpcTokenTest, EveryListAcceptsAWellFormedTokenOfItsOwn) {
  for (const Rpc& rpc : Rpcs()) {
    std::string cursor = rpc.numeric ? "5 x" : "x";
    if (std::string(rpc.kind) == "movements") cursor = "5";
    grpc::Status s = rpc.call(EncodePageToken(rpc.kind, cursor));
    EXPECT_TRUE(s.ok()) << rpc.name << ": " << s.error_message();
  }
}

TEST_F(ListRpcTokenTest, EveryListRejectsATokenThatIsNotHexOrOfAnotherList_OnPageToken) {
  for (const Rpc& rpc : Rpcs()) {
    for (const std::string& token : {std::string("not-hex"), EncodePageToken("elsewhere", "1 x")}) {
      EXPECT_TRUE(IsError(rpc.call(token), grpc::INVALID_ARGUMENT, "", "page_token"))
          << rpc.name << " token " << token;
    }
  }
}

TEST_F(ListRpcTokenTest, EveryListWithANumericCursor_RejectsAForgedNumber_OnPageToken) {
  int checked = 0;
  for (const Rpc& rpc : Rpcs()) {
    if (!rpc.numeric) continue;
    ++checked;
    for (const char* number : {"abc", "12abc", "99999999999999999999", "-1", ""}) {
      std::string cursor = std::string(number) + " ord_x";
      if (std::string(rpc.kind) == "movements") cursor = number;
      EXPECT_TRUE(IsError(rpc.call(EncodePageToken(rpc.kind, cursor)), grpc::INVALID_ARGUMENT, "",
                          "page_token"))
          << rpc.name << " cursor '" << cursor << "'";
    }
    if (std::string(rpc.kind) != "movements") {
      EXPECT_TRUE(IsError(rpc.call(EncodePageToken(rpc.kind, "12345")), grpc::INVALID_ARGUMENT, "",
                          "page_token"))
          << rpc.name << ": a cursor without its id";
    }
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace oms::testing

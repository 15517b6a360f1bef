// The shared handler path: replies are unwrapped by type, checked, never by throwing.
#include <gtest/gtest.h>

#include "oms/v1/inventory_service.pb.h"
#include "services/backend.h"

namespace oms::testing {
namespace {

using services::EncodeReply;
using services::UnwrapReply;

TEST(UnwrapReply, ReturnsTheAlternativeTheCommandIsAnsweredWith) {
  StockReply stock;
  stock.shortfall = 3;
  Reply reply(stock);  // outlives the pointer UnwrapReply returns into it
  Result<const StockReply*> r = UnwrapReply<ReplyOf<AdjustStock>>(reply);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->shortfall, 3);
}

TEST(UnwrapReply, OfAnotherAlternative_IsInternal_NotAnException) {
  Reply reply(OrderReply{});
  Result<const StockReply*> r = UnwrapReply<StockReply>(reply);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
}

TEST(EncodeReply, OfAMismatchedReply_FailsWithoutCallingFill) {
  v1::AdjustStockResponse response;
  bool filled = false;
  std::function<void(const StockReply&)> fill = [&](const StockReply&) { filled = true; };
  Result<std::string> bytes = EncodeReply<StockReply>(Reply(ImportReply{}), &response, fill);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), Code::kInternal);
  EXPECT_FALSE(filled);
}

TEST(EncodeReply, OfTheRightReply_SerializesWhatFillWrote) {
  v1::AdjustStockResponse response;
  std::function<void(const StockReply&)> fill = [&](const StockReply& r) {
    response.set_shortfall(r.shortfall);
  };
  StockReply stock;
  stock.shortfall = 7;
  Result<std::string> bytes = EncodeReply<StockReply>(Reply(stock), &response, fill);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  v1::AdjustStockResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(*bytes));
  EXPECT_EQ(parsed.shortfall(), 7);
}

// Compile-time pairing: every API command names its reply type.
static_assert(std::is_same_v<ReplyOf<AdjustStock>, StockReply>);
static_assert(std::is_same_v<ReplyOf<TransferStock>, TransferReply>);
static_assert(std::is_same_v<ReplyOf<PlaceOrder>, OrderReply>);
static_assert(std::is_same_v<ReplyOf<CommitReservation>, ReservationReply>);
static_assert(CommandWithReply<UpsertGroup>);
static_assert(!CommandWithReply<StockReply>);

}  // namespace
}  // namespace oms::testing

// The text a failed request's Status is stored as: what it keeps, and what it refuses to
// read back (a retry then gets INTERNAL rather than a made-up error).
#include "storage/stored_status.h"

#include <gtest/gtest.h>

namespace oms::testing {
namespace {

using storage::DecodeStoredStatus;
using storage::EncodeStoredStatus;

TEST(StoredStatusTest, Decode_OfAnObjectWithOnlyACode_HasEmptyReasonMessageAndLists) {
  Status s = DecodeStoredStatus(R"({"code":9})");
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.reason(), "");
  EXPECT_EQ(s.message(), "");
  EXPECT_TRUE(s.metadata().empty());
  EXPECT_TRUE(s.violations().empty());
}

TEST(StoredStatusTest, Decode_OfTextThatIsNotAStoredStatus_IsInternal) {
  for (const char* text :
       {"", "9\x1fREASON\x1fmessage", "[]", R"({"reason":"R"})", R"({"code":0})", R"({"code":"9"})",
        R"({"code":9,"message":1})", R"({"code":9,"metadata":[["k"]]})",
        R"({"code":9,"violations":[["f",2]]})", R"({"code":9,"metadata":{"k":"v"}})"}) {
    Status s = DecodeStoredStatus(text);
    EXPECT_EQ(s.code(), Code::kInternal) << text;
    EXPECT_EQ(s.message(), "stored error is unreadable") << text;
  }
}

TEST(StoredStatusTest, Encode_OfInvalidUtf8_ReplacesItInsteadOfFailing) {
  Status error = Status::FailedPrecondition("R", "bad \xff byte").With("k", "\xc3");
  Status s = DecodeStoredStatus(EncodeStoredStatus(error));
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.reason(), "R");
  EXPECT_EQ(s.message(), "bad \xef\xbf\xbd byte");  // U+FFFD
  ASSERT_EQ(s.metadata().size(), 1u);
}

}  // namespace
}  // namespace oms::testing

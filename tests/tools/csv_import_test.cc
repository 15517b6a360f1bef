// The import CSV parser: good files, and the first bad line of bad ones.
#include "tools/omsctl/csv_import.h"

#include <gtest/gtest.h>

namespace omsctl {
namespace {

TEST(CsvImport, ParsesRows_ToleratingCrlfBlankLinesAndSpaces) {
  CsvResult r = ParseStockCsv("sku,location_id,on_hand\r\n a-1 , s1 , 5 \r\n\r\nb,s2,0\n\n");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0].sku, "a-1");
  EXPECT_EQ(r.rows[0].location_id, "s1");
  EXPECT_EQ(r.rows[0].on_hand, 5);
  EXPECT_EQ(r.rows[0].line, 2);
  EXPECT_EQ(r.rows[1].line, 4);
}

TEST(CsvImport, MissingHeader_FailsOnLineOne) {
  CsvResult r = ParseStockCsv("a,s1,5\n");
  EXPECT_EQ(r.error_line, 1);
  EXPECT_TRUE(r.rows.empty());
}

TEST(CsvImport, EmptyFile_Fails) { EXPECT_FALSE(ParseStockCsv("").ok()); }

TEST(CsvImport, BadRows_NameTheirLine) {
  const std::string header = "sku,location_id,on_hand\n";
  struct Case {
    std::string body;
    int line;
  } cases[] = {
      {"a,s1,5\nb,s1\n", 3},                   // missing field
      {"a,s1,5\nb,s1,5,extra\n", 3},           // extra field
      {"a,s1,-1\n", 2},                        // negative
      {"a,s1,1.5\n", 2},                       // not an integer
      {"a,s1,12abc\n", 2},                     // trailing junk
      {"a,s1,99999999999999999999\n", 2},      // overflow
      {"bad sku,s1,1\n", 2},                   // space in id
      {",s1,1\n", 2},                          // empty id
      {"a,s1,1\nb,s1,2\na,s1,3\n", 4},         // duplicate
      {std::string(129, 'x') + ",s1,1\n", 2},  // id too long
  };
  for (const auto& c : cases) {
    CsvResult r = ParseStockCsv(header + c.body);
    EXPECT_EQ(r.error_line, c.line) << c.body;
    EXPECT_FALSE(r.error.empty());
    EXPECT_TRUE(r.rows.empty());
  }
}

}  // namespace
}  // namespace omsctl

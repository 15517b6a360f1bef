// omsd --help lists every limit: each constant of domain/limits.h is a row of limits::kAll,
// and the real binary's help prints every row with its value.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "domain/limits.h"

namespace oms::testing {
namespace {

std::string OutputOf(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
  pclose(pipe);
  return out;
}

TEST(LimitsHelp, EveryConstantOfTheLimitsHeader_IsARowOfTheTable) {
  std::ifstream in(OMS_SOURCE_DIR "/domain/limits.h");
  ASSERT_TRUE(in) << "cannot read domain/limits.h";
  std::stringstream text;
  text << in.rdbuf();
  std::set<std::string> rows;
  for (const auto& limit : limits::kAll) {
    EXPECT_TRUE(rows.insert(std::string(limit.constant)).second) << "twice: " << limit.constant;
  }
  std::regex declaration(R"(inline constexpr [^;=\{\[]*?\b(k[A-Z]\w*)\s*[=\{\[])");
  std::string header = text.str();
  int constants = 0;
  for (std::sregex_iterator it(header.begin(), header.end(), declaration), end; it != end; ++it) {
    std::string name = (*it)[1];
    if (name == "kAll") continue;
    ++constants;
    EXPECT_TRUE(rows.count(name)) << name << " is missing from limits::kAll (and so from --help)";
  }
  EXPECT_EQ(constants, static_cast<int>(rows.size())) << "a row names no constant of the header";
}

TEST(LimitsHelp, OmsdHelp_PrintsEveryRowOfTheTableWithItsValue) {
  std::string help = OutputOf(std::string("'") + OMS_OMSD + "' --help 2>&1");
  ASSERT_NE(help.find("Limits:"), std::string::npos) << help;
  for (const auto& limit : limits::kAll) {
    size_t at = help.find("  " + std::string(limit.what) + " ");
    ASSERT_NE(at, std::string::npos) << limit.constant << " (" << limit.what << ") not in --help";
    std::string line = help.substr(at, help.find('\n', at) - at);
    std::string value = std::to_string(limit.value);
    if (!limit.unit.empty()) value += " " + std::string(limit.unit);
    EXPECT_TRUE(std::regex_search(line, std::regex("\\s" + value + "$"))) << line;
  }
}

}  // namespace
}  // namespace oms::testing

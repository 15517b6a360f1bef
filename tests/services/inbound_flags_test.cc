// omsd --inbound-grace: the duration forms operators type, the help text, and a clear refusal
// of anything else.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <cstdio>
#include <string>

#include "services/duration_flag.h"

namespace oms::testing {
namespace {

TEST(DurationFlag, HoursMinutesSeconds_AreAccepted) {
  EXPECT_EQ(*services::ParseDurationFlag("--inbound-grace", "72h"), std::chrono::hours(72));
  EXPECT_EQ(*services::ParseDurationFlag("--inbound-grace", "30m"), std::chrono::minutes(30));
  EXPECT_EQ(*services::ParseDurationFlag("--inbound-grace", "90s"), std::chrono::seconds(90));
}

TEST(DurationFlag, AnythingElse_IsInvalidArgumentNamingTheFlag) {
  for (const char* bad : {"", "h", "72", "72d", "-5h", "0s", "1.5h", "72 h", "h72", "9999999999h",
                          "99999999999999999999s"}) {
    Result<Duration> d = services::ParseDurationFlag("--inbound-grace", bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), Code::kInvalidArgument) << bad;
    EXPECT_NE(d.status().ToString().find("--inbound-grace"), std::string::npos) << bad;
  }
}

// Runs `command`, returning its output and setting *exit_code.
std::string RunCommand(const std::string& command, int* exit_code) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
  int status = pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(OmsdInboundGrace, HelpDocumentsTheFlagAndItsDefault) {
  int code = 0;
  std::string help = RunCommand(std::string("'") + OMS_OMSD + "' --help 2>&1", &code);
  size_t at = help.find("--inbound-grace");
  ASSERT_NE(at, std::string::npos) << help;
  std::string rest = help.substr(at, 600);
  EXPECT_NE(rest.find("72h"), std::string::npos) << rest;
  EXPECT_NE(rest.find("overdue"), std::string::npos) << rest;
}

TEST(OmsdInboundGrace, MalformedValue_StopsOmsdWithAClearMessage) {
  int code = 0;
  std::string out = RunCommand(
      std::string("'") + OMS_OMSD + "' --inbound-grace 3days --db /nonexistent/x 2>&1", &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("--inbound-grace"), std::string::npos) << out;
  EXPECT_NE(out.find("72h, 30m or 90s"), std::string::npos) << out;
}

}  // namespace
}  // namespace oms::testing

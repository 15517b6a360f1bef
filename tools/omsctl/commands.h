// The omsctl command families. Each registers its subcommands on the app; the one the user
// picked sets `action`, which main runs after parsing.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include <google/protobuf/timestamp.pb.h>

#include "oms/v1/common.pb.h"
#include "tools/omsctl/client.h"

namespace omsctl {

struct Cli {
  ClientOptions options;
  std::function<int(Client&)> action;
};

void AddLocationCommands(CLI::App& app, Cli& cli);
void AddStockCommands(CLI::App& app, Cli& cli);
void AddImportCommand(CLI::App& app, Cli& cli);
void AddReservationCommands(CLI::App& app, Cli& cli);
void AddOrderCommands(CLI::App& app, Cli& cli);
void AddReturnCommands(CLI::App& app, Cli& cli);
void AddInboundCommands(CLI::App& app, Cli& cli);
void AddWatchCommands(CLI::App& app, Cli& cli);
void AddAdminCommands(CLI::App& app, Cli& cli);

// Shared formatting and parsing.
std::string FormatTime(const google::protobuf::Timestamp& t);
bool ParseTime(const std::string& rfc3339, google::protobuf::Timestamp* out);
oms::v1::Channel ParseChannel(const std::string& name);  // online|pos|bopis
std::string ChannelName(int channel);
std::string ReasonName(int reason);
const std::map<std::string, oms::v1::MovementReason>& Reasons();

}  // namespace omsctl

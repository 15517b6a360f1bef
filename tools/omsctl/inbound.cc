// omsctl inbound: purchase orders and transfers in transit — announce them, receive them
// (preorders pegged to one are served first), move or cancel them, look them up.
#include <fmt/format.h>

#include <optional>

#include "oms/v1/inbound_service.grpc.pb.h"
#include "tools/omsctl/commands.h"
#include "tools/omsctl/table.h"

namespace omsctl {
namespace v1 = oms::v1;
namespace {

std::string StateName(int state) {
  std::string name = v1::InboundState_Name(static_cast<v1::InboundState>(state));
  return name.substr(std::string("INBOUND_STATE_").size());
}

void PrintInbounds(const std::vector<v1::Inbound>& all) {
  Table t({"INBOUND", "STATE", "LOCATION", "EXPECTED_AT", "OVERDUE", "LINES"});
  for (const auto& in : all) {
    std::vector<std::string> lines;
    for (const auto& l : in.lines()) {
      lines.push_back(fmt::format("{}:{}/{}", l.sku(), l.received(), l.expected()));
    }
    t.Row({in.inbound_id(), StateName(in.state()), in.location_id(), FormatTime(in.expected_at()),
           in.overdue() ? "yes" : "no", fmt::format("{}", fmt::join(lines, " "))});
  }
  t.Print();
}

void PrintInbound(const v1::Inbound& in) {
  PrintInbounds({in});
  Table lines({"SKU", "EXPECTED", "RECEIVED", "PROMISED"});
  for (const auto& l : in.lines()) {
    lines.Row({l.sku(), std::to_string(l.expected()), std::to_string(l.received()),
               std::to_string(l.promised())});
  }
  lines.Print();
  if (!in.end_reason().empty()) fmt::print("end reason: {}\n", in.end_reason());
}

void PrintIds(const char* what, const google::protobuf::RepeatedPtrField<std::string>& ids) {
  if (!ids.empty()) fmt::print("{}: {}\n", what, fmt::join(ids, " "));
}

// "SKU:QTY" -> line; nullopt when malformed (QTY must be a positive whole number).
std::optional<v1::InboundQuantity> ParseLine(const std::string& text) {
  size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string qty = text.substr(colon + 1);
  if (qty.empty() || qty.size() > 18 || qty.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  v1::InboundQuantity line;
  line.set_sku(text.substr(0, colon));
  line.set_quantity(std::stoll(qty));
  return line;
}

template <typename Lines>
bool AddLines(const std::vector<std::string>& texts, Lines* out) {
  for (const auto& text : texts) {
    std::optional<v1::InboundQuantity> line = ParseLine(text);
    if (!line) {
      fmt::print(stderr, "omsctl: bad line '{}': expected SKU:QTY, e.g. shoe-42:10\n", text);
      return false;
    }
    *out->Add() = *line;
  }
  return true;
}

bool ParseExpectedAt(const std::string& text, google::protobuf::Timestamp* out) {
  if (ParseTime(text, out)) return true;
  fmt::print(stderr, "omsctl: --at: not an RFC 3339 time: '{}' (e.g. 2026-12-24T09:00:00Z)\n",
             text);
  return false;
}

struct Args {
  std::string id, location, at, reason, sku, page_token;
  std::vector<std::string> lines;
  int page_size = 0;
};

std::unique_ptr<v1::InboundService::Stub> Stub(Client& c) {
  return v1::InboundService::NewStub(c.channel());
}

void AddExpectReceive(CLI::App* inbound, Cli& cli, std::shared_ptr<Args> a) {
  CLI::App* expect = inbound->add_subcommand("expect", "announce a purchase order or transfer");
  expect->add_option("INBOUND_ID", a->id, "the PO or ASN number (used once)")->required();
  expect->add_option("--location", a->location, "where it arrives")->required();
  expect->add_option("--at", a->at, "expected arrival, RFC 3339")->required();
  expect->add_option("LINES", a->lines, "SKU:QTY ...")->required();
  expect->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ExpectInboundRequest req;
      req.set_request_id(c.RequestId());
      req.set_inbound_id(a->id);
      req.set_location_id(a->location);
      if (!ParseExpectedAt(a->at, req.mutable_expected_at())) return 2;
      if (!AddLines(a->lines, req.mutable_lines())) return 2;
      v1::ExpectInboundResponse resp;
      grpc::Status s = Stub(c)->ExpectInbound(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintInbound(resp.inbound());
      PrintIds("at-risk preorders promised again", resp.repromised_reservation_ids());
      return 0;
    };
  });
  CLI::App* receive = inbound->add_subcommand("receive", "book units that arrived");
  receive->add_option("INBOUND_ID", a->id)->required();
  receive->add_option("LINES", a->lines, "SKU:QTY ...")->required();
  receive->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ReceiveInboundRequest req;
      req.set_request_id(c.RequestId());
      req.set_inbound_id(a->id);
      if (!AddLines(a->lines, req.mutable_lines())) return 2;
      v1::ReceiveInboundResponse resp;
      grpc::Status s = Stub(c)->ReceiveInbound(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintInbound(resp.inbound());
      for (const auto& m : resp.movements()) {
        fmt::print("movement {}: {} {:+} at {} (on_hand {})\n", m.movement_id(), m.sku(), m.delta(),
                   m.location_id(), m.on_hand_after());
      }
      PrintIds("preorders served", resp.served_reservation_ids());
      return 0;
    };
  });
}

void AddRescheduleCancel(CLI::App* inbound, Cli& cli, std::shared_ptr<Args> a) {
  CLI::App* reschedule = inbound->add_subcommand("reschedule", "move the expected arrival");
  reschedule->add_option("INBOUND_ID", a->id)->required();
  reschedule->add_option("--at", a->at, "new expected arrival, RFC 3339")->required();
  reschedule->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::RescheduleInboundRequest req;
      req.set_request_id(c.RequestId());
      req.set_inbound_id(a->id);
      if (!ParseExpectedAt(a->at, req.mutable_expected_at())) return 2;
      v1::RescheduleInboundResponse resp;
      grpc::Status s = Stub(c)->RescheduleInbound(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintInbound(resp.inbound());
      PrintIds("preorders moved", resp.moved_reservation_ids());
      PrintIds("preorders at risk", resp.at_risk_reservation_ids());
      PrintIds("at-risk preorders promised again", resp.repromised_reservation_ids());
      return 0;
    };
  });
  CLI::App* cancel = inbound->add_subcommand("cancel", "the supply will not come");
  cancel->add_option("INBOUND_ID", a->id)->required();
  cancel->add_option("--reason", a->reason, "recorded as end_reason");
  cancel->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::CancelInboundRequest req;
      req.set_request_id(c.RequestId());
      req.set_inbound_id(a->id);
      req.set_reason(a->reason);
      v1::CancelInboundResponse resp;
      grpc::Status s = Stub(c)->CancelInbound(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintInbound(resp.inbound());
      PrintIds("preorders moved", resp.moved_reservation_ids());
      PrintIds("preorders at risk", resp.at_risk_reservation_ids());
      return 0;
    };
  });
}

void AddShowList(CLI::App* inbound, Cli& cli, std::shared_ptr<Args> a) {
  CLI::App* show = inbound->add_subcommand("show", "one inbound with its lines");
  show->add_option("INBOUND_ID", a->id)->required();
  show->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::GetInboundRequest req;
      req.set_inbound_id(a->id);
      v1::GetInboundResponse resp;
      grpc::Status s = Stub(c)->GetInbound(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintInbound(resp.inbound());
      return 0;
    };
  });
  CLI::App* list = inbound->add_subcommand("list", "inbounds by id");
  list->add_option("--location", a->location, "only those arriving here");
  list->add_option("--sku", a->sku, "only those with this SKU");
  list->add_option("--page-size", a->page_size, "inbounds per page (default: the server's)");
  list->add_option("--page-token", a->page_token, "continue after a previous page");
  list->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ListInboundRequest req;
      req.set_location_id(a->location);
      req.set_sku(a->sku);
      req.set_page_size(a->page_size);
      req.set_page_token(a->page_token);
      v1::ListInboundResponse resp;
      grpc::Status s = Stub(c)->ListInbound(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintInbounds({resp.inbounds().begin(), resp.inbounds().end()});
      if (!resp.next_page_token().empty()) {
        fmt::print("next page: --page-token {}\n", resp.next_page_token());
      }
      return 0;
    };
  });
}

}  // namespace

void AddInboundCommands(CLI::App& app, Cli& cli) {
  CLI::App* inbound = app.add_subcommand(
      "inbound", "inbound supply: expect, receive, reschedule, cancel, show, list");
  inbound->require_subcommand(1);
  auto a = std::make_shared<Args>();
  AddExpectReceive(inbound, cli, a);
  AddRescheduleCancel(inbound, cli, a);
  AddShowList(inbound, cli, a);
}

}  // namespace omsctl

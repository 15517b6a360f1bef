// omsctl returns: the returns desk — take units of a sale back at any store (restock, write
// off, or hold for inspection), resolve inspected units, and look returns up.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "oms/v1/return_service.grpc.pb.h"
#include "tools/omsctl/commands.h"
#include "tools/omsctl/table.h"

namespace omsctl {
namespace v1 = oms::v1;
namespace {

std::string Lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string StateName(int state) {
  return Lower(v1::ReturnState_Name(static_cast<v1::ReturnState>(state))
                   .substr(std::string("RETURN_STATE_").size()));
}

std::string DispositionName(int disposition) {
  return Lower(v1::Disposition_Name(static_cast<v1::Disposition>(disposition))
                   .substr(std::string("DISPOSITION_").size()));
}

// SKU:QTY[:restock|damaged|inspect]; `allowed` lists the dispositions this command takes.
std::optional<v1::ReturnRequestLine> ParseLine(const std::string& text,
                                               const std::vector<std::string>& allowed,
                                               bool need_disposition) {
  v1::ReturnRequestLine line;
  size_t first = text.find(':');
  if (first == std::string::npos || first == 0) return std::nullopt;
  line.set_sku(text.substr(0, first));
  size_t second = text.find(':', first + 1);
  std::string qty =
      text.substr(first + 1, second == std::string::npos ? second : second - first - 1);
  if (qty.empty() || qty.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  line.set_quantity(std::atoll(qty.c_str()));
  std::string disposition = second == std::string::npos ? "" : Lower(text.substr(second + 1));
  if (disposition.empty()) {
    if (need_disposition) return std::nullopt;
    disposition = "restock";
  }
  if (std::find(allowed.begin(), allowed.end(), disposition) == allowed.end()) return std::nullopt;
  v1::Disposition d;
  std::string name = "DISPOSITION_" + disposition;
  for (auto& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (!v1::Disposition_Parse(name, &d)) return std::nullopt;
  line.set_disposition(d);
  return line;
}

void PrintReturns(const std::vector<v1::Return>& all) {
  Table t({"RETURN", "STATE", "LOCATION", "SOURCE", "CUSTOMER", "LINES", "QUARANTINED", "CREATED"});
  for (const auto& r : all) {
    std::vector<std::string> lines;
    int64_t quarantined = 0;
    for (const auto& l : r.lines()) {
      lines.push_back(
          fmt::format("{}x{}:{}", l.quantity(), l.sku(), DispositionName(l.disposition())));
      quarantined += l.quarantined();
    }
    std::string source = r.order_id().empty() ? r.reservation_id() : r.order_id();
    t.Row({r.return_id(), StateName(r.state()), r.location_id(), source,
           r.customer_id().empty() ? "-" : r.customer_id(),
           fmt::format("{}", fmt::join(lines, ",")), std::to_string(quarantined),
           FormatTime(r.create_time())});
  }
  t.Print();
}

void PrintReturn(const v1::Return& r) {
  PrintReturns({r});
  Table lines({"SKU", "QUANTITY", "DISPOSITION", "QUARANTINED", "RESTOCKED", "WRITTEN_OFF"});
  for (const auto& l : r.lines()) {
    lines.Row({l.sku(), std::to_string(l.quantity()), DispositionName(l.disposition()),
               std::to_string(l.quarantined()), std::to_string(l.restocked()),
               std::to_string(l.written_off())});
  }
  lines.Print();
  if (!r.reason().empty() || !r.reference().empty()) {
    fmt::print("reason: {}   reference: {}\n", r.reason(), r.reference());
  }
  Table h({"WHEN", "STATE", "ACTOR", "NOTE"});
  for (const auto& t : r.history()) {
    h.Row({FormatTime(t.time()), StateName(t.state()), t.actor(), t.note()});
  }
  h.Print();
}

// A create or resolve response: the return, then the RETURNED movements it wrote.
template <typename Response>
int ShowChange(Client& c, const grpc::Status& s, const Response& resp) {
  if (!s.ok()) return c.Fail(s);
  if (c.options().json) return PrintJson(resp), 0;
  PrintReturn(resp.return_());
  for (const auto& m : resp.movements()) {
    fmt::print("movement {}: {} {:+} at {} (on_hand {})\n", m.movement_id(), m.sku(), m.delta(),
               m.location_id(), m.on_hand_after());
  }
  return 0;
}

struct Args {
  std::string id, order, reservation, location, customer, reason, reference, page_token;
  std::vector<std::string> lines;
  int page_size = 0;
};

// Adds every --line to `out`; false (after saying why) on a malformed one.
template <typename Lines>
bool AddLines(const std::vector<std::string>& texts, const std::vector<std::string>& allowed,
              bool need_disposition, Lines* out) {
  for (const auto& text : texts) {
    std::optional<v1::ReturnRequestLine> line = ParseLine(text, allowed, need_disposition);
    if (!line) {
      fmt::print(stderr, "omsctl: bad --line '{}': expected SKU:QTY{}{}{}\n", text,
                 need_disposition ? ":" : "[:", fmt::join(allowed, "|"),
                 need_disposition ? "" : "]");
      return false;
    }
    *out->Add() = *line;
  }
  return true;
}

void AddCreateResolve(CLI::App* returns, Cli& cli, std::shared_ptr<Args> a) {
  CLI::App* create = returns->add_subcommand("create", "take units of a sale back at a store");
  auto* order = create->add_option("--order", a->order, "a picked up order");
  auto* reservation =
      create->add_option("--reservation", a->reservation, "a committed till/checkout sale");
  order->excludes(reservation);
  create->add_option("--location", a->location, "where the units come back")->required();
  create->add_option("--customer", a->customer, "the customer (a till sale's return)");
  create->add_option("--line", a->lines, "SKU:QTY[:restock|damaged|inspect] (default restock)")
      ->required();
  create->add_option("--reason", a->reason, "why the shopper returned it");
  create->add_option("--reference", a->reference, "e.g. the receipt number");
  create->callback([&cli, a] {
    cli.action = [a](Client& c) {
      if (a->order.empty() == a->reservation.empty()) {
        fmt::print(stderr, "omsctl: returns create needs --order or --reservation\n");
        return 2;
      }
      v1::CreateReturnRequest req;
      req.set_request_id(c.RequestId());
      req.set_order_id(a->order);
      req.set_reservation_id(a->reservation);
      req.set_location_id(a->location);
      req.set_customer_id(a->customer);
      if (!AddLines(a->lines, {"restock", "damaged", "inspect"}, false, req.mutable_lines())) {
        return 2;
      }
      req.set_reason(a->reason);
      req.set_reference(a->reference);
      v1::CreateReturnResponse resp;
      return ShowChange(
          c, v1::ReturnService::NewStub(c.channel())->CreateReturn(c.Context().get(), req, &resp),
          resp);
    };
  });
  CLI::App* resolve = returns->add_subcommand("resolve", "restock or write off inspected units");
  resolve->add_option("RETURN_ID", a->id)->required();
  resolve->add_option("--line", a->lines, "SKU:QTY:restock|damaged")->required();
  resolve->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ResolveReturnRequest req;
      req.set_request_id(c.RequestId());
      req.set_return_id(a->id);
      if (!AddLines(a->lines, {"restock", "damaged"}, true, req.mutable_lines())) return 2;
      v1::ResolveReturnResponse resp;
      return ShowChange(
          c, v1::ReturnService::NewStub(c.channel())->ResolveReturn(c.Context().get(), req, &resp),
          resp);
    };
  });
}

void AddShowList(CLI::App* returns, Cli& cli, std::shared_ptr<Args> a) {
  CLI::App* show = returns->add_subcommand("show", "one return with its history");
  show->add_option("RETURN_ID", a->id)->required();
  show->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::GetReturnRequest req;
      req.set_return_id(a->id);
      v1::GetReturnResponse resp;
      grpc::Status s =
          v1::ReturnService::NewStub(c.channel())->GetReturn(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintReturn(resp.return_());
      return 0;
    };
  });
  CLI::App* list =
      returns->add_subcommand("list", "a customer's or a store's returns, newest first");
  auto* customer = list->add_option("--customer", a->customer);
  auto* location = list->add_option("--location", a->location, "where they came back");
  customer->excludes(location);
  list->add_option("--page-size", a->page_size, "returns per page (default: the server's)");
  list->add_option("--page-token", a->page_token, "continue after a previous page");
  list->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ListReturnsRequest req;
      req.set_customer_id(a->customer);
      req.set_location_id(a->location);
      req.set_page_size(a->page_size);
      req.set_page_token(a->page_token);
      v1::ListReturnsResponse resp;
      grpc::Status s =
          v1::ReturnService::NewStub(c.channel())->ListReturns(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintReturns({resp.returns().begin(), resp.returns().end()});
      if (!resp.next_page_token().empty()) {
        fmt::print("next page: --page-token {}\n", resp.next_page_token());
      }
      return 0;
    };
  });
}

}  // namespace

void AddReturnCommands(CLI::App& app, Cli& cli) {
  CLI::App* returns =
      app.add_subcommand("returns", "returns desk: create, resolve inspected units, show, list");
  returns->require_subcommand(1);
  auto a = std::make_shared<Args>();
  AddCreateResolve(returns, cli, a);
  AddShowList(returns, cli, a);
}

}  // namespace omsctl

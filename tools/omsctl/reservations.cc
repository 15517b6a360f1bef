// omsctl reservations / reserve: inspect and operate holds; `reserve` to try things out.
#include <fmt/format.h>

#include "oms/v1/reservation_service.grpc.pb.h"
#include "tools/omsctl/commands.h"
#include "tools/omsctl/table.h"

namespace omsctl {
namespace v1 = oms::v1;
namespace {

std::string StateName(int state) {
  std::string name = v1::ReservationState_Name(static_cast<v1::ReservationState>(state));
  return name.substr(std::string("RESERVATION_STATE_").size());
}

void PrintReservations(const std::vector<v1::Reservation>& all) {
  Table t({"RESERVATION", "STATE", "CHANNEL", "EXPIRES", "LINES", "REFERENCE"});
  for (const auto& r : all) {
    std::vector<std::string> lines;
    for (const auto& l : r.lines()) {
      // A preorder's future hold shows the inbound it waits for, or that it is at risk.
      std::string future = l.at_risk()              ? " (at risk)"
                           : l.inbound_id().empty() ? ""
                                                    : " (inbound " + l.inbound_id() + ", " +
                                                          FormatTime(l.promised_at()) + ")";
      lines.push_back(fmt::format("{}x{}@{}{}", l.quantity(), l.sku(), l.location_id(), future));
    }
    t.Row({r.reservation_id(), StateName(r.state()), ChannelName(r.channel()),
           r.order_id().empty() ? FormatTime(r.expires_at()) : "order " + r.order_id(),
           fmt::format("{}", fmt::join(lines, " ")), r.reference()});
  }
  t.Print();
}

template <typename Response>
int Show(Client& c, const grpc::Status& s, const Response& resp) {
  if (!s.ok()) return c.Fail(s);
  if (c.options().json) return PrintJson(resp), 0;
  PrintReservations({resp.reservation()});
  return 0;
}

// "SKU:QTY[@LOCATION]" -> line.
bool ParseLine(const std::string& text, v1::ReservationLine* line) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  size_t at = text.find('@', colon);
  line->set_sku(text.substr(0, colon));
  try {
    line->set_quantity(std::stoll(text.substr(colon + 1, at - colon - 1)));
  } catch (const std::exception&) {
    return false;
  }
  if (at != std::string::npos) line->set_location_id(text.substr(at + 1));
  return true;
}

void AddReserve(CLI::App& app, Cli& cli) {
  struct Args {
    std::vector<std::string> lines;
    std::string channel = "online", group, reference, promise_by;
    int ttl_s = 900;
    bool partial = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("reserve", "hold stock (to try things out)");
  cmd->add_option("LINES", a->lines, "SKU:QTY[@LOCATION] ...")->required();
  cmd->add_option("--channel", a->channel)
      ->check(CLI::IsMember({"online", "pos", "bopis"}))
      ->capture_default_str();
  cmd->add_option("--group", a->group, "allocate unlocated lines here (default online)");
  cmd->add_option("--ttl", a->ttl_s, "seconds")->capture_default_str();
  cmd->add_option("--reference", a->reference);
  cmd->add_flag("--allow-partial", a->partial, "hold what is available");
  cmd->add_option("--promise-by", a->promise_by,
                  "a preorder: hold what is short against inbound supply expected by this RFC "
                  "3339 time (--ttl up to 180 days)");
  cmd->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::CreateReservationRequest req;
      req.set_request_id(c.RequestId());
      req.set_channel(ParseChannel(a->channel));
      for (const auto& text : a->lines) {
        if (!ParseLine(text, req.add_lines())) {
          fmt::print(stderr, "omsctl: '{}' is not SKU:QTY[@LOCATION]\n", text);
          return 2;
        }
      }
      req.set_group_id(a->group);
      req.mutable_ttl()->set_seconds(a->ttl_s);
      req.set_reference(a->reference);
      req.set_allow_partial(a->partial);
      if (!a->promise_by.empty() && !ParseTime(a->promise_by, req.mutable_promise_by())) {
        fmt::print(stderr, "omsctl: --promise-by: not an RFC 3339 time: '{}'\n", a->promise_by);
        return 2;
      }
      v1::CreateReservationResponse resp;
      grpc::Status s = v1::ReservationService::NewStub(c.channel())
                           ->CreateReservation(c.Context().get(), req, &resp);
      if (!s.ok()) return c.Fail(s);
      if (c.options().json) return PrintJson(resp), 0;
      PrintReservations({resp.reservation()});
      for (const auto& u : resp.unfilled()) {
        fmt::print("short: {} requested {}, held {}\n", u.sku(), u.requested(), u.reserved());
      }
      return 0;
    };
  });
}

void AddOperations(CLI::App* res, Cli& cli) {
  struct Args {
    std::string id, reason;
    int ttl_s = 900;
    std::string state = "active";
    bool at_risk = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* list = res->add_subcommand("list", "active reservations, soonest expiry first");
  list->add_option("--state", a->state)
      ->check(CLI::IsMember({"active", "committed", "released", "expired"}))
      ->capture_default_str();
  list->add_flag("--at-risk", a->at_risk, "only preorders with a line at risk");
  list->callback([&cli, a] {
    cli.action = [a](Client& c) {
      auto stub = v1::ReservationService::NewStub(c.channel());
      std::map<std::string, v1::ReservationState> states = {
          {"active", v1::RESERVATION_STATE_ACTIVE},
          {"committed", v1::RESERVATION_STATE_COMMITTED},
          {"released", v1::RESERVATION_STATE_RELEASED},
          {"expired", v1::RESERVATION_STATE_EXPIRED}};
      std::vector<v1::Reservation> all;
      v1::ListReservationsRequest req;
      req.set_state(states.at(a->state));
      req.set_at_risk(a->at_risk);
      req.set_page_size(1000);
      do {
        v1::ListReservationsResponse resp;
        grpc::Status s = stub->ListReservations(c.Context().get(), req, &resp);
        if (!s.ok()) return c.Fail(s);
        for (const auto& r : resp.reservations()) {
          if (c.options().json) PrintJson(r);
          all.push_back(r);
        }
        req.set_page_token(resp.next_page_token());
      } while (!req.page_token().empty());
      if (!c.options().json) PrintReservations(all);
      return 0;
    };
  });
  CLI::App* show = res->add_subcommand("show", "one reservation");
  show->add_option("ID", a->id)->required();
  show->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::GetReservationRequest req;
      req.set_reservation_id(a->id);
      v1::GetReservationResponse resp;
      return Show(c,
                  v1::ReservationService::NewStub(c.channel())
                      ->GetReservation(c.Context().get(), req, &resp),
                  resp);
    };
  });
  CLI::App* release = res->add_subcommand("release", "give the units back to ATP");
  release->add_option("ID", a->id)->required();
  release->add_option("--reason", a->reason, "recorded as end_reason");
  release->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ReleaseReservationRequest req;
      req.set_request_id(c.RequestId());
      req.set_reservation_id(a->id);
      req.set_reason(a->reason);
      v1::ReleaseReservationResponse resp;
      return Show(c,
                  v1::ReservationService::NewStub(c.channel())
                      ->ReleaseReservation(c.Context().get(), req, &resp),
                  resp);
    };
  });
  CLI::App* extend = res->add_subcommand("extend", "expire TTL seconds from now instead");
  extend->add_option("ID", a->id)->required();
  extend->add_option("--ttl", a->ttl_s, "seconds")->capture_default_str();
  extend->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::ExtendReservationRequest req;
      req.set_request_id(c.RequestId());
      req.set_reservation_id(a->id);
      req.mutable_ttl()->set_seconds(a->ttl_s);
      v1::ExtendReservationResponse resp;
      return Show(c,
                  v1::ReservationService::NewStub(c.channel())
                      ->ExtendReservation(c.Context().get(), req, &resp),
                  resp);
    };
  });
  CLI::App* commit = res->add_subcommand("commit", "sell the held units");
  commit->add_option("ID", a->id)->required();
  commit->callback([&cli, a] {
    cli.action = [a](Client& c) {
      v1::CommitReservationRequest req;
      req.set_request_id(c.RequestId());
      req.set_reservation_id(a->id);
      v1::CommitReservationResponse resp;
      return Show(c,
                  v1::ReservationService::NewStub(c.channel())
                      ->CommitReservation(c.Context().get(), req, &resp),
                  resp);
    };
  });
}

}  // namespace

void AddReservationCommands(CLI::App& app, Cli& cli) {
  CLI::App* res = app.add_subcommand("reservations", "list, show, release, extend, commit");
  res->require_subcommand(1);
  AddOperations(res, cli);
  AddReserve(app, cli);
}

}  // namespace omsctl

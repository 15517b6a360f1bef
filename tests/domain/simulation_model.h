// The simulation's reference model: the rules of API.md written as plainly as possible, with
// no indexes, no drafts and no storage — stock, reservations (with preorder pegs), returns in
// quarantine and inbound supply.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/types.h"

namespace oms::testing {

using ModelKey = std::pair<std::string, std::string>;  // (sku, location)

struct ModelLevel {
  int64_t on_hand = 0, reserved = 0, safety = 0, quarantined = 0;
};

// A preorder's future hold: pegged to `inbound`, or at risk (inbound empty).
struct ModelPeg {
  std::string sku, location, inbound;
  int64_t quantity = 0;
};

struct ModelReservation {
  std::map<ModelKey, int64_t> lines;  // present holds
  std::vector<ModelPeg> pegs;
  Channel channel = Channel::kOnline;
  std::optional<Timestamp> promise_by;
  Timestamp created, expires_at;
  bool active = true;
  bool committed = false;
  std::map<std::string, int64_t> returned;  // by SKU, over all its returns

  int64_t Sold(const std::string& sku) const {
    int64_t n = 0;
    for (const auto& [key, q] : lines) n += key.first == sku ? q : 0;
    return committed ? n : 0;
  }
  void AddPeg(const ModelPeg& add) {
    for (auto& p : pegs) {
      if (p.sku == add.sku && p.location == add.location && p.inbound == add.inbound) {
        p.quantity += add.quantity;
        return;
      }
    }
    pegs.push_back(add);
  }
};

// An open return's quarantined units of one SKU at one location.
struct ModelQuarantine {
  std::string sku, location;
  int64_t quarantined = 0;
};

struct ModelInboundLine {
  int64_t expected = 0, received = 0, promised = 0;
  int64_t remaining() const { return std::max<int64_t>(0, expected - received); }
};

struct ModelInbound {
  std::string location;
  Timestamp at;
  bool open = true, overdue = false;
  std::map<std::string, ModelInboundLine> lines;
};

struct Model {
  std::map<ModelKey, ModelLevel> stock;
  std::map<std::string, ModelReservation> reservations;
  std::map<std::string, ModelQuarantine> open_returns;
  std::map<std::string, ModelInbound> inbounds;
  Duration grace{};

  static int64_t Atp(const ModelLevel& l, Channel c, int64_t incoming = 0) {
    int64_t v = l.on_hand + incoming - l.reserved - (c == Channel::kPos ? 0 : l.safety);
    return v > 0 ? v : 0;
  }

  // Active reservations, oldest (created, id) first.
  std::vector<std::string> Oldest() const {
    std::vector<std::pair<Timestamp, std::string>> order;
    for (const auto& [id, r] : reservations) {
      if (r.active) order.emplace_back(r.created, id);
    }
    std::sort(order.begin(), order.end());
    std::vector<std::string> out;
    for (auto& [at, id] : order) out.push_back(id);
    return out;
  }

  // Holds up to q of `sku` at `location` against supply expected by `by`, earliest first,
  // within the future ATP the channel allows; returns what it held.
  int64_t Peg(ModelReservation& r, const std::string& sku, const std::string& location, int64_t q,
              Timestamp now) {
    std::vector<std::pair<Timestamp, std::string>> points;
    int64_t incoming = 0;
    for (const auto& [id, in] : inbounds) {
      if (!in.open || in.overdue || in.location != location || in.at > *r.promise_by) continue;
      if (in.at + grace <= now || !in.lines.count(sku)) continue;
      const ModelInboundLine& l = in.lines.at(sku);
      if (l.remaining() - l.promised <= 0) continue;
      points.emplace_back(in.at, id);
      incoming += l.remaining() - l.promised;
    }
    std::sort(points.begin(), points.end());
    const ModelLevel& level = stock[{sku, location}];
    int64_t budget = Atp(level, r.channel, incoming) - Atp(level, r.channel);
    int64_t held = 0;
    for (const auto& [at, id] : points) {
      ModelInboundLine& l = inbounds[id].lines[sku];
      int64_t take = std::min({l.remaining() - l.promised, budget, q - held});
      if (take <= 0) continue;
      l.promised += take;
      budget -= take;
      held += take;
      r.AddPeg({sku, location, id, take});
    }
    return held;
  }

  void Unpeg(const ModelPeg& p) {
    if (!p.inbound.empty()) inbounds[p.inbound].lines[p.sku].promised -= p.quantity;
  }

  // Moves every peg on `inbound` of reservations `must_move` selects, else leaves it at risk.
  template <typename Pred>
  void MovePegs(const std::string& inbound, Pred must_move, Timestamp now) {
    for (const auto& id : Oldest()) {
      ModelReservation& r = reservations[id];
      bool pegged = std::any_of(r.pegs.begin(), r.pegs.end(),
                                [&](const ModelPeg& p) { return p.inbound == inbound; });
      if (!pegged || !must_move(r)) continue;
      std::vector<ModelPeg> old = std::move(r.pegs);
      r.pegs.clear();
      for (const auto& p : old) {
        if (p.inbound != inbound) {
          r.AddPeg(p);
          continue;
        }
        Unpeg(p);
        int64_t held = Peg(r, p.sku, p.location, p.quantity, now);
        if (held < p.quantity) r.AddPeg({p.sku, p.location, "", p.quantity - held});
      }
    }
  }

  // Supply at `inbound`'s location that now fits gives at-risk lines of its SKUs a promise.
  void Repromise(const std::string& inbound, Timestamp now) {
    const ModelInbound& in = inbounds[inbound];
    if (!in.open || in.overdue) return;
    for (const auto& [sku, line] : in.lines) {
      for (const auto& id : Oldest()) {
        ModelReservation& r = reservations[id];
        for (size_t i = 0; i < r.pegs.size(); ++i) {
          ModelPeg& p = r.pegs[i];
          if (!p.inbound.empty() || p.sku != sku || p.location != in.location) continue;
          int64_t held = Peg(r, sku, in.location, p.quantity, now);  // may append to pegs
          r.pegs[i].quantity -= held;
        }
        r.pegs.erase(std::remove_if(r.pegs.begin(), r.pegs.end(),
                                    [](const ModelPeg& p) { return p.quantity == 0; }),
                     r.pegs.end());
      }
    }
  }

  void End(ModelReservation& r) {
    for (const auto& [key, q] : r.lines) stock[key].reserved -= q;
    for (const auto& p : r.pegs) Unpeg(p);
    r.pegs.clear();
    r.active = false;
  }

  // The writer's sweep: reservations past their expiry, then inbounds past their grace.
  void Expire(Timestamp now) {
    for (auto& [id, r] : reservations) {
      if (r.active && r.expires_at <= now) End(r);
    }
    std::vector<std::pair<Timestamp, std::string>> due;
    for (const auto& [id, in] : inbounds) {
      if (in.open && !in.overdue && in.at + grace <= now) due.emplace_back(in.at + grace, id);
    }
    std::sort(due.begin(), due.end());
    for (const auto& [at, id] : due) {
      inbounds[id].overdue = true;
      MovePegs(
          id, [](const ModelReservation&) { return true; }, now);
    }
  }

  // Received units: on_hand, then the pegged preorders, oldest first.
  void Receive(const std::string& id, const std::vector<std::pair<std::string, int64_t>>& got) {
    ModelInbound& in = inbounds[id];
    std::map<std::string, int64_t> serve;
    for (const auto& [sku, q] : got) {
      in.lines[sku].received += q;
      stock[{sku, in.location}].on_hand += q;
      serve[sku] += q;
    }
    for (const auto& rid : Oldest()) {
      ModelReservation& r = reservations[rid];
      for (auto& p : r.pegs) {
        if (p.inbound != id || serve[p.sku] == 0) continue;
        int64_t take = std::min(p.quantity, serve[p.sku]);
        serve[p.sku] -= take;
        in.lines[p.sku].promised -= take;
        stock[{p.sku, p.location}].reserved += take;
        r.lines[{p.sku, p.location}] += take;
        p.quantity -= take;
      }
      r.pegs.erase(std::remove_if(r.pegs.begin(), r.pegs.end(),
                                  [](const ModelPeg& p) { return p.quantity == 0; }),
                   r.pegs.end());
    }
    bool complete = true;
    for (const auto& [sku, l] : in.lines) complete = complete && l.received >= l.expected;
    in.open = !complete;
  }
};

}  // namespace oms::testing

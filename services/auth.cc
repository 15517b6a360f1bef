// Tokens, rate limits and the role table.
#include "services/auth.h"

#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace oms::services {
namespace {

Result<Role> ParseRole(const std::string& s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "checkout") return Role::kCheckout;
  if (s == "store") return Role::kStore;
  if (s == "viewer") return Role::kViewer;
  return Status(Code::kInvalidArgument,
                "unknown role '" + s + "' (admin, checkout, store, viewer)");
}

bool SameSecret(std::string_view a, std::string_view b) {
  unsigned diff = a.size() != b.size();
  size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? a[i] : 0;
    unsigned char y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

// A name that identifies a token in logs without revealing it.
std::string DefaultName(Role role, const std::string& token) {
  uint32_t h = 2166136261u;
  for (unsigned char c : token) h = (h ^ c) * 16777619u;
  return fmt::format("{}#{:08x}", RoleName(role), h);
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kCheckout:
      return "checkout";
    case Role::kStore:
      return "store";
    case Role::kViewer:
      return "viewer";
  }
  return "?";
}

bool Principal::ActsFor(const std::string& store) const {
  return std::find(stores.begin(), stores.end(), store) != stores.end();
}

Result<std::shared_ptr<const TokenTable>> TokenTable::Parse(const std::string& text) {
  auto table = std::make_shared<TokenTable>();
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.empty()) continue;
    auto bad = [&](const std::string& why) {
      return Status(Code::kInvalidArgument, fmt::format("tokens file line {}: {}", number, why));
    };
    if (w.size() < 2) return bad("expected TOKEN ROLE [STORE_ID,...] [name=NAME]");
    if (w[0].size() < 16) return bad("token shorter than 16 characters");
    Result<Role> role = ParseRole(w[1]);
    if (!role.ok()) return bad(role.status().message());
    Principal p;
    p.role = *role;
    for (size_t i = 2; i < w.size(); ++i) {
      if (w[i].rfind("name=", 0) == 0) {
        p.name = w[i].substr(5);
      } else {
        std::istringstream ids(w[i]);
        for (std::string id; std::getline(ids, id, ',');) {
          if (!id.empty()) p.stores.push_back(id);
        }
      }
    }
    if (p.role == Role::kStore && p.stores.empty()) return bad("a store token needs store ids");
    if (p.role != Role::kStore && !p.stores.empty()) return bad("only store tokens take store ids");
    if (p.name.empty()) p.name = DefaultName(p.role, w[0]);
    for (const auto& [token, other] : table->entries_) {
      if (token == w[0]) return bad("duplicate token");
    }
    table->entries_.emplace_back(w[0], std::move(p));
  }
  return std::shared_ptr<const TokenTable>(std::move(table));
}

Result<std::shared_ptr<const TokenTable>> TokenTable::Load(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status(Code::kInvalidArgument, "cannot read tokens file " + path);
  std::stringstream text;
  text << file.rdbuf();
  return Parse(text.str());
}

const Principal* TokenTable::Find(std::string_view token) const {
  const Principal* found = nullptr;
  for (const auto& [secret, principal] : entries_) {
    if (SameSecret(secret, token)) found = &principal;
  }
  return found;
}

Result<std::unique_ptr<Authenticator>> Authenticator::Create(const AuthOptions& options) {
  std::unique_ptr<Authenticator> auth(new Authenticator(options));
  if (auth->enabled()) OMS_RETURN_IF_ERROR(auth->Reload());
  return auth;
}

Status Authenticator::Reload() {
  if (!enabled()) return Status::Ok();
  Result<std::shared_ptr<const TokenTable>> table = TokenTable::Load(options_.tokens_path);
  if (!table.ok()) return table.status();
  std::lock_guard lock(mu_);
  table_ = std::move(table).value();
  return Status::Ok();
}

bool Authenticator::TakeToken(const std::string& name) {
  if (options_.rate_per_token <= 0) return true;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  double burst = std::max(1.0, options_.rate_per_token * 2);
  auto [it, inserted] = buckets_.try_emplace(name, Bucket{burst, now});
  Bucket& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.refilled).count();
  b.tokens = std::min(burst, b.tokens + elapsed * options_.rate_per_token);
  b.refilled = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

Result<Principal> Authenticator::Authenticate(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return AuthenticateHeader("");
  return AuthenticateHeader(std::string_view(it->second.data(), it->second.size()));
}

Result<Principal> Authenticator::AuthenticateHeader(std::string_view authorization) {
  if (!enabled()) return Principal{"local", Role::kAdmin, {}};
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      authorization.substr(0, kBearer.size()) != kBearer) {
    return Status(Code::kUnauthenticated, "missing 'authorization: Bearer TOKEN' metadata");
  }
  std::string_view token = authorization.substr(kBearer.size());
  std::shared_ptr<const TokenTable> table;
  {
    std::lock_guard lock(mu_);
    table = table_;
  }
  const Principal* who = table ? table->Find(token) : nullptr;
  if (!who) return Status(Code::kUnauthenticated, "unknown token");
  if (!TakeToken(who->name)) {
    return Status(Code::kResourceExhausted,
                  fmt::format("rate limit of {} requests/s for this token exceeded; retry later",
                              options_.rate_per_token))
        .WithReason(reason::kRateLimited);
  }
  return *who;
}

Status Authorize(const Principal& who, Action action, const std::vector<std::string>& stores) {
  auto deny = [&](const std::string& what) {
    return Status(Code::kPermissionDenied,
                  fmt::format("{} ({}) may not {}", who.name, RoleName(who.role), what));
  };
  switch (who.role) {
    case Role::kAdmin:
      return Status::Ok();
    case Role::kViewer:
      return action == Action::kRead ? Status::Ok() : deny("change anything");
    case Role::kCheckout:
      switch (action) {
        case Action::kRead:
        case Action::kReserve:
        case Action::kManageReservation:
        case Action::kPlaceOrder:
        case Action::kCancelOrder:
        case Action::kCreateReturn:
          return Status::Ok();
        default:
          return deny("adjust stock, fulfil orders, resolve returns or manage locations");
      }
    case Role::kStore:
      switch (action) {
        case Action::kRead:
          return Status::Ok();
        case Action::kAdjustStock:
        case Action::kTransferStock:
        case Action::kReserve:
        case Action::kManageReservation:
        case Action::kCancelOrder:
        case Action::kFulfilOrder:
        case Action::kCreateReturn:
        case Action::kResolveReturn:
        case Action::kManageInbound:
        case Action::kReceiveInbound:
          for (const auto& store : stores) {
            if (!who.ActsFor(store)) return deny("act for store " + store);
          }
          return Status::Ok();
        default:
          return deny("place orders, plan stock, manage locations or operate the server");
      }
  }
  return deny("do this");
}

}  // namespace oms::services

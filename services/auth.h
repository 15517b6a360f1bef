// Who may do what. Bearer tokens from a tokens file map to a role and, for store tokens, the
// stores they act for. Every handler authorizes its action before doing anything; the server
// never trusts a store id a client sends without checking it against the token.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <grpcpp/server_context.h>

#include "domain/status.h"
#include "domain/types.h"

namespace oms::services {

enum class Role { kAdmin, kCheckout, kStore, kViewer };

const char* RoleName(Role role);

struct Principal {
  std::string name;  // recorded as the actor of every mutation
  Role role = Role::kViewer;
  std::vector<std::string> stores;  // kStore only

  bool ActsFor(const std::string& store) const;
};

// What a call does. The role table in auth.cc says who may. (*) The store of a reservation or
// order is not in the request: the writer checks it against CommandContext::scope.
enum class Action {
  kRead,               // Get*, List*, Watch*, GetAvailability
  kManageLocations,    // UpsertLocation, UpsertLocationGroup
  kPlanStock,          // SetSafetyStock, ImportStock
  kAdjustStock,        // AdjustStock, SetStock (at the named store)
  kTransferStock,      // TransferStock (from the named store)
  kReserve,            // CreateReservation (store tokens: POS at their own stores)
  kManageReservation,  // Extend/Release/CommitReservation (store tokens: own stores' lines*)
  kPlaceOrder,         // PlaceOrder
  kCancelOrder,        // CancelOrder (store tokens: own pickup store*)
  kFulfilOrder,        // StartPicking, MarkReady, ConfirmPickup, incl. staff override (own store*)
  kCreateReturn,       // CreateReturn (store tokens: at their own stores, the request's location)
  kResolveReturn,      // ResolveReturn (store tokens: the return's own store*)
  kManageInbound,      // ExpectInbound (the named store), Reschedule/CancelInbound (its store*)
  kReceiveInbound,     // ReceiveInbound (store tokens: the inbound's own store*)
  kOperate,            // backup, online verify
};

// Parsed tokens file: `TOKEN ROLE [STORE_ID,...] [name=NAME]` per line, `#` comments.
class TokenTable {
 public:
  static Result<std::shared_ptr<const TokenTable>> Parse(const std::string& text);
  static Result<std::shared_ptr<const TokenTable>> Load(const std::string& path);
  // Compares against every token in constant time per token: no early exit on a match.
  const Principal* Find(std::string_view token) const;
  size_t size() const { return entries_.size(); }

 private:
  std::vector<std::pair<std::string, Principal>> entries_;
};

struct AuthOptions {
  std::string tokens_path;    // empty: no authentication (loopback only)
  double rate_per_token = 0;  // requests per second per token; 0: unlimited
};

class Authenticator {
 public:
  static Result<std::unique_ptr<Authenticator>> Create(const AuthOptions& options);

  bool enabled() const { return !options_.tokens_path.empty(); }
  // Re-reads the tokens file (SIGHUP). On error the current tokens stay in force.
  Status Reload();

  // The caller, from `authorization: Bearer TOKEN`: UNAUTHENTICATED without a known token,
  // RESOURCE_EXHAUSTED over its rate. Without a tokens file: the local admin.
  Result<Principal> Authenticate(const grpc::ServerContextBase& context);
  // The same from the value of an `authorization` header ("" when there is none): HTTP.
  Result<Principal> AuthenticateHeader(std::string_view authorization);

 private:
  explicit Authenticator(AuthOptions options) : options_(std::move(options)) {}
  bool TakeToken(const std::string& name);

  AuthOptions options_;
  std::mutex mu_;
  std::shared_ptr<const TokenTable> table_;
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point refilled;
  };
  std::unordered_map<std::string, Bucket> buckets_;
};

// PERMISSION_DENIED unless `who` may do `action` touching `stores` (the locations the request
// names; empty when it names none).
Status Authorize(const Principal& who, Action action, const std::vector<std::string>& stores);

}  // namespace oms::services

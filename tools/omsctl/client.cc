// Client implementation.
#include "tools/omsctl/client.h"

#include <fmt/core.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <random>
#include <sstream>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/code_name.h"

namespace omsctl {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    fmt::print(stderr, "omsctl: cannot read {}\n", path);
    std::exit(2);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<grpc::ChannelCredentials> Credentials(const ClientOptions& o) {
  if (o.tls_ca.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadFile(o.tls_ca);
  if (!o.tls_cert.empty()) {
    ssl.pem_cert_chain = ReadFile(o.tls_cert);
    ssl.pem_private_key = ReadFile(o.tls_key);
  }
  return grpc::SslCredentials(ssl);
}

}  // namespace

Client::Client(const ClientOptions& options) : options_(options) {
  channel_ = grpc::CreateChannel(options_.server, Credentials(options_));
}

std::unique_ptr<grpc::ClientContext> Client::Context(bool stream) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!stream) {
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(options_.timeout_s));
  }
  if (!options_.token.empty()) ctx->AddMetadata("authorization", "Bearer " + options_.token);
  return ctx;
}

std::string Client::RequestId() const {
  if (!options_.request_id.empty()) return options_.request_id;
  std::random_device rd;
  return fmt::format("omsctl-{:08x}{:08x}", rd(), rd());
}

int Client::Fail(const grpc::Status& status) const {
  google::rpc::Status details;
  details.ParseFromString(status.error_details());
  std::string reason;
  std::vector<std::string> extra;
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad;
    if (any.UnpackTo(&info)) {
      reason = info.reason();
      std::map<std::string, std::string> sorted(info.metadata().begin(), info.metadata().end());
      for (const auto& [k, v] : sorted) extra.push_back(fmt::format("  {}: {}", k, v));
    } else if (any.UnpackTo(&bad)) {
      for (const auto& v : bad.field_violations()) {
        extra.push_back(fmt::format("  field {}: {}", v.field(), v.description()));
      }
    }
  }
  std::string message = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && reason.empty()) {
    message = fmt::format("cannot reach omsd at {} ({})", options_.server, message);
  }
  fmt::print(stderr, "omsctl: {}{}: {}\n", oms::services::CodeName(status.error_code()),
             reason.empty() ? "" : " " + reason, message);
  for (const auto& line : extra) fmt::print(stderr, "{}\n", line);
  return 1;
}

void PrintJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, o);
  fmt::print("{}\n", out);
}

}  // namespace omsctl

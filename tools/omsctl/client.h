// Client: the connection omsctl talks over (address, TLS, token, deadline), request ids, and
// printing a failed call the way an operator can act on it.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace omsctl {

struct ClientOptions {
  std::string server = "127.0.0.1:50051";
  std::string token;     // sent as `authorization: Bearer TOKEN`
  std::string tls_ca;    // PEM: use TLS, trusting this CA
  std::string tls_cert;  // client certificate for mutual TLS
  std::string tls_key;
  int timeout_s = 10;
  bool json = false;
  std::string request_id;  // overrides the generated one (safe retries)
};

class Client {
 public:
  explicit Client(const ClientOptions& options);

  std::shared_ptr<grpc::Channel> channel() const { return channel_; }
  const ClientOptions& options() const { return options_; }
  // A context with the deadline and credentials; `stream` contexts get no deadline.
  std::unique_ptr<grpc::ClientContext> Context(bool stream = false) const;
  // --request-id if given, else a fresh random one.
  std::string RequestId() const;
  // Prints "omsctl: CODE [REASON]: message" plus field violations and metadata; returns 1.
  int Fail(const grpc::Status& status) const;

 private:
  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Prints a message as one JSON line.
void PrintJson(const google::protobuf::Message& message);

}  // namespace omsctl

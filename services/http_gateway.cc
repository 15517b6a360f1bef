// Placeholder until the gateway lands: refuses to start.
#include "services/http_gateway.h"

#include <grpcpp/channel.h>

namespace oms::services {

struct HttpGateway::Impl {};

HttpGateway::HttpGateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpGateway::~HttpGateway() = default;

Result<std::unique_ptr<HttpGateway>> HttpGateway::Start(const HttpOptions&,
                                                        std::shared_ptr<grpc::Channel>,
                                                        Authenticator&) {
  return Status(Code::kFailedPrecondition, "HTTP is not built yet");
}

int HttpGateway::port() const { return 0; }
void HttpGateway::Shutdown() {}

}  // namespace oms::services

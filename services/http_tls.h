// The HTTP gateway's TLS context from the same PEM files as gRPC. Its own file so that the
// gateway's server code stays about serving; the Asio type is only declared here.
#pragma once

#include <memory>

#include "domain/status.h"
#include "services/http_gateway.h"

namespace boost::asio::ssl {
class context;
}

namespace oms::services::http {

// A server context with the certificate chain and key of `options` and, with a client CA,
// required client certificates. INVALID_ARGUMENT naming the file that cannot be used.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const HttpOptions& options);

}  // namespace oms::services::http

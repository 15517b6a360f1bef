// TLS for the HTTP gateway: TLS 1.2 and newer, the chain and key from PEM files.
#include "services/http_tls.h"

#include <boost/asio/ssl.hpp>

namespace oms::services::http {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> MakeTlsContext(const HttpOptions& options) {
  if (options.tls_cert.empty() || options.tls_key.empty()) {
    return Status(Code::kInvalidArgument, "HTTPS needs both a certificate and a key");
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(options.tls_cert, ec);
  if (ec) {
    return Status(Code::kInvalidArgument,
                  "cannot use TLS certificate " + options.tls_cert + ": " + ec.message());
  }
  ctx->use_private_key_file(options.tls_key, ssl::context::pem, ec);
  if (ec) {
    return Status(Code::kInvalidArgument,
                  "cannot use TLS key " + options.tls_key + ": " + ec.message());
  }
  if (!options.tls_client_ca.empty()) {
    ctx->load_verify_file(options.tls_client_ca, ec);
    if (ec) {
      return Status(Code::kInvalidArgument,
                    "cannot use TLS client CA " + options.tls_client_ca + ": " + ec.message());
    }
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return ctx;
}

}  // namespace oms::services::http

// Throwaway TLS material for tests: a CA, a server certificate for localhost/127.0.0.1 and a
// client certificate, both signed by the CA, written into `dir` with openssl.
#pragma once

#include <cstdlib>
#include <string>

namespace oms::testing {

// Writes ca.pem, server.pem/.key and client.pem/.key into `dir`; true on success.
inline bool MakeTestCertificates(const std::string& dir) {
  std::string script =
      "cd '" + dir +
      "' && "
      "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 "
      "-subj /CN=oms-test-ca && "
      "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
      "-subj /CN=localhost && "
      "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out server.pem -days 1 -extfile san.ext && "
      "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
      "-subj /CN=oms-test-client && "
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out client.pem -days 1";
  return std::system((script + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace oms::testing

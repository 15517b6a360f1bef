// omsctl: the stock clerk's and operator's command-line client of omsd (gRPC only; it never
// opens the database).
#include <cstdlib>

#include "tools/omsctl/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"omsctl: inventory and orders from the command line (talks to omsd over gRPC)"};
  app.require_subcommand(1);
  omsctl::Cli cli;
  if (const char* env = std::getenv("OMS_SERVER")) cli.options.server = env;
  if (const char* env = std::getenv("OMS_TOKEN")) cli.options.token = env;
  app.add_option("--server", cli.options.server, "omsd address (env OMS_SERVER)")
      ->capture_default_str();
  app.add_option("--token", cli.options.token, "bearer token (env OMS_TOKEN)");
  app.add_option("--tls-ca", cli.options.tls_ca, "use TLS, trusting this CA (PEM)");
  app.add_option("--tls-cert", cli.options.tls_cert, "client certificate for mutual TLS");
  app.add_option("--tls-key", cli.options.tls_key, "client key for mutual TLS");
  app.add_option("--timeout", cli.options.timeout_s, "seconds per call")->capture_default_str();
  app.add_flag("--json", cli.options.json, "print responses as JSON, one object per line");
  app.add_option("--request-id", cli.options.request_id,
                 "idempotency key of the mutation (reuse it to retry safely)");
  omsctl::AddLocationCommands(app, cli);
  omsctl::AddStockCommands(app, cli);
  omsctl::AddImportCommand(app, cli);
  omsctl::AddReservationCommands(app, cli);
  omsctl::AddOrderCommands(app, cli);
  omsctl::AddReturnCommands(app, cli);
  omsctl::AddInboundCommands(app, cli);
  omsctl::AddWatchCommands(app, cli);
  omsctl::AddAdminCommands(app, cli);
  CLI11_PARSE(app, argc, argv);
  if (!cli.action) return 2;
  omsctl::Client client(cli.options);
  return cli.action(client);
}

// mclient: memcached from the shell. `mclient get key`, `cmd | mclient set key`; see README.md
// and `mclient --help`. Exit codes: 0 success, 1 miss / not stored / not found, 2 usage,
// 3 server or connection error.
#include <chrono>
#include <iostream>
#include <map>

#include "cli.h"
#include "commands.h"

namespace {

using mclient::Invocation;

// The client for the global options; nullptr after reporting a bad setting.
std::unique_ptr<mnemo::client::Client> MakeClient(const Invocation& inv) {
  namespace mc = mnemo::client;
  mc::Options options;
  auto servers = mc::ParseServerList(inv.servers);
  auto protocol = mc::ProtocolFromName(inv.protocol);
  auto distribution = mc::DistributionFromName(inv.distribution);
  auto hash = mc::HashFromName(inv.hash.empty() ? "md5" : inv.hash);
  for (const mnemo::Error* e :
       {servers ? nullptr : &servers.error(), protocol ? nullptr : &protocol.error(),
        distribution ? nullptr : &distribution.error(), hash ? nullptr : &hash.error()}) {
    if (e != nullptr) {
      std::cerr << "mclient: " << e->message << '\n';
      return nullptr;
    }
  }
  options.servers = std::move(servers.value());
  options.protocol = protocol.value();
  options.distribution = distribution.value();
  if (!inv.hash.empty()) options.hash = hash.value();
  const auto timeout = std::chrono::milliseconds(static_cast<long>(inv.timeout_seconds * 1000));
  options.connect_timeout = options.io_timeout = std::max(timeout, std::chrono::milliseconds(1));
  const bool tls = inv.tls || !inv.tls_ca.empty() || !inv.tls_cert.empty() || !inv.tls_key.empty();
  options.tls = {.enabled = tls,
                 .ca_file = inv.tls_ca,
                 .cert_file = inv.tls_cert,
                 .key_file = inv.tls_key};
  auto client = mc::Client::Create(std::move(options));
  if (!client) std::cerr << "mclient: " << client.error().message << '\n';
  return client ? std::move(client.value()) : nullptr;
}

int Run(const Invocation& inv) {
  using Runner = int (*)(const mclient::Context&);
  static const std::map<std::string, Runner> kRunners = {
      {"get", mclient::RunRetrieval},   {"gets", mclient::RunRetrieval},
      {"gat", mclient::RunRetrieval},   {"gats", mclient::RunRetrieval},
      {"keys", mclient::RunKeys},       {"set", mclient::RunStorage},
      {"add", mclient::RunStorage},     {"replace", mclient::RunStorage},
      {"append", mclient::RunStorage},  {"prepend", mclient::RunStorage},
      {"cas", mclient::RunStorage},     {"delete", mclient::RunDelete},
      {"incr", mclient::RunArithmetic}, {"decr", mclient::RunArithmetic},
      {"touch", mclient::RunTouch},     {"stats", mclient::RunAdmin},
      {"flush", mclient::RunAdmin},     {"version", mclient::RunAdmin},
      {"ping", mclient::RunAdmin},      {"verbosity", mclient::RunAdmin}};
  auto client = MakeClient(inv);
  if (!client) return mclient::kExitUsage;
  const mclient::Context ctx{inv, *client, std::cin, std::cout, std::cerr};
  const int code = kRunners.at(inv.command)(ctx);
  std::cout.flush();
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  CLI::App app{"memcached from the shell: get, set, stats and more, on one server or many"};
  app.name("mclient");
  Invocation inv;
  mclient::DefineCommandLine(app, inv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return mclient::kExitUsage;
  }
  if (inv.man) {
    std::cout << mclient::ManPage(app);
    return mclient::kExitOk;
  }
  if (inv.command.empty()) {
    std::cerr << "mclient: a command is required\n" << app.help();
    return mclient::kExitUsage;
  }
  return Run(inv);
}

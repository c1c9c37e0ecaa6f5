// mcadmin: manages domains, the server lists mnemod keeps (docs/domains.md).
//   mcadmin --servers SEED[,SEED] --domain D list|add HOST:PORT[:W]|remove HOST:PORT|sync|
//           clients [--json]|stats|version
// Exit codes as mclient's: 0 success, 2 usage, 3 a server error or an unreachable server
// (reported on stderr and skipped; `sync` repairs it later).
#include <CLI/CLI.hpp>
#include <iostream>

#include "admin.h"

namespace {

namespace mc = mnemo::client;
namespace md = mnemo::domains;

struct Invocation {
  std::string servers = "127.0.0.1:11211";
  std::string domain;
  double timeout_seconds = 2.0;
  bool tls = false;  // --tls; --ca, --cert and --key imply it
  std::string ca, cert, key;
  bool json = false;
  std::string command;
  std::string server;  // add / remove
};

void Define(CLI::App& app, Invocation& inv) {
  app.add_option("--servers,-s", inv.servers, "Seed servers: host:port[,host:port...]")
      ->capture_default_str();
  app.add_option("--domain,-d", inv.domain, "The domain (server list) to work on");
  app.add_option("--timeout", inv.timeout_seconds, "Seconds to wait for each server")
      ->capture_default_str();
  app.add_flag("--tls", inv.tls, "TLS to every server (memcached -Z)");
  app.add_option("--ca", inv.ca, "CA certificates (PEM) for the servers; implies --tls");
  app.add_option("--cert", inv.cert, "Client certificate (PEM), for ssl_verify_mode >= 1");
  app.add_option("--key", inv.key, "Private key of --cert (PEM; default: the --cert file)");
  app.add_flag("--json", inv.json, "list, clients: JSON output");
  app.require_subcommand(1);
  app.fallthrough();  // `mcadmin ... clients --json` as well as `mcadmin --json ... clients`
  const auto sub = [&](const char* name, const char* help) {
    CLI::App* s = app.add_subcommand(name, help);
    s->callback([&inv, name] { inv.command = name; });
    return s;
  };
  sub("list", "Print the newest version of the domain's list");
  sub("add", "Add HOST:PORT[:WEIGHT] and push the list (version + 1) to every server")
      ->add_option("server", inv.server, "HOST:PORT[:WEIGHT]")
      ->required();
  sub("remove", "Remove HOST:PORT and push the list (version + 1) to every server")
      ->add_option("server", inv.server, "HOST:PORT")
      ->required();
  sub("sync", "Bring every server of the domain to the newest list");
  sub("clients", "The clients connected to every server of the domain");
  sub("stats", "stats of every server of the domain");
  sub("version", "version of every server of the domain");
}

// The settings, or nullopt after reporting a usage error.
std::optional<mcadmin::Settings> MakeSettings(const Invocation& inv) {
  auto seeds = mc::ParseServerList(inv.servers);
  if (!seeds) {
    std::cerr << "mcadmin: " << seeds.error().message << '\n';
    return std::nullopt;
  }
  if (!md::ValidName(inv.domain)) {
    std::cerr << "mcadmin: --domain NAME is required (1-250 bytes, no spaces)\n";
    return std::nullopt;
  }
  mcadmin::Settings settings;
  settings.domain = inv.domain;
  settings.seeds = std::move(seeds.value());
  settings.timeout =
      std::max(std::chrono::milliseconds(1),
               std::chrono::milliseconds(static_cast<long>(inv.timeout_seconds * 1000)));
  settings.json = inv.json;
  settings.tls = {.enabled = inv.tls || !inv.ca.empty() || !inv.cert.empty() || !inv.key.empty(),
                  .ca_file = inv.ca,
                  .cert_file = inv.cert,
                  .key_file = inv.key};
  return settings;
}

int Run(const Invocation& inv) {
  const std::optional<mcadmin::Settings> settings = MakeSettings(inv);
  if (!settings) return mcadmin::kExitUsage;
  if (inv.command == "add" || inv.command == "remove") {
    const bool add = inv.command == "add";
    std::optional<md::Server> server = md::ParseServer(inv.server, add);
    if (!server) {
      std::cerr << "mcadmin: bad server \"" << inv.server << "\" (expected HOST:PORT"
                << (add ? "[:WEIGHT])\n" : ")\n");
      return mcadmin::kExitUsage;
    }
    const md::Change change{add ? md::Change::Kind::kAdd : md::Change::Kind::kDelete, *server};
    return mcadmin::Change(*settings, change, std::cout, std::cerr);
  }
  if (inv.command == "sync") return mcadmin::Sync(*settings, std::cout, std::cerr);
  if (inv.command == "list") return mcadmin::List(*settings, std::cout, std::cerr);
  if (inv.command == "clients") return mcadmin::Clients(*settings, std::cout, std::cerr);
  return mcadmin::ServerCommand(*settings, inv.command, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"manage the server lists (domains) that mnemod servers keep"};
  app.name("mcadmin");
  Invocation inv;
  Define(app, inv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return mcadmin::kExitUsage;
  }
  const int code = Run(inv);
  std::cout.flush();
  return code;
}

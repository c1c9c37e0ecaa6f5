// The option table. Everything a user can type is defined here once; --help and the manual
// page are both generated from it.
#include "cli.h"

namespace mclient {
namespace {

constexpr const char* kStorageHelp =
    "Store VALUE under KEY; without VALUE, read it from stdin (binary-safe)";

void AddValueOptions(CLI::App& sub, Invocation& inv) {
  sub.add_option("--ttl,-t", inv.ttl, "Expiry: seconds, or a unix time past 30 days")
      ->default_val(0);
  sub.add_option("--flags,-f", inv.flags, "Client flags stored with the value")->default_val(0);
}

// KEY [VALUE], value optional: an empty VALUE given on the command line is stored as empty.
void AddKeyValue(CLI::App& sub, Invocation& inv) {
  sub.add_option("key", inv.key, "The key")->required();
  sub.add_option_function<std::string>(
      "value", [&inv](const std::string& v) { inv.value = v; }, "The value (default: stdin)");
  AddValueOptions(sub, inv);
}

CLI::App* Sub(CLI::App& app, Invocation& inv, const std::string& name, const std::string& help) {
  CLI::App* sub = app.add_subcommand(name, help);
  sub->callback([&inv, name] { inv.command = name; });
  return sub;
}

void DefineRetrieval(CLI::App& app, Invocation& inv) {
  const char* keys_help = "Keys to fetch";
  Sub(app, inv, "get",
      "Print the value of KEY raw; with several keys, KEY<TAB>VALUE lines (or --json). "
      "Exit 1 if any key is missing")
      ->add_option("keys", inv.keys, keys_help)
      ->required();
  Sub(app, inv, "gets", "Like get, with the CAS unique: KEY<TAB>CAS<TAB>VALUE lines")
      ->add_option("keys", inv.keys, keys_help)
      ->required();
  for (const char* name : {"gat", "gats"}) {
    CLI::App* sub =
        Sub(app, inv, name,
            std::string("Fetch and touch: set the keys' expiry to TTL, then print as ") +
                (name[3] == 's' ? "gets" : "get"));
    sub->add_option("ttl", inv.ttl, "New expiry")->required();
    sub->add_option("keys", inv.keys, keys_help)->required();
  }
  Sub(app, inv, "keys",
      "List the keys every server holds (lru_crawler metadump, or stats cachedump)");
}

void DefineStorage(CLI::App& app, Invocation& inv) {
  for (const char* name : {"set", "add", "replace", "append", "prepend"}) {
    AddKeyValue(*Sub(app, inv, name, std::string(kStorageHelp) + " (" + name + ")"), inv);
  }
  CLI::App* cas = Sub(app, inv, "cas", "Store only if the item's CAS unique is still CAS");
  cas->add_option("key", inv.key, "The key")->required();
  cas->add_option("cas", inv.cas, "CAS unique from gets")->required();
  cas->add_option_function<std::string>(
      "value", [&inv](const std::string& v) { inv.value = v; }, "The value (default: stdin)");
  AddValueOptions(*cas, inv);
  Sub(app, inv, "delete", "Delete keys; exit 1 if any was not found")
      ->add_option("keys", inv.keys, "Keys to delete")
      ->required();
  for (const char* name : {"incr", "decr"}) {
    CLI::App* sub = Sub(app, inv, name, std::string(name) + "ement a counter; print the result");
    sub->add_option("key", inv.key, "The key")->required();
    sub->add_option("n", inv.delta, "Amount")->default_val(1);
  }
  CLI::App* touch = Sub(app, inv, "touch", "Set the expiry of KEY to TTL");
  touch->add_option("key", inv.key, "The key")->required();
  touch->add_option("ttl", inv.ttl, "New expiry")->required();
}

void DefineAdmin(CLI::App& app, Invocation& inv) {
  Sub(app, inv, "stats", "Print statistics, one table per server (or --json)")
      ->add_option("group", inv.group, "items, slabs, settings, sizes, conns, ...");
  Sub(app, inv, "flush", "Invalidate every item on every server")
      ->add_option_function<std::int64_t>(
          "delay", [&inv](std::int64_t d) { inv.delay = d; }, "Seconds to wait first");
  Sub(app, inv, "version", "Print each server's version");
  Sub(app, inv, "ping", "Check that every server answers (noop); exit 3 if one does not");
  Sub(app, inv, "verbosity", "Set the servers' log verbosity")
      ->add_option("level", inv.level, "Level")
      ->required();
}

}  // namespace

void DefineCommandLine(CLI::App& app, Invocation& inv) {
  app.add_option("--servers,-s", inv.servers,
                 "Servers: host:port[:weight][ name],/unix/path,... (env MEMCACHED_SERVERS)")
      ->envname("MEMCACHED_SERVERS")
      ->capture_default_str();
  app.add_option("--protocol,-p", inv.protocol, "ascii, meta or binary")
      ->check(CLI::IsMember({"ascii", "meta", "binary"}))
      ->capture_default_str();
  app.add_option("--distribution,-d", inv.distribution,
                 "modula (libmemcached default), ketama, ketama_weighted (= twemproxy ketama)")
      ->check(CLI::IsMember({"modula", "ketama", "consistent", "ketama_weighted"}))
      ->capture_default_str();
  app.add_option("--hash", inv.hash,
                 "one_at_a_time (default), md5 (default with ketama_weighted), crc32, fnv1_32, "
                 "fnv1a_32, fnv1_64, fnv1a_64, murmur, jenkins");
  app.add_option("--timeout", inv.timeout_seconds, "Connect and I/O timeout in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--tls", inv.tls, "TLS to every server (memcached -Z); the server's certificate "
               "must chain to --ca (default: the system's CAs) and name its host");
  app.add_option("--ca", inv.tls_ca, "CA certificates (PEM) for the servers; implies --tls");
  app.add_option("--cert", inv.tls_cert, "Client certificate (PEM), for ssl_verify_mode >= 1");
  app.add_option("--key", inv.tls_key, "Private key of --cert (PEM; default: the --cert file)");
  app.add_flag("--json,-j", inv.json, "JSON output (get, gets, gat, gats, stats, version, keys)");
  app.add_flag("--man", inv.man, "Print the manual page (troff) and exit");
  app.require_subcommand(0, 1);
  app.fallthrough();
  DefineRetrieval(app, inv);
  DefineStorage(app, inv);
  DefineAdmin(app, inv);
}

}  // namespace mclient

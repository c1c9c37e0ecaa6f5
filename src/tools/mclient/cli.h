// mclient's command line: the global options and one CLI11 subcommand per memcached operation,
// filling an Invocation that the commands then carry out. CLI11 exceptions stay inside main().
// Thread safety: single-threaded tool.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mclient {

struct Invocation {
  // Global options.
  std::string servers = "127.0.0.1:11211";
  std::string protocol = "ascii";
  std::string distribution = "modula";
  std::string hash;  // empty: the distribution's default
  double timeout_seconds = 2.0;
  // --tls; --ca, --cert and --key imply it.
  bool tls = false;
  std::string tls_ca, tls_cert, tls_key;
  bool json = false;
  bool man = false;  // print the manual page (troff) and exit

  // The subcommand and its arguments.
  std::string command;
  std::vector<std::string> keys;  // get, gets, gat, gats, delete
  std::string key;
  std::optional<std::string> value;  // storage commands: from stdin when absent
  std::uint64_t cas = 0;
  std::uint64_t delta = 1;
  std::int64_t ttl = 0;
  std::uint32_t flags = 0;
  std::optional<std::int64_t> delay;
  std::string group;
  std::uint32_t level = 0;
};

// Adds the global options and every subcommand to `app`, bound to `invocation`.
void DefineCommandLine(CLI::App& app, Invocation& invocation);

// The manual page of `app` in troff (man(7)) form, from the same definitions as --help.
std::string ManPage(const CLI::App& app);

}  // namespace mclient

// mnemo-capable: checks a memcached-compatible server with Mnemo's compatibility scripts.
//   mnemo-capable HOST:PORT [--ref HOST:PORT] [--scripts DIR] [--filter TEXT] [--fresh] [-v]
// Prints one PASS/FAIL/SKIP line per script and "N passed, M failed". Exit codes: 0 all passed,
// 1 a script failed, 2 usage or no scripts.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "tools/capable/capable.h"

namespace {

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// The scripts an installed tool ships with, else those of the source tree it was built from.
std::string DefaultScriptsDir() {
  std::error_code error;
  if (std::filesystem::is_directory(MNEMO_CAPABLE_INSTALLED_SCRIPTS, error)) {
    return MNEMO_CAPABLE_INSTALLED_SCRIPTS;
  }
  return MNEMO_CAPABLE_SOURCE_SCRIPTS;
}

}  // namespace

int main(int argc, char** argv) {
  namespace compat = mnemo::compat;
  CLI::App app{
      "Runs Mnemo's memcached compatibility scripts against a server. With --ref, every reply "
      "is compared byte for byte with a reference server's (a real memcached); without it, a "
      "script passes when the server answers every step and closes the connection exactly "
      "where the script expects.",
      "mnemo-capable"};
  std::string target;
  std::string reference;
  compat::CapableOptions options;
  options.scripts_dir = DefaultScriptsDir();
  int step_ms = static_cast<int>(options.step_timeout.count());
  app.add_option("target", target, "the server to check, HOST:PORT")->required();
  app.add_option("--ref", reference, "reference server to compare replies with, HOST:PORT");
  app.add_option("--scripts", options.scripts_dir, "directory of <group>/<name>.mcs scripts")
      ->capture_default_str();
  app.add_option("--filter", options.filter, "only scripts whose name contains this text");
  app.add_flag("--fresh", options.run_fresh,
               "also run scripts that flush the cache or change server settings "
               "(meant for servers started for this run)");
  app.add_option("--step-timeout", step_ms, "milliseconds each step may take")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("-v,--verbose", options.verbose, "print the full report of every failure");
  CLI11_PARSE(app, argc, argv);

  options.step_timeout = std::chrono::milliseconds(step_ms);
  mnemo::Result<compat::Endpoint> parsed = compat::ParseEndpoint(target);
  if (!parsed) {
    std::cerr << "mnemo-capable: " << parsed.error().message << "\n";
    return kExitUsage;
  }
  options.target = *parsed;
  if (!reference.empty()) {
    mnemo::Result<compat::Endpoint> ref = compat::ParseEndpoint(reference);
    if (!ref) {
      std::cerr << "mnemo-capable: --ref: " << ref.error().message << "\n";
      return kExitUsage;
    }
    options.reference = *ref;
  }
  mnemo::Result<compat::CapableSummary> summary = compat::RunCapable(options, std::cout);
  if (!summary) {
    std::cerr << "mnemo-capable: " << summary.error().message << "\n";
    return kExitUsage;
  }
  return summary->failed == 0 ? 0 : kExitFailed;
}

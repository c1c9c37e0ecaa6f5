// mnemod: a drop-in replacement for the memcached daemon. Everything but reading the command
// line lives in the mnemo_server library (run.h).
#include <sysexits.h>

#include <cstdio>

#include "server/config.h"
#include "server/run.h"

int main(int argc, char** argv) {
  mnemo::Result<mnemo::server::CommandLine> parsed = mnemo::server::ParseCommandLine(argc, argv);
  if (!parsed) {
    std::fprintf(stderr, "%s\n", parsed.error().message.c_str());
    return EX_USAGE;
  }
  if (parsed->print_and_exit) {
    std::fputs(parsed->print_and_exit->c_str(), stdout);
    return 0;
  }
  for (const std::string& warning : parsed->warnings) std::fprintf(stderr, "%s\n", warning.c_str());
  return mnemo::server::RunMnemod(parsed->config);
}

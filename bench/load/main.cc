// mnemo-bench: load generator and hit-ratio replayer for memcached-compatible servers
// (bench/README.md). Exit status: 0 done, 1 the run failed, 2 bad command line.
#include <cstdio>
#include <stdexcept>

#include "load_run.h"
#include "options.h"

int main(int argc, char** argv) {
  mnemo::bench::BenchOptions options;
  if (const auto exit_code = mnemo::bench::ParseOptions(argc, argv, options)) return *exit_code;
  try {
    const mnemo::bench::RunResult result = options.mode == mnemo::bench::Mode::kHitRatio
                                               ? mnemo::bench::RunHitRatio(options)
                                               : mnemo::bench::RunLoad(options);
    mnemo::bench::PrintResult(options, result, stdout);
    if (result.requests == 0) {
      std::fprintf(stderr, "mnemo-bench: no request completed\n");
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnemo-bench: %s\n", e.what());
    return 1;
  }
}

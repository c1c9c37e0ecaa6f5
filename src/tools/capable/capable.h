// mnemo-capable's run: every compatibility script against one server, optionally diffed with a
// reference server, one line per script and a summary. The scripts are those of Mnemo's own
// compatibility test (tests/compat), so a user can check any memcached-compatible server the
// way Mnemo checks itself.
//
// Without a reference, a script passes when the server keeps in step with it: every step is
// answered, and the connection is closed exactly where the script expects memcached to close
// it. Only with a reference are the replies compared byte for byte (after the script's masks).
//
// Thread safety: RunCapable uses its own connections; it may run on any thread.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "mnemo/result.h"
#include "tools/capable/runner.h"

namespace mnemo::compat {

struct CapableOptions {
  Endpoint target;
  std::optional<Endpoint> reference;
  std::string scripts_dir;
  std::string filter;      // only scripts whose name contains this; empty = all
  bool run_fresh = false;  // also scripts marked `fresh` (they flush or change settings)
  bool verbose = false;    // print the whole report of every failure
  std::chrono::milliseconds step_timeout{1000};
};

struct CapableSummary {
  int passed = 0;
  int failed = 0;
  int skipped = 0;
};

// "HOST:PORT", "[IPv6]:PORT" or "HOST" (port 11211).
Result<Endpoint> ParseEndpoint(const std::string& text);

// Runs the scripts, writing one line per script and then the summary to `out`. Fails only
// when no script could be found.
Result<CapableSummary> RunCapable(const CapableOptions& options, std::ostream& out);

}  // namespace mnemo::compat

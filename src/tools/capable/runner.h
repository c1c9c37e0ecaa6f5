// Runs a compatibility script against one server and records what came back, step by step.
// Free of any test framework so that a stand-alone tool can drive it as well as the GoogleTest
// suite; transcript.h compares the transcripts of two servers.
// Thread safety: RunScript uses its own connection; distinct calls may run concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/capable/script.h"

namespace mnemo::compat {

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
};

struct RunOptions {
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds step_timeout{1000};  // per step; memcached answers in microseconds
  std::chrono::milliseconds split_delay{1};      // pause between the writes of a split send
};

enum class Ending {
  kSynced,   // the sync marker's reply arrived
  kClosed,   // the server closed the connection
  kIdle,     // nothing more arrived for the step's idle time
  kTimeout,  // the step timed out (a failure on any server)
  kNotRun,   // an earlier step closed the connection or failed
};

const char* EndingName(Ending ending);

struct StepResult {
  std::string sent;   // the payload after variable substitution
  std::string reply;  // everything read, minus the sync marker's reply
  Ending ending = Ending::kNotRun;
  std::string note;  // why the step could not run as written (missing variable, send error)
};

struct Transcript {
  std::string error;  // set when the script could not run at all (connect failed)
  std::vector<StepResult> steps;
};

// Connects once to `endpoint` and runs every step of `script` on that connection.
Transcript RunScript(const Script& script, const Endpoint& endpoint,
                     const RunOptions& options = {});

}  // namespace mnemo::compat

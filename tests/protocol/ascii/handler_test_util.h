// Fixture for the classic handler tests: a MapEngine on a ManualClock, a session's config,
// counters and recording hooks, and Run() to push request bytes through parser and handler.
// Test-only. Thread safety: none needed.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ascii/test_util.h"
#include "engines/map/map_engine.h"
#include "manual_clock.h"

namespace mnemo::ascii::test {

// Records what the handler asked of the process around the session.
class RecordingHooks : public SessionHooks {
 public:
  bool Stats(std::string_view group, StatSink sink) override {
    if (group.empty()) {
      sink("pid", "7");
      return true;
    }
    if (group == "settings") {
      sink("maxbytes", "67108864");
      return true;
    }
    return false;
  }
  void ResetStats() override { ++resets; }
  void Verbosity(int level) override { verbosity = level; }
  void Shutdown(bool graceful) override {
    ++shutdowns;
    shutdown_graceful = graceful;
  }
  bool SetMemoryLimit(std::uint64_t megabytes) override {
    memlimit = megabytes;
    return accept_memlimit;
  }
  std::string RefreshCerts() override {
    if (!tls) return SessionHooks::RefreshCerts();
    ++refreshes;
    return refresh_failure;
  }
  WatchStart StartWatch(std::uint32_t flags) override {
    watch_asked = flags;
    return watch_start;
  }

  int resets = 0;
  int verbosity = -1;
  int shutdowns = 0;
  bool shutdown_graceful = false;
  std::uint64_t memlimit = 0;
  bool accept_memlimit = true;
  bool tls = false;  // RefreshCerts: the base's "not enabled" while false
  int refreshes = 0;
  std::string refresh_failure;  // what RefreshCerts returns when tls is set; "" = success
  WatchStart watch_start = WatchStart::kNoStream;  // what StartWatch answers
  std::uint32_t watch_asked = 0;                   // the flags of the last StartWatch
};

class HandlerTest : public ::testing::Test {
 protected:
  // Runs `input` (whole) and returns the reply bytes.
  std::string Run(std::string_view input) {
    ParserLimits limits;
    limits.max_value_bytes = max_value_bytes_;
    return Drive(input, context_, limits);
  }

  // The CAS gets reports for `key` (0 when missing).
  std::uint64_t CasOf(std::string_view key) {
    std::uint64_t cas = 0;
    GetRequest peek{HashedKey(key)};
    peek.bump = false;
    peek.peek = true;
    engine_.Get(peek, [&cas](const ItemView& item) { cas = item.cas; });
    return cas;
  }

  mnemo::testing::ManualClock clock_;
  MapEngine engine_{clock_, MapEngineConfig{}};
  SessionConfig config_;
  CommandCounters counters_;
  RecordingHooks hooks_;
  SessionContext context_{engine_, config_, counters_, hooks_};
  std::size_t max_value_bytes_ = 1024 * 1024;
};

}  // namespace mnemo::ascii::test

// Test fixture for the meta handler: a MapEngine on a ManualClock behind a small driver that
// parses and executes requests the way the session does. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/context.h"
#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "meta/handler.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta::test {

// Hooks that report an uptime in the general stats when one is set, as a server's do.
class TestHooks : public SessionHooks {
 public:
  bool Stats(std::string_view group, StatSink sink) override {
    if (group.empty() && uptime >= 0) sink("uptime", std::to_string(uptime));
    return group.empty();
  }

  std::int64_t uptime = -1;  // -1: none reported
};

class MetaHandlerTest : public ::testing::Test {
 protected:
  // Parses and executes every request in `input`, returning the reply bytes. Parse errors are
  // answered with their line; an oversize value is swallowed; "<closed>" marks a fatal error.
  std::string Run(std::string_view input) {
    std::string out;
    ParserLimits limits;
    limits.max_value_bytes = config_.item_size_max;
    while (!input.empty()) {
      Request request;
      ParseResult result = ParseRequest(input, limits, request);
      if (result.status == ParseStatus::kIncomplete) break;
      if (result.status == ParseStatus::kFatal) {
        out += "<closed>";
        break;
      }
      if (result.status == ParseStatus::kError) {
        out += request.error;
        out += "\r\n";
      } else {
        Execute(request, context_, out);
      }
      input.remove_prefix(result.consumed);
      if (result.status == ParseStatus::kOk && request.oversize) {
        input.remove_prefix(std::min(request.skip_bytes, input.size()));
      }
    }
    return out;
  }

  mnemo::testing::ManualClock clock_;
  MapEngine engine_{clock_};
  SessionConfig config_;
  CommandCounters counters_;
  TestHooks hooks_;
  SessionContext context_{engine_, config_, counters_, hooks_};
};

}  // namespace mnemo::meta::test

// The binary handler tests' fixture: a handler over the reference map engine with a manual
// clock and hooks that record what the handler asks of the process. Single-threaded, as tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "binary/handler.h"
#include "binary/test_util.h"
#include "core/context.h"
#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary::test {

// Records what the handler asks of the process around the session.
class RecordingHooks final : public SessionHooks {
 public:
  bool Stats(std::string_view group, StatSink sink) override {
    if (group.empty()) {
      sink("pid", "42");
      return true;
    }
    if (group == "settings") {
      sink("maxconns", "1024");
      sink("tcpport", "11211");
      return true;
    }
    return false;
  }
  void ResetStats() override { ++resets; }
  int resets = 0;
};

class BinaryHandlerTest : public ::testing::Test {
 protected:
  // Parses and executes every request in `input` as the session does, returning the response
  // bytes. Rejected packets are answered with AppendError; after a fatal one, or a Quit, the
  // rest is ignored and `closed_` is set.
  std::string Run(std::string_view input) { return Run(input, context_); }
  std::string Run(std::string_view input, SessionContext& context) {
    std::string out;
    ParserLimits limits;
    limits.max_value_bytes = config_.item_size_max;
    while (!input.empty() && !closed_) {
      Request request;
      ParseResult result = ParseRequest(input, limits, request);
      if (result.status == ParseStatus::kIncomplete) break;
      input.remove_prefix(result.consumed);
      if (result.status == ParseStatus::kOk) {
        Execute(request, context, out);
        if (request.oversize) input.remove_prefix(std::min(request.skip_bytes, input.size()));
        closed_ = context.close;
      } else {
        AppendError(request, out);
        closed_ = result.status == ParseStatus::kFatal;
      }
    }
    return out;
  }

  // Stores key=value through a binary Set and returns the CAS the server answered with.
  std::uint64_t Set(std::string_view key, std::string_view value, std::uint32_t flags = 0,
                    std::uint32_t exptime = 0) {
    std::string out = Run(Req(Opcode::kSet, key, StoreExtras(flags, exptime), value));
    Response response;
    EXPECT_EQ(ParseResponse(out, response).status, ParseStatus::kOk);
    EXPECT_EQ(response.status, Status::kSuccess);
    return response.cas;
  }

  mnemo::testing::ManualClock clock_;
  SessionConfig config_;
  MapEngine engine_{clock_, MapEngineConfig{config_.item_size_max}};
  CommandCounters counters_;
  RecordingHooks hooks_;
  SessionContext context_{engine_, config_, counters_, hooks_};
  bool closed_ = false;
};

}  // namespace mnemo::binary::test

// A storage command whose data block does not end in \r\n: 1.6.18 answers "bad data chunk" and
// has counted the command in cmd_set by then, classic or ms, noreply/q or not; errors found
// before the block is read count nothing. Each case was checked against 1.6.18's `stats`.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/meta.h"
#include "mnemo/session.h"

namespace mnemo {
namespace {

struct ChunkCase {
  std::string_view input;
  std::string_view reply;
  std::uint64_t cmd_set;
};

class BadChunkTest : public ::testing::TestWithParam<ChunkCase> {};

TEST_P(BadChunkTest, RepliesAndCountsAsMemcached) {
  const ChunkCase& c = GetParam();
  testing::ManualClock clock;
  MapEngine engine(clock);
  SessionConfig config;
  CommandCounters counters;
  Session session(engine, config, counters);
  std::string output;
  EXPECT_EQ(session.Process(c.input, output), c.input.size());
  EXPECT_EQ(output, c.reply);
  EXPECT_EQ(counters.cmd_set.load(), c.cmd_set);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadChunkTest,
    ::testing::Values(ChunkCase{"set c 0 0 5\r\nabcdeXY", "CLIENT_ERROR bad data chunk\r\n", 1},
                      ChunkCase{"set c 0 0 5 noreply\r\nabcdeXY", "", 1},
                      ChunkCase{"add c 0 0 5\r\nabcdeXY", "CLIENT_ERROR bad data chunk\r\n", 1},
                      ChunkCase{"cas c 0 0 5 1\r\nabcdeXY", "CLIENT_ERROR bad data chunk\r\n", 1},
                      ChunkCase{"append c 0 0 5\r\nabcdeXY", "CLIENT_ERROR bad data chunk\r\n", 1},
                      ChunkCase{"ms c 5\r\nabcdeXY", "CLIENT_ERROR bad data chunk\r\n", 1},
                      ChunkCase{"ms c 5 q MA\r\nabcdeXY", "CLIENT_ERROR bad data chunk\r\n", 1},
                      ChunkCase{"ms c 5 Zbad\r\nabcdeXY", "CLIENT_ERROR invalid flag\r\n", 0},
                      ChunkCase{"ms c 5 MX\r\nabcdeXY",
                                "CLIENT_ERROR invalid mode for ms M token\r\n", 0},
                      ChunkCase{"set c 0 0 abc\r\n", "CLIENT_ERROR bad command line format\r\n", 0},
                      ChunkCase{"ms c 5 MA\r\nabcde\r\n", "NS\r\n", 1}));

TEST(BadChunkParseTest, ParsersMarkOnlyABadBlock) {
  ParserLimits limits;
  Request request;
  EXPECT_EQ(ascii::ParseRequest("set c 0 0 1\r\nxyz", limits, request).status, ParseStatus::kError);
  EXPECT_TRUE(request.bad_chunk);
  request = Request();
  EXPECT_EQ(meta::ParseRequest("ms c 1\r\nxyz", limits, request).status, ParseStatus::kError);
  EXPECT_TRUE(request.bad_chunk);
  request = Request();
  EXPECT_EQ(meta::ParseRequest("ms c 1 MX\r\nxyz", limits, request).status, ParseStatus::kError);
  EXPECT_FALSE(request.bad_chunk);
  request = Request();
  EXPECT_EQ(ascii::ParseRequest("set c 0 0 1\r\nx\r\n", limits, request).status, ParseStatus::kOk);
  EXPECT_FALSE(request.bad_chunk);
}

}  // namespace
}  // namespace mnemo

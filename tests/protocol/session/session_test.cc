// Session: protocol detection, pipelining, fragment invariance, oversize swallowing, the output
// high-water mark and closing. The per-command replies are tested with each protocol's handler;
// here every case goes through Session::Process as a server would drive it.
#include "mnemo/session.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "session_feed.h"

namespace mnemo {
namespace {

using namespace std::string_literals;

// A binary request header: magic, opcode, key length, extras length, body length, opaque.
std::string BinaryHeader(std::uint8_t opcode, std::uint16_t key_length, std::uint8_t extras,
                         std::uint32_t body, std::uint32_t opaque) {
  std::string h(24, '\0');
  h[0] = '\x80';
  h[1] = static_cast<char>(opcode);
  h[2] = static_cast<char>(key_length >> 8);
  h[3] = static_cast<char>(key_length & 0xff);
  h[4] = static_cast<char>(extras);
  for (int i = 0; i < 4; ++i) h[8 + i] = static_cast<char>(body >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) h[12 + i] = static_cast<char>(opaque >> (24 - 8 * i));
  return h;
}

std::string BinaryNoop(std::uint32_t opaque) { return BinaryHeader(0x0a, 0, 0, 0, opaque); }

class SessionTest : public ::testing::Test {
 protected:
  // Feeds `input` in `fragment`-byte reads (0 = all at once) through a fresh session.
  std::string Drive(std::string_view input, std::size_t fragment = 0) {
    Session session(engine_, config_, counters_);
    std::string output = testing::FeedSession(session, input, fragment);
    closed_ = session.closing();
    protocol_ = session.protocol();
    return output;
  }

  testing::ManualClock clock_;
  MapEngine engine_{clock_};
  SessionConfig config_;
  CommandCounters counters_;
  bool closed_ = false;
  Protocol protocol_ = Protocol::kAscii;
};

TEST_F(SessionTest, TextConnectionMixesClassicAndMeta) {
  std::string out = Drive("set k 0 0 1\r\nv\r\nmg k v\r\nget k\r\nmn\r\n");
  EXPECT_EQ(out, "STORED\r\nVA 1\r\nv\r\nVALUE k 0 1\r\nv\r\nEND\r\nMN\r\n");
  EXPECT_EQ(protocol_, Protocol::kAscii);
}

TEST_F(SessionTest, FirstByteSelectsBinaryForTheConnection) {
  std::string out = Drive(BinaryNoop(7) + BinaryNoop(8));
  ASSERT_EQ(out.size(), 48u);
  EXPECT_EQ(static_cast<unsigned char>(out[0]), 0x81);
  EXPECT_EQ(out[15], 7);
  EXPECT_EQ(out[24 + 15], 8);
  EXPECT_EQ(protocol_, Protocol::kBinary);
}

TEST_F(SessionTest, BinaryConnectionDoesNotAcceptTextLater) {
  // After binary was chosen a text line is a bad magic byte: memcached closes silently.
  std::string out = Drive(BinaryNoop(1) + "version\r\n");
  EXPECT_EQ(out.size(), 24u);
  EXPECT_TRUE(closed_);
}

TEST_F(SessionTest, ForcedAsciiTreatsBinaryMagicAsText) {
  config_.protocol = ProtocolMode::kAscii;
  std::string out = Drive("\x80 junk\r\nversion\r\n");
  EXPECT_EQ(out, "ERROR\r\nVERSION " + config_.version + "\r\n");
}

TEST_F(SessionTest, ForcedBinaryRejectsText) {
  config_.protocol = ProtocolMode::kBinary;
  std::string out = Drive("version\r\n");
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(closed_);
}

TEST_F(SessionTest, RepliesDoNotDependOnReadSizes) {
  const std::string input =
      "set a 5 0 3\r\nabc\r\nappend a 0 0 2\r\nde\r\nmg a v f c\r\nincr n 1\r\n"
      "set n 0 0 2\r\n10\r\ndecr n 3\r\nms b 2 T0\r\nxy\r\nmg b s v\r\nget a b n\r\n"
      "delete a\r\nbogus\r\nset x 0 0 3\r\nabcd\r\nmn\r\n";
  const std::string whole = Drive(input);
  EXPECT_NE(whole.find("VALUE a 5 5\r\nabcde\r\n"), std::string::npos);
  for (std::size_t fragment : {1, 2, 3, 7, 64}) {
    MapEngine fresh(clock_);
    Session session(fresh, config_, counters_);
    std::string buffer, output;
    for (std::size_t fed = 0; fed < input.size(); fed += fragment) {
      buffer.append(input.substr(fed, fragment));
      buffer.erase(0, session.Process(buffer, output));
    }
    EXPECT_EQ(output, whole) << "fragment " << fragment;
  }
}

TEST_F(SessionTest, OversizeValueIsSwallowedAcrossReads) {
  config_.item_size_max = 1024;
  std::string value(5000, 'x');
  std::string input = "set big 0 0 5000\r\n" + value + "\r\nversion\r\n";
  for (std::size_t fragment : {0, 1, 7, 64, 4096}) {
    std::string out = Drive(input, fragment);
    EXPECT_EQ(out, "SERVER_ERROR object too large for cache\r\nVERSION " + config_.version +
                       "\r\n")
        << "fragment " << fragment;
  }
}

TEST_F(SessionTest, QuitClosesAndIgnoresWhatFollows) {
  std::string out = Drive("version\r\nquit\r\nversion\r\n");
  EXPECT_EQ(out, "VERSION " + config_.version + "\r\n");
  EXPECT_TRUE(closed_);
}

TEST_F(SessionTest, OverlongLineWithoutNewlineCloses) {
  std::string out = Drive(std::string(3000, 'x'));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(closed_);
}

TEST_F(SessionTest, ProcessPausesAtTheOutputHighWaterMark) {
  config_.output_high_water = 64;
  std::string value(100, 'v');
  Drive("set k 0 0 100\r\n" + value + "\r\n");
  Session session(engine_, config_, counters_);
  std::string input = "get k\r\nget k\r\nget k\r\n";
  std::string output;
  std::size_t used = session.Process(input, output);
  // One reply already passes the mark, so the session stops after the first get.
  EXPECT_EQ(used, 7u);
  EXPECT_EQ(output, "VALUE k 0 100\r\n" + value + "\r\nEND\r\n");
  output.clear();
  input.erase(0, used);
  used = session.Process(input, output);
  EXPECT_EQ(used, 7u);
}

TEST_F(SessionTest, IncompleteInputConsumesNothing) {
  Session session(engine_, config_, counters_);
  std::string output;
  EXPECT_EQ(session.Process("set k 0 0 5\r\nab", output), 0u);
  EXPECT_EQ(session.Process("m", output), 0u);
  Session binary(engine_, config_, counters_);
  EXPECT_EQ(binary.Process(BinaryHeader(0x01, 1, 8, 12, 0).substr(0, 30), output), 0u);
  EXPECT_TRUE(output.empty());
}

TEST_F(SessionTest, CountsBytesPerRequest) {
  Drive("set k 0 0 1\r\nv\r\nget k\r\n");
  EXPECT_EQ(counters_.bytes_read.load(), 16u + 7u);
  EXPECT_EQ(counters_.bytes_written.load(), std::string("STORED\r\nVALUE k 0 1\r\nv\r\nEND\r\n").size());
}

TEST_F(SessionTest, BinaryErrorsCarryTheOpaque) {
  // Unknown opcode 0x50: status 0x81 and the connection stays usable.
  std::string out = Drive(BinaryHeader(0x50, 0, 0, 0, 99) + BinaryNoop(100));
  ASSERT_EQ(out.size(), 24u + 15u + 24u);
  EXPECT_EQ(out[7], '\x81');
  EXPECT_EQ(out[15], 99);
  EXPECT_EQ(out.substr(24, 15), "Unknown command");
  EXPECT_EQ(out[24 + 15 + 15], 100);
}

TEST_F(SessionTest, RequestLimitPausesProcess) {
  config_.max_requests_per_call = 2;
  Session session(engine_, config_, counters_);
  std::string input;
  for (int i = 0; i < 5; ++i) input += "version\r\n";
  std::string output;
  for (std::size_t expected : {2u, 2u, 1u}) {
    output.clear();
    const std::size_t used = session.Process(input, output);
    EXPECT_EQ(used, expected * 9);
    EXPECT_EQ(output.size(), expected * 16);  // "VERSION 1.6.18\r\n"
    input.erase(0, used);
    // Paused with requests left; not when the input simply ran out.
    EXPECT_EQ(session.at_request_limit(), !input.empty());
  }
}

TEST_F(SessionTest, RequestLimitCountsSilentAndFailedRequests) {
  config_.max_requests_per_call = 2;
  Session session(engine_, config_, counters_);
  std::string output;
  const std::string input = "set k 0 0 1 noreply\r\nv\r\nbogus\r\nget k\r\n";
  const std::size_t used = session.Process(input, output);
  EXPECT_EQ(input.substr(used), "get k\r\n");
  EXPECT_EQ(output, "ERROR\r\n");
  EXPECT_TRUE(session.at_request_limit());
}

TEST_F(SessionTest, RequestLimitDoesNotChangeReplies) {
  const std::string input =
      "set k 0 0 1\r\nv\r\nget k\r\nincr k 1\r\ndelete k\r\nmn\r\nversion\r\n";
  const std::string unlimited = Drive(input);
  for (std::size_t limit : {1u, 2u, 3u}) {
    config_.max_requests_per_call = limit;
    EXPECT_EQ(Drive(input), unlimited) << "limit " << limit;
    EXPECT_EQ(Drive(input, 1), unlimited) << "limit " << limit << ", byte by byte";
  }
}

// Hooks that report fields after the command counters, one of them also an engine field.
class LateFieldHooks : public SessionHooks {
 public:
  void StatsAfterCounters(StatSink sink) override {
    sink("curr_items", "server's");
    sink("threads", "4");
  }
};

TEST_F(SessionTest, HookFieldsFollowTheCountersAndReplaceTheEngines) {
  LateFieldHooks hooks;
  Session session(engine_, config_, counters_, &hooks);
  std::string output;
  session.Process("stats\r\n", output);
  const std::size_t written = output.find("STAT bytes_written ");
  const std::size_t items = output.find("STAT curr_items server's\r\nSTAT threads 4\r\n");
  ASSERT_NE(written, std::string::npos) << output;
  ASSERT_NE(items, std::string::npos) << output;
  EXPECT_LT(written, items);
  // The engine's own curr_items is left out; its other fields follow the hook's.
  EXPECT_EQ(output.find("STAT curr_items", items + 1), std::string::npos) << output;
  EXPECT_NE(output.find("STAT total_items", items), std::string::npos) << output;
}

}  // namespace
}  // namespace mnemo

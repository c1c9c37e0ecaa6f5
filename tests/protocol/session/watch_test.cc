// Session and `watch`: what every protocol's requests report while someone watches (memcached
// 1.6.18's item_get / item_store events, checked against it live), nothing while nobody does,
// and a started watch ending the session's reading.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engines/map/map_engine.h"
#include "manual_clock.h"
#include "mnemo/session.h"
#include "session_feed.h"

namespace mnemo {
namespace {

// Events as short strings: "get KEY STATUS CLASS SIZE" / "store KEY STATUS CMD TTL SIZE".
class RecordingSink : public WatchSink {
 public:
  void ItemGet(const FetchEvent& e) override {
    const char* names[] = {"not_found", "found", "flushed", "expired"};
    events.push_back("get " + std::string(e.key) + " " + names[static_cast<int>(e.status)] + " " +
                     std::to_string(e.slab_class) + " " + std::to_string(e.value_size) + " fd" +
                     std::to_string(e.client_fd));
  }
  void ItemStore(const StoreEvent& e) override {
    const char* statuses[] = {"stored",    "not_stored", "exists",
                              "not_found", "too_large",  "no_memory"};
    const char* commands[] = {"add", "set", "replace", "append", "prepend", "cas"};
    events.push_back("store " + std::string(e.key) + " " + statuses[static_cast<int>(e.status)] +
                     " " + commands[static_cast<int>(e.command)] + " ttl" + std::to_string(e.ttl) +
                     " " + std::to_string(e.value_size));
  }
  std::vector<std::string> events;
};

class WatchHooks : public SessionHooks {
 public:
  WatchSink* Watching() override {
    ++asked;
    return watching ? &sink : nullptr;
  }
  WatchStart StartWatch(std::uint32_t flags) override {
    started = flags;
    return start;
  }
  RecordingSink sink;
  bool watching = true;
  int asked = 0;
  WatchStart start = WatchStart::kStarted;
  std::uint32_t started = 0;
};

class SessionWatchTest : public ::testing::Test {
 protected:
  std::string Drive(std::string_view input) {
    Session session(engine_, config_, counters_, &hooks_);
    session.set_client_fd(9);
    return testing::FeedSession(session, input, 0);
  }
  const std::vector<std::string>& events() const { return hooks_.sink.events; }

  testing::ManualClock clock_;
  MapEngine engine_{clock_};
  SessionConfig config_;
  CommandCounters counters_;
  WatchHooks hooks_;
};

TEST_F(SessionWatchTest, ClassicCommandsReportAsMemcached) {
  Drive(
      "set a 0 0 1\r\nx\r\nget a b\r\nadd a 0 0 1\r\ny\r\nreplace a 0 100 1\r\nz\r\n"
      "append a 0 0 1\r\nq\r\ncas a 0 0 1 999\r\nq\r\ndelete a\r\ndelete a\r\n"
      "incr n 1\r\ntouch a 5\r\n");
  const std::vector<std::string> expected = {
      "get a not_found 0 0 fd9", "store a stored set ttl0 1",
      "get a found 1 1 fd9",     "get b not_found 0 0 fd9",
      "get a found 1 1 fd9",     "store a not_stored add ttl0 1",
      "get a found 1 1 fd9",     "store a stored replace ttl100 1",
      "get a found 1 1 fd9",     "store a stored append ttl100 2",
      "get a found 1 2 fd9",     "store a exists cas ttl0 1",
      "get a found 1 2 fd9",     "get a not_found 0 0 fd9",
      "get n not_found 0 0 fd9", "get a not_found 0 0 fd9"};
  EXPECT_EQ(events(), expected);
}

TEST_F(SessionWatchTest, MetaCommandsReportAsMemcached) {
  Drive(
      "ms m 1 T5\r\nx\r\nms m 1 MA\r\nx\r\nms zq 1 MA\r\nx\r\nms m 1 C999\r\nx\r\n"
      "mg m v\r\nme m\r\nmd m\r\nma m\r\nmn\r\n");
  const std::vector<std::string> expected = {
      "get m not_found 0 0 fd9",  "store m stored set ttl5 1",
      "get m found 1 1 fd9",      "store m stored append ttl5 2",
      "get zq not_found 0 0 fd9", "store zq not_stored append ttl0 1",
      "get m found 1 2 fd9",      "store m exists cas ttl0 1",
      "get m found 1 2 fd9",      "get m found 1 2 fd9",
      "get m found 1 2 fd9",      "get m not_found 0 0 fd9"};
  EXPECT_EQ(events(), expected);
}

// The reporting engine makes blocking calls: a call that must not block, made while someone
// watches, does nothing and leaves everything to a call that may, which reports it once.
TEST_F(SessionWatchTest, ANonBlockingCallIsLeftWholeWhileWatched) {
  Session session(engine_, config_, counters_, &hooks_);
  session.set_client_fd(9);
  std::string output;
  const std::string input = "get a\r\n";
  EXPECT_EQ(session.Process(input, output, EngineCalls::kNonBlocking), 0u);
  EXPECT_TRUE(session.blocked());
  EXPECT_EQ(output, "");
  EXPECT_TRUE(events().empty());
  EXPECT_EQ(session.Process(input, output), input.size());
  EXPECT_FALSE(session.blocked());
  EXPECT_EQ(output, "END\r\n");
  EXPECT_EQ(events(), std::vector<std::string>{"get a not_found 0 0 fd9"});
}

TEST_F(SessionWatchTest, ExpiredAndFlushedLookups) {
  Drive("set e 0 1 1\r\nx\r\nset f 0 0 1\r\nx\r\n");
  clock_.Advance(2);
  Drive("get e\r\nflush_all\r\nget f\r\n");
  ASSERT_EQ(events().size(), 6u);
  EXPECT_EQ(events()[4].substr(0, 20), "get e expired 0 0 fd");
  EXPECT_EQ(events()[5].substr(0, 20), "get f flushed 0 0 fd");
}

TEST_F(SessionWatchTest, AnItemThatExpiresOnArrivalReportsTheRequest) {
  Drive("set a 0 -1 1\r\nx\r\n");
  ASSERT_EQ(events().size(), 2u);
  EXPECT_EQ(events()[1].substr(0, 22), "store a stored set ttl");
  EXPECT_NE(events()[1], "store a stored set ttl0 1");  // wrapped, as memcached's
}

TEST_F(SessionWatchTest, NothingIsReportedWhileNobodyWatches) {
  hooks_.watching = false;
  EXPECT_EQ(Drive("set a 0 0 1\r\nx\r\nget a\r\nget b\r\n"),
            "STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\nEND\r\n");
  EXPECT_TRUE(events().empty());
  EXPECT_EQ(hooks_.asked, 1);  // once per Process call, not per request
}

TEST_F(SessionWatchTest, AStartedWatchStopsReadingTheConnection) {
  Session session(engine_, config_, counters_, &hooks_);
  std::string out;
  const std::string input = "watch mutations\r\nset a 0 0 1\r\nx\r\nget a\r\n";
  EXPECT_EQ(session.Process(input, out), input.size());  // the rest is dropped
  EXPECT_EQ(out, "OK\r\n");
  EXPECT_EQ(session.watch_flags(), kWatchMutations);
  EXPECT_EQ(hooks_.started, kWatchMutations);
  EXPECT_EQ(session.Process("get a\r\n", out), 7u);
  EXPECT_EQ(out, "OK\r\n");
  EXPECT_TRUE(events().empty());  // nothing after the watch ran
}

TEST_F(SessionWatchTest, AWatchWithoutStreamLeavesAnOrdinaryConnection) {
  hooks_.start = WatchStart::kNoStream;
  EXPECT_EQ(Drive("watch\r\nversion\r\n"), "OK\r\nVERSION 1.6.18\r\n");
}

TEST_F(SessionWatchTest, BinaryRequestsReport) {
  // GET (0x00) of a missing key "k".
  std::string get(24, '\0');
  get[0] = '\x80';
  get[3] = 1;
  get[11] = 1;
  get += "k";
  Drive(get);
  ASSERT_EQ(events().size(), 1u);
  EXPECT_EQ(events()[0], "get k not_found 0 0 fd9");
}

}  // namespace
}  // namespace mnemo

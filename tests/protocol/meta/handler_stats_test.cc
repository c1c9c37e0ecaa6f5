// Meta handler: stats counters (which ones move was read from a live 1.6.18's `stats` around
// each command), size limits, engine failures, time-relative flags, settings and extensions.
#include <gtest/gtest.h>

#include <string>

#include "meta/handler_test_util.h"

namespace mnemo::meta {
namespace {

using test::MetaHandlerTest;

struct Field {
  std::string_view name;
  decltype(&CommandCounters::cmd_get) member;
};

constexpr Field kFields[] = {
    {"cmd_get", &CommandCounters::cmd_get},
    {"cmd_set", &CommandCounters::cmd_set},
    {"cmd_touch", &CommandCounters::cmd_touch},
    {"cmd_meta", &CommandCounters::cmd_meta},
    {"get_hits", &CommandCounters::get_hits},
    {"get_misses", &CommandCounters::get_misses},
    {"get_expired", &CommandCounters::get_expired},
    {"delete_hits", &CommandCounters::delete_hits},
    {"delete_misses", &CommandCounters::delete_misses},
    {"incr_hits", &CommandCounters::incr_hits},
    {"incr_misses", &CommandCounters::incr_misses},
    {"decr_hits", &CommandCounters::decr_hits},
    {"decr_misses", &CommandCounters::decr_misses},
    {"cas_hits", &CommandCounters::cas_hits},
    {"cas_misses", &CommandCounters::cas_misses},
    {"cas_badval", &CommandCounters::cas_badval},
    {"touch_hits", &CommandCounters::touch_hits},
    {"touch_misses", &CommandCounters::touch_misses},
    {"store_too_large", &CommandCounters::store_too_large},
    {"store_no_memory", &CommandCounters::store_no_memory},
};

class MetaCountersTest : public MetaHandlerTest {
 protected:
  // Runs `input` and lists the counters it moved, "name+n" separated by spaces.
  std::string Moved(std::string_view input) {
    const CommandCounters before = counters_;
    Run(input);
    std::string moved;
    for (const auto& [name, member] : kFields) {
      if (counters_.*member == before.*member) continue;
      if (!moved.empty()) moved += ' ';
      moved += std::string(name) + "+" + std::to_string((counters_.*member) - (before.*member));
    }
    return moved;
  }
};

TEST_F(MetaCountersTest, Get) {
  EXPECT_EQ(Moved("mg zz\r\n"), "cmd_get+1 get_misses+1");
  EXPECT_EQ(Moved("mg zz T30\r\n"), "cmd_get+1 get_misses+1");  // a miss is not a touch
  Run("ms zz 1\r\nx\r\n");
  EXPECT_EQ(Moved("mg zz\r\n"), "cmd_get+1 get_hits+1");
  EXPECT_EQ(Moved("mg zz q u v\r\n"), "cmd_get+1 get_hits+1");
  EXPECT_EQ(Moved("mg zz T30\r\n"), "cmd_touch+1 touch_hits+1");
  EXPECT_EQ(Moved("mg viv N30\r\n"), "cmd_get+1 get_hits+1");
}

TEST_F(MetaCountersTest, ExpiredGet) {
  Run("ms ex 1 T1\r\nx\r\n");
  clock_.Advance(2);
  EXPECT_EQ(Moved("mg ex v\r\n"), "cmd_get+1 get_misses+1 get_expired+1");
}

TEST_F(MetaCountersTest, Set) {
  EXPECT_EQ(Moved("ms cc 1 c\r\nx\r\n"), "cmd_set+1");
  EXPECT_EQ(Moved("ms cc 1 C1\r\ny\r\n"), "cmd_set+1 cas_hits+1");
  EXPECT_EQ(Moved("ms cc 1 C1\r\ny\r\n"), "cmd_set+1 cas_badval+1");
  EXPECT_EQ(Moved("ms zz9 1 C1\r\nx\r\n"), "cmd_set+1 cas_misses+1");
  EXPECT_EQ(Moved("ms zz9 1 MR C1\r\nx\r\n"), "cmd_set+1 cas_misses+1");
  EXPECT_EQ(Moved("ms cc 1 ME\r\nx\r\n"), "cmd_set+1");
  EXPECT_EQ(Moved("ms cc 1 MA C1\r\nx\r\n"), "cmd_set+1");  // append checks CAS uncounted
}

TEST_F(MetaCountersTest, Delete) {
  Run("ms d1 1\r\nx\r\nms d2 1\r\nx\r\n");
  EXPECT_EQ(Moved("md d1\r\n"), "delete_hits+1");
  EXPECT_EQ(Moved("md d1\r\n"), "delete_misses+1");
  EXPECT_EQ(Moved("md d2 I\r\n"), "");
  EXPECT_EQ(Moved("md d2 C999\r\n"), "delete_misses+1");
}

TEST_F(MetaCountersTest, Arithmetic) {
  EXPECT_EQ(Moved("ma n\r\n"), "incr_misses+1");
  EXPECT_EQ(Moved("ma n MD\r\n"), "decr_misses+1");
  EXPECT_EQ(Moved("ma n N0\r\n"), "");
  EXPECT_EQ(Moved("ma n\r\n"), "incr_hits+1");
  EXPECT_EQ(Moved("ma n MD\r\n"), "decr_hits+1");
  EXPECT_EQ(Moved("ma n C999\r\n"), "");
}

TEST_F(MetaCountersTest, NoopDebugAndErrors) {
  EXPECT_EQ(Moved("mn\r\n"), "");
  EXPECT_EQ(Moved("me nothere\r\n"), "cmd_meta+1");
  Run("ms here 1\r\nx\r\n");
  EXPECT_EQ(Moved("me here\r\n"), "cmd_meta+1");
  EXPECT_EQ(Moved("mg a Tabc\r\nms a 1 MX\r\nx\r\n"), "");
}

// Verified on 1.6.18 with -I 1m: the old value goes, the data is swallowed, q does not hide.
TEST_F(MetaCountersTest, TooLargeRemovesTheOldValue) {
  const std::string big(2'000'000, 'a');
  EXPECT_EQ(Run("ms big 1\r\nx\r\nms big 2000000 ME q O1 k\r\n" + big + "\r\nmg big v\r\nmn\r\n"),
            "HD\r\nSERVER_ERROR object too large for cache\r\nEN\r\nMN\r\n");
  EXPECT_EQ(counters_.store_too_large, 1u);
  EXPECT_EQ(counters_.cmd_set, 1u);
}

// Buffered, but too large once memcached's item header is counted.
TEST_F(MetaCountersTest, ItemOverheadCountsTowardsTheLimit) {
  const std::string fits(1'048'400, 'a');
  const std::string limit(1'048'576, 'a');
  EXPECT_EQ(Run("ms big2 1048400\r\n" + fits + "\r\nmg big2 s\r\n"), "HD\r\nHD s1048400\r\n");
  EXPECT_EQ(Run("ms big2 1048576\r\n" + limit + "\r\nmg big2 s\r\n"),
            "SERVER_ERROR object too large for cache\r\nEN\r\n");
}

TEST_F(MetaCountersTest, RejectedHugeSetAnswersItsParseError) {
  config_.item_size_max = 64;
  EXPECT_EQ(Run("ms a 1\r\nx\r\nms a 100 v v\r\n" + std::string(100, 'x') + "\r\nmg a v\r\n"),
            "HD\r\nCLIENT_ERROR duplicate flag\r\nVA 1\r\nx\r\n");
  EXPECT_EQ(counters_.store_too_large, 0u);
}

TEST_F(MetaHandlerTest, CasDisabledReadsZero) {
  config_.cas_enabled = false;
  EXPECT_EQ(Run("ms a 1 c\r\nx\r\nmg a c\r\nma n N0 c\r\nme a\r\n"),
            "HD c0\r\nHD c0\r\nHD c0\r\nME a exp=-1 la=0 cas=0 fetch=yes cls=1 size=61\r\n");
}

TEST_F(MetaHandlerTest, HitBeforeAndLastAccessReportTheStateBeforeTheRequest) {
  Run("ms hl 1 T100\r\nx\r\n");
  clock_.Advance(5);
  EXPECT_EQ(Run("mg hl h l t\r\n"), "HD h0 l5 t95\r\n");
  EXPECT_EQ(Run("mg hl h l t\r\n"), "HD h1 l0 t95\r\n");
  clock_.Advance(3);
  EXPECT_EQ(Run("mg hl u h l\r\nme hl\r\n"),
            "HD h1 l3\r\nME hl exp=-92 la=3 cas=1 fetch=yes cls=1 size=62\r\n");
}

TEST_F(MetaHandlerTest, ArithmeticReportsTtl) {
  EXPECT_EQ(Run("ma mt N50 J7 c v k O1 t\r\n"), "VA 1 c1 kmt O1 t50\r\n7\r\n");
  clock_.Advance(10);
  EXPECT_EQ(Run("ma mt t v\r\nma mt T100 t\r\n"), "VA 1 t40\r\n8\r\nHD t100\r\n");
}

TEST_F(MetaHandlerTest, ExpiryFollowsTheClock) {
  EXPECT_EQ(Run("ms e 1 T10\r\nx\r\nmg e t\r\n"), "HD\r\nHD t10\r\n");
  clock_.Advance(10);
  EXPECT_EQ(Run("mg e t\r\n"), "EN\r\n");
}

// Not in 1.6.18 (which rejects E as an invalid flag): an explicit new CAS, as later releases.
TEST_F(MetaHandlerTest, ExplicitNewCas) {
  EXPECT_EQ(Run("ms e 1 E500 c\r\nx\r\nmg e c\r\nmd e I E600\r\nmg e c\r\n"),
            "HD c500\r\nHD c500\r\nHD\r\nHD c600 X W\r\n");
  EXPECT_EQ(Run("ma n N0 E700 c\r\nma n E800 c\r\n"), "HD c700\r\nHD c800\r\n");
}

// Not in 1.6.18 (which answers NS): N autovivifies in append mode, as later releases.
TEST_F(MetaHandlerTest, AppendAutovivify) {
  EXPECT_EQ(Run("ms av 1 MA N30\r\nx\r\nmg av v t\r\nms av 1 MA N30\r\ny\r\nmg av v\r\n"),
            "HD\r\nVA 1 t30\r\nx\r\nHD\r\nVA 2\r\nxy\r\n");
  EXPECT_EQ(Run("ms nv 1 MA\r\nx\r\n"), "NS\r\n");
}

}  // namespace
}  // namespace mnemo::meta

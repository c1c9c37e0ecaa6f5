// Deferred calls compared with direct ones: each script runs through a session whose engine
// answers no TryGet, driven as a host with AsyncCalls drives it (capture, make the calls,
// replay: tests/support/deferred_session.h), and through a session over a twin engine that
// calls it directly. Replies, command counters and closing must be identical at every read
// size, and the non-blocking calls must never have called the engine.
#include "deferred_session.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "binary/test_util.h"
#include "engines/map/map_engine.h"
#include "failing_engine.h"
#include "fragments.h"
#include "manual_clock.h"
#include "session_feed.h"

namespace mnemo {
namespace {

using binary::Opcode;
using binary::test::ArithExtras;
using binary::test::Req;
using binary::test::StoreExtras;

// Every counter, named, so a mismatch says which.
void ExpectSameCounters(const CommandCounters& got, const CommandCounters& want,
                        const std::string& where) {
#define MNEMO_SAME(field) EXPECT_EQ(got.field.load(), want.field.load()) << #field << where
  MNEMO_SAME(cmd_get);
  MNEMO_SAME(cmd_set);
  MNEMO_SAME(cmd_flush);
  MNEMO_SAME(cmd_touch);
  MNEMO_SAME(cmd_meta);
  MNEMO_SAME(get_hits);
  MNEMO_SAME(get_misses);
  MNEMO_SAME(get_expired);
  MNEMO_SAME(get_flushed);
  MNEMO_SAME(delete_hits);
  MNEMO_SAME(delete_misses);
  MNEMO_SAME(incr_hits);
  MNEMO_SAME(incr_misses);
  MNEMO_SAME(decr_hits);
  MNEMO_SAME(decr_misses);
  MNEMO_SAME(cas_hits);
  MNEMO_SAME(cas_misses);
  MNEMO_SAME(cas_badval);
  MNEMO_SAME(touch_hits);
  MNEMO_SAME(touch_misses);
  MNEMO_SAME(store_too_large);
  MNEMO_SAME(store_no_memory);
  MNEMO_SAME(auth_cmds);
  MNEMO_SAME(auth_errors);
  MNEMO_SAME(bytes_read);
  MNEMO_SAME(bytes_written);
#undef MNEMO_SAME
}

// Bytes a failure message can show: binary replies as hex.
std::string Shown(std::string_view bytes) {
  if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == 0x81) {
    return binary::test::Hex(bytes);
  }
  return std::string(bytes);
}

// Runs `input` both ways at every read size. Returns the captures made at whole-input reads.
// `failing`: both engines fail on keys starting with "down" (failing_engine.h).
int ExpectSameAsDirect(std::string_view input, SessionConfig config = {}, bool failing = false) {
  int calls_whole = 0;
  for (const std::size_t fragment : testing::kFragmentSizes) {
    const std::string where = " at reads of " + std::to_string(fragment);
    testing::ManualClock clock;
    const MapEngineConfig engine_config{config.item_size_max};
    MapEngine direct_map(clock, engine_config), deferred_map(clock, engine_config);
    testing::FailingEngine direct_failing(direct_map), deferred_failing(deferred_map);
    Engine& direct_engine = failing ? static_cast<Engine&>(direct_failing) : direct_map;
    testing::NoTryEngine deferred_engine(failing ? static_cast<Engine&>(deferred_failing)
                                                 : deferred_map);
    CommandCounters direct_counters, deferred_counters;
    Session direct(direct_engine, config, direct_counters);
    Session deferred(deferred_engine, config, deferred_counters);
    const std::string want = testing::FeedSession(direct, input, fragment);
    testing::DeferredStats stats;
    const std::string got =
        testing::FeedDeferred(deferred, deferred_engine, input, fragment, stats);
    EXPECT_EQ(Shown(got), Shown(want)) << where;
    ExpectSameCounters(deferred_counters, direct_counters, where);
    EXPECT_EQ(deferred.closing(), direct.closing()) << where;
    EXPECT_EQ(deferred_engine.blocking_calls_while_non_blocking, 0) << where;
    EXPECT_FALSE(stats.runaway) << where;
    if (fragment == 0) calls_whole = stats.calls;
  }
  return calls_whole;
}

TEST(DeferredSessionTest, MultiGets) {
  EXPECT_GT(ExpectSameAsDirect("set a 1 0 1\r\n1\r\nset b 2 0 2\r\n22\r\n"
                               "get a b c a\r\ngets a b\r\nget c\r\nget a\r\n"),
            0);
}

TEST(DeferredSessionTest, GatAndTouch) {
  ExpectSameAsDirect(
      "set a 5 0 2\r\nxx\r\ngat 100 a b\r\ngats 0 a\r\ntouch a 10\r\ntouch z 10\r\n"
      "gat 200 a a\r\ngets a\r\n");
}

TEST(DeferredSessionTest, MetaGetFlags) {
  ExpectSameAsDirect(
      "ms a 2 T0\r\nhi\r\nmg a v c k t f s\r\nmg z N30 v c t\r\nmg z v c\r\nmg z q v\r\n"
      "mg nope q v\r\nmg nope k v\r\nmn\r\nms r 1 T10\r\nx\r\nmg r R30 T100 v t c\r\n"
      "mg r R30 T100 v t c\r\nmg a T50 t v\r\nmg a O123 k q\r\nmn\r\n");
}

TEST(DeferredSessionTest, MetaSetModesAndCas) {
  ExpectSameAsDirect(
      "ms a 2 E500\r\nv1\r\nmg a c v\r\nms a 2 C500\r\nv2\r\nms a 2 C1\r\nv3\r\n"
      "ms a 2 I C1\r\nv4\r\nmg a v c\r\nms b 2 MA\r\nzz\r\nms b 2 MA N30\r\nzz\r\nmg b v\r\n"
      "ms b 2 MP\r\nyy\r\nms c 2 ME\r\ncc\r\nms c 2 MR q\r\nrr\r\nmg c v\r\nms d S2 "
      "q\r\nxx\r\nmn\r\n");
}

TEST(DeferredSessionTest, MetaDelete) {
  ExpectSameAsDirect(
      "md a q\r\nmd a\r\nset c 0 0 1\r\nc\r\nmd c I T30\r\nmg c v c\r\nmd c q\r\nmn\r\n"
      "mg c v\r\nset d 0 0 1\r\nd\r\nmd d C1\r\nmd d q C99\r\nmn\r\n");
}

TEST(DeferredSessionTest, MetaArithmetic) {
  ExpectSameAsDirect(
      "ma n\r\nma n N0 J13\r\nma n v\r\nma n MD D5 v\r\nma n q\r\nma n v t c\r\n"
      "ma missing q\r\nmn\r\nma n MD D100 v\r\nma n N0 T30 v t\r\n");
}

TEST(DeferredSessionTest, ClassicArithmetic) {
  ExpectSameAsDirect(
      "set n 0 0 2\r\n10\r\nincr n 5\r\ndecr n 100\r\nincr x 1\r\nincr n abc\r\n"
      "decr x 1\r\nincr n 18446744073709551615\r\nget n\r\n");
}

TEST(DeferredSessionTest, CasAppendAndPrepend) {
  ExpectSameAsDirect(
      "set a 0 0 1\r\na\r\ngets a\r\ncas a 0 0 1 1\r\nx\r\ncas a 0 0 1 999\r\ny\r\n"
      "cas missing 0 0 1 1\r\nz\r\nappend b 0 0 1\r\nx\r\nappend a 0 0 1\r\nb\r\n"
      "prepend a 0 0 1\r\nc\r\nadd a 0 0 1\r\nd\r\nreplace q 0 0 1\r\ne\r\nget a\r\n");
}

TEST(DeferredSessionTest, AFailedSetOfATooLargeValueDeletesTheOldOne) {
  SessionConfig config;
  config.item_size_max = 1024;
  const std::string big(2000, 'v');
  ExpectSameAsDirect("set big 0 0 1\r\nx\r\nset big 0 0 2000\r\n" + big +
                         "\r\nget big\r\nms big 2000\r\n" + big + "\r\nmg big v\r\n",
                     config);
}

TEST(DeferredSessionTest, Noreply) {
  ExpectSameAsDirect(
      "set a 0 0 1 noreply\r\nx\r\nget a\r\ndelete a noreply\r\nincr a 1 noreply\r\n"
      "get a\r\nadd a 0 0 1 noreply\r\ny\r\ntouch a 10 noreply\r\nget a\r\n");
}

TEST(DeferredSessionTest, ParseErrorsInAPipeline) {
  ExpectSameAsDirect(
      "set a 0 0 1\r\n1\r\nget a\r\nbogus\r\nget a b\r\nset a 0 0 notanumber\r\nget a\r\n"
      "set a 0 0 1\r\nxyz\r\nget a\r\nmg a zz\r\nmg a v\r\n");
}

TEST(DeferredSessionTest, CommandsThatAreNeverCapturedRunTheOldWay) {
  ExpectSameAsDirect(
      "set a 0 0 1\r\n1\r\nget a\r\nflush_all\r\nget a\r\nset b 0 0 1\r\n2\r\nverbosity 1\r\n"
      "get b\r\nstats\r\nget b\r\nquit\r\nget b\r\n");
}

TEST(DeferredSessionTest, BinaryGetsAndQuietStores) {
  std::string input = Req(Opcode::kSet, "a", StoreExtras(3, 0), "va", 1) +
                      Req(Opcode::kSetQ, "b", StoreExtras(0, 0), "vb", 2) +
                      Req(Opcode::kGet, "a", {}, {}, 3) + Req(Opcode::kGetK, "b", {}, {}, 4) +
                      Req(Opcode::kGetQ, "c", {}, {}, 5) + Req(Opcode::kGetKQ, "a", {}, {}, 6) +
                      Req(Opcode::kGetKQ, "c", {}, {}, 7) + Req(Opcode::kNoop, {}, {}, {}, 8) +
                      Req(Opcode::kAddQ, "a", StoreExtras(0, 0), "x", 9) +
                      Req(Opcode::kDeleteQ, "b", {}, {}, 10) +
                      Req(Opcode::kIncrementQ, "n", ArithExtras(1, 7, 0), {}, 11) +
                      Req(Opcode::kIncrement, "n", ArithExtras(5, 0, 0), {}, 12) +
                      Req(Opcode::kDecrement, "m", ArithExtras(1, 0, 0xffffffff), {}, 13) +
                      Req(Opcode::kAppendQ, "a", {}, "z", 14) +
                      Req(Opcode::kGatK, "a", binary::test::Be32(100), {}, 15) +
                      Req(Opcode::kTouch, "zz", binary::test::Be32(100), {}, 16) +
                      Req(Opcode::kGetK, "b", {}, {}, 17) + Req(Opcode::kVersion, {}, {}, {}, 18);
  EXPECT_GT(ExpectSameAsDirect(input), 10);
}

TEST(DeferredSessionTest, BinaryCasAndQuit) {
  const std::string input = Req(Opcode::kSet, "a", StoreExtras(0, 0), "1", 1) +
                            Req(Opcode::kSet, "a", StoreExtras(0, 0), "2", 2, 1) +
                            Req(Opcode::kSet, "a", StoreExtras(0, 0), "3", 3, 999) +
                            Req(Opcode::kDelete, "a", {}, {}, 4, 999) +
                            Req(Opcode::kGet, "a", {}, {}, 5) + Req(Opcode::kQuit, {}, {}, {}, 6) +
                            Req(Opcode::kGet, "a", {}, {}, 7);
  ExpectSameAsDirect(input);
}

TEST(DeferredSessionTest, EngineErrorsInEveryProtocol) {
  const std::string text =
      "set up 0 0 1\r\n1\r\nget up down1 up\r\nset down2 0 0 1\r\nx\r\ndelete down3\r\n"
      "incr down4 1\r\ntouch down5 10\r\ngat 10 down6 up\r\nmg down7 v\r\nms down8 1\r\ny\r\n"
      "md down9 q\r\nma down10 N0\r\nmg up v\r\nappend down11 0 0 1\r\nz\r\nmn\r\n";
  EXPECT_GT(ExpectSameAsDirect(text, {}, true), 10);
  const std::string binary = Req(Opcode::kGetK, "down1", {}, {}, 1) +
                             Req(Opcode::kGetKQ, "down2", {}, {}, 2) +
                             Req(Opcode::kSetQ, "down3", StoreExtras(0, 0), "v", 3) +
                             Req(Opcode::kDelete, "down4", {}, {}, 4) +
                             Req(Opcode::kIncrement, "down5", ArithExtras(1, 0, 0), {}, 5) +
                             Req(Opcode::kTouch, "down6", binary::test::Be32(10), {}, 6) +
                             Req(Opcode::kNoop, {}, {}, {}, 7);
  EXPECT_GT(ExpectSameAsDirect(binary, {}, true), 5);
}

}  // namespace
}  // namespace mnemo

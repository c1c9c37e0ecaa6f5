// Well-formed requests, each stream fed at every fragment size.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "binary/test_util.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {
namespace {

using mnemo::testing::Parsed;
using test::ArithExtras;
using test::Be32;
using test::Req;
using test::StoreExtras;

class BinaryParseTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  std::vector<Parsed> Parse(std::string_view input, ParserLimits limits = {}) {
    return test::ParseAll(input, GetParam(), limits);
  }

  // Checks the parts every request has and returns it.
  static const Request& Ok(const Parsed& parsed, Opcode opcode, Command command,
                           std::uint32_t opaque) {
    EXPECT_EQ(parsed.status, ParseStatus::kOk);
    EXPECT_EQ(parsed.request.protocol, Protocol::kBinary);
    EXPECT_EQ(parsed.request.opcode, static_cast<std::uint8_t>(opcode));
    EXPECT_EQ(parsed.request.command, command);
    EXPECT_EQ(parsed.request.opaque, opaque);
    EXPECT_FALSE(parsed.request.oversize);
    EXPECT_TRUE(parsed.request.error.empty());
    return parsed.request;
  }
};

INSTANTIATE_TEST_SUITE_P(Fragments, BinaryParseTest,
                         ::testing::ValuesIn(mnemo::testing::kFragmentSizes));

TEST_P(BinaryParseTest, GetFamily) {
  const std::string long_key(250, 'k');
  auto parsed =
      Parse(Req(Opcode::kGet, "alpha", {}, {}, 1, 77) + Req(Opcode::kGetQ, "b", {}, {}, 2) +
            Req(Opcode::kGetK, "key", {}, {}, 3) + Req(Opcode::kGetKQ, long_key, {}, {}, 4));
  ASSERT_EQ(parsed.size(), 4u);
  const Request& get = Ok(parsed[0], Opcode::kGet, Command::kGet, 1);
  EXPECT_EQ(get.key, "alpha");
  EXPECT_EQ(get.raw_key, "alpha");
  EXPECT_EQ(get.cas, 77u);
  EXPECT_FALSE(get.quiet);
  EXPECT_FALSE(get.return_key);
  EXPECT_EQ(parsed[0].consumed, 24u + 5);
  const Request& getq = Ok(parsed[1], Opcode::kGetQ, Command::kGet, 2);
  EXPECT_TRUE(getq.quiet);
  EXPECT_FALSE(getq.return_key);
  const Request& getk = Ok(parsed[2], Opcode::kGetK, Command::kGet, 3);
  EXPECT_FALSE(getk.quiet);
  EXPECT_TRUE(getk.return_key);
  EXPECT_EQ(getk.key, "key");
  const Request& getkq = Ok(parsed[3], Opcode::kGetKQ, Command::kGet, 4);
  EXPECT_TRUE(getkq.quiet);
  EXPECT_TRUE(getkq.return_key);
  EXPECT_EQ(getkq.key, long_key);
}

TEST_P(BinaryParseTest, StorageFamilyDecodesFlagsExptimeValueAndCas) {
  const std::string binary_value("a\0b\r\nc", 6);
  auto parsed = Parse(Req(Opcode::kSet, "k1", StoreExtras(0xdeadbeef, 100), "hello", 1, 0) +
                      Req(Opcode::kSetQ, "k2", StoreExtras(0, 0), "", 2, 5) +
                      Req(Opcode::kAdd, "k3", StoreExtras(1, 0xffffffff), binary_value, 3) +
                      Req(Opcode::kAddQ, "k4", StoreExtras(2, 2592001), "v", 4) +
                      Req(Opcode::kReplace, "k5", StoreExtras(3, 1), "vv", 5, 0xffffffffffffffff) +
                      Req(Opcode::kReplaceQ, "k6", StoreExtras(4, 2), "vvv", 6));
  ASSERT_EQ(parsed.size(), 6u);
  const Request& set = Ok(parsed[0], Opcode::kSet, Command::kSet, 1);
  EXPECT_EQ(set.key, "k1");
  EXPECT_EQ(set.value, "hello");
  EXPECT_EQ(set.client_flags, 0xdeadbeefu);
  EXPECT_EQ(set.exptime, 100);
  EXPECT_FALSE(set.quiet);
  EXPECT_EQ(parsed[0].consumed, 24u + 8 + 2 + 5);
  const Request& setq = Ok(parsed[1], Opcode::kSetQ, Command::kSet, 2);
  EXPECT_TRUE(setq.quiet);
  EXPECT_EQ(setq.value, "");
  EXPECT_EQ(setq.cas, 5u);
  const Request& add = Ok(parsed[2], Opcode::kAdd, Command::kAdd, 3);
  EXPECT_EQ(add.value, binary_value);
  EXPECT_EQ(add.exptime, 0xffffffff);  // unsigned on the wire: far future, not negative
  EXPECT_TRUE(Ok(parsed[3], Opcode::kAddQ, Command::kAdd, 4).quiet);
  EXPECT_EQ(parsed[3].request.exptime, 2592001);
  const Request& replace = Ok(parsed[4], Opcode::kReplace, Command::kReplace, 5);
  EXPECT_EQ(replace.cas, 0xffffffffffffffffu);
  EXPECT_EQ(replace.client_flags, 3u);
  const Request& replaceq = Ok(parsed[5], Opcode::kReplaceQ, Command::kReplace, 6);
  EXPECT_TRUE(replaceq.quiet);
  EXPECT_EQ(replaceq.value, "vvv");
}

TEST_P(BinaryParseTest, AppendPrependFamily) {
  auto parsed =
      Parse(Req(Opcode::kAppend, "a", {}, " world", 1, 9) + Req(Opcode::kAppendQ, "a", {}, "!", 2) +
            Req(Opcode::kPrepend, "p", {}, "<", 3) + Req(Opcode::kPrependQ, "p", {}, "", 4));
  ASSERT_EQ(parsed.size(), 4u);
  const Request& append = Ok(parsed[0], Opcode::kAppend, Command::kAppend, 1);
  EXPECT_EQ(append.value, " world");
  EXPECT_EQ(append.cas, 9u);
  EXPECT_TRUE(Ok(parsed[1], Opcode::kAppendQ, Command::kAppend, 2).quiet);
  EXPECT_EQ(Ok(parsed[2], Opcode::kPrepend, Command::kPrepend, 3).value, "<");
  EXPECT_TRUE(Ok(parsed[3], Opcode::kPrependQ, Command::kPrepend, 4).quiet);
}

TEST_P(BinaryParseTest, DeleteAndDeleteQ) {
  auto parsed =
      Parse(Req(Opcode::kDelete, "gone", {}, {}, 1, 42) + Req(Opcode::kDeleteQ, "x", {}, {}, 2));
  ASSERT_EQ(parsed.size(), 2u);
  const Request& del = Ok(parsed[0], Opcode::kDelete, Command::kDelete, 1);
  EXPECT_EQ(del.key, "gone");
  EXPECT_EQ(del.cas, 42u);
  EXPECT_FALSE(del.quiet);
  EXPECT_TRUE(Ok(parsed[1], Opcode::kDeleteQ, Command::kDelete, 2).quiet);
}

TEST_P(BinaryParseTest, ArithmeticDecodesDeltaInitialAndCreateFlag) {
  auto parsed =
      Parse(Req(Opcode::kIncrement, "n", ArithExtras(1, 10, 0), {}, 1) +
            Req(Opcode::kIncrementQ, "n", ArithExtras(0xffffffffffffffff, 0, 0xffffffff), {}, 2) +
            Req(Opcode::kDecrement, "n", ArithExtras(5, 0x0102030405060708, 300), {}, 3, 8) +
            Req(Opcode::kDecrementQ, "n", ArithExtras(7, 0, 0xfffffffe), {}, 4));
  ASSERT_EQ(parsed.size(), 4u);
  const Request& incr = Ok(parsed[0], Opcode::kIncrement, Command::kIncr, 1);
  EXPECT_EQ(incr.delta, 1u);
  EXPECT_EQ(incr.initial, 10u);
  EXPECT_EQ(incr.exptime, 0);
  EXPECT_TRUE(incr.create_on_miss);
  EXPECT_EQ(parsed[0].consumed, 24u + 20 + 1);
  const Request& incrq = Ok(parsed[1], Opcode::kIncrementQ, Command::kIncr, 2);
  EXPECT_TRUE(incrq.quiet);
  EXPECT_EQ(incrq.delta, 0xffffffffffffffffu);
  EXPECT_FALSE(incrq.create_on_miss);
  const Request& decr = Ok(parsed[2], Opcode::kDecrement, Command::kDecr, 3);
  EXPECT_EQ(decr.initial, 0x0102030405060708u);
  EXPECT_EQ(decr.exptime, 300);
  EXPECT_EQ(decr.cas, 8u);
  const Request& decrq = Ok(parsed[3], Opcode::kDecrementQ, Command::kDecr, 4);
  EXPECT_TRUE(decrq.quiet);
  EXPECT_TRUE(decrq.create_on_miss);
  EXPECT_EQ(decrq.exptime, 0xfffffffe);
}

TEST_P(BinaryParseTest, HeaderOnlyOpcodes) {
  auto parsed = Parse(Req(Opcode::kNoop, {}, {}, {}, 1) + Req(Opcode::kVersion, {}, {}, {}, 2) +
                      Req(Opcode::kSaslListMechs, {}, {}, {}, 3) +
                      Req(Opcode::kQuit, {}, {}, {}, 4) + Req(Opcode::kQuitQ, {}, {}, {}, 5));
  ASSERT_EQ(parsed.size(), 5u);
  Ok(parsed[0], Opcode::kNoop, Command::kNoop, 1);
  Ok(parsed[1], Opcode::kVersion, Command::kVersion, 2);
  Ok(parsed[2], Opcode::kSaslListMechs, Command::kSaslListMechs, 3);
  EXPECT_FALSE(Ok(parsed[3], Opcode::kQuit, Command::kQuit, 4).quiet);
  EXPECT_TRUE(Ok(parsed[4], Opcode::kQuitQ, Command::kQuit, 5).quiet);
  for (const Parsed& p : parsed) EXPECT_EQ(p.consumed, kHeaderSize);
}

TEST_P(BinaryParseTest, FlushWithAndWithoutDelay) {
  auto parsed =
      Parse(Req(Opcode::kFlush, {}, {}, {}, 1) + Req(Opcode::kFlush, {}, Be32(30), {}, 2) +
            Req(Opcode::kFlushQ, {}, Be32(0), {}, 3) + Req(Opcode::kFlushQ, {}, {}, {}, 4));
  ASSERT_EQ(parsed.size(), 4u);
  EXPECT_FALSE(Ok(parsed[0], Opcode::kFlush, Command::kFlushAll, 1).has_number);
  const Request& delayed = Ok(parsed[1], Opcode::kFlush, Command::kFlushAll, 2);
  EXPECT_TRUE(delayed.has_number);
  EXPECT_EQ(delayed.number, 30);
  const Request& quiet_zero = Ok(parsed[2], Opcode::kFlushQ, Command::kFlushAll, 3);
  EXPECT_TRUE(quiet_zero.quiet);
  EXPECT_TRUE(quiet_zero.has_number);
  EXPECT_EQ(quiet_zero.number, 0);
  EXPECT_TRUE(Ok(parsed[3], Opcode::kFlushQ, Command::kFlushAll, 4).quiet);
}

TEST_P(BinaryParseTest, StatGroupTravelsAsKey) {
  auto parsed =
      Parse(Req(Opcode::kStat, {}, {}, {}, 1) + Req(Opcode::kStat, "settings", {}, {}, 2));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(Ok(parsed[0], Opcode::kStat, Command::kStats, 1).key, "");
  const Request& settings = Ok(parsed[1], Opcode::kStat, Command::kStats, 2);
  EXPECT_EQ(settings.key, "settings");
  EXPECT_EQ(settings.args, "settings");
}

TEST_P(BinaryParseTest, TouchAndGatFamily) {
  auto parsed =
      Parse(Req(Opcode::kTouch, "t", Be32(10), {}, 1) + Req(Opcode::kGat, "g", Be32(0), {}, 2) +
            Req(Opcode::kGatQ, "gq", Be32(20), {}, 3) + Req(Opcode::kGatK, "gk", Be32(30), {}, 4) +
            Req(Opcode::kGatKQ, "gkq", Be32(0xffffffff), {}, 5));
  ASSERT_EQ(parsed.size(), 5u);
  const Request& touch = Ok(parsed[0], Opcode::kTouch, Command::kTouch, 1);
  EXPECT_EQ(touch.exptime, 10);
  EXPECT_EQ(touch.key, "t");
  EXPECT_FALSE(touch.quiet);
  const Request& gat = Ok(parsed[1], Opcode::kGat, Command::kGat, 2);
  EXPECT_FALSE(gat.quiet);
  EXPECT_FALSE(gat.return_key);
  const Request& gatq = Ok(parsed[2], Opcode::kGatQ, Command::kGat, 3);
  EXPECT_TRUE(gatq.quiet);
  EXPECT_EQ(gatq.exptime, 20);
  const Request& gatk = Ok(parsed[3], Opcode::kGatK, Command::kGat, 4);
  EXPECT_TRUE(gatk.return_key);
  EXPECT_FALSE(gatk.quiet);
  const Request& gatkq = Ok(parsed[4], Opcode::kGatKQ, Command::kGat, 5);
  EXPECT_TRUE(gatkq.return_key);
  EXPECT_TRUE(gatkq.quiet);
  EXPECT_EQ(gatkq.exptime, 0xffffffff);
}

TEST_P(BinaryParseTest, SaslAuthAndStep) {
  const std::string data("\0user\0pass", 10);
  auto parsed = Parse(Req(Opcode::kSaslAuth, "PLAIN", {}, data, 1) +
                      Req(Opcode::kSaslStep, "PLAIN", {}, "x", 2));
  ASSERT_EQ(parsed.size(), 2u);
  const Request& auth = Ok(parsed[0], Opcode::kSaslAuth, Command::kSaslAuth, 1);
  EXPECT_EQ(auth.key, "PLAIN");
  EXPECT_EQ(auth.value, data);
  EXPECT_EQ(Ok(parsed[1], Opcode::kSaslStep, Command::kSaslStep, 2).value, "x");
}

// memcached reads only the extras and key of Touch/GAT/Stat; further body bytes are taken as the
// next packet.
TEST_P(BinaryParseTest, TouchAndStatBodyBeyondKeyIsTheNextPacket) {
  const std::string noop = Req(Opcode::kNoop, {}, {}, {}, 7);
  test::Raw stat{kRequestMagic, static_cast<std::uint8_t>(Opcode::kStat)};
  stat.opaque = 1;
  stat.body_length = static_cast<std::uint32_t>(noop.size());
  const std::string gat = Req(Opcode::kGat, "k", Be32(0), noop, 2);
  auto parsed = Parse(stat.Bytes() + noop + gat);
  ASSERT_EQ(parsed.size(), 4u);
  Ok(parsed[0], Opcode::kStat, Command::kStats, 1);
  EXPECT_EQ(parsed[0].consumed, kHeaderSize);
  Ok(parsed[1], Opcode::kNoop, Command::kNoop, 7);
  const Request& g = Ok(parsed[2], Opcode::kGat, Command::kGat, 2);
  EXPECT_EQ(g.value, "");
  EXPECT_EQ(parsed[2].consumed, 24u + 4 + 1);
  Ok(parsed[3], Opcode::kNoop, Command::kNoop, 7);
}

TEST_P(BinaryParseTest, DataTypeAndVbucketAreIgnored) {
  test::Raw noop{kRequestMagic, static_cast<std::uint8_t>(Opcode::kNoop)};
  noop.data_type = 1;
  noop.status = 5;  // the vbucket field in a request
  noop.opaque = 3;
  auto parsed = Parse(noop.Bytes());
  ASSERT_EQ(parsed.size(), 1u);
  Ok(parsed[0], Opcode::kNoop, Command::kNoop, 3);
}

TEST_P(BinaryParseTest, KeysAreBinarySafe) {
  const std::string key("a b\0\r\n\x80", 7);
  auto parsed = Parse(Req(Opcode::kGetK, key, {}, {}, 1));
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(Ok(parsed[0], Opcode::kGetK, Command::kGet, 1).key, key);
}

TEST_P(BinaryParseTest, ValueUpToTheBufferLimitIsBufferedWhole) {
  ParserLimits limits;
  limits.max_value_bytes = 100;
  // Body = 8 extras + 1 key + value: exactly max_value_bytes + 1 KiB is still buffered.
  const std::string value(100 + 1024 - 9, 'v');
  auto parsed = Parse(Req(Opcode::kSet, "k", StoreExtras(0, 0), value, 1), limits);
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(Ok(parsed[0], Opcode::kSet, Command::kSet, 1).value, value);
}

TEST_P(BinaryParseTest, PipelinedMixKeepsOrderAndOpaques) {
  std::string input;
  const Opcode opcodes[] = {Opcode::kNoop, Opcode::kGetQ, Opcode::kVersion, Opcode::kDeleteQ,
                            Opcode::kNoop};
  std::uint32_t opaque = 100;
  for (Opcode op : opcodes) {
    const bool keyed = op == Opcode::kGetQ || op == Opcode::kDeleteQ;
    input += Req(op, keyed ? "key" : "", {}, {}, opaque++);
  }
  auto parsed = Parse(input);
  ASSERT_EQ(parsed.size(), 5u);
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    EXPECT_EQ(parsed[i].status, ParseStatus::kOk);
    EXPECT_EQ(parsed[i].request.opcode, static_cast<std::uint8_t>(opcodes[i]));
    EXPECT_EQ(parsed[i].request.opaque, 100 + i);
  }
}

}  // namespace
}  // namespace mnemo::binary

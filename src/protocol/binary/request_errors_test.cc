// Rejected and oversize requests, fed at every fragment size. What is fatal and which status
// each case gets was checked against memcached 1.6.18.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "binary/test_util.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {
namespace {

using mnemo::testing::Parsed;
using test::ArithExtras;
using test::Be32;
using test::Raw;
using test::Req;
using test::StoreExtras;

class BinaryParseErrorTest : public ::testing::TestWithParam<std::size_t> {
 protected:
  std::vector<Parsed> Parse(std::string_view input, ParserLimits limits = {}) {
    return test::ParseAll(input, GetParam(), limits);
  }

  static void ExpectRejected(const Parsed& parsed, ParseStatus status, Status code,
                             std::uint8_t opcode, std::uint32_t opaque) {
    EXPECT_EQ(parsed.status, status);
    EXPECT_EQ(parsed.request.protocol, Protocol::kBinary);
    EXPECT_EQ(parsed.request.binary_status, static_cast<std::uint16_t>(code));
    EXPECT_EQ(parsed.request.error, StatusText(code));
    EXPECT_EQ(parsed.request.opcode, opcode);
    EXPECT_EQ(parsed.request.opaque, opaque);
  }
};

INSTANTIATE_TEST_SUITE_P(Fragments, BinaryParseErrorTest,
                         ::testing::ValuesIn(mnemo::testing::kFragmentSizes));

TEST_P(BinaryParseErrorTest, BadMagicClosesSilently) {
  for (char first : {'\x81', '\x00', 'g', '\x7f'}) {
    auto parsed = Parse(std::string(1, first) + std::string(30, '\0'));
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_EQ(parsed[0].status, ParseStatus::kFatal);
    EXPECT_TRUE(parsed[0].request.error.empty());
    EXPECT_EQ(parsed[0].request.protocol, Protocol::kBinary);
  }
}

TEST_P(BinaryParseErrorTest, BadMagicAfterGoodPacketsStopsTheStream) {
  auto parsed = Parse(Req(Opcode::kNoop, {}, {}, {}, 1) + Raw{kResponseMagic, 0x0a}.Bytes() +
                      Req(Opcode::kNoop, {}, {}, {}, 3));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].status, ParseStatus::kOk);
  EXPECT_EQ(parsed[1].status, ParseStatus::kFatal);
  EXPECT_TRUE(parsed[1].request.error.empty());
}

TEST_P(BinaryParseErrorTest, ExtrasAndKeyLongerThanBodyIsFatalUnknownCommand) {
  Raw key_too_long{kRequestMagic, 0x00, "", "abc"};
  key_too_long.opaque = 9;
  key_too_long.body_length = 2;
  Raw extras_too_long{kRequestMagic, 0x01, "12345678", "k"};
  extras_too_long.opaque = 10;
  extras_too_long.body_length = 5;
  for (const Raw& raw : {key_too_long, extras_too_long}) {
    auto parsed = Parse(raw.Bytes() + Req(Opcode::kNoop));
    ASSERT_EQ(parsed.size(), 1u);
    ExpectRejected(parsed[0], ParseStatus::kFatal, Status::kUnknownCommand, raw.opcode, raw.opaque);
  }
}

TEST_P(BinaryParseErrorTest, InconsistentLengthsWinOverKeyLength) {
  Raw raw{kRequestMagic, 0x00};
  raw.key_length = 251;
  raw.body_length = 10;
  raw.opaque = 1;
  auto parsed = Parse(raw.Bytes() + std::string(300, 'a'));
  ASSERT_EQ(parsed.size(), 1u);
  ExpectRejected(parsed[0], ParseStatus::kFatal, Status::kUnknownCommand, 0x00, 1);
}

TEST_P(BinaryParseErrorTest, KeyLongerThan250IsFatalInvalidArguments) {
  const std::string key(251, 'k');
  for (std::uint8_t opcode : {std::uint8_t{0x00}, std::uint8_t{0x01}, std::uint8_t{0x50}}) {
    const std::string extras = opcode == 0x01 ? StoreExtras(0, 0) : "";
    auto parsed = Parse(Raw{kRequestMagic, opcode, extras, key, "", 0, 5}.Bytes());
    ASSERT_EQ(parsed.size(), 1u);
    ExpectRejected(parsed[0], ParseStatus::kFatal, Status::kInvalidArguments, opcode, 5);
  }
}

TEST_P(BinaryParseErrorTest, UnknownOpcodesAreAnsweredAndTheirBodySkipped) {
  // 0x1b is verbosity: defined, but 1.6.18 answers it "Unknown command" too.
  const Raw unknown[] = {
      {kRequestMagic, 0x1b, Be32(1), "", "", 0, 1},
      {kRequestMagic, 0x30, "", "", "", 0, 2},
      {kRequestMagic, 0x50, "ex", "kk", "vvv", 0, 3},
      {kRequestMagic, 0xff, "", "", std::string(5000, 'z'), 0, 4},
      {kRequestMagic, 0x1f, "", "", "", 0, 5},
  };
  for (const Raw& raw : unknown) {
    auto parsed = Parse(raw.Bytes() + Req(Opcode::kNoop, {}, {}, {}, 99));
    ASSERT_EQ(parsed.size(), 2u) << int{raw.opcode};
    ExpectRejected(parsed[0], ParseStatus::kError, Status::kUnknownCommand, raw.opcode, raw.opaque);
    EXPECT_EQ(parsed[0].consumed, raw.Bytes().size());
    EXPECT_EQ(parsed[1].status, ParseStatus::kOk);
    EXPECT_EQ(parsed[1].request.opaque, 99u);
  }
}

TEST_P(BinaryParseErrorTest, UnknownOpcodeTooLargeToBufferIsSkipped) {
  ParserLimits limits;
  limits.max_value_bytes = 10;
  const std::string body(2000, 'z');
  auto parsed =
      Parse(Raw{kRequestMagic, 0x50, "", "", body, 0, 6}.Bytes() + Req(Opcode::kNoop), limits);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].status, ParseStatus::kOk);
  EXPECT_EQ(parsed[0].request.command, Command::kNone);
  EXPECT_TRUE(parsed[0].request.oversize);
  EXPECT_EQ(parsed[0].request.skip_bytes, body.size());
  EXPECT_EQ(parsed[0].consumed, kHeaderSize);
  EXPECT_EQ(parsed[0].request.opaque, 6u);
  EXPECT_EQ(parsed[1].request.command, Command::kNoop);
}

struct BadLengths {
  const char* name;
  Raw raw;
};

TEST_P(BinaryParseErrorTest, LengthsWrongForTheOpcodeAreFatalInvalidArguments) {
  auto op = [](Opcode o) { return static_cast<std::uint8_t>(o); };
  const std::string four = Be32(0);
  const BadLengths cases[] = {
      {"get with extras", {kRequestMagic, op(Opcode::kGet), four, "k"}},
      {"get with value", {kRequestMagic, op(Opcode::kGet), "", "k", "vv"}},
      {"get without key", {kRequestMagic, op(Opcode::kGet)}},
      {"getkq without key", {kRequestMagic, op(Opcode::kGetKQ)}},
      {"set without extras", {kRequestMagic, op(Opcode::kSet), "", "k", "v"}},
      {"set without key", {kRequestMagic, op(Opcode::kSet), StoreExtras(0, 0), "", "v"}},
      {"addq with short extras", {kRequestMagic, op(Opcode::kAddQ), four, "k", "v"}},
      {"append with extras", {kRequestMagic, op(Opcode::kAppend), four, "k", "v"}},
      {"prependq without key", {kRequestMagic, op(Opcode::kPrependQ), "", "", "v"}},
      {"delete with extras", {kRequestMagic, op(Opcode::kDelete), four, "k"}},
      {"delete with value", {kRequestMagic, op(Opcode::kDeleteQ), "", "k", "v"}},
      {"incr with value", {kRequestMagic, op(Opcode::kIncrement), ArithExtras(1, 1, 1), "k", "v"}},
      {"incr short extras", {kRequestMagic, op(Opcode::kIncrement), test::Be64(1), "k"}},
      {"decr without key", {kRequestMagic, op(Opcode::kDecrement), ArithExtras(1, 1, 1)}},
      {"noop with key", {kRequestMagic, op(Opcode::kNoop), "", "k"}},
      {"noop with value", {kRequestMagic, op(Opcode::kNoop), "", "", "v"}},
      {"version with key", {kRequestMagic, op(Opcode::kVersion), "", "k"}},
      {"quit with key", {kRequestMagic, op(Opcode::kQuit), "", "k"}},
      {"quitq with extras", {kRequestMagic, op(Opcode::kQuitQ), four}},
      {"flush with 8 extras", {kRequestMagic, op(Opcode::kFlush), StoreExtras(0, 0)}},
      {"flush with key", {kRequestMagic, op(Opcode::kFlush), "", "k"}},
      {"flushq with value", {kRequestMagic, op(Opcode::kFlushQ), four, "", "v"}},
      {"stat with extras", {kRequestMagic, op(Opcode::kStat), four}},
      {"touch without extras", {kRequestMagic, op(Opcode::kTouch), "", "k"}},
      {"touch without key", {kRequestMagic, op(Opcode::kTouch), four}},
      {"gatkq with 8 extras", {kRequestMagic, op(Opcode::kGatKQ), StoreExtras(0, 0), "k"}},
      {"sasl list with key", {kRequestMagic, op(Opcode::kSaslListMechs), "", "k"}},
      {"sasl auth without key", {kRequestMagic, op(Opcode::kSaslAuth), "", "", "zz"}},
      {"sasl step with extras", {kRequestMagic, op(Opcode::kSaslStep), four, "PLAIN"}},
  };
  std::uint32_t opaque = 1000;
  for (BadLengths c : cases) {
    c.raw.opaque = ++opaque;
    auto parsed = Parse(c.raw.Bytes() + Req(Opcode::kNoop));
    ASSERT_EQ(parsed.size(), 1u) << c.name;
    SCOPED_TRACE(c.name);
    ExpectRejected(parsed[0], ParseStatus::kFatal, Status::kInvalidArguments, c.raw.opcode, opaque);
  }
}

TEST_P(BinaryParseErrorTest, OversizeValuesAreFlaggedAndSkipped) {
  ParserLimits limits;
  limits.max_value_bytes = 100;
  // Each body is one byte over the buffer limit (max_value_bytes + 1 KiB).
  auto over = [](std::size_t extras, std::size_t key) {
    return std::string(100 + 1024 + 1 - extras - key, 'v');
  };
  auto op = [](Opcode o) { return static_cast<std::uint8_t>(o); };
  const Raw oversize[] = {
      {kRequestMagic, op(Opcode::kSet), StoreExtras(1, 2), "k", over(8, 1), 0, 1},
      {kRequestMagic, op(Opcode::kSetQ), StoreExtras(1, 2), "k", over(8, 1), 0, 2},
      {kRequestMagic, op(Opcode::kAppend), "", "k", over(0, 1), 0, 3},
      {kRequestMagic, op(Opcode::kSaslAuth), "", "PLAIN", over(0, 5), 0, 4},
  };
  for (const Raw& raw : oversize) {
    auto parsed = Parse(raw.Bytes() + Req(Opcode::kNoop, {}, {}, {}, 77), limits);
    ASSERT_EQ(parsed.size(), 2u) << int{raw.opcode};
    const Request& r = parsed[0].request;
    EXPECT_EQ(parsed[0].status, ParseStatus::kOk);
    EXPECT_TRUE(r.oversize);
    EXPECT_EQ(r.opcode, raw.opcode);
    EXPECT_EQ(r.opaque, raw.opaque);
    EXPECT_EQ(r.key, raw.key);
    EXPECT_TRUE(r.value.empty());
    EXPECT_EQ(r.skip_bytes, raw.value.size());
    EXPECT_EQ(parsed[0].consumed, kHeaderSize + raw.extras.size() + raw.key.size());
    EXPECT_EQ(parsed[1].request.command, Command::kNoop);
    EXPECT_EQ(parsed[1].request.opaque, 77u);
  }
  EXPECT_EQ(Parse(oversize[0].Bytes(), limits)[0].request.client_flags, 1u);
}

// Random packets, well-formed or not (any opcode, lengths that may disagree), must parse the same
// whatever the fragmentation, and never consume more than they were given.
TEST_P(BinaryParseErrorTest, RandomStreamsParseTheSameAtEveryFragmentSize) {
  std::mt19937 rng(20240611);
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  ParserLimits limits;
  limits.max_value_bytes = 64;
  for (int round = 0; round < 200; ++round) {
    std::string stream;
    for (int packet = 0, n = 1 + pick(4); packet < n; ++packet) {
      Raw raw{kRequestMagic, static_cast<std::uint8_t>(pick(0x30))};
      raw.extras = std::string(pick(4) == 0 ? pick(24) : 0, 'e');
      raw.key = std::string(pick(3) == 0 ? 0 : pick(12), 'k');
      raw.value = std::string(pick(3) == 0 ? pick(1200) : 0, 'v');
      if (pick(8) == 0) raw.body_length = static_cast<std::uint32_t>(pick(40));
      if (pick(20) == 0) raw.magic = static_cast<std::uint8_t>(pick(256));
      raw.opaque = static_cast<std::uint32_t>(round * 10 + packet);
      stream += raw.Bytes();
    }
    auto whole = test::ParseAll(stream, 0, limits);
    auto pieces = Parse(stream, limits);
    ASSERT_EQ(whole.size(), pieces.size()) << round;
    for (std::size_t i = 0; i < whole.size(); ++i) {
      SCOPED_TRACE(::testing::Message() << "round " << round << " request " << i);
      EXPECT_EQ(whole[i].status, pieces[i].status);
      EXPECT_EQ(whole[i].consumed, pieces[i].consumed);
      EXPECT_LE(whole[i].consumed, whole[i].bytes->size());
      EXPECT_EQ(whole[i].request.command, pieces[i].request.command);
      EXPECT_EQ(whole[i].request.key, pieces[i].request.key);
      EXPECT_EQ(whole[i].request.value, pieces[i].request.value);
      EXPECT_EQ(whole[i].request.skip_bytes, pieces[i].request.skip_bytes);
      EXPECT_EQ(whole[i].request.error, pieces[i].request.error);
    }
  }
}

TEST(BinaryParseIncompleteTest, NothingIsConsumedUntilThePacketIsWhole) {
  const std::string packet = Req(Opcode::kSet, "key", StoreExtras(5, 6), "value", 1);
  for (std::size_t n = 0; n < packet.size(); ++n) {
    Request request;
    ParseResult result = ParseRequest(std::string_view(packet).substr(0, n), {}, request);
    EXPECT_EQ(result.status, ParseStatus::kIncomplete) << n;
    EXPECT_EQ(result.consumed, 0u) << n;
  }
  Request request;
  ParseResult result = ParseRequest(packet + "next", {}, request);
  EXPECT_EQ(result.status, ParseStatus::kOk);
  EXPECT_EQ(result.consumed, packet.size());
}

TEST(BinaryParseIncompleteTest, OversizeNeedsOnlyExtrasAndKey) {
  ParserLimits limits;
  limits.max_value_bytes = 10;
  const std::string packet = Req(Opcode::kSet, "key", StoreExtras(0, 0), std::string(5000, 'v'));
  Request partial;
  EXPECT_EQ(ParseRequest(packet.substr(0, kHeaderSize + 8 + 2), limits, partial).status,
            ParseStatus::kIncomplete);
  Request request;
  ParseResult result = ParseRequest(packet.substr(0, kHeaderSize + 8 + 3), limits, request);
  EXPECT_EQ(result.status, ParseStatus::kOk);
  EXPECT_TRUE(request.oversize);
  EXPECT_EQ(request.skip_bytes, 5000u);
}

}  // namespace
}  // namespace mnemo::binary

// Client direction: request encoders (exact bytes, and accepted by the server parser) and the
// incremental response parser.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "binary/test_util.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {
namespace {

using test::ArithExtras;
using test::Be32;
using test::Hex;
using test::Req;
using test::Resp;
using test::StoreExtras;

// Parses one encoded request and checks that it is consumed whole.
Request ParseOne(const std::string& bytes) {
  Request request;
  ParseResult result = ParseRequest(bytes, {}, request);
  EXPECT_EQ(result.status, ParseStatus::kOk);
  EXPECT_EQ(result.consumed, bytes.size());
  return request;
}

TEST(BinaryRequestEncoderTest, SimpleRequestsAreHeaderOnly) {
  std::string out;
  AppendSimpleRequest({Opcode::kNoop, 0x01020304}, out);
  EXPECT_EQ(Hex(out), "80 0a 00 00 00 00 00 00 00 00 00 00 01 02 03 04 00 00 00 00 00 00 00 00");
  for (Opcode op : {Opcode::kVersion, Opcode::kQuit, Opcode::kQuitQ, Opcode::kFlush,
                    Opcode::kFlushQ, Opcode::kSaslListMechs}) {
    std::string bytes;
    AppendSimpleRequest({op, 7}, bytes);
    EXPECT_EQ(Hex(bytes), Hex(Req(op, {}, {}, {}, 7)));
    EXPECT_EQ(ParseOne(bytes).opcode, static_cast<std::uint8_t>(op));
  }
}

TEST(BinaryRequestEncoderTest, KeyRequests) {
  for (Opcode op : {Opcode::kGet, Opcode::kGetQ, Opcode::kGetK, Opcode::kGetKQ, Opcode::kDelete,
                    Opcode::kDeleteQ}) {
    std::string out;
    AppendKeyRequest({op, 3, 99}, "key", out);
    EXPECT_EQ(Hex(out), Hex(Req(op, "key", {}, {}, 3, 99)));
    Request r = ParseOne(out);
    EXPECT_EQ(r.key, "key");
    EXPECT_EQ(r.cas, 99u);
  }
}

TEST(BinaryRequestEncoderTest, StoreRequestMatchesMemcachedLayout) {
  std::string out;
  AppendStoreRequest({Opcode::kSet, 1}, "k1", "hello", 0xdeadbeef, 0, out);
  EXPECT_EQ(Hex(out),
            "80 01 00 02 08 00 00 00 00 00 00 0f 00 00 00 01 00 00 00 00 00 00 00 00 de ad be ef "
            "00 00 00 00 6b 31 68 65 6c 6c 6f");
  for (Opcode op :
       {Opcode::kSetQ, Opcode::kAdd, Opcode::kAddQ, Opcode::kReplace, Opcode::kReplaceQ}) {
    std::string bytes;
    AppendStoreRequest({op, 2, 5}, "key", "v", 7, 300, bytes);
    EXPECT_EQ(Hex(bytes), Hex(Req(op, "key", StoreExtras(7, 300), "v", 2, 5)));
    Request r = ParseOne(bytes);
    EXPECT_EQ(r.client_flags, 7u);
    EXPECT_EQ(r.exptime, 300);
    EXPECT_EQ(r.value, "v");
  }
}

TEST(BinaryRequestEncoderTest, ConcatArithmeticAndTouch) {
  std::string out;
  AppendConcatRequest({Opcode::kPrependQ, 4}, "k", "pre", out);
  EXPECT_EQ(Hex(out), Hex(Req(Opcode::kPrependQ, "k", {}, "pre", 4)));
  out.clear();
  AppendArithmeticRequest({Opcode::kDecrement, 5}, "n", 2, 9, kNoCreateExptime, out);
  EXPECT_EQ(Hex(out), Hex(Req(Opcode::kDecrement, "n", ArithExtras(2, 9, 0xffffffff), {}, 5)));
  Request decr = ParseOne(out);
  EXPECT_EQ(decr.delta, 2u);
  EXPECT_EQ(decr.initial, 9u);
  EXPECT_FALSE(decr.create_on_miss);
  out.clear();
  AppendTouchRequest({Opcode::kGatKQ, 6}, "t", 60, out);
  EXPECT_EQ(Hex(out), Hex(Req(Opcode::kGatKQ, "t", Be32(60), {}, 6)));
  EXPECT_EQ(ParseOne(out).exptime, 60);
}

TEST(BinaryRequestEncoderTest, FlushStatVerbosityAndSasl) {
  std::string out;
  AppendFlushRequest({Opcode::kFlushQ, 1}, 30, out);
  EXPECT_EQ(Hex(out), Hex(Req(Opcode::kFlushQ, {}, Be32(30), {}, 1)));
  EXPECT_EQ(ParseOne(out).number, 30);
  out.clear();
  AppendStatRequest({Opcode::kStat, 2}, "items", out);
  EXPECT_EQ(Hex(out), Hex(Req(Opcode::kStat, "items", {}, {}, 2)));
  out.clear();
  AppendVerbosityRequest({Opcode::kVerbosity, 3}, 1, out);
  EXPECT_EQ(Hex(out), Hex(Req(Opcode::kVerbosity, {}, Be32(1), {}, 3)));
  out.clear();
  AppendSaslRequest({Opcode::kSaslAuth, 4}, "PLAIN", std::string("\0u\0p", 4), out);
  EXPECT_EQ(Hex(out), Hex(Req(Opcode::kSaslAuth, "PLAIN", {}, std::string("\0u\0p", 4), 4)));
  out.clear();
  AppendRequest({static_cast<Opcode>(0x42), 5, 6, 0x0708}, "e", "k", "v", out);
  EXPECT_EQ(Hex(out), Hex(test::Raw{kRequestMagic, 0x42, "e", "k", "v", 0x0708, 5, 6}.Bytes()));
}

// Feeds `input` to ParseResponse `fragment` bytes at a time (0 = all at once).
struct ParsedResponses {
  std::vector<Response> responses;
  std::vector<std::string> owners;  // keep the bytes the views point into
  ParseStatus last = ParseStatus::kIncomplete;
  std::size_t leftover = 0;  // bytes never consumed
};

ParsedResponses ParseResponses(std::string_view input, std::size_t fragment) {
  ParsedResponses result;
  std::string buffer;
  std::size_t fed = 0;
  if (fragment == 0) fragment = std::max<std::size_t>(1, input.size());
  result.owners.reserve(64);
  while (true) {
    while (!buffer.empty()) {
      Response response;
      ParseResult r = ParseResponse(buffer, response);
      result.last = r.status;
      if (r.status != ParseStatus::kOk) break;
      result.owners.push_back(buffer.substr(0, r.consumed));
      ParseResponse(result.owners.back(), response);
      result.responses.push_back(response);
      buffer.erase(0, r.consumed);
    }
    if (result.last == ParseStatus::kFatal || fed == input.size()) break;
    const std::size_t n = std::min(fragment, input.size() - fed);
    buffer.append(input.substr(fed, n));
    fed += n;
  }
  result.leftover = buffer.size();
  return result;
}

class BinaryResponseParserTest : public ::testing::TestWithParam<std::size_t> {};

INSTANTIATE_TEST_SUITE_P(Fragments, BinaryResponseParserTest,
                         ::testing::ValuesIn(mnemo::testing::kFragmentSizes));

TEST_P(BinaryResponseParserTest, ParsesEveryKindOfResponse) {
  const std::string input =
      Resp(Opcode::kGetK, Status::kSuccess, Be32(0xdeadbeef), "k1", "hello", 3, 112) +
      Resp(Opcode::kIncrement, Status::kSuccess, {}, {}, test::Be64(10), 4, 121) +
      Resp(Opcode::kGet, Status::kKeyNotFound, {}, {}, "Not found", 5) +
      Resp(Opcode::kStat, Status::kSuccess, {}, "pid", "4729", 6) +
      Resp(Opcode::kStat, Status::kSuccess, {}, {}, {}, 6) +
      Resp(static_cast<Opcode>(0x50), Status::kUnknownCommand, {}, {}, "Unknown command", 7);
  ParsedResponses parsed = ParseResponses(input, GetParam());
  EXPECT_NE(parsed.last, ParseStatus::kFatal);
  EXPECT_EQ(parsed.leftover, 0u);
  ASSERT_EQ(parsed.responses.size(), 6u);
  const Response& getk = parsed.responses[0];
  EXPECT_EQ(getk.opcode, Opcode::kGetK);
  EXPECT_EQ(getk.status, Status::kSuccess);
  EXPECT_EQ(getk.opaque, 3u);
  EXPECT_EQ(getk.cas, 112u);
  EXPECT_EQ(getk.key, "k1");
  EXPECT_EQ(getk.value, "hello");
  EXPECT_EQ(getk.ClientFlags(), 0xdeadbeefu);
  EXPECT_FALSE(getk.Counter().has_value());
  EXPECT_EQ(parsed.responses[1].Counter(), 10u);
  EXPECT_FALSE(parsed.responses[1].ClientFlags().has_value());
  EXPECT_EQ(parsed.responses[2].status, Status::kKeyNotFound);
  EXPECT_EQ(parsed.responses[2].value, "Not found");
  EXPECT_FALSE(parsed.responses[3].IsStatEnd());
  EXPECT_EQ(parsed.responses[3].key, "pid");
  EXPECT_TRUE(parsed.responses[4].IsStatEnd());
  EXPECT_EQ(static_cast<int>(parsed.responses[5].opcode), 0x50);
  EXPECT_EQ(parsed.responses[5].status, Status::kUnknownCommand);
}

TEST_P(BinaryResponseParserTest, BadMagicIsFatal) {
  ParsedResponses parsed =
      ParseResponses(Resp(Opcode::kNoop, Status::kSuccess) + Req(Opcode::kNoop), GetParam());
  EXPECT_EQ(parsed.responses.size(), 1u);
  EXPECT_EQ(parsed.last, ParseStatus::kFatal);
}

TEST_P(BinaryResponseParserTest, LengthsLongerThanBodyAreFatal) {
  test::Raw bad{kResponseMagic, 0x00, "abcd", "key"};
  bad.body_length = 5;
  ParsedResponses parsed = ParseResponses(bad.Bytes() + std::string(10, 'x'), GetParam());
  EXPECT_TRUE(parsed.responses.empty());
  EXPECT_EQ(parsed.last, ParseStatus::kFatal);
}

TEST(BinaryResponseParserIncompleteTest, WaitsForTheWholeBody) {
  const std::string packet = Resp(Opcode::kGet, Status::kSuccess, Be32(1), {}, "value", 1, 2);
  for (std::size_t n = 0; n < packet.size(); ++n) {
    Response response;
    ParseResult r = ParseResponse(std::string_view(packet).substr(0, n), response);
    EXPECT_EQ(r.status, ParseStatus::kIncomplete) << n;
    EXPECT_EQ(r.consumed, 0u);
  }
  Response response;
  EXPECT_EQ(ParseResponse(packet, response).consumed, packet.size());
}

// Whatever the server encoders produce, the client parser reads back.
TEST(BinaryRoundTripTest, ServerEncodersParseBack) {
  std::string out;
  AppendGetHit({Opcode::kGatK, Status::kSuccess, 11, 12}, 13, "key", "value", out);
  AppendCounter({Opcode::kDecrement, Status::kSuccess, 14, 15}, 16, out);
  AppendStatusError(Opcode::kAppendQ, Status::kNotStored, 17, out);
  std::vector<Response> responses;
  std::string_view in = out;
  while (!in.empty()) {
    Response response;
    ParseResult r = ParseResponse(in, response);
    ASSERT_EQ(r.status, ParseStatus::kOk);
    responses.push_back(response);
    in.remove_prefix(r.consumed);
  }
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0].ClientFlags(), 13u);
  EXPECT_EQ(responses[0].key, "key");
  EXPECT_EQ(responses[0].value, "value");
  EXPECT_EQ(responses[0].cas, 12u);
  EXPECT_EQ(responses[1].Counter(), 16u);
  EXPECT_EQ(responses[1].opaque, 14u);
  EXPECT_EQ(responses[2].status, Status::kNotStored);
  EXPECT_EQ(responses[2].value, "Not stored.");
  EXPECT_EQ(responses[2].cas, 0u);
}

}  // namespace
}  // namespace mnemo::binary

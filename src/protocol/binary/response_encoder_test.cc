// Server-direction encoders. The hex literals are packets captured from memcached 1.6.18.
#include <gtest/gtest.h>

#include <string>

#include "binary/test_util.h"
#include "mnemo/protocol/binary.h"

namespace mnemo::binary {
namespace {

using test::ErrorResp;
using test::Hex;
using test::Resp;

TEST(BinaryResponseEncoderTest, GetHitMatchesMemcachedCapture) {
  std::string out;
  AppendGetHit({Opcode::kGet, Status::kSuccess, 2, 112}, 0xdeadbeef, {}, "hello", out);
  EXPECT_EQ(Hex(out),
            "81 00 00 00 04 00 00 00 00 00 00 09 00 00 00 02 00 00 00 00 00 00 00 70 de ad be ef "
            "68 65 6c 6c 6f");
}

TEST(BinaryResponseEncoderTest, GetKHitCarriesKeyAfterFlags) {
  std::string out;
  AppendGetHit({Opcode::kGetK, Status::kSuccess, 3, 112}, 0xdeadbeef, "k1", "hello", out);
  EXPECT_EQ(Hex(out), Hex(Resp(Opcode::kGetK, Status::kSuccess, test::Be32(0xdeadbeef), "k1",
                               "hello", 3, 112)));
}

TEST(BinaryResponseEncoderTest, TouchHitHasFlagsButNoValue) {
  std::string out;
  AppendGetHit({Opcode::kTouch, Status::kSuccess, 1, 131}, 7, {}, {}, out);
  EXPECT_EQ(Hex(out),
            "81 1c 00 00 04 00 00 00 00 00 00 04 00 00 00 01 00 00 00 00 00 00 00 83 00 00 00 07");
}

TEST(BinaryResponseEncoderTest, NotFoundMatchesMemcachedCapture) {
  std::string out;
  AppendStatusError(Opcode::kGet, Status::kKeyNotFound, 7, out);
  EXPECT_EQ(Hex(out),
            "81 00 00 00 00 00 00 01 00 00 00 09 00 00 00 07 00 00 00 00 00 00 00 00 4e 6f 74 20 "
            "66 6f 75 6e 64");
}

TEST(BinaryResponseEncoderTest, ErrorsCarryTheirTextAndNoCas) {
  std::string out;
  AppendStatusError(Opcode::kAdd, Status::kKeyExists, 4, out);
  AppendStatusError(Opcode::kSetQ, Status::kTooLarge, 5, out);
  AppendStatusError(Opcode::kAppend, Status::kNotStored, 6, out);
  AppendStatusError(Opcode::kIncrement, Status::kNonNumeric, 7, out);
  AppendStatusError(Opcode::kSet, Status::kOutOfMemory, 8, out, "Out of memory allocating item");
  EXPECT_EQ(Hex(out),
            Hex(ErrorResp(Opcode::kAdd, Status::kKeyExists, "Data exists for key.", 4) +
                ErrorResp(Opcode::kSetQ, Status::kTooLarge, "Too large.", 5) +
                ErrorResp(Opcode::kAppend, Status::kNotStored, "Not stored.", 6) +
                ErrorResp(Opcode::kIncrement, Status::kNonNumeric,
                          "Non-numeric server-side value for incr or decr", 7) +
                ErrorResp(Opcode::kSet, Status::kOutOfMemory, "Out of memory allocating item", 8)));
}

TEST(BinaryResponseEncoderTest, CounterIsEightBytesBigEndian) {
  std::string out;
  AppendCounter({Opcode::kIncrement, Status::kSuccess, 3, 121}, 10, out);
  EXPECT_EQ(Hex(out),
            "81 05 00 00 00 00 00 00 00 00 00 08 00 00 00 03 00 00 00 00 00 00 00 79 00 00 00 00 "
            "00 00 00 0a");
  out.clear();
  AppendCounter({Opcode::kDecrementQ, Status::kSuccess, 0, 1}, 0x0102030405060708, out);
  EXPECT_EQ(Hex(out), Hex(Resp(Opcode::kDecrementQ, Status::kSuccess, {}, {},
                               test::Be64(0x0102030405060708), 0, 1)));
}

TEST(BinaryResponseEncoderTest, StatPacketsAndTerminator) {
  std::string out;
  AppendStat(9, "pid", "4729", out);
  AppendStatEnd(9, out);
  EXPECT_EQ(Hex(out),
            "81 10 00 03 00 00 00 00 00 00 00 07 00 00 00 09 00 00 00 00 00 00 00 00 70 69 64 34 "
            "37 32 39 | 81 10 00 00 00 00 00 00 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 00");
}

TEST(BinaryResponseEncoderTest, VersionMatchesMemcachedCapture) {
  std::string out;
  AppendVersion(0, "1.6.18", out);
  EXPECT_EQ(Hex(out),
            "81 0b 00 00 00 00 00 00 00 00 00 06 00 00 00 00 00 00 00 00 00 00 00 00 31 2e 36 2e "
            "31 38");
}

TEST(BinaryResponseEncoderTest, GenericResponseLaysOutExtrasKeyValue) {
  std::string out = "prefix";
  AppendResponse({static_cast<Opcode>(0x50), Status::kUnknownCommand, 0xa1b2c3d4, 5}, "EX", "KEY",
                 "value", out);
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(
      Hex(out.substr(6)),
      Hex(test::Raw{kResponseMagic, 0x50, "EX", "KEY", "value", 0x81, 0xa1b2c3d4, 5}.Bytes()));
}

TEST(BinaryResponseEncoderTest, AppendErrorAnswersRejectedPackets) {
  Request unknown;
  ASSERT_EQ(ParseRequest(test::Req(static_cast<Opcode>(0x50), {}, {}, {}, 3), {}, unknown).status,
            ParseStatus::kError);
  Request bad_lengths;
  ASSERT_EQ(ParseRequest(test::Req(Opcode::kGet, "k", "xxxx", {}, 9), {}, bad_lengths).status,
            ParseStatus::kFatal);
  Request bad_magic;
  ASSERT_EQ(ParseRequest("\x81", {}, bad_magic).status, ParseStatus::kFatal);
  std::string out;
  AppendError(unknown, out);
  AppendError(bad_lengths, out);
  AppendError(bad_magic, out);  // closes silently
  EXPECT_EQ(Hex(out),
            "81 50 00 00 00 00 00 81 00 00 00 0f 00 00 00 03 00 00 00 00 00 00 00 00 55 6e 6b 6e "
            "6f 77 6e 20 63 6f 6d 6d 61 6e 64 | 81 00 00 00 00 00 00 04 00 00 00 11 00 00 00 09 "
            "00 00 00 00 00 00 00 00 49 6e 76 61 6c 69 64 20 61 72 67 75 6d 65 6e 74 73");
}

}  // namespace
}  // namespace mnemo::binary

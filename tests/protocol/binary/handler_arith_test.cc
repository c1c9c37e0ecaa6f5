// Handler: incr/decr, touch and the GAT family, with exact response bytes.
#include <gtest/gtest.h>

#include <string>

#include "binary/handler_test_util.h"

namespace mnemo::binary {
namespace {

using test::ArithExtras;
using test::Be32;
using test::Be64;
using test::BinaryHandlerTest;
using test::ErrorResp;
using test::Hex;
using test::Req;
using test::Resp;
using test::StoreExtras;

std::string Counter(Opcode op, std::uint64_t value, std::uint32_t opaque, std::uint64_t cas) {
  return Resp(op, Status::kSuccess, {}, {}, Be64(value), opaque, cas);
}
std::string NotFound(Opcode op, std::uint32_t opaque = 0) {
  return ErrorResp(op, Status::kKeyNotFound, "Not found", opaque);
}
std::string Hit(Opcode op, std::uint32_t flags, std::string_view key, std::string_view value,
                std::uint32_t opaque, std::uint64_t cas) {
  return Resp(op, Status::kSuccess, Be32(flags), key, value, opaque, cas);
}

TEST_F(BinaryHandlerTest, IncrCreatesTheCounterWithInitialOnAMiss) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kIncrement, "n", ArithExtras(1, 10, 0), {}, 3) +
                    Req(Opcode::kGet, "n", {}, {}, 4))),
            Hex(Counter(Opcode::kIncrement, 10, 3, 1) + Hit(Opcode::kGet, 0, {}, "10", 4, 1)));
  // A created counter is neither a hit nor a miss.
  EXPECT_EQ(counters_.incr_hits + counters_.incr_misses, 0u);
}

TEST_F(BinaryHandlerTest, IncrAndDecrUpdateAndPadLikeMemcached) {
  Run(Req(Opcode::kIncrement, "n", ArithExtras(1, 10, 0)));
  EXPECT_EQ(Hex(Run(Req(Opcode::kIncrement, "n", ArithExtras(5, 10, 0), {}, 1) +
                    Req(Opcode::kDecrement, "n", ArithExtras(100, 10, 0), {}, 2) +
                    Req(Opcode::kGet, "n", {}, {}, 3))),
            Hex(Counter(Opcode::kIncrement, 15, 1, 2) + Counter(Opcode::kDecrement, 0, 2, 3) +
                Hit(Opcode::kGet, 0, {}, "0 ", 3, 3)));
  EXPECT_EQ(counters_.incr_hits, 1u);
  EXPECT_EQ(counters_.decr_hits, 1u);
}

TEST_F(BinaryHandlerTest, IncrWrapsAndDecrementedValueIsSpacePadded) {
  Set("big", "18446744073709551615", 5);
  Set("pd", "100", 5);
  EXPECT_EQ(Hex(Run(Req(Opcode::kIncrement, "big", ArithExtras(2, 0, 0), {}, 1) +
                    Req(Opcode::kGet, "big", {}, {}, 2) +
                    Req(Opcode::kDecrement, "pd", ArithExtras(1, 0, 0), {}, 3) +
                    Req(Opcode::kGet, "pd", {}, {}, 4))),
            Hex(Counter(Opcode::kIncrement, 1, 1, 3) +
                Hit(Opcode::kGet, 5, {}, "1                   ", 2, 3) +
                Counter(Opcode::kDecrement, 99, 3, 4) + Hit(Opcode::kGet, 5, {}, "99 ", 4, 4)));
}

TEST_F(BinaryHandlerTest, NoCreateExptimeMakesAMissNotFound) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kIncrement, "x", ArithExtras(1, 10, 0xffffffff), {}, 1) +
                    Req(Opcode::kDecrement, "x", ArithExtras(1, 10, 0xffffffff), {}, 2) +
                    Req(Opcode::kDecrementQ, "x", ArithExtras(1, 10, 0xffffffff), {}, 3))),
            Hex(NotFound(Opcode::kIncrement, 1) + NotFound(Opcode::kDecrement, 2) +
                NotFound(Opcode::kDecrementQ, 3)));
  EXPECT_EQ(counters_.incr_misses, 1u);
  EXPECT_EQ(counters_.decr_misses, 2u);
}

TEST_F(BinaryHandlerTest, NonNumericValueIsRejected) {
  Set("txt", "abc");
  Set("empty", "");
  const std::string text = "Non-numeric server-side value for incr or decr";
  EXPECT_EQ(Hex(Run(Req(Opcode::kIncrement, "txt", ArithExtras(1, 0, 0), {}, 1) +
                    Req(Opcode::kDecrementQ, "empty", ArithExtras(1, 0, 0), {}, 2))),
            Hex(ErrorResp(Opcode::kIncrement, Status::kNonNumeric, text, 1) +
                ErrorResp(Opcode::kDecrementQ, Status::kNonNumeric, text, 2)));
  EXPECT_EQ(counters_.incr_hits + counters_.incr_misses + counters_.decr_hits, 0u);
}

TEST_F(BinaryHandlerTest, ArithmeticComparesCasButCreatesRegardless) {
  const std::uint64_t cas = Set("n", "5");
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kIncrement, "n", ArithExtras(1, 0, 0), {}, 1, cas + 5) +
              Req(Opcode::kIncrement, "n", ArithExtras(1, 0, 0), {}, 2, cas) +
              Req(Opcode::kIncrement, "new", ArithExtras(1, 7, 0), {}, 3, 12345))),
      Hex(ErrorResp(Opcode::kIncrement, Status::kKeyExists, "Data exists for key.", 1) +
          Counter(Opcode::kIncrement, 6, 2, cas + 1) + Counter(Opcode::kIncrement, 7, 3, cas + 2)));
}

TEST_F(BinaryHandlerTest, QuietArithmeticIsSilentOnSuccess) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kIncrementQ, "q", ArithExtras(1, 5, 0), {}, 1) +
                    Req(Opcode::kIncrementQ, "q", ArithExtras(1, 5, 0), {}, 2) +
                    Req(Opcode::kDecrementQ, "q", ArithExtras(3, 5, 0), {}, 3) +
                    Req(Opcode::kGet, "q", {}, {}, 4))),
            Hex(Hit(Opcode::kGet, 0, {}, "3", 4, 3)));
}

TEST_F(BinaryHandlerTest, CreatedCounterHonoursItsExptime) {
  Run(Req(Opcode::kIncrement, "t", ArithExtras(1, 1, 10)));
  clock_.Advance(9);
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, "t", {}, {}, 1))), Hex(Hit(Opcode::kGet, 0, {}, "1", 1, 1)));
  clock_.Advance(2);
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, "t", {}, {}, 2))), Hex(NotFound(Opcode::kGet, 2)));
}

TEST_F(BinaryHandlerTest, TouchAnswersFlagsAndCasWithoutTheValue) {
  const std::uint64_t cas = Set("t", "val", 7);
  EXPECT_EQ(Hex(Run(Req(Opcode::kTouch, "t", Be32(100), {}, 1) +
                    Req(Opcode::kTouch, "missing", Be32(100), {}, 2) +
                    Req(Opcode::kTouch, "t", Be32(100), {}, 3, cas + 42))),
            Hex(Hit(Opcode::kTouch, 7, {}, {}, 1, cas) + NotFound(Opcode::kTouch, 2) +
                Hit(Opcode::kTouch, 7, {}, {}, 3, cas)));
  EXPECT_EQ(counters_.cmd_touch, 3u);
  EXPECT_EQ(counters_.touch_hits, 2u);
  EXPECT_EQ(counters_.touch_misses, 1u);
  EXPECT_EQ(counters_.cmd_get, 0u);
}

TEST_F(BinaryHandlerTest, TouchSetsANewExpiry) {
  Set("t", "v");
  Run(Req(Opcode::kTouch, "t", Be32(10)));
  clock_.Advance(11);
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, "t", {}, {}, 1))), Hex(NotFound(Opcode::kGet, 1)));
}

TEST_F(BinaryHandlerTest, GatFamilyHitsAndMisses) {
  const std::uint64_t cas = Set("g", "val", 7);
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kGat, "g", Be32(100), {}, 1) + Req(Opcode::kGatK, "g", Be32(100), {}, 2) +
              Req(Opcode::kGatQ, "g", Be32(100), {}, 3) +
              Req(Opcode::kGatKQ, "g", Be32(100), {}, 4) +
              Req(Opcode::kGat, "x", Be32(100), {}, 5) + Req(Opcode::kGatK, "x", Be32(100), {}, 6) +
              Req(Opcode::kGatQ, "x", Be32(100), {}, 7) +
              Req(Opcode::kGatKQ, "x", Be32(100), {}, 8) + Req(Opcode::kNoop, {}, {}, {}, 9))),
      Hex(Hit(Opcode::kGat, 7, {}, "val", 1, cas) + Hit(Opcode::kGatK, 7, "g", "val", 2, cas) +
          Hit(Opcode::kGatQ, 7, {}, "val", 3, cas) + Hit(Opcode::kGatKQ, 7, "g", "val", 4, cas) +
          NotFound(Opcode::kGat, 5) + Resp(Opcode::kGatK, Status::kKeyNotFound, {}, "x", {}, 6) +
          Resp(Opcode::kNoop, Status::kSuccess, {}, {}, {}, 9)));
  EXPECT_EQ(counters_.cmd_touch, 8u);
  EXPECT_EQ(counters_.touch_hits, 4u);
  EXPECT_EQ(counters_.touch_misses, 4u);
  EXPECT_EQ(counters_.cmd_get, 0u);
}

TEST_F(BinaryHandlerTest, GatUpdatesTheExpiry) {
  Set("g", "v", 0, 100);
  Run(Req(Opcode::kGat, "g", Be32(5)));
  clock_.Advance(6);
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, "g", {}, {}, 1))), Hex(NotFound(Opcode::kGet, 1)));
}

// The GAT trailing bytes are the next packet, as memcached reads them.
TEST_F(BinaryHandlerTest, GatBodyBeyondTheKeyIsReadAsTheNextPacket) {
  Set("g", "v");
  const std::string noop = Req(Opcode::kNoop, {}, {}, {}, 2);
  EXPECT_EQ(Hex(Run(Req(Opcode::kGat, "g", Be32(0), noop, 1))),
            Hex(Hit(Opcode::kGat, 0, {}, "v", 1, 1) +
                Resp(Opcode::kNoop, Status::kSuccess, {}, {}, {}, 2)));
}

}  // namespace
}  // namespace mnemo::binary

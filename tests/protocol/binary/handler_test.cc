// Handler: retrieval, storage and delete against the map engine, with exact response bytes.
// The expected packets are what memcached 1.6.18 sends for the same requests (its CAS counter,
// like the map engine's, starts at 1 on a fresh server).
#include <gtest/gtest.h>

#include <string>

#include "binary/handler_test_util.h"
#include "failing_engine.h"

namespace mnemo::binary {
namespace {

using test::Be32;
using test::BinaryHandlerTest;
using test::ErrorResp;
using test::Hex;
using test::Req;
using test::Resp;
using test::StoreExtras;

std::string Ok(Opcode op, std::uint32_t opaque = 0, std::uint64_t cas = 0) {
  return Resp(op, Status::kSuccess, {}, {}, {}, opaque, cas);
}
std::string NotFound(Opcode op, std::uint32_t opaque = 0) {
  return ErrorResp(op, Status::kKeyNotFound, "Not found", opaque);
}
std::string Exists(Opcode op, std::uint32_t opaque = 0) {
  return ErrorResp(op, Status::kKeyExists, "Data exists for key.", opaque);
}
std::string NotStored(Opcode op, std::uint32_t opaque = 0) {
  return ErrorResp(op, Status::kNotStored, "Not stored.", opaque);
}
std::string TooLarge(Opcode op, std::uint32_t opaque = 0) {
  return ErrorResp(op, Status::kTooLarge, "Too large.", opaque);
}
std::string Hit(Opcode op, std::uint32_t flags, std::string_view key, std::string_view value,
                std::uint32_t opaque, std::uint64_t cas) {
  return Resp(op, Status::kSuccess, Be32(flags), key, value, opaque, cas);
}

TEST_F(BinaryHandlerTest, GetMissIsNotFoundWithOpaque) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, "nokey", {}, {}, 7))), Hex(NotFound(Opcode::kGet, 7)));
}

TEST_F(BinaryHandlerTest, GetKMissCarriesTheKeyAndNoText) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kGetK, "nokey", {}, {}, 7))),
            Hex(Resp(Opcode::kGetK, Status::kKeyNotFound, {}, "nokey", {}, 7)));
}

TEST_F(BinaryHandlerTest, QuietGetMissesSendNothing) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kGetQ, "a", {}, {}, 1) + Req(Opcode::kGetKQ, "b", {}, {}, 2) +
                    Req(Opcode::kNoop, {}, {}, {}, 3))),
            Hex(Ok(Opcode::kNoop, 3)));
}

TEST_F(BinaryHandlerTest, GetHitsCarryFlagsCasAndValue) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kSet, "k1", StoreExtras(0xdeadbeef, 0), "hello", 1) +
                    Req(Opcode::kGet, "k1", {}, {}, 2) + Req(Opcode::kGetK, "k1", {}, {}, 3) +
                    Req(Opcode::kGetQ, "k1", {}, {}, 4) + Req(Opcode::kGetKQ, "k1", {}, {}, 5))),
            Hex(Ok(Opcode::kSet, 1, 1) + Hit(Opcode::kGet, 0xdeadbeef, {}, "hello", 2, 1) +
                Hit(Opcode::kGetK, 0xdeadbeef, "k1", "hello", 3, 1) +
                Hit(Opcode::kGetQ, 0xdeadbeef, {}, "hello", 4, 1) +
                Hit(Opcode::kGetKQ, 0xdeadbeef, "k1", "hello", 5, 1)));
}

TEST_F(BinaryHandlerTest, EmptyValueAndBinaryKeyRoundTrip) {
  const std::string key("k\0\r\n", 4);
  EXPECT_EQ(Hex(Run(Req(Opcode::kSet, key, StoreExtras(7, 0), "", 1) +
                    Req(Opcode::kGetK, key, {}, {}, 2))),
            Hex(Ok(Opcode::kSet, 1, 1) + Hit(Opcode::kGetK, 7, key, "", 2, 1)));
}

TEST_F(BinaryHandlerTest, GetCountsHitsAndMisses) {
  Set("a", "1");
  Run(Req(Opcode::kGet, "a") + Req(Opcode::kGetKQ, "a") + Req(Opcode::kGetQ, "zz") +
      Req(Opcode::kGetK, "zz"));
  EXPECT_EQ(counters_.cmd_get, 4u);
  EXPECT_EQ(counters_.get_hits, 2u);
  EXPECT_EQ(counters_.get_misses, 2u);
  EXPECT_EQ(counters_.get_expired, 0u);
}

TEST_F(BinaryHandlerTest, ExpiredItemIsAMissCountedAsExpired) {
  Set("e", "v", 0, 10);
  clock_.Advance(11);
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, "e", {}, {}, 1))), Hex(NotFound(Opcode::kGet, 1)));
  EXPECT_EQ(counters_.get_misses, 1u);
  EXPECT_EQ(counters_.get_expired, 1u);
}

TEST_F(BinaryHandlerTest, SetAnswersTheNewCasAndSetQIsSilent) {
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kSet, "k", StoreExtras(1, 0), "a", 1) +
              Req(Opcode::kSetQ, "k", StoreExtras(2, 0), "b", 2) +
              Req(Opcode::kNoop, {}, {}, {}, 3) + Req(Opcode::kGet, "k", {}, {}, 4))),
      Hex(Ok(Opcode::kSet, 1, 1) + Ok(Opcode::kNoop, 3) + Hit(Opcode::kGet, 2, {}, "b", 4, 2)));
  EXPECT_EQ(counters_.cmd_set, 2u);
}

TEST_F(BinaryHandlerTest, SetWithCasComparesAndSwaps) {
  const std::uint64_t cas = Set("k", "v");
  EXPECT_EQ(Hex(Run(Req(Opcode::kSet, "k", StoreExtras(0, 0), "w", 2, cas) +
                    Req(Opcode::kSet, "k", StoreExtras(0, 0), "x", 3, cas) +
                    Req(Opcode::kSet, "missing", StoreExtras(0, 0), "y", 4, 5) +
                    Req(Opcode::kSetQ, "k", StoreExtras(0, 0), "z", 5, cas))),
            Hex(Ok(Opcode::kSet, 2, cas + 1) + Exists(Opcode::kSet, 3) + NotFound(Opcode::kSet, 4) +
                Exists(Opcode::kSetQ, 5)));
  EXPECT_EQ(counters_.cas_hits, 1u);
  EXPECT_EQ(counters_.cas_badval, 2u);
  EXPECT_EQ(counters_.cas_misses, 1u);
  EXPECT_EQ(counters_.cmd_set, 5u);
}

TEST_F(BinaryHandlerTest, AddFailsOnALiveKeyEvenWhenQuiet) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kAdd, "a", StoreExtras(0, 0), "1", 1) +
                    Req(Opcode::kAdd, "a", StoreExtras(0, 0), "2", 2) +
                    Req(Opcode::kAddQ, "a", StoreExtras(0, 0), "3", 3) +
                    Req(Opcode::kAddQ, "b", StoreExtras(0, 0), "4", 4) +
                    Req(Opcode::kGet, "a", {}, {}, 5))),
            Hex(Ok(Opcode::kAdd, 1, 1) + Exists(Opcode::kAdd, 2) + Exists(Opcode::kAddQ, 3) +
                Hit(Opcode::kGet, 0, {}, "1", 5, 1)));
  EXPECT_EQ(counters_.cmd_set, 4u);
  EXPECT_EQ(counters_.cas_hits + counters_.cas_badval + counters_.cas_misses, 0u);
}

// memcached applies a header CAS to add too: a match replaces, a missing key is "Not found".
TEST_F(BinaryHandlerTest, AddWithCasBehavesAsCas) {
  const std::uint64_t cas = Set("a", "1");
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kAdd, "a", StoreExtras(0, 0), "2", 1, cas) +
              Req(Opcode::kAdd, "a", StoreExtras(0, 0), "3", 2, cas) +
              Req(Opcode::kAdd, "new", StoreExtras(0, 0), "4", 3, 99))),
      Hex(Ok(Opcode::kAdd, 1, cas + 1) + Exists(Opcode::kAdd, 2) + NotFound(Opcode::kAdd, 3)));
  EXPECT_EQ(counters_.cas_hits, 1u);
  EXPECT_EQ(counters_.cas_badval, 1u);
  EXPECT_EQ(counters_.cas_misses, 1u);
}

TEST_F(BinaryHandlerTest, ReplaceNeedsALiveKey) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kReplace, "r", StoreExtras(0, 0), "x", 1) +
                    Req(Opcode::kReplaceQ, "r", StoreExtras(0, 0), "x", 2))),
            Hex(NotFound(Opcode::kReplace, 1) + NotFound(Opcode::kReplaceQ, 2)));
  const std::uint64_t cas = Set("r", "old", 3);
  EXPECT_EQ(Hex(Run(Req(Opcode::kReplace, "r", StoreExtras(4, 0), "new", 3) +
                    Req(Opcode::kReplaceQ, "r", StoreExtras(5, 0), "newer", 4) +
                    Req(Opcode::kReplace, "r", StoreExtras(6, 0), "stale", 5, cas) +
                    Req(Opcode::kReplace, "r", StoreExtras(7, 0), "cas", 6, cas + 2) +
                    Req(Opcode::kGet, "r", {}, {}, 7))),
            Hex(Ok(Opcode::kReplace, 3, cas + 1) + Exists(Opcode::kReplace, 5) +
                Ok(Opcode::kReplace, 6, cas + 3) + Hit(Opcode::kGet, 7, {}, "cas", 7, cas + 3)));
}

TEST_F(BinaryHandlerTest, AppendAndPrependKeepFlags) {
  const std::uint64_t cas = Set("c", "hello", 5);
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kAppend, "c", {}, " world", 1) + Req(Opcode::kPrepend, "c", {}, "<", 2) +
              Req(Opcode::kAppendQ, "c", {}, ">", 3) + Req(Opcode::kPrependQ, "c", {}, "[", 4) +
              Req(Opcode::kGet, "c", {}, {}, 5))),
      Hex(Ok(Opcode::kAppend, 1, cas + 1) + Ok(Opcode::kPrepend, 2, cas + 2) +
          Hit(Opcode::kGet, 5, {}, "[<hello world>", 5, cas + 4)));
}

TEST_F(BinaryHandlerTest, AppendAndPrependOnAMissAreNotStored) {
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kAppend, "m", {}, "x", 1) + Req(Opcode::kPrependQ, "m", {}, "x", 2) +
              Req(Opcode::kAppendQ, "m", {}, "x", 3, 77))),
      Hex(NotStored(Opcode::kAppend, 1) + NotStored(Opcode::kPrependQ, 2) +
          NotStored(Opcode::kAppendQ, 3)));
  EXPECT_EQ(counters_.cmd_set, 3u);
}

TEST_F(BinaryHandlerTest, AppendComparesCasWithoutCountingIt) {
  const std::uint64_t cas = Set("c", "a");
  EXPECT_EQ(Hex(Run(Req(Opcode::kAppend, "c", {}, "b", 1, cas + 9) +
                    Req(Opcode::kAppend, "c", {}, "c", 2, cas))),
            Hex(Exists(Opcode::kAppend, 1) + Ok(Opcode::kAppend, 2, cas + 1)));
  EXPECT_EQ(counters_.cas_hits + counters_.cas_badval + counters_.cas_misses, 0u);
}

TEST_F(BinaryHandlerTest, OversizeSetIsTooLargeAndDropsTheOldValue) {
  Set("big", "old");
  const std::string huge(config_.item_size_max + 2048, 'x');
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kSet, "big", StoreExtras(0, 0), huge, 9) +
              Req(Opcode::kSetQ, "big", StoreExtras(0, 0), huge, 10) +
              Req(Opcode::kGet, "big", {}, {}, 11))),
      Hex(TooLarge(Opcode::kSet, 9) + TooLarge(Opcode::kSetQ, 10) + NotFound(Opcode::kGet, 11)));
  // memcached's binary path counts neither the set nor store_too_large.
  EXPECT_EQ(counters_.cmd_set, 1u);
  EXPECT_EQ(counters_.store_too_large, 0u);
}

TEST_F(BinaryHandlerTest, OversizeAddReplaceAppendKeepTheOldValue) {
  const std::uint64_t cas = Set("big", "old", 7);
  const std::string huge(config_.item_size_max + 2048, 'x');
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kAdd, "big", StoreExtras(0, 0), huge, 1) +
              Req(Opcode::kReplace, "big", StoreExtras(0, 0), huge, 2) +
              Req(Opcode::kAppend, "big", {}, huge, 3) +
              Req(Opcode::kPrependQ, "big", {}, huge, 4) + Req(Opcode::kGet, "big", {}, {}, 5))),
      Hex(TooLarge(Opcode::kAdd, 1) + TooLarge(Opcode::kReplace, 2) + TooLarge(Opcode::kAppend, 3) +
          TooLarge(Opcode::kPrependQ, 4) + Hit(Opcode::kGet, 7, {}, "old", 5, cas)));
}

// Buffered by the parser but larger than the item limit: the engine refuses it.
TEST_F(BinaryHandlerTest, ValueOverTheItemLimitIsTooLarge) {
  Set("k", "old");
  Set("r", "old");
  const std::string value(config_.item_size_max, 'x');
  EXPECT_EQ(Hex(Run(Req(Opcode::kSet, "k", StoreExtras(0, 0), value, 1) +
                    Req(Opcode::kReplace, "r", StoreExtras(0, 0), value, 2) +
                    Req(Opcode::kGet, "k", {}, {}, 3) + Req(Opcode::kGet, "r", {}, {}, 4))),
            Hex(TooLarge(Opcode::kSet, 1) + TooLarge(Opcode::kReplace, 2) +
                NotFound(Opcode::kGet, 3) + Hit(Opcode::kGet, 0, {}, "old", 4, 2)));
}

TEST_F(BinaryHandlerTest, TooLargeSetWithCasStillDropsTheOldValue) {
  const std::uint64_t cas = Set("k", "old");
  const std::string value(config_.item_size_max, 'x');
  EXPECT_EQ(Hex(Run(Req(Opcode::kSet, "k", StoreExtras(0, 0), value, 1, cas) +
                    Req(Opcode::kGet, "k", {}, {}, 2))),
            Hex(TooLarge(Opcode::kSet, 1) + NotFound(Opcode::kGet, 2)));
}

TEST_F(BinaryHandlerTest, AppendGrowingPastTheItemLimitIsNotStored) {
  Set("k", std::string(config_.item_size_max - 1000, 'x'));
  EXPECT_EQ(Hex(Run(Req(Opcode::kAppend, "k", {}, std::string(2000, 'y'), 1))),
            Hex(NotStored(Opcode::kAppend, 1)));
}

TEST_F(BinaryHandlerTest, DeleteHitMissAndQuiet) {
  Set("a", "1");
  Set("c", "3");
  EXPECT_EQ(Hex(Run(Req(Opcode::kDelete, "a", {}, {}, 1) + Req(Opcode::kDelete, "a", {}, {}, 2) +
                    Req(Opcode::kDeleteQ, "b", {}, {}, 3) + Req(Opcode::kDeleteQ, "c", {}, {}, 4) +
                    Req(Opcode::kNoop, {}, {}, {}, 5) + Req(Opcode::kGet, "c", {}, {}, 6))),
            Hex(Ok(Opcode::kDelete, 1) + NotFound(Opcode::kDelete, 2) +
                NotFound(Opcode::kDeleteQ, 3) + Ok(Opcode::kNoop, 5) + NotFound(Opcode::kGet, 6)));
  EXPECT_EQ(counters_.delete_hits, 2u);
  EXPECT_EQ(counters_.delete_misses, 2u);
}

TEST_F(BinaryHandlerTest, DeleteComparesCas) {
  const std::uint64_t cas = Set("d", "v");
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kDelete, "d", {}, {}, 1, cas + 1) +
              Req(Opcode::kDelete, "d", {}, {}, 2, cas) +
              Req(Opcode::kDelete, "d", {}, {}, 3, cas))),
      Hex(Exists(Opcode::kDelete, 1) + Ok(Opcode::kDelete, 2) + NotFound(Opcode::kDelete, 3)));
  EXPECT_EQ(counters_.delete_hits, 1u);
  EXPECT_EQ(counters_.delete_misses, 1u);
}

// The proxy's upstream is down: get, touch, gat and delete answer status 0x86 with memcached's
// proxy's text, quiet opcodes included (a quiet get stays silent only on a miss).
TEST_F(BinaryHandlerTest, EngineErrorIsATemporaryFailure) {
  mnemo::testing::FailingEngine failing(engine_);
  SessionContext context{failing, config_, counters_, hooks_};
  auto failed = [](Opcode op, std::uint32_t opaque) {
    return ErrorResp(op, Status::kTemporaryFailure, "backend failure", opaque);
  };
  EXPECT_EQ(Run(Req(Opcode::kGet, "down", {}, {}, 1), context), failed(Opcode::kGet, 1));
  EXPECT_EQ(Run(Req(Opcode::kGetKQ, "down", {}, {}, 2), context), failed(Opcode::kGetKQ, 2));
  EXPECT_EQ(Run(Req(Opcode::kTouch, "down", Be32(9), {}, 3), context), failed(Opcode::kTouch, 3));
  EXPECT_EQ(Run(Req(Opcode::kGat, "down", Be32(9), {}, 4), context), failed(Opcode::kGat, 4));
  EXPECT_EQ(Run(Req(Opcode::kDeleteQ, "down", {}, {}, 5), context), failed(Opcode::kDeleteQ, 5));
  EXPECT_EQ(Run(Req(Opcode::kSetQ, "down", test::StoreExtras(0, 0), "v", 7), context),
            failed(Opcode::kSetQ, 7));
  EXPECT_EQ(Run(Req(Opcode::kIncrement, "down", test::ArithExtras(1, 0, 0), {}, 8), context),
            failed(Opcode::kIncrement, 8));
  EXPECT_EQ(counters_.get_hits + counters_.get_misses + counters_.touch_misses, 0u);
  EXPECT_EQ(counters_.delete_hits + counters_.delete_misses, 0u);
  EXPECT_EQ(Run(Req(Opcode::kGetQ, "up", {}, {}, 6), context), "");  // a real miss
}

}  // namespace
}  // namespace mnemo::binary

// The request sequences of memccapable's 27 binary checks (libmemcached-tools, `memccapable -b`),
// recorded against memcached 1.6.18 and replayed here, so that every behaviour it checks is
// pinned by a unit test. memccapable uses one opaque for everything; so do these.
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

constexpr std::uint32_t kOpaque = 0xefbeadde;
const std::string kValue = Be64(0xfecaaddeefbeadde);

std::string R(Opcode op, std::string_view key = {}, std::string_view extras = {},
              std::string_view value = {}, std::uint64_t cas = 0) {
  return Req(op, key, extras, value, kOpaque, cas);
}
std::string Ok(Opcode op, std::uint64_t cas = 0) {
  return Resp(op, Status::kSuccess, {}, {}, {}, kOpaque, cas);
}
std::string Err(Opcode op, Status status, std::string_view text) {
  return ErrorResp(op, status, text, kOpaque);
}
std::string Exists(Opcode op) { return Err(op, Status::kKeyExists, "Data exists for key."); }
std::string NotFound(Opcode op) { return Err(op, Status::kKeyNotFound, "Not found"); }
const std::string kNoop = R(Opcode::kNoop);
const std::string kNoopOk = Ok(Opcode::kNoop);

TEST_F(BinaryHandlerTest, MemccapableNoopVersionQuit) {
  EXPECT_EQ(Hex(Run(kNoop + R(Opcode::kVersion))),
            Hex(kNoopOk + Resp(Opcode::kVersion, Status::kSuccess, {}, {}, "1.6.18", kOpaque)));
  EXPECT_EQ(Hex(Run(R(Opcode::kQuit))), Hex(Ok(Opcode::kQuit)));
  EXPECT_TRUE(closed_);
}

TEST_F(BinaryHandlerTest, MemccapableQuitQ) {
  EXPECT_EQ(Run(R(Opcode::kQuitQ)), "");
  EXPECT_TRUE(closed_);
}

TEST_F(BinaryHandlerTest, MemccapableSet) {
  const std::string set = R(Opcode::kSet, "test_binary_set", StoreExtras(0, 0), kValue);
  for (std::uint64_t cas = 1; cas <= 10; ++cas) {
    EXPECT_EQ(Hex(Run(set)), Hex(Ok(Opcode::kSet, cas)));
  }
  EXPECT_EQ(Hex(Run(R(Opcode::kSet, "test_binary_set", StoreExtras(0, 0), kValue, 10))),
            Hex(Ok(Opcode::kSet, 11)));
  EXPECT_EQ(Hex(Run(R(Opcode::kSet, "test_binary_set", StoreExtras(0, 0), kValue, 10) + kNoop)),
            Hex(Exists(Opcode::kSet) + kNoopOk));
}

TEST_F(BinaryHandlerTest, MemccapableSetQ) {
  const std::string setq = R(Opcode::kSetQ, "test_binary_setq", StoreExtras(0, 0), kValue);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Hex(Run(setq + kNoop)), Hex(kNoopOk));
  EXPECT_EQ(Hex(Run(R(Opcode::kSet, "test_binary_setq", StoreExtras(0, 0), kValue))),
            Hex(Ok(Opcode::kSet, 11)));
  EXPECT_EQ(Hex(Run(R(Opcode::kSetQ, "test_binary_setq", StoreExtras(0, 0), kValue, 11) + kNoop)),
            Hex(kNoopOk));
  EXPECT_EQ(Hex(Run(R(Opcode::kSetQ, "test_binary_setq", StoreExtras(0, 0), kValue, 11) + kNoop)),
            Hex(Exists(Opcode::kSetQ) + kNoopOk));
}

TEST_F(BinaryHandlerTest, MemccapableFlushAndFlushQ) {
  const std::string key = "test_binary_flush";
  for (const std::string& extras : {Be32(0), std::string()}) {
    Set(key, key);
    EXPECT_EQ(Hex(Run(R(Opcode::kFlush, {}, extras) + R(Opcode::kGet, key))),
              Hex(Ok(Opcode::kFlush) + NotFound(Opcode::kGet)));
    Set(key, key);
    EXPECT_EQ(Hex(Run(R(Opcode::kFlushQ, {}, extras) + kNoop + R(Opcode::kGet, key))),
              Hex(kNoopOk + NotFound(Opcode::kGet)));
  }
}

TEST_F(BinaryHandlerTest, MemccapableAddAndAddQ) {
  const std::string add = R(Opcode::kAdd, "test_binary_add", StoreExtras(0, 0), kValue);
  EXPECT_EQ(Hex(Run(add + kNoop)), Hex(Ok(Opcode::kAdd, 1) + kNoopOk));
  for (int i = 0; i < 9; ++i) EXPECT_EQ(Hex(Run(add + kNoop)), Hex(Exists(Opcode::kAdd) + kNoopOk));
  const std::string addq = R(Opcode::kAddQ, "test_binary_addq", StoreExtras(0, 0), kValue);
  EXPECT_EQ(Hex(Run(addq + kNoop)), Hex(kNoopOk));
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(Hex(Run(addq + kNoop)), Hex(Exists(Opcode::kAddQ) + kNoopOk));
  }
}

TEST_F(BinaryHandlerTest, MemccapableReplace) {
  const std::string key = "test_binary_replace";
  const std::string replace = R(Opcode::kReplace, key, StoreExtras(0, 0), kValue);
  EXPECT_EQ(Hex(Run(replace + kNoop)), Hex(NotFound(Opcode::kReplace) + kNoopOk));
  std::uint64_t cas = Set(key, key);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Hex(Run(replace + kNoop)), Hex(Ok(Opcode::kReplace, ++cas) + kNoopOk));
  }
  EXPECT_EQ(Hex(Run(R(Opcode::kReplace, key, StoreExtras(0, 0), kValue, cas))),
            Hex(Ok(Opcode::kReplace, cas + 1)));
  EXPECT_EQ(Hex(Run(R(Opcode::kReplace, key, StoreExtras(0, 0), kValue, cas) + kNoop)),
            Hex(Exists(Opcode::kReplace) + kNoopOk));
}

TEST_F(BinaryHandlerTest, MemccapableReplaceQ) {
  const std::string key = "test_binary_replaceq";
  const std::string replaceq = R(Opcode::kReplaceQ, key, StoreExtras(0, 0), kValue);
  EXPECT_EQ(Hex(Run(replaceq + kNoop)), Hex(NotFound(Opcode::kReplaceQ) + kNoopOk));
  Set(key, key);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Hex(Run(replaceq + kNoop)), Hex(kNoopOk));
  EXPECT_EQ(
      Hex(Run(R(Opcode::kReplaceQ, key, StoreExtras(0, 0), kValue, ~std::uint64_t{0}) + kNoop)),
      Hex(Exists(Opcode::kReplaceQ) + kNoopOk));
}

TEST_F(BinaryHandlerTest, MemccapableDeleteAndDeleteQ) {
  EXPECT_EQ(Hex(Run(R(Opcode::kDelete, "test_binary_delete") + kNoop)),
            Hex(NotFound(Opcode::kDelete) + kNoopOk));
  Set("test_binary_delete", "test_binary_delete");
  EXPECT_EQ(Hex(Run(R(Opcode::kDelete, "test_binary_delete") + kNoop)),
            Hex(Ok(Opcode::kDelete) + kNoopOk));
  EXPECT_EQ(Hex(Run(R(Opcode::kDeleteQ, "test_binary_deleteq") + kNoop)),
            Hex(NotFound(Opcode::kDeleteQ) + kNoopOk));
  Set("test_binary_deleteq", "test_binary_deleteq");
  EXPECT_EQ(Hex(Run(R(Opcode::kDeleteQ, "test_binary_deleteq") + kNoop)), Hex(kNoopOk));
}

TEST_F(BinaryHandlerTest, MemccapableGetFamily) {
  EXPECT_EQ(Hex(Run(R(Opcode::kGet, "test_binary_get") + kNoop)),
            Hex(NotFound(Opcode::kGet) + kNoopOk));
  std::uint64_t cas = Set("test_binary_get", "test_binary_get");
  EXPECT_EQ(Hex(Run(R(Opcode::kGet, "test_binary_get") + kNoop)),
            Hex(Resp(Opcode::kGet, Status::kSuccess, Be32(0), {}, "test_binary_get", kOpaque, cas) +
                kNoopOk));
  EXPECT_EQ(Hex(Run(R(Opcode::kGetQ, "test_binary_getq") + kNoop)), Hex(kNoopOk));
  cas = Set("test_binary_getq", "test_binary_getq");
  EXPECT_EQ(
      Hex(Run(R(Opcode::kGetQ, "test_binary_getq") + kNoop)),
      Hex(Resp(Opcode::kGetQ, Status::kSuccess, Be32(0), {}, "test_binary_getq", kOpaque, cas) +
          kNoopOk));
  EXPECT_EQ(Hex(Run(R(Opcode::kGetK, "test_binary_getk") + kNoop)),
            Hex(Resp(Opcode::kGetK, Status::kKeyNotFound, {}, "test_binary_getk", {}, kOpaque) +
                kNoopOk));
  cas = Set("test_binary_getk", "test_binary_getk");
  EXPECT_EQ(Hex(Run(R(Opcode::kGetK, "test_binary_getk") + kNoop)),
            Hex(Resp(Opcode::kGetK, Status::kSuccess, Be32(0), "test_binary_getk",
                     "test_binary_getk", kOpaque, cas) +
                kNoopOk));
  EXPECT_EQ(Hex(Run(R(Opcode::kGetKQ, "test_binary_getkq") + kNoop)), Hex(kNoopOk));
  cas = Set("test_binary_getkq", "test_binary_getkq");
  EXPECT_EQ(Hex(Run(R(Opcode::kGetKQ, "test_binary_getkq") + kNoop)),
            Hex(Resp(Opcode::kGetKQ, Status::kSuccess, Be32(0), "test_binary_getkq",
                     "test_binary_getkq", kOpaque, cas) +
                kNoopOk));
}

TEST_F(BinaryHandlerTest, MemccapableIncrAndIncrQ) {
  const std::string incr = R(Opcode::kIncrement, "test_binary_incr", ArithExtras(1, 0, 0));
  for (std::uint64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(Hex(Run(incr)),
              Hex(Resp(Opcode::kIncrement, Status::kSuccess, {}, {}, Be64(i), kOpaque, i + 1)));
  }
  const std::string incrq = R(Opcode::kIncrementQ, "test_binary_incrq", ArithExtras(1, 0, 0));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Hex(Run(incrq + kNoop)), Hex(kNoopOk));
  EXPECT_EQ(Hex(Run(R(Opcode::kGet, "test_binary_incrq"))),
            Hex(Resp(Opcode::kGet, Status::kSuccess, Be32(0), {}, "9", kOpaque, 20)));
}

TEST_F(BinaryHandlerTest, MemccapableDecrAndDecrQ) {
  const std::string decr = R(Opcode::kDecrement, "test_binary_decr", ArithExtras(1, 9, 0));
  for (std::uint64_t i = 0; i < 11; ++i) {
    const std::uint64_t expected = i < 9 ? 9 - i : 0;  // decr stops at zero
    EXPECT_EQ(Hex(Run(decr)), Hex(Resp(Opcode::kDecrement, Status::kSuccess, {}, {}, Be64(expected),
                                       kOpaque, i + 1)));
  }
  const std::string decrq = R(Opcode::kDecrementQ, "test_binary_decrq", ArithExtras(1, 9, 0));
  for (int i = 0; i < 11; ++i) EXPECT_EQ(Hex(Run(decrq + kNoop)), Hex(kNoopOk));
  EXPECT_EQ(Hex(Run(R(Opcode::kGet, "test_binary_decrq"))),
            Hex(Resp(Opcode::kGet, Status::kSuccess, Be32(0), {}, "0", kOpaque, 22)));
}

TEST_F(BinaryHandlerTest, MemccapableAppendPrependAndQuietForms) {
  struct Case {
    Opcode op;
    const char* key;
    const char* stored;
    const char* piece;
  };
  const Case cases[] = {{Opcode::kAppend, "test_binary_append", "hello", " world"},
                        {Opcode::kAppendQ, "test_binary_appendq", "hello", " world"},
                        {Opcode::kPrepend, "test_binary_prepend", " world", "hello"},
                        {Opcode::kPrependQ, "test_binary_prependq", " world", "hello"}};
  for (const Case& c : cases) {
    const std::uint64_t cas = Set(c.key, c.stored);
    const bool quiet = c.op == Opcode::kAppendQ || c.op == Opcode::kPrependQ;
    EXPECT_EQ(Hex(Run(R(c.op, c.key, {}, c.piece) + R(Opcode::kGet, c.key))),
              Hex((quiet ? "" : Ok(c.op, cas + 1)) + Resp(Opcode::kGet, Status::kSuccess, Be32(0),
                                                          {}, "hello world", kOpaque, cas + 1)));
  }
}

TEST_F(BinaryHandlerTest, MemccapableStatEndsWithAnEmptyPacket) {
  const std::string out = Run(R(Opcode::kStat));
  std::string_view rest = out;
  std::size_t packets = 0;
  Response last;
  while (!rest.empty()) {
    ParseResult r = ParseResponse(rest, last);
    ASSERT_EQ(r.status, ParseStatus::kOk);
    EXPECT_EQ(last.opcode, Opcode::kStat);
    EXPECT_EQ(last.status, Status::kSuccess);
    EXPECT_EQ(last.opaque, kOpaque);
    EXPECT_EQ(last.cas, 0u);
    EXPECT_TRUE(last.extras.empty());
    EXPECT_EQ(last.IsStatEnd(), r.consumed == rest.size());
    rest.remove_prefix(r.consumed);
    ++packets;
  }
  EXPECT_GT(packets, 20u);
  EXPECT_TRUE(last.IsStatEnd());
}

}  // namespace
}  // namespace mnemo::binary

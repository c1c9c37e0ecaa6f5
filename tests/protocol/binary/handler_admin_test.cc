// Handler: noop, version, quit, flush, stat, SASL, rejected packets and connection-wide
// settings, with exact response bytes.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "binary/handler_test_util.h"

namespace mnemo::binary {
namespace {

using test::Be32;
using test::BinaryHandlerTest;
using test::ErrorResp;
using test::Hex;
using test::Raw;
using test::Req;
using test::Resp;
using test::StoreExtras;

std::string Ok(Opcode op, std::uint32_t opaque = 0, std::uint64_t cas = 0) {
  return Resp(op, Status::kSuccess, {}, {}, {}, opaque, cas);
}
std::string NotFound(Opcode op, std::uint32_t opaque = 0) {
  return ErrorResp(op, Status::kKeyNotFound, "Not found", opaque);
}
std::string Unknown(std::uint8_t opcode, std::uint32_t opaque) {
  return ErrorResp(static_cast<Opcode>(opcode), Status::kUnknownCommand, "Unknown command", opaque);
}

// Splits a response stream into packets; their views point into `bytes`.
std::vector<Response> Responses(std::string_view bytes) {
  std::vector<Response> out;
  while (!bytes.empty()) {
    Response response;
    ParseResult r = ParseResponse(bytes, response);
    EXPECT_EQ(r.status, ParseStatus::kOk);
    if (r.status != ParseStatus::kOk) break;
    out.push_back(response);
    bytes.remove_prefix(r.consumed);
  }
  return out;
}

TEST_F(BinaryHandlerTest, NoopAndVersion) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kNoop, {}, {}, {}, 0x1234) + Req(Opcode::kVersion, {}, {}, {}, 2))),
            Hex(Ok(Opcode::kNoop, 0x1234) +
                Resp(Opcode::kVersion, Status::kSuccess, {}, {}, "1.6.18", 2)));
  config_.version = "9.9.9-mnemo";
  EXPECT_EQ(Hex(Run(Req(Opcode::kVersion, {}, {}, {}, 3, 99))),
            Hex(Resp(Opcode::kVersion, Status::kSuccess, {}, {}, "9.9.9-mnemo", 3)));
}

TEST_F(BinaryHandlerTest, QuitRepliesThenCloses) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kQuit, {}, {}, {}, 5) + Req(Opcode::kNoop, {}, {}, {}, 6))),
            Hex(Ok(Opcode::kQuit, 5)));
  EXPECT_TRUE(context_.close);
}

TEST_F(BinaryHandlerTest, QuitQClosesSilently) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kNoop, {}, {}, {}, 1) + Req(Opcode::kQuitQ, {}, {}, {}, 2) +
                    Req(Opcode::kNoop, {}, {}, {}, 3))),
            Hex(Ok(Opcode::kNoop, 1)));
  EXPECT_TRUE(context_.close);
}

TEST_F(BinaryHandlerTest, FlushDropsItemsAndFlushQIsSilent) {
  Set("a", "1");
  EXPECT_EQ(Hex(Run(Req(Opcode::kFlush, {}, {}, {}, 1) + Req(Opcode::kGet, "a", {}, {}, 2))),
            Hex(Ok(Opcode::kFlush, 1) + NotFound(Opcode::kGet, 2)));
  Set("b", "2");
  EXPECT_EQ(Hex(Run(Req(Opcode::kFlushQ, {}, Be32(0), {}, 3) + Req(Opcode::kNoop, {}, {}, {}, 4) +
                    Req(Opcode::kGet, "b", {}, {}, 5))),
            Hex(Ok(Opcode::kNoop, 4) + NotFound(Opcode::kGet, 5)));
  EXPECT_EQ(counters_.cmd_flush, 2u);
}

TEST_F(BinaryHandlerTest, FlushWithADelayTakesEffectLater) {
  const std::uint64_t cas = Set("a", "1");
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kFlush, {}, Be32(10), {}, 1) + Req(Opcode::kGet, "a", {}, {}, 2))),
      Hex(Ok(Opcode::kFlush, 1) + Resp(Opcode::kGet, Status::kSuccess, Be32(0), {}, "1", 2, cas)));
  clock_.Advance(10);
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, "a", {}, {}, 3))), Hex(NotFound(Opcode::kGet, 3)));
}

// memcached -F answers every flush with an auth error, FlushQ included.
TEST_F(BinaryHandlerTest, DisabledFlushIsAnAuthFailure) {
  config_.flush_enabled = false;
  const std::uint64_t cas = Set("a", "1");
  EXPECT_EQ(Hex(Run(Req(Opcode::kFlush, {}, {}, {}, 1) + Req(Opcode::kFlushQ, {}, {}, {}, 2) +
                    Req(Opcode::kGet, "a", {}, {}, 3))),
            Hex(ErrorResp(Opcode::kFlush, Status::kAuthError, "Auth failure.", 1) +
                ErrorResp(Opcode::kFlushQ, Status::kAuthError, "Auth failure.", 2) +
                Resp(Opcode::kGet, Status::kSuccess, Be32(0), {}, "1", 3, cas)));
  EXPECT_EQ(counters_.cmd_flush, 0u);
}

TEST_F(BinaryHandlerTest, StatSendsOnePacketPerStatThenATerminator) {
  Set("a", "1");
  Run(Req(Opcode::kGet, "a") + Req(Opcode::kGet, "zz"));
  const std::string out = Run(Req(Opcode::kStat, {}, {}, {}, 9));
  std::vector<Response> stats = Responses(out);
  ASSERT_GT(stats.size(), 2u);
  std::map<std::string, std::string> values;
  for (std::size_t i = 0; i < stats.size(); ++i) {
    const Response& r = stats[i];
    EXPECT_EQ(r.opcode, Opcode::kStat);
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(r.opaque, 9u);
    EXPECT_EQ(r.cas, 0u);
    EXPECT_TRUE(r.extras.empty());
    EXPECT_EQ(r.IsStatEnd(), i + 1 == stats.size()) << i;
    values[std::string(r.key)] = std::string(r.value);
  }
  EXPECT_EQ(std::string(stats.front().key), "pid");  // the hooks' fields come first
  EXPECT_EQ(values["pid"], "42");
  EXPECT_EQ(values["cmd_get"], "2");
  EXPECT_EQ(values["get_hits"], "1");
  EXPECT_EQ(values["get_misses"], "1");
  EXPECT_EQ(values["cmd_set"], "1");
  EXPECT_EQ(values["curr_items"], "1");  // from the engine
}

TEST_F(BinaryHandlerTest, StatGroupAnswersItsFields) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kStat, "settings", {}, {}, 4))),
            Hex(Resp(Opcode::kStat, Status::kSuccess, {}, "maxconns", "1024", 4) +
                Resp(Opcode::kStat, Status::kSuccess, {}, "tcpport", "11211", 4) +
                Resp(Opcode::kStat, Status::kSuccess, {}, {}, {}, 4)));
}

TEST_F(BinaryHandlerTest, UnknownStatGroupIsNotFound) {
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kStat, "bogus", {}, {}, 9) + Req(Opcode::kStat, "detail", {}, {}, 10))),
      Hex(NotFound(Opcode::kStat, 9) + NotFound(Opcode::kStat, 10)));
}

TEST_F(BinaryHandlerTest, StatResetClearsCountersAndAnswersOnlyTheTerminator) {
  Run(Req(Opcode::kGet, "zz") + Req(Opcode::kDelete, "zz"));
  ASSERT_EQ(counters_.get_misses, 1u);
  EXPECT_EQ(Hex(Run(Req(Opcode::kStat, "reset", {}, {}, 4))),
            Hex(Resp(Opcode::kStat, Status::kSuccess, {}, {}, {}, 4)));
  EXPECT_EQ(counters_.get_misses, 0u);
  EXPECT_EQ(counters_.cmd_get, 0u);
  EXPECT_EQ(counters_.delete_misses, 0u);
  EXPECT_EQ(hooks_.resets, 1);
}

TEST_F(BinaryHandlerTest, SaslWithoutSaslIsAnUnknownCommand) {
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kSaslListMechs, {}, {}, {}, 1) +
              Req(Opcode::kSaslAuth, "PLAIN", {}, std::string("\0u\0p", 4), 2) +
              Req(Opcode::kSaslStep, "PLAIN", {}, "x", 3) + Req(Opcode::kNoop, {}, {}, {}, 4))),
      Hex(Unknown(0x20, 1) + Unknown(0x21, 2) + Unknown(0x22, 3) + Ok(Opcode::kNoop, 4)));
  EXPECT_EQ(counters_.auth_cmds, 0u);
}

TEST_F(BinaryHandlerTest, SaslRequiredListsPlainAndRefusesCredentials) {
  config_.sasl_required = true;
  EXPECT_EQ(Hex(Run(Req(Opcode::kSaslListMechs, {}, {}, {}, 1) +
                    Req(Opcode::kSaslAuth, "PLAIN", {}, std::string("\0u\0p", 4), 2))),
            Hex(Resp(Opcode::kSaslListMechs, Status::kSuccess, {}, {}, "PLAIN", 1) +
                ErrorResp(Opcode::kSaslAuth, Status::kAuthError, "Auth failure.", 2)));
  EXPECT_EQ(counters_.auth_cmds, 1u);
  EXPECT_EQ(counters_.auth_errors, 1u);
}

TEST_F(BinaryHandlerTest, OversizeSaslDataIsSwallowed) {
  const std::string huge(config_.item_size_max + 2048, 'z');
  EXPECT_EQ(
      Hex(Run(Req(Opcode::kSaslAuth, "PLAIN", {}, huge, 2) + Req(Opcode::kNoop, {}, {}, {}, 3))),
      Hex(Unknown(0x21, 2) + Ok(Opcode::kNoop, 3)));
}

TEST_F(BinaryHandlerTest, UnknownOpcodesAreAnsweredAndTheStreamGoesOn) {
  const std::string huge(config_.item_size_max + 2048, 'z');
  EXPECT_EQ(Hex(Run(Raw{kRequestMagic, 0x1b, Be32(1), "", "", 0, 1}.Bytes() +
                    Raw{kRequestMagic, 0x50, "", "kk", "vvv", 0, 2}.Bytes() +
                    Raw{kRequestMagic, 0x3d, "", "", huge, 0, 3}.Bytes() +
                    Req(Opcode::kNoop, {}, {}, {}, 4))),
            Hex(Unknown(0x1b, 1) + Unknown(0x50, 2) + Unknown(0x3d, 3) + Ok(Opcode::kNoop, 4)));
  EXPECT_FALSE(closed_);
}

TEST_F(BinaryHandlerTest, WrongLengthsAnswerInvalidArgumentsAndClose) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, "k", Be32(1), {}, 9) + Req(Opcode::kNoop, {}, {}, {}, 1))),
            Hex(ErrorResp(Opcode::kGet, Status::kInvalidArguments, "Invalid arguments", 9)));
  EXPECT_TRUE(closed_);
}

TEST_F(BinaryHandlerTest, OverlongKeyAnswersInvalidArgumentsAndCloses) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kGet, std::string(251, 'k'), {}, {}, 9))),
            Hex(ErrorResp(Opcode::kGet, Status::kInvalidArguments, "Invalid arguments", 9)));
  EXPECT_TRUE(closed_);
}

TEST_F(BinaryHandlerTest, LengthsLongerThanTheBodyAnswerUnknownCommandAndClose) {
  Raw raw{kRequestMagic, static_cast<std::uint8_t>(Opcode::kSet), StoreExtras(0, 0), "abc"};
  raw.opaque = 9;
  raw.body_length = 5;
  EXPECT_EQ(Hex(Run(raw.Bytes() + Req(Opcode::kNoop))), Hex(Unknown(0x01, 9)));
  EXPECT_TRUE(closed_);
}

TEST_F(BinaryHandlerTest, BadMagicClosesWithoutAReply) {
  EXPECT_EQ(Hex(Run(Req(Opcode::kNoop, {}, {}, {}, 1) + Raw{kResponseMagic, 0x0a}.Bytes() +
                    Req(Opcode::kNoop, {}, {}, {}, 3))),
            Hex(Ok(Opcode::kNoop, 1)));
  EXPECT_TRUE(closed_);
}

// memcached -C: every CAS reads 0 and a request CAS is ignored.
TEST_F(BinaryHandlerTest, CasDisabledReportsZeroAndIgnoresRequestCas) {
  config_.cas_enabled = false;
  EXPECT_EQ(Hex(Run(Req(Opcode::kSet, "a", StoreExtras(0, 0), "v", 1) +
                    Req(Opcode::kSet, "a", StoreExtras(0, 0), "w", 2, 77) +
                    Req(Opcode::kGet, "a", {}, {}, 3) +
                    Req(Opcode::kIncrement, "n", test::ArithExtras(1, 1, 0), {}, 4) +
                    Req(Opcode::kDelete, "a", {}, {}, 5, 77))),
            Hex(Ok(Opcode::kSet, 1) + Ok(Opcode::kSet, 2) +
                Resp(Opcode::kGet, Status::kSuccess, Be32(0), {}, "w", 3) +
                Resp(Opcode::kIncrement, Status::kSuccess, {}, {}, test::Be64(1), 4) +
                Ok(Opcode::kDelete, 5)));
  EXPECT_EQ(counters_.cas_hits + counters_.cas_badval + counters_.cas_misses, 0u);
}

TEST_F(BinaryHandlerTest, EveryResponseEchoesItsOpaque) {
  Set("a", "1");
  const std::string out =
      Run(Req(Opcode::kGet, "a", {}, {}, 0xdeadbeef) + Req(Opcode::kGet, "b", {}, {}, 0xfffffffe) +
          Req(Opcode::kAppend, "a", {}, "x", 0x01020304) +
          Req(Opcode::kIncrement, "a", test::ArithExtras(1, 0, 0), {}, 7) +
          Req(Opcode::kTouch, "a", Be32(0), {}, 8) + Req(Opcode::kVersion, {}, {}, {}, 9));
  std::vector<Response> responses = Responses(out);
  ASSERT_EQ(responses.size(), 6u);
  const std::uint32_t opaques[] = {0xdeadbeef, 0xfffffffe, 0x01020304, 7, 8, 9};
  for (std::size_t i = 0; i < responses.size(); ++i) EXPECT_EQ(responses[i].opaque, opaques[i]);
}

}  // namespace
}  // namespace mnemo::binary

// Authentication through Session::Process: binary SASL (-S) and ASCII auth (-Y), every reply
// compared with the bytes memcached 1.6.18 sends, at every read size.
#include "mnemo/auth.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "binary/sasl.h"
#include "binary/test_util.h"
#include "engines/map/map_engine.h"
#include "fragments.h"
#include "manual_clock.h"
#include "session_feed.h"
#include "mnemo/session.h"
#include "session/ascii_auth.h"

namespace mnemo {
namespace {

using namespace std::string_literals;
using binary::Opcode;
using binary::Status;
using binary::test::ErrorResp;
using binary::test::Req;
using binary::test::Resp;

class OneUser final : public Authenticator {
 public:
  bool Check(std::string_view user, std::string_view password) const override {
    ++checks;
    return user == "alice" && password == "secret";
  }
  mutable int checks = 0;
};

class AuthSessionTest : public ::testing::Test {
 protected:
  // Feeds `input` in `fragment`-byte reads (0 = whole) through a fresh session.
  std::string Drive(std::string_view input, std::size_t fragment = 0) {
    Session session(engine_, config_, counters_);
    std::string output = testing::FeedSession(session, input, fragment);
    closed_ = session.closing();
    return output;
  }
  // The same reply at every read size; counters are those of the last run.
  std::string DriveAll(std::string_view input) {
    const CommandCounters before = counters_;
    std::string whole;
    for (std::size_t fragment : testing::kFragmentSizes) {
      counters_ = before;
      std::string out = Drive(input, fragment);
      if (fragment == 0) whole = out;
      EXPECT_EQ(out, whole) << "fragment " << fragment;
    }
    return whole;
  }
  void Sasl() {
    config_.protocol = ProtocolMode::kBinary;
    config_.sasl_required = true;
  }
  void Ascii() {
    config_.protocol = ProtocolMode::kAscii;
    config_.ascii_auth_required = true;
  }

  testing::ManualClock clock_;
  OneUser users_;
  SessionConfig config_ = [this] {
    SessionConfig config;
    config.authenticator = &users_;
    return config;
  }();
  MapEngine engine_{clock_, MapEngineConfig{config_.item_size_max}};
  CommandCounters counters_;
  bool closed_ = false;
};

std::string Plain(std::string_view user, std::string_view password) {
  return "\0"s + std::string(user) + "\0"s + std::string(password);
}

const std::string kAuthFailure = "Auth failure.";

TEST_F(AuthSessionTest, SaslListsPlain) {
  Sasl();
  EXPECT_EQ(DriveAll(Req(Opcode::kSaslListMechs, {}, {}, {}, 5)),
            Resp(Opcode::kSaslListMechs, Status::kSuccess, {}, {}, "PLAIN", 5));
  EXPECT_FALSE(closed_);
}

TEST_F(AuthSessionTest, SaslRefusesCommandsBeforeAuthAndCloses) {
  Sasl();
  for (Opcode op : {Opcode::kNoop, Opcode::kQuit, Opcode::kStat}) {
    EXPECT_EQ(DriveAll(Req(op, {}, {}, {}, 7) + Req(Opcode::kVersion)),
              ErrorResp(op, Status::kAuthError, kAuthFailure, 7));
    EXPECT_TRUE(closed_);
  }
  EXPECT_EQ(DriveAll(Req(Opcode::kGet, "k", {}, {}, 7)),
            ErrorResp(Opcode::kGet, Status::kAuthError, kAuthFailure, 7));
  // An unknown opcode is refused for want of auth, not as unknown.
  EXPECT_EQ(DriveAll(Req(static_cast<Opcode>(0x40), {}, {}, {}, 7)),
            ErrorResp(static_cast<Opcode>(0x40), Status::kAuthError, kAuthFailure, 7));
  EXPECT_TRUE(closed_);
  EXPECT_EQ(counters_.auth_cmds, 0u);
}

TEST_F(AuthSessionTest, SaslRefusesBadFramingBeforeAuthAsAuthFailure) {
  Sasl();
  EXPECT_EQ(Drive(Req(Opcode::kGet, std::string(300, 'k'), {}, {}, 7)),
            ErrorResp(Opcode::kGet, Status::kAuthError, kAuthFailure, 7));
  EXPECT_TRUE(closed_);
  EXPECT_EQ(Drive(Req(Opcode::kNoop, {}, {}, "xx", 7)),
            ErrorResp(Opcode::kNoop, Status::kAuthError, kAuthFailure, 7));
  EXPECT_TRUE(closed_);
  EXPECT_EQ(Drive("get foo bar baz quux here\r\n"), "");  // text: closed without a reply
  EXPECT_TRUE(closed_);
}

TEST_F(AuthSessionTest, SaslVersionIsAllowedBeforeAuth) {
  Sasl();
  const std::string out = DriveAll(Req(Opcode::kVersion, {}, {}, {}, 3));
  EXPECT_EQ(out, Resp(Opcode::kVersion, Status::kSuccess, {}, {}, "1.6.18", 3));
  EXPECT_FALSE(closed_);
}

TEST_F(AuthSessionTest, SaslPlainSuccessOpensEveryCommand) {
  Sasl();
  const std::string out =
      DriveAll(Req(Opcode::kSaslAuth, "PLAIN", {}, Plain("alice", "secret"), 1) +
               Req(Opcode::kNoop, {}, {}, {}, 2));
  EXPECT_EQ(out, Resp(Opcode::kSaslAuth, Status::kSuccess, {}, {}, "Authenticated", 1) +
                     Resp(Opcode::kNoop, Status::kSuccess, {}, {}, {}, 2));
  EXPECT_FALSE(closed_);
  EXPECT_EQ(counters_.auth_cmds, 1u);
  EXPECT_EQ(counters_.auth_errors, 0u);
}

TEST_F(AuthSessionTest, SaslWrongPasswordFailsAndKeepsTheConnection) {
  Sasl();
  const std::string out =
      DriveAll(Req(Opcode::kSaslAuth, "PLAIN", {}, Plain("alice", "nope"), 1) +
               Req(Opcode::kSaslAuth, "PLAIN", {}, Plain("alice", "secret"), 2) +
               Req(Opcode::kNoop, {}, {}, {}, 3));
  EXPECT_EQ(out, ErrorResp(Opcode::kSaslAuth, Status::kAuthError, kAuthFailure, 1) +
                     Resp(Opcode::kSaslAuth, Status::kSuccess, {}, {}, "Authenticated", 2) +
                     Resp(Opcode::kNoop, Status::kSuccess, {}, {}, {}, 3));
  EXPECT_EQ(counters_.auth_cmds, 2u);
  EXPECT_EQ(counters_.auth_errors, 1u);
}

TEST_F(AuthSessionTest, SaslUnknownMechanismAndMalformedDataFail) {
  Sasl();
  for (const std::string& request :
       {Req(Opcode::kSaslAuth, "CRAM-MD5", {}, Plain("alice", "secret")),
        Req(Opcode::kSaslAuth, "PLAIN", {}, "alice"),                           // no NUL
        Req(Opcode::kSaslAuth, "PLAIN", {}, "\0alice"s),                        // one NUL
        Req(Opcode::kSaslAuth, "PLAIN", {}, Plain("alice", "secret") + "\0"s),  // three
        Req(Opcode::kSaslAuth, "PLAIN", {}, "bob" + Plain("alice", "secret")),  // authzid
        Req(Opcode::kSaslStep, "PLAIN", {}, Plain("alice", "secret"))}) {       // step first
    const CommandCounters before = counters_;
    EXPECT_EQ(Drive(request + Req(Opcode::kNoop)),
              ErrorResp(Opcode(request[1]), Status::kAuthError, kAuthFailure) +
                  ErrorResp(Opcode::kNoop, Status::kAuthError, kAuthFailure));
    EXPECT_EQ(counters_.auth_errors - before.auth_errors, 1u);
  }
}

TEST_F(AuthSessionTest, SaslAuthWithoutDataContinuesWithAStep) {
  Sasl();
  const std::string out =
      DriveAll(Req(Opcode::kSaslAuth, "PLAIN", {}, {}, 1) +
               Req(Opcode::kSaslStep, "PLAIN", {}, Plain("alice", "secret"), 2));
  EXPECT_EQ(out, Resp(Opcode::kSaslAuth, Status::kAuthContinue, {}, {}, {}, 1) +
                     Resp(Opcode::kSaslStep, Status::kSuccess, {}, {}, "Authenticated", 2));
  EXPECT_EQ(counters_.auth_cmds, 1u);
}

TEST_F(AuthSessionTest, SaslOversizedBodiesAreAnsweredAndSwallowed) {
  Sasl();
  const std::string long_mech(binary::kMaxSaslMechanism + 1, 'P');
  EXPECT_EQ(DriveAll(Req(Opcode::kSaslAuth, long_mech, {}, Plain("a", "b"), 1) +
                     Req(Opcode::kVersion, {}, {}, {}, 2)),
            ErrorResp(Opcode::kSaslAuth, Status::kInvalidArguments, "Invalid arguments", 1) +
                Resp(Opcode::kVersion, Status::kSuccess, {}, {}, "1.6.18", 2));
  // Over memcached's item memory, and over the buffer limit (swallowed unread).
  for (std::size_t size : {binary::kMaxSaslBytes, config_.item_size_max + 4096}) {
    EXPECT_EQ(Drive(Req(Opcode::kSaslAuth, "PLAIN", {}, std::string(size, 'x'), 1) +
                    Req(Opcode::kVersion, {}, {}, {}, 2)),
              ErrorResp(Opcode::kSaslAuth, Status::kOutOfMemory, "Out of memory", 1) +
                  Resp(Opcode::kVersion, Status::kSuccess, {}, {}, "1.6.18", 2));
    EXPECT_FALSE(closed_);
  }
  EXPECT_EQ(users_.checks, 0);
}

TEST_F(AuthSessionTest, SaslTruncatedBodyWaitsAndBadLengthsClose) {
  Sasl();
  const std::string full = Req(Opcode::kSaslAuth, "PLAIN", {}, Plain("alice", "secret"));
  EXPECT_EQ(Drive(full.substr(0, full.size() - 1)), "");
  EXPECT_FALSE(closed_);
  // Extras on a SASL packet, or no mechanism: memcached answers and closes.
  EXPECT_EQ(Drive(Req(Opcode::kSaslAuth, "PLAIN", "abcd", "x", 1)),
            ErrorResp(Opcode::kSaslAuth, Status::kInvalidArguments, "Invalid arguments", 1));
  EXPECT_TRUE(closed_);
  EXPECT_EQ(Drive(Req(Opcode::kSaslAuth, {}, {}, "x", 1)),
            ErrorResp(Opcode::kSaslAuth, Status::kInvalidArguments, "Invalid arguments", 1));
  EXPECT_TRUE(closed_);
}

TEST_F(AuthSessionTest, SaslWithoutAnAuthenticatorFailsEveryAttempt) {
  Sasl();
  config_.authenticator = nullptr;
  EXPECT_EQ(Drive(Req(Opcode::kSaslAuth, "PLAIN", {}, Plain("alice", "secret"))),
            ErrorResp(Opcode::kSaslAuth, Status::kAuthError, kAuthFailure));
}

TEST_F(AuthSessionTest, SaslOpcodesAreUnknownWithoutDashS) {
  config_.protocol = ProtocolMode::kBinary;
  EXPECT_EQ(Drive(Req(Opcode::kSaslListMechs) + Req(Opcode::kNoop)),
            ErrorResp(Opcode::kSaslListMechs, Status::kUnknownCommand, "Unknown command") +
                Resp(Opcode::kNoop, Status::kSuccess));
}

TEST_F(AuthSessionTest, AsciiRefusesEveryCommandBeforeAuth) {
  Ascii();
  const std::string out = DriveAll(
      "get foo\r\nversion\r\nmn\r\nmg foo v\r\nbogus\r\n\r\nadd a 0 0 9\r\n"
      "set a 0 0\r\nset a 0 0 x\r\nstats\r\nquit\r\n");
  std::string expected;
  for (int i = 0; i < 11; ++i) expected += "CLIENT_ERROR unauthenticated\r\n";
  EXPECT_EQ(out, expected);
  EXPECT_FALSE(closed_);  // not even quit closes
  EXPECT_EQ(counters_.auth_cmds, 0u);
}

TEST_F(AuthSessionTest, AsciiSignInThenServes) {
  Ascii();
  const std::string out =
      DriveAll("set anything 5 100 12 noreply\r\nalice secret\r\nget anything\r\nversion\r\n");
  EXPECT_EQ(out, "STORED\r\nEND\r\nVERSION 1.6.18\r\n");
  EXPECT_EQ(counters_.auth_cmds, 1u);
  EXPECT_EQ(counters_.auth_errors, 0u);
  EXPECT_EQ(counters_.cmd_set, 0u);  // nothing was stored
}

TEST_F(AuthSessionTest, AsciiLineEndingInNewlineOnlyAndExtraWordsAreAccepted) {
  Ascii();
  EXPECT_EQ(DriveAll("set a 0 0 14\nalice secret x\r\nmn\r\n"), "STORED\r\nMN\r\n");
}

TEST_F(AuthSessionTest, AsciiWrongPasswordAndBadData) {
  Ascii();
  EXPECT_EQ(DriveAll("set a 0 0 11\r\nalice wrong\r\nget a\r\n"),
            "CLIENT_ERROR authentication failure\r\nCLIENT_ERROR unauthenticated\r\n");
  EXPECT_EQ(counters_.auth_cmds, 1u);
  EXPECT_EQ(counters_.auth_errors, 1u);
  EXPECT_EQ(DriveAll("set a 0 0 11\r\nalicesecret\r\n"),
            "CLIENT_ERROR bad authentication token format\r\n");
  EXPECT_EQ(DriveAll("set a 0 0 12\r\nalice\tsecret\r\n"),
            "CLIENT_ERROR bad authentication token format\r\n");
  // The announced length is wrong: the rest of the data is read as the next line.
  EXPECT_EQ(DriveAll("set a 0 0 3\r\nalice secret\r\n"),
            "CLIENT_ERROR bad command line termination\r\nCLIENT_ERROR unauthenticated\r\n");
  EXPECT_EQ(counters_.auth_cmds, 1u);
}

TEST_F(AuthSessionTest, AsciiReadsBinaryPacketsAsText) {
  Ascii();
  // A noop's opcode is 0x0a, a newline: the bytes up to it are one bad line.
  EXPECT_EQ(Drive(Req(Opcode::kNoop)), "CLIENT_ERROR unauthenticated\r\n");
}

TEST_F(AuthSessionTest, AsciiLongLineOrHugeDataCloses) {
  Ascii();
  EXPECT_EQ(Drive(std::string(kMaxAuthLine, 'g')), "");
  EXPECT_FALSE(closed_);
  EXPECT_EQ(Drive(std::string(kMaxAuthLine + 1, 'g')), "");
  EXPECT_TRUE(closed_);
  EXPECT_EQ(Drive("set a 0 0 18446744073709551615\r\n"), "");
  EXPECT_TRUE(closed_);
  EXPECT_EQ(Drive("set a 0 0 " + std::to_string(kMaxAuthData - 1) + "\r\n"), "");
  EXPECT_TRUE(closed_);
  const std::string fits = "alice secret " + std::string(kMaxAuthData - 2 - 13, 'x');
  EXPECT_EQ(Drive("set a 0 0 " + std::to_string(fits.size()) + "\r\n" + fits + "\r\n"),
            "STORED\r\n");
  EXPECT_FALSE(closed_);
  EXPECT_EQ(Drive("set a 0 0 10\r\nalice"), "");  // waits for the data
  EXPECT_FALSE(closed_);
}

TEST_F(AuthSessionTest, AsciiWithoutAnAuthenticatorFails) {
  Ascii();
  config_.authenticator = nullptr;
  EXPECT_EQ(Drive("set a 0 0 12\r\nalice secret\r\n"), "CLIENT_ERROR authentication failure\r\n");
}

}  // namespace
}  // namespace mnemo

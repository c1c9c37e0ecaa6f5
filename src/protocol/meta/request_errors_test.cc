// Rejected meta requests. Every expected line was sent to memcached 1.6.18 and its reply copied
// here; each input is parsed at every fragment size.
#include <gtest/gtest.h>

#include <string>

#include "meta/parse_test_util.h"
#include "mnemo/protocol/meta.h"

namespace mnemo::meta {
namespace {

using test::ErrorOf;
using test::ParseAll;

constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";
constexpr std::string_view kBadToken = "CLIENT_ERROR bad token in command line format";

std::string Flags(int n) {
  std::string s;
  for (int i = 1; i <= n; ++i) s += " " + std::to_string(i);
  return s;
}

TEST(MetaErrorTest, MissingKeyIsUnknownCommand) {
  EXPECT_EQ(ErrorOf("mg\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("mg \r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("ms\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("md\r\n"), "ERROR");
  EXPECT_EQ(ErrorOf("ma\n"), "ERROR");
}

TEST(MetaErrorTest, DebugWithoutKeyIsBadFormat) { EXPECT_EQ(ErrorOf("me\r\n"), kBadFormat); }

TEST(MetaErrorTest, NonMetaLineIsUnknownCommand) { EXPECT_EQ(ErrorOf("\r\n"), "ERROR"); }

TEST(MetaErrorTest, KeyTooLong) {
  const std::string key(251, 'k');
  EXPECT_EQ(ErrorOf("mg " + key + " v\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("md " + key + " q\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("ma " + key + " q\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("me " + key + "\r\n"), kBadFormat);
}

// The ms line is rejected before its datalen is read, so the data line is a new command.
TEST(MetaErrorTest, SetKeyTooLongDoesNotSwallowTheData) {
  auto all = ParseAll("ms " + std::string(251, 'k') + " 1\r\nx\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].request.error, kBadFormat);
  EXPECT_EQ(all[1].request.error, "ERROR");
}

TEST(MetaErrorTest, InvalidFlag) {
  EXPECT_EQ(ErrorOf("mg a !\r\n"), "CLIENT_ERROR invalid flag");
  EXPECT_EQ(ErrorOf("mg a Y\r\n"), "CLIENT_ERROR invalid flag");
  EXPECT_EQ(ErrorOf("mg a x\r\n"), "CLIENT_ERROR invalid flag");
  EXPECT_EQ(ErrorOf("mg a S5\r\n"), "CLIENT_ERROR invalid flag");
  EXPECT_EQ(ErrorOf("mg a W\r\n"), "CLIENT_ERROR invalid flag");
}

TEST(MetaErrorTest, DuplicateFlag) {
  EXPECT_EQ(ErrorOf("mg a v v\r\n"), "CLIENT_ERROR duplicate flag");
  EXPECT_EQ(ErrorOf("mg a T1 T2\r\n"), "CLIENT_ERROR duplicate flag");
  EXPECT_EQ(ErrorOf("mg a Tabc v v\r\n"), "CLIENT_ERROR duplicate flag");
}

// memcached's table of seen flags stops at 126; any higher byte counts as a repeat.
TEST(MetaErrorTest, HighBytesAreDuplicateFlags) {
  EXPECT_EQ(ErrorOf("mg a \xff\r\n"), "CLIENT_ERROR duplicate flag");
  EXPECT_EQ(ErrorOf("mg a v \x7f\r\n"), "CLIENT_ERROR duplicate flag");
}

TEST(MetaErrorTest, BadNumericTokens) {
  EXPECT_EQ(ErrorOf("mg a Tabc\r\n"), kBadToken);
  EXPECT_EQ(ErrorOf("mg a T\r\n"), kBadToken);
  EXPECT_EQ(ErrorOf("mg a N\r\n"), kBadToken);
  EXPECT_EQ(ErrorOf("mg a R1x\r\n"), kBadToken);
  EXPECT_EQ(ErrorOf("mg a Cabc\r\n"), kBadToken);
  EXPECT_EQ(ErrorOf("mg a C18446744073709551616\r\n"), kBadToken);
  EXPECT_EQ(ErrorOf("mg a C-1\r\n"), kBadToken);
  EXPECT_EQ(ErrorOf("mg a Jabc\r\n"), "CLIENT_ERROR invalid numeric initial value");
  EXPECT_EQ(ErrorOf("mg a Dabc\r\n"), "CLIENT_ERROR invalid numeric delta value");
  EXPECT_EQ(ErrorOf("mg a Mxy\r\n"), "CLIENT_ERROR incorrect length for M token");
  EXPECT_EQ(ErrorOf("mg a M\r\n"), "CLIENT_ERROR incorrect length for M token");
}

// A bad F token sets no message of its own: the default (or an earlier one) is reported.
TEST(MetaErrorTest, BadClientFlagsKeepThePreviousMessage) {
  EXPECT_EQ(ErrorOf("mg a Fabc\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("mg a F-1\r\n"), kBadFormat);
  EXPECT_EQ(ErrorOf("mg a Jabc Fabc\r\n"), "CLIENT_ERROR invalid numeric initial value");
}

TEST(MetaErrorTest, LastBadTokenWins) {
  EXPECT_EQ(ErrorOf("mg a Jabc Tabc\r\n"), kBadToken);
  EXPECT_EQ(ErrorOf("mg a Tabc Jabc\r\n"), "CLIENT_ERROR invalid numeric initial value");
}

TEST(MetaErrorTest, BadBase64Key) {
  EXPECT_EQ(ErrorOf("mg a b\r\n"), "CLIENT_ERROR error decoding key");
  EXPECT_EQ(ErrorOf("mg YQ= b k\r\n"), "CLIENT_ERROR error decoding key");
  EXPECT_EQ(ErrorOf("mg Zm9v==== b\r\n"), "CLIENT_ERROR error decoding key");
  EXPECT_EQ(ErrorOf("mg Zm-_ b\r\n"), "CLIENT_ERROR error decoding key");
}

TEST(MetaErrorTest, OpaqueTooLong) {
  const std::string opaque(32, 'o');
  EXPECT_EQ(ErrorOf("mg a O" + opaque + "\r\n"), "CLIENT_ERROR opaque token too long");
  EXPECT_EQ(ErrorOf("md a O" + opaque + "\r\n"), "CLIENT_ERROR opaque token too long");
  EXPECT_EQ(ErrorOf("ma a O" + opaque + "\r\n"), "CLIENT_ERROR opaque token too long");
}

TEST(MetaErrorTest, TooManyFlags) {
  EXPECT_EQ(ErrorOf("mg a" + Flags(18) + "\r\n"), "CLIENT_ERROR options flags are too long");
  EXPECT_EQ(ErrorOf("mg a v" + Flags(25) + "\r\n"), "CLIENT_ERROR options flags are too long");
  EXPECT_EQ(ErrorOf("md a" + Flags(18) + "\r\n"), "CLIENT_ERROR options flags too long");
  EXPECT_EQ(ErrorOf("ma a" + Flags(18) + "\r\n"), "CLIENT_ERROR options flags too long");
  // Seventeen are counted as flags (and then found invalid).
  EXPECT_EQ(ErrorOf("mg a" + Flags(17) + "\r\n"), "CLIENT_ERROR invalid flag");
}

TEST(MetaErrorTest, SetWithTooManyFlagsDoesNotSwallowTheData) {
  auto all = ParseAll("ms a 1" + Flags(17) + "\r\nx\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].request.error, "CLIENT_ERROR options flags too long");
  EXPECT_EQ(all[1].request.error, "ERROR");
}

// md and ma replace every flag error with one message.
TEST(MetaErrorTest, DeleteAndArithmeticFlagErrors) {
  for (std::string_view verb : {"md", "ma"}) {
    const std::string v(verb);
    EXPECT_EQ(ErrorOf(v + " a x\r\n"), "CLIENT_ERROR invalid or duplicate flag");
    EXPECT_EQ(ErrorOf(v + " a q q\r\n"), "CLIENT_ERROR invalid or duplicate flag");
    EXPECT_EQ(ErrorOf(v + " a Dabc\r\n"), "CLIENT_ERROR invalid or duplicate flag");
    EXPECT_EQ(ErrorOf(v + " Zm9 b\r\n"), "CLIENT_ERROR invalid or duplicate flag");
    EXPECT_EQ(ErrorOf(v + " a \xff\r\n"), "CLIENT_ERROR invalid or duplicate flag");
  }
}

TEST(MetaErrorTest, ArithmeticMode) {
  EXPECT_EQ(ErrorOf("ma a MX\r\n"), "CLIENT_ERROR invalid mode for ma M token");
  EXPECT_EQ(ErrorOf("ma a Mxx\r\n"), "CLIENT_ERROR invalid or duplicate flag");
  // The mode is checked before the opaque.
  EXPECT_EQ(ErrorOf("ma a MX O" + std::string(40, 'o') + "\r\n"),
            "CLIENT_ERROR invalid mode for ma M token");
  // md has no modes.
  EXPECT_EQ(ErrorOf("md a MX O" + std::string(40, 'o') + "\r\n"),
            "CLIENT_ERROR opaque token too long");
}

TEST(MetaErrorTest, DebugBadBase64IsBadFormat) {
  EXPECT_EQ(ErrorOf("me metest b\r\n"), kBadFormat);
}

TEST(MetaErrorTest, SetBadDatalenDoesNotSwallow) {
  for (std::string_view line :
       {"ms a\r\n", "ms a abc\r\n", "ms a -1\r\n", "ms a 2147483646\r\n", "ms a 1x\r\n"}) {
    EXPECT_EQ(ErrorOf(line), kBadFormat) << line;
  }
  auto all = ParseAll("ms a abc\r\nx\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].request.error, "ERROR");
}

// Once datalen is known, memcached swallows the data block of a rejected ms.
TEST(MetaErrorTest, SetFlagErrorsSwallowTheData) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"ms a 1 v v\r\nx\r\n", "CLIENT_ERROR duplicate flag"},
      {"ms a 1 S1\r\nx\r\n", "CLIENT_ERROR invalid flag"},
      {"ms a 1 MX\r\nx\r\n", "CLIENT_ERROR invalid mode for ms M token"},
      {"ms a 1 MSS\r\nx\r\n", "CLIENT_ERROR incorrect length for M token"},
      {"ms a 1 Fabc\r\nx\r\n", kBadFormat},
      {"ms a 1 Cabc\r\nx\r\n", kBadToken},
      {"ms a 1 Tabc MX\r\nx\r\n", kBadToken},
      {"ms a 1 MX Tabc\r\nx\r\n", kBadToken},
      {"ms YQ= 1 b\r\nx\r\n", "CLIENT_ERROR error decoding key"},
      {"ms a 1 O123456789012345678901234567890123\r\nx\r\n", "CLIENT_ERROR opaque token too long"},
      // The mode error is found first.
      {"ms a 1 O123456789012345678901234567890123 MX\r\nx\r\n",
       "CLIENT_ERROR invalid mode for ms M token"},
  };
  for (const auto& [input, error] : cases) {
    auto all = ParseAll(std::string(input) + "mn\r\n");
    ASSERT_EQ(all.size(), 2u) << input;
    EXPECT_EQ(all[0].status, ParseStatus::kError) << input;
    EXPECT_EQ(all[0].consumed, input.size()) << input;
    EXPECT_EQ(all[0].request.error, error) << input;
    EXPECT_FALSE(all[0].request.quiet) << input;
    EXPECT_EQ(all[1].request.command, Command::kMetaNoop) << input;
  }
}

// Too big to buffer: the error travels on an oversize request so the data is still skipped.
TEST(MetaErrorTest, SetFlagErrorWithHugeDataSkipsIt) {
  ParserLimits limits;
  limits.max_value_bytes = 8;
  auto all = ParseAll("ms a 20 v v q\r\n" + std::string(20, 'x') + "\r\nmn\r\n", limits);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status, ParseStatus::kOk);
  EXPECT_TRUE(all[0].request.oversize);
  EXPECT_EQ(all[0].request.skip_bytes, 22u);
  EXPECT_EQ(all[0].request.error, "CLIENT_ERROR duplicate flag");
  EXPECT_FALSE(all[0].request.quiet);
  EXPECT_EQ(all[1].request.command, Command::kMetaNoop);
}

// The bad chunk consumes datalen + 2 bytes; what follows is parsed as a new line.
TEST(MetaErrorTest, SetBadDataChunk) {
  auto all = ParseAll("ms bc 3 q\r\nabcd\r\nmn\r\n");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].status, ParseStatus::kError);
  EXPECT_EQ(all[0].consumed, 16u);
  EXPECT_EQ(all[0].request.error, "CLIENT_ERROR bad data chunk");
  EXPECT_FALSE(all[0].request.quiet);
  EXPECT_EQ(all[1].request.error, "ERROR");  // the lone "\n"
  EXPECT_EQ(all[2].request.command, Command::kMetaNoop);
}

TEST(MetaErrorTest, LineLimitWithoutNewlineIsFatal) {
  auto all = ParseAll("mg " + std::string(3000, 'a'));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, ParseStatus::kFatal);
  EXPECT_TRUE(all[0].request.error.empty());
  auto noop = ParseAll("mn " + std::string(2046, 'a'));
  ASSERT_EQ(noop.size(), 1u);
  EXPECT_EQ(noop[0].status, ParseStatus::kFatal);
}

TEST(MetaErrorTest, LineOfExactlyTheLimitStillWaits) {
  Request r;
  const std::string line = "mg " + std::string(2045, 'a');
  ASSERT_EQ(line.size(), 2048u);
  EXPECT_EQ(ParseRequest(line, ParserLimits{}, r).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseRequest(line + "a", ParserLimits{}, r).status, ParseStatus::kFatal);
}

// A long line whose newline arrives with it is parsed (here: the key is too long).
TEST(MetaErrorTest, LongLineWithNewlineIsParsed) {
  Request r;
  const std::string line = "mg " + std::string(3000, 'a') + "\r\n";
  ParseResult result = ParseRequest(line, ParserLimits{}, r);
  EXPECT_EQ(result.status, ParseStatus::kError);
  EXPECT_EQ(result.consumed, line.size());
  EXPECT_EQ(r.error, kBadFormat);
}

TEST(MetaErrorTest, ErrorsAreNeverQuiet) {
  auto all = ParseAll("mg a q v v\r\n");
  ASSERT_EQ(all.size(), 1u);
  EXPECT_FALSE(all[0].request.quiet);
}

}  // namespace
}  // namespace mnemo::meta

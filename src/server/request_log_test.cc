// LogExchange: the -vv lines for requests and their replies, in memcached 1.6.18's format
// (the expected lines are memcached -vv's for the same bytes). Logger writes to stderr, so each
// test points stderr at a file for the duration.
#include "server/request_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

namespace mnemo::server {
namespace {

class RequestLogTest : public ::testing::Test {
 protected:
  // The lines LogExchange writes for `requests` and `replies` on descriptor 13.
  std::string Log(Protocol protocol, std::string_view requests, std::string_view replies,
                  int level = kLogEvents) {
    std::FILE* capture = std::tmpfile();
    const int saved = ::dup(STDERR_FILENO);
    ::dup2(::fileno(capture), STDERR_FILENO);
    LogExchange(Logger(level), 13, protocol, requests, replies, 1024 * 1024);
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    std::string text;
    std::rewind(capture);
    for (int c; (c = std::fgetc(capture)) != EOF;) text += static_cast<char>(c);
    std::fclose(capture);
    return text;
  }
};

std::string BinaryHeader(std::uint8_t magic, std::uint8_t opcode, std::uint16_t key_length,
                         std::uint8_t extras, std::uint16_t status, std::uint32_t body,
                         std::uint32_t opaque) {
  std::string out = {static_cast<char>(magic),           static_cast<char>(opcode),
                     static_cast<char>(key_length >> 8), static_cast<char>(key_length),
                     static_cast<char>(extras),          '\0',
                     static_cast<char>(status >> 8),     static_cast<char>(status)};
  for (const std::uint32_t word : {body, opaque}) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(word >> shift);
  }
  return out + std::string(8, '\0');
}

TEST_F(RequestLogTest, AsciiRequestsAndTheirReplyLines) {
  EXPECT_EQ(Log(Protocol::kAscii, "set a 0 0 1\r\nx\r\nget a b\r\nget nope\r\nincr a 1\r\n",
                "STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\nEND\r\n"
                "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n"),
            "<13 set a 0 0 1\n>13 STORED\n<13 get a b\n>13 sending key a\n>13 END\n"
            "<13 get nope\n>13 END\n<13 incr a 1\n"
            ">13 CLIENT_ERROR cannot increment or decrement non-numeric value\n");
}

TEST_F(RequestLogTest, NoReplyStatsAndMetaRepliesAreNotShown) {
  EXPECT_EQ(Log(Protocol::kAscii,
                "set n 0 0 1 noreply\r\n1\r\nstats\r\nmg n v\r\nmg nope v q\r\nmn\r\nbogus\r\n",
                "STAT pid 1\r\nEND\r\nVA 1\r\n1\r\nMN\r\nERROR\r\n"),
            "<13 set n 0 0 1 noreply\n<13 stats\n<13 mg n v\n<13 mg nope v q\n<13 mn\n>13 MN\n"
            "<13 bogus\n>13 ERROR\n");
}

TEST_F(RequestLogTest, BinaryHeadersAreDumpedAsMemcachedDoes) {
  const std::string set = BinaryHeader(0x80, 0x01, 1, 8, 0, 10, 5) + std::string(8, '\0') + "av";
  const std::string stored = BinaryHeader(0x81, 0x01, 0, 0, 0, 0, 5);
  const std::string get = BinaryHeader(0x80, 0x00, 1, 0, 0, 1, 6) + "q";
  const std::string miss = BinaryHeader(0x81, 0x00, 0, 0, 1, 9, 6) + "Not found";
  EXPECT_EQ(Log(Protocol::kBinary, set + get, stored + miss),
            "<13 Read binary protocol data:\n"
            "<13    0x80 0x01 0x00 0x01\n<13    0x08 0x00 0x00 0x00\n"
            "<13    0x00 0x00 0x00 0x0a\n<13    0x00 0x00 0x00 0x05\n"
            "<13    0x00 0x00 0x00 0x00\n<13    0x00 0x00 0x00 0x00\n"
            "<13 SET a Value len is 1\n"
            ">13 Writing bin response:\n"
            ">13   0x81 0x01 0x00 0x00\n>13   0x00 0x00 0x00 0x00\n"
            ">13   0x00 0x00 0x00 0x00\n>13   0x00 0x00 0x00 0x05\n"
            ">13   0x00 0x00 0x00 0x00\n>13   0x00 0x00 0x00 0x00\n"
            "<13 Read binary protocol data:\n"
            "<13    0x80 0x00 0x00 0x01\n<13    0x00 0x00 0x00 0x00\n"
            "<13    0x00 0x00 0x00 0x01\n<13    0x00 0x00 0x00 0x06\n"
            "<13    0x00 0x00 0x00 0x00\n<13    0x00 0x00 0x00 0x00\n"
            "<13 GET q\n"
            ">13 Writing an error: Not found\n"
            ">13 Writing bin response:\n"
            ">13   0x81 0x00 0x00 0x00\n>13   0x00 0x00 0x00 0x01\n"
            ">13   0x00 0x00 0x00 0x09\n>13   0x00 0x00 0x00 0x06\n"
            ">13   0x00 0x00 0x00 0x00\n>13   0x00 0x00 0x00 0x00\n");
}

TEST_F(RequestLogTest, AQuietBinaryRequestWithoutResponseTakesNoneOfTheNext) {
  const std::string getq = BinaryHeader(0x80, 0x09, 1, 0, 0, 1, 1) + "q";
  const std::string noop = BinaryHeader(0x80, 0x0a, 0, 0, 0, 0, 2);
  const std::string log =
      Log(Protocol::kBinary, getq + noop, BinaryHeader(0x81, 0x0a, 0, 0, 0, 0, 2));
  const std::size_t get_line = log.find("<13 GET q\n");
  const std::size_t response = log.find(">13 Writing bin response:\n");
  ASSERT_NE(get_line, std::string::npos) << log;
  ASSERT_NE(response, std::string::npos) << log;
  // The noop's response is logged after the noop's request, not after the getq.
  EXPECT_LT(log.rfind("<13 Read binary protocol data:\n"), response) << log;
}

TEST_F(RequestLogTest, NothingBelowDoubleV) {
  EXPECT_EQ(Log(Protocol::kAscii, "get a\r\n", "END\r\n", kLogWarnings), "");
}

TEST_F(RequestLogTest, ShortOrUnfinishedInputEndsTheLog) {
  EXPECT_EQ(Log(Protocol::kBinary, std::string("\x80\x00", 2), ""), "");
  EXPECT_EQ(Log(Protocol::kAscii, "get a", ""), "<13 get a\n");
}

}  // namespace
}  // namespace mnemo::server

// UdpExchange against the reference map engine. The expected datagrams are the ones memcached
// 1.6.18 sent for the same datagrams (recorded from the live daemon; the integration and compat
// tests compare with it live).
#include "server/udp_exchange.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engines/map/map_engine.h"
#include "manual_clock.h"

namespace mnemo::server {
namespace {

struct Datagram {
  std::uint16_t id, sequence, total, reserved;
  std::string payload;
  bool operator==(const Datagram&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Datagram& d) {
  return out << "{" << d.id << "," << d.sequence << "," << d.total << "," << d.reserved << ", "
             << ::testing::PrintToString(d.payload) << "}";
}

std::string Header(std::uint16_t id, std::uint16_t sequence, std::uint16_t total,
                   std::uint16_t reserved = 0) {
  std::string out;
  for (const std::uint16_t field : {id, sequence, total, reserved}) {
    out += static_cast<char>(field >> 8);
    out += static_cast<char>(field & 0xff);
  }
  return out;
}

std::uint16_t Field(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(bytes[at]) << 8 |
                                    static_cast<std::uint8_t>(bytes[at + 1]));
}

std::string Binary(std::uint8_t opcode, std::string_view key, std::string_view extras = "",
                   std::string_view value = "", std::uint32_t opaque = 0) {
  const std::size_t body = extras.size() + key.size() + value.size();
  std::string out = {'\x80',
                     static_cast<char>(opcode),
                     '\0',
                     static_cast<char>(key.size()),
                     static_cast<char>(extras.size()),
                     '\0',
                     '\0',
                     '\0'};
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(body >> shift & 0xff);
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(opaque >> shift & 0xff);
  out.append(8, '\0');
  return out.append(extras).append(key).append(value);
}

class UdpExchangeTest : public ::testing::Test {
 protected:
  std::vector<Datagram> Send(std::string_view payload, std::string header = Header(7, 0, 1)) {
    UdpReply reply;
    exchange_.Answer(header + std::string(payload), reply);
    std::vector<Datagram> out;
    for (std::size_t i = 0; i < reply.count(); ++i) {
      const std::string_view d = reply.datagram(i);
      EXPECT_GE(d.size(), kUdpHeaderBytes);
      EXPECT_LE(d.size(), kUdpMaxDatagram);
      out.push_back({Field(d, 0), Field(d, 2), Field(d, 4), Field(d, 6),
                     std::string(d.substr(kUdpHeaderBytes))});
    }
    return out;
  }

  testing::ManualClock clock_;
  MapEngine engine_{clock_};
  SessionConfig config_;
  CommandCounters counters_;
  UdpExchange exchange_{engine_, config_, counters_, nullptr};
};

using D = std::vector<Datagram>;

TEST_F(UdpExchangeTest, OneRequestOneDatagramWithTheRequestId) {
  EXPECT_EQ(Send("version\r\n", Header(65535, 0, 1)), (D{{65535, 0, 1, 0, "VERSION 1.6.18\r\n"}}));
  EXPECT_EQ(Send("set a 0 0 1\r\nx\r\n"), (D{{7, 0, 1, 0, "STORED\r\n"}}));
  EXPECT_EQ(Send("get a\r\n"), (D{{7, 0, 1, 0, "VALUE a 0 1\r\nx\r\nEND\r\n"}}));
  EXPECT_EQ(Send("get nope\r\n"), (D{{7, 0, 1, 0, "END\r\n"}}));
}

TEST_F(UdpExchangeTest, EveryRequestAndEveryHitHasItsOwnDatagrams) {
  Send("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Send("get a\r\nget a b\r\nversion\r\n"), (D{{7, 0, 1, 0, "VALUE a 0 1\r\nx\r\nEND\r\n"},
                                                        {7, 0, 1, 0, "VALUE a 0 1\r\nx\r\n"},
                                                        {7, 0, 1, 0, "END\r\n"},
                                                        {7, 0, 1, 0, "VERSION 1.6.18\r\n"}}));
  EXPECT_EQ(Send("gets a nope a\r\n"), (D{{7, 0, 1, 0, "VALUE a 0 1 1\r\nx\r\n"},
                                          {7, 0, 1, 0, "VALUE a 0 1 1\r\nx\r\nEND\r\n"}}));
  EXPECT_EQ(Send("gat 0 a nope a b\r\n"), (D{{7, 0, 1, 0, "VALUE a 0 1\r\nx\r\n"},
                                             {7, 0, 1, 0, "VALUE a 0 1\r\nx\r\n"},
                                             {7, 0, 1, 0, "END\r\n"}}));
}

TEST_F(UdpExchangeTest, LargeRepliesAreCutInto1400ByteDatagrams) {
  const std::string value(5000, 'y');
  EXPECT_EQ(Send("set big 0 0 5000\r\n" + value + "\r\n"), (D{{7, 0, 1, 0, "STORED\r\n"}}));
  const std::string whole = "VALUE big 0 5000\r\n" + value + "\r\nEND\r\n";
  D expected;
  for (std::uint16_t i = 0; i < 4; ++i)
    expected.push_back({7, i, 4, 0, whole.substr(i * 1392, 1392)});
  EXPECT_EQ(Send("get big\r\n"), expected);
  EXPECT_EQ(expected.back().payload.size(), 849u);
  // Three hits, each split on its own; END rides with the last.
  const D three = Send("get big big a big\r\n");
  ASSERT_EQ(three.size(), 12u);
  EXPECT_EQ(three[3].payload.size(), 844u);
  EXPECT_EQ(three[7], (Datagram{7, 3, 4, 0, whole.substr(3 * 1392, 844)}));
  EXPECT_EQ(three[11].payload.size(), 849u);
}

TEST_F(UdpExchangeTest, DatagramsMemcachedDropsGetNoReply) {
  EXPECT_EQ(Send("version\r\n", Header(9, 0, 2)), D{});  // a multi-datagram request
  EXPECT_EQ(Send("", Header(9, 0, 1)), D{});             // a header alone
  UdpReply reply;
  exchange_.Answer(std::string("\0\1\0\0\0", 5), reply);  // shorter than a header
  EXPECT_EQ(reply.count(), 0u);
  EXPECT_EQ(Send("v"), D{});      // a line without its end
  EXPECT_EQ(Send("get a"), D{});  // and that part is not kept for the next datagram
  EXPECT_EQ(Send("\r\n"), (D{{7, 0, 1, 0, "ERROR\r\n"}}));
  EXPECT_EQ(Send("set c 0 0 10\r\nabc"), D{});    // a value that is not all there
  EXPECT_EQ(Send("set a 0 0 2000000\r\n"), D{});  // too large, and its value absent
  EXPECT_EQ(Send("version\r\nget a"), (D{{7, 0, 1, 0, "VERSION 1.6.18\r\n"}}));
}

TEST_F(UdpExchangeTest, SequenceAndReservedFieldsAreIgnored) {
  EXPECT_EQ(Send("version\r\n", Header(9, 1, 1)), (D{{9, 0, 1, 0, "VERSION 1.6.18\r\n"}}));
  EXPECT_EQ(Send("version\r\n", Header(9, 0, 1, 5)), (D{{9, 0, 1, 0, "VERSION 1.6.18\r\n"}}));
}

TEST_F(UdpExchangeTest, ErrorsAreAnsweredLikeReplies) {
  EXPECT_EQ(Send("bogus\r\n"), (D{{7, 0, 1, 0, "ERROR\r\n"}}));
  EXPECT_EQ(Send("set a 0 0 1\r\nxyz\r\n"),
            (D{{7, 0, 1, 0, "CLIENT_ERROR bad data chunk\r\n"}, {7, 0, 1, 0, "ERROR\r\n"}}));
}

TEST_F(UdpExchangeTest, SuppressedRepliesSendNothingButBinaryQuietAndQuitSendAHeader) {
  EXPECT_EQ(Send("set d 0 0 1 noreply\r\nz\r\n"), D{});
  EXPECT_EQ(Send("mg miss v q\r\nmn\r\n"), (D{{7, 0, 1, 0, "MN\r\n"}}));
  EXPECT_EQ(Send("ms k 1 q\r\nx\r\nmg nope v q\r\nmg k v\r\n"), (D{{7, 0, 1, 0, "VA 1\r\nx\r\n"}}));
  const D quiet = Send(Binary(0x09, "q", "", "", 1) + Binary(0x0a, "", "", "", 2));
  ASSERT_EQ(quiet.size(), 2u);
  EXPECT_EQ(quiet[0], (Datagram{7, 0, 0, 0, ""}));
  EXPECT_EQ(quiet[1].total, 1);
  EXPECT_EQ(quiet[1].payload.substr(0, 2), "\x81\x0a");
  // One bare header for a run of empty replies, none after a binary hit (as memcached).
  EXPECT_EQ(Send(Binary(0x09, "q") + Binary(0x09, "q") + Binary(0x0a, "")).size(), 2u);
  Send("set k 0 0 1\r\nv\r\n");
  const D after_hit = Send(Binary(0x00, "k") + Binary(0x09, "q") + Binary(0x0a, ""));
  ASSERT_EQ(after_hit.size(), 2u);
  EXPECT_EQ(after_hit[1].payload.substr(0, 2), "\x81\x0a");
  // quit keeps nothing open, but the rest of its datagram is dropped.
  EXPECT_EQ(Send("quit\r\nversion\r\n"), (D{{7, 0, 0, 0, ""}}));
  EXPECT_EQ(Send("version\r\n"), (D{{7, 0, 1, 0, "VERSION 1.6.18\r\n"}}));
}

TEST_F(UdpExchangeTest, ProtocolIsChosenPerDatagramWhateverTheConfigSays) {
  config_.protocol = ProtocolMode::kAscii;
  UdpExchange ascii_only(engine_, config_, counters_, nullptr);
  Send("set a 0 0 1\r\nx\r\n");
  UdpReply reply;
  ascii_only.Answer(Header(7, 0, 1) + Binary(0x00, "a", "", "", 0xdead), reply);
  ASSERT_EQ(reply.count(), 1u);
  const std::string expected_body = std::string("\x81\x00\x00\x00\x04\x00\x00\x00", 8) +
                                    std::string("\x00\x00\x00\x05\x00\x00\xde\xad", 8);
  EXPECT_EQ(reply.datagram(0).substr(kUdpHeaderBytes, 16), expected_body);
  EXPECT_EQ(reply.datagram(0).substr(kUdpHeaderBytes + 24), std::string("\0\0\0\0x", 5));
  // After a text request the datagram stays text: a binary noop's 0x0a ends a bad line.
  EXPECT_EQ(Send("version\r\n" + Binary(0x0a, "")),
            (D{{7, 0, 1, 0, "VERSION 1.6.18\r\n"}, {7, 0, 1, 0, "ERROR\r\n"}}));
}

TEST_F(UdpExchangeTest, CountsWholeDatagramsAndHeaders) {
  Send("version\r\n");                   // 17 in, 24 out
  Send("version\r\n", Header(1, 0, 2));  // 17 in, dropped
  Send("get a\r\nget");                  // 18 in, 13 out
  EXPECT_EQ(counters_.bytes_read.load(), 17u + 17u + 18u);
  EXPECT_EQ(counters_.bytes_written.load(), 24u + 13u);
  EXPECT_EQ(counters_.cmd_get.load(), 1u);
  EXPECT_EQ(counters_.get_misses.load(), 1u);
}

TEST(SplitRetrievalReply, EndJoinsTheLastHitOnlyWhenTheLastKeyHit) {
  const std::string a = "VALUE a 0 1\r\nx\r\n";
  EXPECT_EQ(SplitRetrievalReply(a + "END\r\n", "a"), (std::vector<std::size_t>{21}));
  EXPECT_EQ(SplitRetrievalReply(a + "END\r\n", "a b"), (std::vector<std::size_t>{16, 21}));
  EXPECT_EQ(SplitRetrievalReply(a + "END\r\n", "b a "), (std::vector<std::size_t>{21}));
  EXPECT_EQ(SplitRetrievalReply("END\r\n", "a"), (std::vector<std::size_t>{5}));
  // A block cut short is not split: it goes out as it is.
  EXPECT_EQ(SplitRetrievalReply("VALUE a 0 9\r\nx\r\n", "a"), (std::vector<std::size_t>{16}));
}

}  // namespace
}  // namespace mnemo::server

// Authentication replies byte for byte against Debian's memcached 1.6.18: the same requests,
// one at a time on one connection, to `memcached -Y FILE` and `mnemod -Y FILE`, and to
// `memcached -S` (Cyrus SASL with a sasldb that holds no user, so every reply that does not
// need a successful sign-in) and `mnemod -S`. One request per round trip, because 1.6.18 keeps
// only the last reply of a read while unauthenticated (a bug mnemod does not copy).
#include <gtest/gtest.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "mnemod_harness.h"
#include "tcp_client.h"

namespace mnemo::integration {
namespace {

using namespace std::string_literals;
using testing::TcpClient;

std::string User() {
  const passwd* me = ::getpwuid(::geteuid());
  return me != nullptr ? me->pw_name : "root";
}

Result<testing::RunningServer> StartMemcached(std::vector<std::string> args) {
  return testing::StartServer([&](std::uint16_t port) {
    std::vector<std::string> argv = {
        "memcached", "-u", User(), "-U", "0", "-l", "127.0.0.1", "-p", std::to_string(port)};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  });
}

// A whole binary packet, a text line, or the connection's end.
bool PacketDone(std::string_view got) {
  if (got.size() < 24) return false;
  std::size_t body = 0;
  for (int i = 8; i < 12; ++i) body = body << 8 | static_cast<unsigned char>(got[i]);
  return got.size() >= 24 + body;
}
bool LineDone(std::string_view got) { return got.ends_with("\r\n"); }

// Sends each request in turn and records each reply ("<closed>" appended when the server hung
// up), on one connection; for binary, a last entry says whether the server then hung up.
std::vector<std::string> Replies(std::uint16_t port, const std::vector<std::string>& requests,
                                 bool binary) {
  std::vector<std::string> replies;
  Result<TcpClient> client = TcpClient::Connect(port);
  if (!client) return {"<no connection>"};
  for (const std::string& request : requests) {
    std::string reply;
    if (!client->Send(request)) {
      replies.push_back("<send failed>");
      break;
    }
    const testing::ReadEnd end =
        client->ReadUntil(&reply, binary ? PacketDone : LineDone, std::chrono::milliseconds(3000));
    if (end == testing::ReadEnd::kClosed) reply += "<closed>";
    replies.push_back(reply);
  }
  if (binary) {  // the last binary request is refused: the server must hang up after it
    std::string rest;
    const bool closed =
        client->ReadUntilEof(&rest, std::chrono::milliseconds(3000)) == testing::ReadEnd::kClosed;
    replies.push_back(rest + (closed ? "<closed>" : "<open>"));
  }
  return replies;
}

std::string Be(std::uint64_t value, int bytes) {
  std::string out(bytes, '\0');
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
  return out;
}
std::string Request(std::uint8_t opcode, std::string_view key = {}, std::string_view value = {},
                    std::uint32_t opaque = 0) {
  return "\x80"s + static_cast<char>(opcode) + Be(key.size(), 2) + "\0\0\0\0"s +
         Be(key.size() + value.size(), 4) + Be(opaque, 4) + Be(0, 8) + std::string(key) +
         std::string(value);
}

TEST(AuthCompat, AsciiAuthRepliesMatchMemcached) {
  ScratchDir dir;
  std::ofstream(dir.Path("auth")) << "alice:secret\nbob:a:b\n";
  Result<testing::RunningServer> memcached = StartMemcached({"-Y", dir.Path("auth")});
  ASSERT_TRUE(memcached.ok()) << memcached.error().message;
  Result<Mnemod> mnemod = StartMnemod(dir, {"-Y", dir.Path("auth")});
  ASSERT_TRUE(mnemod.ok()) << mnemod.error().message;
  const std::vector<std::string> requests = {"get foo\r\n",
                                             "version\r\n",
                                             "mn\r\n",
                                             "mg foo v\r\n",
                                             "ms foo 2\r\n",
                                             "bogus\r\n",
                                             "\r\n",
                                             "set a 0 0\r\n",
                                             "set a 0 0 x\r\n",
                                             "add a 0 0 5\r\n",
                                             "stats\r\n",
                                             "quit\r\n",
                                             "\x80\n",
                                             "set a 0 0 11 noreply\r\nalice wrong\r\n",
                                             "set a 0 0 11\r\nalicewrong!\r\n",
                                             "set a 0 0 5\r\n alic\r\n",
                                             "set a 0 0 9\r\nalice secXY",
                                             "set a 0 0 7\r\nbob a:b\r\n",
                                             "get a\r\n",
                                             "mn\r\n"};
  const std::vector<std::string> ours = Replies(mnemod->port, requests, false);
  ASSERT_EQ(ours.size(), requests.size());
  EXPECT_EQ(ours.front(), "CLIENT_ERROR unauthenticated\r\n");
  EXPECT_EQ(ours[ours.size() - 3], "STORED\r\n");  // bob, whose password holds a colon
  EXPECT_EQ(ours.back(), "MN\r\n");
  EXPECT_EQ(ours, Replies(memcached->port, requests, false));
  // A fresh connection: the counters after two failures and a success.
  const std::vector<std::string> counted = {"set a 0 0 11\r\nalice wrong\r\n",
                                            "set a 0 0 10\r\nalice nope\r\n",
                                            "set a 0 0 12\r\nalice secret\r\n"};
  for (std::uint16_t port : {mnemod->port, memcached->port}) Replies(port, counted, false);
  auto auth_stats = [](std::uint16_t port) {
    Result<TcpClient> client = TcpClient::Connect(port);
    std::string reply;
    if (!client || !client->Send("set a 0 0 12\r\nalice secret\r\nstats\r\n")) return reply;
    client->ReadUntil(
        &reply, [](std::string_view got) { return got.ends_with("END\r\n"); },
        std::chrono::milliseconds(3000));
    const std::map<std::string, std::string> stats = ParseStats(reply.substr(reply.find("STAT")));
    return stats.at("auth_cmds") + "/" + stats.at("auth_errors");
  };
  EXPECT_EQ(auth_stats(mnemod->port), auth_stats(memcached->port));
}

TEST(AuthCompat, SaslRepliesWithoutSuccessMatchMemcached) {
  ScratchDir dir;
  // Cyrus SASL reads memcached.conf from SASL_CONF_PATH; its sasldb does not exist, so every
  // password is wrong for memcached. mnemod's file has no "alice" for the same answers.
  std::ofstream(dir.Path("memcached.conf"))
      << "mech_list: plain\npwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: "
      << dir.Path("sasldb2") << "\n";
  std::ofstream(dir.Path("pwdb")) << "bob:other\n";
  setenv("SASL_CONF_PATH", dir.Path("").c_str(), 1);
  Result<testing::RunningServer> memcached = StartMemcached({"-S"});
  unsetenv("SASL_CONF_PATH");
  ASSERT_TRUE(memcached.ok()) << memcached.error().message;
  Result<Mnemod> mnemod = StartMnemod(dir, {"-S", "-o", "sasl_pwdb=" + dir.Path("pwdb")});
  ASSERT_TRUE(mnemod.ok()) << mnemod.error().message;
  const std::string plain = "\0alice\0secret"s;
  const std::vector<std::string> requests = {
      Request(0x20, {}, {}, 1),                                  // list mechs
      Request(0x0b, {}, {}, 2),                                  // version
      Request(0x21, "PLAIN", plain, 3),                          // wrong password
      Request(0x21, "FOO", plain, 4),                            // unknown mechanism
      Request(0x21, std::string(33, 'P'), plain, 5),             // mechanism too long
      Request(0x21, "PLAIN", std::string(600 * 1024, '\0'), 6),  // too large
      Request(0x21, "PLAIN", "alice", 7),                        // no NULs
      Request(0x22, "PLAIN", plain, 8),                          // step before auth
      Request(0x21, "PLAIN", {}, 9),                             // continue
      Request(0x22, "PLAIN", plain, 10),                         // step: wrong password
      Request(0x00, "k", {}, 11)};                               // refused, then closed
  const std::vector<std::string> ours = Replies(mnemod->port, requests, true);
  ASSERT_EQ(ours.size(), requests.size() + 1);
  EXPECT_TRUE(ours.front().ends_with("PLAIN"));
  EXPECT_TRUE(ours[requests.size() - 1].ends_with("Auth failure."));
  EXPECT_EQ(ours.back(), "<closed>");
  EXPECT_EQ(ours, Replies(memcached->port, requests, true));
  // Packets that close the connection, each on its own: a key over 250 bytes and a noop with a
  // body before auth (auth error), a SASL auth with no mechanism (its framing error).
  const std::string no_mechanism = "\x80\x21\0\0\0\0\0\0\0\0\0\x01\0\0\0\0\0\0\0\0\0\0\0\0x"s;
  for (const std::string& request :
       {Request(0x00, std::string(300, 'k'), {}, 1), Request(0x0a, {}, "xx", 2), no_mechanism}) {
    const std::vector<std::string> one = Replies(mnemod->port, {request}, true);
    EXPECT_EQ(one.back(), "<closed>");
    EXPECT_EQ(one, Replies(memcached->port, {request}, true));
  }
}

}  // namespace
}  // namespace mnemo::integration

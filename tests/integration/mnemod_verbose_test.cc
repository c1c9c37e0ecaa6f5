// mnemod -vv: requests and replies on stderr in memcached 1.6.18's format (its lines for the
// same requests, recorded from memcached -vv). The UDP variant is in mnemod_udp_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "mnemod_harness.h"

namespace mnemo::integration {
namespace {

TEST(MnemodVerbose, DoubleVShowsCommandsAndReplies) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-vv"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> tcp = server->Connect();
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->Ask("set a 0 0 1\r\nx\r\n"), "STORED\r\n");
  EXPECT_EQ(tcp->Ask("get a b\r\n", "END\r\n"), "VALUE a 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(tcp->Ask("delete a\r\ndelete a\r\n", "NOT_FOUND\r\n"), "DELETED\r\nNOT_FOUND\r\n");
  EXPECT_EQ(tcp->Ask("mg a v\r\nmn\r\n", "MN\r\n"), "EN\r\nMN\r\n");
  EXPECT_EQ(tcp->Ask("bogus\r\n"), "ERROR\r\n");
  EXPECT_EQ(tcp->Ask("stats settings\r\nversion\r\n", "1.6.18\r\n").substr(0, 5), "STAT ");
  const std::string fd = [&] {
    const std::string log = server->Log();
    const std::size_t at = log.find(" new auto-negotiating client connection");
    return at == std::string::npos
               ? std::string("?")
               : log.substr(log.rfind('<', at) + 1, at - log.rfind('<', at) - 1);
  }();
  const std::string expected =
      fd + ": Client using the ascii protocol\n" + "<" + fd + " set a 0 0 1\n>" + fd + " STORED\n" +
      "<" + fd + " get a b\n>" + fd + " sending key a\n>" + fd + " END\n" + "<" + fd +
      " delete a\n>" + fd + " DELETED\n" + "<" + fd + " delete a\n>" + fd + " NOT_FOUND\n" + "<" +
      fd + " mg a v\n<" + fd + " mn\n>" + fd + " MN\n" + "<" + fd + " bogus\n>" + fd + " ERROR\n" +
      "<" + fd + " stats settings\n<" + fd + " version\n>" + fd + " VERSION 1.6.18\n";
  EXPECT_NE(server->Log().find(expected), std::string::npos) << server->Log();
}

TEST(MnemodVerbose, DoubleVDumpsBinaryHeadersAsMemcached) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-vv"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> tcp = server->Connect();
  ASSERT_TRUE(tcp.ok());
  // A binary get of "q" with opaque 6.
  const std::string get = std::string("\x80\x00\x00\x01", 4) + std::string(7, '\0') + "\x01" +
                          std::string(3, '\0') + "\x06" + std::string(8, '\0') + "q";
  EXPECT_EQ(tcp->Ask(get, "Not found").size(), 33u);
  const std::string log = server->Log();
  // The fd is whatever the server got; the lines after "<FD " are memcached's.
  for (const char* line :
       {" Read binary protocol data:\n", "    0x80 0x00 0x00 0x01\n", "    0x00 0x00 0x00 0x06\n",
        " GET q\n", " Writing an error: Not found\n", " Writing bin response:\n",
        "   0x81 0x00 0x00 0x00\n", "   0x00 0x00 0x00 0x01\n", "   0x00 0x00 0x00 0x09\n"}) {
    EXPECT_NE(log.find(line), std::string::npos) << line << "\n" << log;
  }
}

// Pipelined requests arrive in one read: each reply is still logged after its own request, and
// a noreply request logs no reply.
TEST(MnemodVerbose, PipelinedRepliesFollowTheirRequests) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-vv"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> tcp = server->Connect();
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->Ask("set x 0 0 1 noreply\r\n1\r\nincr x 5\r\nmg x v q\r\nget x\r\n", "END\r\n"),
            "6\r\nVA 1\r\n6\r\nVALUE x 0 1\r\n6\r\nEND\r\n");
  const std::string log = server->Log();
  const std::size_t at = log.find(" set x 0 0 1 noreply\n");
  ASSERT_NE(at, std::string::npos) << log;
  const std::string fd = log.substr(log.rfind('<', at) + 1, at - log.rfind('<', at) - 1);
  const std::string expected = "<" + fd + " set x 0 0 1 noreply\n<" + fd + " incr x 5\n>" + fd +
                               " 6\n<" + fd + " mg x v q\n<" + fd + " get x\n>" + fd +
                               " sending key x\n>" + fd + " END\n";
  EXPECT_NE(log.find(expected), std::string::npos) << log;
}

TEST(MnemodVerbose, SingleVLogsNoRequests) {
  ScratchDir dir;
  Result<Mnemod> server = StartMnemod(dir, {"-v"});
  ASSERT_TRUE(server.ok()) << server.error().message;
  Result<Client> tcp = server->Connect();
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->Ask("get quiet-key\r\n"), "END\r\n");
  EXPECT_EQ(tcp->Ask("verbosity 2\r\n"), "OK\r\n");  // and the level changes at run time
  EXPECT_EQ(tcp->Ask("get loud-key\r\n"), "END\r\n");
  const std::string log = server->Log();
  EXPECT_EQ(log.find("quiet-key"), std::string::npos) << log;
  EXPECT_NE(log.find(" get loud-key\n"), std::string::npos) << log;
}

}  // namespace
}  // namespace mnemo::integration

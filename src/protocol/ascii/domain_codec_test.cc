// Domain replies: encoded by the server side, read back by the client side, and the request
// encoders read back by the request parser.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/domains.h"

namespace mnemo::domains {
namespace {

std::vector<Reply> ReadAll(std::string_view in) {
  std::vector<Reply> replies;
  while (!in.empty()) {
    Reply reply;
    ParseResult r = ParseReply(in, reply);
    if (r.status != ParseStatus::kOk) break;
    replies.push_back(reply);
    in.remove_prefix(r.consumed);
  }
  return replies;
}

TEST(DomainCodecTest, ServersReplyRoundTrips) {
  std::string out;
  EncodeServersReply("app", List{9, {{"a:1", 1}, {"b:2", 3}}}, out);
  EXPECT_EQ(out, "SERVERS app 9\r\nSERVER a:1\r\nSERVER b:2:3\r\nEND\r\n");
  auto replies = ReadAll(out);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[0].kind, ReplyKind::kServers);
  EXPECT_EQ(replies[0].name, "app");
  EXPECT_EQ(replies[0].version, 9u);
  EXPECT_EQ(replies[2].kind, ReplyKind::kServer);
  EXPECT_EQ(replies[2].server, (Server{"b:2", 3}));
  EXPECT_EQ(replies[3].kind, ReplyKind::kEnd);
}

TEST(DomainCodecTest, UpdateClientsAndNotices) {
  std::string out;
  EncodeUpdateReply("app", {UpdateStatus::kUpdated, 4}, out);
  EncodeUpdateReply("app", {UpdateStatus::kExists, 5}, out);
  EncodeNotice("app", 6, out);
  const ClientInfo clients[] = {{"127.0.0.1:5", Protocol::kMeta, 3},
                                {"/tmp/s", Protocol::kBinary, 0}};
  EncodeClientsReply(clients, out);
  EXPECT_EQ(out,
            "UPDATED app 4\r\nEXISTS app 5\r\nSERVER_UPDATE app 6\r\n"
            "CLIENT 127.0.0.1:5 ascii 3\r\nCLIENT /tmp/s binary 0\r\nEND\r\n");
  auto replies = ReadAll(out);
  ASSERT_EQ(replies.size(), 6u);
  EXPECT_EQ(replies[0].kind, ReplyKind::kUpdated);
  EXPECT_EQ(replies[1].kind, ReplyKind::kExists);
  EXPECT_EQ(replies[1].version, 5u);
  EXPECT_EQ(replies[2].kind, ReplyKind::kNotice);
  EXPECT_EQ(replies[3].kind, ReplyKind::kClient);
  EXPECT_EQ(replies[3].client.peer, "127.0.0.1:5");
  EXPECT_EQ(replies[4].client.protocol, Protocol::kBinary);
}

TEST(DomainCodecTest, UnsavedUpdateIsAServerError) {
  std::string out;
  EncodeUpdateReply("app", {UpdateStatus::kFailed, 3}, out);
  EXPECT_EQ(out, "SERVER_ERROR domain state not saved\r\n");
  Reply reply;
  ASSERT_EQ(ParseReply(out, reply).status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kError);
}

TEST(DomainCodecTest, ErrorsAndBrokenLines) {
  Reply reply;
  EXPECT_EQ(ParseReply("ERROR\r\n", reply).status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kError);
  EXPECT_EQ(ParseReply("CLIENT_ERROR bad\r\n", reply).status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kError);
  EXPECT_EQ(ParseReply("VERSION 1\r\n", reply).status, ParseStatus::kOk);
  EXPECT_EQ(reply.kind, ReplyKind::kOther);
  EXPECT_EQ(ParseReply("SERVERS app\r\n", reply).status, ParseStatus::kFatal);
  EXPECT_EQ(ParseReply("SERVER nope\r\n", reply).status, ParseStatus::kFatal);
  EXPECT_EQ(ParseReply("CLIENT a:1 udp 3\r\n", reply).status, ParseStatus::kFatal);
  EXPECT_EQ(ParseReply("SERVERS app 1", reply).status, ParseStatus::kIncomplete);
  EXPECT_EQ(ParseReply(std::string(9000, 'x'), reply).status, ParseStatus::kFatal);
}

TEST(DomainCodecTest, RequestsParseBack) {
  std::string out;
  EncodeServersRequest("app", true, out);
  const Change changes[] = {{Change::Kind::kClear, {}},
                            {Change::Kind::kAdd, {"a:1", 2}},
                            {Change::Kind::kDelete, {"b:2", 1}}};
  EncodeUpdateRequest("app", 12, changes, out);
  EncodeClientsRequest(out);
  std::string_view in = out;
  Request r;
  ParseResult result = ascii::ParseRequest(in, {}, r);
  ASSERT_EQ(result.status, ParseStatus::kOk);
  EXPECT_TRUE(r.domain.notify);
  in.remove_prefix(result.consumed);
  r = Request{};
  result = ascii::ParseRequest(in, {}, r);
  ASSERT_EQ(result.status, ParseStatus::kOk);
  EXPECT_EQ(r.domain.version, 12u);
  auto parsed = ParseChanges(r.domain.lines, r.domain.count);
  ASSERT_TRUE(parsed);
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[1].server, (Server{"a:1", 2}));
  in.remove_prefix(result.consumed);
  r = Request{};
  EXPECT_EQ(ascii::ParseRequest(in, {}, r).status, ParseStatus::kOk);
  EXPECT_EQ(r.command, Command::kClients);
}

}  // namespace
}  // namespace mnemo::domains

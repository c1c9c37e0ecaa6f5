// The domain verbs' request grammar, every case at every fragment size, and the values and
// change lines they carry (docs/domains.md).
#include <gtest/gtest.h>

#include <string>

#include "ascii/test_util.h"
#include "mnemo/protocol/ascii.h"
#include "mnemo/protocol/domains.h"

namespace mnemo::ascii {
namespace {

std::string DescribeDomain(const testing::Parsed& p) {
  const Request::Domain& d = p.request.domain;
  return test::Describe(p) + " name=" + std::string(d.name) + " v=" + std::to_string(d.version) +
         " n=" + std::to_string(d.count) + " lines=" + std::string(d.lines) +
         " notify=" + std::to_string(d.notify);
}

std::vector<testing::Parsed> ParseDomain(std::string_view input) {
  const ParserLimits limits;
  return testing::ParseAtEveryFragmentSize(
      input, [&](std::string_view in, Request& out) { return ParseRequest(in, limits, out); },
      DescribeDomain);
}

testing::Parsed One(std::string_view input) {
  auto all = ParseDomain(input);
  EXPECT_EQ(all.size(), 1u) << input;
  return all.empty() ? testing::Parsed{ParseStatus::kIncomplete, 0, Request{}, nullptr}
                     : all.front();
}

TEST(DomainParseTest, Servers) {
  auto p = One("servers myapp\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kServers);
  EXPECT_EQ(p.request.domain.name, "myapp");
  EXPECT_FALSE(p.request.domain.notify);
  EXPECT_EQ(p.consumed, 15u);
}

TEST(DomainParseTest, ServersNotify) {
  auto p = One("servers  myapp notify\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_TRUE(p.request.domain.notify);
}

TEST(DomainParseTest, ServersErrors) {
  EXPECT_EQ(One("servers\r\n").request.error, "ERROR");
  EXPECT_EQ(One("servers a notify x\r\n").request.error, "ERROR");
  EXPECT_EQ(One("servers a later\r\n").request.error, "CLIENT_ERROR bad command line format");
  EXPECT_EQ(One("servers " + std::string(251, 'n') + "\r\n").request.error,
            "CLIENT_ERROR bad command line format");
}

TEST(DomainParseTest, Clients) {
  auto p = One("clients\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.command, Command::kClients);
  EXPECT_EQ(One("clients all\r\n").request.error, "ERROR");
}

TEST(DomainParseTest, UpdateTakesItsLines) {
  const std::string in = "domain_update myapp 7 3\r\nadd a:1\r\ndelete b:2\r\nclear\r\nget k\r\n";
  auto all = ParseDomain(in);
  ASSERT_EQ(all.size(), 2u);
  const Request& r = all[0].request;
  ASSERT_EQ(all[0].status, ParseStatus::kOk);
  EXPECT_EQ(r.command, Command::kDomainUpdate);
  EXPECT_EQ(r.domain.name, "myapp");
  EXPECT_EQ(r.domain.version, 7u);
  EXPECT_EQ(r.domain.count, 3u);
  EXPECT_EQ(r.domain.lines, "add a:1\r\ndelete b:2\r\nclear\r\n");
  EXPECT_EQ(all[1].request.command, Command::kGet);
}

TEST(DomainParseTest, UpdateWithNoLines) {
  auto p = One("domain_update d 1 0\r\n");
  ASSERT_EQ(p.status, ParseStatus::kOk);
  EXPECT_EQ(p.request.domain.lines, "");
}

TEST(DomainParseTest, UpdateWaitsForEveryLine) {
  Request r;
  EXPECT_EQ(ParseRequest("domain_update d 2 2\r\nadd a:1\r\nadd", {}, r).status,
            ParseStatus::kIncomplete);
}

TEST(DomainParseTest, UpdateErrorsSwallowTheLinesOnceTheCountIsKnown) {
  auto all = ParseDomain("domain_update d 0 1\r\nadd a:1\r\nversion\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].request.error, "CLIENT_ERROR bad command line format");
  EXPECT_EQ(all[1].request.command, Command::kVersion);
  all = ParseDomain("domain_update d x 1\r\nadd a:1\r\nversion\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].request.error, "CLIENT_ERROR bad command line format");
}

TEST(DomainParseTest, UpdateWithoutCountConsumesTheLineOnly) {
  auto all = ParseDomain("domain_update d 1 x\r\nversion\r\n");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].request.error, "CLIENT_ERROR bad command line format");
  EXPECT_EQ(all[0].consumed, 21u);
  EXPECT_EQ(One("domain_update d 1\r\n").request.error, "ERROR");
}

TEST(DomainParseTest, TooManyLinesCloses) {
  auto p = One("domain_update d 1 1025\r\n");
  EXPECT_EQ(p.status, ParseStatus::kFatal);
  EXPECT_EQ(p.request.error, "CLIENT_ERROR too many domain update lines");
}

TEST(DomainParseTest, OverlongChangeLineCloses) {
  Request r;
  const std::string in = "domain_update d 1 1\r\nadd " + std::string(3000, 'a');
  EXPECT_EQ(ParseRequest(in, {}, r).status, ParseStatus::kFatal);
}

TEST(DomainValuesTest, ParseServer) {
  auto s = domains::ParseServer("10.0.0.1:11211");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, "10.0.0.1:11211");
  EXPECT_EQ(s->weight, 1u);
  EXPECT_EQ(s->Text(), "10.0.0.1:11211");
  s = domains::ParseServer("[::1]:80:3");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->address, "[::1]:80");
  EXPECT_EQ(s->Text(), "[::1]:80:3");
  for (std::string_view bad : {"", "host", ":1", "h:", "h:0", "h:65536", "h:1:0", "h:1:x",
                               "h:1:2:3", "[::1:1", "h:-1", "h:+1"}) {
    EXPECT_FALSE(domains::ParseServer(bad)) << bad;
  }
  EXPECT_FALSE(domains::ParseServer("h:1:2", false));
}

TEST(DomainValuesTest, ParseAndApplyChanges) {
  auto changes = domains::ParseChanges("add a:1\r\nadd b:2:5\nadd a:1:2\r\ndelete c:3\r\n", 4);
  ASSERT_TRUE(changes);
  std::vector<domains::Server> servers{{"c:3", 1}};
  domains::Apply(*changes, servers);
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].Text(), "a:1:2");
  EXPECT_EQ(servers[1].Text(), "b:2:5");
  changes = domains::ParseChanges("clear\r\nadd z:9\r\n", 2);
  ASSERT_TRUE(changes);
  domains::Apply(*changes, servers);
  ASSERT_EQ(servers.size(), 1u);
  EXPECT_EQ(servers[0].Text(), "z:9");
  for (std::string_view bad : {"add a\r\n", "delete a:1:2\r\n", "clear x\r\n", "drop a:1\r\n",
                               "add a:1 b:2\r\n", "\r\n"}) {
    EXPECT_FALSE(domains::ParseChanges(bad, 1)) << bad;
  }
}

}  // namespace
}  // namespace mnemo::ascii

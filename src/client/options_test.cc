// Server strings in every form libmemcached and twemproxy accept, and the name tables.
#include "mnemo/client/options.h"

#include <gtest/gtest.h>

namespace mnemo::client {
namespace {

TEST(ParseServerTest, Forms) {
  auto s = ParseServer("cache1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->host, "cache1");
  EXPECT_EQ(s->port, 11211);
  EXPECT_EQ(s->weight, 1u);

  s = ParseServer(" 10.0.0.1:11212:3 ");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->host, "10.0.0.1");
  EXPECT_EQ(s->port, 11212);
  EXPECT_EQ(s->weight, 3u);
  EXPECT_EQ(s->Label(), "10.0.0.1:11212");

  s = ParseServer("127.0.0.1:24001:1 server1");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "server1");
  EXPECT_EQ(s->port, 24001);

  s = ParseServer("[::1]:5000:2");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->host, "::1");
  EXPECT_EQ(s->port, 5000);
  EXPECT_EQ(s->weight, 2u);

  s = ParseServer("/run/memcached.sock:4");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->is_unix);
  EXPECT_EQ(s->host, "/run/memcached.sock");
  EXPECT_EQ(s->weight, 4u);
  EXPECT_EQ(s->Label(), "/run/memcached.sock");
}

TEST(ParseServerTest, Errors) {
  EXPECT_FALSE(ParseServer("").ok());
  EXPECT_FALSE(ParseServer("h:0").ok());
  EXPECT_FALSE(ParseServer("h:70000").ok());
  EXPECT_FALSE(ParseServer("h:1:0").ok());
  EXPECT_FALSE(ParseServer("h:x").ok());
  EXPECT_FALSE(ParseServer("::1").ok());
  EXPECT_FALSE(ParseServer("[::1").ok());
  EXPECT_FALSE(ParseServerList("a:1,,b:2").ok());
}

TEST(ParseServerTest, List) {
  auto list = ParseServerList("a:1,b:2:3,/tmp/s");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[1].weight, 3u);
  EXPECT_TRUE((*list)[2].is_unix);
}

TEST(NamesTest, RoundTripAndAliases) {
  for (auto h : {Hash::kOneAtATime, Hash::kMd5, Hash::kCrc32, Hash::kFnv1_32, Hash::kFnv1a_32,
                 Hash::kFnv1_64, Hash::kFnv1a_64, Hash::kMurmur, Hash::kJenkins}) {
    auto back = HashFromName(HashName(h));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, h);
  }
  EXPECT_EQ(HashFromName("default").value(), Hash::kOneAtATime);
  EXPECT_EQ(HashFromName("crc").value(), Hash::kCrc32);
  EXPECT_FALSE(HashFromName("hsieh").ok());
  EXPECT_EQ(DistributionFromName("consistent").value(), Distribution::kKetama);
  EXPECT_EQ(DistributionName(Distribution::kKetamaWeighted), "ketama_weighted");
  EXPECT_FALSE(DistributionFromName("random").ok());
  EXPECT_EQ(ProtocolFromName("meta").value(), Protocol::kMeta);
  EXPECT_FALSE(ProtocolFromName("http").ok());
}

}  // namespace
}  // namespace mnemo::client

#include "engines/proxy/proxy_spec.h"

#include <gtest/gtest.h>

namespace mnemo::proxy {
namespace {

using client::Distribution;
using client::Hash;

TEST(ProxySpec, ServersAloneTakeTheDefaults) {
  Result<client::Options> options = ParseProxySpec("h1:1,h2:2:3");
  ASSERT_TRUE(options.ok()) << options.error().message;
  ASSERT_EQ(options->servers.size(), 2u);
  EXPECT_EQ(options->servers[1].host, "h2");
  EXPECT_EQ(options->servers[1].port, 2);
  EXPECT_EQ(options->servers[1].weight, 3u);
  EXPECT_EQ(options->distribution, Distribution::kKetama);
  EXPECT_FALSE(options->hash.has_value());
  EXPECT_EQ(options->failure_limit, 0u);
}

TEST(ProxySpec, EveryOption) {
  Result<client::Options> options = ParseProxySpec(
      "h:1;distribution=ketama_weighted;hash=md5;protocol=binary;eject=2;retry_ms=500;"
      "timeout_ms=300;connect_ms=200;pool=8");
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->distribution, Distribution::kKetamaWeighted);
  EXPECT_EQ(options->hash, Hash::kMd5);
  EXPECT_EQ(options->protocol, Protocol::kBinary);
  EXPECT_EQ(options->failure_limit, 2u);
  EXPECT_EQ(options->retry_interval.count(), 500);
  EXPECT_EQ(options->io_timeout.count(), 300);
  EXPECT_EQ(options->connect_timeout.count(), 200);
  EXPECT_EQ(options->pool_size, 8u);
}

TEST(ProxySpec, ModulaAndLaterOptionsWin) {
  Result<client::Options> options = ParseProxySpec("h:1;distribution=ketama;distribution=modula");
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->distribution, Distribution::kModula);
}

TEST(ProxySpec, Errors) {
  for (const char* bad : {"", ";hash=md5", "h:1,", "h:1;", "h:1;hash", "h:1;hash=sha1",
                          "h:1;distribution=random", "h:1;protocol=http", "h:1;colour=red",
                          "h:1;eject=-1", "h:1;eject=x", "h:1;pool=0", "h:1;pool=2000",
                          "h:1;timeout_ms=0", "h:1;retry_ms=99999999", "h:1;connect_ms="}) {
    Result<client::Options> options = ParseProxySpec(bad);
    ASSERT_FALSE(options.ok()) << bad;
    EXPECT_EQ(options.error().message.rfind("proxy: ", 0), 0u) << options.error().message;
  }
}

TEST(ProxyTarget, AFixedListOrADomainWithItsSeeds) {
  Result<ProxyTarget> fixed = ParseProxyTarget("h1:1,h2:2;hash=md5");
  ASSERT_TRUE(fixed.ok()) << fixed.error().message;
  EXPECT_TRUE(fixed->domain.empty());
  EXPECT_EQ(fixed->options.servers.size(), 2u);
  Result<ProxyTarget> domain = ParseProxyTarget("domain=app.web-1@s1:11211,s2:11211;eject=3");
  ASSERT_TRUE(domain.ok()) << domain.error().message;
  EXPECT_EQ(domain->domain, "app.web-1");
  ASSERT_EQ(domain->options.servers.size(), 2u);
  EXPECT_EQ(domain->options.servers[1].host, "s2");
  EXPECT_EQ(domain->options.failure_limit, 3u);
  EXPECT_EQ(domain->options.distribution, Distribution::kKetama);
}

TEST(ProxyTarget, Errors) {
  for (const char* bad : {"domain=", "domain=app", "domain=@h:1", "domain=a b@h:1",
                          "domain=app;x@h:1", "domain=app@", "domain=app@h:1;colour=red"}) {
    Result<ProxyTarget> target = ParseProxyTarget(bad);
    ASSERT_FALSE(target.ok()) << bad;
    EXPECT_EQ(target.error().message.rfind("proxy: ", 0), 0u) << target.error().message;
  }
}

}  // namespace
}  // namespace mnemo::proxy

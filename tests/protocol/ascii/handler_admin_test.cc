// The classic server and admin commands against MapEngine: exact reply bytes as a memcached
// 1.6.18 release build sends them, config switches (-F, -X, -A, -C) and the session hooks.
#include <gtest/gtest.h>

#include <string>

#include "ascii/handler_test_util.h"

namespace mnemo::ascii {
namespace {

using AsciiAdminTest = test::HandlerTest;

TEST_F(AsciiAdminTest, VersionUsesTheConfiguredString) {
  config_.version = "9.9.9-mnemo";
  EXPECT_EQ(Run("version\r\nversion extra\r\n"), "VERSION 9.9.9-mnemo\r\nVERSION 9.9.9-mnemo\r\n");
}

TEST_F(AsciiAdminTest, QuitClosesWithoutReply) {
  EXPECT_EQ(Run("quit\r\nversion\r\n"), "");
  EXPECT_TRUE(context_.close);
}

TEST_F(AsciiAdminTest, UnknownCommandAnswersError) {
  EXPECT_EQ(Run("bogus\r\n\r\nGET a\r\n"), "ERROR\r\nERROR\r\nERROR\r\n");
  EXPECT_FALSE(context_.close);
}

TEST_F(AsciiAdminTest, HttpRequestClosesSilently) {
  EXPECT_EQ(Run("GET / HTTP/1.1\r\nversion\r\n"), "");
  EXPECT_TRUE(context_.close);
}

TEST_F(AsciiAdminTest, Verbosity) {
  EXPECT_EQ(Run("verbosity 1\r\n"), "OK\r\n");
  EXPECT_EQ(hooks_.verbosity, 1);
  EXPECT_EQ(Run("verbosity 9 noreply\r\n"), "");
  EXPECT_EQ(hooks_.verbosity, 2);  // memcached caps at -vv
  EXPECT_EQ(Run("verbosity\r\nverbosity abc\r\n"),
            "ERROR\r\nCLIENT_ERROR bad command line format\r\n");
}

TEST_F(AsciiAdminTest, FlushAllNowAndDelayed) {
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("flush_all\r\nget a\r\n"), "OK\r\nEND\r\n");
  Run("set b 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("flush_all 10\r\nget b\r\n"), "OK\r\nVALUE b 0 1\r\nx\r\nEND\r\n");
  clock_.Advance(10);
  EXPECT_EQ(Run("get b\r\n"), "END\r\n");
  EXPECT_EQ(counters_.cmd_flush, 2u);
}

TEST_F(AsciiAdminTest, FlushAllAbsoluteDelay) {
  Run("set b 0 0 1\r\nx\r\n");
  const std::string when = std::to_string(clock_.Now() + 100);
  EXPECT_EQ(Run("flush_all " + when + "\r\nget b\r\n"), "OK\r\nVALUE b 0 1\r\nx\r\nEND\r\n");
  clock_.Advance(100);
  EXPECT_EQ(Run("get b\r\n"), "END\r\n");
}

TEST_F(AsciiAdminTest, FlushAllNoreplyAndBadDelay) {
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("flush_all noreply\r\nflush_all 0 noreply\r\nflush_all -5\r\n"), "OK\r\n");
  EXPECT_EQ(Run("flush_all soon\r\nflush_all noreply 1\r\nflush_all x noreply\r\n"),
            "CLIENT_ERROR invalid exptime argument\r\nCLIENT_ERROR invalid exptime argument\r\n");
  EXPECT_EQ(Run("get a\r\n"), "END\r\n");
}

TEST_F(AsciiAdminTest, FlushAllDisabled) {
  config_.flush_enabled = false;
  Run("set a 0 0 1\r\nx\r\n");
  EXPECT_EQ(Run("flush_all\r\nflush_all abc\r\nflush_all noreply\r\nget a\r\n"),
            "CLIENT_ERROR flush_all not allowed\r\nCLIENT_ERROR flush_all not allowed\r\n"
            "VALUE a 0 1\r\nx\r\nEND\r\n");
  EXPECT_EQ(counters_.cmd_flush, 3u);  // counted although refused, as memcached does
}

TEST_F(AsciiAdminTest, CacheMemlimit) {
  EXPECT_EQ(Run("cache_memlimit 64\r\n"), "OK\r\n");
  EXPECT_EQ(hooks_.memlimit, 64u);
  EXPECT_EQ(Run("cache_memlimit 7\r\n"),
            "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n");
  EXPECT_EQ(Run("cache_memlimit 1000000001\r\n"),
            "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n");
  hooks_.accept_memlimit = false;
  EXPECT_EQ(Run("cache_memlimit 128\r\n"),
            "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust\r\n");
  EXPECT_EQ(Run("cache_memlimit 7 noreply\r\ncache_memlimit x noreply\r\n"), "");
}

TEST_F(AsciiAdminTest, ShutdownDisabled) {
  EXPECT_EQ(Run("shutdown\r\nshutdown graceful\r\nshutdown noreply\r\n"),
            "ERROR: shutdown not enabled\r\nERROR: shutdown not enabled\r\n"
            "ERROR: shutdown not enabled\r\n");
  EXPECT_EQ(hooks_.shutdowns, 0);
  EXPECT_FALSE(context_.close);
}

TEST_F(AsciiAdminTest, ShutdownEnabled) {
  config_.shutdown_enabled = true;
  EXPECT_EQ(Run("shutdown foo\r\nshutdown graceful x\r\n"),
            "CLIENT_ERROR invalid shutdown mode\r\nCLIENT_ERROR invalid shutdown mode\r\n");
  EXPECT_EQ(Run("shutdown graceful\r\nversion\r\n"), "");
  EXPECT_EQ(hooks_.shutdowns, 1);
  EXPECT_TRUE(hooks_.shutdown_graceful);
  EXPECT_TRUE(context_.close);
}

TEST_F(AsciiAdminTest, PlainShutdown) {
  config_.shutdown_enabled = true;
  EXPECT_EQ(Run("shutdown\r\n"), "");
  EXPECT_EQ(hooks_.shutdowns, 1);
  EXPECT_FALSE(hooks_.shutdown_graceful);
}

TEST_F(AsciiAdminTest, GeneralStatsHaveServerCounterAndEngineFields) {
  Run("set a 0 0 1\r\nx\r\nget a b\r\n");
  const std::string out = Run("stats\r\n");
  EXPECT_EQ(out.rfind("STAT pid 7\r\n", 0), 0u) << out;
  EXPECT_NE(out.find("STAT cmd_get 2\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("STAT get_hits 1\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("STAT get_misses 1\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find("STAT curr_items 1\r\n"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\nEND\r\n")) << out;
}

TEST_F(AsciiAdminTest, StatsGroups) {
  EXPECT_EQ(Run("stats settings\r\n"), "STAT maxbytes 67108864\r\nEND\r\n");
  EXPECT_EQ(Run("stats sizes\r\n"), "STAT sizes_status disabled\r\nEND\r\n");
  EXPECT_EQ(Run("stats bogus\r\nstats noreply\r\n"), "ERROR\r\nERROR\r\n");
}

TEST_F(AsciiAdminTest, StatsReset) {
  Run("get a\r\n");
  EXPECT_EQ(Run("stats reset\r\n"), "RESET\r\n");
  EXPECT_EQ(counters_.cmd_get, 0u);
  EXPECT_EQ(hooks_.resets, 1);
}

TEST_F(AsciiAdminTest, StatsDetail) {
  EXPECT_EQ(Run("stats detail on\r\nstats detail off\r\nstats detail dump\r\n"),
            "OK\r\nOK\r\nEND\r\n");
  EXPECT_EQ(Run("stats detail\r\nstats detail foo\r\n"),
            "CLIENT_ERROR usage: stats detail on|off|dump\r\n"
            "CLIENT_ERROR usage: stats detail on|off|dump\r\n");
}

TEST_F(AsciiAdminTest, CacheDumpListsItemsOfOneClass) {
  clock_.Set(1'700'000'000);
  Run("set c1 0 0 1\r\nx\r\nset c2 0 100 3\r\nxyz\r\nset c3 0 0 100\r\n" + std::string(100, 'v') +
      "\r\n");
  const std::string class1 = Run("stats cachedump 1 0\r\n");
  EXPECT_NE(class1.find("ITEM c1 [1 b; 0 s]\r\n"), std::string::npos) << class1;
  EXPECT_NE(class1.find("ITEM c2 [3 b; 1700000100 s]\r\n"), std::string::npos) << class1;
  EXPECT_EQ(class1.find("c3"), std::string::npos) << class1;
  EXPECT_TRUE(class1.ends_with("END\r\n"));
  // 48 + 8 + 3 + 100 + 2 = 161 bytes: memcached's class 4 (192-byte chunks).
  EXPECT_EQ(Run("stats cachedump 4 0\r\n"), "ITEM c3 [100 b; 0 s]\r\nEND\r\n");
  EXPECT_EQ(Run("stats cachedump 2 0\r\nstats cachedump 0 1\r\n"), "END\r\nEND\r\n");
  const std::string limited = Run("stats cachedump 1 1\r\n");
  EXPECT_EQ(limited.find("ITEM"), limited.rfind("ITEM")) << limited;
}

TEST_F(AsciiAdminTest, CacheDumpErrors) {
  EXPECT_EQ(Run("stats cachedump\r\nstats cachedump 1\r\n"),
            "CLIENT_ERROR bad command line\r\nCLIENT_ERROR bad command line\r\n");
  EXPECT_EQ(Run("stats cachedump abc 1\r\nstats cachedump 1 -1\r\n"),
            "CLIENT_ERROR bad command line format\r\nCLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(Run("stats cachedump 64 1\r\n"), "CLIENT_ERROR Illegal slab id\r\n");
  config_.dump_enabled = false;
  EXPECT_EQ(Run("stats cachedump 1 1\r\n"), "CLIENT_ERROR stats cachedump not allowed\r\n");
}

TEST_F(AsciiAdminTest, MetadumpFormat) {
  clock_.Set(1'700'000'000);
  Run("set a/b%~ 0 0 1\r\nx\r\nset t 3 100 2\r\nyz\r\n");
  const std::string ca = std::to_string(CasOf("a/b%~"));
  clock_.Advance(5);
  Run("get t\r\n");
  const std::string out = Run("lru_crawler metadump all\r\n");
  // 48 + 8 + 5 + 1 + 1 + 2 = 65 bytes; t has 62, plus 4 for its nonzero flags.
  EXPECT_NE(out.find("key=a%2Fb%25~ exp=-1 la=1700000000 cas=" + ca + " fetch=no cls=1 size=65\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("key=t exp=1700000100 la=1700000005 cas="), std::string::npos) << out;
  EXPECT_NE(out.find(" fetch=yes cls=1 size=66\n"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\nEND\r\n")) << out;
  EXPECT_EQ(Run("lru_crawler metadump 2\r\n"), "END\r\n");
  EXPECT_NE(Run("lru_crawler metadump 1,2\r\n").find("key=t "), std::string::npos);
}

TEST_F(AsciiAdminTest, MetadumpRefusals) {
  EXPECT_EQ(Run("lru_crawler metadump 64\r\nlru_crawler metadump x\r\nlru_crawler metadump\r\n"),
            "BADCLASS invalid class id\r\nBADCLASS invalid class id\r\nERROR\r\n");
  config_.dump_enabled = false;
  EXPECT_EQ(Run("lru_crawler metadump all\r\n"), "ERROR metadump not allowed\r\n");
}

TEST_F(AsciiAdminTest, LruCrawlerSettings) {
  EXPECT_EQ(Run("lru_crawler enable\r\nlru_crawler disable\r\nlru_crawler sleep 100\r\n"
                "lru_crawler tocrawl 10\r\nlru_crawler crawl all\r\nlru_crawler crawl 1,,2\r\n"),
            "OK\r\nOK\r\nOK\r\nOK\r\nOK\r\nOK\r\n");
  EXPECT_EQ(Run("lru_crawler sleep 1000001\r\nlru_crawler sleep abc\r\nlru_crawler tocrawl x\r\n"),
            "CLIENT_ERROR sleep must be one second or less\r\nCLIENT_ERROR bad command line "
            "format\r\nCLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(Run("lru_crawler crawl 0\r\nlru_crawler crawl 64\r\nlru_crawler crawl hash\r\n"),
            "BADCLASS invalid class id\r\nBADCLASS invalid class id\r\n"
            "ERROR an unknown error happened\r\n");
  EXPECT_EQ(Run("lru_crawler\r\nlru_crawler foo\r\nlru_crawler crawl\r\n"
                "lru_crawler enable noreply\r\n"),
            "ERROR\r\nERROR\r\nERROR\r\nERROR\r\n");
}

TEST_F(AsciiAdminTest, Slabs) {
  EXPECT_EQ(Run("slabs automove 0\r\nslabs automove 1\r\nslabs automove 2\r\n"),
            "OK\r\nOK\r\nOK\r\n");
  EXPECT_EQ(Run("slabs automove 3\r\nslabs automove abc\r\nslabs automove 1 noreply\r\n"),
            "ERROR\r\nCLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(Run("slabs reassign 1 2\r\nslabs reassign 1 1\r\nslabs reassign 99 2\r\n"
                "slabs reassign abc 2\r\n"),
            "NOSPARE source class has no spare pages\r\nSAME src and dst class are identical\r\n"
            "BADCLASS invalid src or dst class id\r\nCLIENT_ERROR bad command line format\r\n");
  EXPECT_EQ(Run("slabs\r\nslabs foo\r\nslabs automove\r\nslabs reassign 1\r\n"),
            "ERROR\r\nERROR\r\nERROR\r\nERROR\r\n");
}

TEST_F(AsciiAdminTest, Lru) {
  EXPECT_EQ(Run("lru mode flat\r\nlru mode segmented\r\nlru tune 20 40 0.1 2.0\r\n"
                "lru temp_ttl 60\r\nlru temp_ttl -1\r\n"),
            "OK\r\nOK\r\nOK\r\nOK\r\nOK\r\n");
  EXPECT_EQ(Run("lru tune 80 40 0.1 2.0\r\nlru tune 20 40 0 2\r\n"),
            "ERROR hot and warm pcts must not exceed 80\r\n"
            "ERROR hot/warm age factors must be greater than 0\r\n");
  EXPECT_EQ(Run("lru\r\nlru foo\r\nlru mode foo\r\nlru tune 20 40\r\nlru temp_ttl abc\r\n"),
            "ERROR\r\nERROR\r\nERROR\r\nERROR\r\nERROR\r\n");
  EXPECT_EQ(Run("lru mode flat noreply\r\n"), "");
}

TEST_F(AsciiAdminTest, WatchRefreshCertsAndDebugVerbs) {
  EXPECT_EQ(Run("watch\r\nwatch fetchers mutations evictions connevents\r\nwatch foo\r\n"),
            "OK\r\nOK\r\nERROR\r\n");
  EXPECT_EQ(Run("watch proxyreqs proxyevents proxyuser\r\n"), "OK\r\n");
  EXPECT_EQ(Run("watch fetchers noreply\r\nwatch deletions noreply\r\nwatch deletions\r\n"),
            "ERROR\r\n");
  EXPECT_EQ(Run("refresh_certs\r\nrefresh_certs noreply\r\n"),
            "Error TLS not enabled\r\nError TLS not enabled\r\n");
  EXPECT_EQ(hooks_.refreshes, 0);
  EXPECT_EQ(Run("misbehave\r\ndebugtime 10\r\ndebugitem\r\nextstore\r\n"),
            "ERROR\r\nERROR\r\nERROR\r\nERROR\r\n");
}

// The host decides what a valid watch becomes; its refusals are memcached's lines.
TEST_F(AsciiAdminTest, WatchAsksTheHost) {
  EXPECT_EQ(Run("watch\r\n"), "OK\r\n");
  EXPECT_EQ(hooks_.watch_asked, kWatchFetchers);  // no argument: fetchers
  EXPECT_EQ(context_.watch_flags, 0u);              // kNoStream: still an ordinary connection
  hooks_.watch_start = WatchStart::kDisabled;
  EXPECT_EQ(Run("watch mutations\r\n"), "CLIENT_ERROR watch commands not allowed\r\n");
  EXPECT_EQ(hooks_.watch_asked, kWatchMutations);
  hooks_.watch_start = WatchStart::kTooMany;
  EXPECT_EQ(Run("watch evictions\r\n"), "WATCHER_TOO_MANY log watcher limit reached\r\n");
  hooks_.watch_asked = 0;
  EXPECT_EQ(Run("watch bogus\r\n"), "ERROR\r\n");
  EXPECT_EQ(hooks_.watch_asked, 0u);  // an unknown name never reaches the host
  hooks_.watch_start = WatchStart::kStarted;
  EXPECT_EQ(Run("watch fetchers mutations\r\n"), "OK\r\n");
  EXPECT_EQ(context_.watch_flags, kWatchFetchers | kWatchMutations);
}

// -W: refused before the arguments are looked at (memcached 1.6.18 -W, `watch bogus`).
TEST_F(AsciiAdminTest, WatchDisabledByConfig) {
  config_.watch_enabled = false;
  const std::string refused = "CLIENT_ERROR watch commands not allowed\r\n";
  EXPECT_EQ(Run("watch\r\nwatch bogus\r\n"), refused + refused);
  EXPECT_EQ(hooks_.watch_asked, 0u);
}

TEST(WatchFlagsTest, NamesAsMemcached1618) {
  EXPECT_EQ(ParseWatchFlags(""), kWatchFetchers);
  EXPECT_EQ(ParseWatchFlags("  mutations   evictions "), kWatchMutations | kWatchEvictions);
  EXPECT_EQ(ParseWatchFlags("fetchers fetchers"), kWatchFetchers);
  EXPECT_EQ(ParseWatchFlags("connevents proxyreqs proxyevents proxyuser rawcmds sysevents"),
            kWatchConnEvents | kWatchProxyReqs | kWatchProxyEvents | kWatchProxyUser |
                kWatchRawCmds | kWatchSysEvents);
  EXPECT_EQ(ParseWatchFlags("FETCHERS"), 0u);
  EXPECT_EQ(ParseWatchFlags("fetchers deletions"), 0u);  // 1.6.20's name
  EXPECT_EQ(ParseWatchFlags("fetchers noreply"), 0u);
}

// With TLS on, the host reloads: OK (silenced by noreply), or its error line whatever
// noreply says (memcached 1.6.18 -Z, a missing certificate file).
TEST_F(AsciiAdminTest, RefreshCertsAsksTheHost) {
  hooks_.tls = true;
  EXPECT_EQ(Run("refresh_certs\r\nrefresh_certs noreply\r\nversion\r\n"),
            "OK\r\nVERSION 1.6.18\r\n");
  EXPECT_EQ(hooks_.refreshes, 2);
  hooks_.refresh_failure = "Error loading the certificate chain: c.pem : error:x";
  EXPECT_EQ(Run("refresh_certs\r\nrefresh_certs noreply\r\n"),
            "Error loading the certificate chain: c.pem : error:x\r\n"
            "Error loading the certificate chain: c.pem : error:x\r\n");
  EXPECT_EQ(hooks_.refreshes, 4);
}

}  // namespace
}  // namespace mnemo::ascii

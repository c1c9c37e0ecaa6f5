// --help lists every flag and every -o key (it is generated from the same tables the parser
// uses, so this guards the generator); the strict value readers behind every flag.

#include <gtest/gtest.h>

#include <sstream>

#include "server/config_tables.h"
#include "server/config_test_util.h"
#include "server/value_parse.h"

namespace mnemo::server {
namespace {

// memcached 1.6.18's own flags (its getopt string) and long names, from `memcached -h`.
constexpr std::string_view kMemcachedShort = "aAZpsUmMckhiVrvdlutPfnDtLRCbBISFXWYeoN";
const char* const kMemcachedLong[] = {"port",
                                      "udp-port",
                                      "unix-socket",
                                      "unix-mask",
                                      "enable-shutdown",
                                      "listen",
                                      "daemon",
                                      "enable-coredumps",
                                      "user",
                                      "memory-limit",
                                      "disable-evictions",
                                      "conn-limit",
                                      "lock-memory",
                                      "verbose",
                                      "help",
                                      "license",
                                      "version",
                                      "pidfile",
                                      "slab-growth-factor",
                                      "slab-min-size",
                                      "enable-largepages",
                                      "threads",
                                      "max-reqs-per-event",
                                      "disable-cas",
                                      "listen-backlog",
                                      "protocol",
                                      "max-item-size",
                                      "enable-sasl",
                                      "disable-flush-all",
                                      "disable-dumping",
                                      "disable-watch",
                                      "auth-file",
                                      "memory-file",
                                      "enable-ssl",
                                      "extended",
                                      "napi-ids"};

TEST(HelpText, ListsEveryFlagOfMemcachedAndMnemo) {
  const std::string help = HelpText();
  for (char letter : kMemcachedShort) {
    EXPECT_NE(help.find(std::string("\n-") + letter), std::string::npos) << letter;
  }
  for (const char* name : kMemcachedLong) {
    EXPECT_NE(help.find(std::string("--") + name), std::string::npos) << name;
  }
  for (const char* name : {"--engine=<spec>", "--snapshot=<file>", "--state-dir=<dir>"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
  for (const FlagOption& flag : FlagOptions()) {
    if (flag.long_name != nullptr) {
      EXPECT_NE(help.find(std::string("--") + flag.long_name), std::string::npos);
    }
  }
  EXPECT_NE(help.find("127.0.0.1"), std::string::npos);  // the default that differs
}

// Every -o key memcached 1.6.18 (TLS + extstore build) accepts: each was given alone to that
// memcached, and these are the ones it did not answer with "Illegal suboption".
const char* const kMemcachedKeys[] = {"maxconns_fast",
                                      "hashpower",
                                      "no_hashexpand",
                                      "slab_reassign",
                                      "slab_automove",
                                      "slab_automove_ratio",
                                      "slab_automove_window",
                                      "tail_repair_time",
                                      "hash_algorithm",
                                      "lru_crawler",
                                      "lru_crawler_sleep",
                                      "lru_crawler_tocrawl",
                                      "lru_maintainer",
                                      "hot_lru_pct",
                                      "warm_lru_pct",
                                      "hot_max_factor",
                                      "warm_max_factor",
                                      "temporary_ttl",
                                      "idle_timeout",
                                      "watcher_logbuf_size",
                                      "worker_logbuf_size",
                                      "slab_sizes",
                                      "slab_chunk_max",
                                      "track_sizes",
                                      "no_inline_ascii_resp",
                                      "inline_ascii_resp",
                                      "modern",
                                      "no_modern",
                                      "no_chunked_items",
                                      "no_slab_reassign",
                                      "no_slab_automove",
                                      "no_maxconns_fast",
                                      "no_lru_crawler",
                                      "no_lru_maintainer",
                                      "no_drop_privileges",
                                      "drop_privileges",
                                      "resp_obj_mem_limit",
                                      "read_buf_mem_limit",
                                      "ssl_chain_cert",
                                      "ssl_key",
                                      "ssl_verify_mode",
                                      "ssl_keyformat",
                                      "ssl_ciphers",
                                      "ssl_ca_cert",
                                      "ssl_wbuf_size",
                                      "ssl_session_cache",
                                      "ssl_kernel_tls",
                                      "ssl_min_version",
                                      "sock_cookie_id",
                                      "ext_path",
                                      "ext_page_size",
                                      "ext_wbuf_size",
                                      "ext_threads",
                                      "ext_io_depth",
                                      "ext_item_size",
                                      "ext_item_age",
                                      "ext_low_ttl",
                                      "ext_recache_rate",
                                      "ext_compact_under",
                                      "ext_drop_under",
                                      "ext_max_sleep",
                                      "ext_max_frag",
                                      "slab_automove_freeratio",
                                      "ext_drop_unread"};

// Mnemo's own -o keys (memcached reads this one from MEMCACHED_SASL_PWDB only).
constexpr const char* kMnemoKeys[] = {"sasl_pwdb"};

TEST(HelpText, ListsEveryExtendedKeyMemcachedAccepts) {
  const std::string help = HelpText();
  std::size_t table_keys = 0;
  for (auto table : {CoreExtendedOptions(), TlsExtstoreOptions()}) table_keys += table.size();
  EXPECT_EQ(table_keys, std::size(kMemcachedKeys) + std::size(kMnemoKeys));
  for (const char* key : kMnemoKeys) EXPECT_NE(help.find(std::string(" ") + key), std::string::npos);
  for (const char* key : kMemcachedKeys) {
    EXPECT_NE(help.find(std::string(" ") + key), std::string::npos) << key;
    Result<CommandLine> parsed = Parse({"-o", key});
    if (!parsed.ok()) {
      EXPECT_FALSE(parsed.error().message.starts_with("Illegal")) << key;
    }
  }
}

TEST(HelpText, FitsInOneHundredColumns) {
  std::istringstream lines(HelpText());
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
}

TEST(HelpText, VersionNamesTheCompatibleMemcached) {
  EXPECT_TRUE(VersionText().starts_with("mnemod "));
  EXPECT_NE(VersionText().find("memcached 1.6.18 compatible"), std::string::npos);
}

TEST(ValueParse, IsStrict) {
  EXPECT_EQ(ParseInt("-12"), -12);
  EXPECT_EQ(ParseInt("12x"), std::nullopt);
  EXPECT_EQ(ParseInt(""), std::nullopt);
  EXPECT_EQ(ParseInt(" 1"), std::nullopt);
  EXPECT_EQ(ParseUint("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseUint("18446744073709551616"), std::nullopt);
  EXPECT_EQ(ParseUint("-1"), std::nullopt);
  EXPECT_EQ(ParseUint32("4194303", 1024), 4194303u * 1024);
  EXPECT_EQ(ParseUint32("4194304", 1024), std::nullopt);
  EXPECT_EQ(ParseDouble("1.25"), 1.25);
  EXPECT_EQ(ParseDouble("1e2"), 100.0);
  EXPECT_EQ(ParseDouble("inf"), std::nullopt);
  EXPECT_EQ(ParseDouble("1.5x"), std::nullopt);
  EXPECT_EQ(ParseOctal("0644"), 0644u);
  EXPECT_EQ(ParseOctal("8"), std::nullopt);
  EXPECT_EQ(ParseSize("2m", "kKmM"), 2u << 20);
  EXPECT_EQ(ParseSize("3K", "kKmM"), 3u << 10);
  EXPECT_EQ(ParseSize("1g", "kKmM"), std::nullopt);
  EXPECT_EQ(ParseSize("2T", "kKmMgGtTpP"), 2ull << 40);
  EXPECT_EQ(ParseSize("m", "kKmM"), std::nullopt);
  EXPECT_EQ(ParseSize("99999999999p", "kKmMgGtTpP"), std::nullopt);
}

}  // namespace
}  // namespace mnemo::server
